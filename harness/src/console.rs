//! The console summary of a report: a matrix of builds by interpreters, then every failure.

use std::fmt::Write as _;

use crate::report::{Report, Status};

/// At most this many failures are printed in full; the report has all of them.
const FAILURES_SHOWN: usize = 20;

pub fn summary(report: &Report) -> String {
    let mut out = String::new();
    let mut interpreters: Vec<(String, String)> = Vec::new();
    let mut builds: Vec<String> = Vec::new();
    for cell in &report.cells {
        let key = (cell.interpreter.version.clone(), cell.interpreter.executable.clone());
        if !interpreters.contains(&key) {
            interpreters.push(key);
        }
        if !builds.contains(&cell.build.limited_api) {
            builds.push(cell.build.limited_api.clone());
        }
    }
    let width = interpreters.iter().map(|(v, _)| v.len()).max().unwrap_or(6).max(6) + 2;
    let _ = write!(out, "\n{:<14}", "limited API");
    for (version, _) in &interpreters {
        let _ = write!(out, "{version:>width$}");
    }
    out.push('\n');
    for build in &builds {
        let _ = write!(out, "{build:<14}");
        for (version, executable) in &interpreters {
            let cell = report.cells.iter().find(|c| &c.build.limited_api == build && &c.interpreter.executable == executable && &c.interpreter.version == version);
            let text = match cell {
                None => "·".to_owned(),
                Some(cell) => {
                    let counts = cell.counts();
                    match (counts.new_failures(), counts.known) {
                        (0, 0) => "ok".to_owned(),
                        (0, known) => format!("ok+{known}k"),
                        (new, _) => format!("{new} ✗"),
                    }
                }
            };
            let _ = write!(out, "{text:>width$}");
        }
        out.push('\n');
    }

    let failures: Vec<_> = report
        .cells
        .iter()
        .flat_map(|cell| cell.results.iter().filter(|r| r.status.is_failure() && r.known.is_none()).map(move |r| (cell, r)))
        .collect();
    let known: Vec<_> = report
        .cells
        .iter()
        .flat_map(|cell| cell.results.iter().filter(|r| r.status.is_failure() && r.known.is_some()).map(move |r| (cell, r)))
        .collect();
    if !known.is_empty() {
        let _ = writeln!(out, "\nknown breaks ({}, not counted as new failures):", known.len());
        for (cell, result) in &known {
            let _ = writeln!(
                out,
                "  {} [{:?}] limited API {} on {}: {}",
                result.entry,
                result.check,
                cell.build.limited_api,
                cell.interpreter.version,
                result.known.as_deref().unwrap_or_default()
            );
        }
    }
    if !failures.is_empty() {
        let _ = writeln!(out, "\nfailures ({}):", failures.len());
        for (cell, result) in failures.iter().take(FAILURES_SHOWN) {
            let status = match result.status {
                Status::Fail => "FAIL",
                Status::Crash => "CRASH",
                Status::Timeout => "TIMEOUT",
                _ => "?",
            };
            let _ = writeln!(
                out,
                "\n{status} {} [{:?}, {}] limited API {} on {} ({})",
                result.entry,
                result.check,
                serde_json::to_value(result.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
                cell.build.limited_api,
                cell.interpreter.version,
                cell.interpreter.executable
            );
            if let Some(detail) = &result.detail {
                for line in detail.lines().take(24) {
                    let _ = writeln!(out, "    {line}");
                }
            }
        }
        if failures.len() > FAILURES_SHOWN {
            let _ = writeln!(out, "\n... and {} more in the report", failures.len() - FAILURES_SHOWN);
        }
    }
    if !report.differences.is_empty() {
        let _ = writeln!(out, "\nbehaviour that differs from the build's own version (Python-level behaviour changed too; not a failure):");
        for d in report.differences.iter().take(FAILURES_SHOWN) {
            let _ = writeln!(out, "  {} ({}): limited API {} on {} differs from {}", d.entry, d.property, d.limited_api, d.version, d.baseline);
        }
        if report.differences.len() > FAILURES_SHOWN {
            let _ = writeln!(out, "  ... and {} more in the report", report.differences.len() - FAILURES_SHOWN);
        }
    }
    let s = &report.summary;
    let cases: u64 = report.cells.iter().map(|c| c.cases).sum();
    let _ = writeln!(
        out,
        "\n{} cells, {} results: {} pass, {} fail, {} crash, {} timeout, {} skip ({} failures are known breaks); {} property cases{}",
        report.cells.len(),
        s.pass + s.fail + s.crash + s.timeout + s.skip,
        s.pass,
        s.fail,
        s.crash,
        s.timeout,
        s.skip,
        s.known,
        cases,
        if report.complete { "" } else { " (INCOMPLETE: some planned cells are missing)" }
    );
    out
}
