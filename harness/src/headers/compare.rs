//! Comparison of extractions: across header sets (a const keeps its value, a full-ABI struct
//! its layout, a partial struct its listed members, a typedef or signature its meaning) and
//! against the manifest (every entry of a version declared by its headers; nothing else
//! exposed). Pure: extractions in, the report's static section out.
//!
//! Statuses: `pass` when every header set agrees exactly; `changed` when the text differs but
//! the ABI meaning does not (parameter renamed, `const` added or dropped, a typedef name that
//! resolves to the same type), with the reason in `detail`; `fail` for a different value,
//! layout or meaning, or an entry a header set does not declare; `skip` when no header set
//! can show the entry (an `ifdef` feature absent everywhere, an `abi_only` entry never
//! declared).

use std::collections::{BTreeMap, BTreeSet};

use super::{Extraction, HeaderSet};
use crate::manifest::{Entry, EntryKind, Manifest, StructAbiKind};
use crate::report::{
    Check, EntryResult, FactValue, HeaderSetRecord, Leak, ResultKind, StaticFact, StaticReport, StaticResult, Status,
};
use crate::variant::{ABI3T_SINCE, Target};
use crate::version::PyVersion;

const NOT_DECLARED: &str = "(not declared)";
/// An opaque struct under abi3t, as the headers must have it (and as a complete one reads).
const INCOMPLETE: &str = "incomplete type";

/// Consts whose value describes the build's own target, so abi3t gives them another value than
/// abi3 by design (status `changed`, with the reason), as long as every abi3t reading agrees.
const TARGET_DEPENDENT: &[(&str, &str)] = &[(
    "PyABIInfo_DEFAULT_FLAGS",
    "PEP 803: the flags of the module's default PyABIInfo describe its build, and a build for abi3t says \
     PyABIInfo_FREETHREADING_AGNOSTIC where one for abi3 says PyABIInfo_GIL (modsupport.h)",
)];

/// What the headers were read with: a limited-API version and a target.
#[derive(Clone, Copy, Debug)]
struct Reading {
    limited_api: PyVersion,
    target: Target,
}

impl Reading {
    /// The `limited_api` of results and facts: `3.15`, or `3.15+abi3t`.
    fn label(self) -> String {
        match self.target {
            Target::Abi3 => self.limited_api.to_string(),
            Target::Abi3t => format!("{}+abi3t", self.limited_api),
        }
    }

    /// The definitions, for messages.
    fn defines(self) -> String {
        match self.target {
            Target::Abi3 => format!("Py_LIMITED_API={}", self.limited_api),
            Target::Abi3t => format!("Py_LIMITED_API={} and Py_TARGET_ABI3T", self.limited_api),
        }
    }
}

/// One aspect of an entry as one header set has it: the text as written, and its ABI meaning.
#[derive(Clone, Debug, PartialEq)]
struct Aspect {
    name: String,
    exact: String,
    abi: String,
}

impl Aspect {
    fn same(name: impl Into<String>, value: impl Into<String>) -> Aspect {
        let value = value.into();
        Aspect { name: name.into(), exact: value.clone(), abi: value }
    }
}

/// What the report says of a header set read under `label` at the limited-API versions `read`.
fn set_record(set: &HeaderSet, label: String, read: Vec<String>, note: Option<String>) -> HeaderSetRecord {
    HeaderSetRecord {
        label,
        version: set.version.clone(),
        platform: set.platform.clone(),
        debug: set.debug,
        include_dir: set.paths.include_dir.display().to_string(),
        limited_api: read,
        under_test: set.under_test,
        arch: Some(set.arch.to_string()),
        note,
    }
}

pub fn compare(
    manifest: &Manifest,
    sets: &[HeaderSet],
    extractions: &BTreeMap<(usize, PyVersion), Extraction>,
) -> StaticReport {
    let mut report = StaticReport::default();
    for (n, set) in sets.iter().enumerate() {
        let read: Vec<String> = extractions.keys().filter(|(s, _)| *s == n).map(|(_, l)| l.to_string()).collect();
        let note = set
            .refuses_limited_api()
            .then(|| "debug headers before 3.10 refuse Py_LIMITED_API (#error): not read".to_owned());
        report.header_sets.push(set_record(set, set.label.clone(), read, note));
    }
    let versions: BTreeSet<PyVersion> = extractions.keys().map(|(_, l)| *l).collect();
    for limited_api in versions {
        let present: Vec<usize> = (0..sets.len()).filter(|n| extractions.contains_key(&(*n, limited_api))).collect();
        let Some(baseline) = baseline(sets, &present, limited_api) else { continue };
        for entry in
            manifest.entries.iter().filter(|e| e.kind != EntryKind::FeatureMacro && e.available_in(limited_api))
        {
            let readings: Vec<(usize, Option<Vec<Aspect>>)> = present
                .iter()
                .map(|&n| {
                    let extraction = &extractions[&(n, limited_api)];
                    (n, aspects(entry, extraction, Target::Abi3))
                })
                .collect();
            let reading = Reading { limited_api, target: Target::Abi3 };
            let reference = reference_of(sets, baseline, &readings);
            let (result, differing, facts) = judge(entry, reading, sets, reference, &readings);
            report.compared.extend(facts);
            report.results.push(StaticResult {
                limited_api: limited_api.to_string(),
                baseline: sets[baseline].label.clone(),
                differing,
                leak: false,
                arch: None,
                result,
            });
        }
    }
    report.leaks = leaks(manifest, sets, extractions);
    for leak in &report.leaks {
        let detail = format!(
            "declared under Py_LIMITED_API but not in the manifest ({} name), by: {}",
            leak.class,
            leak.headers.join(", ")
        );
        let mut minors: Vec<PyVersion> =
            leak.headers.iter().filter_map(|h| sets.iter().find(|s| &s.label == h).map(|s| s.minor)).collect();
        minors.sort();
        minors.dedup();
        for minor in minors {
            report.results.push(StaticResult {
                limited_api: minor.to_string(),
                baseline: String::new(),
                differing: leak
                    .headers
                    .iter()
                    .filter(|h| sets.iter().any(|s| &s.label == *h && s.minor == minor))
                    .cloned()
                    .collect(),
                leak: true,
                arch: None,
                result: EntryResult::new(
                    &leak.name,
                    leak.kind,
                    Check::Static,
                    Status::Fail,
                    Some(format!("leak: {detail}")),
                ),
            });
        }
    }
    report
}

/// The header sets of 3.15 and newer read under `Py_TARGET_ABI3T` (PEP 803), each as a header
/// set of its own labelled `+abi3t`, at limited-API versions labelled `3.15+abi3t`. A struct
/// opaque in abi3t (the manifest's `members` and `abi3t-opaque` kinds, `abi3t_opaque`,
/// `opaque`) must be an incomplete type; everything else (consts, signatures, data, typedefs,
/// full-ABI layouts) must read as under abi3 alone, compared with the abi3 baseline of the same
/// limited-API version. No leak check: abi3t exposes a subset of abi3.
pub fn compare_abi3t(
    manifest: &Manifest,
    sets: &[HeaderSet],
    abi3: &BTreeMap<(usize, PyVersion), Extraction>,
    abi3t: &BTreeMap<(usize, PyVersion), Extraction>,
) -> StaticReport {
    let mut report = StaticReport::default();
    // Index n < sets.len(): set n read under abi3; sets.len() + n: set n read under abi3t.
    let mut views: Vec<HeaderSet> = sets.to_vec();
    views.extend(sets.iter().map(|set| HeaderSet { label: abi3t_label(&set.label), ..set.clone() }));
    for (n, set) in sets.iter().enumerate() {
        let read: Vec<String> = abi3t.keys().filter(|(s, _)| *s == n).map(|(_, l)| l.to_string()).collect();
        if read.is_empty() {
            continue;
        }
        let note = format!(
            "read with Py_TARGET_ABI3T as well (PEP 803, {ABI3T_SINCE}+): opaque structs must be incomplete types, the rest as under abi3"
        );
        report.header_sets.push(set_record(set, views[sets.len() + n].label.clone(), read, Some(note)));
    }
    let versions: BTreeSet<PyVersion> = abi3t.keys().map(|(_, l)| *l).collect();
    for limited_api in versions {
        let reading = Reading { limited_api, target: Target::Abi3t };
        let present: Vec<usize> = (0..sets.len()).filter(|n| abi3t.contains_key(&(*n, limited_api))).collect();
        let abi3_present: Vec<usize> = (0..sets.len()).filter(|n| abi3.contains_key(&(*n, limited_api))).collect();
        let abi3_baseline = baseline(sets, &abi3_present, limited_api);
        let Some(first) = baseline(sets, &present, limited_api) else { continue };
        for entry in
            manifest.entries.iter().filter(|e| e.kind != EntryKind::FeatureMacro && e.available_in(limited_api))
        {
            let readings: Vec<(usize, Option<Vec<Aspect>>)> = present
                .iter()
                .map(|&n| (sets.len() + n, aspects(entry, &abi3t[&(n, limited_api)], Target::Abi3t)))
                .collect();
            let by_design = TARGET_DEPENDENT.iter().find(|(name, _)| *name == entry.name).map(|(_, why)| *why);
            let abi3_reading = abi3_baseline
                .and_then(|b| Some((sets[b].label.clone(), aspects(entry, &abi3[&(b, limited_api)], Target::Abi3)?)));
            let reference = if by_design.is_some() {
                // Compared among the abi3t readings; with abi3 only for the note below.
                reference_of(&views, sets.len() + first, &readings)
            } else if entry.opaque_in_abi3t() {
                // What PEP 803 promises, not what another header set says: all may be wrong.
                let kind = match entry.struct_abi_kind {
                    _ if entry.abi3t_opaque => "abi3t_opaque",
                    Some(kind) => kind.toml_name(),
                    None => "opaque",
                };
                Some((format!("the manifest ({kind}: opaque in abi3t)"), vec![Aspect::same("definition", INCOMPLETE)]))
            } else {
                abi3_reading.clone().or_else(|| reference_of(&views, sets.len() + first, &readings))
            };
            let (mut result, differing, facts) = judge(entry, reading, &views, reference.clone(), &readings);
            if let (Some(why), Some((abi3_label, abi3_aspects)), Some((abi3t_label, abi3t_aspects))) =
                (by_design, &abi3_reading, &reference)
                && result.status == Status::Pass
                && abi3_aspects != abi3t_aspects
            {
                let value = |aspects: &[Aspect]| aspects.iter().map(|a| a.exact.clone()).collect::<Vec<_>>().join(", ");
                result.status = Status::Changed;
                result.detail = Some(format!(
                    "{} value: {} in {abi3_label}, {} in {abi3t_label}: by design, {why}",
                    entry.name,
                    value(abi3_aspects),
                    value(abi3t_aspects)
                ));
            }
            report.compared.extend(facts);
            report.results.push(StaticResult {
                limited_api: reading.label(),
                baseline: abi3_baseline.map_or_else(String::new, |b| sets[b].label.clone()),
                differing,
                leak: false,
                arch: None,
                result,
            });
        }
    }
    report
}

/// A header set's label for its abi3t reading: `3.15.0@sid+abi3t`, before the executable of an
/// interpreter under test.
fn abi3t_label(label: &str) -> String {
    match label.split_once(" (") {
        Some((head, rest)) => format!("{head}+abi3t ({rest}"),
        None => format!("{label}+abi3t"),
    }
}

/// The header set others are compared with: the limited-API version's own headers, a release
/// build on the host first; never an interpreter under test while another set exists.
fn baseline(sets: &[HeaderSet], present: &[usize], limited_api: PyVersion) -> Option<usize> {
    present.iter().copied().min_by_key(|&n| {
        let set = &sets[n];
        (set.under_test, set.minor != limited_api, set.minor, set.debug, set.platform != "host")
    })
}

/// What the extraction says about an entry, or `None` if it does not declare it; structs as
/// `target`'s Stable ABI freezes them.
fn aspects(entry: &Entry, extraction: &Extraction, target: Target) -> Option<Vec<Aspect>> {
    let name = entry.name.as_str();
    match entry.kind {
        EntryKind::Function => extraction.functions.get(name).map(|sig| {
            let mut params: Vec<String> = sig.params.iter().map(|(n, t)| format!("{n}: {t}")).collect();
            if sig.variadic {
                params.push("...".into());
            }
            let exact = format!("fn({}) -> {}", params.join(", "), sig.ret);
            vec![Aspect { name: "signature".into(), abi: meaning(&exact, extraction), exact }]
        }),
        EntryKind::Data => extraction
            .data
            .get(name)
            .map(|ty| vec![Aspect { name: "type".into(), abi: meaning(ty, extraction), exact: ty.clone() }]),
        EntryKind::Const => match extraction.consts.get(name) {
            Some(value) => Some(vec![Aspect::same("value", value.clone())]),
            // A macro bindgen cannot evaluate (a cast or sizeof): its presence is all we know.
            None => extraction
                .macros
                .contains(name)
                .then(|| vec![Aspect::same("declared", "macro (value not evaluable by bindgen)")]),
        },
        EntryKind::Macro => extraction.macros.contains(name).then(|| vec![Aspect::same("declared", "macro")]),
        EntryKind::Typedef => extraction
            .typedefs
            .get(name)
            .map(|ty| vec![Aspect { name: "type".into(), abi: meaning(ty, extraction), exact: ty.clone() }]),
        EntryKind::Struct => struct_aspects(entry, extraction, target),
        EntryKind::FeatureMacro => None,
    }
}

fn struct_aspects(entry: &Entry, extraction: &Extraction, target: Target) -> Option<Vec<Aspect>> {
    let record_name = resolve_record(&entry.name, extraction)?;
    let record = extraction.structs.get(&record_name);
    let kind = entry.struct_kind_for(target).unwrap_or(StructAbiKind::Opaque);
    if target == Target::Abi3t && kind == StructAbiKind::Opaque {
        // PEP 803: an extension built for abi3t must not see a layout it could depend on.
        let definition = match record.filter(|r| !r.opaque) {
            None => INCOMPLETE.to_owned(),
            Some(r) => format!(
                "complete type (size {}, members {})",
                r.size.map_or_else(|| "?".to_owned(), |s| s.to_string()),
                r.fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", ")
            ),
        };
        return Some(vec![Aspect::same("definition", definition)]);
    }
    let Some(record) = record.filter(|r| !r.opaque) else {
        // Declared without a body: right for an opaque struct, a finding for any other.
        return Some(vec![Aspect::same(
            "definition",
            if kind == StructAbiKind::Opaque { "declared" } else { "opaque (no members)" },
        )]);
    };
    let member = |field: &super::extract::Field| {
        let offset = field.offset.map_or_else(|| "?".to_owned(), |o| o.to_string());
        Aspect {
            name: format!("member {}", field.name),
            exact: format!("{} at offset {offset}", field.ty),
            abi: format!("{} at offset {offset}", meaning(&field.ty, extraction)),
        }
    };
    match kind {
        StructAbiKind::Opaque => Some(vec![Aspect::same("definition", "declared")]),
        StructAbiKind::FullAbi | StructAbiKind::Abi3tOpaque => {
            let mut out = vec![
                Aspect::same("size", record.size.map_or_else(|| "?".to_owned(), |s| s.to_string())),
                Aspect::same("align", record.align.map_or_else(|| "?".to_owned(), |s| s.to_string())),
                Aspect::same("members", record.fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", ")),
            ];
            out.extend(record.fields.iter().map(member));
            Some(out)
        }
        StructAbiKind::Members => Some(
            entry
                .members
                .iter()
                .map(|name| match record.fields.iter().find(|f| &f.name == name) {
                    Some(field) => member(field),
                    None => Aspect::same(format!("member {name}"), NOT_DECLARED),
                })
                .collect(),
        ),
    }
}

/// The struct a manifest name stands for: itself, or what its typedef chain names
/// (`PyObject` → `_object`).
fn resolve_record(name: &str, extraction: &Extraction) -> Option<String> {
    let mut current = name.to_owned();
    for _ in 0..8 {
        if extraction.structs.contains_key(&current) {
            return Some(current);
        }
        current = extraction.typedefs.get(&current)?.clone();
    }
    None
}

/// A type's ABI meaning: parameter names dropped, `*const` read as `*mut` (the same pointer),
/// a `noreturn` function (`-> !`) as returning nothing, typedef names replaced by what they
/// name, recursively.
fn meaning(text: &str, extraction: &Extraction) -> String {
    resolve_typedefs(&meaning_of_target(text), extraction, 0)
}

fn strip_param_names(text: &str) -> String {
    // `name: ` only appears before a parameter's type; paths use `::` without a space.
    let mut out = String::with_capacity(text.len());
    let bytes: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_alphabetic() || bytes[i] == '_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_alphanumeric() || bytes[i] == '_') {
                i += 1;
            }
            if i + 1 < bytes.len() && bytes[i] == ':' && bytes[i + 1] == ' ' {
                i += 2;
            } else {
                out.extend(&bytes[start..i]);
            }
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

fn resolve_typedefs(text: &str, extraction: &Extraction, depth: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_alphabetic() || chars[i] == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            match extraction.typedefs.get(&word) {
                Some(target) if depth < 12 && target != &word => {
                    let target = meaning_of_target(target);
                    out.push_str(&resolve_typedefs(&target, extraction, depth + 1));
                }
                _ => out.push_str(&word),
            }
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

fn meaning_of_target(target: &str) -> String {
    let text = strip_param_names(target).replace("*const ", "*mut ");
    match text.strip_suffix(" -> !") {
        Some(head) => format!("{head} -> ()"),
        None => text,
    }
}

/// Why two texts with one meaning differ.
fn reason(base: &str, other: &str) -> &'static str {
    if strip_param_names(base) == strip_param_names(other) {
        "parameter names differ"
    } else if strip_param_names(base).replace("*const ", "*mut ")
        == strip_param_names(other).replace("*const ", "*mut ")
    {
        "const qualifiers differ (same pointer)"
    } else if meaning_of_target(base) == meaning_of_target(other) {
        "noreturn added or dropped (same calling convention)"
    } else {
        "typedef names differ, resolving to the same type"
    }
}

/// What the readings are compared with: the baseline's reading, or the first that declares the
/// entry; with the label of the header set it came from.
fn reference_of(
    sets: &[HeaderSet],
    baseline: usize,
    readings: &[(usize, Option<Vec<Aspect>>)],
) -> Option<(String, Vec<Aspect>)> {
    let base = readings.iter().find(|(n, _)| *n == baseline).and_then(|(_, a)| a.clone());
    let base = base.or_else(|| readings.iter().find_map(|(_, a)| a.clone()))?;
    let label = readings
        .iter()
        .find(|(_, a)| a.as_ref() == Some(&base))
        .map_or_else(String::new, |(n, _)| sets[*n].label.clone());
    Some((label, base))
}

fn judge(
    entry: &Entry,
    read_with: Reading,
    sets: &[HeaderSet],
    reference: Option<(String, Vec<Aspect>)>,
    readings: &[(usize, Option<Vec<Aspect>>)],
) -> (EntryResult, Vec<String>, Vec<StaticFact>) {
    let kind = ResultKind::from(entry.kind);
    let mut differing: BTreeSet<String> = BTreeSet::new();
    let mut problems: Vec<String> = Vec::new();
    let mut compatible: Vec<String> = Vec::new();
    let mut skipped: Vec<String> = Vec::new();
    let mut facts: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    let (base_label, base) = match reference {
        Some((label, aspects)) => (label, Some(aspects)),
        None => (String::new(), None),
    };
    for (n, reading) in readings {
        let set = &sets[*n];
        let Some(aspects) = reading else {
            if entry.ifdef.as_deref().is_some_and(|f| !set.has_feature(f)) {
                skipped.push(format!(
                    "{}: not declared, as expected without {}",
                    set.label,
                    entry.ifdef.as_deref().unwrap_or_default()
                ));
            } else if entry.abi_only {
                skipped.push(format!("{}: not declared (abi_only: not part of the limited API)", set.label));
            } else {
                problems.push(format!(
                    "{} headers do not declare {} under {}",
                    set.label,
                    entry.name,
                    read_with.defines()
                ));
                differing.insert(set.label.clone());
                facts
                    .entry("declared".into())
                    .or_default()
                    .entry(NOT_DECLARED.into())
                    .or_default()
                    .push(set.label.clone());
            }
            continue;
        };
        for aspect in aspects {
            facts
                .entry(aspect.name.clone())
                .or_default()
                .entry(aspect.exact.clone())
                .or_default()
                .push(set.label.clone());
        }
        let Some(base) = &base else { continue };
        let before = problems.len();
        for aspect in aspects {
            let reference = base.iter().find(|a| a.name == aspect.name);
            match reference {
                None => problems.push(format!(
                    "{}: {} has {} = {}, {} has none",
                    entry.name, set.label, aspect.name, aspect.exact, base_label
                )),
                Some(reference) if reference.abi != aspect.abi => problems.push(format!(
                    "{} {}: {} in {}, {} in {}",
                    entry.name, aspect.name, reference.exact, base_label, aspect.exact, set.label
                )),
                Some(reference) if reference.exact != aspect.exact => compatible.push(format!(
                    "{} {}: {} in {}, {} in {}: compatible, {}",
                    entry.name,
                    aspect.name,
                    reference.exact,
                    base_label,
                    aspect.exact,
                    set.label,
                    reason(&reference.exact, &aspect.exact)
                )),
                Some(_) => {}
            }
        }
        for reference in base {
            if !aspects.iter().any(|a| a.name == reference.name) {
                problems.push(format!(
                    "{}: {} has {} = {}, {} has none",
                    entry.name, base_label, reference.name, reference.exact, set.label
                ));
            }
        }
        if problems.len() > before {
            differing.insert(set.label.clone());
        }
    }
    let facts = facts
        .into_iter()
        .map(|(aspect, values)| StaticFact {
            arch: None,
            entry: entry.name.clone(),
            kind,
            limited_api: read_with.label(),
            aspect,
            values: values.into_iter().map(|(value, headers)| FactValue { value, headers }).collect(),
        })
        .collect();
    let (status, detail) = if !problems.is_empty() {
        problems.extend(compatible);
        (Status::Fail, Some(problems.join("\n")))
    } else if !compatible.is_empty() {
        (Status::Changed, Some(compatible.join("\n")))
    } else if base.is_none() {
        (Status::Skip, Some(skipped.join("\n")))
    } else {
        (Status::Pass, None)
    };
    (EntryResult::new(&entry.name, kind, Check::Static, status, detail), differing.into_iter().collect(), facts)
}

/// Functions and data the Python headers declare under their own version's `Py_LIMITED_API`
/// that the manifest does not list.
fn leaks(manifest: &Manifest, sets: &[HeaderSet], extractions: &BTreeMap<(usize, PyVersion), Extraction>) -> Vec<Leak> {
    let known: BTreeSet<&str> = manifest.entries.iter().map(|e| e.name.as_str()).collect();
    let mut found: BTreeMap<String, (ResultKind, Vec<String>)> = BTreeMap::new();
    for (n, set) in sets.iter().enumerate() {
        let Some(extraction) = extractions.get(&(n, set.minor)) else { continue };
        for name in extraction.exposed.iter().filter(|name| !known.contains(name.as_str())) {
            let kind = if extraction.functions.contains_key(name) { ResultKind::Function } else { ResultKind::Data };
            found.entry(name.clone()).or_insert_with(|| (kind, Vec::new())).1.push(set.label.clone());
        }
    }
    found
        .into_iter()
        .map(|(name, (kind, headers))| {
            let class = if name.starts_with('_') {
                "private"
            } else if name.starts_with("PyUnstable_") {
                "unstable"
            } else {
                "public"
            };
            Leak { name, kind, class: class.into(), headers }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::headers::HeaderPaths;
    use crate::headers::extract::Signature;

    fn set(version: &str) -> HeaderSet {
        HeaderSet {
            label: format!("{version}@host"),
            version: version.into(),
            minor: version.parse().unwrap(),
            platform: "host".into(),
            debug: false,
            arch: crate::arch::Arch::host(),
            paths: HeaderPaths { include_dir: format!("/h/{version}").into(), after_dir: None, target: None },
            features: BTreeMap::new(),
            under_test: false,
        }
    }

    fn extraction(slot: &str, param: &str) -> Extraction {
        let mut e = Extraction::default();
        e.consts.insert("Py_tp_init".into(), slot.into());
        e.functions.insert(
            "PyLong_FromLong".into(),
            Signature { params: vec![(param.into(), "c_long".into())], ret: "*mut PyObject".into(), variadic: false },
        );
        e
    }

    #[test]
    fn a_changed_value_fails_and_a_renamed_parameter_is_compatible() {
        let manifest = Manifest::parse("[const.Py_tp_init]\nadded = '3.2'\n[function.PyLong_FromLong]\nadded = '3.2'\n[function.PyLong_AsLong]\nadded = '3.2'\n", "m.toml").unwrap();
        let sets = [set("3.11.1"), set("3.12.1")];
        let l = PyVersion::new(3, 11);
        let extractions: BTreeMap<_, _> =
            [((0, l), extraction("60", "arg1")), ((1, l), extraction("99", "v"))].into_iter().collect();
        let report = compare(&manifest, &sets, &extractions);
        let result = |name: &str| report.results.iter().find(|r| r.result.entry == name).unwrap();
        let slot = result("Py_tp_init");
        assert_eq!(slot.result.status, Status::Fail);
        assert_eq!(slot.result.detail.as_deref(), Some("Py_tp_init value: 60 in 3.11.1@host, 99 in 3.12.1@host"));
        assert_eq!(slot.differing, ["3.12.1@host"]);
        let function = result("PyLong_FromLong");
        assert_eq!(function.result.status, Status::Changed);
        assert!(function.result.detail.as_deref().unwrap().ends_with("compatible, parameter names differ"));
        let missing = result("PyLong_AsLong");
        assert_eq!(missing.result.status, Status::Fail);
        assert_eq!(missing.differing, ["3.11.1@host", "3.12.1@host"]);
        let fact = report.compared.iter().find(|f| f.entry == "Py_tp_init").unwrap();
        assert_eq!(fact.values.len(), 2, "each value with its header sets");
    }

    #[test]
    fn abi3t_wants_opaque_structs_incomplete_and_the_rest_as_under_abi3() {
        use crate::headers::extract::{Field, Record};
        let manifest = Manifest::parse(
            "[struct.PyModuleDef]\nadded = '3.2'\nstruct_abi_kind = 'abi3t-opaque'\n\
             [struct.PyObject]\nadded = '3.2'\nstruct_abi_kind = 'members'\nmembers = ['ob_type']\n\
             [struct.PyType_Spec]\nadded = '3.2'\nstruct_abi_kind = 'full-abi'\n\
             [const.Py_tp_init]\nadded = '3.2'\n[function.PyLong_FromLong]\nadded = '3.2'\n\
             [const.PyABIInfo_DEFAULT_FLAGS]\nadded = '3.15'\n",
            "m.toml",
        )
        .unwrap();
        let record = |opaque: bool| Record {
            size: (!opaque).then_some(16),
            align: (!opaque).then_some(8),
            fields: if opaque {
                Vec::new()
            } else {
                vec![Field { name: "ob_type".into(), ty: "*mut PyTypeObject".into(), offset: Some(8) }]
            },
            opaque,
        };
        let with_structs = |mut e: Extraction, module_def_opaque: bool| {
            e.structs.insert("PyModuleDef".into(), record(module_def_opaque));
            e.structs.insert("PyObject".into(), record(module_def_opaque));
            e.structs.insert("PyType_Spec".into(), record(false));
            e
        };
        let sets = [set("3.15.0")];
        let l = PyVersion::new(3, 15);
        let mut plain = with_structs(extraction("60", "v"), false);
        plain.consts.insert("PyABIInfo_DEFAULT_FLAGS".into(), "3".into());
        let abi3: BTreeMap<_, _> = [((0, l), plain)].into_iter().collect();
        // The fault: PyModuleDef stays complete under abi3t, and a parameter type changes.
        let mut faulty = with_structs(extraction("60", "v"), true);
        faulty.structs.insert("PyModuleDef".into(), record(false));
        faulty.functions.get_mut("PyLong_FromLong").unwrap().params[0].1 = "c_int".into();
        faulty.consts.insert("PyABIInfo_DEFAULT_FLAGS".into(), "7".into());
        let abi3t: BTreeMap<_, _> = [((0, l), faulty)].into_iter().collect();
        let report = compare_abi3t(&manifest, &sets, &abi3, &abi3t);
        assert_eq!(report.header_sets.len(), 1);
        assert_eq!(report.header_sets[0].label, "3.15.0@host+abi3t");
        let status = |name: &str| {
            let r = report.results.iter().find(|r| r.result.entry == name).unwrap();
            assert_eq!(r.limited_api, "3.15+abi3t");
            (r.result.status, r.result.detail.clone().unwrap_or_default(), r.differing.clone())
        };
        let (module_def, detail, differing) = status("PyModuleDef");
        assert_eq!(module_def, Status::Fail);
        assert!(detail.contains("incomplete type in the manifest (abi3t-opaque: opaque in abi3t)"), "{detail}");
        assert!(detail.contains("complete type (size 16, members ob_type) in 3.15.0@host+abi3t"), "{detail}");
        assert_eq!(differing, ["3.15.0@host+abi3t"]);
        assert_eq!(status("PyObject").0, Status::Pass, "members: opaque in abi3t");
        assert_eq!(status("PyType_Spec").0, Status::Pass, "full-abi: the abi3 layout");
        assert_eq!(status("Py_tp_init").0, Status::Pass);
        let (flags, detail, _) = status("PyABIInfo_DEFAULT_FLAGS");
        assert_eq!(flags, Status::Changed, "the default ABI info describes the build: {detail}");
        assert!(
            detail.starts_with("PyABIInfo_DEFAULT_FLAGS value: 3 in 3.15.0@host, 7 in 3.15.0@host+abi3t: by design")
        );
        let (function, detail, _) = status("PyLong_FromLong");
        assert_eq!(function, Status::Fail);
        assert!(detail.contains("fn(v: c_long) -> *mut PyObject in 3.15.0@host, fn(v: c_int)"), "{detail}");
        // Under abi3 the same struct kinds read as before: abi3t-opaque is full-abi there.
        let abi3_report = compare(&manifest, &sets, &abi3);
        let layout = abi3_report.compared.iter().find(|f| f.entry == "PyModuleDef" && f.aspect == "size");
        assert!(layout.is_some(), "PyModuleDef's layout is compared under abi3");
        assert_eq!(abi3t_label("3.15.0@sid (/usr/bin/python3.15)"), "3.15.0@sid+abi3t (/usr/bin/python3.15)");
    }

    #[test]
    fn meaning_ignores_names_const_and_aliases() {
        let mut extraction = Extraction::default();
        extraction.typedefs.insert("PyObject".into(), "_object".into());
        extraction.typedefs.insert("Py_ssize_t".into(), "isize".into());
        let a = meaning("fn(o: *mut PyObject, n: Py_ssize_t) -> *const c_char", &extraction);
        let b = meaning("fn(arg1: *mut _object, arg2: isize) -> *mut c_char", &extraction);
        assert_eq!(a, b);
        assert_eq!(a, "fn(*mut _object, isize) -> *mut c_char");
        assert_eq!(reason("fn(a: c_int)", "fn(b: c_int)"), "parameter names differ");
        assert_eq!(reason("fn(a: *const c_char)", "fn(a: *mut c_char)"), "const qualifiers differ (same pointer)");
        assert_ne!(meaning("fn(o: c_int)", &extraction), meaning("fn(o: c_long)", &extraction));
        assert_eq!(
            reason("fn(arg1: c_int) -> ()", "fn(arg1: c_int) -> !"),
            "noreturn added or dropped (same calling convention)"
        );
    }
}
