//! What changed between two runs: regressions, fixes, other status changes, and entries,
//! interpreters and builds that came or went. Pure: two reports in, a [`Diff`] out, and its
//! console rendering.
//!
//! Results are matched by (build id, interpreter, entry, check, property). An interpreter is
//! named by platform and minor version with its flags (`host:3.12`, `sid:3.13d`, `host:3.14t`),
//! not by its path: a nightly's 3.12.8 and the next night's 3.12.9 are the same interpreter,
//! updated. Only when one report has two interpreters of that name for one build is the
//! executable added to tell them apart.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Serialize;

use crate::report::{CellReport, Check, Counts, EntryResult, Report, Status};

/// One result's identity across runs.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ResultKey {
    pub build: String,
    pub interpreter: String,
    pub entry: String,
    pub check: Check,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub property: Option<String>,
}

/// A result whose status differs between the runs (`None`: absent from that run).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    #[serde(flatten)]
    pub key: ResultKey,
    pub old: Option<Status>,
    pub new: Option<Status>,
    /// NEW's detail (the counterexample and replay command), or OLD's for a result now gone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The same interpreter in both runs at another version (`3.12.8` then `3.12.9`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Updated {
    pub interpreter: String,
    pub old: String,
    pub new: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunFacts {
    pub cells: usize,
    pub complete: bool,
    pub summary: Counts,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diff {
    pub old: RunFacts,
    pub new: RunFacts,
    /// Settings (cases, seed, checks, ...) that differ: results may differ for that reason alone.
    pub settings_changed: Vec<String>,
    /// A failure in NEW that is not a known break and was not a failure in OLD (or was absent).
    pub regressions: Vec<Change>,
    /// A failure in OLD that NEW has and no longer fails.
    pub fixes: Vec<Change>,
    /// Every other status change of a result both runs have (fail to crash, pass to skip, a
    /// known break newly failing, ...).
    pub status_changes: Vec<Change>,
    /// Semantic passes in both runs whose outcomes differ (fingerprints), with equal cases and
    /// seed: behaviour changed without breaking a property.
    pub behaviour_changes: Vec<ResultKey>,
    pub new_entries: Vec<String>,
    pub removed_entries: Vec<String>,
    pub new_interpreters: Vec<String>,
    pub removed_interpreters: Vec<String>,
    pub updated_interpreters: Vec<Updated>,
    pub new_builds: Vec<String>,
    pub removed_builds: Vec<String>,
    /// Results only in NEW (regressions among them) and only in OLD.
    pub new_results: usize,
    pub removed_results: usize,
}

impl Diff {
    pub fn has_regressions(&self) -> bool {
        !self.regressions.is_empty()
    }
}

/// The interpreter's name across runs: platform (with its architecture unless amd64), minor
/// version, `d` for debug, `t` for free-threaded (from the SOABI, `cpython-313t-...`).
pub fn interpreter_name(cell: &CellReport) -> String {
    let interpreter = &cell.interpreter;
    let minor: Vec<&str> = interpreter.version.splitn(3, '.').take(2).collect();
    let free_threaded =
        interpreter.soabi.as_deref().and_then(|s| s.split('-').nth(1)).is_some_and(|tag| tag.contains('t'));
    // The architecture is part of the name (`sid/s390x:3.13`) except for amd64, so the names of
    // reports written before architectures were recorded still match.
    let platform = match interpreter.arch_mark() {
        Some(arch) => format!("{}/{arch}", interpreter.platform),
        None => interpreter.platform.clone(),
    };
    format!(
        "{}:{}{}{}",
        platform,
        minor.join("."),
        if interpreter.debug { "d" } else { "" },
        if free_threaded { "t" } else { "" }
    )
}

struct Side<'a> {
    results: BTreeMap<ResultKey, &'a EntryResult>,
    /// interpreter name → version
    interpreters: BTreeMap<String, String>,
    builds: BTreeSet<String>,
    entries: BTreeSet<String>,
}

fn side(report: &Report) -> Side<'_> {
    let mut names: BTreeMap<(String, String), usize> = BTreeMap::new();
    for cell in &report.cells {
        *names.entry((cell.build.id.clone(), interpreter_name(cell))).or_default() += 1;
    }
    let mut side = Side {
        results: BTreeMap::new(),
        interpreters: BTreeMap::new(),
        builds: BTreeSet::new(),
        entries: BTreeSet::new(),
    };
    for cell in &report.cells {
        let mut name = interpreter_name(cell);
        if names.get(&(cell.build.id.clone(), name.clone())).is_some_and(|&n| n > 1) {
            name = format!("{name} {}", cell.interpreter.executable);
        }
        side.interpreters.insert(name.clone(), cell.interpreter.version.clone());
        side.builds.insert(cell.build.id.clone());
        for result in &cell.results {
            side.entries.insert(result.entry.clone());
            let key = ResultKey {
                build: cell.build.id.clone(),
                interpreter: name.clone(),
                entry: result.entry.clone(),
                check: result.check,
                property: result.property.clone(),
            };
            // A second result under one key (none today) is kept apart rather than dropped.
            let mut key = key;
            let mut n = 2;
            while side.results.contains_key(&key) {
                key.property = Some(format!("{}#{n}", result.property.as_deref().unwrap_or("")));
                n += 1;
            }
            side.results.insert(key, result);
        }
    }
    side
}

fn facts(report: &Report) -> RunFacts {
    RunFacts { cells: report.cells.len(), complete: report.complete, summary: report.summary.clone() }
}

fn only_in<T: Ord + Clone>(a: &BTreeSet<T>, b: &BTreeSet<T>) -> Vec<T> {
    a.difference(b).cloned().collect()
}

pub fn diff(old: &Report, new: &Report) -> Diff {
    let (before, after) = (side(old), side(new));
    let settings_changed: Vec<String> = old
        .header
        .settings
        .keys()
        .chain(new.header.settings.keys())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter(|k| old.header.settings.get(*k) != new.header.settings.get(*k))
        .cloned()
        .collect();
    // Fingerprints are comparable only over the same cases.
    let same_cases = ["cases", "seed"].iter().all(|k| old.header.settings.get(*k) == new.header.settings.get(*k));

    let mut diff = Diff {
        old: facts(old),
        new: facts(new),
        settings_changed,
        regressions: Vec::new(),
        fixes: Vec::new(),
        status_changes: Vec::new(),
        behaviour_changes: Vec::new(),
        new_entries: only_in(&after.entries, &before.entries),
        removed_entries: only_in(&before.entries, &after.entries),
        new_interpreters: after
            .interpreters
            .keys()
            .filter(|k| !before.interpreters.contains_key(*k))
            .cloned()
            .collect(),
        removed_interpreters: before
            .interpreters
            .keys()
            .filter(|k| !after.interpreters.contains_key(*k))
            .cloned()
            .collect(),
        updated_interpreters: after
            .interpreters
            .iter()
            .filter_map(|(name, version)| {
                let was = before.interpreters.get(name)?;
                (was != version).then(|| Updated { interpreter: name.clone(), old: was.clone(), new: version.clone() })
            })
            .collect(),
        new_builds: only_in(&after.builds, &before.builds),
        removed_builds: only_in(&before.builds, &after.builds),
        new_results: after.results.keys().filter(|k| !before.results.contains_key(*k)).count(),
        removed_results: before.results.keys().filter(|k| !after.results.contains_key(*k)).count(),
    };

    for (key, result) in &after.results {
        let was = before.results.get(key);
        let change = || Change {
            key: key.clone(),
            old: was.map(|r| r.status),
            new: Some(result.status),
            detail: result.detail.clone(),
        };
        let failed_before = was.is_some_and(|r| r.status.is_failure());
        if result.status.is_failure() && !failed_before && result.known.is_none() {
            diff.regressions.push(change());
        } else if let Some(was) = was {
            if was.status.is_failure() && !result.status.is_failure() {
                diff.fixes.push(change());
            } else if was.status != result.status {
                diff.status_changes.push(change());
            } else if same_cases
                && result.status == Status::Pass
                && was.fingerprint.is_some()
                && result.fingerprint != was.fingerprint
            {
                diff.behaviour_changes.push(key.clone());
            }
        }
    }
    diff
}

/// A status or check as the report spells it.
fn name(value: impl Serialize) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

fn describe(key: &ResultKey) -> String {
    let property = key.property.as_ref().map(|p| format!(" ({p})")).unwrap_or_default();
    format!("{} {}{property}, build {} on {}", key.entry, name(key.check), key.build, key.interpreter)
}

/// Past this many, a section other than the regressions is cut short on the console (a
/// changed setting can change every result); `--format json` has them all.
const SHOWN: usize = 50;

/// The diff for people: counts first, then each change; empty sections are left out.
pub fn render(diff: &Diff, old_name: &str, new_name: &str) -> String {
    let mut out = String::new();
    let run = |facts: &RunFacts| {
        format!(
            "{} cells{}, {} failures ({} known)",
            facts.cells,
            if facts.complete { "" } else { ", INCOMPLETE" },
            facts.summary.failures(),
            facts.summary.known
        )
    };
    let _ = writeln!(out, "old: {old_name}: {}", run(&diff.old));
    let _ = writeln!(out, "new: {new_name}: {}", run(&diff.new));
    if !diff.settings_changed.is_empty() {
        let _ = writeln!(
            out,
            "settings differ ({}): results may differ for that reason alone",
            diff.settings_changed.join(", ")
        );
    }
    let status = |s: Option<Status>| s.map_or_else(|| "absent".to_owned(), name);
    let mut section = |title: &str, changes: &[Change], with_detail: bool| {
        if changes.is_empty() {
            return;
        }
        let _ = writeln!(out, "\n{title} ({}):", changes.len());
        // Every regression is shown: they are what the exit code is about.
        let shown = if with_detail { changes.len() } else { SHOWN };
        for change in changes.iter().take(shown) {
            let _ = writeln!(out, "  {}: {} -> {}", describe(&change.key), status(change.old), status(change.new));
            let detail = change.detail.as_deref().filter(|_| with_detail).unwrap_or_default();
            for line in detail.lines().take(6) {
                let _ = writeln!(out, "      {line}");
            }
        }
        if changes.len() > shown {
            let _ = writeln!(out, "  ... and {} more (--format json lists all)", changes.len() - shown);
        }
    };
    section("REGRESSIONS", &diff.regressions, true);
    section("fixes", &diff.fixes, false);
    section("other status changes", &diff.status_changes, false);
    if !diff.behaviour_changes.is_empty() {
        let _ = writeln!(out, "\nbehaviour changes, properties still hold ({}):", diff.behaviour_changes.len());
        for key in diff.behaviour_changes.iter().take(SHOWN) {
            let _ = writeln!(out, "  {}", describe(key));
        }
        if diff.behaviour_changes.len() > SHOWN {
            let _ = writeln!(out, "  ... and {} more (--format json lists all)", diff.behaviour_changes.len() - SHOWN);
        }
    }
    let lists = [
        ("new interpreters", &diff.new_interpreters),
        ("removed interpreters", &diff.removed_interpreters),
        ("new builds", &diff.new_builds),
        ("removed builds", &diff.removed_builds),
        ("new entries", &diff.new_entries),
        ("removed entries", &diff.removed_entries),
    ];
    let mut first = true;
    for (title, items) in lists {
        if items.is_empty() {
            continue;
        }
        if first {
            out.push('\n');
            first = false;
        }
        let _ = writeln!(out, "{title} ({}): {}", items.len(), items.join(", "));
    }
    for updated in &diff.updated_interpreters {
        let _ = writeln!(out, "updated interpreter {}: {} -> {}", updated.interpreter, updated.old, updated.new);
    }
    let _ = writeln!(
        out,
        "\n{} regression{}, {} fix{}, {} other status change{}, {} results new, {} gone",
        diff.regressions.len(),
        if diff.regressions.len() == 1 { "" } else { "s" },
        diff.fixes.len(),
        if diff.fixes.len() == 1 { "" } else { "es" },
        diff.status_changes.len(),
        if diff.status_changes.len() == 1 { "" } else { "s" },
        diff.new_results,
        diff.removed_results
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{BuildRecord, InterpreterRecord, ResultKind, RunHeader, SCHEMA_VERSION};

    fn result(entry: &str, check: Check, status: Status) -> EntryResult {
        let mut result = EntryResult::new(
            entry,
            ResultKind::Function,
            check,
            status,
            (status != Status::Pass).then(|| format!("{entry} went wrong")),
        );
        if check == Check::Semantic {
            result.property = Some(format!("{}_prop", entry.to_lowercase()));
            result.fingerprint = (status == Status::Pass).then(|| "f1".to_owned());
        }
        result
    }

    fn cell(version: &str, executable: &str, results: Vec<EntryResult>) -> CellReport {
        CellReport {
            interpreter: InterpreterRecord {
                executable: executable.into(),
                version: version.into(),
                platform: "host".into(),
                debug: false,
                soabi: Some("cpython-312-x86_64-linux-gnu".into()),
                arch: "amd64".into(),
            },
            build: BuildRecord {
                variant: String::new(),
                id: "3.6".into(),
                limited_api: "3.6".into(),
                headers: "3.6.15".into(),
                headers_platform: "host".into(),
                probe: "p".into(),
            },
            results,
            duration_ms: 1,
            cases: 0,
        }
    }

    fn report(cells: Vec<CellReport>) -> Report {
        let header = RunHeader {
            schema: SCHEMA_VERSION,
            tool: "abi-harness".into(),
            tool_version: "0.1.0".into(),
            started_unix: 0,
            manifest: "<built-in>".into(),
            settings: [("cases".to_owned(), serde_json::json!(64))].into_iter().collect(),
            interpreters: Vec::new(),
            planned: cells.iter().map(CellReport::key).collect(),
            shard: None,
        };
        Report::new(header, cells, None)
    }

    fn baseline() -> Vec<EntryResult> {
        vec![
            result("PyLong_AsLong", Check::Semantic, Status::Pass),
            result("PyLong_AsLong", Check::Presence, Status::Pass),
            result("PyUnicode_Count", Check::Presence, Status::Fail),
        ]
    }

    #[test]
    fn an_unchanged_run_has_no_changes() {
        let old = report(vec![cell("3.12.1", "/a/python3.12", baseline())]);
        let diff = diff(&old, &old);
        assert!(!diff.has_regressions());
        assert!(diff.fixes.is_empty() && diff.status_changes.is_empty() && diff.behaviour_changes.is_empty());
        assert_eq!((diff.new_results, diff.removed_results), (0, 0));
    }

    #[test]
    fn regressions_fixes_and_other_changes_are_told_apart() {
        let old = report(vec![cell("3.12.1", "/a/python3.12", baseline())]);
        let mut results = baseline();
        results[0] = result("PyLong_AsLong", Check::Semantic, Status::Fail);
        results[1] = result("PyLong_AsLong", Check::Presence, Status::Skip);
        results[2] = result("PyUnicode_Count", Check::Presence, Status::Pass);
        results.push(result("PyLong_AsDouble", Check::Presence, Status::Crash));
        let mut known = result("PyCFunction_New", Check::Import, Status::Fail);
        known.known = Some("gh-87405".into());
        results.push(known);
        // Another path and patch release: the same interpreter, updated.
        let new = report(vec![cell("3.12.2", "/b/python3.12", results)]);
        let diff = diff(&old, &new);

        let regressed: Vec<(&str, Check, Option<Status>)> =
            diff.regressions.iter().map(|c| (c.key.entry.as_str(), c.key.check, c.old)).collect();
        assert_eq!(
            regressed,
            [("PyLong_AsDouble", Check::Presence, None), ("PyLong_AsLong", Check::Semantic, Some(Status::Pass))]
        );
        assert_eq!(diff.regressions[1].key.interpreter, "host:3.12");
        assert_eq!(diff.regressions[1].detail.as_deref(), Some("PyLong_AsLong went wrong"));
        assert_eq!(diff.fixes.iter().map(|c| c.key.entry.as_str()).collect::<Vec<_>>(), ["PyUnicode_Count"]);
        assert_eq!(
            diff.status_changes.iter().map(|c| (c.old, c.new)).collect::<Vec<_>>(),
            [(Some(Status::Pass), Some(Status::Skip))]
        );
        assert_eq!(diff.new_entries, ["PyCFunction_New", "PyLong_AsDouble"]);
        assert_eq!(
            diff.updated_interpreters,
            [Updated { interpreter: "host:3.12".into(), old: "3.12.1".into(), new: "3.12.2".into() }]
        );
        assert!(diff.new_interpreters.is_empty());
        let text = render(&diff, "old", "new");
        assert!(
            text.contains("REGRESSIONS (2):")
                && text.contains("PyLong_AsLong semantic (pylong_aslong_prop), build 3.6 on host:3.12: pass -> fail"),
            "{text}"
        );
    }

    #[test]
    fn behaviour_changes_need_the_same_cases() {
        let old = report(vec![cell("3.12.1", "/a/python3.12", baseline())]);
        let mut results = baseline();
        results[0].fingerprint = Some("f2".into());
        let mut new = report(vec![cell("3.12.1", "/a/python3.12", results)]);
        assert_eq!(diff(&old, &new).behaviour_changes.len(), 1);
        new.header.settings.insert("cases".into(), serde_json::json!(1000));
        let changed = diff(&old, &new);
        assert!(changed.behaviour_changes.is_empty());
        assert_eq!(changed.settings_changed, ["cases"]);
    }

    #[test]
    fn interpreters_are_named_by_platform_version_and_flags() {
        let mut c = cell("3.14.0rc1", "/x", Vec::new());
        c.interpreter.soabi = Some("cpython-314td-x86_64-linux-gnu".into());
        c.interpreter.debug = true;
        assert_eq!(interpreter_name(&c), "host:3.14dt");
        // Two interpreters of one name for one build stay apart, by path.
        let old =
            report(vec![cell("3.12.1", "/a/python3.12", baseline()), cell("3.12.1", "/b/python3.12", baseline())]);
        assert_eq!(side(&old).interpreters.len(), 2);
    }
}
