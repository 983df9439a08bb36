//! `diff`: a clean run against a run with one injected fault reports exactly that regression
//! and exits 1; the other way round it is a fix and exits 0.

use std::path::Path;

use serde_json::Value;

use crate::faults::build_fault_library;
use crate::support::*;

/// One build (3.11) on 3.11 and on a wrapper around 3.12 whose path stays the same between the
/// runs, as `/usr/bin/python3.12` does when a distribution rebuilds it.
fn run_with(dir: &Path, wrapper_body: &str, out: &Path) -> Option<i32> {
    let wrapper = dir.join("python3.12-under-test");
    write_script(&wrapper, wrapper_body);
    let matrix = matrix_of_3_11_and(dir, &wrapper);
    let output = run(harness()
        .args(["run", "--entry", "PyLong_AsLong", "--checks", "import,presence,semantic", "--matrix"])
        .arg(&matrix)
        .arg("--cache")
        .arg(cache_dir())
        .arg("--out")
        .arg(out));
    output.status.code()
}

fn diff_json(old: &Path, new: &Path) -> (Option<i32>, Value) {
    let output = run(harness().arg("diff").arg(old).arg(new).args(["--format", "json"]));
    (output.status.code(), serde_json::from_slice(&output.stdout).expect("diff --format json prints JSON"))
}

#[test]
fn one_injected_fault_is_exactly_one_regression() {
    let dir = tempfile::tempdir().expect("tempdir");
    let python = pyenv("3.12");
    let library = build_fault_library(dir.path());
    let (clean, faulty) = (dir.path().join("clean"), dir.path().join("faulty"));
    assert_eq!(run_with(dir.path(), &format!("exec '{}' \"$@\"", python.display()), &clean), Some(0));
    let fault =
        format!("LD_PRELOAD='{}' ABI_HARNESS_FAULT=wrong exec '{}' \"$@\"", library.display(), python.display());
    assert_eq!(run_with(dir.path(), &fault, &faulty), Some(1));

    let (code, diff) = diff_json(&clean, &faulty);
    assert_eq!(code, Some(1), "a regression: exit 1");
    let regressions = diff["regressions"].as_array().expect("regressions");
    assert_eq!(regressions.len(), 1, "exactly the injected fault: {regressions:#?}");
    let regression = &regressions[0];
    assert_eq!(regression["entry"], "PyLong_AsLong");
    assert_eq!(regression["check"], "semantic");
    assert_eq!(regression["build"], "3.11");
    assert_eq!(regression["interpreter"], "host:3.12");
    assert_eq!((regression["old"].as_str(), regression["new"].as_str()), (Some("pass"), Some("fail")));
    assert!(regression["detail"].as_str().is_some_and(|d| d.contains("replay:")), "the detail says how to reproduce");
    for empty in
        ["fixes", "status_changes", "new_interpreters", "removed_interpreters", "new_entries", "removed_entries"]
    {
        assert_eq!(diff[empty], serde_json::json!([]), "{empty}");
    }

    // Readable on the console too.
    let output = run(harness().arg("diff").arg(&clean).arg(faulty.join("report.json")));
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("REGRESSIONS (1):")
            && text.contains("PyLong_AsLong semantic")
            && text.contains("host:3.12: pass -> fail"),
        "{text}"
    );

    // Back to clean: a fix, not a regression.
    let (code, diff) = diff_json(&faulty, &clean);
    assert_eq!(code, Some(0));
    assert_eq!(diff["regressions"], serde_json::json!([]));
    assert_eq!(diff["fixes"].as_array().map(Vec::len), Some(1));

    // A run against itself: nothing.
    let (code, diff) = diff_json(&clean, &clean);
    assert_eq!(code, Some(0));
    assert_eq!(diff["regressions"], serde_json::json!([]));
}

#[test]
fn unreadable_or_invalid_input_exits_2_naming_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("nowhere");
    let invalid = dir.path().join("invalid.json");
    std::fs::write(&invalid, "{\"schema\": 1, \"cells\": []}").expect("write");
    let newer = dir.path().join("newer.json");
    std::fs::write(&newer, "{\"schema\": 99}").expect("write");
    for (old, new, needle) in
        [(&missing, &invalid, "nowhere"), (&invalid, &invalid, "invalid.json"), (&newer, &invalid, "schema 99")]
    {
        let output = run(harness().arg("diff").arg(old).arg(new));
        assert_eq!(output.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(needle), "the error names {needle}: {stderr}");
    }
}
