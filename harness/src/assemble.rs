//! Report assembly, the one place where a run's record becomes its report: known breaks marked,
//! cross-version differences found (and those CPython made on purpose turned `changed`), totals,
//! the coverage view, and, where the run that observed the cells hands over its evidence, the
//! first differing case of each difference. Every way to a report goes through here: a run, a
//! report rebuilt from a journal, a merge of shards. Pure: no IO.

use std::collections::BTreeMap;

use crate::changes::BehaviourChange;
use crate::journal::Record;
use crate::known::KnownBreak;
use crate::manifest::Manifest;
use crate::report::{
    BuildRecord, CellKey, CellReport, CoverageView, Difference, FirstDifferingCase, InterpreterRecord, Report, Status,
};

#[derive(Debug, thiserror::Error)]
pub enum AssembleError {
    #[error(transparent)]
    Reasons(#[from] crate::coverage::ReasonsError),
    #[error(transparent)]
    Changes(#[from] crate::changes::ChangesError),
}

/// What the run that observed the cells knows beyond its journal: per-case outcomes, from which
/// a difference's first differing case is found. A report rebuilt from a journal or merged from
/// shards has none.
pub trait Evidence {
    /// The first case of `difference`'s property whose outcome differs between the baseline
    /// cell and the other cell, with a replay command for each.
    fn first_case(&self, difference: &Difference, baseline: &CellKey, cell: &CellKey) -> Option<FirstDifferingCase>;
}

/// The interpretation applied to observations: the shipped data files.
pub struct Interpretation {
    pub known_breaks: Vec<KnownBreak>,
    pub behaviour_changes: Vec<BehaviourChange>,
}

impl Interpretation {
    pub fn shipped() -> Result<Interpretation, AssembleError> {
        Ok(Interpretation {
            known_breaks: crate::known::known_breaks(),
            behaviour_changes: crate::changes::behaviour_changes()?,
        })
    }
}

/// The report of a record.
pub fn assemble(
    record: Record,
    manifest: &Manifest,
    interpretation: &Interpretation,
    evidence: Option<&dyn Evidence>,
) -> Result<Report, AssembleError> {
    let Record { header, mut static_check, mut cells } = record;
    for cell in &mut cells {
        crate::known::mark(cell, &interpretation.known_breaks);
    }
    if let Some(check) = &mut static_check {
        crate::known::mark_static(check, &interpretation.known_breaks);
    }
    let found = differences(&mut cells, &interpretation.behaviour_changes);
    let mut report = Report::new(header, cells, static_check);
    report.differences = found
        .into_iter()
        .map(|(mut difference, baseline, cell)| {
            difference.first_case = evidence.and_then(|e| e.first_case(&difference, &baseline, &cell));
            difference
        })
        .collect();
    let reasons = crate::coverage::reasons(manifest)?;
    let entries = crate::coverage::from_results(manifest, &reasons, report.entry_results());
    let summary = crate::coverage::Summary::of(manifest, &entries);
    report.coverage = Some(CoverageView { summary, entries });
    Ok(report)
}

/// Compares every cell's semantic fingerprints with those of the cell that runs the same build
/// in the interpreter whose headers built it. A passing result whose difference a documented
/// behaviour change explains becomes `changed`, citing it. Each difference comes with the keys
/// of its baseline cell and its own.
fn differences(cells: &mut [CellReport], changes: &[BehaviourChange]) -> Vec<(Difference, CellKey, CellKey)> {
    let mut found = Vec::new();
    let is_baseline = |c: &CellReport| {
        c.interpreter.version == c.build.headers
            && c.interpreter.platform == c.build.headers_platform
            && !c.interpreter.debug
    };
    /// (entry, property) → outcome fingerprint on the build's own version.
    type Fingerprints = BTreeMap<(String, String), String>;
    let baselines: Vec<(BuildRecord, InterpreterRecord, CellKey, Fingerprints)> = cells
        .iter()
        .filter(|c| is_baseline(c))
        .map(|baseline| {
            let fingerprints = baseline
                .results
                .iter()
                .filter_map(|r| Some(((r.entry.clone(), r.property.clone()?), r.fingerprint.clone()?)))
                .collect();
            (baseline.build.clone(), baseline.interpreter.clone(), baseline.key(), fingerprints)
        })
        .collect();
    for (build, base_interpreter, base_key, fingerprints) in &baselines {
        // Debug interpreters run fewer cases (cell::cases_on), so their fingerprints are not
        // comparable; their release twins are.
        for cell in
            cells.iter_mut().filter(|c| &c.build == build && &c.interpreter != base_interpreter && !c.interpreter.debug)
        {
            let version = cell.interpreter.version.clone();
            let key = cell.key();
            for result in &mut cell.results {
                let (Some(property), Some(fingerprint)) = (result.property.clone(), result.fingerprint.as_deref())
                else {
                    continue;
                };
                if fingerprints.get(&(result.entry.clone(), property.clone())).is_none_or(|base| base == fingerprint) {
                    continue;
                }
                let explained = changes.iter().find(|c| c.explains(&result.entry, &base_interpreter.version, &version));
                if let Some(change) = explained.filter(|_| result.status == Status::Pass) {
                    result.status = Status::Changed;
                    result.detail = Some(format!(
                        "outcomes differ from those on {} (the build's own version) by design: {} ({})",
                        base_interpreter.version, change.summary, change.reference
                    ));
                }
                let difference = Difference {
                    entry: result.entry.clone(),
                    property,
                    limited_api: cell.build.limited_api.clone(),
                    baseline: base_interpreter.version.clone(),
                    version: version.clone(),
                    explained_by: explained.map(|c| c.reference.clone()),
                    first_case: None,
                };
                found.push((difference, base_key.clone(), key.clone()));
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Check, EntryResult, ResultKind, RunHeader, SCHEMA_VERSION};

    fn interpreter(version: &str, debug: bool) -> InterpreterRecord {
        InterpreterRecord {
            executable: format!("/usr/bin/python{version}{}", if debug { "d" } else { "" }),
            version: version.into(),
            platform: "host".into(),
            debug,
            soabi: None,
            arch: "amd64".into(),
        }
    }

    fn build() -> BuildRecord {
        BuildRecord {
            variant: String::new(),
            id: "3.6".into(),
            limited_api: "3.6".into(),
            headers: "3.6.15".into(),
            headers_platform: "host".into(),
            probe: "p.so".into(),
        }
    }

    fn semantic(entry: &str, fingerprint: &str) -> EntryResult {
        let mut result = EntryResult::new(entry, ResultKind::Function, Check::Semantic, Status::Pass, None);
        result.property = Some(entry.into());
        result.fingerprint = Some(fingerprint.into());
        result
    }

    fn cell(interpreter: InterpreterRecord, results: Vec<EntryResult>) -> CellReport {
        CellReport { interpreter, build: build(), results, duration_ms: 0, cases: 0 }
    }

    fn record(cells: Vec<CellReport>) -> Record {
        let header = RunHeader {
            schema: SCHEMA_VERSION,
            tool: "abi-harness".into(),
            tool_version: "0".into(),
            started_unix: 0,
            manifest: "m".into(),
            settings: Default::default(),
            interpreters: Vec::new(),
            planned: cells.iter().map(CellReport::key).collect(),
            shard: None,
        };
        Record { header, static_check: None, cells }
    }

    fn change(entry: &str, since: &str) -> BehaviourChange {
        BehaviourChange {
            entries: vec![entry.into()],
            since: vec![since.into()],
            per_version: false,
            reference: format!("https://example.org/{entry}"),
            summary: "on purpose".into(),
        }
    }

    struct FirstCaseZero;

    impl Evidence for FirstCaseZero {
        fn first_case(&self, _: &Difference, baseline: &CellKey, cell: &CellKey) -> Option<FirstDifferingCase> {
            Some(FirstDifferingCase {
                index: 0,
                args: "()".into(),
                replay_baseline: baseline.executable.clone(),
                replay: cell.executable.clone(),
            })
        }
    }

    #[test]
    fn a_difference_from_the_builds_own_version_is_listed_and_changed_only_when_documented() {
        let cells = vec![
            cell(interpreter("3.6.15", false), vec![semantic("PyA", "1"), semantic("PyB", "1"), semantic("PyC", "1")]),
            cell(interpreter("3.12.1", false), vec![semantic("PyA", "1"), semantic("PyB", "2"), semantic("PyC", "2")]),
            // Debug interpreters run fewer cases: never compared.
            cell(interpreter("3.12.1", true), vec![semantic("PyA", "9")]),
        ];
        let interpretation =
            Interpretation { known_breaks: Vec::new(), behaviour_changes: vec![change("PyC", "3.12")] };
        let report = assemble(record(cells), &Manifest::builtin(), &interpretation, Some(&FirstCaseZero)).unwrap();
        let listed: Vec<(&str, Option<&str>)> =
            report.differences.iter().map(|d| (d.entry.as_str(), d.explained_by.as_deref())).collect();
        assert_eq!(listed, [("PyB", None), ("PyC", Some("https://example.org/PyC"))]);
        let statuses: Vec<Status> = report.cells[1].results.iter().map(|r| r.status).collect();
        assert_eq!(statuses, [Status::Pass, Status::Pass, Status::Changed]);
        assert_eq!((report.summary.pass, report.summary.changed), (6, 1));
        let first = report.differences[0].first_case.as_ref().unwrap();
        assert_eq!(
            (first.replay_baseline.as_str(), first.replay.as_str()),
            ("/usr/bin/python3.6.15", "/usr/bin/python3.12.1")
        );
        assert!(report.complete && report.coverage.is_some());
    }

    #[test]
    fn a_failure_never_becomes_changed() {
        let mut failing = semantic("PyC", "2");
        failing.status = Status::Fail;
        let cells = vec![
            cell(interpreter("3.6.15", false), vec![semantic("PyC", "1")]),
            cell(interpreter("3.12.1", false), vec![failing]),
        ];
        let interpretation =
            Interpretation { known_breaks: Vec::new(), behaviour_changes: vec![change("PyC", "3.12")] };
        let report = assemble(record(cells), &Manifest::builtin(), &interpretation, None).unwrap();
        assert_eq!(report.cells[1].results[0].status, Status::Fail);
        assert_eq!(report.summary.new_failures(), 1);
        assert!(report.differences[0].first_case.is_none(), "no evidence, no first case");
    }
}
