//! Interpreters: found from the matrix, and their facts learnt by running them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::matrix::InterpreterSource;
use crate::platform::{Arch, Platform};
use crate::process::{self, CommandLine};
use crate::version::PyVersion;

/// What an interpreter says about itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Interpreter {
    /// How the matrix or the user named it: what the harness runs (may be a wrapper script).
    /// On a root-filesystem platform, the path inside it.
    pub executable: PathBuf,
    /// `sys.executable`, as the interpreter reports it.
    pub sys_executable: String,
    /// The full version, e.g. `3.12.1`.
    pub version: String,
    pub minor: PyVersion,
    pub implementation: String,
    /// `sys.version`, for the report header.
    pub build_info: String,
    pub soabi: Option<String>,
    /// A debug build (`Py_DEBUG`).
    pub debug: bool,
    /// A free-threaded build, which cannot load abi3 extensions.
    pub free_threaded: bool,
    pub extension_suffixes: Vec<String>,
    /// The directory holding `Python.h`, if the headers are installed, as the host sees it.
    pub include_dir: Option<PathBuf>,
    /// Feature macros of the manifest, as this interpreter has them.
    pub features: BTreeMap<String, bool>,
    /// Where the interpreter runs: `host`, or a platform's name.
    pub platform: String,
    /// The root filesystem a non-host platform lives in.
    pub root: Option<PathBuf>,
    pub machine: String,
    /// The processor architecture it is built for (Debian's name), which its probes must be
    /// built for too.
    pub arch: Arch,
    /// The C library's version, e.g. `2.31`, where it is glibc.
    pub glibc: Option<String>,
}

impl Interpreter {
    /// What a report says of it, in every cell it runs.
    pub fn record(&self) -> crate::report::InterpreterRecord {
        crate::report::InterpreterRecord {
            executable: self.executable.display().to_string(),
            version: self.version.clone(),
            platform: self.platform.clone(),
            debug: self.debug,
            soabi: self.soabi.clone(),
            arch: self.arch.to_string(),
        }
    }

    pub fn has_headers(&self) -> bool {
        self.include_dir.as_ref().is_some_and(|dir| dir.join("Python.h").is_file())
    }

    /// Whether the manifest's feature macro is defined for this interpreter.
    pub fn has_feature(&self, feature: &str) -> bool {
        self.features.get(feature).copied().unwrap_or(false)
    }

    /// Short label for messages and the console: `3.12.1 (/usr/bin/python3.12 on sid)`, with
    /// the architecture where it is not the host's (`on sid, s390x`).
    pub fn label(&self) -> String {
        let arch = if self.arch == Arch::host() { String::new() } else { format!(", {}", self.arch) };
        match self.root {
            None => format!("{} ({}{arch})", self.version, self.executable.display()),
            Some(_) => format!("{} ({} on {}{arch})", self.version, self.executable.display(), self.platform),
        }
    }

    pub fn platform(&self) -> Platform {
        match &self.root {
            None => Platform::Host,
            Some(root) => Platform::Rootfs { name: self.platform.clone(), root: root.clone(), arch: self.arch },
        }
    }

    /// Runs this interpreter with `args`, on its platform.
    pub fn command(&self) -> CommandLine {
        self.platform().command(&self.executable)
    }

    /// A key unique across platforms.
    pub fn id(&self) -> String {
        format!("{}:{}", self.platform, self.executable.display())
    }
}

/// Printed as JSON by every interpreter from 3.6 on.
const FACTS_SCRIPT: &str = r#"
import importlib.machinery, json, os, sys, sysconfig
try:
    import threading
    native_id = hasattr(threading, "get_native_id")
except ImportError:
    native_id = False
# Not the platform module: on 3.6 to 3.8 it runs `uname -p` in a subprocess.
try:
    libc = os.confstr("CS_GNU_LIBC_VERSION").split()
except (AttributeError, ValueError, OSError):
    libc = ["", ""]
# The install scheme's path follows a relocated prefix; INCLUDEPY is fixed at build time.
include = sysconfig.get_paths().get("include") or sysconfig.get_config_var("INCLUDEPY")
print(json.dumps({
    "sys_executable": sys.executable,
    "version": "%d.%d.%d%s" % (sys.version_info[:3] + ("" if sys.version_info[3] == "final" else sys.version_info[3][0] + str(sys.version_info[4]),)),
    "implementation": sys.implementation.name,
    "build_info": sys.version,
    "soabi": sysconfig.get_config_var("SOABI"),
    "debug": hasattr(sys, "gettotalrefcount"),
    "free_threaded": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
    "extension_suffixes": importlib.machinery.EXTENSION_SUFFIXES,
    "include_dir": include,
    "features": {
        "MS_WINDOWS": os.name == "nt",
        "HAVE_FORK": hasattr(os, "fork"),
        "USE_STACKCHECK": bool(sysconfig.get_config_var("USE_STACKCHECK")),
        "PY_HAVE_THREAD_NATIVE_ID": native_id,
        "Py_REF_DEBUG": hasattr(sys, "gettotalrefcount"),
        "Py_TRACE_REFS": hasattr(sys, "getobjects"),
    },
    "machine": os.uname().machine,
    "multiarch": sysconfig.get_config_var("MULTIARCH") or "",
    "pointer_bits": 64 if sys.maxsize > 2 ** 32 else 32,
    "glibc": libc[1] if libc[0] == "glibc" else None,
}))
"#;

#[derive(Debug, thiserror::Error)]
pub enum InterpreterError {
    #[error("interpreter `{}` cannot be run (is it installed there?)", executable.display())]
    Run {
        executable: PathBuf,
        #[source]
        source: process::ProcessError,
    },
    #[error("interpreter `{}` did not describe itself: {message}", executable.display())]
    Facts { executable: PathBuf, message: String },
    #[error("interpreter `{}` is {implementation}, not CPython: the Stable ABI is CPython's", executable.display())]
    NotCpython { executable: PathBuf, implementation: String },
    #[error("no pyenv interpreter for {version} under {}: install it with `pyenv install {version}`, or remove it from the matrix's `versions`", root.display())]
    PyenvMissing { version: PyVersion, root: PathBuf },
    #[error("no pyenv versions folder at {}: install pyenv and the matrix's versions, or set PYENV_ROOT", root.display())]
    PyenvRoot { root: PathBuf },
    #[error(
        "no `python{version}` on PATH: install it (for example `apt-get install python{version}`), or remove it from the matrix's `versions`"
    )]
    PathMissing { version: PyVersion },
}

/// Runs an interpreter to learn its facts.
pub fn probe_facts(platform: &Platform, executable: &Path) -> Result<Interpreter, InterpreterError> {
    let command = platform.command(executable).args(["-I", "-c", FACTS_SCRIPT]);
    let output = process::run_ok(&command, Duration::from_secs(60))
        .map_err(|source| InterpreterError::Run { executable: executable.to_owned(), source })?;
    let facts_error = |message: String| InterpreterError::Facts { executable: executable.to_owned(), message };
    let json = output
        .stdout
        .lines()
        .rev()
        .find(|line| line.starts_with('{'))
        .ok_or_else(|| facts_error(format!("no JSON in its output: {:?}", process::tail(&output.stdout, 500))))?;
    let mut raw: serde_json::Value = serde_json::from_str(json).map_err(|err| facts_error(err.to_string()))?;
    let version: PyVersion = raw["version"]
        .as_str()
        .unwrap_or("")
        .parse()
        .map_err(|err: crate::version::VersionParseError| facts_error(err.to_string()))?;
    raw["executable"] = serde_json::Value::String(executable.display().to_string());
    raw["minor"] = serde_json::Value::String(version.to_string());
    raw["platform"] = serde_json::Value::String(platform.name().into());
    raw["root"] = serde_json::json!(platform.root());
    let arch = arch_of(&raw).unwrap_or_else(|| platform.arch());
    raw["arch"] = serde_json::json!(arch);
    if let Some(include) = raw["include_dir"].as_str() {
        raw["include_dir"] = serde_json::json!(platform.host_path(Path::new(include)));
    }
    let interpreter: Interpreter = serde_json::from_value(raw).map_err(|err| facts_error(err.to_string()))?;
    if interpreter.implementation != "cpython" {
        return Err(InterpreterError::NotCpython {
            executable: executable.to_owned(),
            implementation: interpreter.implementation,
        });
    }
    Ok(interpreter)
}

/// The architecture an interpreter describes: Debian's multiarch name where the build has one
/// (`i386-linux-gnu`), else its machine and pointer size (a 32-bit build on an x86-64 kernel
/// reports machine `x86_64`).
fn arch_of(facts: &serde_json::Value) -> Option<Arch> {
    let multiarch = facts["multiarch"].as_str().unwrap_or_default();
    if let Some(arch) = Arch::ALL.into_iter().find(|a| a.multiarch() == multiarch) {
        return Some(arch);
    }
    let bits = facts["pointer_bits"].as_u64()?;
    match (facts["machine"].as_str()?, bits) {
        ("x86_64", 64) => Some(Arch::Amd64),
        ("x86_64" | "i386" | "i486" | "i586" | "i686", 32) => Some(Arch::I386),
        ("aarch64" | "arm64", 64) => Some(Arch::Arm64),
        ("s390x", 64) => Some(Arch::S390x),
        _ => None,
    }
}

/// [`probe_facts`], remembered in `cache_dir` for interpreters that are ELF executables, keyed
/// by the file's identity (device, inode, size, modification and change times): replacing or
/// reinstalling the interpreter changes the key. A script (a wrapper) is always run, since what
/// it starts can change without the script changing.
pub fn probe_facts_cached(
    platform: &Platform,
    executable: &Path,
    cache_dir: &Path,
) -> Result<Interpreter, InterpreterError> {
    let Some(key) = facts_cache_key(platform, executable) else {
        return probe_facts(platform, executable);
    };
    let entry = cache_dir.join(format!("{key}.json"));
    if let Some(cached) =
        std::fs::read(&entry).ok().and_then(|bytes| serde_json::from_slice::<Interpreter>(&bytes).ok())
    {
        return Ok(cached);
    }
    let facts = probe_facts(platform, executable)?;
    // A cache that cannot be written only costs time.
    if let Ok(json) = serde_json::to_vec(&facts) {
        let _ = std::fs::create_dir_all(cache_dir).and_then(|()| crate::write_atomically(&entry, &json));
    }
    Ok(facts)
}

fn facts_cache_key(platform: &Platform, executable: &Path) -> Option<String> {
    use sha2::Digest;
    use std::io::Read;
    use std::os::unix::fs::MetadataExt;
    if !executable.is_absolute() {
        return None; // a command looked up on PATH: which file it is may change
    }
    let on_host = platform.host_path(executable);
    let resolved = std::fs::canonicalize(&on_host).ok()?;
    let mut magic = [0u8; 4];
    std::fs::File::open(&resolved).ok()?.read_exact(&mut magic).ok()?;
    if magic != *b"\x7fELF" {
        return None;
    }
    let meta = std::fs::metadata(&resolved).ok()?;
    let mut hasher = sha2::Sha256::new();
    for part in [
        FACTS_SCRIPT,
        platform.name(),
        &platform.root().map(|r| r.display().to_string()).unwrap_or_default(),
        &executable.display().to_string(),
        &resolved.display().to_string(),
    ] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    for number in [
        meta.dev(),
        meta.ino(),
        meta.len(),
        meta.mtime() as u64,
        meta.mtime_nsec() as u64,
        meta.ctime() as u64,
        meta.ctime_nsec() as u64,
    ] {
        hasher.update(number.to_le_bytes());
    }
    Some(crate::short_hex(&hasher.finalize(), 8))
}

/// Facts of several interpreters, queried side by side (each is an interpreter start-up).
pub fn probe_all(
    wanted: &[(Platform, PathBuf)],
    cache_dir: Option<&Path>,
) -> Result<Vec<Interpreter>, InterpreterError> {
    const AT_ONCE: usize = 8;
    let mut queried = Vec::new();
    for chunk in wanted.chunks(AT_ONCE) {
        std::thread::scope(|scope| {
            let handles: Vec<_> = chunk
                .iter()
                .map(|(platform, executable)| {
                    scope.spawn(move || match cache_dir {
                        Some(dir) => probe_facts_cached(platform, executable, dir),
                        None => probe_facts(platform, executable),
                    })
                })
                .collect();
            queried
                .extend(handles.into_iter().map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))));
        });
    }
    queried.into_iter().collect()
}

#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error(transparent)]
    Platform(#[from] crate::platform::PlatformError),
    #[error(transparent)]
    Interpreter(#[from] InterpreterError),
    #[error("{origin}: interpreters name platform `{name}`, which is not declared")]
    UnknownPlatform { origin: String, name: String },
}

/// Every interpreter a matrix names, on its platform (provisioned now if need be), with its
/// facts; any that cannot be used is an error, never a skip. Sorted by version.
/// `facts_cache`: where to remember facts (see [`probe_facts_cached`]).
pub fn discover(
    matrix: &crate::matrix::Matrix,
    rootfs_cache: &Path,
    facts_cache: Option<&Path>,
) -> Result<Vec<Interpreter>, DiscoverError> {
    let mut platforms: Vec<(String, Platform)> = Vec::new();
    let mut found: Vec<Interpreter> = Vec::new();
    let mut wanted: Vec<(Platform, PathBuf)> = Vec::new();
    for decl in &matrix.interpreters {
        let platform = match &decl.platform {
            None => Platform::Host,
            Some(name) => match platforms.iter().find(|(n, _)| n == name) {
                Some((_, platform)) => platform.clone(),
                None => {
                    let spec = matrix.platforms.iter().find(|p| &p.name == name).ok_or_else(|| {
                        DiscoverError::UnknownPlatform { origin: matrix.origin.clone(), name: name.clone() }
                    })?;
                    let platform = spec.provision(rootfs_cache)?;
                    platforms.push((name.clone(), platform.clone()));
                    platform
                }
            },
        };
        for executable in locate(&decl.source)? {
            wanted.push((platform.clone(), executable));
        }
    }
    for facts in probe_all(&wanted, facts_cache)? {
        if !found.iter().any(|f| f.id() == facts.id()) {
            found.push(facts);
        }
    }
    found.sort_by(|a, b| {
        (a.minor, a.root.is_some(), &a.version, a.debug).cmp(&(b.minor, b.root.is_some(), &b.version, b.debug))
    });
    Ok(found)
}

/// The executables a matrix source names, before running any of them.
pub fn locate(source: &InterpreterSource) -> Result<Vec<PathBuf>, InterpreterError> {
    match source {
        InterpreterSource::Executable(path) => Ok(vec![path.clone()]),
        InterpreterSource::Pyenv { versions } => {
            let root = pyenv_versions_dir();
            let installed = pyenv_installed(&root)?;
            if versions.is_empty() {
                return Ok(installed
                    .into_iter()
                    .filter(|(v, _)| *v >= PyVersion::new(3, 2))
                    .map(|(_, path)| path)
                    .collect());
            }
            versions
                .iter()
                .map(|wanted| {
                    installed
                        .iter()
                        .filter(|(v, _)| v == wanted)
                        .map(|(_, path)| path.clone())
                        .next_back()
                        .ok_or_else(|| InterpreterError::PyenvMissing { version: *wanted, root: root.clone() })
                })
                .collect()
        }
        InterpreterSource::Path { versions } => versions
            .iter()
            .map(|version| {
                find_on_path(&format!("python{version}")).ok_or(InterpreterError::PathMissing { version: *version })
            })
            .collect(),
    }
}

fn pyenv_versions_dir() -> PathBuf {
    let root = std::env::var_os("PYENV_ROOT")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".pyenv")))
        .unwrap_or_else(|| PathBuf::from("/root/.pyenv"));
    root.join("versions")
}

/// Installed pyenv versions with a `bin/python3`, sorted by version (then name).
fn pyenv_installed(root: &Path) -> Result<Vec<(PyVersion, PathBuf)>, InterpreterError> {
    let entries = std::fs::read_dir(root).map_err(|_| InterpreterError::PyenvRoot { root: root.to_owned() })?;
    let mut found: Vec<(PyVersion, String, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let version = name.parse::<PyVersion>().ok()?;
            let python = entry.path().join("bin/python3");
            python.is_file().then_some((version, name, python))
        })
        .collect();
    found.sort();
    Ok(found.into_iter().map(|(v, _, p)| (v, p)).collect())
}

fn find_on_path(command: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(command)).find(|candidate| candidate.is_file())
}
