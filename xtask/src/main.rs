//! `cargo xtask`: the project's own commands (run the matrix, regenerate data, benchmark).
//!
//! One module per task; every command runs from the workspace root through one xshell `Shell`.

mod arch;
mod bench;
mod codegen;
mod freethreaded;
mod manifest;
mod matrix;
mod mutants;
mod wheels;

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use xshell::Shell;

const USAGE: &str = "\
usage: cargo xtask <task> [args]

tasks:
  matrix [ABI-HARNESS RUN ARGS...]   build the harness and run the default matrix (matrix.toml);
                                     extra arguments go to `abi-harness run`
  arch [--all] [ABI-HARNESS RUN ARGS...]
                                     the foreign architectures' matrix (matrix-arch.toml: i386,
                                     arm64 and s390x under qemu), report in target/abi-harness/arch;
                                     semantic checks of a reduced set of entries unless --all
  manifest [--from-cpython FILE]     regenerate harness/src/manifest/generated/stable_abi.toml
                                     from the abi3info package on PyPI, or from a CPython
                                     checkout's Misc/stable_abi.toml
  codegen                            regenerate probes/generated/contracts.c from the contracts
                                     in harness/data/contracts/*.toml
  wheels [ABI-HARNESS WHEELS ARGS...] the abi3 wheel corpus (wheels.toml) on the default matrix's
                                     interpreters; extra arguments go to `abi-harness wheels`
  mutants [--python 3.12] [--sample N] [--entry NAME]... [--jobs N]
                                     mutation testing: break every function entry the
                                     interpreter exports (a preload shim), run its properties,
                                     record the mutation score (harness/data/generated/mutants.toml)
  freethreaded                       a free-threaded CPython 3.13 (--disable-gil) built from
                                     Debian trixie's source, cached in ~/.cache/abi-harness/cpython;
                                     prints its path (the refusal cells' tests use it)
  bench                              time the default matrix (wall time, peak memory, cases/s)
                                     and presence checks against test_stable_abi_ctypes
";

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let task = args.next();
    let rest: Vec<String> = args.collect();
    let sh = Shell::new()?;
    sh.change_dir(project_root());
    match task.as_deref() {
        Some("matrix") => matrix::run(&sh, &rest),
        Some("arch") => arch::run(&sh, &rest),
        Some("manifest") => manifest::run(&sh, &rest),
        Some("bench") => bench::run(&sh, &rest),
        Some("wheels") => wheels::run(&sh, &rest),
        Some("codegen") => codegen::run(&sh, &rest),
        Some("mutants") => mutants::run(&sh, &rest),
        Some("freethreaded") => freethreaded::run(&sh, &rest),
        Some("help" | "--help" | "-h") | None => {
            print!("{USAGE}");
            Ok(())
        }
        Some(other) => bail!("unknown task `{other}`\n\n{USAGE}"),
    }
}

fn project_root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().map(PathBuf::from).unwrap_or(manifest_dir)
}

/// Builds the release harness and runs `abi-harness SUBCOMMAND... ARGS...` from the project root,
/// exiting with its code: the harness's exit code is the job's verdict (1: failures found, 2:
/// cannot run).
fn run_harness(sh: &Shell, subcommand: &[&str], args: &[String]) -> Result<()> {
    let harness = build_harness(sh)?;
    let status =
        std::process::Command::new(&harness).args(subcommand).args(args).current_dir(sh.current_dir()).status()?;
    std::process::exit(status.code().unwrap_or(2));
}

/// Builds the release harness binary and returns its path.
fn build_harness(sh: &Shell) -> Result<PathBuf> {
    xshell::cmd!(sh, "cargo build --release --quiet --package abi-harness --bin abi-harness")
        .run()
        .context("building abi-harness")?;
    Ok(project_root().join("target/release/abi-harness"))
}
