//! Bad input: a clear error naming the file, line or item, exit code 2, and no report left
//! behind as if complete.

use std::path::Path;

use crate::support::*;

fn assert_cannot_run(output: &std::process::Output, out: &Path, needles: &[&str]) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "configuration errors exit with 2: {stderr}");
    for needle in needles {
        assert!(stderr.contains(needle), "the error should mention {needle:?}: {stderr}");
    }
    assert!(!out.join("report.json").exists(), "no report may be left behind");
}

fn run_matrix(dir: &Path, matrix: &str, extra: &[&str]) -> std::process::Output {
    let path = dir.join("matrix.toml");
    std::fs::write(&path, matrix).expect("write matrix");
    run(harness()
        .arg("run")
        .arg("--matrix")
        .arg(&path)
        .arg("--cache")
        .arg(cache_dir())
        .arg("--out")
        .arg(dir.join("out"))
        .args(extra))
}

fn interpreter_table(minor: &str) -> String {
    format!("[[interpreters]]\nexecutable = \"{}\"\n", pyenv(minor).display())
}

#[test]
fn malformed_matrix_names_file_line_and_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output =
        run_matrix(dir.path(), &format!("{}\n[builds]\nlimited_api = [\"3.x\"]\n", interpreter_table("3.12")), &[]);
    assert_cannot_run(&output, &dir.path().join("out"), &["matrix.toml:5:", "builds.limited_api", "3.x"]);

    let output = run_matrix(dir.path(), "[[interpreters]]\ndiscover = \"pyenv\"\nversion = [\"3.12\"]\n", &[]);
    assert_cannot_run(&output, &dir.path().join("out"), &["matrix.toml:3:", "unknown field `version`"]);

    let output = run_matrix(dir.path(), "[[interpreters]\n", &[]);
    assert_cannot_run(&output, &dir.path().join("out"), &["matrix.toml:1:"]);
}

#[test]
fn malformed_manifest_names_file_line_and_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let manifest = dir.path().join("stable_abi.toml");
    std::fs::write(&manifest, "[function.PyFoo]\n    added = '3.2'\n\n[data.PyBar]\n    added = 'soon'\n")
        .expect("write manifest");
    let output = run_matrix(dir.path(), &interpreter_table("3.12"), &["--manifest", &manifest.display().to_string()]);
    assert_cannot_run(&output, &dir.path().join("out"), &["stable_abi.toml:4:", "data.PyBar.added", "soon"]);

    let missing = dir.path().join("nope.toml");
    let output = run_matrix(dir.path(), &interpreter_table("3.12"), &["--manifest", &missing.display().to_string()]);
    assert_cannot_run(&output, &dir.path().join("out"), &["cannot read manifest", "nope.toml"]);
}

#[test]
fn missing_interpreter_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = run_matrix(dir.path(), "[[interpreters]]\nexecutable = \"/nonexistent/python3.99\"\n", &[]);
    assert_cannot_run(&output, &dir.path().join("out"), &["/nonexistent/python3.99"]);

    let output =
        run_matrix(dir.path(), "[[interpreters]]\ndiscover = \"pyenv\"\nversions = [\"3.12\", \"3.99\"]\n", &[]);
    assert_cannot_run(&output, &dir.path().join("out"), &["no pyenv interpreter for 3.99", "pyenv install 3.99"]);
}

#[test]
fn missing_headers_say_what_to_install() {
    // A relocated copy of a real interpreter without its include folder: it runs, but nothing
    // can be built with it.
    let dir = tempfile::tempdir().expect("tempdir");
    let real = pyenv("3.12");
    let prefix = real.parent().and_then(Path::parent).expect("prefix");
    let fake = dir.path().join("python-without-headers");
    std::fs::create_dir_all(fake.join("bin")).expect("mkdir");
    std::fs::copy(prefix.join("bin/python3.12"), fake.join("bin/python3.12")).expect("copy python");
    std::os::unix::fs::symlink(prefix.join("lib"), fake.join("lib")).expect("symlink lib");
    let matrix = format!("[[interpreters]]\nexecutable = \"{}\"\n", fake.join("bin/python3.12").display());
    let output = run_matrix(dir.path(), &matrix, &[]);
    assert_cannot_run(
        &output,
        &dir.path().join("out"),
        &["has none (no Python.h in", "python-without-headers", "-dev"],
    );
}

#[test]
fn missing_compiler_says_what_to_install() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("matrix.toml");
    std::fs::write(&path, interpreter_table("3.12")).expect("write matrix");
    let output = run(harness()
        .env("CC", "/nonexistent/cc")
        .arg("run")
        .arg("--matrix")
        .arg(&path)
        .arg("--cache")
        .arg(dir.path().join("fresh-cache"))
        .arg("--out")
        .arg(dir.path().join("out")));
    assert_cannot_run(&output, &dir.path().join("out"), &["no C compiler", "/nonexistent/cc", "apt-get install gcc"]);
}

#[test]
fn a_platform_without_root_says_what_to_do() {
    // Run the harness as an unprivileged user; its temporary folder must be theirs to write.
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::set_permissions(dir.path(), std::os::unix::fs::PermissionsExt::from_mode(0o777)).expect("chmod");
    let matrix = dir.path().join("matrix.toml");
    std::fs::write(
        &matrix,
        "[[platforms]]\nname = \"sid\"\ndebian = \"sid\"\npackages = [\"python3.13\"]\n\n[[interpreters]]\nplatform = \"sid\"\nexecutables = [\"/usr/bin/python3.13\"]\n",
    )
    .expect("write matrix");
    let output = run(std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(env!("CARGO_BIN_EXE_abi-harness"))
        .arg("run")
        .arg("--matrix")
        .arg(&matrix)
        .arg("--rootfs-cache")
        .arg(dir.path().join("rootfs"))
        .arg("--cache")
        .arg(dir.path().join("cache"))
        .arg("--out")
        .arg(dir.path().join("out")));
    assert_cannot_run(&output, &dir.path().join("out"), &["platform `sid`", "needs root", "sudo"]);
}
