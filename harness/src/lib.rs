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

pub mod build;
pub mod cases;
pub mod changes;
pub mod console;
pub mod coverage;
pub mod diff;
pub mod elf;
pub mod headers;
pub mod interpreter;
pub mod known;
pub mod manifest;
pub mod matrix;
pub mod merge;
pub mod plan;
pub mod platform;
pub mod process;
pub mod properties;
pub mod render;
pub mod report;
pub mod reproducer;
pub mod run;
pub mod value;
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
