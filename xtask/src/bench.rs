//! `cargo xtask bench`: the figures the README records.

use anyhow::Result;
use xshell::Shell;

pub(crate) fn run(_sh: &Shell, _args: &[String]) -> Result<()> {
    anyhow::bail!("not written yet")
}
