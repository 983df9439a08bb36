//! Probe builds: the C probes compiled with one interpreter's headers at one `Py_LIMITED_API`,
//! cached by content (sources, headers, compiler, flags), so a rebuild happens only when one of
//! them changes.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::arch::Arch;
use crate::interpreter::Interpreter;
use crate::manifest::{Entry, Manifest};
use crate::process::{self, CommandLine};
use crate::variant::{Compiler, Language, Target, Variant};
use crate::version::PyVersion;

const PROBE_MAIN_SOURCE: &str = include_str!("../../probes/abi3probe.c");
/// The contracts' routines (`cargo xtask codegen` writes them), which the probe includes.
const PROBE_CONTRACTS_SOURCE: &str = include_str!("../../probes/generated/contracts.c");
const CONTRACTS_INCLUDE: &str = "#include \"generated/contracts.c\"\n";

/// The probe's whole source as one file: `abi3probe.c` with the generated routines in place of
/// its `#include`, so a build (and a reproducer) is a single self-contained C file.
pub static PROBE_SOURCE: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| PROBE_MAIN_SOURCE.replacen(CONTRACTS_INCLUDE, PROBE_CONTRACTS_SOURCE, 1));
pub const GLIBC_COMPAT_HEADER: &str = include_str!("../../probes/glibc_compat.h");
pub const WORKER_SOURCE: &str = include_str!("../../probes/worker.py");
pub const ORACLES_SOURCE: &str = include_str!("../../probes/oracles.py");

/// The extension modules a build produces.
pub const PROBE_MODULE: &str = "abi3probe";
pub const LINK_MODULE: &str = "abi3link";

/// What to build: a limited-API version and the interpreter whose headers build it (which may
/// be newer than the limited-API version).
#[derive(Clone, Debug)]
pub struct BuildSpec {
    pub limited_api: PyVersion,
    pub headers: Interpreter,
    /// How it is built (language, compiler, target, `PY_SSIZE_T_CLEAN`).
    pub variant: Variant,
}

impl BuildSpec {
    /// Unique within a run: `3.6` for the build made with 3.6's own headers, else
    /// `3.6@3.15.2` (limited API at headers).
    /// A `d` marks debug headers (`3.13d`); a variant follows with `+` (`3.6+no-clean`,
    /// `3.15+abi3t`); a build for another architecture than the host's ends with it
    /// (`3.13-s390x`, `3.13@3.15.0-i386`).
    pub fn id(&self) -> String {
        let debug = if self.headers.debug { "d" } else { "" };
        let variant = self.variant.id_suffix();
        let arch = if self.headers.arch == Arch::host() { String::new() } else { format!("-{}", self.headers.arch) };
        if self.headers.minor == self.limited_api {
            format!("{}{debug}{variant}{arch}", self.limited_api)
        } else {
            format!("{}@{}{debug}{variant}{arch}", self.limited_api, self.headers.version)
        }
    }

    /// The architecture the build is for: its headers' interpreter's.
    pub fn arch(&self) -> Arch {
        self.headers.arch
    }
}

/// A finished build.
#[derive(Clone, Debug, Serialize)]
pub struct Build {
    pub limited_api: PyVersion,
    /// The full version of the interpreter whose headers built it.
    pub headers: String,
    pub headers_include_dir: PathBuf,
    pub headers_executable: PathBuf,
    /// The platform of the interpreter whose headers built it, and its root filesystem.
    pub headers_platform: String,
    pub headers_root: Option<PathBuf>,
    /// See [`BuildSpec::id`].
    pub id: String,
    /// Built with a debug interpreter's headers (`Py_DEBUG`, `Py_REF_DEBUG`): its inline
    /// reference counting keeps the debug build's total, so reference leaks can be measured.
    pub headers_debug: bool,
    /// The architecture it is built for (its ELF machine and class are checked).
    pub arch: Arch,
    pub probe: PathBuf,
    pub link_probe: PathBuf,
    /// How it was built (`BuildSpec::variant`).
    #[serde(skip)]
    pub variant: Variant,
    /// The compiler command that built it.
    #[serde(skip)]
    pub compiler: String,
    /// The compiler flags the probes were built with (reproducers reuse them).
    #[serde(skip)]
    pub flags: Vec<String>,
    /// The symbols the link probe references: every function and data entry of this version.
    #[serde(skip)]
    pub linked_symbols: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(
        "probe builds are Linux-only, and this is {os}: probes are ELF objects (`.abi3.so`, `cc -shared -fPIC`) with `dlsym` pinned to an old glibc and their imports read as ELF; here abi-harness can diff, merge and rebuild reports, not run cells"
    )]
    LinuxOnly { os: &'static str },
    #[error("no C compiler: `{compiler}` was not found; install one (`apt-get install gcc`) or set CC")]
    NoCompiler { compiler: String },
    #[error(
        "no cross compiler for {arch}: `{compiler}` was not found; install it with `apt-get install {package}` (probes for {arch} interpreters are compiled on the host with their own architecture's headers)"
    )]
    NoCrossCompiler { arch: Arch, compiler: String, package: String },
    #[error(
        "the {module} probe built for {expected} ({}) is {found}: the compiler `{compiler}` does not build for {expected}; nothing built for another architecture is ever loaded",
        path.display()
    )]
    WrongMachine { module: &'static str, path: PathBuf, expected: Arch, found: String, compiler: String },
    #[error("cannot read the built {module} probe")]
    Elf {
        module: &'static str,
        #[source]
        source: crate::elf::ElfError,
    },
    #[error(
        "no clang for the `compiler = \"clang\"` build variant: `{compiler}` was not found; install it with `apt-get install clang` or set ABI_HARNESS_CLANG"
    )]
    NoClang { compiler: String },
    #[error(
        "the `compiler = \"clang\"` build variant is for the host's architecture only, not {arch}: foreign architectures are built with Debian's cross gcc"
    )]
    ClangCross { arch: Arch },
    #[error("interpreter {interpreter} has no headers (no Python.h in {}); install its development files (for Debian: `apt-get install python{version}-dev`)", include_dir.display())]
    NoHeaders { interpreter: String, version: PyVersion, include_dir: PathBuf },
    #[error("compiling the {module} probe for limited API {limited_api} with {headers} headers failed")]
    Compile {
        module: &'static str,
        limited_api: PyVersion,
        headers: String,
        #[source]
        source: process::ProcessError,
    },
    #[error("cannot write the probe cache in {}", path.display())]
    Cache {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The C compiler: `$CC`, else `cc`.
pub fn compiler() -> String {
    std::env::var("CC").ok().filter(|cc| !cc.trim().is_empty()).unwrap_or_else(|| "cc".to_owned())
}

/// Checks that the compiler runs and returns its identity (for the cache key).
pub fn compiler_identity(compiler: &str) -> Result<String, BuildError> {
    process::run_ok(&CommandLine::new(compiler).arg("--version"), Duration::from_secs(30))
        .map(|out| out.stdout)
        .map_err(|_| BuildError::NoCompiler { compiler: compiler.to_owned() })
}

/// The C source of the link probe: a strong reference to every symbol a real extension of this
/// version may use, so importing it is the check that they all resolve.
/// Under abi3t the module comes from PEP 793's `PyModExport_abi3link` (a `PyModuleDef` cannot
/// be built there); elsewhere from `PyInit_abi3link`.
pub fn link_probe_source(symbols: &[&Entry], target: Target) -> String {
    let mut out = String::from(
        "/* GENERATED by abi-harness from the manifest: strong references to every exported entry. */\n\
         #include <Python.h>\n\n",
    );
    for (n, entry) in symbols.iter().enumerate() {
        // An assembler label binds the reference without redeclaring the header's C prototype.
        let _ = writeln!(out, "extern char abi3link_ref_{n} __asm__(\"{}\");", entry.name);
    }
    // In C++ a namespace-scope const has internal linkage and would be optimised away with
    // every reference; `extern "C"` (unbraced) keeps it exported.
    out.push_str("\n#ifdef __cplusplus\nextern \"C\"\n#endif\nconst void *const abi3link_refs[] = {\n");
    for n in 0..symbols.len() {
        let _ = writeln!(out, "    &abi3link_ref_{n},");
    }
    out.push_str("    0,\n};\n\n");
    out.push_str(match target {
        Target::Abi3 => {
            "static struct PyModuleDef abi3link_module = {PyModuleDef_HEAD_INIT, \"abi3link\", NULL, -1, NULL, NULL, NULL, NULL, NULL};\n\n\
             PyMODINIT_FUNC PyInit_abi3link(void) { return PyModule_Create(&abi3link_module); }\n"
        }
        Target::Abi3t => {
            "PyABIInfo_VAR(abi3link_abi);\n\
             static PySlot abi3link_slots[] = {\n\
             \x20   PySlot_PTR(Py_mod_name, \"abi3link\"),\n\
             \x20   PySlot_PTR(Py_mod_abi, &abi3link_abi),\n\
             \x20   PySlot_END,\n\
             };\n\n\
             PyMODEXPORT_FUNC PyModExport_abi3link(void) { return abi3link_slots; }\n"
        }
    });
    out
}

/// The function and data entries an extension built for `limited_api` against `headers` can
/// link to: added by then, and with their feature macro defined there.
pub fn linkable_entries<'m>(manifest: &'m Manifest, limited_api: PyVersion, headers: &Interpreter) -> Vec<&'m Entry> {
    manifest
        .entries
        .iter()
        .filter(|e| e.kind.is_symbol() && e.available_in(limited_api))
        .filter(|e| e.ifdef.as_deref().is_none_or(|feature| headers.has_feature(feature)))
        .collect()
}

pub struct Builder {
    pub cache_dir: PathBuf,
    /// The host architecture's compiler (`$CC`, else `cc`).
    pub compiler: String,
    compiler_identity: String,
    /// Other compilers met so far (cross compilers, clang), by architecture and kind:
    /// (command, identity).
    others: std::sync::Mutex<std::collections::BTreeMap<(Arch, Compiler), (String, String)>>,
}

/// The clang of the `compiler = "clang"` variant: `$ABI_HARNESS_CLANG`, else `clang`.
pub fn clang() -> String {
    std::env::var("ABI_HARNESS_CLANG").ok().filter(|cc| !cc.trim().is_empty()).unwrap_or_else(|| "clang".to_owned())
}

/// The compiler that builds for `arch` on this host: the host's own for its architecture, else
/// Debian's cross compiler (`i686-linux-gnu-gcc`, `aarch64-linux-gnu-gcc`, `s390x-linux-gnu-gcc`).
/// `ABI_HARNESS_CC_<ARCH>` (`ABI_HARNESS_CC_S390X`) overrides it.
pub fn compiler_for(arch: Arch) -> String {
    if arch == Arch::host() {
        return compiler();
    }
    let key = format!("ABI_HARNESS_CC_{}", arch.name().to_uppercase());
    std::env::var(key).ok().filter(|cc| !cc.trim().is_empty()).unwrap_or_else(|| format!("{}-gcc", arch.triple()))
}

impl Builder {
    pub fn new(cache_dir: PathBuf) -> Result<Builder, BuildError> {
        if !cfg!(target_os = "linux") {
            return Err(BuildError::LinuxOnly { os: std::env::consts::OS });
        }
        let compiler = compiler();
        let compiler_identity = compiler_identity(&compiler)?;
        Ok(Builder { cache_dir, compiler, compiler_identity, others: Default::default() })
    }

    /// The compiler for `arch` of kind `kind` and its identity, checked once.
    fn compiler_of(&self, arch: Arch, kind: Compiler) -> Result<(String, String), BuildError> {
        if arch == Arch::host() && kind == Compiler::Gcc {
            return Ok((self.compiler.clone(), self.compiler_identity.clone()));
        }
        let mut others = self.others.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(found) = others.get(&(arch, kind)) {
            return Ok(found.clone());
        }
        let (compiler, identity) = match kind {
            Compiler::Clang if arch != Arch::host() => return Err(BuildError::ClangCross { arch }),
            Compiler::Clang => {
                let compiler = clang();
                let identity =
                    compiler_identity(&compiler).map_err(|_| BuildError::NoClang { compiler: compiler.clone() })?;
                (compiler, identity)
            }
            Compiler::Gcc => {
                let compiler = compiler_for(arch);
                let identity = compiler_identity(&compiler).map_err(|_| BuildError::NoCrossCompiler {
                    arch,
                    compiler: compiler.clone(),
                    package: arch.cross_compiler_package(),
                })?;
                (compiler, identity)
            }
        };
        others.insert((arch, kind), (compiler.clone(), identity.clone()));
        Ok((compiler, identity))
    }

    /// Builds (or finds in the cache) both probes of one build.
    pub fn build(&self, spec: &BuildSpec, manifest: &Manifest) -> Result<Build, BuildError> {
        let headers = &spec.headers;
        let include_dir = headers.include_dir.clone().unwrap_or_default();
        if !headers.has_headers() {
            return Err(BuildError::NoHeaders { interpreter: headers.label(), version: headers.minor, include_dir });
        }
        let arch = spec.arch();
        let (compiler, compiler_identity) = self.compiler_of(arch, spec.variant.compiler)?;
        let entries = linkable_entries(manifest, spec.limited_api, headers);
        let link_source = link_probe_source(&entries, spec.variant.target);
        let compat_header = self.cache_dir.join("glibc_compat.h");
        write_if_changed(&compat_header, GLIBC_COMPAT_HEADER)
            .map_err(|source| BuildError::Cache { path: compat_header.clone(), source })?;
        let flags = self.flags(spec, &include_dir, &compat_header);

        let mut hasher = Sha256::new();
        for part in [PROBE_SOURCE.as_str(), GLIBC_COMPAT_HEADER, &link_source, &compiler_identity, &flags.join(" ")] {
            hasher.update(part.as_bytes());
            hasher.update([0]);
        }
        hash_tree(&mut hasher, &include_dir);
        let key = hex16(&hasher.finalize());
        let dir = self.cache_dir.join("probes").join(format!(
            "limited-{}-headers-{}-{}{}{}{}-{key}",
            spec.limited_api,
            headers.platform,
            headers.version,
            if headers.debug { "d" } else { "" },
            spec.variant.words().iter().map(|w| format!("-{}", w.replace('+', "x"))).collect::<String>(),
            if arch == Arch::host() { String::new() } else { format!("-{arch}") }
        ));
        let suffix = spec.variant.extension_suffix();
        let build = Build {
            limited_api: spec.limited_api,
            headers: headers.version.clone(),
            headers_include_dir: include_dir,
            headers_executable: headers.executable.clone(),
            headers_platform: headers.platform.clone(),
            headers_root: headers.root.clone(),
            id: spec.id(),
            headers_debug: headers.debug,
            arch,
            probe: dir.join(format!("{PROBE_MODULE}{suffix}")),
            link_probe: dir.join(format!("{LINK_MODULE}{suffix}")),
            variant: spec.variant,
            compiler: compiler.clone(),
            linked_symbols: entries.iter().map(|e| e.name.clone()).collect(),
            flags: flags.clone(),
        };
        if build.probe.is_file() && build.link_probe.is_file() {
            check_machine(&build, &compiler)?;
            return Ok(build);
        }

        // Build in a scratch folder and rename it into place: a crash never leaves a half build.
        let cache_error = |path: &Path| {
            let path = path.to_owned();
            move |source| BuildError::Cache { path, source }
        };
        let mut scratch_name = dir.file_name().map(|n| n.to_os_string()).unwrap_or_default();
        scratch_name.push(format!(".tmp{}", std::process::id()));
        let scratch = dir.with_file_name(scratch_name);
        let _ = std::fs::remove_dir_all(&scratch);
        std::fs::create_dir_all(&scratch).map_err(cache_error(&scratch))?;
        let probe_c = scratch.join("abi3probe.c");
        let link_c = scratch.join("abi3link.c");
        std::fs::write(&probe_c, PROBE_SOURCE.as_str()).map_err(cache_error(&probe_c))?;
        std::fs::write(&link_c, &link_source).map_err(cache_error(&link_c))?;
        for (module, source) in [(PROBE_MODULE, &probe_c), (LINK_MODULE, &link_c)] {
            let output = scratch.join(format!("{module}{suffix}"));
            let command = CommandLine::new(&compiler)
                .args(flags.iter().cloned())
                .arg(source.display().to_string())
                .arg("-o")
                .arg(output.display().to_string())
                .arg("-ldl");
            process::run_ok(&command, Duration::from_secs(300)).map_err(|source| BuildError::Compile {
                module,
                limited_api: spec.limited_api,
                headers: headers.label(),
                source,
            })?;
        }
        if let Err(err) = std::fs::rename(&scratch, &dir) {
            // Another process finished the same build first: its result is as good as ours.
            let _ = std::fs::remove_dir_all(&scratch);
            if !(build.probe.is_file() && build.link_probe.is_file()) {
                return Err(cache_error(&dir)(err));
            }
        }
        check_machine(&build, &compiler)?;
        Ok(build)
    }

    fn flags(&self, spec: &BuildSpec, include_dir: &Path, compat_header: &Path) -> Vec<String> {
        let mut flags = vec![
            "-shared".into(),
            "-fPIC".into(),
            "-O2".into(),
            "-g".into(),
            "-Wall".into(),
            "-include".into(),
            compat_header.display().to_string(),
            format!("-I{}", include_dir.display()),
        ];
        flags.extend(spec.variant.target.defines(spec.limited_api));
        match spec.variant.language {
            Language::C => flags.push("-Werror=implicit-function-declaration".into()),
            // The C compiler's driver compiling C++: it links like C, so the probe needs no C++
            // runtime (libstdc++ would tie it to the build machine's GLIBCXX versions).
            Language::Cxx => flags.extend(["-x".into(), "c++".into()]),
        }
        if !spec.variant.ssize_t_clean {
            flags.push("-DABI3PROBE_NO_SSIZE_T_CLEAN".into());
        }
        if let Some(root) = &spec.headers.root {
            // Debian's pyconfig.h includes its multiarch twin from <x86_64-linux-gnu/...>,
            // chosen by the compiler's own architecture macros (a cross compiler finds only its
            // architecture's, in the root filesystem of that architecture).
            // After the compiler's own system headers, so the C library's headers stay the
            // compiler's (the host's, or the cross compiler's old-glibc sysroot).
            flags.push("-idirafter".into());
            flags.push(root.join("usr/include").display().to_string());
        }
        flags
    }

    /// Writes the worker driver and oracle helpers where workers can run them; returns
    /// (worker.py, oracles.py).
    pub fn driver_files(cache_dir: &Path) -> Result<(PathBuf, PathBuf), BuildError> {
        let mut hasher = Sha256::new();
        hasher.update(WORKER_SOURCE.as_bytes());
        hasher.update([0]);
        hasher.update(ORACLES_SOURCE.as_bytes());
        let dir = cache_dir.join("driver").join(hex16(&hasher.finalize()));
        let worker = dir.join("worker.py");
        let oracles = dir.join("oracles.py");
        if !(worker.is_file() && oracles.is_file()) {
            std::fs::create_dir_all(&dir).map_err(|source| BuildError::Cache { path: dir.clone(), source })?;
            for (path, text) in [(&worker, WORKER_SOURCE), (&oracles, ORACLES_SOURCE)] {
                crate::write_atomically(path, text.as_bytes())
                    .map_err(|source| BuildError::Cache { path: path.clone(), source })?;
            }
        }
        Ok((worker, oracles))
    }
}

/// Checks that both probes of a build are ELF objects of the build's architecture.
fn check_machine(build: &Build, compiler: &str) -> Result<(), BuildError> {
    for (module, path) in [(PROBE_MODULE, &build.probe), (LINK_MODULE, &build.link_probe)] {
        let identity = crate::elf::identify(path).map_err(|source| BuildError::Elf { module, source })?;
        if identity.arch() != Some(build.arch) || identity.big_endian != build.arch.big_endian() {
            return Err(BuildError::WrongMachine {
                module,
                path: path.clone(),
                expected: build.arch,
                found: identity.to_string(),
                compiler: compiler.to_owned(),
            });
        }
    }
    Ok(())
}

fn write_if_changed(path: &Path, text: &str) -> std::io::Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|current| current == text) {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    crate::write_atomically(path, text.as_bytes())
}

/// Versioned C-library imports of a build's probes that `interpreter`'s platform lacks.
pub fn glibc_mismatches(build: &Build, interpreter: &Interpreter) -> Result<Vec<String>, crate::elf::ElfError> {
    let Some(available) = interpreter.glibc.as_deref().and_then(crate::elf::GlibcVersion::parse) else {
        return Ok(Vec::new());
    };
    let mut problems = Vec::new();
    for artefact in [&build.probe, &build.link_probe] {
        let imports = crate::elf::versioned_imports(artefact)?;
        for import in crate::elf::too_new_for(&imports, available) {
            problems.push(format!(
                "{} needs {}@{} but platform `{}` ({}) has glibc {available}",
                artefact.display(),
                import.symbol,
                import.version,
                interpreter.platform,
                interpreter.label()
            ));
        }
    }
    Ok(problems)
}

/// Hashes every file under `dir` (names and contents, in sorted order).
pub(crate) fn hash_tree(hasher: &mut Sha256, dir: &Path) {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(current) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&current) else { continue };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    for file in files {
        hasher.update(file.strip_prefix(dir).unwrap_or(&file).to_string_lossy().as_bytes());
        hasher.update([0]);
        if let Ok(bytes) = std::fs::read(&file) {
            hasher.update(&bytes);
        }
        hasher.update([0]);
    }
}

fn hex16(digest: &[u8]) -> String {
    crate::short_hex(digest, 8)
}
