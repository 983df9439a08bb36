//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// The pyenv interpreter of a minor version, e.g. `pyenv("3.12")`.
pub fn pyenv(minor: &str) -> PathBuf {
    let root = std::env::var_os("PYENV_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".pyenv"));
    let versions = root.join("versions");
    let found = std::fs::read_dir(&versions).ok().and_then(|entries| {
        entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(&format!("{minor}."))))
            .map(|p| p.join("bin/python3"))
            .find(|p| p.is_file())
    });
    found.unwrap_or_else(|| {
        panic!("this test needs CPython {minor} under {}: install it with `pyenv install {minor}`", versions.display())
    })
}

/// The free-threaded CPython 3.13 that `cargo xtask freethreaded` builds from source (no
/// distribution ships one).
pub fn free_threaded_python() -> PathBuf {
    let python = abi_harness::user_cache_dir("ABI_HARNESS_CPYTHON_CACHE", "cpython").join("3.13.5t/bin/python3.13t");
    if !python.is_file() {
        panic!(
            "this test needs a free-threaded CPython at {}: build it with `cargo xtask freethreaded` (about 5 minutes)",
            python.display()
        );
    }
    python
}

/// The harness binary with a shared probe cache (builds are content-addressed, so sharing is safe).
pub fn harness() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_abi-harness"));
    command.env_remove("CC");
    command
}

pub fn cache_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("probe-cache")
}

pub fn run(command: &mut Command) -> Output {
    let output = command.output().expect("the harness binary runs");
    eprintln!(
        "--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

pub fn read_report(out: &Path) -> Value {
    let text = std::fs::read_to_string(out.join("report.json")).expect("report.json is written");
    serde_json::from_str(&text).expect("report.json is JSON")
}

/// Every result of every cell, with the cell's interpreter version and build id.
pub fn results(report: &Value) -> Vec<(String, String, Value)> {
    let mut all = Vec::new();
    for cell in report["cells"].as_array().expect("cells") {
        let version = cell["interpreter"]["version"].as_str().unwrap_or_default().to_owned();
        let limited = cell["build"]["id"].as_str().unwrap_or_default().to_owned();
        for result in cell["results"].as_array().expect("results") {
            all.push((version.clone(), limited.clone(), result.clone()));
        }
    }
    all
}

/// Writes an executable shell script.
pub fn write_script(path: &Path, body: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, format!("#!/bin/sh\n{body}\n")).expect("write script");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod script");
}

/// A matrix of pyenv's 3.11 and `other` (say, a wrapper with an injected fault), with one
/// build, limited API 3.11, and 48 cases: small real runs for tests of what runs produce.
pub fn matrix_of_3_11_and(dir: &Path, other: &Path) -> PathBuf {
    let matrix = dir.join("matrix.toml");
    let text = format!(
        "[settings]\ncases = 48\n\n[[interpreters]]\nexecutable = \"{}\"\n\n[[interpreters]]\nexecutable = \"{}\"\n\n[builds]\nlimited_api = [\"3.11\"]\n",
        pyenv("3.11").display(),
        other.display()
    );
    std::fs::write(&matrix, text).expect("write matrix");
    matrix
}

/// The root filesystem of one of the default matrix's platforms, provisioned if need be.
pub fn rootfs(name: &str) -> PathBuf {
    let matrix = abi_harness::matrix::Matrix::read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../matrix.toml"))
        .expect("default matrix");
    let spec =
        matrix.platforms.iter().find(|p| p.name == name).unwrap_or_else(|| panic!("platform {name} in matrix.toml"));
    match spec.provision(&abi_harness::platform::default_rootfs_cache()) {
        Ok(platform) => platform.root().expect("a rootfs").to_owned(),
        Err(err) => panic!("this test needs the `{name}` root filesystem: {}", abi_harness::error_chain(&err)),
    }
}

/// `abi-harness run --matrix MATRIX` with the shared probe cache, its report in `out`: the
/// exit code and the report.
pub fn run_matrix_file(matrix: &Path, out: &Path, extra: &[&str]) -> (Option<i32>, Value) {
    let output = run(harness()
        .args(["run", "--matrix"])
        .arg(matrix)
        .arg("--cache")
        .arg(cache_dir())
        .arg("--out")
        .arg(out)
        .args(extra));
    (output.status.code(), read_report(out))
}

/// The failing static results that involve the header set `label` and are not known breaks
/// (those stay listed, marked), as (entry, limited API, detail).
pub fn static_failures_of(report: &Value, label: &str) -> Vec<(String, String, String)> {
    report["static"]["results"]
        .as_array()
        .expect("static.results")
        .iter()
        .filter(|r| {
            r["status"] == "fail"
                && r["known"].is_null()
                && r["differing"].as_array().is_some_and(|d| d.iter().any(|l| l == label))
        })
        .map(|r| {
            let text = |key: &str| r[key].as_str().unwrap_or_default().to_owned();
            (text("entry"), text("limited_api"), text("detail"))
        })
        .collect()
}

/// A real copy of a folder tree (an include folder to edit).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create the copy's folder");
    for entry in std::fs::read_dir(from).expect("read the folder").map(|e| e.expect("entry")) {
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a file");
        }
    }
}

/// Runs a command line with `sh -c` (a reproducer's build and run commands are shell lines).
pub fn sh(command: &str) -> Output {
    Command::new("sh").arg("-c").arg(command).output().expect("sh")
}

/// Builds a failure's C reproducer (`case.reproducer`), which must build, and runs it: the
/// run's output.
pub fn build_and_run_reproducer(repro: &Value) -> Output {
    let built = sh(repro["build"].as_str().expect("build command"));
    assert!(built.status.success(), "the reproducer builds: {}", String::from_utf8_lossy(&built.stderr));
    sh(repro["run"].as_str().expect("run command"))
}
