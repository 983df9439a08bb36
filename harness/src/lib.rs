//! abi-harness: checks CPython's Stable ABI promise on real interpreters.
//!
//! Data flows manifest → matrix → interpreters → probe builds → cells run in workers → results
//! → reports; see ARCHITECTURE.md for the map and its invariants.

// Workers are isolated with Unix process groups and signals (`process`); nothing stands in for
// them on Windows yet. Say so at build time rather than with a screen of unresolved names.
#[cfg(not(unix))]
compile_error!(
    "abi-harness needs a Unix: its workers run in process groups and crash with signals (see README, Platforms); Windows is not supported yet"
);

pub mod arch;
pub mod assemble;
pub mod build;
pub mod cases;
pub mod changes;
pub mod console;
pub mod coverage;
pub mod diff;
pub mod elf;
pub mod headers;
pub mod interpreter;
pub mod journal;
pub mod judge;
pub mod key;
pub mod known;
pub mod manifest;
pub mod matrix;
pub mod merge;
pub mod mutation;
pub mod outcome;
pub mod plan;
pub mod platform;
pub mod process;
pub mod properties;
pub mod protocol;
pub mod render;
pub mod report;
pub mod reproducer;
pub mod run;
pub mod value;
pub mod variant;
pub mod version;
pub mod wheels;
pub mod worker;

pub mod cell;

/// The first `bytes` bytes of a digest in hex: cache keys, fingerprints, file tags.
pub fn short_hex(digest: &[u8], bytes: usize) -> String {
    digest.iter().take(bytes).map(|b| format!("{b:02x}")).collect()
}

/// Writes a file so that readers see the old content or the new, never a part: the bytes go
/// to a scratch file beside it (unique per process and thread), which is then renamed over it.
pub fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(format!(".tmp-{}-{}", std::process::id(), process::unique()));
    let scratch = path.with_file_name(name);
    let written = std::fs::write(&scratch, bytes).and_then(|()| std::fs::rename(&scratch, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&scratch);
    }
    written
}

/// A cache folder outside any checkout, so that a fresh clone, CI and `cargo clean` keep it:
/// `$OVERRIDE` if set, else `abi-harness/NAME` under `$XDG_CACHE_HOME`, `~/.cache` or
/// `/var/cache`.
pub fn user_cache_dir(override_var: &str, name: &str) -> std::path::PathBuf {
    use std::path::PathBuf;
    if let Some(dir) = std::env::var_os(override_var) {
        return PathBuf::from(dir);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .unwrap_or_else(|| PathBuf::from("/var/cache"));
    base.join("abi-harness").join(name)
}

/// An error with its chain of causes, one per line, for messages.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!("\n  caused by: {cause}"));
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    /// The model modules (ARCHITECTURE.md, "Code map"): data and pure functions.
    const MODEL: &[&str] = &[
        "arch",
        "assemble",
        "changes",
        "coverage",
        "diff",
        "key",
        "judge",
        "known",
        "manifest",
        "matrix",
        "merge",
        "outcome",
        "plan",
        "properties",
        "protocol",
        "report",
        "value",
        "version",
    ];

    /// `crate::NAME` paths used outside tests and comments, per top-level module.
    fn imports(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
        let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut files = vec![src.to_owned()];
        while let Some(path) = files.pop() {
            if path.is_dir() {
                files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(src).unwrap();
            let module = relative.components().next().unwrap().as_os_str().to_string_lossy();
            let module = module.trim_end_matches(".rs").to_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or_default();
            for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
                for (at, _) in line.match_indices("crate::") {
                    let name: String =
                        line[at + 7..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                    if name != module {
                        graph.entry(module.clone()).or_default().insert(name);
                    }
                }
            }
        }
        graph
    }

    #[test]
    fn the_model_modules_import_each_other_without_a_circle() {
        let graph = imports(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
        assert!(graph.get("report").is_some_and(|i| i.contains("outcome")), "the import scan finds nothing");
        // Depth-first search for a back edge among model modules.
        fn visit<'g>(
            module: &'g str,
            graph: &'g BTreeMap<String, BTreeSet<String>>,
            path: &mut Vec<&'g str>,
            done: &mut BTreeSet<&'g str>,
        ) {
            if let Some(at) = path.iter().position(|m| *m == module) {
                panic!("model modules import each other in a circle: {} -> {module}", path[at..].join(" -> "));
            }
            if !done.insert(module) {
                return;
            }
            path.push(module);
            for next in graph.get(module).into_iter().flatten().filter(|m| super::tests::MODEL.contains(&m.as_str())) {
                visit(next, graph, path, done);
            }
            path.pop();
        }
        let mut done = BTreeSet::new();
        for module in MODEL {
            visit(module, &graph, &mut Vec::new(), &mut done);
        }
    }
}
