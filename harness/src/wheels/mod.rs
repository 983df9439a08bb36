//! Real extensions: abi3 wheels from PyPI (the corpus, `wheels.toml`) or local files, audited
//! and run on every interpreter at or above their limited-API tag.
//!
//! Per wheel and interpreter, one cell of the report model (build id `wheel:PACKAGE-VERSION`):
//! * `static` (entry = symbol): each extension's undefined `Py*`/`_Py*` symbol against the
//!   manifest: in the Stable ABI at the interpreter's version, or not (a symbol added later than
//!   the interpreter, or one outside the manifest, fails);
//! * `presence` (entry = symbol): the interpreter (its executable and libpython) exports it;
//! * `import` (entry = module): each extension module imports in a fresh worker process;
//! * `semantic` (entry = `smoke:PACKAGE`): the smoke script passes; `refleak` on debug
//!   interpreters (`-X dev`, `sys.gettotalrefcount()` around repeated runs).
//!
//! A crash or hang is a result (`crash` with the signal, `timeout`), charged to the step that
//! was running. Bad input (not abi3, another platform, a corrupt zip, a wheel missing from the
//! cache offline) is a [`WheelsError`]: "cannot run", exit 2, found before any cell runs.

pub mod cache;
pub mod corpus;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::elf;
use crate::interpreter::Interpreter;
use crate::manifest::Manifest;
use crate::platform::Platform;
use crate::process::{self, CommandLine, Exit, ProcessError};
use crate::report::{BuildRecord, CellReport, Check, EntryResult, ResultKind, Status};
use crate::version::PyVersion;

pub use cache::default_cache;
pub use corpus::{Corpus, WheelName, WheelSpec};

/// The driver run in each worker process (see the file for its arguments).
const DRIVER: &str = include_str!("smoke.py");

/// Memory blocks a smoke run may keep per repetition before it counts as a leak: free lists and
/// caches keep a few after the warm-up run; a leaked object keeps one or more every run.
const LEAK_SLACK_BLOCKS_PER_RUN: i64 = 10;

#[derive(Debug, thiserror::Error)]
pub enum WheelsError {
    #[error("cannot read the wheel corpus {}", path.display())]
    ReadCorpus {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{origin}: {message}")]
    Corpus { origin: String, message: String },
    #[error("`{file}` is not a wheel file name: {why}")]
    BadName { file: String, why: &'static str },
    #[error("`{file}` is not an abi3 wheel (its ABI tag is `{abi}`)")]
    NotAbi3 { file: String, abi: String },
    #[error("`{file}` is not for Linux x86_64 with glibc (its platform tag is `{platform}`)")]
    WrongPlatform { file: String, platform: String },
    #[error("`{file}` is not a readable wheel (corrupt zip)")]
    Corrupt {
        file: String,
        #[source]
        source: zip::result::ZipError,
    },
    #[error("`{file}` has an unsafe path `{entry}` (outside the wheel)")]
    UnsafePath { file: String, entry: String },
    #[error("wheel `{file}` is missing: {hint}")]
    Missing { file: String, hint: String },
    #[error("running offline, these wheels are not in the cache {}:\n  {files}\nrun once with the registry to fetch them", cache.display())]
    NotCached { cache: PathBuf, files: String },
    #[error("wheel `{file}` has sha256 {actual}, but the corpus pins {expected}")]
    HashMismatch { file: String, expected: String, actual: String },
    #[error("pip could not fetch `{requirement}`")]
    Fetch {
        requirement: String,
        #[source]
        source: Box<ProcessError>,
    },
    #[error("wheel cache or work folder {}", path.display())]
    Cache {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read the extension {} of `{file}`", path.display())]
    Elf {
        file: String,
        path: PathBuf,
        #[source]
        source: elf::ElfError,
    },
    #[error("cannot learn what interpreter {interpreter} exports")]
    Exports {
        interpreter: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error(transparent)]
    Platform(#[from] crate::platform::PlatformError),
}

/// How a wheels run works.
#[derive(Clone, Debug)]
pub struct WheelsOptions {
    /// The content-addressed wheel cache ([`default_cache`]).
    pub cache_dir: PathBuf,
    /// Scratch space: extracted wheels and per-interpreter install folders (emptied per cell).
    pub work_dir: PathBuf,
    /// The interpreter whose pip fetches wheels; `None`: offline, the cache only.
    pub pip: Option<PathBuf>,
    /// A worker's time limit.
    pub timeout: Duration,
}

/// A wheel ready to check: its file and what its extensions import.
struct Prepared {
    spec: WheelSpec,
    path: PathBuf,
    glibc: (u32, u32),
    extensions: Vec<Extension>,
}

struct Extension {
    /// Path inside the wheel, e.g. `bcrypt/_bcrypt.abi3.so`.
    file: String,
    /// The module name if it is a Python extension module (defines `PyInit_<name>`); plain
    /// shared libraries loaded with ctypes or cffi are audited but not imported.
    module: Option<String>,
    imports: Vec<elf::DynamicSymbol>,
}

/// Checks every wheel on every interpreter at or above its tag: one cell each. Wheels are
/// fetched and read first, so bad input fails before anything runs.
pub fn run(
    wheels: &[WheelSpec],
    interpreters: &[Interpreter],
    manifest: &Manifest,
    options: &WheelsOptions,
) -> Result<Vec<CellReport>, WheelsError> {
    // The worker runs elsewhere (a chroot, another working folder): its paths are absolute.
    let work_dir = std::path::absolute(&options.work_dir)
        .map_err(|source| WheelsError::Cache { path: options.work_dir.clone(), source })?;
    let options = &WheelsOptions { work_dir, ..options.clone() };
    let fetcher = cache::Fetcher { cache: &options.cache_dir, pip: options.pip.as_deref() };
    let mut prepared = Vec::new();
    // Offline, every missing wheel is named at once, not one per attempt.
    let mut missing = Vec::new();
    for spec in wheels {
        match fetcher.wheel(spec) {
            Ok(path) => prepared.push(prepare(spec, &path, &options.work_dir)?),
            Err(WheelsError::Missing { file, hint }) if options.pip.is_none() => {
                missing.push(format!("{file} ({hint})"))
            }
            Err(error) => return Err(error),
        }
    }
    match missing.len() {
        0 => {}
        1 => return Err(WheelsError::Missing { file: missing.remove(0), hint: "run once with the registry".into() }),
        _ => return Err(WheelsError::NotCached { cache: options.cache_dir.clone(), files: missing.join("\n  ") }),
    }
    // Dependencies, per interpreter version that runs them, also before any cell.
    let mut dependencies: BTreeMap<(String, PyVersion), PathBuf> = BTreeMap::new();
    for wheel in &prepared {
        for interpreter in interpreters.iter().filter(|i| runs_on(&wheel.spec, i)) {
            for requirement in &wheel.spec.requires {
                let key = (requirement.clone(), interpreter.minor);
                if let std::collections::btree_map::Entry::Vacant(slot) = dependencies.entry(key) {
                    slot.insert(fetcher.dependency(requirement, interpreter.minor)?);
                }
            }
        }
    }
    let mut exports: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let driver = options.work_dir.join("wheel-driver.py");
    write_file(&driver, DRIVER.as_bytes())?;
    let mut cells = Vec::new();
    for wheel in &prepared {
        for interpreter in interpreters.iter().filter(|i| runs_on(&wheel.spec, i)) {
            if let std::collections::btree_map::Entry::Vacant(slot) = exports.entry(interpreter.id()) {
                slot.insert(exported_symbols(interpreter)?);
            }
            let deps: Vec<&Path> = wheel
                .spec
                .requires
                .iter()
                .filter_map(|r| dependencies.get(&(r.clone(), interpreter.minor)).map(PathBuf::as_path))
                .collect();
            let exported = &exports[&interpreter.id()];
            cells.push(cell(wheel, interpreter, manifest, exported, &deps, &driver, options)?);
        }
    }
    Ok(cells)
}

/// The journal header of a wheels run, for `run::write_record`: the cells planned
/// are the cells run (a wheels run is never sharded yet).
pub fn header(
    manifest: &Manifest,
    interpreters: &[Interpreter],
    cells: &[CellReport],
    options: &WheelsOptions,
) -> crate::report::RunHeader {
    use std::time::{SystemTime, UNIX_EPOCH};
    crate::report::RunHeader {
        schema: crate::report::SCHEMA_VERSION,
        tool: "abi-harness".into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        started_unix: SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()),
        manifest: manifest.origin.clone(),
        settings: [
            ("checks", serde_json::json!(["wheels"])),
            ("offline", serde_json::json!(options.pip.is_none())),
            ("timeout_secs", serde_json::json!(options.timeout.as_secs())),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect(),
        interpreters: interpreters.iter().filter_map(|i| serde_json::to_value(i).ok()).collect(),
        planned: cells.iter().map(CellReport::key).collect(),
        shard: None,
    }
}

/// A wheel runs where its tag allows and abi3 loads (not on free-threaded builds).
fn runs_on(spec: &WheelSpec, interpreter: &Interpreter) -> bool {
    interpreter.minor >= spec.limited_api && !interpreter.free_threaded
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), WheelsError> {
    let io = |source| WheelsError::Cache { path: path.to_owned(), source };
    std::fs::create_dir_all(path.parent().unwrap_or(Path::new("."))).map_err(io)?;
    crate::write_atomically(path, bytes).map_err(io)
}

/// Checks a wheel's name, reads its zip and each extension's dynamic symbols (from a copy
/// extracted once per content, by rename, under the work folder).
fn prepare(spec: &WheelSpec, path: &Path, work_dir: &Path) -> Result<Prepared, WheelsError> {
    let name = WheelName::parse(&spec.file)?;
    let sha = cache::sha256_of(path).map_err(|source| WheelsError::Cache { path: path.to_owned(), source })?;
    let extracted = work_dir.join("extracted").join(&sha[..16]);
    if !extracted.is_dir() {
        let parent = work_dir.join("extracted");
        std::fs::create_dir_all(&parent).map_err(|source| WheelsError::Cache { path: parent.clone(), source })?;
        let scratch = work_dir.join(format!("extracting-{}-{}", std::process::id(), process::unique()));
        let unpacked = unpack(path, &spec.file, &scratch).and_then(|()| {
            std::fs::rename(&scratch, &extracted).or_else(|err| {
                if extracted.is_dir() {
                    Ok(())
                } else {
                    Err(WheelsError::Cache { path: extracted.clone(), source: err })
                }
            })
        });
        let _ = std::fs::remove_dir_all(&scratch);
        unpacked?;
    }
    let mut extensions = Vec::new();
    for file in shared_objects(&extracted, &extracted) {
        let host = extracted.join(&file);
        let symbols = elf::dynamic_symbols(&host).map_err(|source| WheelsError::Elf {
            file: spec.file.clone(),
            path: host.clone(),
            source,
        })?;
        let module = module_name(&file).filter(|module| {
            let short = module.rsplit('.').next().unwrap_or(module);
            symbols.iter().any(|s| s.defined && s.name == format!("PyInit_{short}"))
        });
        let imports = symbols.into_iter().filter(|s| !s.defined && is_python_symbol(&s.name)).collect();
        extensions.push(Extension { file, module, imports });
    }
    extensions.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(Prepared { spec: spec.clone(), path: path.to_owned(), glibc: name.glibc, extensions })
}

fn is_python_symbol(name: &str) -> bool {
    name.starts_with("Py") || name.starts_with("_Py")
}

/// `pkg/sub/_mod.abi3.so` → `pkg.sub._mod`.
fn module_name(file: &str) -> Option<String> {
    let stem = file.strip_suffix(".so")?;
    let (path, _) = stem.split_once('.').unwrap_or((stem, ""));
    Some(path.replace('/', "."))
}

/// Shared objects under `dir`, as paths relative to `root` with `/`.
fn shared_objects(root: &Path, dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return found };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            found.extend(shared_objects(root, &path));
        } else if path.extension().is_some_and(|e| e == "so") && !path.to_string_lossy().contains(".libs/") {
            // `pkg.libs/` (auditwheel's vendored libraries) are not extensions.
            if let Ok(relative) = path.strip_prefix(root) {
                found.push(relative.to_string_lossy().into_owned());
            }
        }
    }
    found
}

/// Unpacks a wheel into `dir` as an installer would lay it out in site-packages: `.data/`'s
/// `purelib` and `platlib` at the top, other `.data/` folders (scripts, headers) left out.
fn unpack(wheel: &Path, file: &str, dir: &Path) -> Result<(), WheelsError> {
    let corrupt = |source| WheelsError::Corrupt { file: file.to_owned(), source };
    let io = |source| WheelsError::Cache { path: dir.to_owned(), source };
    let handle = std::fs::File::open(wheel).map_err(|source| WheelsError::Cache { path: wheel.to_owned(), source })?;
    let mut archive = zip::ZipArchive::new(handle).map_err(corrupt)?;
    std::fs::create_dir_all(dir).map_err(io)?;
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(corrupt)?;
        let Some(name) = entry.enclosed_name() else {
            return Err(WheelsError::UnsafePath { file: file.to_owned(), entry: entry.name().to_owned() });
        };
        let name = name.to_string_lossy().replace('\\', "/");
        let relative = match name.split_once(".data/") {
            Some((_, rest)) if !name.split('/').next().unwrap_or("").contains('/') => match rest.split_once('/') {
                Some(("purelib" | "platlib", inner)) => inner.to_owned(),
                _ => continue,
            },
            _ => name.clone(),
        };
        if entry.is_dir() || relative.is_empty() {
            continue;
        }
        let target = dir.join(&relative);
        std::fs::create_dir_all(target.parent().unwrap_or(dir)).map_err(io)?;
        let mut bytes = Vec::new();
        // A bad deflate stream or CRC shows here, not when the archive is opened.
        entry.read_to_end(&mut bytes).map_err(|source| corrupt(zip::result::ZipError::Io(source)))?;
        std::fs::write(&target, bytes).map_err(io)?;
    }
    Ok(())
}

/// Every symbol an interpreter's process offers extensions: the dynamic exports of its
/// executable and, for a shared build, of its libpython (Debian's are statically linked and
/// export from the executable).
fn exported_symbols(interpreter: &Interpreter) -> Result<BTreeSet<String>, WheelsError> {
    let failed = |source: Box<dyn std::error::Error + Send + Sync>| WheelsError::Exports {
        interpreter: interpreter.label(),
        source,
    };
    const SCRIPT: &str = "import os, sys, sysconfig\nprint(os.path.realpath(sys.executable))\nlib = sysconfig.get_config_var('LDLIBRARY') or ''\nshared = sysconfig.get_config_var('Py_ENABLE_SHARED')\nprint(os.path.join(sysconfig.get_config_var('LIBDIR') or '', lib) if shared else '')\n";
    let output = process::run_ok(&interpreter.command().args(["-I", "-c", SCRIPT]), Duration::from_secs(60))
        .map_err(|err| failed(Box::new(err)))?;
    let platform = interpreter.platform();
    let mut exports = BTreeSet::new();
    for (n, line) in output.stdout.lines().map(str::trim).enumerate().filter(|(_, l)| !l.is_empty()) {
        let host = platform.host_path(Path::new(line));
        // Debian's executables link libpython statically and say Py_ENABLE_SHARED all the same
        // (for their separate libpython package, which may not be installed): the library is
        // read where it is there, and the exports must hold the interpreter's own entry point.
        if n > 0 && !host.exists() {
            continue;
        }
        let symbols = elf::dynamic_symbols(&host).map_err(|err| failed(Box::new(err)))?;
        exports.extend(symbols.into_iter().filter(|s| s.defined).map(|s| s.name));
    }
    if !exports.contains("Py_Initialize") {
        let message = "neither its executable nor its libpython exports Py_Initialize".to_owned();
        return Err(failed(message.into()));
    }
    Ok(exports)
}

/// The static audit of one wheel for one interpreter: per imported Python symbol, what the
/// manifest promises at the interpreter's version (`static`) and whether it is exported
/// (`presence`).
fn audit(
    wheel: &Prepared,
    interpreter: &Interpreter,
    manifest: &Manifest,
    exported: &BTreeSet<String>,
) -> Vec<EntryResult> {
    // symbol -> (weak everywhere it is imported, the extensions importing it)
    let mut symbols: BTreeMap<&str, (bool, Vec<&str>)> = BTreeMap::new();
    for extension in &wheel.extensions {
        for import in &extension.imports {
            let slot = symbols.entry(&import.name).or_insert((true, Vec::new()));
            slot.0 &= import.weak;
            slot.1.push(&extension.file);
        }
    }
    let tag = wheel.spec.limited_api;
    let mut results = Vec::new();
    for (symbol, (weak, users)) in symbols {
        let users = users.join(", ");
        let entry = manifest.get(symbol).filter(|e| e.kind.is_symbol());
        let kind = entry.map(|e| ResultKind::from(e.kind)).unwrap_or(ResultKind::Function);
        let (status, detail) = match entry.and_then(|e| e.added.map(|added| (e, added))) {
            None => (
                Status::Fail,
                Some(format!(
                    "{symbol} (imported by {users}) is not in the Stable ABI manifest: no version promises it"
                )),
            ),
            Some((_, added)) if added > interpreter.minor => (
                Status::Fail,
                Some(format!(
                    "{symbol} (imported by {users}) joined the Stable ABI in {added}, after this interpreter's {}; the wheel's tag cp3{} claims {tag}",
                    interpreter.minor, tag.minor
                )),
            ),
            Some((_, added)) if added > tag => (
                Status::Pass,
                Some(format!(
                    "{symbol} joined the Stable ABI in {added}, after the wheel's tag cp3{}: fine here, missing on {tag} to {}",
                    tag.minor,
                    PyVersion::new(added.major, added.minor.saturating_sub(1))
                )),
            ),
            Some((entry, _)) if entry.abi_only => {
                (Status::Pass, Some(format!("{symbol} is abi_only: for the headers' macros and inline functions")))
            }
            Some(_) => (Status::Pass, None),
        };
        results.push(EntryResult::new(symbol, kind, Check::Static, status, detail));
        let presence = if exported.contains(symbol) {
            EntryResult::new(symbol, kind, Check::Presence, Status::Pass, None)
        } else if weak {
            EntryResult::new(
                symbol,
                kind,
                Check::Presence,
                Status::Skip,
                Some(format!("{symbol} is not exported here, but {users} import it weakly (and must check it)")),
            )
        } else {
            EntryResult::new(
                symbol,
                kind,
                Check::Presence,
                Status::Fail,
                Some(format!("this interpreter does not export {symbol}, which {users} import: it cannot load")),
            )
        };
        results.push(presence);
    }
    results
}

fn interpreter_glibc(interpreter: &Interpreter) -> Option<(u32, u32)> {
    let (major, minor) = interpreter.glibc.as_deref()?.split_once('.')?;
    Some((major.parse().ok()?, minor.split('.').next()?.parse().ok()?))
}

/// One cell: the static audit, then a worker process that installs nothing but imports and
/// runs from a fresh folder holding the wheel and its dependencies.
fn cell(
    wheel: &Prepared,
    interpreter: &Interpreter,
    manifest: &Manifest,
    exported: &BTreeSet<String>,
    dependencies: &[&Path],
    driver: &Path,
    options: &WheelsOptions,
) -> Result<CellReport, WheelsError> {
    let started = Instant::now();
    let mut results = audit(wheel, interpreter, manifest, exported);
    let modules: Vec<String> = wheel.extensions.iter().filter_map(|e| e.module.clone()).collect();
    let smoke_entry = format!("smoke:{}", wheel.spec.package);
    if let Some(glibc) = interpreter_glibc(interpreter).filter(|have| *have < wheel.glibc) {
        let why = format!(
            "the wheel needs glibc {}.{}, the interpreter's platform has {}.{}",
            wheel.glibc.0, wheel.glibc.1, glibc.0, glibc.1
        );
        for module in &modules {
            results.push(EntryResult::new(module, ResultKind::Probe, Check::Import, Status::Skip, Some(why.clone())));
        }
        results.push(EntryResult::new(smoke_entry, ResultKind::Probe, Check::Semantic, Status::Skip, Some(why)));
    } else {
        results.extend(dynamic(wheel, interpreter, &modules, &smoke_entry, dependencies, driver, options)?);
    }
    Ok(CellReport {
        interpreter: interpreter.record(),
        build: BuildRecord {
            variant: String::new(),
            id: wheel.spec.id(),
            limited_api: wheel.spec.limited_api.to_string(),
            headers: format!("{} {} ({})", wheel.spec.package, wheel.spec.version, wheel.spec.toolchain),
            headers_platform: if wheel.spec.local.is_some() { "local".into() } else { "pypi".into() },
            probe: wheel.spec.file.clone(),
        },
        results,
        duration_ms: started.elapsed().as_millis() as u64,
        cases: 0,
    })
}

/// The folder a cell installs into, as the platform sees it and as the host does.
fn site_paths(
    platform: &Platform,
    wheel: &WheelSpec,
    interpreter: &Interpreter,
    work_dir: &Path,
) -> (PathBuf, PathBuf) {
    let key = crate::short_hex(&<sha2::Sha256 as sha2::Digest>::digest(interpreter.id().as_bytes()), 6);
    let leaf = format!("{}-{}/{}-{key}", wheel.package, wheel.version, interpreter.version);
    match platform {
        Platform::Host => {
            let host = work_dir.join("sites").join(leaf);
            (host.clone(), host)
        }
        Platform::Rootfs { .. } => {
            let inside = PathBuf::from("/var/tmp/abi-harness/wheel-sites").join(leaf);
            (inside.clone(), platform.host_path(&inside))
        }
    }
}

fn dynamic(
    wheel: &Prepared,
    interpreter: &Interpreter,
    modules: &[String],
    smoke_entry: &str,
    dependencies: &[&Path],
    driver: &Path,
    options: &WheelsOptions,
) -> Result<Vec<EntryResult>, WheelsError> {
    let platform = interpreter.platform();
    let (site_inside, site_host) = site_paths(&platform, &wheel.spec, interpreter, &options.work_dir);
    // Fresh every time: nothing from an earlier run (or another wheel's cell) is imported.
    let _ = std::fs::remove_dir_all(&site_host);
    let site_dir = site_host.join("site");
    unpack(&wheel.path, &wheel.spec.file, &site_dir)?;
    for dependency in dependencies {
        let name = dependency.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        unpack(dependency, &name, &site_dir)?;
    }
    let driver_inside = platform.stage(driver)?;
    let smoke_inside = match &wheel.spec.smoke {
        Some(script) => platform.stage(script)?.display().to_string(),
        None => "-".to_owned(),
    };
    let progress_host = site_host.join("progress.jsonl");
    let mut command = interpreter.command().args(["-I", "-X", "faulthandler"]);
    if interpreter.debug {
        command = command.args(["-X", "dev"]);
    }
    command = command
        .arg(driver_inside.display().to_string())
        .arg(site_inside.join("progress.jsonl").display().to_string())
        .arg(site_inside.join("site").display().to_string())
        .arg(smoke_inside)
        .arg(if interpreter.debug { "1" } else { "0" })
        .args(modules.iter().cloned());
    let outcome = process::run(&command, options.timeout);
    let steps: Vec<serde_json::Value> = std::fs::read_to_string(&progress_host)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect();
    Ok(judge(&steps, outcome, &command, modules, smoke_entry, wheel.spec.smoke.is_some(), interpreter.debug))
}

/// Turns the driver's progress and the way its process ended into results: every step that
/// finished has its result; the step that was running when the process died gets the crash or
/// the timeout; steps never reached are skipped with the reason.
fn judge(
    steps: &[serde_json::Value],
    outcome: Result<process::Output, ProcessError>,
    command: &CommandLine,
    modules: &[String],
    smoke_entry: &str,
    has_smoke: bool,
    debug: bool,
) -> Vec<EntryResult> {
    let step_is = |step: &serde_json::Value, name: &str| step["step"].as_str() == Some(name);
    let find = |name: &str, module: Option<&str>| {
        steps.iter().find(|s| step_is(s, name) && module.is_none_or(|m| s["module"].as_str() == Some(m)))
    };
    // How the process ended, as status and words, for the interrupted step.
    let (ended, how) = match &outcome {
        Ok(output) if output.exit.success() => (Status::Pass, String::new()),
        Ok(output) => {
            let status = if matches!(output.exit, Exit::Signal(_)) { Status::Crash } else { Status::Fail };
            (
                status,
                format!(
                    "the worker ended ({}) here\n--- stderr:\n{}\n--- run: {command}",
                    output.exit,
                    process::tail(&output.stderr, 3000).trim_end()
                ),
            )
        }
        Err(ProcessError::TimedOut { timeout, .. }) => {
            (Status::Timeout, format!("no progress within {}s: killed\n--- run: {command}", timeout.as_secs()))
        }
        Err(err) => (Status::Fail, format!("the worker could not run: {}", crate::error_chain(err))),
    };
    let mut interrupted = false;
    let mut results = Vec::new();
    let mut push_step = |entry: &str, check: Check, started: bool, done: Option<(Status, Option<String>)>| {
        let result = match done {
            Some((status, detail)) => EntryResult::new(entry, ResultKind::Probe, check, status, detail),
            None if started && !interrupted => {
                interrupted = true;
                EntryResult::new(entry, ResultKind::Probe, check, ended, Some(how.clone()))
            }
            None => EntryResult::new(
                entry,
                ResultKind::Probe,
                check,
                Status::Skip,
                Some(if ended == Status::Pass {
                    "not reached".to_owned()
                } else {
                    format!("not reached: an earlier step ended the worker ({})", status_word(ended))
                }),
            ),
        };
        results.push(result);
    };
    for module in modules {
        let done = if find("imported", Some(module)).is_some() {
            Some((Status::Pass, None))
        } else {
            find("import-failed", Some(module))
                .map(|s| (Status::Fail, Some(s["error"].as_str().unwrap_or("import failed").to_owned())))
        };
        push_step(module, Check::Import, find("import", Some(module)).is_some(), done);
    }
    if has_smoke {
        let done = if find("smoke-passed", None).is_some() {
            Some((Status::Pass, None))
        } else {
            find("smoke-failed", None)
                .map(|s| (Status::Fail, Some(s["error"].as_str().unwrap_or("smoke script failed").to_owned())))
        };
        push_step(smoke_entry, Check::Semantic, find("smoke", None).is_some(), done);
        if debug {
            // Judged by the memory blocks still allocated, not by the reference total: a wheel's
            // extensions are built with release headers, whose inline Py_INCREF/Py_DECREF do not
            // keep a debug build's total (charset-normalizer's mypyc code moves it by about 200
            // a run on 3.13d with no block kept), while a leaked reference keeps its object.
            let done = find("refleak-done", None).map(|s| {
                let delta = s["delta"].as_i64().unwrap_or(0);
                let blocks = s["blocks"].as_i64().unwrap_or(0);
                let measured =
                    format!("{blocks} memory blocks kept (reference total moved by {delta}) over 3 smoke runs");
                if blocks > 3 * LEAK_SLACK_BLOCKS_PER_RUN {
                    (Status::Fail, Some(format!("a reference leak: {measured}")))
                } else {
                    (Status::Pass, Some(measured))
                }
            });
            push_step(smoke_entry, Check::Refleak, find("refleak", None).is_some(), done);
        }
    }
    // A worker that died after its last step (at exit) still counts: charge it to the last step.
    if ended != Status::Pass && !interrupted {
        if let Some(last) = results.iter_mut().rev().find(|r| r.status != Status::Skip) {
            let detail = last.detail.take().unwrap_or_default();
            last.status = ended;
            last.detail = Some(format!("{detail}\nafter this step: {how}").trim().to_owned());
        }
    }
    results
}

fn status_word(status: Status) -> &'static str {
    match status {
        Status::Crash => "crash",
        Status::Timeout => "timeout",
        Status::Fail => "failure",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_debug_smoke_run_that_keeps_references_is_a_leak() {
        let steps: Vec<serde_json::Value> = ["smoke", "smoke-passed", "refleak"]
            .iter()
            .map(|step| serde_json::json!({"step": step}))
            .chain([
                serde_json::json!({"step": "refleak-done", "delta": 3000, "blocks": 3000}),
                serde_json::json!({"step": "done"}),
            ])
            .collect();
        let output = process::Output { exit: Exit::Code(0), stdout: String::new(), stderr: String::new() };
        let results = judge(&steps, Ok(output), &CommandLine::new("python"), &[], "smoke:x", true, true);
        let statuses: Vec<_> = results.iter().map(|r| (r.check, r.status)).collect();
        assert_eq!(statuses, [(Check::Semantic, Status::Pass), (Check::Refleak, Status::Fail)]);
        assert!(results[1].detail.as_deref().unwrap_or("").contains("3000"));
    }

    #[test]
    fn module_names_follow_paths() {
        assert_eq!(module_name("bcrypt/_bcrypt.abi3.so").as_deref(), Some("bcrypt._bcrypt"));
        assert_eq!(module_name("_cffi.abi3.so").as_deref(), Some("_cffi"));
        assert_eq!(module_name("pkg/README"), None);
    }

    #[test]
    fn a_crash_is_charged_to_the_step_that_was_running() {
        let steps: Vec<serde_json::Value> = vec![
            serde_json::json!({"step": "import", "module": "a"}),
            serde_json::json!({"step": "imported", "module": "a"}),
            serde_json::json!({"step": "import", "module": "b"}),
        ];
        let output =
            process::Output { exit: Exit::Signal(libc::SIGSEGV), stdout: String::new(), stderr: "boom".into() };
        let results =
            judge(&steps, Ok(output), &CommandLine::new("python"), &["a".into(), "b".into()], "smoke:x", true, false);
        let statuses: Vec<_> = results.iter().map(|r| (r.entry.as_str(), r.check, r.status)).collect();
        assert_eq!(
            statuses,
            [
                ("a", Check::Import, Status::Pass),
                ("b", Check::Import, Status::Crash),
                ("smoke:x", Check::Semantic, Status::Skip)
            ]
        );
        assert!(results[1].detail.as_deref().unwrap_or("").contains("SIGSEGV"));
    }
}
