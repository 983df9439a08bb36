//! Presence results agree with each interpreter's own `test.test_stable_abi_ctypes`.

use std::collections::BTreeMap;
use std::process::Command;

use crate::support::*;

/// Lists the symbols the interpreter's own test checks, each with whether ctypes finds it.
const CTYPES_SYMBOLS: &str = r#"
import ctypes, json
from test import test_stable_abi_ctypes as t
print(json.dumps({name: hasattr(ctypes.pythonapi, name) for name in t.SYMBOL_NAMES}))
"#;

const RENAMED_UNDER_TRACE_REFS: [&str; 2] = ["PyModule_Create2", "PyModule_FromDefAndSpec2"];

fn agrees_with_ctypes(minor: &str) {
    let python = pyenv(minor);
    let output = Command::new(&python).args(["-I", "-c", CTYPES_SYMBOLS]).output().expect("run python");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let expected: BTreeMap<String, bool> = serde_json::from_slice(&output.stdout).expect("symbol JSON");

    let out = tempfile::tempdir().expect("tempdir");
    let result = run(harness()
        .args(["check", "--checks", "presence", "--cache"])
        .arg(cache_dir())
        .arg("--out")
        .arg(out.path())
        .arg(&python));
    assert_eq!(result.status.code(), Some(0));
    let report = read_report(out.path());
    let cells = report["cells"].as_array().expect("cells");
    // Presence depends only on the interpreter: one cell carries it, and a presence-only
    // check runs no other.
    assert_eq!(cells.len(), 1, "one presence cell per interpreter");
    for cell in cells {
        let ours: BTreeMap<String, bool> = cell["results"]
            .as_array()
            .expect("results")
            .iter()
            .filter(|r| r["check"] == "presence")
            .map(|r| (r["entry"].as_str().unwrap_or_default().to_owned(), r["status"] == "pass"))
            .collect();
        let mut ours = ours;
        if minor != "3.13" {
            // Before 3.13, Py_TRACE_REFS headers rename these two to `...TraceRefs`, so CPython's
            // generated ctypes test leaves them out; we check them, and they must resolve.
            for name in RENAMED_UNDER_TRACE_REFS {
                assert_eq!(ours.remove(name), Some(true), "{minor}: {name} should be checked and present");
            }
        }
        let only_ours: Vec<&String> = ours.keys().filter(|k| !expected.contains_key(*k)).collect();
        let only_theirs: Vec<&String> = expected.keys().filter(|k| !ours.contains_key(*k)).collect();
        assert!(
            only_ours.is_empty() && only_theirs.is_empty(),
            "{minor}: checked only by us: {only_ours:?}; only by test_stable_abi_ctypes: {only_theirs:?}"
        );
        assert_eq!(ours, expected, "{minor}: presence verdicts differ from ctypes");
    }
}

#[test]
fn presence_agrees_with_test_stable_abi_ctypes_on_3_11() {
    agrees_with_ctypes("3.11");
}

#[test]
fn presence_agrees_with_test_stable_abi_ctypes_on_3_12() {
    agrees_with_ctypes("3.12");
}

#[test]
fn presence_agrees_with_test_stable_abi_ctypes_on_3_13() {
    agrees_with_ctypes("3.13");
}
