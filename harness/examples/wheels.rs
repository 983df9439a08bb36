//! A stand-in for `abi-harness wheels` until the CLI wires it: the corpus (or `--wheel PATH`
//! files) on the host's pyenv interpreters (or `--python PATH`), written as a report.
//!
//!     cargo run --example wheels -- [--corpus wheels.toml] [--wheel PATH]... [--python PATH]...
//!         [--offline] [--out target/abi-harness/wheels-run]
//!
//! Exit codes as the harness's: 0 no failure, 1 a failure, 2 could not run.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use abi_harness::interpreter::{self, Interpreter};
use abi_harness::manifest::Manifest;
use abi_harness::matrix::InterpreterSource;
use abi_harness::platform::Platform;
use abi_harness::wheels::{self, Corpus, WheelSpec, WheelsOptions};
use anyhow::Context;

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run() -> anyhow::Result<bool> {
    let mut args = std::env::args().skip(1);
    let (mut corpus, mut local, mut pythons, mut offline) = (None, Vec::new(), Vec::new(), false);
    let mut out = PathBuf::from("target/abi-harness/wheels-run");
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--corpus" => corpus = Some(PathBuf::from(value()?)),
            "--wheel" => local.push(PathBuf::from(value()?)),
            "--python" => pythons.push(PathBuf::from(value()?)),
            "--out" => out = PathBuf::from(value()?),
            "--offline" => offline = true,
            other => anyhow::bail!("unknown argument `{other}`"),
        }
    }
    let mut specs: Vec<WheelSpec> = Vec::new();
    if corpus.is_some() || local.is_empty() {
        let path = corpus.unwrap_or_else(|| PathBuf::from("wheels.toml"));
        specs.extend(Corpus::read(&path)?.wheels);
    }
    for path in &local {
        specs.push(WheelSpec::local(path)?);
    }
    if pythons.is_empty() {
        pythons = interpreter::locate(&InterpreterSource::Pyenv { versions: Vec::new() })?;
    }
    let wanted: Vec<_> = pythons.into_iter().map(|p| (Platform::Host, p)).collect();
    let interpreters: Vec<Interpreter> = interpreter::probe_all(&wanted, None)?;
    let pip =
        if offline { None } else { interpreters.iter().rev().find(|i| i.root.is_none()).map(|i| i.executable.clone()) };
    let options = WheelsOptions {
        cache_dir: wheels::default_cache(),
        work_dir: out.join("work"),
        pip,
        timeout: Duration::from_secs(120),
    };
    let manifest = Manifest::builtin();
    let started = Instant::now();
    let cells = wheels::run(&specs, &interpreters, &manifest, &options)?;
    let header = wheels::header(&manifest, &interpreters, &cells, &options);
    let report = abi_harness::run::write_journal_and_report(&out, &header, None, &cells)?;
    for cell in &report.cells {
        for result in cell.results.iter().filter(|r| r.status.is_failure()) {
            println!(
                "{} on {}: {} {:?} {:?}\n    {}",
                cell.build.id,
                cell.interpreter.version,
                result.entry,
                result.check,
                result.status,
                result.detail.as_deref().unwrap_or("").replace('\n', "\n    ")
            );
        }
    }
    println!(
        "{} wheels, {} cells in {:.0}s: {:?}; report in {}",
        specs.len(),
        report.cells.len(),
        started.elapsed().as_secs_f64(),
        report.summary,
        out.display()
    );
    Ok(report.summary.failures() == 0)
}
