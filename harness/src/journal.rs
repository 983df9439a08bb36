//! The journal (`journal.jsonl`), a run's record: a header line, the static section's line when
//! the static check ran, then one line per finished cell, each flushed as it is written. It
//! holds what was observed; what that means (known breaks, `changed`, differences, coverage)
//! is added when a report is assembled from it (`assemble`).

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::report::{CellReport, RunHeader, StaticReport};

pub const JOURNAL: &str = "journal.jsonl";

/// The journal line holding the static section: `{"static": {...}}`.
#[derive(serde::Serialize, serde::Deserialize)]
struct StaticLine {
    #[serde(rename = "static")]
    check: StaticReport,
}

const STATIC_LINE_START: &str = "{\"static\":";

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("cannot write the journal {}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read the journal {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is empty: not a journal", path.display())]
    Empty { path: PathBuf },
    #[error("{}:{line}: not {what}", path.display())]
    Parse {
        path: PathBuf,
        line: usize,
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },
}

/// What a journal holds, in the order of the plan.
#[derive(Clone, Debug)]
pub struct Record {
    pub header: RunHeader,
    pub static_check: Option<StaticReport>,
    pub cells: Vec<CellReport>,
}

/// A journal being written, line by line as cells finish.
pub struct Journal {
    file: std::fs::File,
    path: PathBuf,
}

impl Journal {
    /// Starts a journal with its header (and static section): anything at `path` is replaced.
    pub fn create(
        path: &Path,
        header: &RunHeader,
        static_check: Option<&StaticReport>,
    ) -> Result<Journal, JournalError> {
        let file = std::fs::File::create(path).map_err(|source| JournalError::Write { path: path.into(), source })?;
        let mut journal = Journal { file, path: path.to_owned() };
        journal.line(&text(header))?;
        if let Some(check) = static_check {
            journal.line(&static_line(check))?;
        }
        Ok(journal)
    }

    /// Appends a finished cell, flushed: after a crash of the harness the cell is on disk.
    pub fn append(&mut self, cell: &CellReport) -> Result<(), JournalError> {
        self.line(&text(cell))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn line(&mut self, line: &str) -> Result<(), JournalError> {
        writeln!(self.file, "{line}")
            .and_then(|()| self.file.flush())
            .map_err(|source| JournalError::Write { path: self.path.clone(), source })
    }
}

fn text(value: &impl serde::Serialize) -> String {
    // Our own plain data types: serializing them cannot fail (no maps with non-string keys).
    serde_json::to_string(value).unwrap_or_default()
}

fn static_line(check: &StaticReport) -> String {
    text(&StaticLine { check: check.clone() })
}

/// Writes a whole journal at once, atomically (a merge's).
pub fn write(path: &Path, record: &Record) -> Result<(), JournalError> {
    let mut out = text(&record.header);
    out.push('\n');
    if let Some(check) = &record.static_check {
        out.push_str(&static_line(check));
        out.push('\n');
    }
    for cell in &record.cells {
        out.push_str(&text(cell));
        out.push('\n');
    }
    crate::write_atomically(path, out.as_bytes()).map_err(|source| JournalError::Write { path: path.into(), source })
}

/// Reads a journal, also one cut short by an interruption: a last line cut by a crash of the
/// harness itself is a cell that is simply missing. Cells come back in the plan's order, not
/// in the order they finished, so reports of the same run compare line by line.
pub fn read(path: &Path) -> Result<Record, JournalError> {
    let text = std::fs::read_to_string(path).map_err(|source| JournalError::Read { path: path.into(), source })?;
    let lines: Vec<(usize, &str)> =
        text.lines().enumerate().map(|(n, l)| (n + 1, l)).filter(|(_, l)| !l.trim().is_empty()).collect();
    let last = text.lines().count();
    let parse_error = |line, what, source| JournalError::Parse { path: path.into(), line, what, source };
    let Some(&(first, header_line)) = lines.first() else { return Err(JournalError::Empty { path: path.into() }) };
    let header: RunHeader =
        serde_json::from_str(header_line).map_err(|source| parse_error(first, "a run header", source))?;
    let mut cells: Vec<CellReport> = Vec::new();
    let mut static_check = None;
    for &(n, line) in &lines[1..] {
        if line.starts_with(STATIC_LINE_START) {
            let parsed: StaticLine =
                serde_json::from_str(line).map_err(|source| parse_error(n, "a static section", source))?;
            static_check = Some(parsed.check);
            continue;
        }
        match serde_json::from_str(line) {
            Ok(cell) => cells.push(cell),
            Err(_) if n == last => {}
            Err(source) => return Err(parse_error(n, "a cell report", source)),
        }
    }
    let order = |cell: &CellReport| header.planned.iter().position(|key| *key == cell.key()).unwrap_or(usize::MAX);
    cells.sort_by_key(order);
    Ok(Record { header, static_check, cells })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Check, EntryResult, ResultKind, SCHEMA_VERSION, StaticResult, Status};

    fn header() -> RunHeader {
        RunHeader {
            schema: SCHEMA_VERSION,
            tool: "abi-harness".into(),
            tool_version: "0".into(),
            started_unix: 0,
            manifest: "m".into(),
            settings: Default::default(),
            interpreters: Vec::new(),
            planned: Vec::new(),
            shard: None,
        }
    }

    #[test]
    fn the_static_section_survives_the_journal() {
        let dir = tempfile::tempdir().unwrap();
        let result =
            EntryResult::new("Py_tp_init", ResultKind::Const, Check::Static, Status::Fail, Some("60 vs 99".into()));
        let check = StaticReport {
            results: vec![StaticResult {
                limited_api: "3.12".into(),
                baseline: "3.12.1@host".into(),
                differing: vec!["x".into()],
                leak: false,
                arch: Some("s390x".into()),
                result,
            }],
            ..StaticReport::default()
        };
        let path = dir.path().join(JOURNAL);
        let journal = Journal::create(&path, &header(), Some(&check)).unwrap();
        drop(journal);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.lines().nth(1).unwrap().starts_with(STATIC_LINE_START));
        let record = read(&path).unwrap();
        assert_eq!(record.static_check, Some(check));
        assert!(record.cells.is_empty());
    }

    #[test]
    fn a_line_cut_short_at_the_end_is_a_missing_cell_but_one_in_the_middle_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(JOURNAL);
        let head = serde_json::to_string(&header()).unwrap();
        std::fs::write(&path, format!("{head}\n{{\"interpreter\": {{\"exec")).unwrap();
        assert!(read(&path).unwrap().cells.is_empty());
        std::fs::write(&path, format!("{head}\n{{\"interpreter\": {{\"exec\n{head}\n")).unwrap();
        let err = read(&path).unwrap_err().to_string();
        assert!(err.ends_with(":2: not a cell report"), "{err}");
        std::fs::write(&path, "").unwrap();
        assert!(matches!(read(&path), Err(JournalError::Empty { .. })));
    }
}
