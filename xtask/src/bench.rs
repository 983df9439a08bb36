//! `cargo xtask bench`: the figures the README records. Speed targets live here, not in tests.
//!
//! 1. The default matrix with warm probe builds and header reads: wall time, peak memory (the
//!    largest process of that run: the harness or a worker), property cases per second.
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

/// The default matrix's budget as a ratio to `test_stable_abi_ctypes` on 3.11 to 3.13: the 180 s
/// target over the 0.40 s the reference took on the same machine on 2026-11-28.
const MATRIX_BUDGET_RATIO: f64 = 450.0;

pub(crate) fn run(sh: &Shell, args: &[String]) -> Result<()> {
    if !args.is_empty() {
        bail!("usage: cargo xtask bench");
    }
    let harness = crate::build_harness(sh)?;
    let root = sh.current_dir();
    let out = root.join("target/abi-harness/bench");

    eprintln!("warming the probe cache (not timed)");
    timed(
        Command::new(&harness)
            .args(["run", "--matrix", "matrix.toml", "--checks", "import,static", "--out"])
            .arg(out.join("warm")),
    )?;

    eprintln!("timing the default matrix");
    let Timed { took: matrix_time, peak_kib } =
        timed(Command::new(&harness).args(["run", "--matrix", "matrix.toml", "--out"]).arg(out.join("matrix")))?;
    let report: Value = serde_json::from_str(&std::fs::read_to_string(out.join("matrix/report.json"))?)?;
    let cells = report["cells"].as_array().context("report cells")?;
    let cases: u64 = cells.iter().filter_map(|c| c["cases"].as_u64()).sum();
    let results: usize = cells.iter().filter_map(|c| c["results"].as_array().map(Vec::len)).sum();

    eprintln!("timing presence checks against test_stable_abi_ctypes");
    let pythons: Vec<PathBuf> = ["3.11", "3.12", "3.13"].iter().map(|v| pyenv(v)).collect::<Result<_>>()?;
    let Timed { took: ours, .. } = timed(
        Command::new(&harness)
            .args(["check", "--checks", "presence", "--matrix", "matrix.toml", "--out"])
            .arg(out.join("presence"))
            .args(&pythons),
    )?;
    let mut theirs = Duration::ZERO;
    for python in &pythons {
        theirs += timed(Command::new(python).args(["-m", "test", "-q", "test_stable_abi_ctypes"]))?.took;
    }

    println!(
        "default matrix ({} cells, {results} results, {cases} property cases, probes already built):",
        cells.len()
    );
    println!("  wall time            {:>8.1} s", matrix_time.as_secs_f64());
    println!(
        "  peak memory          {:>8.1} MiB (largest single process of the run: harness or worker)",
        peak_kib as f64 / 1024.0
    );
    println!("  property cases/s     {:>8.0}", cases as f64 / matrix_time.as_secs_f64());
    println!("  costliest properties (seconds summed over cells, semantic + refleak):");
    for (routine, ms) in costliest(cells, 12) {
        println!("    {:>7.1}  {routine}", ms as f64 / 1000.0);
    }
    println!("presence, 3.11 + 3.12 + 3.13:");
    println!("  abi-harness check    {:>8.2} s (all builds' cells, presence only)", ours.as_secs_f64());
    println!("  test_stable_abi_ctypes {:>6.2} s (sum of the three runs)", theirs.as_secs_f64());
    // Absolute times on shared machines swing 2x between runs; the budgets are judged on these
    // ratios to a reference measured in the same run.
    let reference = theirs.as_secs_f64().max(f64::EPSILON);
    println!("ratios to test_stable_abi_ctypes (same run):");
    println!(
        "  default matrix       {:>8.0}x (budget {MATRIX_BUDGET_RATIO:.0}x: 180 s at the 0.40 s reference of 2026-11-28)",
        matrix_time.as_secs_f64() / reference
    );
    println!("  presence             {:>8.2}x (budget 1x)", ours.as_secs_f64() / reference);
    Ok(())
}

/// The properties that took longest over all cells, by their `elapsed_ms`.
fn costliest(cells: &[Value], count: usize) -> Vec<(String, u64)> {
    let mut by_routine: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    for result in cells.iter().filter_map(|c| c["results"].as_array()).flatten() {
        if let (Some(routine), Some(ms)) =
            (result["property"].as_str().or(result["entry"].as_str()), result["elapsed_ms"].as_u64())
        {
            *by_routine.entry(routine.to_owned()).or_default() += ms;
        }
    }
    let mut sorted: Vec<(String, u64)> = by_routine.into_iter().collect();
    sorted.sort_by_key(|(_, ms)| std::cmp::Reverse(*ms));
    sorted.truncate(count);
    sorted
}

struct Timed {
    took: Duration,
    /// The largest resident set of the command or any process it waited for.
    peak_kib: i64,
}

/// Runs a command to its end. Its peak memory is its own rusage (wait4), not the bench's
/// RUSAGE_CHILDREN, which would also count the compilers of earlier steps.
fn timed(command: &mut Command) -> Result<Timed> {
    let started = Instant::now();
    let child = command.stdout(std::process::Stdio::null()).spawn().with_context(|| format!("running {command:?}"))?;
    let pid = libc::pid_t::try_from(child.id())?;
    let mut raw_status = 0;
    // SAFETY: a zeroed rusage is a valid value; wait4 waits for our own child and writes only
    // the status and the rusage we pass.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut raw_status, 0, &mut usage) };
    if waited != pid {
        bail!("waiting for {command:?}: {}", std::io::Error::last_os_error());
    }
    let took = started.elapsed();
    let status = <std::process::ExitStatus as std::os::unix::process::ExitStatusExt>::from_raw(raw_status);
    // Exit code 1 means ABI findings, which a benchmark still measures; 2 means it could not run.
    if status.code() == Some(2) || status.code().is_none() {
        bail!("{command:?} failed: {status}");
    }
    Ok(Timed { took, peak_kib: usage.ru_maxrss })
}

/// The pyenv interpreter of a minor version, found as the harness finds it.
fn pyenv(minor: &str) -> Result<PathBuf> {
    let version = minor.parse()?;
    let found = interpreter::locate(&InterpreterSource::Pyenv { versions: vec![version] })?;
    found.into_iter().next().with_context(|| format!("CPython {minor} is not installed under pyenv"))
}
