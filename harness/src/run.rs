//! A run, from its plan to its report: the static check, the probe builds and their C-library
//! check, the pool of cells in parallel workers, the journal (each finished cell appended and
//! flushed) and the report assembled from it (`assemble`), written with its renderings, each
//! file atomically. Also the report's other ways in: rebuilt from a journal, merged from shards.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};

use crate::assemble::{Evidence, Interpretation, assemble};
use crate::build::{Build, Builder};
use crate::cell::{CellContext, CellEvidence, CellRun, run_cell};
use crate::journal::{JOURNAL, Journal, Record};
use crate::manifest::Manifest;
use crate::matrix::Settings;
use crate::plan::{Plan, PlannedCell};
use crate::properties::Property;
use crate::report::{
    CellKey, CellReport, Check, Difference, FirstDifferingCase, Report, RunHeader, SCHEMA_VERSION, StaticReport,
};
use crate::value::PyValue;

pub const REPORT: &str = "report.json";

/// How to run a plan: settings and where things go.
pub struct RunOptions {
    pub settings: Settings,
    pub out_dir: PathBuf,
    pub cache_dir: PathBuf,
    /// Only these entries' semantic checks (empty: all).
    pub only_entries: Vec<String>,
    /// How to invoke this program, for replay commands.
    pub harness_command: String,
    /// Show a progress bar (a terminal); otherwise one plain line per cell.
    pub progress_bar: bool,
}

/// Runs a plan: everything that can stop a run ("cannot run", exit 2) is checked before the
/// output folder is touched, so such a run leaves no half-written output.
pub fn execute(plan: &Plan, manifest: &Manifest, options: &RunOptions) -> Result<Report> {
    let catalogue = crate::properties::catalogue();
    for entry in &options.only_entries {
        if manifest.get(entry).is_none() && !catalogue.iter().any(|p| p.entry == entry) {
            bail!("--entry {entry}: no such entry in {} or the property catalogue", manifest.origin);
        }
    }
    for note in &plan.notes {
        eprintln!("note: {note}");
    }
    let interpretation = Interpretation::shipped()?;
    let static_check = match plan.checks.contains(&Check::Static) {
        true => Some(static_check(plan, manifest, &options.cache_dir, &interpretation)?),
        false => None,
    };
    let builder = Builder::new(options.cache_dir.clone())?;
    let builds = build_all(&builder, plan, manifest)?;
    check_c_libraries(plan, &builds)?;
    let cells_here: Vec<&PlannedCell> = plan.cells_here().collect();
    eprintln!(
        "{} interpreters ({}), {} builds (limited API {}), {} cells{}",
        plan.interpreters.len(),
        plan.interpreters.iter().map(|i| i.version.as_str()).collect::<Vec<_>>().join(", "),
        plan.builds.len(),
        plan.builds.iter().map(|b| b.id()).collect::<Vec<_>>().join(", "),
        plan.cells.len(),
        plan.shard.map(|shard| format!(", {} of them in shard {shard}", cells_here.len())).unwrap_or_default()
    );

    let out_dir = &options.out_dir;
    std::fs::create_dir_all(out_dir)
        .with_context(|| format!("cannot create the output folder {}", out_dir.display()))?;
    // A report from an earlier run must not pass for this run's if this one is interrupted.
    for name in std::iter::once(REPORT).chain(crate::render::FILES) {
        remove_if_there(&out_dir.join(name), |p| std::fs::remove_file(p))?;
    }
    let reproducer_dir = std::fs::canonicalize(out_dir).unwrap_or_else(|_| out_dir.clone()).join("reproducers");
    // Reproducers belong to the run whose report names them.
    remove_if_there(&reproducer_dir, |p| std::fs::remove_dir_all(p))?;
    let scratch = out_dir.join("workers");
    std::fs::create_dir_all(&scratch).with_context(|| format!("cannot create {}", scratch.display()))?;
    let (worker_py, oracles_py) = Builder::driver_files(&options.cache_dir)?;

    let header = header(plan, manifest, options);
    let mut journal = Journal::create(&out_dir.join(JOURNAL), &header, static_check.as_ref())?;
    let case_cache = crate::cases::CaseCache::new(crate::cases::CaseCache::DEFAULT_BUDGET_BYTES);
    let cx = CellContext {
        manifest,
        properties: &catalogue,
        settings: &options.settings,
        worker_py: &worker_py,
        oracles_py: &oracles_py,
        scratch_dir: &scratch,
        reproducer_dir: &reproducer_dir,
        harness_command: &options.harness_command,
        cache_dir: &options.cache_dir,
        only_entries: &options.only_entries,
        checks: &plan.checks,
        cases: &case_cache,
    };
    let mut evidence = RunEvidence {
        plan,
        builds: &builds,
        properties: &catalogue,
        options,
        digests: HashMap::new(),
        generated: RefCell::new(HashMap::new()),
    };
    run_pool(plan, &builds, &cx, options.progress_bar, |run: CellRun| {
        write_reproducers(&run.evidence, &reproducer_dir)?;
        journal.append(&run.report)?;
        evidence.digests.insert(run.report.key(), run.evidence.case_digests);
        Ok(run.report)
    })?;
    // The journal is the record: the report is built from it, as after an interruption.
    let record = crate::journal::read(journal.path())?;
    let report = assemble(record, manifest, &interpretation, Some(&evidence))?;
    write_report(out_dir, &report)?;
    Ok(report)
}

fn remove_if_there(path: &Path, remove: impl Fn(&Path) -> std::io::Result<()>) -> Result<()> {
    match remove(path) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
            Err(err).with_context(|| format!("cannot remove the old {}", path.display()))
        }
        _ => Ok(()),
    }
}

fn header(plan: &Plan, manifest: &Manifest, options: &RunOptions) -> RunHeader {
    RunHeader {
        schema: SCHEMA_VERSION,
        tool: "abi-harness".into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        started_unix: SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()),
        manifest: manifest.origin.clone(),
        settings: [
            ("cases", serde_json::json!(options.settings.cases)),
            ("seed", serde_json::json!(options.settings.seed)),
            ("case_timeout_secs", serde_json::json!(options.settings.case_timeout.as_secs_f64())),
            ("checks", serde_json::json!(plan.checks)),
            ("entries", serde_json::json!(options.only_entries)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect(),
        interpreters: plan.interpreters.iter().map(|i| serde_json::to_value(i).unwrap_or_default()).collect(),
        planned: plan.cells.iter().map(|cell| cell.key.clone()).collect(),
        shard: plan.shard,
    }
}

/// Reads and compares every header set of the plan.
fn static_check(
    plan: &Plan,
    manifest: &Manifest,
    cache_dir: &Path,
    interpretation: &Interpretation,
) -> Result<StaticReport> {
    let started = Instant::now();
    let sets = &plan.header_sets;
    let report = crate::headers::check(manifest, sets, &crate::headers::versions_of(sets), cache_dir)?;
    // The console line counts known breaks as the report will; the journal keeps the results
    // as observed (`assemble` marks them).
    let mut marked = report.clone();
    crate::known::mark_static(&mut marked, &interpretation.known_breaks);
    let counts = crate::report::Counts::of(marked.results.iter().map(|r| &r.result));
    eprintln!(
        "static: {} header sets, {} reads ({} parsed with libclang, {} cached) in {:.1}s: {} pass, {} changed, {} fail ({} known), {} skip, {} leaks",
        sets.len(),
        report.parsed + report.cached,
        report.parsed,
        report.cached,
        started.elapsed().as_secs_f64(),
        counts.pass,
        counts.changed,
        counts.fail,
        counts.known,
        counts.skip,
        report.leaks.len()
    );
    Ok(report)
}

/// Builds the probes the cells here need, reporting progress on stderr; by plan index.
fn build_all(builder: &Builder, plan: &Plan, manifest: &Manifest) -> Result<Vec<Option<Build>>> {
    let mut builds: Vec<Option<Build>> = plan.builds.iter().map(|_| None).collect();
    for n in plan.builds_here() {
        let spec = &plan.builds[n];
        let started = Instant::now();
        let build = builder.build(spec, manifest)?;
        let took = started.elapsed();
        if took > Duration::from_millis(200) {
            eprintln!(
                "built probes for limited API {} with {} headers{} ({:.1}s)",
                spec.limited_api,
                spec.headers.version,
                if spec.arch() == crate::arch::Arch::host() { String::new() } else { format!(" for {}", spec.arch()) },
                took.as_secs_f64()
            );
        }
        builds[n] = Some(build);
    }
    Ok(builds)
}

fn built<'b>(builds: &'b [Option<Build>], cell: &PlannedCell) -> Result<&'b Build> {
    builds[cell.build].as_ref().with_context(|| format!("no probe was built for {}", cell.key))
}

/// A probe that cannot load on a platform's C library is our build's fault, not an ABI
/// finding: refuse to run rather than report crashes.
fn check_c_libraries(plan: &Plan, builds: &[Option<Build>]) -> Result<()> {
    let mut mismatches = Vec::new();
    for cell in plan.cells_here() {
        let (build, interpreter) = (built(builds, cell)?, &plan.interpreters[cell.interpreter]);
        // The plan pairs architectures already; this is the last word before a load.
        if build.arch != interpreter.arch {
            bail!(
                "probe build {} is for {}, but {} is {}",
                build.id,
                build.arch,
                interpreter.label(),
                interpreter.arch
            );
        }
        mismatches.extend(crate::build::glibc_mismatches(build, interpreter)?);
    }
    mismatches.sort();
    mismatches.dedup();
    if !mismatches.is_empty() {
        bail!("probes need a newer C library than a platform has:\n  {}", mismatches.join("\n  "));
    }
    Ok(())
}

/// Runs the cells here on `settings.jobs` threads, each cell in its own worker processes;
/// `finished` is called on this thread, once per cell, as cells finish.
fn run_pool(
    plan: &Plan,
    builds: &[Option<Build>],
    cx: &CellContext<'_>,
    progress_bar: bool,
    mut finished: impl FnMut(CellRun) -> Result<CellReport>,
) -> Result<()> {
    let mut cells_here: Vec<&PlannedCell> = plan.cells_here().collect();
    if cells_here.is_empty() {
        return Ok(());
    }
    // Longest first, so the two or so workers finish together instead of one waiting on the
    // last heavy cell: a debug interpreter is slower, and with its own debug headers it also
    // runs the leak check; newer builds have more properties.
    cells_here.sort_by_key(|cell| {
        let (build, interpreter) = (&plan.builds[cell.build], &plan.interpreters[cell.interpreter]);
        let weight = match (interpreter.debug, build.headers.debug) {
            (true, true) => 2,
            (true, false) => 1,
            _ => 0,
        };
        std::cmp::Reverse((weight, build.limited_api))
    });
    let jobs = match cx.settings.jobs {
        0 => std::thread::available_parallelism().map_or(2, usize::from),
        n => n,
    }
    .min(cells_here.len());
    let started = Instant::now();
    let progress = Progress::new(cells_here.len() as u64, progress_bar);
    let next = AtomicUsize::new(0);
    let (sender, receiver) = mpsc::channel::<CellRun>();
    std::thread::scope(|scope| -> Result<()> {
        for _ in 0..jobs {
            let sender = sender.clone();
            let (next, cells_here) = (&next, &cells_here);
            scope.spawn(move || {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    let Some(cell) = cells_here.get(n) else { break };
                    let Some(build) = builds[cell.build].as_ref() else { break };
                    let run = run_cell(build, &plan.interpreters[cell.interpreter], cell.carries_presence, cx);
                    if sender.send(run).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        for run in receiver {
            let report = finished(run)?;
            progress.cell_done(&report);
        }
        Ok(())
    })?;
    progress.finish(started.elapsed());
    Ok(())
}

/// A property's generated argument lists.
type Cases = Vec<Vec<PyValue>>;

/// What the run keeps beside the journal: per cell, the short outcome digests of its passing
/// semantic results, by (entry, property).
struct RunEvidence<'r> {
    plan: &'r Plan,
    builds: &'r [Option<Build>],
    properties: &'r [Property],
    options: &'r RunOptions,
    digests: HashMap<CellKey, HashMap<(String, String), Vec<u32>>>,
    /// A property's cases, generated once for all its differences (one per build and version).
    generated: RefCell<HashMap<(String, usize), Option<Cases>>>,
}

impl Evidence for RunEvidence<'_> {
    /// Cases depend only on the seed and the property, so the case is generated again from its
    /// index.
    fn first_case(&self, difference: &Difference, baseline: &CellKey, cell: &CellKey) -> Option<FirstDifferingCase> {
        let id = (difference.entry.clone(), difference.property.clone());
        let base = self.digests.get(baseline)?.get(&id)?;
        let other = self.digests.get(cell)?.get(&id)?;
        let index = (base.len() == other.len()).then(|| base.iter().zip(other).position(|(a, b)| a != b))??;
        let property = self.properties.iter().find(|p| p.routine == difference.property)?;
        let planned = |key: &CellKey| self.plan.cells.iter().find(|c| &c.key == key);
        let (base_cell, other_cell) = (planned(baseline)?, planned(cell)?);
        let mut generated = self.generated.borrow_mut();
        let cases = generated.entry((property.routine.to_owned(), base.len())).or_insert_with(|| {
            let seed = crate::cases::seed_for(self.options.settings.seed, property);
            crate::cases::generate(property, &crate::cases::config(seed, base.len() as u32))
        });
        let args = cases.as_ref()?.get(index)?;
        let replay = |planned: &PlannedCell| -> Option<String> {
            Some(crate::cell::replay_command(
                &self.options.harness_command,
                &self.options.cache_dir,
                self.builds[planned.build].as_ref()?,
                &self.plan.interpreters[planned.interpreter],
                property.routine,
                args,
            ))
        };
        Some(FirstDifferingCase {
            index: index as u32,
            args: crate::value::format_args(args),
            replay_baseline: replay(base_cell)?,
            replay: replay(other_cell)?,
        })
    }
}

/// Rebuilds `report.json` and its renderings from the journal in `out_dir` (after an
/// interruption, say): the report of the cells that finished.
pub fn rebuild_report(out_dir: &Path) -> Result<Report> {
    let path = out_dir.join(JOURNAL);
    let record = crate::journal::read(&path)?;
    let manifest =
        manifest_of(&record.header).with_context(|| format!("the run's manifest, named in {}", path.display()))?;
    let report = assemble(record, &manifest, &Interpretation::shipped()?, None)?;
    write_report(out_dir, &report)?;
    Ok(report)
}

/// Writes a record made whole at once (a merge's, a wheels run's) as a run's folder: its
/// journal and the report assembled from it.
pub fn write_record(out_dir: &Path, record: &Record) -> Result<Report> {
    std::fs::create_dir_all(out_dir)
        .with_context(|| format!("cannot create the output folder {}", out_dir.display()))?;
    crate::journal::write(&out_dir.join(JOURNAL), record)?;
    rebuild_report(out_dir)
}

/// The manifest a run used, as its header names it (the built-in one, or a file).
pub fn manifest_of(header: &RunHeader) -> Result<Manifest> {
    Ok(match header.manifest.as_str() {
        crate::manifest::DEFAULT_MANIFEST_NAME => Manifest::builtin(),
        path => Manifest::read(Path::new(path))?,
    })
}

/// Writes `report.json` and its renderings (`render::all`) into `out_dir`, each atomically.
/// `report.json` goes last: where it is, the renderings of the same report are too.
pub fn write_report(out_dir: &Path, report: &Report) -> Result<()> {
    for (name, text) in crate::render::all(report) {
        write_atomically(&out_dir.join(name), text.as_bytes())?;
    }
    write_atomically(&out_dir.join(REPORT), &serde_json::to_vec_pretty(report)?)
}

/// Writes the C reproducers a cell's record names, before the cell is journaled.
fn write_reproducers(evidence: &CellEvidence, dir: &Path) -> Result<()> {
    for (file, source) in &evidence.reproducers {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        write_atomically(file, source.as_bytes())?;
    }
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum ReadReportError {
    #[error("cannot read the report {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is not a report.json of this harness", path.display())]
    Parse {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("{} has report schema {found}; this harness reads schema {SCHEMA_VERSION}", path.display())]
    Schema { path: PathBuf, found: u32 },
}

/// Reads a `report.json`, given as the file or as the run's output folder.
pub fn read_report(path: &Path) -> Result<Report, ReadReportError> {
    let path = if path.is_dir() { path.join(REPORT) } else { path.to_owned() };
    let text = std::fs::read_to_string(&path).map_err(|source| ReadReportError::Read { path: path.clone(), source })?;
    // The schema first: a newer report may not parse as this one, and that is the better error.
    let schema = serde_json::from_str::<serde_json::Value>(&text).ok().and_then(|v| v.get("schema")?.as_u64());
    if let Some(found) = schema.filter(|&s| s != u64::from(SCHEMA_VERSION)) {
        return Err(ReadReportError::Schema { path, found: u32::try_from(found).unwrap_or(u32::MAX) });
    }
    serde_json::from_str(&text).map_err(|source| ReadReportError::Parse { path, source })
}

/// Writes a file through a temporary sibling and a rename, so readers never see half of it.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    crate::write_atomically(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

struct Progress {
    bar: Option<indicatif::ProgressBar>,
    total: u64,
    done: std::cell::Cell<u64>,
}

impl Progress {
    fn new(total: u64, bar: bool) -> Progress {
        let bar = bar.then(|| {
            let bar = indicatif::ProgressBar::new(total);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} cells  {msg}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Progress { bar, total, done: std::cell::Cell::new(0) }
    }

    fn cell_done(&self, cell: &CellReport) {
        self.done.set(self.done.get() + 1);
        let counts = cell.counts();
        let line = format!(
            "build {} on {}{} {}: {} pass, {} fail, {} crash, {} timeout ({:.1}s)",
            cell.build.id,
            cell.interpreter.version,
            if cell.interpreter.debug { "d" } else { "" },
            cell.interpreter.platform,
            counts.pass,
            counts.fail,
            counts.crash,
            counts.timeout,
            cell.duration_ms as f64 / 1000.0
        );
        match &self.bar {
            Some(bar) => {
                bar.inc(1);
                bar.set_message(line);
            }
            None => eprintln!("[{}/{}] {line}", self.done.get(), self.total),
        }
    }

    fn finish(&self, took: Duration) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        eprintln!("ran {} cells in {:.1}s", self.done.get(), took.as_secs_f64());
    }
}
