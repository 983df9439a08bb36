//! Combining the reports of a sharded run (`--shard K/N`) into the report of the whole plan.
//! Pure: reports in, one header and its cells out; reading and writing files is `run`'s.
//!
//! The shards must be runs of the same plan with the same settings, and together hold every
//! planned cell exactly once: a missing or doubled cell is an error naming it, never a report
//! that looks complete.

use std::collections::BTreeMap;

use crate::journal::Record;
use crate::key::{CellKey, Shard};
use crate::report::{CellReport, Report};

/// One report to merge and where it came from (for messages).
#[derive(Debug)]
pub struct Part {
    pub origin: String,
    pub report: Report,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum MergeError {
    #[error("nothing to merge")]
    Nothing,
    #[error("{origin} and {first} are not shards of the same run: their {what} differ")]
    Disagree { what: &'static str, first: String, origin: String },
    #[error("{origin} is shard {shard}, {first} is shard {first_shard}: shards of different splits")]
    ShardCounts { first: String, first_shard: Shard, origin: String, shard: Shard },
    #[error("{origin} is a whole run, {first} is shard {shard}: merge the shards of one split only")]
    Mixed { first: String, shard: Shard, origin: String },
    #[error("shard {shard} is given twice: {first} and {origin}")]
    ShardTwice { shard: Shard, first: String, origin: String },
    #[error("shard {shard} is missing: no report among the inputs is that shard")]
    ShardMissing { shard: Shard },
    #[error("cell {cell} is counted twice: in {first} and in {origin}")]
    Twice { cell: CellKey, first: String, origin: String },
    #[error("cell {cell} is missing: no report holds it{}", shard.map(|s| format!(" (it belongs to shard {s})")).unwrap_or_default())]
    Missing { cell: CellKey, shard: Option<Shard> },
    #[error("cell {cell} in {origin} is not in the plan")]
    NotPlanned { cell: CellKey, origin: String },
}

/// The merged run's record: the common header (without a shard, started when the first shard
/// started), the static section (every shard computes the whole of it: they must agree) and
/// every cell once, in the plan's order.
pub fn merge(parts: &[Part]) -> Result<Record, MergeError> {
    let first = parts.first().ok_or(MergeError::Nothing)?;
    let reference = &first.report.header;
    for part in &parts[1..] {
        let header = &part.report.header;
        let disagree = |what| MergeError::Disagree { what, first: first.origin.clone(), origin: part.origin.clone() };
        // Everything that decides what a cell does must be equal; when a shard started need not.
        if (&header.tool, &header.tool_version) != (&reference.tool, &reference.tool_version) {
            return Err(disagree("harness versions"));
        }
        if header.manifest != reference.manifest {
            return Err(disagree("manifests"));
        }
        if header.settings != reference.settings {
            return Err(disagree("settings"));
        }
        if header.interpreters != reference.interpreters {
            return Err(disagree("interpreters"));
        }
        if header.planned != reference.planned {
            return Err(disagree("plans"));
        }
        let facts = |report: &Report| report.static_check.as_ref().map(|s| (s.results.clone(), s.leaks.clone()));
        if facts(&part.report) != facts(&first.report) {
            return Err(disagree("static header checks"));
        }
    }
    check_shards(parts)?;

    let mut seen: BTreeMap<CellKey, (&str, &CellReport)> = BTreeMap::new();
    for part in parts {
        for cell in &part.report.cells {
            let key = cell.key();
            if !reference.planned.contains(&key) {
                return Err(MergeError::NotPlanned { cell: key, origin: part.origin.clone() });
            }
            if let Some((first, _)) = seen.get(&key) {
                return Err(MergeError::Twice { cell: key, first: (*first).to_owned(), origin: part.origin.clone() });
            }
            seen.insert(key, (&part.origin, cell));
        }
    }
    let mut cells = Vec::with_capacity(reference.planned.len());
    for key in &reference.planned {
        match seen.get(key) {
            Some((_, cell)) => cells.push((*cell).clone()),
            None => {
                let count = reference.shard.map_or(1, |s| s.count);
                let shard = (1..=count)
                    .map(|index| Shard { index, count })
                    .find(|s| reference.shard.is_some() && s.contains(key));
                return Err(MergeError::Missing { cell: key.clone(), shard });
            }
        }
    }
    let mut header = reference.clone();
    header.shard = None;
    header.started_unix = parts.iter().map(|p| p.report.header.started_unix).min().unwrap_or(reference.started_unix);
    Ok(Record { header, static_check: first.report.static_check.clone(), cells })
}

/// Shards of one split (same N), each once, all N present; or whole runs only.
fn check_shards(parts: &[Part]) -> Result<(), MergeError> {
    let first = &parts[0];
    let Some(first_shard) = first.report.header.shard else {
        if let Some(part) = parts.iter().find(|p| p.report.header.shard.is_some()) {
            let shard = part.report.header.shard.unwrap_or(Shard { index: 1, count: 1 });
            return Err(MergeError::Mixed { first: part.origin.clone(), shard, origin: first.origin.clone() });
        }
        return Ok(());
    };
    let mut by_index: BTreeMap<u32, &str> = BTreeMap::new();
    for part in parts {
        let Some(shard) = part.report.header.shard else {
            return Err(MergeError::Mixed {
                first: first.origin.clone(),
                shard: first_shard,
                origin: part.origin.clone(),
            });
        };
        if shard.count != first_shard.count {
            return Err(MergeError::ShardCounts {
                first: first.origin.clone(),
                first_shard,
                origin: part.origin.clone(),
                shard,
            });
        }
        if let Some(earlier) = by_index.insert(shard.index, &part.origin) {
            return Err(MergeError::ShardTwice { shard, first: earlier.to_owned(), origin: part.origin.clone() });
        }
    }
    match (1..=first_shard.count).find(|index| !by_index.contains_key(index)) {
        Some(index) => Err(MergeError::ShardMissing { shard: Shard { index, count: first_shard.count } }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{
        BuildRecord, Check, EntryResult, InterpreterRecord, ResultKind, RunHeader, SCHEMA_VERSION, Status,
    };

    fn cell(executable: &str, build: &str) -> CellReport {
        CellReport {
            interpreter: InterpreterRecord {
                executable: executable.into(),
                version: "3.12.1".into(),
                platform: "host".into(),
                debug: false,
                soabi: None,
                arch: "amd64".into(),
            },
            build: BuildRecord {
                variant: String::new(),
                id: build.into(),
                limited_api: build.into(),
                headers: format!("{build}.0"),
                headers_platform: "host".into(),
                probe: "p".into(),
            },
            results: vec![EntryResult::new("PyLong_AsLong", ResultKind::Function, Check::Presence, Status::Pass, None)],
            duration_ms: 1,
            cases: 0,
        }
    }

    fn all_cells() -> Vec<CellReport> {
        let mut cells = Vec::new();
        for exe in ["/a/python3.10", "/a/python3.11", "/a/python3.12"] {
            for build in ["3.6", "3.8", "3.10"] {
                cells.push(cell(exe, build));
            }
        }
        cells
    }

    fn header(shard: Option<Shard>) -> RunHeader {
        RunHeader {
            schema: SCHEMA_VERSION,
            tool: "abi-harness".into(),
            tool_version: "0.1.0".into(),
            started_unix: 100 + u64::from(shard.map_or(0, |s| s.index)),
            manifest: "<built-in>".into(),
            settings: BTreeMap::new(),
            interpreters: Vec::new(),
            planned: all_cells().iter().map(CellReport::key).collect(),
            shard,
        }
    }

    fn shards(count: u32) -> Vec<Part> {
        (1..=count)
            .map(|index| {
                let shard = Shard { index, count };
                let cells = all_cells().into_iter().filter(|c| shard.contains(&c.key())).collect();
                Part { origin: format!("shard-{index}"), report: Report::new(header(Some(shard)), cells, None) }
            })
            .collect()
    }

    #[test]
    fn shards_merge_into_the_whole_plan() {
        let Record { header, cells, .. } = merge(&shards(3)).expect("merges");
        assert_eq!(header.shard, None);
        assert_eq!(header.started_unix, 101);
        assert_eq!(cells, all_cells(), "every cell once, in the plan's order");
        assert!(Report::new(header, cells, None).complete);
    }

    #[test]
    fn a_missing_shard_or_cell_is_named() {
        let mut parts = shards(3);
        parts.remove(1);
        assert_eq!(merge(&parts).err(), Some(MergeError::ShardMissing { shard: Shard { index: 2, count: 3 } }));

        let mut parts = shards(3);
        let lost = parts[0].report.cells.pop().expect("shard 1 has cells");
        let err = merge(&parts).expect_err("a cell is missing");
        assert_eq!(err, MergeError::Missing { cell: lost.key(), shard: Some(Shard { index: 1, count: 3 }) });
        assert!(err.to_string().contains(&lost.interpreter.executable), "{err}");
    }

    #[test]
    fn a_cell_or_shard_counted_twice_is_named() {
        let mut parts = shards(3);
        let extra = parts[0].report.cells[0].clone();
        parts[1].report.cells.push(extra.clone());
        assert_eq!(
            merge(&parts).err(),
            Some(MergeError::Twice { cell: extra.key(), first: "shard-1".into(), origin: "shard-2".into() })
        );

        let mut parts = shards(2);
        parts.push(Part { origin: "again".into(), report: parts[0].report.clone() });
        assert_eq!(
            merge(&parts).err(),
            Some(MergeError::ShardTwice {
                shard: Shard { index: 1, count: 2 },
                first: "shard-1".into(),
                origin: "again".into()
            })
        );
    }

    #[test]
    fn shards_of_different_runs_do_not_merge() {
        let mut parts = shards(3);
        parts[2].report.header.settings.insert("cases".into(), serde_json::json!(1000));
        assert_eq!(
            merge(&parts).err(),
            Some(MergeError::Disagree { what: "settings", first: "shard-1".into(), origin: "shard-3".into() })
        );
        let mut parts = shards(2);
        parts.push(Part { origin: "whole".into(), report: Report::new(header(None), all_cells(), None) });
        assert!(matches!(merge(&parts), Err(MergeError::Mixed { .. })));
    }
}
