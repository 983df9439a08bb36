//! The coverage view: for every manifest entry, the strongest check that exercises it, and
//! where that is not a semantic check, the written reason (`data/coverage_reasons.toml`).
//!
//! Two sources: a report (what ran) or the catalogue (what a default run would run). Levels
//! are ordered by strength: a semantic property beats a dynamic presence check, which beats a
//! static header comparison.
//!
//! Beside each function entry, what mutation testing (`cargo xtask mutants`, results in
//! `data/generated/mutants.toml`) made of its properties: the fault kinds detected, those
//! missed or never fired with their written reason, those that do not apply with why.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::manifest::{Entry, EntryKind, Manifest};
use crate::mutation::{self, EntryMutation};
use crate::outcome::{Check, EntryResult, Status};
use crate::properties::Property;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    None,
    Static,
    Presence,
    Semantic,
}

impl Level {
    /// The name `report.json` and `--format json` use.
    pub fn name(self) -> &'static str {
        match self {
            Level::None => "none",
            Level::Static => "static",
            Level::Presence => "presence",
            Level::Semantic => "semantic",
        }
    }

    fn of(check: Check) -> Level {
        match check {
            Check::Semantic | Check::Refleak => Level::Semantic,
            Check::Import | Check::Presence => Level::Presence,
            Check::Static => Level::Static,
        }
    }
}

/// One row of the view.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    pub entry: String,
    pub kind: EntryKind,
    pub level: Level,
    /// Why there is no semantic check; `None` for a semantic level, or when nobody wrote one.
    pub reason: Option<String>,
    /// What the committed mutation run found for this entry (function entries it covered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mutation: Option<EntryMutation>,
}

/// The committed mutation results and reasons, per entry, read once. The unit tests of
/// `mutation` keep both files parseable; were one not, the view would show no mutation column
/// rather than fail a run.
static MUTATION: LazyLock<(Option<mutation::Results>, BTreeMap<String, EntryMutation>)> =
    LazyLock::new(|| match (mutation::Results::generated(), mutation::reasons()) {
        (Ok(results), Ok(reasons)) => {
            let rows = mutation::by_entry(&results, &reasons);
            (Some(results), rows)
        }
        _ => (None, BTreeMap::new()),
    });

/// The mutation score of the committed run, for the coverage view's summary.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MutationSummary {
    /// The interpreter it ran in, and the command that regenerates it.
    pub interpreter: String,
    pub score: mutation::Score,
    /// Detected over fired, in percent.
    pub percent: f64,
    /// Undetected mutants without a written reason (the unit tests keep this at 0).
    pub unexplained: usize,
}

fn mutation_summary() -> Option<MutationSummary> {
    let results = MUTATION.0.as_ref()?;
    let reasons = mutation::reasons().ok()?;
    let score = results.score();
    let unexplained = mutation::undetected(results, &reasons).iter().filter(|(_, r)| r.is_none()).count();
    Some(MutationSummary { interpreter: results.interpreter.clone(), score, percent: score.percent(), unexplained })
}

/// The coverage text's mutation part: the score, and every undetected mutant with its reason.
pub fn mutation_text() -> String {
    use std::fmt::Write as _;
    let Some(results) = MUTATION.0.as_ref() else {
        return String::from("\nmutation score: harness/data/generated/mutants.toml cannot be read\n");
    };
    let reasons = mutation::reasons().unwrap_or_default();
    let score = results.score();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nmutation score (cargo xtask mutants on CPython {}, one call in {} from the probe broken): {:.1}% of the \
         faults that fired ({} detected, {} missed); {} never fired, {} not called, {} fault kinds not applicable",
        results.interpreter,
        results.every,
        score.percent(),
        score.detected,
        score.missed,
        score.never_fired,
        score.not_called,
        score.not_applicable
    );
    for (mutant, reason) in mutation::undetected(results, &reasons) {
        let _ = writeln!(
            out,
            "  {:<11} {} {}: {}",
            mutant.outcome.name(),
            mutant.entry,
            mutant.kind,
            reason.unwrap_or("no reason yet")
        );
    }
    out
}

const REASONS: &str = include_str!("../data/coverage_reasons.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReasonsFile {
    reasons: BTreeMap<String, String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReasonsError {
    #[error("harness/data/coverage_reasons.toml: {0}")]
    Syntax(String),
    #[error("harness/data/coverage_reasons.toml: `{0}` is not an entry of the manifest")]
    UnknownEntry(String),
}

/// The written reasons, checked against the manifest.
pub fn reasons(manifest: &Manifest) -> Result<BTreeMap<String, String>, ReasonsError> {
    let file: ReasonsFile = toml::from_str(REASONS).map_err(|err| ReasonsError::Syntax(err.to_string()))?;
    if let Some(unknown) = file.reasons.keys().find(|name| manifest.get(name).is_none()) {
        return Err(ReasonsError::UnknownEntry(unknown.clone()));
    }
    Ok(file.reasons)
}

/// Entries that are outside what this harness can run at all, with the reason.
fn inherent_reason(entry: &crate::manifest::Entry) -> Option<String> {
    match entry.ifdef.as_deref() {
        Some("MS_WINDOWS") => Some("Windows only (MS_WINDOWS): not in a Linux interpreter".into()),
        Some("USE_STACKCHECK") => Some("only with USE_STACKCHECK, which no Linux build defines".into()),
        _ => None,
    }
}

fn rows(manifest: &Manifest, reasons: &BTreeMap<String, String>, level_of: impl Fn(&Entry) -> Level) -> Vec<Coverage> {
    manifest
        .entries
        .iter()
        .map(|entry| {
            let level = level_of(entry);
            let reason = (level < Level::Semantic)
                .then(|| reasons.get(&entry.name).cloned().or_else(|| inherent_reason(entry)))
                .flatten();
            let mutation = MUTATION.1.get(&entry.name).cloned();
            Coverage { entry: entry.name.clone(), kind: entry.kind, level, reason, mutation }
        })
        .collect()
}

/// What ran: the strongest check with a result other than `skip` among a run's results on
/// manifest entries (`Report::entry_results`).
pub fn from_results<'a>(
    manifest: &Manifest,
    reasons: &BTreeMap<String, String>,
    results: impl Iterator<Item = &'a EntryResult>,
) -> Vec<Coverage> {
    let mut strongest: BTreeMap<&str, Level> = BTreeMap::new();
    for result in results {
        if result.status == Status::Skip {
            continue;
        }
        let level = strongest.entry(result.entry.as_str()).or_insert(Level::None);
        *level = (*level).max(Level::of(result.check));
    }
    rows(manifest, reasons, |entry| strongest.get(entry.name.as_str()).copied().unwrap_or(Level::None))
}

/// What a full run would exercise: properties, presence for every symbol, and static checks
/// for the kinds `static_kinds` covers.
pub fn planned(
    manifest: &Manifest,
    reasons: &BTreeMap<String, String>,
    catalogue: &[Property],
    static_kinds: &[EntryKind],
) -> Vec<Coverage> {
    rows(manifest, reasons, |entry| {
        let windows_only = entry.ifdef.as_deref() == Some("MS_WINDOWS");
        if catalogue.iter().any(|p| p.entry == entry.name) {
            Level::Semantic
        } else if entry.kind.is_symbol() && !windows_only {
            Level::Presence
        } else if static_kinds.contains(&entry.kind) && !windows_only {
            Level::Static
        } else {
            Level::None
        }
    })
}

/// Counts per kind and level, and the figure the acceptance asks about.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// kind → level → entries.
    pub by_kind: BTreeMap<String, BTreeMap<String, usize>>,
    /// Function and data entries available on Linux (not Windows-only).
    pub linux_symbols: usize,
    /// Of those, how many have no semantic check.
    pub linux_symbols_below_semantic: usize,
    /// Of those, how many have no semantic check and no written reason either.
    pub linux_symbols_unexplained: usize,
    /// The mutation score of the committed `cargo xtask mutants` run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mutation: Option<MutationSummary>,
}

impl Summary {
    pub fn of(manifest: &Manifest, rows: &[Coverage]) -> Summary {
        let mut summary = Summary { mutation: mutation_summary(), ..Summary::default() };
        for row in rows {
            *summary
                .by_kind
                .entry(row.kind.to_string())
                .or_default()
                .entry(row.level.name().to_owned())
                .or_default() += 1;
            let linux_symbol =
                row.kind.is_symbol() && manifest.get(&row.entry).is_some_and(|e| inherent_reason(e).is_none());
            if linux_symbol {
                summary.linux_symbols += 1;
                if row.level < Level::Semantic {
                    summary.linux_symbols_below_semantic += 1;
                    if row.reason.is_none() {
                        summary.linux_symbols_unexplained += 1;
                    }
                }
            }
        }
        summary
    }

    /// Percentage of Linux function and data entries without a semantic check.
    pub fn below_semantic_percent(&self) -> f64 {
        if self.linux_symbols == 0 {
            return 0.0;
        }
        100.0 * self.linux_symbols_below_semantic as f64 / self.linux_symbols as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_reasons_name_manifest_entries() {
        let manifest = Manifest::builtin();
        let reasons = reasons(&manifest).expect("the shipped reasons parse and name real entries");
        assert!(!reasons.is_empty());
    }

    #[test]
    fn every_property_counts_as_semantic_and_windows_only_entries_have_a_reason() {
        let manifest = Manifest::builtin();
        let catalogue = crate::properties::catalogue();
        let rows = planned(&manifest, &BTreeMap::new(), &catalogue, &[]);
        for property in catalogue.iter().filter(|p| manifest.get(p.entry).is_some()) {
            let row = rows.iter().find(|r| r.entry == property.entry).expect("a row per entry");
            assert_eq!(row.level, Level::Semantic, "{}", property.entry);
        }
        let windows = rows.iter().find(|r| r.entry == "PyErr_SetFromWindowsErr").expect("a Windows-only entry");
        assert_eq!(windows.level, Level::None);
        assert!(windows.reason.as_deref().is_some_and(|r| r.contains("Windows")));
    }
}
