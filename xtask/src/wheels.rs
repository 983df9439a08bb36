//! `cargo xtask wheels`: the wheel corpus (`wheels.toml`) on the default matrix's interpreters.

use anyhow::Result;
use xshell::Shell;

pub(crate) fn run(sh: &Shell, args: &[String]) -> Result<()> {
    crate::run_harness(sh, &["wheels", "--matrix", "matrix.toml"], args)
}
