//! `junit.xml`: one `<testsuite>` per cell, one `<testcase>` per entry of the cell (all its
//! checks together), for CI test reporters.
//!
//! Mapping, chosen so that a JUnit reader agrees with the exit code:
//! * a new failure (`fail`, `crash`, `timeout`; a crash is a result, not an error of the harness)
//!   is a `<failure>` whose `type` is the worst status and whose body holds every failing
//!   check's detail (counterexample, replay command);
//! * a known break passes, and says so: a `known_break` property on the test case and the
//!   reference in `<system-out>`;
//! * an entry whose checks were all skipped is `<skipped>`; a skipped check beside others that
//!   ran is named in a `skipped_checks` property and explained in `<system-out>`;
//! * a `changed` result (different by CPython's documented design) passes, with its detail in
//!   `<system-out>` and a `changed` property.
//!
//! Text is escaped for XML 1.0; characters XML 1.0 cannot carry at all (most C0 controls,
//! U+FFFE, U+FFFF) are written as visible `\u{..}` escapes instead.

use std::fmt::Write as _;

use super::{Labels, Mark, by_entry, serde_name};
use crate::report::{EntryResult, Report};

pub fn render(report: &Report) -> String {
    let mut out = String::with_capacity(report.cells.len() * 64 * 1024);
    let total = report.cells.iter().map(|c| by_entry(c).len()).sum::<usize>();
    let (mut failures, mut skipped) = (0, 0);
    let mut suites = String::new();
    let labels = Labels::new(report);
    for cell in &report.cells {
        let name = labels.cell(cell);
        let entries = by_entry(cell);
        let mut cases = String::new();
        let (mut cell_failures, mut cell_skipped) = (0, 0);
        for (entry, results) in &entries {
            let outcome = testcase(&mut cases, &name, entry, results);
            cell_failures += usize::from(outcome == Outcome::Failure);
            cell_skipped += usize::from(outcome == Outcome::Skipped);
        }
        failures += cell_failures;
        skipped += cell_skipped;
        let _ = writeln!(
            suites,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{cell_failures}\" errors=\"0\" skipped=\"{cell_skipped}\" time=\"{:.3}\">",
            attr(&name),
            entries.len(),
            cell.duration_ms as f64 / 1000.0
        );
        suites.push_str("    <properties>\n");
        for (key, value) in [
            ("build", cell.build.id.as_str()),
            ("limited_api", &cell.build.limited_api),
            ("headers", &cell.build.headers),
            ("headers_platform", &cell.build.headers_platform),
            ("interpreter", &cell.interpreter.executable),
            ("version", &cell.interpreter.version),
            ("platform", &cell.interpreter.platform),
            ("debug", if cell.interpreter.debug { "true" } else { "false" }),
        ] {
            let _ = writeln!(suites, "      <property name=\"{key}\" value=\"{}\"/>", attr(value));
        }
        let _ = writeln!(suites, "      <property name=\"cases\" value=\"{}\"/>", cell.cases);
        suites.push_str("    </properties>\n");
        suites.push_str(&cases);
        suites.push_str("  </testsuite>\n");
    }
    let time: u64 = report.cells.iter().map(|c| c.duration_ms).sum();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"abi-harness\" tests=\"{total}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"{:.3}\">",
        time as f64 / 1000.0
    );
    out.push_str(&suites);
    out.push_str("</testsuites>\n");
    out
}

#[derive(PartialEq, Eq)]
enum Outcome {
    Pass,
    Failure,
    Skipped,
}

fn testcase(out: &mut String, classname: &str, entry: &str, results: &[&EntryResult]) -> Outcome {
    let worst = results.iter().map(|r| Mark::of(r)).max().unwrap_or(Mark::Pass);
    let all_skipped = results.iter().all(|r| Mark::of(r) == Mark::Skip);
    let _ = write!(out, "    <testcase classname=\"{}\" name=\"{}\"", attr(classname), attr(entry));
    let notes: Vec<&&EntryResult> =
        results.iter().filter(|r| matches!(Mark::of(r), Mark::Known | Mark::Changed | Mark::Skip)).collect();
    if worst == Mark::Pass {
        out.push_str("/>\n");
        return Outcome::Pass;
    }
    out.push_str(">\n");
    let known: Vec<&str> =
        results.iter().filter_map(|r| r.known.as_deref().filter(|_| Mark::of(r) == Mark::Known)).collect();
    let changed = results.iter().any(|r| Mark::of(r) == Mark::Changed);
    // A skipped check beside checks that ran: the test case ran, so it is not `<skipped>`.
    let skipped: Vec<String> =
        results.iter().filter(|r| Mark::of(r) == Mark::Skip).map(|r| serde_name(r.check)).collect();
    let partly_skipped = !skipped.is_empty() && !all_skipped;
    if !known.is_empty() || changed || partly_skipped {
        out.push_str("      <properties>\n");
        if let Some(reference) = known.first() {
            let _ = writeln!(out, "        <property name=\"known_break\" value=\"{}\"/>", attr(reference));
        }
        if changed {
            out.push_str("        <property name=\"changed\" value=\"true\"/>\n");
        }
        if partly_skipped {
            let _ = writeln!(out, "        <property name=\"skipped_checks\" value=\"{}\"/>", attr(&skipped.join(",")));
        }
        out.push_str("      </properties>\n");
    }
    let outcome = if worst.is_new_failure() {
        let failing: Vec<&&EntryResult> = results.iter().filter(|r| Mark::of(r).is_new_failure()).collect();
        let checks: Vec<String> =
            failing.iter().map(|r| format!("{} {}", serde_name(r.check), serde_name(r.status))).collect();
        let first_line =
            failing.iter().find_map(|r| r.detail.as_deref()).and_then(|d| d.lines().next()).unwrap_or_default();
        let _ = write!(
            out,
            "      <failure type=\"{}\" message=\"{}: {}\">",
            worst.name(),
            attr(&checks.join(", ")),
            attr(first_line)
        );
        for (n, result) in failing.iter().enumerate() {
            if n > 0 {
                out.push_str("\n\n");
            }
            let detail = result.detail.as_deref().unwrap_or("(no detail)");
            let _ = write!(out, "[{} {}]\n{}", serde_name(result.check), serde_name(result.status), text(detail));
            // Some details (a refleak's) do not end in the replay line; the case has it.
            if let Some(case) = result.case.as_ref().filter(|c| !detail.contains(&c.replay)) {
                let _ = write!(out, "\nreplay: {}", text(&case.replay));
            }
        }
        out.push_str("</failure>\n");
        Outcome::Failure
    } else if all_skipped {
        let reason = results.iter().find_map(|r| r.detail.as_deref()).unwrap_or("skipped");
        let _ = writeln!(out, "      <skipped message=\"{}\"/>", attr(reason));
        Outcome::Skipped
    } else {
        Outcome::Pass
    };
    if !notes.is_empty() && !all_skipped {
        out.push_str("      <system-out>");
        for (n, result) in notes.iter().enumerate() {
            if n > 0 {
                out.push_str("\n\n");
            }
            let what = match Mark::of(result) {
                Mark::Known => {
                    format!("known break, not counted as a failure: {}", result.known.as_deref().unwrap_or_default())
                }
                Mark::Changed => "changed by CPython's documented design, not a failure".to_owned(),
                _ => "skipped".to_owned(),
            };
            let _ = write!(
                out,
                "[{} {}] {}\n{}",
                serde_name(result.check),
                serde_name(result.status),
                text(&what),
                text(result.detail.as_deref().unwrap_or_default())
            );
        }
        out.push_str("</system-out>\n");
    }
    out.push_str("    </testcase>\n");
    outcome
}

/// Element text: markup characters escaped, characters XML 1.0 forbids made visible escapes.
fn text(value: &str) -> String {
    escape(value, false)
}

/// An attribute value in double quotes: as `text`, and line breaks and tabs kept as references
/// (a parser would otherwise normalise them to spaces).
fn attr(value: &str) -> String {
    escape(value, true)
}

fn escape(value: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\t' | '\n' => out.push(c),
            c if allowed_in_xml(c) => out.push(c),
            c => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
        }
    }
    out
}

/// XML 1.0's `Char` production. Rust strings hold no surrogates, so only controls and the two
/// non-characters U+FFFE and U+FFFF are left out.
fn allowed_in_xml(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{a}' | '\u{d}' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..='\u{10ffff}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::sample;

    #[test]
    fn forbidden_characters_become_visible_escapes() {
        assert_eq!(text("a<b>&\u{1}\u{fffe}\t\n"), "a&lt;b&gt;&amp;\\u{1}\\u{fffe}\t\n");
        assert_eq!(attr("\"x\"\n\t"), "&quot;x&quot;&#10;&#9;");
        assert_eq!(text("\u{1f600} \u{e000}"), "\u{1f600} \u{e000}");
    }

    #[test]
    fn one_testcase_per_cell_and_entry() {
        let xml = render(&sample());
        // Cell 1: abi3link, PyLong_AsLong (presence pass + semantic fail), PyCFunction_New,
        // PyErr_BadInternalCall, PyUnicode_FromString, PyObject_Repr; cell 2: PyLong_AsLong.
        assert_eq!(xml.matches("<testcase ").count(), 7);
        assert!(
            xml.contains("<testsuites name=\"abi-harness\" tests=\"7\" failures=\"2\" errors=\"0\" skipped=\"1\""),
            "{xml}"
        );
        assert!(xml.contains("<failure type=\"crash\""));
        assert!(xml.contains("name=\"known_break\" value=\"not exported by 3.9 (gh-87405)\""));
        assert!(xml.contains("PyLong_AsLong('&lt;\\u{1}\\u{fffe}&gt;' &amp; \"q\" ]]&gt;)"), "{xml}");
        assert!(xml.contains("replay: abi-harness replay --args '[1]'"));
        assert!(!xml.chars().any(|c| !allowed_in_xml(c)));
        let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
        let failure = doc.descendants().find(|n| n.has_tag_name("failure")).and_then(|n| n.text()).unwrap_or_default();
        assert!(failure.contains("PyLong_AsLong('<\\u{1}\\u{fffe}>' & \"q\" ]]>)"), "{failure}");
    }
}
