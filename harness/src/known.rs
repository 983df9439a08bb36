//! Known breaks (`data/known_breaks.toml`): upstream-confirmed failures, marked in the report
//! so they stay visible without failing every run.

use serde::Deserialize;

use crate::build::LINK_MODULE;
use crate::report::{CellReport, Check};
use crate::version::PyVersion;

const KNOWN_BREAKS: &str = include_str!("../data/known_breaks.toml");

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownBreak {
    pub entry: String,
    pub checks: Vec<Check>,
    pub interpreters: Vec<PyVersion>,
    /// Build ids the break is limited to (`*` matches any text); empty: every build.
    #[serde(default)]
    pub builds: Vec<String>,
    pub reference: String,
    pub summary: String,
    /// Static check only: the break covers names leaked under `Py_LIMITED_API` (results of
    /// `static.leaks`), not manifest entries.
    #[serde(default)]
    pub leaks: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KnownBreaks {
    #[serde(rename = "break")]
    breaks: Vec<KnownBreak>,
}

/// The shipped list; a test checks that it parses.
pub fn known_breaks() -> Vec<KnownBreak> {
    toml::from_str::<KnownBreaks>(KNOWN_BREAKS).map(|k| k.breaks).unwrap_or_default()
}

/// Marks the failures of a cell that are known breaks.
pub fn mark(cell: &mut CellReport, breaks: &[KnownBreak]) {
    let Ok(minor) = cell.interpreter.version.parse::<PyVersion>() else { return };
    let note = |b: &KnownBreak| format!("{} ({})", b.summary, b.reference);
    let mut known_symbols = Vec::new();
    let build_id = cell.build.id.clone();
    for result in cell.results.iter_mut().filter(|r| r.status.is_failure()) {
        let applies = |b: &&KnownBreak| {
            wildcard_match(&b.entry, &result.entry)
                && b.checks.contains(&result.check)
                && b.interpreters.contains(&minor)
                && (b.builds.is_empty() || b.builds.iter().any(|pattern| wildcard_match(pattern, &build_id)))
        };
        if let Some(b) = breaks.iter().find(applies) {
            result.known = Some(note(b));
            if result.check == Check::Import {
                known_symbols.push((result.entry.clone(), result.known.clone()));
            }
        }
    }
    // The link probe's import fails because of the first unresolved symbol; if that one is
    // known, so is the probe's failure.
    for result in cell.results.iter_mut().filter(|r| r.entry == LINK_MODULE && r.status.is_failure()) {
        if let Some((_, known)) = known_symbols.iter().find(|(symbol, _)| {
            result.detail.as_deref().is_some_and(|d| d.ends_with(&format!("undefined symbol: {symbol}")))
        }) {
            result.known = known.clone();
        }
    }
}

/// Marks the static failures that are known: the entry matches (`*` wildcards allowed), and
/// every header set that differs is of a version the break lists. A result read under
/// `Py_TARGET_ABI3T` (limited API `3.15+abi3t`) is another promise: only a break whose
/// `builds` match it covers it (a break about `PyObject`'s abi3 layout must not hide an abi3t
/// `PyObject` that is not opaque).
pub fn mark_static(check: &mut crate::report::StaticReport, breaks: &[KnownBreak]) {
    let note = |b: &KnownBreak| format!("{} ({})", b.summary, b.reference);
    for item in check.results.iter_mut().filter(|r| r.result.status.is_failure()) {
        let minors: Vec<PyVersion> =
            item.differing.iter().filter_map(|label| label.split('@').next()?.parse().ok()).collect();
        let applies = |b: &&KnownBreak| {
            wildcard_match(&b.entry, &item.result.entry)
                && b.checks.contains(&Check::Static)
                && b.leaks == item.leak
                && !minors.is_empty()
                && minors.iter().all(|m| b.interpreters.contains(m))
                && if b.builds.is_empty() {
                    !item.limited_api.ends_with("+abi3t")
                } else {
                    b.builds.iter().any(|pattern| wildcard_match(pattern, &item.limited_api))
                }
        };
        if let Some(b) = breaks.iter().find(applies) {
            item.result.known = Some(note(b));
        }
    }
}

/// `*` matches any run of characters; everything else matches itself.
fn wildcard_match(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, rest)) => {
            let Some(tail) = text.strip_prefix(head) else { return false };
            (0..=tail.len()).filter(|&i| tail.is_char_boundary(i)).any(|i| wildcard_match(rest, &tail[i..]))
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::report::Check;

    #[test]
    fn wildcards() {
        assert!(super::wildcard_match("*@*", "3.6@3.15.2"));
        assert!(!super::wildcard_match("*@*", "3.6"));
        assert!(super::wildcard_match("3.6", "3.6"));
        assert!(super::wildcard_match("3.*d", "3.13d"));
    }

    #[test]
    fn abi3t_static_results_need_a_break_that_names_them() {
        use crate::report::{EntryResult, ResultKind, StaticReport, StaticResult, Status};
        let breaks: super::KnownBreaks = toml::from_str(
            "[[break]]\nentry = 'PyObject'\nchecks = ['static']\ninterpreters = ['3.15']\nreference = 'r'\nsummary = 's'\n\
             [[break]]\nentry = 'symtable'\nchecks = ['static']\ninterpreters = ['3.15']\nbuilds = ['*']\nreference = 'r'\nsummary = 's'\n",
        )
        .unwrap();
        let result = |entry: &str, limited_api: &str| StaticResult {
            limited_api: limited_api.into(),
            baseline: String::new(),
            differing: vec![format!("3.15.2@sid{}", if limited_api.ends_with("+abi3t") { "+abi3t" } else { "" })],
            leak: false,
            arch: None,
            result: EntryResult::new(entry, ResultKind::Struct, Check::Static, Status::Fail, None),
        };
        let mut report = StaticReport {
            results: vec![
                result("PyObject", "3.15"),
                result("PyObject", "3.15+abi3t"),
                result("symtable", "3.15"),
                result("symtable", "3.15+abi3t"),
            ],
            ..StaticReport::default()
        };
        super::mark_static(&mut report, &breaks.breaks);
        let known: Vec<bool> = report.results.iter().map(|r| r.result.known.is_some()).collect();
        assert_eq!(known, [true, false, true, true]);
    }

    #[test]
    fn shipped_list_parses() {
        let breaks: super::KnownBreaks = toml::from_str(super::KNOWN_BREAKS).unwrap();
        assert!(!breaks.breaks.is_empty());
        assert!(
            breaks.breaks.iter().all(|b| b.reference.starts_with("https://") || b.reference.starts_with("README.md#"))
        );
    }
}
