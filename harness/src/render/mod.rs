//! Renderings of a `Report` for people and CI tools: JUnit XML, a Markdown summary for
//! `$GITHUB_STEP_SUMMARY`, and a self-contained HTML page. Pure functions `&Report -> String`;
//! `run` writes them next to `report.json`.

pub mod html;
pub mod junit;
pub mod markdown;

use std::collections::{BTreeMap, BTreeSet};

use crate::report::{CellReport, EntryResult, InterpreterRecord, Report, ResultKind, Status};

pub const JUNIT: &str = "junit.xml";
pub const SUMMARY: &str = "summary.md";
pub const HTML: &str = "report.html";
/// The files `all` renders, for those who clear or list them.
pub const FILES: [&str; 3] = [JUNIT, SUMMARY, HTML];

/// Every rendering with its file name, in the order they are written.
pub fn all(report: &Report) -> [(&'static str, String); 3] {
    [(JUNIT, junit::render(report)), (SUMMARY, markdown::render(report)), (HTML, html::render(report))]
}

/// What one result, or the worst of several, means to a reader. Ordered from best to worst, so
/// `max` is the worst; a known break ranks below a new failure because it does not fail a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mark {
    Pass,
    Skip,
    Changed,
    Known,
    Fail,
    Timeout,
    Crash,
}

impl Mark {
    pub fn of(result: &EntryResult) -> Mark {
        match result.status {
            _ if result.status.is_failure() && result.known.is_some() => Mark::Known,
            Status::Pass => Mark::Pass,
            Status::Skip => Mark::Skip,
            Status::Changed => Mark::Changed,
            Status::Fail => Mark::Fail,
            Status::Timeout => Mark::Timeout,
            Status::Crash => Mark::Crash,
        }
    }

    /// A failure that is not a known break: what fails a run.
    pub fn is_new_failure(self) -> bool {
        matches!(self, Mark::Fail | Mark::Timeout | Mark::Crash)
    }

    pub fn name(self) -> &'static str {
        match self {
            Mark::Pass => "pass",
            Mark::Skip => "skip",
            Mark::Changed => "changed",
            Mark::Known => "known",
            Mark::Fail => "fail",
            Mark::Timeout => "timeout",
            Mark::Crash => "crash",
        }
    }
}

/// The lowercase name the report uses for a serde enum (`semantic`, `function`, ...).
pub(crate) fn serde_name(value: impl serde::Serialize) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// `3.14.10d` for a debug build: the version a reader compares.
pub(crate) fn version_label(interpreter: &InterpreterRecord) -> String {
    format!("{}{}", interpreter.version, if interpreter.debug { "d" } else { "" })
}

/// Where an interpreter runs, as labels show it: its platform, and its architecture unless amd64
/// (`sid-s390x, s390x`).
pub(crate) fn platform_label(interpreter: &InterpreterRecord) -> String {
    match interpreter.arch_mark() {
        Some(arch) => format!("{}, {arch}", interpreter.platform),
        None => interpreter.platform.clone(),
    }
}

/// Names of interpreters and cells as people say them, unique within a report: two
/// interpreters of one version on one platform (a distribution's and a custom build, a
/// wrapper) are told apart by their executables, so JUnit suites never share a name.
pub(crate) struct Labels {
    ambiguous: BTreeSet<(String, String)>,
}

impl Labels {
    pub(crate) fn new(report: &Report) -> Labels {
        let mut seen: BTreeMap<(String, String), BTreeSet<&str>> = BTreeMap::new();
        for cell in &report.cells {
            seen.entry((version_label(&cell.interpreter), cell.interpreter.platform.clone()))
                .or_default()
                .insert(&cell.interpreter.executable);
        }
        Labels {
            ambiguous: seen.into_iter().filter(|(_, executables)| executables.len() > 1).map(|(key, _)| key).collect(),
        }
    }

    /// `3.9.18d`, or `3.9.18d /opt/python/bin/python3` where the version alone is ambiguous.
    pub(crate) fn version(&self, interpreter: &InterpreterRecord) -> String {
        let label = version_label(interpreter);
        if self.ambiguous.contains(&(label.clone(), interpreter.platform.clone())) {
            format!("{label} {}", interpreter.executable)
        } else {
            label
        }
    }

    /// `3.9.18 (host)`; `3.13.5 (sid-s390x, s390x)` for another architecture than amd64.
    pub(crate) fn interpreter(&self, interpreter: &InterpreterRecord) -> String {
        format!("{} ({})", self.version(interpreter), platform_label(interpreter))
    }

    /// `build 3.6@3.15.2 on 3.14.10d (sid)`.
    pub(crate) fn cell(&self, cell: &CellReport) -> String {
        format!("build {} on {}", cell.build.id, self.interpreter(&cell.interpreter))
    }
}

/// A cell's results grouped by entry, in the order the entries first appear.
pub(crate) fn by_entry(cell: &CellReport) -> Vec<(&str, Vec<&EntryResult>)> {
    let mut order: Vec<(&str, Vec<&EntryResult>)> = Vec::new();
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    for result in &cell.results {
        let n = *index.entry(result.entry.as_str()).or_insert_with(|| {
            order.push((result.entry.as_str(), Vec::new()));
            order.len() - 1
        });
        order[n].1.push(result);
    }
    order
}

/// The API family of an entry, from its name, as CPython names its C API by object type:
/// `PyUnicode_FromString` → `PyUnicode_`, `_Py_IncRef` → `Py_`; type objects (`PyList_Type`)
/// together as `Py*_Type`, the Unicode error accessors as `PyUnicode*Error_`; the import of a
/// whole probe → `(probe import)`. `families` pools the smallest ones.
pub fn family(entry: &str, kind: ResultKind) -> String {
    if kind == ResultKind::Probe {
        return "(probe import)".to_owned();
    }
    let name = entry.trim_start_matches('_');
    if kind == ResultKind::Data && name.starts_with("Py") && name.ends_with("_Type") {
        return "Py*_Type".to_owned();
    }
    match name.find('_') {
        Some(end) if end > 0 && name.starts_with("Py") => {
            let prefix = name[..end].trim_end_matches(|c: char| c.is_ascii_digit());
            if prefix.starts_with("PyUnicode") && prefix.ends_with("Error") {
                return "PyUnicode*Error_".to_owned();
            }
            format!("{prefix}_")
        }
        _ => name.to_owned(),
    }
}

/// Families with fewer entries than this are pooled as `(other)`: a heat map row per
/// one-entry family would hide the families that matter.
const SMALLEST_FAMILY: usize = 3;
pub const OTHER_FAMILY: &str = "(other)";

/// The family of every entry in the report (`family`, small ones pooled).
pub fn families(report: &Report) -> BTreeMap<&str, String> {
    let mut of: BTreeMap<&str, String> = BTreeMap::new();
    for cell in &report.cells {
        for result in &cell.results {
            of.entry(result.entry.as_str()).or_insert_with(|| family(&result.entry, result.kind));
        }
    }
    let mut sizes: BTreeMap<String, usize> = BTreeMap::new();
    for fam in of.values() {
        *sizes.entry(fam.clone()).or_default() += 1;
    }
    for fam in of.values_mut() {
        if sizes.get(fam.as_str()).copied().unwrap_or_default() < SMALLEST_FAMILY && !fam.starts_with('(') {
            *fam = OTHER_FAMILY.to_owned();
        }
    }
    of
}

/// Interpreters ordered as a reader expects: by version, release before debug, then platform.
/// Keyed like cells: (platform, executable).
pub(crate) fn interpreters(report: &Report) -> Vec<&InterpreterRecord> {
    let mut found: Vec<&InterpreterRecord> = Vec::new();
    for cell in &report.cells {
        if !found.iter().any(|i| i.platform == cell.interpreter.platform && i.executable == cell.interpreter.executable)
        {
            found.push(&cell.interpreter);
        }
    }
    found.sort_by(|a, b| {
        version_key(&a.version)
            .cmp(&version_key(&b.version))
            .then(a.debug.cmp(&b.debug))
            .then(a.platform.cmp(&b.platform))
    });
    found
}

/// Build ids in the order of the plan (limited API, then newer headers, then debug headers).
pub(crate) fn builds(report: &Report) -> Vec<&str> {
    let mut found: Vec<&str> = Vec::new();
    for cell in &report.cells {
        if !found.contains(&cell.build.id.as_str()) {
            found.push(&cell.build.id);
        }
    }
    found
}

/// `3.10.13` → [3, 10, 13], so that 3.10 sorts after 3.9; anything unparsable sorts last.
pub(crate) fn version_key(version: &str) -> Vec<u64> {
    version
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .map(|p| p.parse().unwrap_or(u64::MAX))
        .collect()
}

/// Where a property's probe outcomes change along the interpreters one build ran on: the pair
/// of neighbouring interpreters whose fingerprints differ, and the builds that saw it. This is
/// `Report::differences` told as a reader asks it ("what changed in 3.10?"), not cell by cell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub entry: String,
    pub property: String,
    /// `3.9.18 (host)` and `3.10.13 (host)`: neighbours in version order.
    pub from: String,
    pub to: String,
    pub builds: Vec<String>,
}

/// Every change point of every semantic fingerprint, release interpreters only (a debug build's
/// outcomes are its own cells', compared in `differences`), sorted by entry then version.
pub fn changes(report: &Report) -> Vec<Change> {
    let order = interpreters(report);
    let labels = Labels::new(report);
    // (entry, property, index before, index after) → (label before, label after, builds)
    type Point = (String, String, Vec<String>);
    let mut found: BTreeMap<(String, String, usize, usize), Point> = BTreeMap::new();
    for build in builds(report) {
        let chain: Vec<(usize, &CellReport)> = order
            .iter()
            .enumerate()
            .filter(|(_, i)| !i.debug)
            .filter_map(|(n, i)| {
                report
                    .cells
                    .iter()
                    .find(|c| {
                        c.build.id == build
                            && c.interpreter.platform == i.platform
                            && c.interpreter.executable == i.executable
                    })
                    .map(|c| (n, c))
            })
            .collect();
        for pair in chain.windows(2) {
            let [(m, before), (n, after)] = pair else { continue };
            let prints: BTreeMap<(&str, &str), &str> = before
                .results
                .iter()
                .filter_map(|r| Some(((r.entry.as_str(), r.property.as_deref()?), r.fingerprint.as_deref()?)))
                .collect();
            for result in &after.results {
                let (Some(property), Some(print)) = (result.property.as_deref(), result.fingerprint.as_deref()) else {
                    continue;
                };
                if prints.get(&(result.entry.as_str(), property)).is_some_and(|p| *p != print) {
                    let label = |c: &CellReport| labels.interpreter(&c.interpreter);
                    found
                        .entry((result.entry.clone(), property.to_owned(), *m, *n))
                        .or_insert_with(|| (label(before), label(after), Vec::new()))
                        .2
                        .push(build.to_owned());
                }
            }
        }
    }
    found
        .into_iter()
        .map(|((entry, property, _, _), (from, to, builds))| Change { entry, property, from, to, builds })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::report::{BuildRecord, Check, RunHeader};

    pub(crate) fn interpreter(version: &str, platform: &str, debug: bool) -> InterpreterRecord {
        InterpreterRecord {
            executable: format!("/usr/bin/python{version}{}", if debug { "d" } else { "" }),
            version: version.into(),
            platform: platform.into(),
            debug,
            soabi: None,
            arch: "amd64".into(),
        }
    }

    pub(crate) fn cell(build: &str, interpreter: InterpreterRecord, results: Vec<EntryResult>) -> CellReport {
        let limited_api = build.split('@').next().unwrap_or(build).trim_end_matches('d').to_owned();
        CellReport {
            interpreter,
            build: BuildRecord {
                variant: String::new(),
                id: build.into(),
                limited_api: limited_api.clone(),
                headers: limited_api,
                headers_platform: "host".into(),
                probe: "p".into(),
            },
            results,
            duration_ms: 1500,
            cases: 10,
        }
    }

    /// A small report with one result of every mark, and text that needs escaping.
    pub(crate) fn sample() -> Report {
        let fail = EntryResult::new(
            "PyLong_AsLong",
            ResultKind::Function,
            Check::Semantic,
            Status::Fail,
            Some("counterexample for PyLong_AsLong('<\u{1}\u{fffe}>' & \"q\" ]]>)\nreplay: abi-harness replay --args '[1]'".into()),
        );
        let mut known = EntryResult::new(
            "PyCFunction_New",
            ResultKind::Function,
            Check::Presence,
            Status::Fail,
            Some("not exported".into()),
        );
        known.known = Some("not exported by 3.9 (gh-87405)".into());
        let results = vec![
            EntryResult::new("abi3link", ResultKind::Probe, Check::Import, Status::Pass, None),
            EntryResult::new("PyLong_AsLong", ResultKind::Function, Check::Presence, Status::Pass, None),
            fail,
            known,
            EntryResult::new(
                "PyErr_BadInternalCall",
                ResultKind::Function,
                Check::Semantic,
                Status::Skip,
                Some("asserts on debug builds".into()),
            ),
            EntryResult::new(
                "PyUnicode_FromString",
                ResultKind::Function,
                Check::Semantic,
                Status::Changed,
                Some("by design since 3.12 (gh-1)".into()),
            ),
            EntryResult::new(
                "PyObject_Repr",
                ResultKind::Function,
                Check::Semantic,
                Status::Crash,
                Some("SIGSEGV".into()),
            ),
        ];
        let header = RunHeader {
            schema: 1,
            tool: "abi-harness".into(),
            tool_version: "0".into(),
            started_unix: 0,
            manifest: "m".into(),
            settings: BTreeMap::new(),
            interpreters: Vec::new(),
            planned: Vec::new(),
            shard: None,
        };
        let clean = vec![EntryResult::new("PyLong_AsLong", ResultKind::Function, Check::Presence, Status::Pass, None)];
        Report::new(
            header,
            vec![
                cell("3.6", interpreter("3.9.18", "host", false), results),
                cell("3.6", interpreter("3.10.13", "host", false), clean),
            ],
            None,
        )
    }

    #[test]
    fn families_follow_the_c_api_prefixes() {
        assert_eq!(family("PyUnicode_FromString", ResultKind::Function), "PyUnicode_");
        assert_eq!(family("_Py_IncRef", ResultKind::Function), "Py_");
        assert_eq!(family("_PyObject_GC_New", ResultKind::Function), "PyObject_");
        assert_eq!(family("Py_LIMITED_API", ResultKind::Macro), "Py_");
        assert_eq!(family("abi3link", ResultKind::Probe), "(probe import)");
        assert_eq!(family("PyCriticalSection2_End", ResultKind::Function), "PyCriticalSection_");
        assert_eq!(family("PyDictRevIterItem_Type", ResultKind::Data), "Py*_Type");
        assert_eq!(family("PyUnicodeDecodeError_GetStart", ResultKind::Function), "PyUnicode*Error_");
        let report = sample();
        let pooled = families(&report);
        assert_eq!(pooled.get("PyLong_AsLong").map(String::as_str), Some(OTHER_FAMILY));
        assert_eq!(pooled.get("abi3link").map(String::as_str), Some("(probe import)"));
    }

    #[test]
    fn labels_tell_apart_interpreters_of_one_version() {
        let mut report = sample();
        let mut twin = report.cells[1].clone();
        twin.interpreter.executable = "/opt/wrapper".into();
        report.cells.push(twin);
        let labels = Labels::new(&report);
        assert_eq!(labels.cell(&report.cells[0]), "build 3.6 on 3.9.18 (host)");
        assert_eq!(labels.cell(&report.cells[1]), "build 3.6 on 3.10.13 /usr/bin/python3.10.13 (host)");
        assert_eq!(labels.cell(&report.cells[2]), "build 3.6 on 3.10.13 /opt/wrapper (host)");
    }

    #[test]
    fn marks_rank_new_failures_above_known_breaks() {
        let report = sample();
        let worst = report.cells[0].results.iter().map(Mark::of).max();
        assert_eq!(worst, Some(Mark::Crash));
        assert!(Mark::Known < Mark::Fail && Mark::Changed < Mark::Known && Mark::Pass < Mark::Skip);
        assert!(version_key("3.10.13") > version_key("3.9.18"));
    }
}
