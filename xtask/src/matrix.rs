//! `cargo xtask matrix`: the main job, the default matrix on this machine.

use anyhow::Result;
use xshell::Shell;

pub(crate) fn run(sh: &Shell, args: &[String]) -> Result<()> {
    crate::run_harness(sh, &["run", "--matrix", "matrix.toml"], args)
}
