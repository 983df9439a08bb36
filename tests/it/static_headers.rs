//! The static check of the headers, on real headers read by a real libclang: a copy of one
//! interpreter's include folder with one fault each (a slot id, the order of two struct
//! members, a parameter type) must be reported as an ABI break of exactly that entry, naming
//! both header sets and both values; an unmodified copy must agree with the original.
//!
//! The interpreter under test is a relocated copy of pyenv's 3.12 (its binary, its standard
//! library by symlink, and the edited include folder): a real interpreter whose
//! `sysconfig` include folder is the copy.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::*;

const PATCHED: &str = "3.12";
const OTHER: &str = "3.11";

struct Patched {
    dir: tempfile::TempDir,
    python: PathBuf,
}

fn python_says(python: &Path, expression: &str) -> String {
    let output = Command::new(python)
        .args(["-I", "-c", &format!("import sysconfig; print({expression})")])
        .output()
        .expect("python runs");
    assert!(output.status.success(), "{} failed: {}", python.display(), String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// A relocated copy of the 3.12 interpreter whose include folder is an edited copy.
fn patched_interpreter(file: &str, from: &str, to: &str) -> Patched {
    let original = pyenv(PATCHED);
    let dir = tempfile::tempdir().expect("tempdir");
    let prefix = dir.path().join("prefix");
    let include = PathBuf::from(python_says(&original, "sysconfig.get_paths()['include']"));
    let stdlib = PathBuf::from(python_says(&original, "sysconfig.get_paths()['stdlib']"));
    let include_copy = prefix.join("include").join(include.file_name().expect("include folder name"));
    copy_tree(&include, &include_copy);
    std::fs::create_dir_all(prefix.join("bin")).expect("bin");
    std::fs::create_dir_all(prefix.join("lib")).expect("lib");
    std::os::unix::fs::symlink(&stdlib, prefix.join("lib").join(stdlib.file_name().expect("stdlib name")))
        .expect("symlink stdlib");
    let python = prefix.join("bin/python3");
    std::fs::copy(&original, &python).expect("copy the interpreter binary");
    let seen = python_says(&python, "sysconfig.get_paths()['include']");
    assert_eq!(Path::new(&seen), include_copy, "the relocated interpreter must report the copied include folder");
    if !from.is_empty() {
        let path = include_copy.join(file);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        assert!(text.contains(from), "{} no longer contains {from:?}: update this test's fault", path.display());
        std::fs::write(&path, text.replacen(from, to, 1)).expect("write the fault");
    }
    Patched { dir, python }
}

/// A matrix of pyenv's 3.11 and 3.12: the headers to compare with.
fn small_matrix(dir: &Path) -> PathBuf {
    let matrix = dir.join("matrix.toml");
    std::fs::write(
        &matrix,
        format!("[[interpreters]]\ndiscover = \"pyenv\"\nversions = [\"{OTHER}\", \"{PATCHED}\"]\n\n[builds]\nlimited_api = \"auto\"\ndebug_headers = false\n"),
    )
    .expect("write matrix");
    matrix
}

/// `abi-harness check --checks static` on the patched interpreter.
fn check_static(patched: &Patched) -> (Option<i32>, Value) {
    let matrix = small_matrix(patched.dir.path());
    let out = patched.dir.path().join("out");
    let output = run(harness()
        .args(["check", "--checks", "static", "--matrix"])
        .arg(&matrix)
        .arg("--cache")
        .arg(cache_dir())
        .arg("--out")
        .arg(&out)
        .arg(&patched.python));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("libclang cannot be loaded"),
        "this test needs libclang: `apt-get install libclang-dev`\n{stderr}"
    );
    (output.status.code(), read_report(&out))
}

/// The failing static results that involve the patched header set and are not known breaks
/// (those stay listed, marked), as (entry, detail).
fn findings(report: &Value) -> Vec<(String, String)> {
    let sets = report["static"]["header_sets"].as_array().expect("static.header_sets");
    let patched = sets.iter().find(|s| s["under_test"] == true).expect("the patched header set is listed");
    let label = patched["label"].as_str().expect("label");
    static_failures_of(report, label).into_iter().map(|(entry, _, detail)| (entry, detail)).collect()
}

fn patched_label(report: &Value) -> String {
    let sets = report["static"]["header_sets"].as_array().expect("static.header_sets");
    sets.iter().find(|s| s["under_test"] == true).and_then(|s| s["label"].as_str()).expect("patched label").to_owned()
}

fn original_label(report: &Value) -> String {
    let sets = report["static"]["header_sets"].as_array().expect("static.header_sets");
    sets.iter()
        .find(|s| {
            s["under_test"] == false && s["version"].as_str().is_some_and(|v| v.starts_with(&format!("{PATCHED}.")))
        })
        .and_then(|s| s["label"].as_str())
        .expect("original label")
        .to_owned()
}

/// Asserts the fault is reported for exactly `entry`, with both header sets and both values
/// named in one line of its detail.
fn assert_break(report: &Value, code: Option<i32>, entry: &str, values: &[&str]) {
    assert_eq!(code, Some(1), "an ABI break found: exit code 1");
    let found = findings(report);
    let entries: std::collections::BTreeSet<&str> = found.iter().map(|(e, _)| e.as_str()).collect();
    assert_eq!(entries.into_iter().collect::<Vec<_>>(), vec![entry], "exactly the faulted entry breaks: {found:#?}");
    let (patched, original) = (patched_label(report), original_label(report));
    let lines: Vec<&str> = found.iter().flat_map(|(_, detail)| detail.lines()).collect();
    assert!(
        lines
            .iter()
            .any(|line| line.contains(&patched) && line.contains(&original) && values.iter().all(|v| line.contains(v))),
        "a line names {original} and {patched} with {values:?}: {lines:#?}"
    );
}

#[test]
fn an_unmodified_copy_agrees_with_its_original() {
    let patched = patched_interpreter("", "", "");
    let (_, report) = check_static(&patched);
    assert_eq!(findings(&report), Vec::<(String, String)>::new());
    let compared = report["static"]["compared"].as_array().expect("static.compared");
    assert!(compared.iter().any(|f| f["entry"] == "PyType_Spec" && f["aspect"] == "size"), "struct layouts are listed");
    assert!(compared.iter().any(|f| f["entry"] == "Py_tp_init" && f["aspect"] == "value"), "const values are listed");
    assert!(
        compared.iter().any(|f| f["entry"] == "PyLong_FromLong" && f["aspect"] == "signature"),
        "signatures are listed"
    );
}

#[test]
fn a_changed_slot_id_is_a_break_of_that_slot() {
    let patched = patched_interpreter("typeslots.h", "#define Py_tp_init 60\n", "#define Py_tp_init 99\n");
    let (code, report) = check_static(&patched);
    assert_break(&report, code, "Py_tp_init", &["60", "99"]);
}

#[test]
fn reordered_struct_members_are_a_break_of_that_struct() {
    let patched = patched_interpreter(
        "object.h",
        "    unsigned int flags;\n    PyType_Slot *slots; /* terminated by slot==0. */\n",
        "    PyType_Slot *slots; /* terminated by slot==0. */\n    unsigned int flags;\n",
    );
    let (code, report) = check_static(&patched);
    assert_break(&report, code, "PyType_Spec", &["member flags", "offset 16", "offset 24"]);
}

#[test]
fn a_changed_parameter_type_is_a_break_of_that_function() {
    let patched = patched_interpreter(
        "longobject.h",
        "PyAPI_FUNC(PyObject *) PyLong_FromLong(long);",
        "PyAPI_FUNC(PyObject *) PyLong_FromLong(int);",
    );
    let (code, report) = check_static(&patched);
    assert_break(&report, code, "PyLong_FromLong", &["c_long", "c_int"]);
}

#[test]
fn a_missing_libclang_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    // clang-sys searches only LIBCLANG_PATH when it is set: an empty folder hides libclang.
    let output = run(harness()
        .env("LIBCLANG_PATH", dir.path())
        .args(["check", "--checks", "static", "--matrix"])
        .arg(small_matrix(dir.path()))
        .arg("--cache")
        .arg(dir.path().join("cache"))
        .arg("--out")
        .arg(&out)
        .arg(pyenv(OTHER)));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "cannot run: exit code 2\n{stderr}");
    assert!(stderr.contains("apt-get install libclang-dev"), "{stderr}");
    assert!(!out.join("report.json").exists(), "no report on exit 2");
}
