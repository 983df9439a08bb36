//! A run: builds the probes, runs every cell in parallel workers, journals each finished cell
//! and writes the report. The journal (`journal.jsonl`: a header line, then one line per cell,
//! flushed) is the record; `report.json` and its renderings (`render`) are built from it at the
//! end, each atomically.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};

use crate::build::{Build, Builder};
use crate::cell::{CellContext, run_cell};
use crate::interpreter::Interpreter;
use crate::manifest::Manifest;
use crate::matrix::Settings;
use crate::plan::Shard;
use crate::properties::Property;
use crate::report::{CellKey, CellReport, Check, FirstDifferingCase, Report, RunHeader, SCHEMA_VERSION};
use crate::value::PyValue;

pub struct RunOptions {
    pub settings: Settings,
    pub out_dir: PathBuf,
    pub cache_dir: PathBuf,
    pub only_entries: Vec<String>,
    pub checks: Vec<Check>,
    pub harness_command: String,
    /// Show a progress bar (a terminal); otherwise one plain line per cell.
    pub progress_bar: bool,
}

pub struct RunInput<'a> {
    pub manifest: &'a Manifest,
    pub properties: &'a [Property],
    pub builds: &'a [Build],
    pub interpreters: &'a [Interpreter],
    /// The whole plan: (index into `builds`, index into `interpreters`).
    pub cells: &'a [(usize, usize)],
    /// Run only this part of the plan; the header still lists the whole plan.
    pub shard: Option<Shard>,
    /// The static check's section, already computed (it runs before the cells).
    pub static_check: Option<&'a crate::report::StaticReport>,
}

/// The journal line holding the static section: `{"static": {...}}`.
#[derive(serde::Serialize, serde::Deserialize)]
struct StaticLine {
    #[serde(rename = "static")]
    check: crate::report::StaticReport,
}

const STATIC_LINE_START: &str = "{\"static\":";

pub const JOURNAL: &str = "journal.jsonl";
pub const REPORT: &str = "report.json";

/// Builds every probe of the plan, reporting progress on stderr.
pub fn build_all(builder: &Builder, specs: &[crate::build::BuildSpec], manifest: &Manifest) -> Result<Vec<Build>> {
    let mut builds = Vec::new();
    for spec in specs {
        let started = Instant::now();
        let build = builder.build(spec, manifest)?;
        let took = started.elapsed();
        if took > Duration::from_millis(200) {
            eprintln!(
                "built probes for limited API {} with {} headers ({:.1}s)",
                spec.limited_api,
                spec.headers.version,
                took.as_secs_f64()
            );
        }
        builds.push(build);
    }
    Ok(builds)
}

/// A probe that cannot load on a platform's C library is our build's fault, not an ABI
/// finding: refuse to run rather than report crashes.
pub fn check_c_libraries(builds: &[Build], interpreters: &[Interpreter], cells: &[(usize, usize)]) -> Result<()> {
    let mut mismatches = Vec::new();
    for &(b, i) in cells {
        mismatches.extend(crate::build::glibc_mismatches(&builds[b], &interpreters[i])?);
    }
    mismatches.sort();
    mismatches.dedup();
    if !mismatches.is_empty() {
        anyhow::bail!("probes need a newer C library than a platform has:\n  {}", mismatches.join("\n  "));
    }
    Ok(())
}

pub fn execute(input: &RunInput<'_>, options: &RunOptions) -> Result<Report> {
    std::fs::create_dir_all(&options.out_dir)
        .with_context(|| format!("cannot create the output folder {}", options.out_dir.display()))?;
    // A report from an earlier run must not pass for this run's if this one is interrupted.
    for name in std::iter::once(REPORT).chain(crate::render::FILES) {
        let path = options.out_dir.join(name);
        match std::fs::remove_file(&path) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                return Err(err).with_context(|| format!("cannot remove the old {}", path.display()));
            }
            _ => {}
        }
    }
    let scratch = options.out_dir.join("workers");
    std::fs::create_dir_all(&scratch).with_context(|| format!("cannot create {}", scratch.display()))?;
    let (worker_py, oracles_py) = Builder::driver_files(&options.cache_dir)?;
    let reproducer_dir =
        std::fs::canonicalize(&options.out_dir).unwrap_or_else(|_| options.out_dir.clone()).join("reproducers");
    // Reproducers belong to the run whose report names them.
    match std::fs::remove_dir_all(&reproducer_dir) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
            return Err(err).with_context(|| format!("cannot remove the old {}", reproducer_dir.display()));
        }
        _ => {}
    }

    let header = RunHeader {
        schema: SCHEMA_VERSION,
        tool: "abi-harness".into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        started_unix: SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()),
        manifest: input.manifest.origin.clone(),
        settings: [
            ("cases", serde_json::json!(options.settings.cases)),
            ("seed", serde_json::json!(options.settings.seed)),
            ("case_timeout_secs", serde_json::json!(options.settings.case_timeout.as_secs_f64())),
            ("checks", serde_json::json!(options.checks)),
            ("entries", serde_json::json!(options.only_entries)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect(),
        interpreters: input.interpreters.iter().map(|i| serde_json::to_value(i).unwrap_or_default()).collect(),
        planned: input.cells.iter().map(|&cell| input.key(cell)).collect(),
        shard: input.shard,
    };
    let mut cells_here = input.cells_here();
    // Longest first, so the two or so workers finish together instead of one waiting on the
    // last heavy cell: a debug interpreter is slower, and with its own debug headers it also
    // runs the leak check; newer builds have more properties.
    cells_here.sort_by_key(|&(b, i)| {
        let (build, interpreter) = (&input.builds[b], &input.interpreters[i]);
        let weight = match (interpreter.debug, build.headers_debug) {
            (true, true) => 2,
            (true, false) => 1,
            _ => 0,
        };
        std::cmp::Reverse((weight, build.limited_api))
    });
    let journal_path = options.out_dir.join(JOURNAL);
    let mut journal =
        std::fs::File::create(&journal_path).with_context(|| format!("cannot write {}", journal_path.display()))?;
    writeln!(journal, "{}", serde_json::to_string(&header)?)?;
    if let Some(check) = input.static_check {
        writeln!(journal, "{}", serde_json::to_string(&StaticLine { check: check.clone() })?)?;
    }
    journal.flush()?;

    // The journal is the record: the report is built from it, as after an interruption.
    let finish = |digests: &CaseDigests| -> Result<Report> {
        let mut report = report_from_journal(&journal_path)?.with_coverage(input.manifest)?;
        attach_first_cases(&mut report, digests, input, options);
        write_report(&options.out_dir, &report)?;
        Ok(report)
    };
    let mut digests = CaseDigests::new();
    if cells_here.is_empty() {
        return finish(&digests);
    }
    let jobs = match options.settings.jobs {
        0 => std::thread::available_parallelism().map_or(2, usize::from),
        n => n,
    }
    .min(cells_here.len().max(1));
    let started = Instant::now();
    let progress = Progress::new(cells_here.len() as u64, options.progress_bar);
    let next = AtomicUsize::new(0);
    let (sender, receiver) = mpsc::channel::<CellReport>();
    let case_cache = crate::cases::CaseCache::new(crate::cases::CaseCache::DEFAULT_BUDGET_BYTES);
    let cx = CellContext {
        manifest: input.manifest,
        properties: input.properties,
        settings: &options.settings,
        worker_py: &worker_py,
        oracles_py: &oracles_py,
        scratch_dir: &scratch,
        reproducer_dir: &reproducer_dir,
        harness_command: &options.harness_command,
        only_entries: &options.only_entries,
        checks: &options.checks,
        cases: &case_cache,
    };
    std::thread::scope(|scope| -> Result<()> {
        for _ in 0..jobs {
            let sender = sender.clone();
            let (cx, next, cells_here) = (&cx, &next, &cells_here);
            scope.spawn(move || {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&(b, i)) = cells_here.get(n) else { break };
                    let presence = crate::plan::carries_presence(input.builds, b, &input.interpreters[i]);
                    let report = run_cell(&input.builds[b], &input.interpreters[i], presence, cx);
                    if sender.send(report).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        let known = crate::known::known_breaks();
        for mut report in receiver {
            let cell_digests = report
                .results
                .iter_mut()
                .filter_map(|r| Some(((r.entry.clone(), r.property.clone()?), r.case_digests.take()?)))
                .collect();
            digests.insert(report.key(), cell_digests);
            crate::known::mark(&mut report, &known);
            write_reproducers(&mut report, &reproducer_dir)?;
            writeln!(journal, "{}", serde_json::to_string(&report)?)?;
            journal.flush()?;
            progress.cell_done(&report);
        }
        Ok(())
    })?;
    progress.finish(started.elapsed());
    finish(&digests)
}

/// Per cell, the short outcome digests of its passing semantic results, by (entry, property).
type CaseDigests = HashMap<CellKey, HashMap<(String, String), Vec<u32>>>;

/// Gives each difference between two cells of this run its evidence: the first case whose
/// outcomes differ, and the replay command that shows each. Cases depend only on the seed
/// and the property, so the case is generated again from its index.
fn attach_first_cases(report: &mut Report, digests: &CaseDigests, input: &RunInput<'_>, options: &RunOptions) {
    let cells: HashMap<CellKey, (usize, usize)> = input.cells.iter().map(|&cell| (input.key(cell), cell)).collect();
    let properties: HashMap<&str, &Property> = input.properties.iter().map(|p| (p.routine, p)).collect();
    // Many differences share a property (one per build and version): its cases, generated once.
    let mut generated: HashMap<(&str, usize), Option<Vec<Vec<PyValue>>>> = HashMap::new();
    for difference in &mut report.differences {
        let Some((base_key, key)) = &difference.cells else { continue };
        let id = (difference.entry.clone(), difference.property.clone());
        let (Some(base), Some(other)) =
            (digests.get(base_key).and_then(|d| d.get(&id)), digests.get(key).and_then(|d| d.get(&id)))
        else {
            continue;
        };
        let Some(index) =
            (base.len() == other.len()).then(|| base.iter().zip(other).position(|(a, b)| a != b)).flatten()
        else {
            continue;
        };
        let (Some(&property), Some(&base_cell), Some(&cell)) =
            (properties.get(difference.property.as_str()), cells.get(base_key), cells.get(key))
        else {
            continue;
        };
        let cases = generated.entry((property.routine, base.len())).or_insert_with(|| {
            crate::cases::generate(
                property,
                &crate::cases::config(crate::cases::seed_for(options.settings.seed, property), base.len() as u32),
            )
        });
        let Some(args) = cases.as_ref().and_then(|all| all.get(index)) else { continue };
        let replay = |(build, interpreter): (usize, usize)| {
            crate::cell::replay_command(
                &options.harness_command,
                &input.builds[build],
                &input.interpreters[interpreter],
                property.routine,
                args,
            )
        };
        difference.first_case = Some(FirstDifferingCase {
            index: index as u32,
            args: crate::value::format_args(args),
            replay_baseline: replay(base_cell),
            replay: replay(cell),
        });
    }
}

/// Writes `report.json` and its renderings (`render::all`) into `out_dir`, each atomically.
/// `report.json` goes last: where it is, the renderings of the same report are too.
pub fn write_report(out_dir: &Path, report: &Report) -> Result<()> {
    for (name, text) in crate::render::all(report) {
        write_atomically(&out_dir.join(name), text.as_bytes())?;
    }
    write_atomically(&out_dir.join(REPORT), &serde_json::to_vec_pretty(report)?)
}

/// Writes the C reproducers a cell's failures carry, before the cell is journaled.
fn write_reproducers(report: &mut CellReport, dir: &Path) -> Result<()> {
    for repro in report.results.iter_mut().filter_map(|r| r.case.as_mut()?.reproducer.as_mut()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        write_atomically(Path::new(&repro.file), repro.source.as_bytes())?;
        repro.source = String::new();
    }
    Ok(())
}

impl RunInput<'_> {
    /// A cell's key as the report writes it: (platform, executable, build id).
    pub fn key(&self, (build, interpreter): (usize, usize)) -> CellKey {
        let interpreter = &self.interpreters[interpreter];
        (interpreter.platform.clone(), interpreter.executable.display().to_string(), self.builds[build].id.clone())
    }

    /// The cells this run runs: the whole plan, or its shard's part of it.
    pub fn cells_here(&self) -> Vec<(usize, usize)> {
        self.cells
            .iter()
            .copied()
            .filter(|&cell| self.shard.is_none_or(|shard| shard.contains(&self.key(cell))))
            .collect()
    }
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

/// Writes a journal (header, then one line per cell) and the report built from it, both
/// atomically: what `merge` leaves in its output folder, the same files a run leaves.
pub fn write_journal_and_report(
    out_dir: &Path,
    header: &RunHeader,
    static_check: Option<crate::report::StaticReport>,
    cells: &[CellReport],
) -> Result<Report> {
    std::fs::create_dir_all(out_dir)
        .with_context(|| format!("cannot create the output folder {}", out_dir.display()))?;
    let mut journal = serde_json::to_string(header)?;
    journal.push('\n');
    if let Some(check) = static_check {
        journal.push_str(&serde_json::to_string(&StaticLine { check })?);
        journal.push('\n');
    }
    for cell in cells {
        journal.push_str(&serde_json::to_string(cell)?);
        journal.push('\n');
    }
    let journal_path = out_dir.join(JOURNAL);
    write_atomically(&journal_path, journal.as_bytes())?;
    let report = report_from_journal(&journal_path)?;
    let manifest = manifest_of(&report.header)
        .with_context(|| format!("the runs' manifest, named in {}", journal_path.display()))?;
    let report = report.with_coverage(&manifest)?;
    write_report(out_dir, &report)?;
    Ok(report)
}

/// The manifest a run used, as its header names it (the built-in one, or a file).
pub fn manifest_of(header: &RunHeader) -> Result<Manifest> {
    Ok(match header.manifest.as_str() {
        crate::manifest::DEFAULT_MANIFEST_NAME => Manifest::builtin(),
        path => Manifest::read(Path::new(path))?,
    })
}

/// Rebuilds the report from a journal: the run's record, also after an interruption.
pub fn report_from_journal(path: &Path) -> Result<Report> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read the journal {}", path.display()))?;
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: RunHeader = serde_json::from_str(lines.next().context("the journal is empty")?)
        .with_context(|| format!("{}:1: not a run header", path.display()))?;
    let mut cells: Vec<CellReport> = Vec::new();
    let mut static_check = None;
    for (n, line) in lines.enumerate() {
        if line.starts_with(STATIC_LINE_START) {
            let parsed: StaticLine = serde_json::from_str(line)
                .with_context(|| format!("{}:{}: not a static section", path.display(), n + 2))?;
            static_check = Some(parsed.check);
            continue;
        }
        match serde_json::from_str(line) {
            Ok(cell) => cells.push(cell),
            // A line cut short by a crash of the harness itself: the cell is simply missing.
            Err(_) if n + 2 == text.lines().count() => {}
            Err(err) => return Err(err).with_context(|| format!("{}:{}: not a cell report", path.display(), n + 2)),
        }
    }
    // The order of the plan, not of completion: reports of the same run compare line by line.
    let order = |cell: &CellReport| header.planned.iter().position(|key| *key == cell.key()).unwrap_or(usize::MAX);
    cells.sort_by_key(order);
    Ok(Report::new(header, cells, static_check))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{EntryResult, ResultKind, StaticReport, StaticResult, Status};

    #[test]
    fn the_static_section_survives_the_journal() {
        let dir = std::env::temp_dir().join(format!("abi-harness-journal-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let header = RunHeader {
            schema: SCHEMA_VERSION,
            tool: "abi-harness".into(),
            tool_version: "0".into(),
            started_unix: 0,
            manifest: "m".into(),
            settings: Default::default(),
            interpreters: Vec::new(),
            planned: Vec::new(),
            shard: None,
        };
        let result =
            EntryResult::new("Py_tp_init", ResultKind::Const, Check::Static, Status::Fail, Some("60 vs 99".into()));
        let check = StaticReport {
            results: vec![StaticResult {
                limited_api: "3.12".into(),
                baseline: "3.12.1@host".into(),
                differing: vec!["x".into()],
                leak: false,
                result,
            }],
            ..StaticReport::default()
        };
        let path = dir.join(JOURNAL);
        let text = format!(
            "{}\n{}\n",
            serde_json::to_string(&header).unwrap(),
            serde_json::to_string(&StaticLine { check: check.clone() }).unwrap()
        );
        assert!(text.lines().nth(1).unwrap().starts_with(STATIC_LINE_START));
        std::fs::write(&path, text).unwrap();
        let report = report_from_journal(&path).unwrap();
        assert_eq!(report.static_check, Some(check));
        assert_eq!(report.summary.fail, 1, "static results count in the summary");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
