//! One cell: one probe build loaded into one interpreter, every check run in a worker.
//!
//! Checks, in order: the strongly linked probe imports; every function and data entry of the
//! interpreter's version resolves; every property whose entry the build has holds. A worker that
//! crashes or hangs is restarted and the cell goes on with the next entry.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use proptest::test_runner::{Config, RngSeed, TestCaseError, TestError, TestRunner};
use serde_json::{Value as Json, json};
use sha2::{Digest, Sha256};

use crate::build::{Build, LINK_MODULE, PROBE_MODULE};
use crate::interpreter::Interpreter;
use crate::manifest::Manifest;
use crate::matrix::Settings;
use crate::process::shell_quote;
use crate::properties::Property;
use crate::report::{BuildRecord, CaseRecord, CellReport, Check, EntryResult, InterpreterRecord, ReproducerRecord, ResultKind, Status};
use crate::value::{PyValue, format_args, render_wire};
use crate::worker::{Fault, Worker};

/// What a cell needs besides its build and interpreter.
pub struct CellContext<'a> {
    pub manifest: &'a Manifest,
    pub properties: &'a [Property],
    pub settings: &'a Settings,
    pub worker_py: &'a Path,
    pub oracles_py: &'a Path,
    /// Where worker stderr files go.
    pub scratch_dir: &'a Path,
    /// Where the run writes C reproducers (the cell only names the files).
    pub reproducer_dir: &'a Path,
    /// How to invoke this program for replay commands.
    pub harness_command: &'a str,
    /// Restrict semantic checks to these entries (empty: all).
    pub only_entries: &'a [String],
    /// Which checks to run.
    pub checks: &'a [Check],
}

/// Replies to set-up requests come fast; this bounds a wedged start.
const SETUP_TIMEOUT: Duration = Duration::from_secs(60);
/// Bounds shrinking so that one break cannot eat a CI job.
const MAX_SHRINK_ITERS: u32 = 512;
const MAX_CRASH_RESTARTS: u32 = 24;

/// `presence`: this cell carries its interpreter's presence check (see
/// [`crate::plan::carries_presence`]).
pub fn run_cell(build: &Build, interpreter: &Interpreter, presence: bool, cx: &CellContext<'_>) -> CellReport {
    let started = Instant::now();
    let mut results = Vec::new();
    let mut cases = 0;
    let mut session = Session::new(build, interpreter, presence, cx);
    match session.start(&mut results) {
        Ok(()) => {
            if cx.checks.contains(&Check::Semantic) {
                cases = session.run_properties(&mut results);
            }
        }
        Err(detail) => results.push(EntryResult::new(PROBE_MODULE, ResultKind::Probe, Check::Import, Status::Crash, Some(detail))),
    }
    CellReport {
        interpreter: InterpreterRecord {
            executable: interpreter.executable.display().to_string(),
            version: interpreter.version.clone(),
            platform: interpreter.platform.clone(),
            debug: interpreter.debug,
            soabi: interpreter.soabi.clone(),
        },
        build: BuildRecord {
            id: build.id.clone(),
            limited_api: build.limited_api.to_string(),
            headers: build.headers.clone(),
            headers_platform: build.headers_platform.clone(),
            probe: build.probe.display().to_string(),
        },
        results,
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        cases,
    }
}

struct Session<'a> {
    build: &'a Build,
    interpreter: &'a Interpreter,
    cx: &'a CellContext<'a>,
    presence: bool,
    worker: Option<Worker>,
    /// Indices into `cx.properties` defined in the worker, in definition order.
    defined: Vec<usize>,
    starts: u32,
    stderr_path: PathBuf,
}

impl<'a> Session<'a> {
    fn new(build: &'a Build, interpreter: &'a Interpreter, presence: bool, cx: &'a CellContext<'a>) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(interpreter.id().as_bytes());
        hasher.update(build.probe.display().to_string().as_bytes());
        let tag = crate::short_hex(&hasher.finalize(), 6);
        let name = format!("worker-{}-on-{}-{}-{tag}.stderr", build.id, interpreter.platform, interpreter.version);
        let name: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.@".contains(c) { c } else { '_' }).collect();
        let stderr_path = cx.scratch_dir.join(name);
        Session { build, interpreter, cx, presence, worker: None, defined: Vec::new(), starts: 0, stderr_path }
    }

    /// Starts a worker and loads the probes. The first start also records the import and
    /// presence results; restarts after a crash only reload.
    fn start(&mut self, results: &mut Vec<EntryResult>) -> Result<(), String> {
        let first = self.starts == 0;
        self.starts += 1;
        self.worker = None;
        let platform = self.interpreter.platform();
        let stage = |path: &Path| platform.stage(path).map_err(|err| crate::error_chain(&err));
        let (worker_py, oracles_py) = (stage(self.cx.worker_py)?, stage(self.cx.oracles_py)?);
        let (probe, link_probe) = (stage(&self.build.probe)?, stage(&self.build.link_probe)?);
        let worker = Worker::start(self.interpreter, &worker_py, &oracles_py, &self.stderr_path)
            .map_err(|err| format!("cannot start a worker: {}", crate::error_chain(&err)))?;
        self.worker = Some(worker);
        let hello = self.setup(&json!({"op": "hello"}))?;
        if hello["protocol"] != json!(1) {
            return Err(format!("worker speaks protocol {}, expected 1", hello["protocol"]));
        }

        let link = self.setup(&json!({"op": "import", "module": LINK_MODULE, "path": link_probe}))?;
        if first && self.cx.checks.contains(&Check::Import) {
            results.extend(self.import_results(&link));
        }
        let probe = self.setup(&json!({"op": "import", "module": PROBE_MODULE, "path": probe}))?;
        if probe["ok"] != json!(true) {
            return Err(format!("the semantic probe did not import: {}", probe["error"].as_str().unwrap_or("?")));
        }
        if first && self.presence && self.cx.checks.contains(&Check::Presence) {
            let names = self.presence_names();
            let reply = self.setup(&json!({"op": "presence", "names": names}))?;
            let missing: Vec<&str> = reply["missing"].as_array().map(|m| m.iter().filter_map(Json::as_str).collect()).unwrap_or_default();
            for name in names {
                let kind = self.cx.manifest.get(name).map_or(ResultKind::Function, |e| e.kind.into());
                let absent = missing.contains(&name);
                results.push(EntryResult::new(name.to_owned(), kind, Check::Presence, if absent { Status::Fail } else { Status::Pass }, absent.then(|| format!("`{name}` is not exported by {} (dlsym found nothing)", self.interpreter.label()))));
            }
        }

        let routines = self.setup(&json!({"op": "routines"}))?;
        let available: Vec<&str> = routines["routines"].as_array().map(|r| r.iter().filter_map(Json::as_str).collect()).unwrap_or_default();
        self.defined = self
            .cx
            .properties
            .iter()
            .enumerate()
            .filter(|(_, p)| available.contains(&p.routine))
            .filter(|(_, p)| self.cx.only_entries.is_empty() || self.cx.only_entries.iter().any(|e| e == p.entry))
            .map(|(n, _)| n)
            .collect();
        let specs: Vec<Json> = self.defined.iter().map(|&n| json!({"routine": self.cx.properties[n].routine, "oracle": self.cx.properties[n].oracle})).collect();
        let defined = self.setup(&json!({"op": "define", "properties": specs}))?;
        if defined["ok"] != json!(true) {
            return Err(format!("defining properties failed: {}", defined["error"].as_str().unwrap_or("?")));
        }
        Ok(())
    }

    fn setup(&mut self, request: &Json) -> Result<Json, String> {
        let worker = self.worker.as_mut().ok_or("no worker")?;
        worker.request(request, SETUP_TIMEOUT).map_err(|fault| {
            format!("worker failed during `{}`: {}\n{}", request["op"].as_str().unwrap_or("?"), fault.summary(), fault.stderr())
        })
    }

    /// Functions and data of the interpreter's own version, with their feature macro defined.
    fn presence_names(&self) -> Vec<&'a str> {
        self.cx
            .manifest
            .entries
            .iter()
            .filter(|e| e.kind.is_symbol() && e.available_in(self.interpreter.minor))
            .filter(|e| e.ifdef.as_deref().is_none_or(|f| self.interpreter.has_feature(f)))
            .map(|e| e.name.as_str())
            .collect()
    }

    fn import_results(&self, reply: &Json) -> Vec<EntryResult> {
        let mut results = Vec::new();
        let ok = reply["ok"] == json!(true);
        let error = reply["error"].as_str().unwrap_or("").to_owned();
        results.push(EntryResult::new(LINK_MODULE, ResultKind::Probe, Check::Import, if ok { Status::Pass } else { Status::Fail }, (!ok).then(|| {
                format!(
                    "an extension built for limited API {} referencing all {} function and data entries does not import: {error}",
                    self.build.limited_api,
                    self.build.linked_symbols.len()
                )
            })));
        // The loader names the first symbol it could not bind: charge it to that entry.
        if let Some(symbol) = error.split("undefined symbol: ").nth(1).map(|rest| rest.split_whitespace().next().unwrap_or("")) {
            let kind = self.cx.manifest.get(symbol).map_or(ResultKind::Function, |e| e.kind.into());
            results.push(EntryResult::new(symbol.to_owned(), kind, Check::Import, Status::Fail, Some(format!("an abi3 extension built for {} that uses `{symbol}` cannot be imported by {}: {error}", self.build.limited_api, self.interpreter.label()))));
        }
        results
    }

    /// Runs every defined property; returns the number of cases run.
    fn run_properties(&mut self, results: &mut Vec<EntryResult>) -> u64 {
        let mut cases = 0;
        for slot in 0..self.defined.len() {
            let property = &self.cx.properties[self.defined[slot]];
            let started = std::time::Instant::now();
            let (mut result, ran, samples) = self.run_property(slot, property);
            result.elapsed_ms = Some(elapsed_ms(started));
            cases += ran;
            let passed = result.status == Status::Pass;
            results.push(result);
            // Only a probe built with debug headers keeps the debug total with its inline
            // reference counting; with release headers every inline DECREF would look like a leak.
            if passed && self.interpreter.debug && self.build.headers_debug && self.cx.checks.contains(&Check::Refleak) {
                let started = std::time::Instant::now();
                let mut result = self.check_refleak(slot, property, &samples);
                result.elapsed_ms = Some(elapsed_ms(started));
                results.push(result);
            }
        }
        cases
    }

    /// Calls the property's routine repeatedly with a few of its passing cases and watches the
    /// interpreter's total reference count: a steady rise of one or more per call is a leak.
    /// All cases are measured together; only a rise is narrowed down to its case.
    fn check_refleak(&mut self, slot: usize, property: &Property, samples: &[Vec<PyValue>]) -> EntryResult {
        let kind = self.cx.manifest.get(property.entry).map_or(ResultKind::from(property.kind), |e| e.kind.into());
        let mut result = EntryResult::new(property.entry, kind, Check::Refleak, Status::Pass, None);
        result.property = Some(property.routine.to_owned());
        let all: Vec<&[PyValue]> = samples.iter().map(Vec::as_slice).collect();
        match self.measure_leak(slot, &all, Measure::Screen) {
            Ok(None) => {}
            Ok(Some(_)) => {
                // Name the case: the first that leaks alone (the batch's figures if none does).
                let mut found = None;
                for args in &all {
                    match self.measure_leak(slot, std::slice::from_ref(args), Measure::Careful) {
                        Ok(Some(leak)) => {
                            found = Some((args.to_vec(), leak));
                            break;
                        }
                        Ok(None) => {}
                        Err(fault) => return self.refleak_fault(result, property, args, &fault),
                    }
                }
                let (args, leak) = match found {
                    Some(found) => found,
                    None => match self.measure_leak(slot, &all, Measure::Careful) {
                        Ok(Some(leak)) => (samples.first().cloned().unwrap_or_default(), leak),
                        _ => return result, // not reproducible: the interpreter's own drift
                    },
                };
                result.status = Status::Fail;
                let (finding, moved) = if leak.delta > 0 { ("reference leak", "raised") } else { ("over-release (a reference released that was never owned)", "lowered") };
                result.detail = Some(format!(
                    "{finding}: {routine}{args} {moved} sys.gettotalrefcount() by {delta} over {calls} calls (about {per} per call); the Python-level equivalent by {oracle}\nbuild: limited API {limited} with {headers} headers; interpreter {interp}",
                    routine = property.routine,
                    args = format_args(&args),
                    delta = leak.delta.abs(),
                    calls = leak.calls,
                    per = leak.delta.abs() / leak.calls.max(1),
                    oracle = leak.oracle_delta,
                    limited = self.build.limited_api,
                    headers = self.build.headers,
                    interp = self.interpreter.label(),
                ));
                result.case = Some(self.case_record(property, &args, self.seed_for(property)));
            }
            Err(fault) => {
                let args = samples.first().map(Vec::as_slice).unwrap_or_default();
                return self.refleak_fault(result, property, args, &fault);
            }
        }
        result
    }

    /// One reference-count measurement over `cases`; `Some` when the probe's calls leave at
    /// least one reference per call more than the Python-level equivalent's, or one fewer (an
    /// over-release: a borrowed reference returned as new, a stolen argument not stolen).
    fn measure_leak(&mut self, slot: usize, cases: &[&[PyValue]], how: Measure) -> Result<Option<Leak>, Fault> {
        let (rounds, warmups, readings): (i64, u32, u32) = match how {
            Measure::Screen => (8, 1, 1),
            Measure::Careful => (16, 2, 2),
        };
        let wire: Vec<Vec<Json>> = cases.iter().map(|args| args.iter().map(PyValue::to_wire).collect()).collect();
        let request = json!({"op": "refleak", "p": slot, "cases": wire, "calls": rounds, "warmups": warmups, "readings": readings});
        let Some(worker) = self.worker.as_mut() else { return Ok(None) };
        let reply = worker.request(&request, self.cx.settings.case_timeout * 12)?;
        let delta = reply["delta"].as_i64().unwrap_or(0);
        let oracle_delta = reply["oracle_delta"].as_i64().unwrap_or(0);
        let calls = rounds * i64::try_from(cases.len()).unwrap_or(i64::MAX);
        // What the Python-level equivalent also leaves behind is the interpreter's own
        // accounting, not the extension's.
        let leaked = delta >= rounds && delta - oracle_delta.max(0) >= rounds;
        let over_released = delta <= -rounds && delta - oracle_delta.min(0) <= -rounds;
        Ok((leaked || over_released).then_some(Leak { delta, oracle_delta, calls }))
    }

    fn refleak_fault(&mut self, mut result: EntryResult, property: &Property, args: &[PyValue], fault: &Fault) -> EntryResult {
        result.status = if matches!(fault, Fault::TimedOut { .. }) { Status::Timeout } else { Status::Crash };
        result.detail = Some(format!("during the reference-leak check of {}{}: {}\n{}", property.routine, format_args(args), fault.summary(), fault.stderr().trim_end()));
        self.worker = None;
        let _ = self.restart();
        result
    }

    fn seed_for(&self, property: &Property) -> u64 {
        let mut hasher = Sha256::new();
        hasher.update(self.cx.settings.seed.to_le_bytes());
        hasher.update(property.routine.as_bytes());
        let digest = hasher.finalize();
        u64::from_le_bytes(digest[..8].try_into().unwrap_or([0; 8]))
    }

    /// Runs one property: its result, the cases run, and a few passing cases for later checks.
    fn run_property(&mut self, slot: usize, property: &Property) -> (EntryResult, u64, Vec<Vec<PyValue>>) {
        let seed = self.seed_for(property);
        let kind = self.cx.manifest.get(property.entry).map_or(ResultKind::from(property.kind), |e| e.kind.into());
        let result = |status, detail: Option<String>, case| EntryResult {
            entry: property.entry.to_owned(),
            kind,
            check: Check::Semantic,
            status,
            detail,
            property: Some(property.routine.to_owned()),
            fingerprint: None,
            known: None,
            case,
            elapsed_ms: None,
        };
        if self.worker.is_none() && self.restart().is_err() {
            return (result(Status::Skip, Some("no worker could be started after an earlier crash".into()), None), 0, Vec::new());
        }
        if self.interpreter.debug {
            if let Some((_, reason)) = crate::properties::RELEASE_ONLY.iter().find(|(routine, _)| *routine == property.routine) {
                return (result(Status::Skip, Some((*reason).to_owned()), None), 0, Vec::new());
            }
        }

        let config = Config {
            cases: property.cases(cases_on(self.interpreter, self.cx.settings.cases)),
            rng_seed: RngSeed::Fixed(seed),
            failure_persistence: None,
            max_shrink_iters: MAX_SHRINK_ITERS,
            max_shrink_time: 20_000,
            max_global_rejects: 4096,
            ..Config::default()
        };
        // Fast path: all cases in one request. Only when one fails (or the worker dies) does the
        // case-by-case run below repeat them from the same seed, to find and shrink the failure.
        // A single case gains nothing from the batch, and a crash there would cost a second
        // restart when the case-by-case run repeats it.
        if let Some((ran, fingerprint, samples)) = (config.cases > 1).then(|| self.run_batch(slot, property, &config)).flatten() {
            return (EntryResult { fingerprint: Some(fingerprint), ..result(Status::Pass, None, None) }, ran, samples);
        }
        let mut runner = TestRunner::new(config);
        let state = RefCell::new(RunState::default());
        let strategy = property.strategy();
        let timeout = self.cx.settings.case_timeout;
        let session = RefCell::new(&mut *self);
        let outcome = runner.run(&strategy, |args| {
            let mut session = session.borrow_mut();
            let mut state = state.borrow_mut();
            if state.stop {
                return Ok(());
            }
            state.cases += 1;
            let wire: Vec<Json> = args.iter().map(PyValue::to_wire).collect();
            let request = json!({"op": "case", "p": slot, "args": wire});
            let reply = match session.worker.as_mut() {
                Some(worker) => worker.request(&request, timeout),
                None => return Ok(()),
            };
            match reply {
                Ok(reply) => {
                    let verdict = judge(&reply);
                    if verdict.is_ok() && state.samples.len() < SAMPLES_KEPT {
                        state.samples.push(args.clone());
                    }
                    if verdict.is_ok() {
                        state.outcomes.update(reply["digest"].as_str().unwrap_or_default().as_bytes());
                        state.outcomes.update([b'\n']);
                    }
                    verdict.map_err(|mismatch| TestCaseError::fail(format!("F{mismatch}")))
                }
                Err(fault) => {
                    let timed_out = matches!(fault, Fault::TimedOut { .. });
                    let message = format!("{}{}\n{}", fault.summary(), diagnosis(fault.stderr()), fault.stderr().trim_end());
                    state.crash_restarts += 1;
                    // A hang costs a full timeout per try: report the first one unshrunk.
                    if timed_out || state.crash_restarts > MAX_CRASH_RESTARTS {
                        state.stop = true;
                    }
                    drop(state);
                    session.worker = None;
                    let _ = session.restart();
                    Err(TestCaseError::fail(format!("{}{message}", if timed_out { 'T' } else { 'C' })))
                }
            }
        });
        let state = state.into_inner();
        let ran = state.cases;
        let samples = state.samples;
        match outcome {
            Ok(()) => {
                let digest = state.outcomes.finalize();
                let fingerprint = crate::short_hex(&digest, 8);
                (EntryResult { fingerprint: Some(fingerprint), ..result(Status::Pass, None, None) }, ran, samples)
            }
            Err(TestError::Abort(reason)) => (result(Status::Skip, Some(format!("property aborted: {reason}")), None), ran, samples),
            Err(TestError::Fail(reason, args)) => {
                let reason = reason.message().to_owned();
                let (tag, message) = reason.split_at(reason.char_indices().nth(1).map_or(reason.len(), |(i, _)| i));
                let status = match tag {
                    "C" => Status::Crash,
                    "T" => Status::Timeout,
                    _ => Status::Fail,
                };
                let mut case = self.case_record(property, &args, seed);
                if status != Status::Timeout {
                    case.reproducer = Some(self.reproducer(property, &case));
                }
                let detail = format!(
                    "{verdict} for {routine}{args}\n{message}\nbuild: limited API {limited} with {headers} headers; interpreter {interp}; seed {seed}\nreplay: {replay}",
                    verdict = match status {
                        Status::Crash => "crash",
                        Status::Timeout => "timeout",
                        _ => "counterexample",
                    },
                    routine = property.routine,
                    args = format_args(&args),
                    message = message.trim_end(),
                    limited = self.build.limited_api,
                    headers = self.build.headers,
                    interp = self.interpreter.label(),
                    replay = case.replay,
                );
                let detail = match &case.reproducer {
                    Some(repro) => format!("{detail}\nC reproducer: {}\n  {}\n  {}", repro.file, repro.build, repro.run),
                    None => detail,
                };
                (result(status, Some(detail), Some(case)), ran, samples)
            }
        }
    }

    /// Runs every case of a property in one request. `Some` when all pass: the cases run, the
    /// outcome fingerprint and a few samples; `None` when anything went wrong.
    fn run_batch(&mut self, slot: usize, property: &Property, config: &Config) -> Option<(u64, String, Vec<Vec<PyValue>>)> {
        use proptest::strategy::{Strategy, ValueTree};
        let strategy = property.strategy();
        let mut runner = TestRunner::new(config.clone());
        let mut cases: Vec<Vec<PyValue>> = Vec::with_capacity(config.cases as usize);
        for _ in 0..config.cases {
            cases.push(strategy.new_tree(&mut runner).ok()?.current());
        }
        let wire: Vec<Json> = cases.iter().map(|args| Json::Array(args.iter().map(PyValue::to_wire).collect())).collect();
        let request = json!({"op": "cases", "p": slot, "cases": wire});
        let timeout = self.cx.settings.case_timeout + Duration::from_millis(10) * config.cases;
        let reply = match self.worker.as_mut()?.request(&request, timeout) {
            Ok(reply) => reply,
            Err(_) => {
                self.worker = None;
                let _ = self.restart();
                return None;
            }
        };
        // Any difference: the case-by-case run judges and shrinks it.
        let digests = reply["digests"].as_array()?;
        if digests.len() != cases.len() {
            return None;
        }
        let mut digest = Sha256::new();
        for case_digest in digests {
            digest.update(case_digest.as_str()?.as_bytes());
            digest.update([b'\n']);
        }
        let fingerprint = crate::short_hex(&digest.finalize(), 8);
        let samples = cases.into_iter().take(SAMPLES_KEPT).collect();
        Some((u64::from(config.cases), fingerprint, samples))
    }

    fn restart(&mut self) -> Result<(), String> {
        let mut ignored = Vec::new();
        self.start(&mut ignored)
    }

    fn case_record(&self, property: &Property, args: &[PyValue], seed: u64) -> CaseRecord {
        let wire = Json::Array(args.iter().map(PyValue::to_wire).collect());
        let rootfs = |root: &Option<std::path::PathBuf>, flag: &str| {
            root.as_ref().map(|r| format!(" {flag} {}", shell_quote(&r.display().to_string()))).unwrap_or_default()
        };
        let replay = format!(
            "{} replay --interpreter {}{} --headers {}{} --limited-api {} --routine {} --args {}",
            self.cx.harness_command,
            shell_quote(&self.interpreter.executable.display().to_string()),
            rootfs(&self.interpreter.root, "--rootfs"),
            shell_quote(&self.build.headers_executable.display().to_string()),
            rootfs(&self.build.headers_root, "--headers-rootfs"),
            self.build.limited_api,
            property.routine,
            shell_quote(&wire.to_string()),
        );
        CaseRecord { routine: property.routine.to_owned(), args: format_args(args), wire, seed, replay, reproducer: None }
    }

    fn reproducer(&self, property: &Property, case: &CaseRecord) -> ReproducerRecord {
        let name = format!("{}-{}-on-{}-{}", property.routine, self.build.id, self.interpreter.platform, self.interpreter.version);
        let name: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.@".contains(c) { c } else { '_' }).collect();
        let file = self.cx.reproducer_dir.join(format!("{name}.c"));
        let (build, run) = crate::reproducer::commands(self.build, self.interpreter, &file);
        let context = format!(
            "{}{} on {} (limited API {} with {} headers)",
            property.routine,
            case.args,
            self.interpreter.label(),
            self.build.limited_api,
            self.build.headers
        );
        let wire = case.wire.to_string();
        let source = crate::reproducer::source(
            &crate::reproducer::Case { routine: property.routine, oracle: property.oracle, wire: &wire, args: &case.args, context: &context },
            &build,
            &run,
        );
        ReproducerRecord { file: file.display().to_string(), build, run, source }
    }
}

/// How carefully to measure a reference-count drift: a cheap screening of every passing
/// property, then a careful measurement of what the screening flags.
#[derive(Clone, Copy)]
enum Measure {
    Screen,
    Careful,
}

fn elapsed_ms(started: std::time::Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// What a crash's output says about its cause, in words, where it says something certain.
fn diagnosis(stderr: &str) -> &'static str {
    if stderr.contains("negative ref count") {
        // Debug builds check every decrement (_Py_NegativeRefcount).
        " (over-release: a reference count went negative, so a reference was released that its holder never owned, such as a borrowed reference returned as new)"
    } else {
        ""
    }
}

/// Property cases per entry on an interpreter. A debug build runs a quarter of them: it is
/// there for its assertions and its reference accounting (the leak check), while its release
/// twin, three times faster, compares behaviour with the full count.
pub fn cases_on(interpreter: &Interpreter, cases: u32) -> u32 {
    if interpreter.debug { (cases / 4).max(1) } else { cases }
}

/// Passing cases kept per property for the reference-leak check on debug builds.
const SAMPLES_KEPT: usize = 3;

/// A reference count that rose with the calls.
struct Leak {
    delta: i64,
    oracle_delta: i64,
    calls: i64,
}

#[derive(Default)]
struct RunState {
    cases: u64,
    samples: Vec<Vec<PyValue>>,
    /// Digest of the probe's outcomes, case by case.
    outcomes: Sha256,
    crash_restarts: u32,
    stop: bool,
}

/// Compares the probe's outcome with the oracle's; the error says how they differ.
pub fn judge(reply: &Json) -> Result<(), String> {
    if let Some(error) = reply.get("error") {
        return Err(format!("worker error: {error}"));
    }
    let probe = &reply["probe"];
    let oracle = &reply["oracle"];
    if let Some(contract) = probe.get("contract").and_then(Json::as_str) {
        return Err(format!("error contract broken: {contract}"));
    }
    if probe == oracle {
        return Ok(());
    }
    Err(format!("  probe:  {}\n  oracle: {}", describe(probe), describe(oracle)))
}

/// `returns 3; arguments after: ([1], 2)`.
pub fn describe(outcome: &Json) -> String {
    let head = if let Some(ret) = outcome.get("ret") {
        format!("returns {}", render_wire(ret))
    } else if let Some(exc) = outcome.get("exc").and_then(Json::as_str) {
        format!("raises {exc}")
    } else if let Some(contract) = outcome.get("contract").and_then(Json::as_str) {
        format!("breaks its error contract: {contract}")
    } else {
        outcome.to_string()
    };
    let after: Vec<String> = outcome.get("after").and_then(Json::as_array).map(|a| a.iter().map(render_wire).collect()).unwrap_or_default();
    if after.is_empty() { head } else { format!("{head}; arguments after: ({})", after.join(", ")) }
}
