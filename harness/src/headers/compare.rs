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
use crate::variant::Target;
use crate::version::PyVersion;

const NOT_DECLARED: &str = "(not declared)";

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

pub fn compare(
    manifest: &Manifest,
    sets: &[HeaderSet],
    extractions: &BTreeMap<(usize, PyVersion), Extraction>,
) -> StaticReport {
    let mut report = StaticReport::default();
    for (n, set) in sets.iter().enumerate() {
        let read: Vec<String> = extractions.keys().filter(|(s, _)| *s == n).map(|(_, l)| l.to_string()).collect();
        report.header_sets.push(HeaderSetRecord {
            label: set.label.clone(),
            version: set.version.clone(),
            platform: set.platform.clone(),
            debug: set.debug,
            include_dir: set.paths.include_dir.display().to_string(),
            limited_api: read,
            under_test: set.under_test,
            arch: Some(set.arch.to_string()),
            note: set
                .refuses_limited_api()
                .then(|| "debug headers before 3.10 refuse Py_LIMITED_API (#error): not read".to_owned()),
        });
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
                    (n, aspects(entry, extraction))
                })
                .collect();
            let (result, differing, facts) = judge(entry, limited_api, sets, baseline, &readings);
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

/// The header set others are compared with: the limited-API version's own headers, a release
/// build on the host first; never an interpreter under test while another set exists.
fn baseline(sets: &[HeaderSet], present: &[usize], limited_api: PyVersion) -> Option<usize> {
    present.iter().copied().min_by_key(|&n| {
        let set = &sets[n];
        (set.under_test, set.minor != limited_api, set.minor, set.debug, set.platform != "host")
    })
}

/// What the extraction says about an entry, or `None` if it does not declare it.
fn aspects(entry: &Entry, extraction: &Extraction) -> Option<Vec<Aspect>> {
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
        EntryKind::Struct => struct_aspects(entry, extraction),
        EntryKind::FeatureMacro => None,
    }
}

fn struct_aspects(entry: &Entry, extraction: &Extraction) -> Option<Vec<Aspect>> {
    let record_name = resolve_record(&entry.name, extraction)?;
    let record = extraction.structs.get(&record_name);
    let kind = entry.struct_kind_for(Target::Abi3).unwrap_or(StructAbiKind::Opaque);
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

fn judge(
    entry: &Entry,
    limited_api: PyVersion,
    sets: &[HeaderSet],
    baseline: usize,
    readings: &[(usize, Option<Vec<Aspect>>)],
) -> (EntryResult, Vec<String>, Vec<StaticFact>) {
    let kind = ResultKind::from(entry.kind);
    let mut differing: BTreeSet<String> = BTreeSet::new();
    let mut problems: Vec<String> = Vec::new();
    let mut compatible: Vec<String> = Vec::new();
    let mut skipped: Vec<String> = Vec::new();
    let mut facts: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    let base = readings.iter().find(|(n, _)| *n == baseline).and_then(|(_, a)| a.clone());
    let base = base.or_else(|| readings.iter().find_map(|(_, a)| a.clone()));
    let base_label = readings
        .iter()
        .find(|(_, a)| a.as_ref() == base.as_ref())
        .map_or_else(String::new, |(n, _)| sets[*n].label.clone());
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
                    "{} headers do not declare {} under Py_LIMITED_API={limited_api}",
                    set.label, entry.name
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
            limited_api: limited_api.to_string(),
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
