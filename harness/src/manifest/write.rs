//! Writes a manifest back in `stable_abi.toml` form: how the shipped copy is (re)generated.

use std::fmt::Write as _;

use super::{Entry, EntryKind, Manifest, OnWindows};

impl Manifest {
    /// The manifest as TOML in CPython's format, entries grouped by kind and sorted by name.
    pub fn to_toml(&self, header: &str) -> String {
        let mut out = String::new();
        for line in header.lines() {
            let _ = writeln!(out, "{}", format!("# {line}").trim_end());
        }
        for kind in EntryKind::ALL {
            let entries: Vec<&Entry> = self.of_kind(kind).collect();
            if entries.is_empty() {
                continue;
            }
            out.push('\n');
            for entry in entries {
                let _ = writeln!(out, "[{}.{}]", kind.toml_name(), entry.name);
                if let Some(added) = entry.added {
                    let _ = writeln!(out, "    added = '{added}'");
                }
                if let Some(ifdef) = &entry.ifdef {
                    let _ = writeln!(out, "    ifdef = '{ifdef}'");
                }
                if entry.abi_only {
                    out.push_str("    abi_only = true\n");
                }
                if let Some(struct_kind) = entry.struct_abi_kind {
                    let _ = writeln!(out, "    struct_abi_kind = '{}'", struct_kind.toml_name());
                }
                if entry.abi3t_opaque {
                    out.push_str("    abi3t_opaque = true\n");
                }
                if !entry.members.is_empty() {
                    let members: Vec<String> = entry.members.iter().map(|m| format!("'{m}'")).collect();
                    let _ = writeln!(out, "    members = [{}]", members.join(", "));
                }
                if let Some(doc) = &entry.doc {
                    let _ = writeln!(out, "    doc = '{}'", doc.replace('\'', ""));
                }
                match entry.windows {
                    Some(OnWindows::Yes) => out.push_str("    windows = true\n"),
                    Some(OnWindows::No) => out.push_str("    windows = false\n"),
                    Some(OnWindows::Maybe) => out.push_str("    windows = 'maybe'\n"),
                    None => {}
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let manifest = Manifest::builtin();
        let again = Manifest::parse(&manifest.to_toml("x"), "again").unwrap();
        let without_lines =
            |entries: &[Entry]| entries.iter().map(|e| Entry { line: 0, ..e.clone() }).collect::<Vec<_>>();
        assert_eq!(without_lines(&manifest.entries), without_lines(&again.entries));
    }
}
