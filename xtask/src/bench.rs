//! `cargo xtask bench`: the figures the README records. Speed targets live here, not in tests.
//!
//! 1. The default matrix with warm probe builds and header reads: wall time, peak memory (largest process),
//!    property cases per second.
//! 2. Presence checks for 3.11, 3.12 and 3.13 together, against running each one's own
//!    `test_stable_abi_ctypes`.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use abi_harness::interpreter;
use abi_harness::matrix::InterpreterSource;
use anyhow::{Context, Result, bail};
use serde_json::Value;
use xshell::Shell;

pub(crate) fn run(sh: &Shell, args: &[String]) -> Result<()> {
    if !args.is_empty() {
        bail!("usage: cargo xtask bench");
    }
    let harness = crate::build_harness(sh)?;
    let root = sh.current_dir();
    let out = root.join("target/abi-harness/bench");

    eprintln!("warming the probe cache (not timed)");
    timed(Command::new(&harness).args(["run", "--matrix", "matrix.toml", "--checks", "import,static", "--out"]).arg(out.join("warm")))?;

    eprintln!("timing the default matrix");
    let (matrix_time, _) = timed(Command::new(&harness).args(["run", "--matrix", "matrix.toml", "--out"]).arg(out.join("matrix")))?;
    let peak_kib = peak_child_rss_kib();
    let report: Value = serde_json::from_str(&std::fs::read_to_string(out.join("matrix/report.json"))?)?;
    let cells = report["cells"].as_array().context("report cells")?;
    let cases: u64 = cells.iter().filter_map(|c| c["cases"].as_u64()).sum();
    let results: usize = cells.iter().filter_map(|c| c["results"].as_array().map(Vec::len)).sum();

    eprintln!("timing presence checks against test_stable_abi_ctypes");
    let pythons: Vec<PathBuf> = ["3.11", "3.12", "3.13"].iter().map(|v| pyenv(v)).collect::<Result<_>>()?;
    let (ours, _) = timed(
        Command::new(&harness)
            .args(["check", "--checks", "presence", "--matrix", "matrix.toml", "--out"])
            .arg(out.join("presence"))
            .args(&pythons),
    )?;
    let mut theirs = Duration::ZERO;
    for python in &pythons {
        let (took, _) = timed(Command::new(python).args(["-m", "test", "-q", "test_stable_abi_ctypes"]))?;
        theirs += took;
    }

    println!("default matrix ({} cells, {results} results, {cases} property cases, probes already built):", cells.len());
    println!("  wall time            {:>8.1} s", matrix_time.as_secs_f64());
    println!("  peak memory          {:>8.1} MiB (largest single process: harness or worker)", peak_kib as f64 / 1024.0);
    println!("  property cases/s     {:>8.0}", cases as f64 / matrix_time.as_secs_f64());
    println!("  costliest properties (seconds summed over cells, semantic + refleak):");
    for (routine, ms) in costliest(cells, 12) {
        println!("    {:>7.1}  {routine}", ms as f64 / 1000.0);
    }
    println!("presence, 3.11 + 3.12 + 3.13:");
    println!("  abi-harness check    {:>8.2} s (all builds' cells, presence only)", ours.as_secs_f64());
    println!("  test_stable_abi_ctypes {:>6.2} s (sum of the three runs)", theirs.as_secs_f64());
    Ok(())
}

/// The properties that took longest over all cells, by their `elapsed_ms`.
fn costliest(cells: &[Value], count: usize) -> Vec<(String, u64)> {
    let mut by_routine: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    for result in cells.iter().filter_map(|c| c["results"].as_array()).flatten() {
        if let (Some(routine), Some(ms)) = (result["property"].as_str().or(result["entry"].as_str()), result["elapsed_ms"].as_u64()) {
            *by_routine.entry(routine.to_owned()).or_default() += ms;
        }
    }
    let mut sorted: Vec<(String, u64)> = by_routine.into_iter().collect();
    sorted.sort_by_key(|(_, ms)| std::cmp::Reverse(*ms));
    sorted.truncate(count);
    sorted
}

fn timed(command: &mut Command) -> Result<(Duration, std::process::ExitStatus)> {
    let started = Instant::now();
    let status = command.stdout(std::process::Stdio::null()).status().with_context(|| format!("running {command:?}"))?;
    let took = started.elapsed();
    // Exit code 1 means ABI findings, which a benchmark still measures; 2 means it could not run.
    if status.code() == Some(2) || status.code().is_none() {
        bail!("{command:?} failed: {status}");
    }
    Ok((took, status))
}

/// The largest resident set of any finished child or grandchild.
fn peak_child_rss_kib() -> i64 {
    // SAFETY: getrusage only writes the struct we pass.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage.ru_maxrss
    }
}

/// The pyenv interpreter of a minor version, found as the harness finds it.
fn pyenv(minor: &str) -> Result<PathBuf> {
    let version = minor.parse()?;
    let found = interpreter::locate(&InterpreterSource::Pyenv { versions: vec![version] })?;
    found.into_iter().next().with_context(|| format!("CPython {minor} is not installed under pyenv"))
}
