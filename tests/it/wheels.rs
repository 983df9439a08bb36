//! Wheels (`abi_harness::wheels`): abi3 wheels we build with a known fault, each reported for
//! exactly its wheel and interpreter; and bad input refused before anything runs, naming it,
//! with nothing half-written.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use abi_harness::interpreter::{self, Interpreter};
use abi_harness::manifest::Manifest;
use abi_harness::platform::Platform;
use abi_harness::report::{CellReport, Status};
use abi_harness::wheels::{self, Corpus, WheelSpec, WheelsError, WheelsOptions};

use crate::support::pyenv;

fn interpreters(minors: &[&str]) -> Vec<Interpreter> {
    let wanted: Vec<_> = minors.iter().map(|m| (Platform::Host, pyenv(m))).collect();
    interpreter::probe_all(&wanted, None).expect("pyenv interpreters describe themselves")
}

/// Compiles `body` into the init function of module `pkg/_ext` with the 3.12 headers and
/// `Py_LIMITED_API` at `limited` (hex), and zips it as an abi3 wheel tagged `cp3{tag}`.
fn build_wheel(dir: &Path, name: &str, tag: u8, limited: &str, prelude: &str, body: &str) -> PathBuf {
    let include = interpreters(&["3.12"])[0].include_dir.clone().expect("3.12 has headers");
    let source = dir.join(format!("{name}.c"));
    std::fs::write(
        &source,
        format!(
            "#include <Python.h>\n#include <signal.h>\n#include <string.h>\n{prelude}\n\
             static struct PyModuleDef def = {{PyModuleDef_HEAD_INIT, \"_ext\", NULL, -1, NULL}};\n\
             PyMODINIT_FUNC PyInit__ext(void) {{\n{body}\nreturn PyModule_Create(&def);\n}}\n"
        ),
    )
    .expect("write source");
    let object = dir.join(format!("{name}.so"));
    let status = std::process::Command::new("gcc")
        .args(["-shared", "-fPIC", "-O0", &format!("-DPy_LIMITED_API={limited}")])
        .arg(format!("-I{}", include.display()))
        .arg(&source)
        .arg("-o")
        .arg(&object)
        .status()
        .expect("gcc runs (this test needs a C compiler)");
    assert!(status.success(), "gcc failed on {}", source.display());
    let wheel = dir.join(format!("{name}-1.0-cp3{tag}-abi3-linux_x86_64.whl"));
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&wheel).expect("create wheel"));
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file(format!("{name}/__init__.py"), options).expect("zip");
    zip.start_file(format!("{name}/_ext.abi3.so"), options).expect("zip");
    zip.write_all(&std::fs::read(&object).expect("read extension")).expect("zip");
    zip.start_file(format!("{name}-1.0.dist-info/WHEEL"), options).expect("zip");
    writeln!(zip, "Wheel-Version: 1.0\nRoot-Is-Purelib: false\nTag: cp3{tag}-abi3-linux_x86_64").expect("zip");
    zip.finish().expect("zip");
    wheel
}

fn options(dir: &Path) -> WheelsOptions {
    WheelsOptions {
        cache_dir: dir.join("cache"),
        work_dir: dir.join("work"),
        pip: None,
        timeout: Duration::from_secs(60),
    }
}

/// Every failing result as (wheel id, interpreter minor, entry, check, status).
fn failures(cells: &[CellReport]) -> BTreeSet<(String, String, String, String, Status)> {
    let mut found = BTreeSet::new();
    for cell in cells {
        let minor: String = cell.interpreter.version.split('.').take(2).collect::<Vec<_>>().join(".");
        for result in cell.results.iter().filter(|r| r.status.is_failure()) {
            found.insert((
                cell.build.id.clone(),
                minor.clone(),
                result.entry.clone(),
                format!("{:?}", result.check).to_lowercase(),
                result.status,
            ));
        }
    }
    found
}

#[test]
fn each_faulty_wheel_is_reported_for_exactly_its_interpreter() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Claims 3.6, uses PyUnicode_AsUTF8AndSize, in the Stable ABI from 3.10 (exported before).
    let claims_too_old = build_wheel(
        dir.path(),
        "claims_old",
        6,
        "0x03060000",
        "extern const char *PyUnicode_AsUTF8AndSize(PyObject *, Py_ssize_t *);",
        "Py_ssize_t n; PyObject *s = PyUnicode_FromString(\"x\"); if (!s || !PyUnicode_AsUTF8AndSize(s, &n)) return NULL; Py_DECREF(s);",
    );
    // Crashes on import on 3.11 only.
    let crashes = build_wheel(
        dir.path(),
        "crashes",
        6,
        "0x03060000",
        "",
        "if (strncmp(Py_GetVersion(), \"3.11.\", 5) == 0) raise(SIGSEGV);",
    );
    // Calls _PyArg_NoKwnames: exported by 3.11 and 3.12, gone in 3.13.
    let missing = build_wheel(
        dir.path(),
        "missing",
        11,
        "0x030b0000",
        "extern int _PyArg_NoKwnames(const char *, PyObject *);",
        "if (!_PyArg_NoKwnames(\"f\", NULL)) return NULL;",
    );
    let specs: Vec<WheelSpec> =
        [&claims_too_old, &crashes, &missing].iter().map(|p| WheelSpec::local(p).expect("a valid wheel")).collect();
    let interpreters = interpreters(&["3.9", "3.11", "3.12", "3.13"]);
    let cells = wheels::run(&specs, &interpreters, &Manifest::builtin(), &options(dir.path())).expect("runs");
    // Cells only at or above each tag: 4 + 4 + 3.
    assert_eq!(cells.len(), 11);
    let s = |text: &str| text.to_owned();
    let expected: BTreeSet<_> = [
        (s("wheel:claims_old-1.0"), s("3.9"), s("PyUnicode_AsUTF8AndSize"), s("static"), Status::Fail),
        (s("wheel:crashes-1.0"), s("3.11"), s("crashes._ext"), s("import"), Status::Crash),
        // Outside the manifest: no version promises it, so every cell says so...
        (s("wheel:missing-1.0"), s("3.11"), s("_PyArg_NoKwnames"), s("static"), Status::Fail),
        (s("wheel:missing-1.0"), s("3.12"), s("_PyArg_NoKwnames"), s("static"), Status::Fail),
        (s("wheel:missing-1.0"), s("3.13"), s("_PyArg_NoKwnames"), s("static"), Status::Fail),
        // ...but only 3.13 lacks it, and there the import fails.
        (s("wheel:missing-1.0"), s("3.13"), s("_PyArg_NoKwnames"), s("presence"), Status::Fail),
        (s("wheel:missing-1.0"), s("3.13"), s("missing._ext"), s("import"), Status::Fail),
    ]
    .into_iter()
    .collect();
    assert_eq!(failures(&cells), expected);
    let crash = cells
        .iter()
        .filter(|c| c.interpreter.version.starts_with("3.11."))
        .flat_map(|c| c.results.iter())
        .find(|r| r.status == Status::Crash)
        .expect("the crash");
    assert!(crash.detail.as_deref().unwrap_or("").contains("SIGSEGV"), "{crash:?}");
    let import = cells
        .iter()
        .filter(|c| c.interpreter.version.starts_with("3.13.") && c.build.id == "wheel:missing-1.0")
        .flat_map(|c| c.results.iter())
        .find(|r| r.entry == "missing._ext")
        .expect("the import");
    assert!(import.detail.as_deref().unwrap_or("").contains("_PyArg_NoKwnames"), "{import:?}");
}

#[test]
fn bad_input_is_refused_by_name_before_anything_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let interpreters = interpreters(&["3.12"]);
    let manifest = Manifest::builtin();
    let file = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).expect("write");
        path
    };
    let not_abi3 = file("fast-1.0-cp312-cp312-manylinux_2_17_x86_64.whl", b"PK");
    let error = WheelSpec::local(&not_abi3).unwrap_err();
    assert!(matches!(error, WheelsError::NotAbi3 { .. }), "{error}");
    assert!(error.to_string().contains("fast-1.0-cp312-cp312-manylinux_2_17_x86_64.whl"));
    let mac = file("fast-1.0-cp39-abi3-macosx_11_0_arm64.whl", b"PK");
    let error = WheelSpec::local(&mac).unwrap_err();
    assert!(matches!(error, WheelsError::WrongPlatform { .. }), "{error}");
    assert!(error.to_string().contains("macosx_11_0_arm64"));

    let corrupt = file("broken-1.0-cp39-abi3-manylinux_2_17_x86_64.whl", b"not a zip at all");
    let spec = WheelSpec::local(&corrupt).expect("the name is fine");
    let error = wheels::run(&[spec], &interpreters, &manifest, &options(dir.path())).unwrap_err();
    assert!(matches!(error, WheelsError::Corrupt { .. }), "{error}");
    assert!(error.to_string().contains("broken-1.0-cp39-abi3-manylinux_2_17_x86_64.whl"));
    // Nothing half-written: no extracted copy, no install folder.
    let extracted = dir.path().join("work/extracted");
    assert!(std::fs::read_dir(&extracted).map(|d| d.count()).unwrap_or(0) == 0, "left behind in {extracted:?}");
    assert!(!dir.path().join("work/sites").exists());

    // A corpus wheel missing from the cache, offline.
    let corpus_path = dir.path().join("wheels.toml");
    std::fs::write(dir.path().join("smoke.py"), "import bcrypt\n").expect("write");
    let text = "[[wheel]]\npackage = \"bcrypt\"\nversion = \"5.0.0\"\n\
        file = \"bcrypt-5.0.0-cp39-abi3-manylinux2014_x86_64.manylinux_2_17_x86_64.whl\"\n\
        sha256 = \"7aeef54b60ceddb6f30ee3db090351ecf0d40ec6e2abf41430997407a46d2254\"\n\
        limited_api = \"3.9\"\ntoolchain = \"PyO3/maturin\"\nevidence = \"PyPI\"\nsmoke = \"smoke.py\"\n";
    std::fs::write(&corpus_path, text).expect("write corpus");
    let corpus = Corpus::read(&corpus_path).expect("the corpus parses");
    let error = wheels::run(&corpus.wheels, &interpreters, &manifest, &options(dir.path())).unwrap_err();
    assert!(matches!(error, WheelsError::Missing { .. }), "{error}");
    let message = error.to_string();
    assert!(message.contains("bcrypt-5.0.0-cp39-abi3") && message.contains("offline"), "{message}");
    assert!(!dir.path().join("cache/sha256").exists());

    // Two missing: both named at once.
    let second = text
        .replace("\"bcrypt\"", "\"bcrypt2\"")
        .replace("7aeef54b60ceddb6f30ee3db090351ecf0d40ec6e2abf41430997407a46d2254", &"0".repeat(64));
    std::fs::write(&corpus_path, format!("{text}\n{second}")).expect("write corpus");
    let corpus = Corpus::read(&corpus_path).expect("the corpus parses");
    let error = wheels::run(&corpus.wheels, &interpreters, &manifest, &options(dir.path())).unwrap_err();
    assert!(matches!(error, WheelsError::NotCached { .. }), "{error}");
    assert_eq!(error.to_string().matches("bcrypt-5.0.0-cp39-abi3").count(), 2, "{error}");

    // A cache file whose content is not its address is refused, naming it.
    std::fs::write(&corpus_path, text).expect("write corpus");
    let corpus = Corpus::read(&corpus_path).expect("the corpus parses");
    let spec = &corpus.wheels[0];
    let slot = dir.path().join("cache/sha256").join(spec.sha256.as_deref().unwrap_or_default());
    std::fs::create_dir_all(&slot).expect("mkdir");
    std::fs::write(slot.join(&spec.file), b"tampered").expect("write");
    let error = wheels::run(&corpus.wheels, &interpreters, &manifest, &options(dir.path())).unwrap_err();
    assert!(matches!(error, WheelsError::HashMismatch { .. }), "{error}");
    assert!(error.to_string().contains(&spec.file), "{error}");

    // A corpus whose tag disagrees with the file name is refused with the file and package.
    std::fs::write(&corpus_path, text.replace("limited_api = \"3.9\"", "limited_api = \"3.8\"")).expect("write");
    let error = Corpus::read(&corpus_path).unwrap_err();
    assert!(error.to_string().contains("bcrypt") && error.to_string().contains("cp39"), "{error}");
}

/// The corpus file in the repository parses: every name, tag, pin and smoke script agrees.
#[test]
fn the_corpus_is_valid() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../wheels.toml");
    let corpus = Corpus::read(&path).expect("wheels.toml is valid");
    assert!(corpus.wheels.len() >= 20, "{} wheels", corpus.wheels.len());
}

/// The command line: bad input exits 2 naming the wheel and writes no report folder.
#[test]
fn the_command_exits_2_on_bad_input_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let matrix = dir.path().join("matrix.toml");
    std::fs::write(&matrix, "[[interpreters]]\ndiscover = \"pyenv\"\nversions = [\"3.12\"]\n").expect("write matrix");
    let not_abi3 = dir.path().join("fast-1.0-cp312-cp312-manylinux_2_17_x86_64.whl");
    let corrupt = dir.path().join("broken-1.0-cp39-abi3-manylinux_2_17_x86_64.whl");
    std::fs::write(&not_abi3, b"PK").expect("write");
    std::fs::write(&corrupt, b"not a zip at all").expect("write");
    for (wheel, says) in [(&not_abi3, "fast-1.0-cp312-cp312"), (&corrupt, "broken-1.0-cp39-abi3")] {
        let out = dir.path().join("out");
        let output = crate::support::run(
            crate::support::harness()
                .arg("wheels")
                .arg("--matrix")
                .arg(&matrix)
                .arg("--offline")
                .arg("--wheel")
                .arg(wheel)
                .arg("--out")
                .arg(&out)
                .arg("--cache")
                .arg(crate::support::cache_dir())
                .env("ABI_HARNESS_WHEEL_CACHE", dir.path().join("cache")),
        );
        assert_eq!(output.status.code(), Some(2), "bad input is exit 2");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(says), "the error names the wheel: {stderr}");
        assert!(!out.join("report.json").exists() && !out.join("journal.jsonl").exists(), "nothing half-written");
    }
}
