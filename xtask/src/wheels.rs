//! `cargo xtask wheels`: the wheel corpus (`wheels.toml`) on the default matrix's interpreters.

use anyhow::Result;
use xshell::Shell;

pub(crate) fn run(sh: &Shell, args: &[String]) -> Result<()> {
    let harness = crate::build_harness(sh)?;
    // The harness's exit code is the job's verdict (1: a wheel failed, 2: cannot run).
    let status = std::process::Command::new(&harness)
        .args(["wheels", "--matrix", "matrix.toml"])
        .args(args)
        .current_dir(sh.current_dir())
        .status()?;
    std::process::exit(status.code().unwrap_or(2));
}
