//! The console summary of a report: a matrix of builds by interpreters, then every failure.

use std::fmt::Write as _;

use crate::report::{Report, Status};

/// At most this many failures are printed in full; the report has all of them.
const FAILURES_SHOWN: usize = 20;

pub fn summary(report: &Report) -> String {
    let mut out = String::new();
    // Rows: interpreters; columns: builds. `ok`, `3 ✗` (new failures), `ok+2k` (known breaks only).
    let mut rows: Vec<(String, String, String)> = Vec::new();
    let mut builds: Vec<String> = Vec::new();
    for cell in &report.cells {
        let label = format!(
            "{}{} {}",
            cell.interpreter.version,
            if cell.interpreter.debug { "d" } else { "" },
            cell.interpreter.platform
        );
        let row = (label, cell.interpreter.platform.clone(), cell.interpreter.executable.clone());
        if !rows.contains(&row) {
            rows.push(row);
        }
        if !builds.contains(&cell.build.id) {
            builds.push(cell.build.id.clone());
        }
    }
    let label_width = rows.iter().map(|(label, _, _)| label.len()).max().unwrap_or(10).max(11) + 2;
    let widths: Vec<usize> = builds.iter().map(|b| b.len().max(5) + 2).collect();
    let _ = write!(out, "\n{:<label_width$}", "interpreter");
    for (build, width) in builds.iter().zip(&widths) {
        let _ = write!(out, "{build:>width$}");
    }
    let _ = writeln!(out, "   (columns: limited API of the build[@headers])");
    for (label, platform, executable) in &rows {
        let _ = write!(out, "{label:<label_width$}");
        for (build, width) in builds.iter().zip(&widths) {
            let cell = report.cells.iter().find(|c| {
                &c.build.id == build && &c.interpreter.platform == platform && &c.interpreter.executable == executable
            });
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
        .flat_map(|cell| {
            cell.results.iter().filter(|r| r.status.is_failure() && r.known.is_none()).map(move |r| (cell, r))
        })
        .collect();
    let known: Vec<_> = report
        .cells
        .iter()
        .flat_map(|cell| {
            cell.results.iter().filter(|r| r.status.is_failure() && r.known.is_some()).map(move |r| (cell, r))
        })
        .collect();
    if !known.is_empty() {
        let _ = writeln!(out, "\nknown breaks ({}, not counted as new failures):", known.len());
        for (cell, result) in &known {
            let _ = writeln!(
                out,
                "  {} [{:?}] build {} on {} {}: {}",
                result.entry,
                result.check,
                cell.build.id,
                cell.interpreter.version,
                cell.interpreter.platform,
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
                "\n{status} {} [{:?}, {}] build {} on {} ({} on {})",
                result.entry,
                result.check,
                serde_json::to_value(result.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
                cell.build.id,
                cell.interpreter.version,
                cell.interpreter.executable,
                cell.interpreter.platform
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
        // The differences, cell by cell, run to thousands of lines: print where outcomes change.
        let changes = crate::render::changes(report);
        let _ = writeln!(
            out,
            "\nbehaviour that changes across versions ({} results differ from their build's own version; Python-level behaviour changed too; not a failure):",
            report.differences.len()
        );
        for c in changes.iter().take(FAILURES_SHOWN) {
            let property = if c.property == c.entry { String::new() } else { format!(" ({})", c.property) };
            let _ = writeln!(out, "  {}{property}: {} -> {} (builds {})", c.entry, c.from, c.to, c.builds.join(", "));
        }
        if changes.len() > FAILURES_SHOWN {
            let _ = writeln!(
                out,
                "  ... and {} more change points in summary.md and report.html",
                changes.len() - FAILURES_SHOWN
            );
        }
    }
    if let Some(check) = &report.static_check {
        static_summary(&mut out, check);
    }
    let s = &report.summary;
    let cases: u64 = report.cells.iter().map(|c| c.cases).sum();
    let _ = writeln!(
        out,
        "\n{} cells, {} results: {} pass, {} fail, {} crash, {} timeout, {} skip, {} changed ({} failures are known breaks); {} property cases{}",
        report.cells.len(),
        s.pass + s.fail + s.crash + s.timeout + s.skip + s.changed,
        s.pass,
        s.fail,
        s.crash,
        s.timeout,
        s.skip,
        s.changed,
        s.known,
        cases,
        if report.complete { "" } else { " (INCOMPLETE: some planned cells are missing)" }
    );
    out
}

/// The static check's new failures (the report has every fact compared).
fn static_summary(out: &mut String, check: &crate::report::StaticReport) {
    let failing = |known: bool| {
        check.results.iter().filter(move |r| r.result.status.is_failure() && r.result.known.is_some() == known)
    };
    let new: Vec<_> = failing(false).collect();
    let changed = check.results.iter().filter(|r| r.result.status == Status::Changed).count();
    let _ = writeln!(
        out,
        "\nstatic check of the headers ({} header sets, {} facts compared): {} new failures, {} known, {} compatible changes, {} leaked names",
        check.header_sets.len(),
        check.compared.len(),
        new.len(),
        failing(true).count(),
        changed,
        check.leaks.len()
    );
    for result in new.iter().take(FAILURES_SHOWN) {
        let arch = result.arch.as_deref().map(|a| format!(", {a}")).unwrap_or_default();
        let _ = writeln!(out, "\nFAIL {} [static, limited API {}{arch}]", result.result.entry, result.limited_api);
        for line in result.result.detail.as_deref().unwrap_or_default().lines().take(12) {
            let _ = writeln!(out, "    {line}");
        }
    }
    if new.len() > FAILURES_SHOWN {
        let _ = writeln!(out, "\n... and {} more in the report", new.len() - FAILURES_SHOWN);
    }
}
