//! Integration tests: the real `abi-harness` binary on real interpreters and a real compiler.
//!
//! Tests that need a pyenv interpreter fail, with instructions, when it is missing: a skipped
//! check would pass silently.

mod support;

mod arch;
mod bad_input;
mod coverage;
mod diff;
mod faults;
mod matrix;
mod platforms;
mod presence;
mod probe_languages;
mod reports;
mod shards;
mod static_abi3t;
mod static_headers;
mod variants;
mod wheels;
