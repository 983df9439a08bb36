//! The static check under PEP 803's `Py_TARGET_ABI3T`, on Debian sid's real 3.15 headers read by
//! a real libclang: a copy of sid's root filesystem whose 3.15 headers keep `PyObject` a
//! complete type under abi3t must be reported for exactly that struct, under abi3t only, naming
//! the manifest's expectation and the layout the headers give away.
//!
//! The interpreter under test is the copy's own `python3.15` (`check --rootfs`): a real
//! interpreter whose `sysconfig` include folder is the edited one. The copy is made of hard
//! links (cheap), except for the edited include folder and the interpreter binary, which are
//! real copies (the interpreter's facts are cached by file identity, and a hard link would share
//! the original's).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::*;

const SID_315: &str = "/usr/bin/python3.15";

/// The fault: the GIL-enabled build's `struct _object` (PyObject) defined under abi3t too, as if
/// a header lost the `_Py_OPAQUE_PYOBJECT` guard that `Py_TARGET_ABI3T` sets (which also defines
/// `Py_GIL_DISABLED`, so the guard cannot simply be dropped from the `#elif`).
const FAULT_FILE: &str = "object.h";
const FAULT_FROM: &str = "#ifdef _Py_OPAQUE_PYOBJECT\n  /* PyObject is opaque */\n#elif !defined(Py_GIL_DISABLED)\n";
const FAULT_TO: &str = "#if 1\n";

/// A matrix with sid's 3.15 as the only default interpreter: the headers to compare with.
/// The platform is declared as in `matrix.toml`, so its provisioned root filesystem is reused.
fn sid_matrix(dir: &Path) -> PathBuf {
    let default = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../matrix.toml"))
        .expect("read matrix.toml");
    let matrix: toml::Table = toml::from_str(&default).expect("matrix.toml parses");
    let sid: String = matrix["platforms"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["name"].as_str() == Some("sid")))
        .and_then(toml::Value::as_table)
        .expect("matrix.toml declares the sid platform")
        .iter()
        .map(|(key, value)| format!("{key} = {value}\n"))
        .collect();
    let path = dir.join("matrix.toml");
    std::fs::write(
        &path,
        format!(
            "[[platforms]]\n{sid}\n[[interpreters]]\nplatform = \"sid\"\nexecutables = [\"{SID_315}\"]\n\n[builds]\nlimited_api = \"auto\"\ndebug_headers = false\n"
        ),
    )
    .expect("write matrix");
    path
}

/// A copy of sid's root filesystem whose 3.15 headers have `from` replaced by `to` in `file`.
fn patched_sid(file: &str, from: &str, to: &str) -> tempfile::TempDir {
    let sid = rootfs("sid");
    // Beside the root filesystem cache: hard links need the same file system.
    let beside = abi_harness::platform::default_rootfs_cache();
    let beside = beside.parent().unwrap_or(&beside);
    let dir = tempfile::Builder::new().prefix("static-abi3t-").tempdir_in(beside).expect("tempdir");
    let root = dir.path().join("root");
    let status = Command::new("cp").arg("-al").arg(&sid).arg(&root).status().expect("cp runs");
    assert!(
        status.success(),
        "cp -al {} {} failed: this test needs hard links beside the rootfs cache",
        sid.display(),
        root.display()
    );
    let include = root.join("usr/include/python3.15");
    std::fs::remove_dir_all(&include).expect("unlink the include folder");
    copy_tree(&sid.join("usr/include/python3.15"), &include);
    let python = root.join(SID_315.trim_start_matches('/'));
    std::fs::remove_file(&python).expect("unlink python3.15");
    std::fs::copy(sid.join(SID_315.trim_start_matches('/')), &python).expect("copy python3.15");
    let path = include.join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    assert!(text.contains(from), "{} no longer contains {from:?}: update this test's fault", path.display());
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write the fault");
    dir
}

/// `abi-harness check --checks static --rootfs COPY /usr/bin/python3.15`.
fn check_static(copy: &Path) -> (Option<i32>, Value) {
    let out = copy.join("out");
    let output = run(harness()
        .args(["check", "--checks", "static", "--matrix"])
        .arg(sid_matrix(copy))
        .arg("--cache")
        .arg(cache_dir())
        .arg("--out")
        .arg(&out)
        .arg("--rootfs")
        .arg(copy.join("root"))
        .arg(SID_315));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("libclang cannot be loaded"),
        "this test needs libclang: `apt-get install libclang-dev`\n{stderr}"
    );
    (output.status.code(), read_report(&out))
}

fn label_of(report: &Value, under_test: bool, abi3t: bool) -> String {
    let sets = report["static"]["header_sets"].as_array().expect("static.header_sets");
    sets.iter()
        .filter(|s| s["under_test"] == under_test)
        .filter_map(|s| s["label"].as_str())
        .find(|label| label.contains("+abi3t") == abi3t)
        .unwrap_or_else(|| panic!("a header set (under test: {under_test}, abi3t: {abi3t}) in {sets:#?}"))
        .to_owned()
}

#[test]
fn a_complete_pyobject_under_abi3t_is_a_break_of_that_struct_under_abi3t_only() {
    let copy = patched_sid(FAULT_FILE, FAULT_FROM, FAULT_TO);
    let (code, report) = check_static(copy.path());
    assert_eq!(code, Some(1), "an ABI break found: exit code 1");
    let patched = label_of(&report, true, false);
    let patched_abi3t = label_of(&report, true, true);
    let original_abi3t = label_of(&report, false, true);
    assert_eq!(static_failures_of(&report, &patched), Vec::<(String, String, String)>::new(), "abi3 is untouched");
    let found = static_failures_of(&report, &patched_abi3t);
    let entries: Vec<(&str, &str)> = found.iter().map(|(e, l, _)| (e.as_str(), l.as_str())).collect();
    assert_eq!(entries, [("PyObject", "3.15+abi3t")], "exactly the faulted struct breaks, under abi3t: {found:#?}");
    let detail = &found[0].2;
    assert!(
        detail.contains("incomplete type in the manifest (members: opaque in abi3t)")
            && detail.contains("complete type (size 16, members ob_refcnt_full, ob_refcnt")
            && detail.contains(&patched_abi3t),
        "{detail}"
    );
    assert_eq!(
        static_failures_of(&report, &original_abi3t),
        Vec::<(String, String, String)>::new(),
        "sid's own headers: no abi3t failure that is not a known break"
    );
    let compared = report["static"]["compared"].as_array().expect("static.compared");
    assert!(
        compared
            .iter()
            .any(|f| f["entry"] == "PyType_Spec" && f["limited_api"] == "3.15+abi3t" && f["aspect"] == "size"),
        "full-ABI layouts are compared under abi3t too"
    );
}
