//! abi-harness: checks CPython's Stable ABI promise on real interpreters.
//!
//! Data flows manifest → matrix → interpreters → probe builds → cells run in workers → results
//! → reports; see ARCHITECTURE.md for the map and its invariants.

pub mod build;
pub mod console;
pub mod elf;
pub mod headers;
pub mod interpreter;
pub mod known;
pub mod manifest;
pub mod matrix;
pub mod process;
pub mod plan;
pub mod platform;
pub mod properties;
pub mod report;
pub mod run;
pub mod value;
pub mod version;
pub mod worker;

pub mod cell;

/// The first `bytes` bytes of a digest in hex: cache keys, fingerprints, file tags.
pub fn short_hex(digest: &[u8], bytes: usize) -> String {
    digest.iter().take(bytes).map(|b| format!("{b:02x}")).collect()
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
