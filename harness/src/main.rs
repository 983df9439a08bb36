//! `abi-harness`: the command line. Thin glue over the library; exit codes are documented in
//! README.md: 0 all pass, 1 an ABI failure was found, 2 the run could not be made.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use abi_harness::build::{BuildSpec, Builder, PROBE_MODULE};
use abi_harness::headers::HeaderSet;
use abi_harness::interpreter;
use abi_harness::key::Shard;
use abi_harness::manifest::Manifest;
use abi_harness::matrix::{Matrix, Settings};
use abi_harness::plan::{self, Plan};
use abi_harness::platform::{self, Platform};
use abi_harness::report::{Check, Report};
use abi_harness::run::{self, RunOptions};
use abi_harness::worker::{Fault, Worker};
use abi_harness::{console, diff, judge, merge, properties, protocol};
use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};

const EXIT_PASS: u8 = 0;
const EXIT_ABI_FAILURE: u8 = 1;
const EXIT_CANNOT_RUN: u8 = 2;

/// The default matrix, for `check` when no --matrix is given.
const DEFAULT_MATRIX: &str = include_str!("../../matrix.toml");

#[derive(Parser)]
#[command(
    name = "abi-harness",
    version,
    about = "Checks CPython's Stable ABI promise: probes built against old headers, loaded into newer interpreters"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a matrix: every probe build against every interpreter at or above its version.
    Run {
        /// The matrix file.
        #[arg(long, default_value = "matrix.toml")]
        matrix: PathBuf,
        #[command(flatten)]
        common: Common,
    },
    /// Check interpreters (a redistributor's builds): every default build at or below each one's
    /// version runs against it.
    Check {
        /// Interpreters to check: paths or commands, wrapper scripts included.
        #[arg(required = true)]
        executables: Vec<PathBuf>,
        /// The executables live in this root filesystem and run there through chroot (root only).
        #[arg(long)]
        rootfs: Option<PathBuf>,
        /// Where the builds' headers come from (default: the built-in default matrix).
        #[arg(long)]
        matrix: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Run one property case again, as a failure's `replay:` line says.
    Replay(ReplayArgs),
    /// Rebuild report.json and its renderings (junit.xml, summary.md, report.html) from a run's
    /// journal (after an interruption, say) and print the summary.
    Report {
        /// The run's output folder (holding journal.jsonl).
        #[arg(default_value = "target/abi-harness/report")]
        out: PathBuf,
    },
    /// Provision the matrix's platforms (Debian root filesystems) now, and print where they are.
    Provision {
        #[arg(long, default_value = "matrix.toml")]
        matrix: PathBuf,
        #[arg(long)]
        rootfs_cache: Option<PathBuf>,
    },
    /// For every manifest entry, the strongest check: in a report (what ran), or in the
    /// catalogue (what a run of all checks exercises).
    Coverage {
        /// A report.json, or the output folder holding one.
        #[arg(long)]
        report: Option<PathBuf>,
        #[arg(long)]
        manifest: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// What changed between two runs: regressions (exit 1), fixes, status changes, entries,
    /// interpreters and builds that came or went.
    Diff {
        /// The earlier run: its report.json or its output folder.
        old: PathBuf,
        /// The later run: its report.json or its output folder.
        new: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Combine the reports of a sharded run (`--shard K/N`) into one, checking that every
    /// planned cell is there exactly once.
    Merge {
        /// The shards' report.json files or output folders.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Where the merged journal.jsonl and report.json go.
        #[arg(long)]
        out: PathBuf,
    },
    /// Real abi3 wheels (the corpus `wheels.toml`, or `--wheel` files) on every interpreter of the
    /// matrix at or above each wheel's tag: their imports against the manifest and the
    /// interpreter's exports, then their smoke scripts in worker processes.
    Wheels {
        #[arg(long, default_value = "matrix.toml")]
        matrix: PathBuf,
        /// The corpus (default: wheels.toml, unless only --wheel files are given).
        #[arg(long)]
        corpus: Option<PathBuf>,
        /// A local abi3 wheel to check, with `import` as its smoke test (repeatable).
        #[arg(long = "wheel")]
        wheels: Vec<PathBuf>,
        /// Use the wheel cache only; name what is missing instead of fetching it.
        #[arg(long)]
        offline: bool,
        /// Output folder for report.json and the journal.
        #[arg(long, default_value = "target/abi-harness/wheels")]
        out: PathBuf,
        /// Where fetched wheels are kept (default: ~/.cache/abi-harness/wheels, or
        /// $ABI_HARNESS_WHEEL_CACHE).
        #[arg(long)]
        wheel_cache: Option<PathBuf>,
        /// Interpreter facts cache.
        #[arg(long, default_value = "target/abi-harness/cache")]
        cache: PathBuf,
        #[arg(long)]
        rootfs_cache: Option<PathBuf>,
        /// Seconds one wheel's smoke script may take.
        #[arg(long, default_value_t = 120)]
        timeout: u64,
    },
    /// List the manifest's entries.
    Manifest {
        #[arg(long)]
        manifest: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Args)]
struct ReplayArgs {
    #[arg(long)]
    interpreter: PathBuf,
    /// The root filesystem the interpreter lives in.
    #[arg(long)]
    rootfs: Option<PathBuf>,
    /// The interpreter whose headers build the probe.
    #[arg(long)]
    headers: PathBuf,
    /// The root filesystem the headers' interpreter lives in.
    #[arg(long)]
    headers_rootfs: Option<PathBuf>,
    #[arg(long)]
    limited_api: String,
    /// The build variant, as in its build id: `no-clean`, `c++`, `clang`, `abi3t`, joined by `+`.
    #[arg(long, default_value = "")]
    variant: String,
    #[arg(long)]
    routine: String,
    /// The arguments in wire form, as recorded in the report.
    #[arg(long)]
    args: String,
    #[arg(long, default_value = "target/abi-harness/cache")]
    cache: PathBuf,
}

#[derive(Args)]
struct Common {
    /// A manifest file in CPython's `Misc/stable_abi.toml` format (default: the built-in one).
    #[arg(long)]
    manifest: Option<PathBuf>,
    /// Output folder for report.json and the journal.
    #[arg(long, default_value = "target/abi-harness/report")]
    out: PathBuf,
    /// Probe build cache.
    #[arg(long, default_value = "target/abi-harness/cache")]
    cache: PathBuf,
    /// Where provisioned root filesystems are kept (default: ~/.cache/abi-harness/rootfs, or
    /// $ABI_HARNESS_ROOTFS_CACHE).
    #[arg(long)]
    rootfs_cache: Option<PathBuf>,
    /// Property cases per entry and cell (overrides the matrix).
    #[arg(long)]
    cases: Option<u32>,
    #[arg(long)]
    seed: Option<u64>,
    /// Cells at once (0: one per CPU).
    #[arg(long)]
    jobs: Option<usize>,
    /// Seconds one probe call may take.
    #[arg(long)]
    case_timeout: Option<f64>,
    /// Only these entries' semantic checks (repeatable).
    #[arg(long = "entry")]
    entries: Vec<String>,
    /// Which checks to run (comma-separated: import, presence, semantic, refleak, static;
    /// refleak runs on debug interpreters only; static reads the headers with libclang).
    #[arg(long, value_delimiter = ',', default_value = "import,presence,semantic,refleak,static")]
    checks: Vec<String>,
    /// Run only part K of N of the planned cells (e.g. 2/3), chosen by a hash of each cell's
    /// key; `abi-harness merge` combines the parts' reports.
    #[arg(long)]
    shard: Option<Shard>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(EXIT_CANNOT_RUN)
        }
    }
}

fn dispatch(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Run { matrix, common } => {
            let matrix = Matrix::read(&matrix)?;
            let interpreters = interpreter::discover(&matrix, &rootfs_cache(&common), Some(&facts_cache(&common)))?;
            let builds = plan::matrix_builds(&matrix, &interpreters)?;
            let header_sets = interpreters.iter().filter_map(|i| HeaderSet::of(i, false)).collect();
            let plan = Plan::new(builds, interpreters, header_sets, parse_checks(&common.checks)?, common.shard);
            run_plan(&plan, matrix.settings, &common)
        }
        Command::Check { executables, rootfs, matrix, common } => {
            let mut matrix = match matrix {
                Some(path) => Matrix::read(&path)?,
                None => Matrix::parse(DEFAULT_MATRIX, "<default matrix>")?,
            };
            // Root filesystems need root; a redistributor checking a host interpreter does not,
            // so without root the builds from those platforms' headers are left out, said aloud.
            let mut notes = Vec::new();
            if !platform::is_root() && matrix.interpreters.iter().any(|d| d.platform.is_some()) {
                let names: Vec<String> = matrix.platforms.iter().map(|p| p.name.clone()).collect();
                notes.push(format!(
                    "not root, so the builds that take their headers from the platforms {} (chroot) are left out; run as root for all default builds",
                    names.join(", ")
                ));
                matrix = matrix.host_only();
            }
            let platform = match &rootfs {
                Some(root) => Platform::existing_rootfs(root)?,
                None => Platform::Host,
            };
            let wanted: Vec<(Platform, PathBuf)> =
                executables.iter().map(|exe| (platform.clone(), exe.clone())).collect();
            let targets = interpreter::probe_all(&wanted, Some(&facts_cache(&common)))?;
            let header_sources = interpreter::discover(&matrix, &rootfs_cache(&common), Some(&facts_cache(&common)))
                .context("the default builds need the default matrix's interpreters for their headers")?;
            let builds = plan::check_builds(&matrix, &header_sources, &targets)?;
            // The static check compares each given interpreter's headers with every default one.
            let mut header_sets: Vec<HeaderSet> =
                header_sources.iter().filter_map(|i| HeaderSet::of(i, false)).collect();
            for target in &targets {
                match HeaderSet::of(target, true) {
                    Some(set) => header_sets.push(set),
                    None => notes.push(format!(
                        "{} has no headers (no Python.h), so its headers are not compared",
                        target.label()
                    )),
                }
            }
            let mut plan = Plan::new(builds, targets, header_sets, parse_checks(&common.checks)?, common.shard);
            plan.notes = notes;
            run_plan(&plan, matrix.settings, &common)
        }
        Command::Replay(args) => replay(&args),
        Command::Provision { matrix, rootfs_cache } => {
            let matrix = Matrix::read(&matrix)?;
            let cache = rootfs_cache.unwrap_or_else(platform::default_rootfs_cache);
            // Side by side: an emulated architecture's package scripts run for minutes under
            // qemu, and one root filesystem does not wait for another.
            let provisioned: Vec<_> = std::thread::scope(|scope| {
                let handles: Vec<_> =
                    matrix.platforms.iter().map(|spec| scope.spawn(|| spec.provision_timed(&cache))).collect();
                handles.into_iter().map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
            });
            for (spec, provisioned) in matrix.platforms.iter().zip(provisioned) {
                let (platform, took) = provisioned?;
                let took =
                    took.map_or_else(|| "cached".to_owned(), |d| format!("provisioned in {:.0}s", d.as_secs_f64()));
                println!(
                    "{}\t{}\t{}\t{took}",
                    spec.name,
                    spec.arch,
                    platform.root().map(|r| r.display().to_string()).unwrap_or_default()
                );
            }
            Ok(EXIT_PASS)
        }
        Command::Report { out } => {
            let report = run::rebuild_report(&out)?;
            Ok(verdict(&report, &out))
        }
        Command::Coverage { report, manifest, format } => coverage(report, manifest.as_ref(), format),
        Command::Diff { old, new, format } => {
            let (before, after) = (run::read_report(&old)?, run::read_report(&new)?);
            let diff = diff::diff(&before, &after);
            match format {
                Format::Text => emit(&diff::render(&diff, &old.display().to_string(), &new.display().to_string()))?,
                Format::Json => emit(&serde_json::to_string_pretty(&diff)?)?,
            }
            Ok(if diff.has_regressions() { EXIT_ABI_FAILURE } else { EXIT_PASS })
        }
        Command::Merge { inputs, out } => {
            let parts = inputs
                .iter()
                .map(|path| Ok(merge::Part { origin: path.display().to_string(), report: run::read_report(path)? }))
                .collect::<Result<Vec<_>>>()?;
            let report = run::write_record(&out, &merge::merge(&parts)?)?;
            eprintln!("merged {} reports", parts.len());
            Ok(verdict(&report, &out))
        }
        Command::Wheels { matrix, corpus, wheels, offline, out, wheel_cache, cache, rootfs_cache, timeout } => {
            use abi_harness::wheels::{self, Corpus, WheelSpec, WheelsOptions};
            let mut specs: Vec<WheelSpec> = Vec::new();
            if corpus.is_some() || wheels.is_empty() {
                specs.extend(Corpus::read(&corpus.unwrap_or_else(|| PathBuf::from("wheels.toml")))?.wheels);
            }
            for path in &wheels {
                specs.push(WheelSpec::local(path)?);
            }
            let matrix = Matrix::read(&matrix)?;
            let rootfs_cache = rootfs_cache.unwrap_or_else(platform::default_rootfs_cache);
            let interpreters = interpreter::discover(&matrix, &rootfs_cache, Some(&cache.join("interpreters")))?;
            // pip runs on the host: the newest host interpreter's.
            let pip = match offline {
                true => None,
                false => interpreters
                    .iter()
                    .filter(|i| i.root.is_none())
                    .max_by_key(|i| i.minor)
                    .map(|i| i.executable.clone()),
            };
            let options = WheelsOptions {
                cache_dir: wheel_cache.unwrap_or_else(wheels::default_cache),
                work_dir: out.join("work"),
                pip,
                timeout: Duration::from_secs(timeout),
            };
            let manifest = Manifest::builtin();
            let started = std::time::Instant::now();
            let cells = wheels::run(&specs, &interpreters, &manifest, &options)?;
            let header = wheels::header(&manifest, &interpreters, &cells, &options);
            let report = run::write_record(&out, &abi_harness::journal::Record { header, static_check: None, cells })?;
            eprintln!(
                "{} wheels on {} interpreters in {:.0}s",
                specs.len(),
                interpreters.len(),
                started.elapsed().as_secs_f64()
            );
            Ok(verdict(&report, &out))
        }
        Command::Manifest { manifest } => {
            let manifest = load_manifest(manifest.as_ref())?;
            let mut out = String::new();
            for entry in &manifest.entries {
                let added = entry.added.map(|v| v.to_string()).unwrap_or_default();
                let flags =
                    [entry.ifdef.clone().map(|f| format!("ifdef {f}")), entry.abi_only.then(|| "abi_only".to_owned())];
                let flags: Vec<String> = flags.into_iter().flatten().collect();
                out.push_str(&format!(
                    "{:<14} {:<48} {:<6} {}\n",
                    entry.kind.to_string(),
                    entry.name,
                    added,
                    flags.join(", ")
                ));
            }
            emit(&out)?;
            Ok(EXIT_PASS)
        }
    }
}

/// Prints the summary and where the report is; the exit code of a finished run.
fn verdict(report: &Report, out: &std::path::Path) -> u8 {
    print!("{}", console::summary(report));
    println!("report: {}", out.join(run::REPORT).display());
    if report.summary.new_failures() > 0 { EXIT_ABI_FAILURE } else { EXIT_PASS }
}

fn coverage(report: Option<PathBuf>, manifest: Option<&PathBuf>, format: Format) -> Result<u8> {
    use abi_harness::coverage::{self, Level, Summary};
    let manifest = load_manifest(manifest)?;
    let reasons = coverage::reasons(&manifest)?;
    let rows = match report {
        Some(path) => coverage::from_results(&manifest, &reasons, run::read_report(&path)?.entry_results()),
        None => coverage::planned(&manifest, &reasons, &properties::catalogue(), &abi_harness::headers::STATIC_KINDS),
    };
    if let Format::Json = format {
        emit(&serde_json::to_string_pretty(&rows)?)?;
        return Ok(EXIT_PASS);
    }
    use std::fmt::Write as _;
    let mut out = String::new();
    let summary = Summary::of(&manifest, &rows);
    let _ = writeln!(out, "{:<14} {:>9} {:>9} {:>7} {:>6}", "kind", "semantic", "presence", "static", "none");
    for (kind, levels) in &summary.by_kind {
        let n = |level: &str| levels.get(level).copied().unwrap_or(0);
        let _ =
            writeln!(out, "{kind:<14} {:>9} {:>9} {:>7} {:>6}", n("semantic"), n("presence"), n("static"), n("none"));
    }
    let _ = writeln!(
        out,
        "\nfunction and data entries on Linux: {}; without a semantic check: {} ({:.1}%), of which {} have a written reason and {} do not",
        summary.linux_symbols,
        summary.linux_symbols_below_semantic,
        summary.below_semantic_percent(),
        summary.linux_symbols_below_semantic - summary.linux_symbols_unexplained,
        summary.linux_symbols_unexplained
    );
    let unexplained: Vec<&str> = rows
        .iter()
        .filter(|r| r.kind.is_symbol() && r.level < Level::Semantic && r.reason.is_none())
        .map(|r| r.entry.as_str())
        .collect();
    if !unexplained.is_empty() {
        let _ = writeln!(out, "no semantic check and no reason yet (--format json lists every entry):");
        for chunk in unexplained.chunks(6) {
            let _ = writeln!(out, "  {}", chunk.join(" "));
        }
    }
    out.push_str(&coverage::mutation_text());
    emit(&out)?;
    Ok(EXIT_PASS)
}

/// Writes to stdout; a reader that stopped early (`| head`) is not an error.
fn emit(text: &str) -> Result<()> {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => Err(err).context("cannot write to stdout"),
        _ => Ok(()),
    }
}

fn load_manifest(path: Option<&PathBuf>) -> Result<Manifest> {
    let manifest = match path {
        Some(path) => Manifest::read(path)?,
        None => Manifest::builtin(),
    };
    for warning in &manifest.warnings {
        eprintln!("warning: {warning}");
    }
    Ok(manifest)
}

fn rootfs_cache(common: &Common) -> PathBuf {
    common.rootfs_cache.clone().unwrap_or_else(platform::default_rootfs_cache)
}

fn facts_cache(common: &Common) -> PathBuf {
    common.cache.join("interpreters")
}

fn settings_with(mut settings: Settings, common: &Common) -> Result<Settings> {
    if let Some(cases) = common.cases {
        settings.cases = cases;
    }
    if let Some(seed) = common.seed {
        settings.seed = seed;
    }
    if let Some(jobs) = common.jobs {
        settings.jobs = jobs;
    }
    if let Some(secs) = common.case_timeout {
        if !(secs.is_finite() && secs > 0.0) {
            bail!("--case-timeout must be a positive number of seconds");
        }
        settings.case_timeout = Duration::from_secs_f64(secs);
    }
    Ok(settings)
}

fn parse_checks(names: &[String]) -> Result<Vec<Check>> {
    names.iter().map(|name| name.parse().context("--checks")).collect()
}

fn run_plan(plan: &Plan, settings: Settings, common: &Common) -> Result<u8> {
    let options = RunOptions {
        settings: settings_with(settings, common)?,
        out_dir: common.out.clone(),
        cache_dir: common.cache.clone(),
        only_entries: common.entries.clone(),
        harness_command: harness_command(),
        progress_bar: std::io::stderr().is_terminal(),
    };
    let manifest = load_manifest(common.manifest.as_ref())?;
    let report = run::execute(plan, &manifest, &options)?;
    Ok(verdict(&report, &common.out))
}

fn harness_command() -> String {
    std::env::current_exe().map(|p| p.display().to_string()).unwrap_or_else(|_| "abi-harness".into())
}

fn replay(replay: &ReplayArgs) -> Result<u8> {
    let ReplayArgs { interpreter, rootfs, headers, headers_rootfs, limited_api, variant, routine, args, cache } =
        replay;
    let limited_api = limited_api.parse().context("--limited-api")?;
    let platform_of = |root: &Option<PathBuf>| match root {
        Some(root) => Platform::existing_rootfs(root),
        None => Ok(Platform::Host),
    };
    let target = interpreter::probe_facts(&platform_of(rootfs)?, interpreter)?;
    let headers = interpreter::probe_facts(&platform_of(headers_rootfs)?, headers)?;
    let manifest = Manifest::builtin();
    let builder = Builder::new(cache.clone())?;
    let variant =
        abi_harness::variant::Variant::from_words(variant).map_err(anyhow::Error::msg).context("--variant")?;
    let build = builder.build(&BuildSpec { limited_api, headers, variant }, &manifest)?;
    let catalogue = properties::catalogue();
    let property = catalogue
        .iter()
        .find(|p| p.routine == routine)
        .with_context(|| format!("no property with routine `{routine}`"))?;
    let wire: serde_json::Value = serde_json::from_str(args).context("--args is not JSON")?;
    let (worker_py, oracles_py) = Builder::driver_files(cache)?;
    let platform = target.platform();
    let (worker_py, oracles_py, probe) =
        (platform.stage(&worker_py)?, platform.stage(&oracles_py)?, platform.stage(&build.probe)?);
    let stderr = std::env::temp_dir().join(format!("abi-harness-replay-{}.stderr", std::process::id()));
    let mut worker = Worker::start(&target, &worker_py, &oracles_py, &stderr)?;
    let timeout = Duration::from_secs(60);
    let fault = |fault: Fault| anyhow::anyhow!("{}\n{}", fault.summary(), fault.stderr());
    let path = probe.display().to_string();
    let imported =
        worker.request(&protocol::Import { module: PROBE_MODULE, path: &path, avoid: &[] }, timeout).map_err(fault)?;
    if !imported.ok {
        bail!("the probe does not import: {}", imported.error.unwrap_or_default());
    }
    let properties = vec![protocol::PropertySpec { routine: property.routine, oracle: property.oracle }];
    let defined = worker.request(&protocol::Define { properties }, timeout).map_err(fault)?;
    if !defined.ok {
        bail!("the property does not define: {}", defined.error.unwrap_or_default());
    }
    println!("{}{} on {} (probe: limited API {limited_api}, {} headers)", routine, wire, target.label(), build.headers);
    match worker.request(&protocol::Case { p: 0, args: &wire }, timeout) {
        Ok(reply) => {
            println!("probe:  {}", judge::describe(&reply.probe));
            println!("oracle: {}", judge::describe(&reply.oracle));
            match judge::case(&reply) {
                Ok(()) => {
                    println!("holds");
                    Ok(EXIT_PASS)
                }
                Err(disagreement) => {
                    println!("FAILS: {disagreement}");
                    Ok(EXIT_ABI_FAILURE)
                }
            }
        }
        Err(fault) => {
            println!("{}{}\n{}", fault.summary(), abi_harness::cell::diagnosis(&fault), fault.stderr());
            Ok(EXIT_ABI_FAILURE)
        }
    }
}
