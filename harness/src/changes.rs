//! Documented behaviour changes (`data/behaviour_changes.toml`): differences between versions
//! that CPython made on purpose, each with its reference. A result whose outcomes differ from
//! the build's own version across such a change gets the status `changed`.

use serde::Deserialize;

const BEHAVIOUR_CHANGES: &str = include_str!("../data/behaviour_changes.toml");

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BehaviourChange {
    pub entries: Vec<String>,
    /// The first version with the new behaviour, one per branch for a backported change.
    #[serde(default)]
    pub since: Vec<String>,
    /// The result is the running interpreter's own fact (its version, its build): any two
    /// versions differ by design, so `since` is empty.
    #[serde(default)]
    pub per_version: bool,
    pub reference: String,
    pub summary: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangesFile {
    change: Vec<BehaviourChange>,
}

#[derive(Debug, thiserror::Error)]
#[error("harness/data/behaviour_changes.toml: {0}")]
pub struct ChangesError(String);

/// The shipped list; a test checks that it parses and that its versions do.
pub fn behaviour_changes() -> Result<Vec<BehaviourChange>, ChangesError> {
    let file: ChangesFile = toml::from_str(BEHAVIOUR_CHANGES).map_err(|err| ChangesError(err.to_string()))?;
    for change in &file.change {
        if change.per_version {
            if !change.since.is_empty() {
                return Err(ChangesError(format!(
                    "the change cited as {} is per_version: it has no `since`",
                    change.reference
                )));
            }
        } else if change.since.is_empty() || change.since.iter().any(|v| parse(v).is_none()) {
            return Err(ChangesError(format!(
                "`since` of the change cited as {} must list versions like \"3.12\" or \"3.7.14\"",
                change.reference
            )));
        }
    }
    Ok(file.change)
}

/// (major, minor, micro) of "3.12", "3.7.14" or "3.15.0a1" (the pre-release tag is ignored).
fn parse(version: &str) -> Option<(u32, u32, u32)> {
    let mut parts = version
        .split('.')
        .map(|part| part.chars().take_while(char::is_ascii_digit).collect::<String>().parse::<u32>().ok());
    let major = parts.next()??;
    let minor = parts.next()??;
    let micro = parts.next().flatten().unwrap_or(0);
    Some((major, minor, micro))
}

impl BehaviourChange {
    /// Whether `version` (a full version) behaves the new way.
    pub fn in_effect(&self, version: &str) -> bool {
        let Some(v) = parse(version) else { return false };
        let firsts: Vec<(u32, u32, u32)> = self.since.iter().filter_map(|s| parse(s)).collect();
        if let Some(first) = firsts.iter().find(|f| (f.0, f.1) == (v.0, v.1)) {
            return v >= *first;
        }
        firsts.iter().map(|f| (f.0, f.1)).max().is_some_and(|newest| (v.0, v.1) > newest)
    }

    /// Whether this change separates the behaviour of `entry` on two versions.
    pub fn explains(&self, entry: &str, baseline: &str, version: &str) -> bool {
        if self.per_version {
            return self.entries.iter().any(|e| e == entry) && baseline != version;
        }
        self.entries.iter().any(|e| e == entry) && self.in_effect(baseline) != self.in_effect(version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_list_parses() {
        assert!(!behaviour_changes().expect("parses").is_empty());
    }

    #[test]
    fn a_change_separates_versions_on_either_side_only() {
        let change = |since: &[&str]| BehaviourChange {
            entries: vec!["E".into()],
            since: since.iter().map(|s| s.to_string()).collect(),
            reference: String::new(),
            summary: String::new(),
            per_version: false,
        };
        let pep683 = change(&["3.12"]);
        assert!(pep683.explains("E", "3.11.7", "3.12.1"));
        assert!(pep683.explains("E", "3.15.2", "3.6.15"), "either order");
        assert!(!pep683.explains("E", "3.12.1", "3.14.10"));
        assert!(!pep683.explains("other", "3.11.7", "3.12.1"));
        let backported = change(&["3.7.14", "3.8.14", "3.9.14", "3.10.7", "3.11"]);
        assert!(backported.explains("E", "3.6.15", "3.7.16"));
        assert!(backported.explains("E", "3.9.2", "3.9.18"), "a patch release before the backport");
        assert!(!backported.explains("E", "3.7.16", "3.13.0"));
    }
}
