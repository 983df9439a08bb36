//! `cargo xtask arch`: the foreign architectures' matrix (`matrix-arch.toml`: i386, arm64 and
//! s390x root filesystems, their probes cross-compiled on the host), its report in
//! `target/abi-harness/arch`. `.ci/run` runs it as it is (8 cases per property); the nightly
//! job adds `--cases 64`.

use anyhow::Result;
use xshell::Shell;

pub(crate) fn run(sh: &Shell, args: &[String]) -> Result<()> {
    crate::run_harness(sh, &["run", "--matrix", "matrix-arch.toml", "--out", "target/abi-harness/arch"], args)
}
