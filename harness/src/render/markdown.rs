//! `summary.md`: the run at a glance for `$GITHUB_STEP_SUMMARY` (GitHub Flavored Markdown):
//! totals, the matrix, new failures with their replay commands, known breaks, `changed` and
//! skipped results, and the cross-version differences aggregated by entry and by interpreter.
//! Always under GitHub's 1 MiB limit: past `LIMIT` bytes it is cut with a note.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::{Labels, Mark, builds, interpreters, serde_name, version_key};
use crate::report::{CellReport, EntryResult, Report};

/// GitHub rejects a step summary over 1 MiB; stay under it with room for the closing note.
pub const LIMIT: usize = 1024 * 1024 - 4 * 1024;
/// New failures shown in full; all are in report.json and report.html.
const FAILURES_SHOWN: usize = 50;
/// Lines of one failure's detail shown.
const DETAIL_LINES: usize = 30;
/// Rows of each aggregated table.
const ROWS_SHOWN: usize = 200;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    headline(&mut out, report);
    matrix(&mut out, report);
    new_failures(&mut out, report);
    grouped(&mut out, report, Mark::Known, "Known breaks", "upstream-confirmed; listed, not counted as failures");
    grouped(
        &mut out,
        report,
        Mark::Changed,
        "Changed by design",
        "different from the build's own version by CPython's documented design; not failures",
    );
    grouped(&mut out, report, Mark::Skip, "Skipped", "not run, with the reason");
    differences(&mut out, report);
    out.push_str("\n---\n\nEverything, next to this file: `report.json` (the record), `report.html` (heat map, filters, every finding), `junit.xml`.\n");
    truncate(out, LIMIT)
}

fn headline(out: &mut String, report: &Report) {
    let s = &report.summary;
    let new = s.new_failures();
    let verdict = if new == 0 {
        "✅ no new ABI failures".to_owned()
    } else {
        format!("❌ {new} new ABI failure{}", if new == 1 { "" } else { "s" })
    };
    let _ = writeln!(out, "# Stable ABI report: {verdict}\n");
    if !report.complete {
        out.push_str("> [!WARNING]\n> **Incomplete**: some planned cells are missing (an interrupted run); the counts below cover the cells that finished.\n\n");
    }
    let results = s.pass + s.fail + s.crash + s.timeout + s.skip + s.changed;
    let cases: u64 = report.cells.iter().map(|c| c.cases).sum();
    let _ = writeln!(out, "{} cells, {} results, {} property cases.\n", report.cells.len(), results, cases);
    out.push_str("| pass | fail | crash | timeout | skip | changed | of the failures, known breaks |\n| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} | {} | {} |\n",
        s.pass, s.fail, s.crash, s.timeout, s.skip, s.changed, s.known
    );
    let settings: Vec<String> = ["cases", "seed", "checks"]
        .iter()
        .filter_map(|key| report.header.settings.get(*key).map(|v| format!("{key} `{}`", cell(&v.to_string()))))
        .collect();
    let _ = writeln!(
        out,
        "{} {}, manifest {}; {}.\n",
        report.header.tool,
        report.header.tool_version,
        cell(&report.header.manifest),
        settings.join(", ")
    );
}

/// Interpreters by builds, one mark per cell.
fn matrix(out: &mut String, report: &Report) {
    let builds = builds(report);
    if builds.is_empty() {
        return;
    }
    out.push_str("## Matrix\n\nRows: interpreters; columns: builds (limited API, `@headers` when built with newer headers, `d` with debug headers). ");
    out.push_str(
        "✅ all pass · ⚠️ *n* known breaks · ❌ *n* new failures · 🔄 *n* changed by design · blank: not planned.\n\n",
    );
    let _ =
        writeln!(out, "| interpreter | {} |", builds.iter().map(|b| format!("`{b}`")).collect::<Vec<_>>().join(" | "));
    let _ = writeln!(out, "| --- |{}", " :-: |".repeat(builds.len()));
    let labels = Labels::new(report);
    for interpreter in interpreters(report) {
        let _ = write!(out, "| {} {} |", cell(&labels.version(interpreter)), cell(&super::platform_label(interpreter)));
        for build in &builds {
            let found = report.cells.iter().find(|c| {
                &c.build.id == build
                    && c.interpreter.platform == interpreter.platform
                    && c.interpreter.executable == interpreter.executable
            });
            let mark = match found {
                None => String::new(),
                Some(c) => {
                    let counts = c.counts();
                    let mut marks = Vec::new();
                    if counts.new_failures() > 0 {
                        marks.push(format!("❌ {}", counts.new_failures()));
                    }
                    if counts.known > 0 {
                        marks.push(format!("⚠️ {}", counts.known));
                    }
                    if counts.changed > 0 {
                        marks.push(format!("🔄 {}", counts.changed));
                    }
                    if marks.is_empty() { "✅".to_owned() } else { marks.join(" ") }
                }
            };
            let _ = write!(out, " {mark} |");
        }
        out.push('\n');
    }
    out.push('\n');
}

fn new_failures(out: &mut String, report: &Report) {
    let failures: Vec<(&CellReport, &EntryResult)> = report
        .cells
        .iter()
        .flat_map(|c| c.results.iter().map(move |r| (c, r)))
        .filter(|(_, r)| Mark::of(r).is_new_failure())
        .collect();
    if failures.is_empty() {
        return;
    }
    let _ = writeln!(out, "## New failures ({})\n", failures.len());
    let labels = Labels::new(report);
    for (c, result) in failures.iter().take(FAILURES_SHOWN) {
        let _ = writeln!(
            out,
            "### {} `{}` · {} · {}\n",
            serde_name(result.status).to_uppercase(),
            result.entry,
            serde_name(result.check),
            cell(&labels.cell(c))
        );
        let replay = result.case.as_ref().map(|case| case.replay.as_str());
        let detail: Vec<&str> = result
            .detail
            .as_deref()
            .unwrap_or("(no detail)")
            .lines()
            // The replay line gets its own block below, ready to copy.
            .filter(|line| replay.is_none() || !line.starts_with("replay: "))
            .collect();
        let mut shown = detail.iter().take(DETAIL_LINES).copied().collect::<Vec<_>>().join("\n");
        if detail.len() > DETAIL_LINES {
            let _ = write!(shown, "\n... {} more lines in report.json", detail.len() - DETAIL_LINES);
        }
        fenced(out, "text", &shown);
        if let Some(replay) = replay {
            out.push_str("Replay:\n\n");
            fenced(out, "sh", replay);
        }
    }
    if failures.len() > FAILURES_SHOWN {
        let _ = writeln!(
            out,
            "... and {} more new failures in report.json and report.html.\n",
            failures.len() - FAILURES_SHOWN
        );
    }
}

/// Builds by interpreter (version key, label), in version order.
type Places<'a> = BTreeMap<(Vec<u64>, String), Vec<&'a str>>;

/// Results of one mark, one row per (entry, check, reason), with the cells they occur in
/// grouped by interpreter: `3.9.18 (host): 3.6, 3.7`.
fn grouped(out: &mut String, report: &Report, mark: Mark, title: &str, meaning: &str) {
    let mut rows: BTreeMap<(&str, String, String), Places> = BTreeMap::new();
    let mut total = 0;
    let labels = Labels::new(report);
    for c in &report.cells {
        for result in c.results.iter().filter(|r| Mark::of(r) == mark) {
            total += 1;
            let reason = match mark {
                Mark::Known => result.known.clone().unwrap_or_default(),
                _ => result.detail.as_deref().and_then(|d| d.lines().next()).unwrap_or_default().to_owned(),
            };
            let label = labels.interpreter(&c.interpreter);
            rows.entry((result.entry.as_str(), serde_name(result.check), reason))
                .or_default()
                .entry((version_key(&c.interpreter.version), label))
                .or_default()
                .push(&c.build.id);
        }
    }
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "## {title} ({total})\n\n{meaning}.\n\n| entry | check | interpreter (builds) | reason |\n| --- | --- | --- | --- |"
    );
    for ((entry, check, reason), cells) in rows.iter().take(ROWS_SHOWN) {
        let wher: Vec<String> =
            cells.iter().map(|((_, label), builds)| format!("{label}: {}", builds.join(", "))).collect();
        let _ = writeln!(out, "| `{}` | {check} | {} | {} |", cell(entry), cell(&wher.join("; ")), cell(reason));
    }
    if rows.len() > ROWS_SHOWN {
        let _ = writeln!(out, "\n... and {} more rows in report.json.", rows.len() - ROWS_SHOWN);
    }
    out.push('\n');
}

/// The second oracle's findings, aggregated: per interpreter version, how many properties
/// differ from their builds' own versions; per entry, the versions where its outcomes change.
fn differences(out: &mut String, report: &Report) {
    if report.differences.is_empty() {
        return;
    }
    let mut properties: BTreeSet<(&str, &str)> = BTreeSet::new();
    // Version key → (version, entries, limited APIs).
    type Row<'a> = (&'a str, BTreeSet<&'a str>, BTreeSet<&'a str>);
    let mut by_version: BTreeMap<Vec<u64>, Row> = BTreeMap::new();
    for d in &report.differences {
        properties.insert((d.entry.as_str(), d.property.as_str()));
        let row = by_version
            .entry(version_key(&d.version))
            .or_insert_with(|| (d.version.as_str(), BTreeSet::new(), BTreeSet::new()));
        row.1.insert(&d.entry);
        row.2.insert(&d.limited_api);
    }
    let _ = writeln!(
        out,
        "## Behaviour that differs across versions ({} differences, {} properties)\n\n\
         A property whose probe outcomes on an interpreter differ from those on the build's own version, \
         while agreeing with the Python-level oracle on both: the Python-level behaviour changed too. Not failures.\n",
        report.differences.len(),
        properties.len()
    );
    out.push_str("<details><summary>By interpreter version</summary>\n\n| interpreter | properties that differ | builds (limited API) |\n| --- | ---: | --- |\n");
    for (version, entries, apis) in by_version.values() {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            cell(version),
            entries.len(),
            cell(&ranges(apis.iter().copied(), &limited_apis(report)))
        );
    }
    out.push_str("\n</details>\n\n");
    let changes = super::changes(report);
    let _ = writeln!(
        out,
        "<details open><summary>Where outcomes change, by entry ({} change points)</summary>\n\n\
         Neighbouring release interpreters, in version order, on which a build's probe gives different outcomes for the same cases.\n\n\
         | entry | property | changes between | builds (limited API) |\n| --- | --- | --- | --- |",
        changes.len()
    );
    for change in changes.iter().take(ROWS_SHOWN) {
        let property =
            if change.property == change.entry { String::new() } else { format!("`{}`", cell(&change.property)) };
        let _ = writeln!(
            out,
            "| `{}` | {property} | {} → {} | {} |",
            cell(&change.entry),
            cell(&change.from),
            cell(&change.to),
            cell(&ranges(change.builds.iter().map(String::as_str), &builds(report)))
        );
    }
    if changes.len() > ROWS_SHOWN {
        let _ = writeln!(out, "\n... and {} more rows in report.html.", changes.len() - ROWS_SHOWN);
    }
    out.push_str("\n</details>\n\n");
}

fn limited_apis(report: &Report) -> Vec<&str> {
    let mut v: Vec<&str> =
        report.cells.iter().map(|c| c.build.limited_api.as_str()).collect::<BTreeSet<_>>().into_iter().collect();
    v.sort_by_key(|v| version_key(v));
    v
}

/// `3.7.16–3.9.18, 3.12.1`: the given values as runs over `order` (the run's sorted values).
fn ranges<'a>(values: impl Iterator<Item = &'a str>, order: &[&str]) -> String {
    let wanted: BTreeSet<&str> = values.collect();
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for (n, value) in order.iter().enumerate() {
        if !wanted.contains(value) {
            continue;
        }
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == n => *end = n,
            _ => runs.push((n, n)),
        }
    }
    let mut text: Vec<String> = runs
        .iter()
        .map(|&(a, b)| if a == b { order[a].to_owned() } else { format!("{}–{}", order[a], order[b]) })
        .collect();
    // Values outside `order` (not expected) are still shown.
    text.extend(wanted.iter().filter(|v| !order.contains(v)).map(|v| (*v).to_owned()));
    text.join(", ")
}

/// Text safe inside a table cell: one line, no column breaks, no raw HTML.
fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// A fenced code block whose fence is longer than any backtick run in the text; control
/// characters other than line breaks and tabs become visible `\u{..}` escapes.
fn fenced(out: &mut String, lang: &str, text: &str) {
    let text: String = text
        .chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' { format!("\\u{{{:x}}}", u32::from(c)) } else { c.to_string() }
        })
        .collect();
    let text = text.as_str();
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let _ = writeln!(out, "{fence}{lang}\n{text}\n{fence}\n");
}

/// Cuts `text` at a line break to at most `limit` bytes with a closing note, closing an open
/// code fence and `<details>` so the rest of the page still renders.
fn truncate(text: String, limit: usize) -> String {
    if text.len() <= limit {
        return text;
    }
    const NOTE: &str = "\n> [!NOTE]\n> This summary was cut to stay under GitHub's 1 MiB step-summary limit; report.json, junit.xml and report.html have everything.\n";
    let mut end = limit - NOTE.len() - 64;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let end = text[..end].rfind('\n').map_or(0, |n| n + 1);
    let mut out = text[..end].to_owned();
    let mut fence: Option<&str> = None;
    for line in out.lines() {
        let ticks = line.len() - line.trim_start_matches('`').len();
        match fence {
            None if ticks >= 3 => fence = Some(&line[..ticks]),
            Some(open) if line.trim_end() == open => fence = None,
            _ => {}
        }
    }
    let close = fence.map(|f| format!("{f}\n"));
    let open_details = out.matches("<details>").count().saturating_sub(out.matches("</details>").count());
    if let Some(close) = close {
        out.push_str(&close);
    }
    for _ in 0..open_details {
        out.push_str("\n</details>\n");
    }
    out.push_str(NOTE);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::sample;
    use crate::report::{Check, ResultKind, Status};

    #[test]
    fn summary_has_the_sections_a_reader_needs() {
        let md = render(&sample());
        assert!(md.starts_with("# Stable ABI report: ❌ 2 new ABI failures"), "{md}");
        assert!(md.contains("| 3.9.18 host | ❌ 2 ⚠️ 1 🔄 1 |"), "{md}");
        assert!(md.contains("| 3.10.13 host | ✅ |"), "{md}");
        assert!(md.contains("### FAIL `PyLong_AsLong` · semantic · build 3.6 on 3.9.18 (host)"));
        assert!(md.contains("## Known breaks (1)"));
        assert!(
            md.contains("| `PyCFunction_New` | presence | 3.9.18 (host): 3.6 | not exported by 3.9 (gh-87405) |"),
            "{md}"
        );
        assert!(md.contains("## Changed by design (1)"));
    }

    #[test]
    fn ranges_follow_the_runs_versions() {
        let order = ["3.6", "3.7", "3.8", "3.10", "3.11"];
        assert_eq!(ranges(["3.7", "3.8", "3.11"].into_iter(), &order), "3.7–3.8, 3.11");
        assert_eq!(ranges(["3.6"].into_iter(), &order), "3.6");
    }

    #[test]
    fn a_huge_report_stays_under_the_limit_and_says_it_was_cut() {
        let mut report = sample();
        let detail = format!("```\n{}", "x".repeat(200));
        let template = report.cells[0].clone();
        for n in 0..300 {
            let mut c = template.clone();
            c.build.id = format!("b{n}");
            c.results = (0..20)
                .map(|e| {
                    let mut r = EntryResult::new(
                        format!("PyX_{e}"),
                        ResultKind::Function,
                        Check::Semantic,
                        Status::Fail,
                        Some(detail.clone()),
                    );
                    // Long reasons: the row caps alone would keep the summary small.
                    r.known = Some(format!("break {n} {}", "z".repeat(10_000)));
                    r
                })
                .collect();
            report.cells.push(c);
        }
        let md = render(&report);
        assert!(md.len() <= LIMIT, "{}", md.len());
        assert!(md.ends_with("report.html have everything.\n"));
        assert_eq!(truncate("short".into(), 10), "short");
        let cut = truncate(format!("a\n````text\n{}\n", "y\n".repeat(1000)), 600);
        assert!(cut.contains("y\n````\n"), "the open fence is closed: {cut}");
    }
}
