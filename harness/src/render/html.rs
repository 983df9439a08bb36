//! `report.html`: one self-contained page (inline CSS and JS, no network) that shows the run as
//! a heat map of entry families by interpreters, with filters, every finding's detail and
//! replay command, and the cross-version differences.
//!
//! The page's data is a compact JSON document in a `<script type="application/json">` block:
//! per cell one character per entry (its worst mark), and the full text of every result that is
//! not a pass. `page.js` draws everything from it; `page.css` styles it.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{Labels, Mark, builds, families, interpreters, serde_name};
use crate::report::Report;

const CSS: &str = include_str!("page.css");
const JS: &str = include_str!("page.js");

/// One character per mark in a cell's status string; `.` is "not checked in this cell".
fn mark_char(mark: Mark) -> char {
    match mark {
        Mark::Pass => 'p',
        Mark::Skip => 's',
        Mark::Changed => 'x',
        Mark::Known => 'k',
        Mark::Fail => 'f',
        Mark::Timeout => 't',
        Mark::Crash => 'c',
    }
}

pub fn render(report: &Report) -> String {
    let data = data(report);
    let title = format!(
        "Stable ABI report: {}",
        match report.summary.new_failures() {
            0 => "no new failures".to_owned(),
            n => format!("{n} new failures"),
        }
    );
    let mut page = String::with_capacity(256 * 1024);
    page.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    page.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    // Nothing on this page may come from the network: it is read offline, from CI artefacts.
    page.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n");
    page.push_str(&format!("<title>{}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n", escape_html(&title)));
    page.push_str("<noscript><p>This page draws the report with JavaScript; report.json and summary.md have the same results as text.</p></noscript>\n");
    page.push_str("<main id=\"app\"></main>\n");
    page.push_str("<script type=\"application/json\" id=\"report-data\">");
    page.push_str(&script_json(&data));
    page.push_str("</script>\n<script>\n");
    page.push_str(JS);
    page.push_str("</script>\n</body>\n</html>\n");
    page
}

fn data(report: &Report) -> Value {
    let interpreters = interpreters(report);
    let builds = builds(report);
    let family_of = families(report);
    let mut entries: Vec<(String, String)> = Vec::new(); // (entry, family)
    let mut entry_index: BTreeMap<&str, usize> = BTreeMap::new();
    for cell in &report.cells {
        for result in &cell.results {
            entry_index.entry(result.entry.as_str()).or_insert_with(|| {
                let fam = family_of.get(result.entry.as_str()).cloned().unwrap_or_default();
                entries.push((result.entry.clone(), fam));
                entries.len() - 1
            });
        }
    }
    let mut families: Vec<&str> = entries.iter().map(|(_, f)| f.as_str()).collect();
    // Alphabetical, which puts `(probe import)` first; pooled ones last.
    families.sort_unstable_by_key(|f| (*f == super::OTHER_FAMILY, *f));
    families.dedup();

    let labels = Labels::new(report);
    let mut cells = Vec::new();
    let mut findings = Vec::new();
    for (n, cell) in report.cells.iter().enumerate() {
        let mut worst: Vec<Option<Mark>> = vec![None; entries.len()];
        for result in &cell.results {
            let e = entry_index.get(result.entry.as_str()).copied().unwrap_or_default();
            let mark = Mark::of(result);
            worst[e] = worst[e].max(Some(mark));
            if mark != Mark::Pass {
                findings.push(json!({
                    "c": n,
                    "e": e,
                    "m": mark.name(),
                    "check": serde_name(result.check),
                    "status": serde_name(result.status),
                    "property": result.property,
                    "detail": result.detail,
                    "known": result.known,
                    "replay": result.case.as_ref().map(|c| &c.replay),
                    "args": result.case.as_ref().map(|c| &c.args),
                }));
            }
        }
        let marks: String = worst.iter().map(|m| m.map_or('.', mark_char)).collect();
        let i = interpreters
            .iter()
            .position(|i| i.platform == cell.interpreter.platform && i.executable == cell.interpreter.executable);
        cells.push(json!({
            "i": i,
            "b": builds.iter().position(|b| *b == cell.build.id),
            "label": labels.cell(cell),
            "ms": cell.duration_ms,
            "cases": cell.cases,
            "s": marks,
        }));
    }
    json!({
        "tool": format!("{} {}", report.header.tool, report.header.tool_version),
        "started": report.header.started_unix,
        "manifest": report.header.manifest,
        "settings": report.header.settings,
        "complete": report.complete,
        "summary": report.summary,
        "new_failures": report.summary.new_failures(),
        "interpreters": interpreters.iter().map(|i| json!({
            "label": labels.version(i),
            "version": i.version,
            "platform": i.platform,
            "arch": i.arch_mark(),
            "debug": i.debug,
            "executable": i.executable,
        })).collect::<Vec<_>>(),
        "builds": builds.iter().map(|id| {
            let build = report.cells.iter().find(|c| c.build.id == *id).map(|c| &c.build);
            json!({"id": id, "limited_api": build.map(|b| &b.limited_api), "headers": build.map(|b| format!("{} ({})", b.headers, b.headers_platform))})
        }).collect::<Vec<_>>(),
        "families": families,
        "entries": entries.iter().map(|(name, fam)| json!([name, families.iter().position(|f| f == fam).unwrap_or_default()])).collect::<Vec<_>>(),
        "cells": cells,
        "findings": findings,
        "differences": report.differences.len(),
        "changes": super::changes(report).into_iter().map(|c| json!([c.entry, c.property, c.from, c.to, c.builds])).collect::<Vec<_>>(),
    })
}

/// JSON that cannot end its `<script>` element early or open a comment there: `<`, `>` and `&`
/// (only ever inside strings) become `\u` escapes, which JSON.parse reads back unchanged.
fn script_json(value: &Value) -> String {
    let text = value.to_string();
    let mut out = String::with_capacity(text.len() + 64);
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            // Valid in JSON, but line terminators in older JavaScript source.
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::sample;

    #[test]
    fn embedded_data_cannot_close_its_script_element() {
        let mut report = sample();
        report.cells[0].results[2].detail = Some("</script><!-- & \u{2028}".into());
        let page = render(&report);
        let start = page.find("id=\"report-data\">").map(|n| n + "id=\"report-data\">".len()).unwrap_or_default();
        let end = page[start..].find("</script>").map(|n| start + n).unwrap_or_default();
        let embedded: Value = serde_json::from_str(&page[start..end]).expect("the block is JSON");
        let details: Vec<&str> =
            embedded["findings"].as_array().into_iter().flatten().filter_map(|f| f["detail"].as_str()).collect();
        assert!(details.contains(&"</script><!-- & \u{2028}"), "{details:?}");
        assert!(!page[start..end].contains('<'));
    }

    #[test]
    fn cells_carry_one_mark_per_entry() {
        let report = sample();
        let page = render(&report);
        let data = data(&report);
        let entries = data["entries"].as_array().map_or(0, Vec::len);
        assert_eq!(entries, 6);
        // First cell: every entry, the semantic failure of PyLong_AsLong wins over its pass.
        assert_eq!(data["cells"][0]["s"], "pfksxc");
        assert_eq!(data["cells"][1]["s"], ".p....");
        assert!(page.contains("<main id=\"app\">"));
        assert!(!page.contains("http://") && !page.contains("https://"), "no network resources");
    }
}
