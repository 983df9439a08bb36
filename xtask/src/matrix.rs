//! `cargo xtask matrix`: the main job, the default matrix on this machine.

use anyhow::Result;
use xshell::Shell;

pub(crate) fn run(sh: &Shell, args: &[String]) -> Result<()> {
    let harness = crate::build_harness(sh)?;
    // The harness's exit code is the job's verdict (1: ABI failures, 2: cannot run): pass it on.
    let status = std::process::Command::new(&harness)
        .args(["run", "--matrix", "matrix.toml"])
        .args(args)
        .current_dir(sh.current_dir())
        .status()?;
    std::process::exit(status.code().unwrap_or(2));
}
