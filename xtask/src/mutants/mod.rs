//! `cargo xtask mutants`: mutation testing of the property catalogue. Every function entry of
//! the manifest that one pyenv interpreter exports is broken in each applicable way by a
//! preload shim generated from the signatures its headers declare (`shim.rs`), one fault per
//! harness run (`--entry` on a one-cell matrix whose interpreter is a wrapper script that
//! preloads the shim), and each fault is recorded as detected, missed, never fired or not
//! called, from the harness's report and the shim's own log of calls and injections.
//!
//! One shim library holds every mutant (selected by `ABI_HARNESS_MUTANT`), one probe build
//! serves every run (the harness's content-addressed cache), and runs go `--jobs` at a time.
//! A full run writes `harness/data/generated/mutants.toml`; `--sample N` (CI) and `--entry`
//! runs write only under `target/`.

mod shim;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use abi_harness::headers::extract::{self, HeaderPaths};
use abi_harness::manifest::{EntryKind, Manifest};
use abi_harness::matrix::InterpreterSource;
use abi_harness::mutation::{self, Mutant, NotApplicable, Outcome, Results};
use abi_harness::properties::contracts::{self, Call};
use abi_harness::version::PyVersion;
use anyhow::{Context, Result, bail};
use serde_json::Value;
use xshell::{Shell, cmd};

use shim::{Kind, Reference, Wrapped};

const USAGE: &str = "usage: cargo xtask mutants [--python 3.12] [--sample N] [--entry NAME]... [--jobs N] [--every N]";

/// The score the acceptance asks for, over the faults that fired.
const REQUIRED_PERCENT: f64 = 95.0;

struct Options {
    python: String,
    sample: Option<usize>,
    entries: Vec<String>,
    jobs: usize,
    /// Break every N-th call instead of every `shim::EVERY`-th (with `--entry`: to tell a
    /// property blind to a fault from one that sees it only on some calls).
    every: u32,
}

fn parse(args: &[String]) -> Result<Options> {
    let mut options = Options { python: "3.12".into(), sample: None, entries: Vec::new(), jobs: 2, every: shim::EVERY };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value\n{USAGE}"));
        match arg.as_str() {
            "--python" => options.python = value()?.clone(),
            "--sample" => options.sample = Some(value()?.parse().context("--sample")?),
            "--entry" => options.entries.push(value()?.clone()),
            "--jobs" => options.jobs = value()?.parse().context("--jobs")?,
            "--every" => options.every = value()?.parse().context("--every")?,
            other => bail!("unknown argument `{other}`\n{USAGE}"),
        }
    }
    if options.every != shim::EVERY && options.entries.is_empty() {
        bail!("--every goes with --entry: the committed results break one call in {}\n{USAGE}", shim::EVERY);
    }
    Ok(options)
}

/// What the chosen interpreter says about itself.
struct Python {
    executable: PathBuf,
    version: String,
    minor: PyVersion,
    include_dir: PathBuf,
    libpython: PathBuf,
}

fn python(sh: &Shell, minor: &str) -> Result<Python> {
    let version: PyVersion = minor.parse()?;
    let found = abi_harness::interpreter::locate(&InterpreterSource::Pyenv { versions: vec![version] })?;
    let executable = found.into_iter().next().with_context(|| {
        format!("CPython {minor} is not installed under pyenv: install it with `pyenv install {minor}`")
    })?;
    let script = "import json, os, platform, sysconfig; v = sysconfig.get_config_var; \
                  print(json.dumps([platform.python_version(), sysconfig.get_paths()['include'], \
                  os.path.join(v('LIBDIR'), v('INSTSONAME') or '')]))";
    let output = cmd!(sh, "{executable} -I -c {script}").read()?;
    let facts: (String, PathBuf, PathBuf) = serde_json::from_str(&output)?;
    if !facts.2.is_file() {
        bail!(
            "{} has no shared libpython ({}): the shim tells the interpreter's own calls apart by libpython's \
             address range; use a pyenv build made with --enable-shared",
            executable.display(),
            facts.2.display()
        );
    }
    Ok(Python { executable, version: facts.0, minor: version, include_dir: facts.1, libpython: facts.2 })
}

/// One harness run: an entry with one fault selected.
#[derive(Clone)]
struct Job {
    index: usize,
    entry: String,
    kind: Kind,
}

pub(crate) fn run(sh: &Shell, args: &[String]) -> Result<()> {
    let options = parse(args)?;
    let started = Instant::now();
    let harness = crate::build_harness(sh)?;
    let root = sh.current_dir();
    let out = root.join("target/abi-harness/mutants");
    sh.remove_path(&out)?;
    sh.create_dir(out.join("runs"))?;
    let python = python(sh, &options.python)?;
    eprintln!("mutants on CPython {} ({})", python.version, python.executable.display());

    // The signatures, the exports, and the reference kinds the contracts state.
    let extraction = extract::extract(
        &HeaderPaths { include_dir: python.include_dir.clone(), after_dir: None, target: None },
        python.minor,
        abi_harness::variant::Target::Abi3,
        &[],
    )?;
    let exported: BTreeSet<String> = abi_harness::elf::dynamic_symbols(&python.libpython)?
        .into_iter()
        .filter(|s| s.defined)
        .map(|s| s.name)
        .collect();
    let references: BTreeMap<String, Reference> = contracts::load()?
        .into_iter()
        .filter_map(|c| match c.call {
            Call::Signature { signature, .. } => Some((c.entry, Reference::of(signature.ret))),
            Call::Body(_) => None,
        })
        .collect();
    let manifest = Manifest::builtin();
    let mut wrapped: Vec<Wrapped> = Vec::new();
    let mut not_applicable: Vec<NotApplicable> = Vec::new();
    for entry in manifest.of_kind(EntryKind::Function) {
        if !entry.available_in(python.minor) || !exported.contains(&entry.name) {
            continue;
        }
        let reference = references.get(&entry.name).copied().unwrap_or(Reference::Unknown);
        match shim::plan(&entry.name, extraction.functions.get(&entry.name), &extraction, reference) {
            Ok(function) => {
                for (kind, reason) in &function.not_applicable {
                    not_applicable.push(NotApplicable {
                        entry: entry.name.clone(),
                        kind: kind.clone(),
                        reason: reason.clone(),
                    });
                }
                wrapped.push(function);
            }
            Err(reason) => not_applicable.push(NotApplicable { entry: entry.name.clone(), kind: "*".into(), reason }),
        }
    }

    // One shim, one wrapper interpreter, one one-cell matrix.
    sh.write_file(out.join("shim.c"), shim::c_source(&wrapped))?;
    sh.write_file(out.join("shim_runtime.h"), shim::RUNTIME)?;
    let library = out.join("libmutants.so");
    let source = out.join("shim.c");
    cmd!(sh, "cc -shared -fPIC -O1 -o {library} {source} -ldl").run().context("compiling the mutants' shim")?;
    let wrapper = out.join("python");
    sh.write_file(
        &wrapper,
        format!("#!/bin/sh\nLD_PRELOAD='{}' exec '{}' \"$@\"\n", library.display(), python.executable.display()),
    )?;
    cmd!(sh, "chmod +x {wrapper}").run()?;
    let matrix = out.join("matrix.toml");
    sh.write_file(
        &matrix,
        format!(
            "# One cell: the chosen interpreter, through the shim, with its own headers' probe.\n\
             # 33 cases, a multiple of the shim's period: when the batch of all cases differs, the\n\
             # harness runs the same cases again one by one in the same worker, and the shim's count\n\
             # then breaks the same calls again, so a seen fault is reproduced and shrunk.\n\
             [settings]\ncases = 33\ncase_timeout_secs = 5\nseed = 1\njobs = 1\n\n\
             [[interpreters]]\nexecutable = \"{}\"\n\n[builds]\nlimited_api = [\"{}\"]\ndebug_headers = false\n",
            wrapper.display(),
            python.minor
        ),
    )?;
    let cache = root.join("target/abi-harness/cache");

    // The baseline: the whole catalogue through the shim, counting only. It proves the shim
    // transparent and says which functions the probe calls at all.
    eprintln!("baseline: every property through the shim, counting calls");
    let baseline_out = out.join("baseline");
    let baseline_log = out.join("baseline.log");
    harness_run(sh, &harness, &matrix, &cache, &baseline_out, None, "count", &baseline_log, shim::EVERY)?;
    let baseline = semantic_statuses(&baseline_out)?;
    let called = called_functions(&baseline_log);

    let selected: Vec<&Wrapped> = select(&wrapped, &options);
    let mut jobs = Vec::new();
    let mut mutants = Vec::new();
    for function in &selected {
        let index = wrapped.iter().position(|w| w.name == function.name).unwrap_or_default();
        let statuses = baseline.get(&function.name);
        let passing = statuses.is_some_and(|s| s.iter().all(|status| status == "pass" || status == "changed"));
        if statuses.is_none() {
            not_applicable.push(NotApplicable {
                entry: function.name.clone(),
                kind: "*".into(),
                reason: "no property of the catalogue ran for it on this interpreter".into(),
            });
            continue;
        }
        if !passing {
            not_applicable.push(NotApplicable {
                entry: function.name.clone(),
                kind: "*".into(),
                reason: format!("its properties do not pass without a fault ({statuses:?}): fix them first"),
            });
            continue;
        }
        for &kind in &function.kinds {
            if called.contains(&function.name) {
                jobs.push(Job { index, entry: function.name.clone(), kind });
            } else {
                mutants.push(Mutant {
                    entry: function.name.clone(),
                    kind: kind.name(),
                    outcome: Outcome::NotCalled,
                    status: None,
                    calls: 0,
                    injections: 0,
                });
            }
        }
    }
    eprintln!("{} functions wrapped, {} selected, {} mutant runs", wrapped.len(), selected.len(), jobs.len());

    let queue = Mutex::new(jobs.into_iter().rev().collect::<Vec<Job>>());
    let found = Mutex::new(Vec::new());
    let total = queue.lock().map(|q| q.len()).unwrap_or(0);
    std::thread::scope(|scope| {
        for _ in 0..options.jobs.max(1) {
            scope.spawn(|| -> Result<()> {
                let sh = Shell::new()?;
                sh.change_dir(&root);
                loop {
                    let Some(job) = queue.lock().ok().and_then(|mut q| q.pop()) else { return Ok(()) };
                    let mutant = run_mutant(&sh, &harness, &matrix, &cache, &out, &job, options.every)?;
                    let mut done = found.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
                    done.push(mutant);
                    if done.len() % 100 == 0 {
                        eprintln!("  {}/{total} mutants ({:.0} s)", done.len(), started.elapsed().as_secs_f64());
                    }
                }
            });
        }
    });
    mutants.extend(found.into_inner().map_err(|_| anyhow::anyhow!("poisoned"))?);
    mutants.sort_by(|a, b| (&a.entry, &a.kind).cmp(&(&b.entry, &b.kind)));
    not_applicable.sort_by(|a, b| (&a.entry, &a.kind).cmp(&(&b.entry, &b.kind)));
    if options.sample.is_some() || !options.entries.is_empty() {
        let chosen: BTreeSet<&str> = selected.iter().map(|w| w.name.as_str()).collect();
        not_applicable.retain(|n| chosen.contains(n.entry.as_str()));
    }

    let seconds = started.elapsed().as_secs_f64();
    let results = Results {
        interpreter: python.version.clone(),
        limited_api: python.minor.to_string(),
        every: options.every,
        seconds,
        measured_on: measured_on(sh),
        mutant: mutants,
        not_applicable,
    };
    let command = format!("cargo xtask mutants --python {}", options.python);
    let text = results.render(&command);
    sh.write_file(out.join("mutants.toml"), &text)?;
    if options.sample.is_none() && options.entries.is_empty() {
        abi_harness::write_atomically(&root.join(mutation::GENERATED_PATH), text.as_bytes())?;
        eprintln!("wrote {}", mutation::GENERATED_PATH);
    }
    let partial = options.sample.is_some() || !options.entries.is_empty();
    summarize(&results, partial)
}

/// The functions to break: all, a fixed sample (every k-th by name), or the named ones.
fn select<'a>(wrapped: &'a [Wrapped], options: &Options) -> Vec<&'a Wrapped> {
    if !options.entries.is_empty() {
        return wrapped.iter().filter(|w| options.entries.contains(&w.name)).collect();
    }
    match options.sample {
        Some(n) if n > 0 && n < wrapped.len() => {
            let step = wrapped.len() / n;
            wrapped.iter().step_by(step.max(1)).take(n).collect()
        }
        _ => wrapped.iter().collect(),
    }
}

fn run_mutant(
    sh: &Shell,
    harness: &Path,
    matrix: &Path,
    cache: &Path,
    out: &Path,
    job: &Job,
    every: u32,
) -> Result<Mutant> {
    let name = format!("{}-{}", job.entry, job.kind.name());
    let run_out = out.join("runs").join(&name);
    let log = out.join("runs").join(format!("{name}.log"));
    let selection = format!("{}:{}", job.index, job.kind.code());
    harness_run(sh, harness, matrix, cache, &run_out, Some(&job.entry), &selection, &log, every)?;
    let statuses = semantic_statuses(&run_out)?.remove(&job.entry).unwrap_or_default();
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let injections = text.lines().filter(|l| *l == "injected").count() as u64;
    let calls: u64 = text
        .lines()
        .filter_map(|l| l.strip_prefix("calls "))
        .filter_map(|l| l.rsplit_once(' ').and_then(|(_, n)| n.parse::<u64>().ok()))
        .sum();
    let called = text.lines().any(|l| l.starts_with("called "));
    let worst = ["crash", "timeout", "fail"].into_iter().find(|bad| statuses.iter().any(|s| s == bad));
    let outcome = match (worst, injections, called) {
        (Some(_), _, _) => Outcome::Detected,
        (None, 0, false) => Outcome::NotCalled,
        (None, 0, true) => Outcome::NeverFired,
        (None, _, _) => Outcome::Missed,
    };
    // No semantic result at all: the fault made the property vanish (the probe lists its
    // routines with API calls too), which the harness did not report.
    let status = worst.map(str::to_owned).or_else(|| statuses.first().cloned()).or_else(|| Some("absent".into()));
    sh.remove_path(&run_out)?;
    sh.remove_path(&log)?;
    Ok(Mutant { entry: job.entry.clone(), kind: job.kind.name(), outcome, status, calls, injections })
}

#[allow(clippy::too_many_arguments)]
fn harness_run(
    sh: &Shell,
    harness: &Path,
    matrix: &Path,
    cache: &Path,
    out: &Path,
    entry: Option<&str>,
    selection: &str,
    log: &Path,
    every: u32,
) -> Result<()> {
    let entry: Vec<&str> = entry.map(|e| vec!["--entry", e]).unwrap_or_default();
    let output =
        cmd!(sh, "{harness} run --matrix {matrix} --checks semantic --cache {cache} --out {out} --jobs 1 {entry...}")
            .env("ABI_HARNESS_MUTANT", selection)
            .env("ABI_HARNESS_MUTANT_LOG", log)
            .env("ABI_HARNESS_MUTANT_EVERY", every.to_string())
            .ignore_status()
            .quiet()
            .output()?;
    // 0: every check passed, 1: a failure (a detected mutant); anything else: could not run.
    if !matches!(output.status.code(), Some(0 | 1)) {
        bail!(
            "abi-harness could not run a mutant ({selection}, {}): {}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

/// Per entry, the statuses of its semantic results in a run's report.
fn semantic_statuses(out: &Path) -> Result<BTreeMap<String, Vec<String>>> {
    let path = out.join("report.json");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).with_context(|| path.display().to_string())?)?;
    let mut statuses: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for cell in report["cells"].as_array().into_iter().flatten() {
        for result in cell["results"].as_array().into_iter().flatten() {
            if let (Some(entry), Some(status), true) =
                (result["entry"].as_str(), result["status"].as_str(), result["check"] == "semantic")
            {
                statuses.entry(entry.to_owned()).or_default().push(status.to_owned());
            }
        }
    }
    Ok(statuses)
}

fn called_functions(log: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.strip_prefix("called ").map(str::to_owned))
        .collect()
}

fn measured_on(sh: &Shell) -> String {
    let date = cmd!(sh, "date -u +%Y-%m-%d").quiet().read().unwrap_or_default();
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    format!("{date}, {cores} cores")
}

/// Prints the score and every undetected mutant with its reason; fails with an unexplained
/// one, and below the required score on a full run. A partial run (a sample, `--entry`) is
/// judged against the committed results instead: a mutant they record as detected must still
/// be detected (a sample's score says little; the committed run's is the figure).
fn summarize(results: &Results, partial: bool) -> Result<()> {
    let reasons = mutation::reasons()?;
    let score = results.score();
    // A reference fault on a release build is seen only when the early free it causes is
    // reused before the caller's last use (a crash or a wrong value): chance, from run to run.
    let by_chance = |m: &Mutant| mutation::REFERENCE_KINDS.contains(&m.kind.as_str());
    let committed = if partial { Some(Results::generated()?) } else { None };
    let detected_before = |m: &Mutant| {
        committed.as_ref().is_some_and(|c| {
            c.mutant.iter().any(|c| c.entry == m.entry && c.kind == m.kind && c.outcome == Outcome::Detected)
        })
    };
    let undetected: Vec<_> = mutation::undetected(results, &reasons)
        .into_iter()
        .map(|(m, reason)| {
            let chance = "a reference fault on a release build, detected in the committed run: whether the early \
                          free is reused (and shows) is chance from run to run";
            (m, reason.or_else(|| (by_chance(m) && detected_before(m)).then_some(chance)))
        })
        .collect();
    println!(
        "mutants on CPython {} (limited API {}, one call in {} from the probe broken), {:.0} s:",
        results.interpreter, results.limited_api, results.every, results.seconds
    );
    println!(
        "  detected {}, missed {}, never fired {}, not called {}; not applicable {}",
        score.detected, score.missed, score.never_fired, score.not_called, score.not_applicable
    );
    println!("  mutation score {:.1}% of the faults that fired (required {REQUIRED_PERCENT}%)", score.percent());
    let mut unexplained = 0;
    for (mutant, reason) in &undetected {
        if reason.is_none() {
            unexplained += 1;
        }
        println!(
            "  {:<11} {} {}: {}",
            mutant.outcome.name(),
            mutant.entry,
            mutant.kind,
            reason.unwrap_or("NO REASON (harness/data/mutant_reasons.toml)")
        );
    }
    let regressed: Vec<String> = if partial && results.every == shim::EVERY {
        results
            .mutant
            .iter()
            .filter(|m| m.outcome != Outcome::Detected && !by_chance(m) && detected_before(m))
            .map(|m| format!("{} {} ({})", m.entry, m.kind, m.outcome.name()))
            .collect()
    } else {
        Vec::new()
    };
    for mutant in &regressed {
        println!("  no longer detected (the committed results detect it): {mutant}");
    }
    let below = !partial && score.percent() < REQUIRED_PERCENT;
    if unexplained > 0 || below || !regressed.is_empty() {
        bail!(
            "{unexplained} undetected mutants without a reason, {} no longer detected; score {:.1}% (required \
             {REQUIRED_PERCENT}% on a full run)",
            regressed.len(),
            score.percent()
        );
    }
    Ok(())
}
