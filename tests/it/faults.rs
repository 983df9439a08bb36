//! Fault injection: wrapper interpreters break one API function each, and the harness must
//! report exactly that entry on exactly that interpreter, and finish every other cell.
//!
//! The faults (`tests/faults/inject.c`, preloaded into a real 3.12) only hit calls made from
//! the probe, so the interpreter itself keeps working. The hidden symbol is hidden for real: a
//! copy of libpython whose dynamic symbol table no longer has the name, preloaded in place of
//! the original.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::*;

const FAULTED: &str = "3.12";
const CLEAN: &str = "3.11";
const HIDDEN: &str = "PyUnicode_Count";

struct Setup {
    _dir: tempfile::TempDir,
    wrapper: PathBuf,
    out: PathBuf,
}

pub(crate) fn build_fault_library(dir: &Path) -> PathBuf {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/faults/inject.c");
    let library = dir.join("libinject.so");
    let status = Command::new("cc")
        .args(["-shared", "-fPIC", "-O1", "-o"])
        .arg(&library)
        .arg(&source)
        .arg("-ldl")
        .status()
        .expect("cc runs");
    assert!(status.success(), "building the fault library failed");
    library
}

/// A copy of the interpreter's libpython with `symbol` renamed in its dynamic string table.
fn libpython_without(python: &Path, symbol: &str, dir: &Path) -> PathBuf {
    let output = Command::new(python)
        .args(["-I", "-c", "import sysconfig, os; print(os.path.join(sysconfig.get_config_var('LIBDIR'), sysconfig.get_config_var('INSTSONAME')))"])
        .output()
        .expect("python runs");
    let original = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    let mut bytes = std::fs::read(&original).unwrap_or_else(|e| panic!("read {}: {e}", original.display()));
    let needle = format!("\0{symbol}\0");
    let at = bytes.windows(needle.len()).position(|w| w == needle.as_bytes()).expect("symbol name in libpython");
    // Same length, different name: the hash lookup for the real name now finds nothing.
    let last = at + needle.len() - 2;
    bytes[last] = b'X';
    let copy = dir.join(original.file_name().expect("file name"));
    std::fs::write(&copy, bytes).expect("write patched libpython");
    copy
}

fn setup(faults: &str) -> Setup {
    let dir = tempfile::tempdir().expect("tempdir");
    let python = pyenv(FAULTED);
    let library = build_fault_library(dir.path());
    let hidden = libpython_without(&python, HIDDEN, dir.path());
    let wrapper = dir.path().join(format!("python{FAULTED}-faulty"));
    write_script(
        &wrapper,
        &format!(
            // The fault library first: preloads are searched in order.
            "LD_PRELOAD='{} {}' ABI_HARNESS_FAULT='{faults}' exec '{}' \"$@\"",
            library.display(),
            hidden.display(),
            python.display()
        ),
    );
    let out = dir.path().join("out");
    Setup { wrapper, out, _dir: dir }
}

fn check(setup: &Setup, extra: &[&str]) -> (Option<i32>, Value) {
    let output = run(harness()
        .args(["check", "--cases", "48", "--case-timeout", "1", "--cache"])
        .arg(cache_dir())
        .arg("--out")
        .arg(&setup.out)
        .args(extra)
        .arg(&setup.wrapper)
        .arg(pyenv(CLEAN)));
    (output.status.code(), read_report(&setup.out))
}

/// Every non-passing result that is not a known break, as (interpreter minor, entry, check,
/// status).
fn findings(report: &Value) -> Vec<(String, String, String, String)> {
    let mut found: Vec<_> = results(report)
        .into_iter()
        // `changed` is a documented behaviour change (PEP 683 on 3.12 here), not a finding.
        .filter(|(_, _, r)| r["status"] != "pass" && r["status"] != "changed" && r["known"].is_null())
        .map(|(version, _, r)| {
            let minor = version.rsplit_once('.').map_or(version.clone(), |(m, _)| m.to_owned());
            (
                minor,
                r["entry"].as_str().unwrap_or_default().to_owned(),
                r["check"].as_str().unwrap_or_default().to_owned(),
                r["status"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    found.sort();
    found.dedup();
    found
}

fn builds_up_to(minor: u8) -> usize {
    (6..=minor).count()
}

#[test]
fn each_injected_fault_is_reported_for_exactly_its_entry() {
    let setup = setup("crash,hang,wrong");
    // The dynamic checks only: the wrapper's headers are 3.12's own, and the static check has
    // its own fault injections (static_headers.rs).
    let (code, report) = check(&setup, &["--checks", "import,presence,semantic,refleak"]);
    assert_eq!(code, Some(1), "ABI failures found: exit code 1");
    assert_eq!(report["complete"], true);

    // Every cell finished: each build up to 3.12 on the faulty interpreter, up to 3.11 on the
    // clean one (plus, where the default matrix has them, builds with newer headers).
    let cells = report["cells"].as_array().expect("cells");
    assert_eq!(cells.len(), report["header"]["planned"].as_array().expect("planned").len());
    for (minor, count) in [(FAULTED, builds_up_to(12)), (CLEAN, builds_up_to(11))] {
        let own_headers = cells
            .iter()
            .filter(|c| c["interpreter"]["version"].as_str().is_some_and(|v| v.starts_with(minor)))
            .filter(|c| c["build"]["id"].as_str().is_some_and(|id| !id.contains('@')))
            .count();
        assert_eq!(own_headers, count, "builds 3.6 to {minor} ran on {minor}");
    }

    let expected: Vec<(String, String, String, String)> = [
        (HIDDEN, "import", "fail"),
        (HIDDEN, "presence", "fail"),
        // Its contract's routine reports the missing symbol.
        (HIDDEN, "semantic", "fail"),
        ("PyLong_AsDouble", "semantic", "crash"),
        ("PyLong_AsLong", "semantic", "fail"),
        ("PyNumber_Multiply", "semantic", "timeout"),
        ("abi3link", "import", "fail"),
    ]
    .iter()
    .map(|(entry, check, status)| (FAULTED.to_owned(), entry.to_string(), check.to_string(), status.to_string()))
    .collect();
    let mut expected = expected;
    expected.sort();
    assert_eq!(findings(&report), expected);

    for (version, _, result) in results(&report) {
        if !version.starts_with(FAULTED) || result["status"] == "pass" {
            continue;
        }
        let detail = result["detail"].as_str().unwrap_or_default();
        match (result["entry"].as_str().unwrap_or_default(), result["check"].as_str().unwrap_or_default()) {
            ("PyLong_AsDouble", _) => {
                assert!(detail.contains("SIGSEGV"), "the crash names its signal: {detail}");
                assert!(detail.contains("replay: "), "{detail}");
            }
            ("PyNumber_Multiply", _) => assert!(detail.contains("no reply within"), "{detail}"),
            ("PyLong_AsLong", _) => {
                // Shrunk: the smallest input the fault changes is 1000.
                assert_eq!(result["case"]["args"], "(1000)", "{detail}");
                assert!(detail.contains("returns 1001") && detail.contains("returns 1000"), "{detail}");
            }
            (HIDDEN, "import") => assert!(detail.contains(&format!("undefined symbol: {HIDDEN}")), "{detail}"),
            _ => {}
        }
    }
}

#[test]
fn a_failure_replays_with_one_command_and_a_c_reproducer() {
    let setup = setup("wrong");
    let (_, report) = check(&setup, &["--entry", "PyLong_AsLong", "--checks", "semantic"]);
    let failure = results(&report).into_iter().map(|(_, _, r)| r).find(|r| r["status"] == "fail").expect("a failure");
    let replay = failure["case"]["replay"].as_str().expect("replay command");
    let output =
        Command::new("sh").arg("-c").arg(replay).current_dir(setup.out.parent().expect("dir")).output().expect("sh");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "the replay fails again: {stdout}");
    assert!(stdout.contains("FAILS") && stdout.contains("returns 1001"), "{stdout}");

    // The C reproducer builds with the build's flags and fails on the faulty interpreter...
    let repro = &failure["case"]["reproducer"];
    let file = repro["file"].as_str().expect("reproducer file");
    assert!(std::fs::read_to_string(file).is_ok_and(|text| text.contains("PyInit_abi3probe_repro")), "{file}");
    let sh = |command: &str| Command::new("sh").arg("-c").arg(command).output().expect("sh");
    let built = sh(repro["build"].as_str().expect("build command"));
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let ran = sh(repro["run"].as_str().expect("run command"));
    let stderr = String::from_utf8_lossy(&ran.stderr);
    assert_eq!(ran.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("AssertionError") && stderr.contains("PyLong_AsLong"), "{stderr}");
    // ...and passes on the same interpreter without the fault.
    let faulty = setup.wrapper.display().to_string();
    let clean = pyenv(FAULTED).display().to_string();
    let on_clean = sh(&repro["run"]
        .as_str()
        .expect("run command")
        .replace(&format!("'{faulty}'"), &clean)
        .replace(&faulty, &clean));
    assert!(on_clean.status.success(), "{}", String::from_utf8_lossy(&on_clean.stderr));
}

#[test]
fn a_missing_exception_breaks_the_error_contract_with_a_c_reproducer() {
    let setup = setup("noexc");
    let (code, report) = check(&setup, &["--entry", "PyUnicode_Contains", "--checks", "semantic"]);
    assert_eq!(code, Some(1));
    // Exactly that entry, on exactly the faulty interpreter, in every build.
    let found = findings(&report);
    assert_eq!(
        found,
        vec![(FAULTED.to_owned(), "PyUnicode_Contains".to_owned(), "semantic".to_owned(), "fail".to_owned())],
        "{found:?}"
    );
    let failure = results(&report).into_iter().map(|(_, _, r)| r).find(|r| r["status"] == "fail").expect("a failure");
    let detail = failure["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("error contract") && detail.contains("without setting an exception"), "{detail}");
    // Shrunk: a container of exactly 4 code points, the fault's threshold.
    let args = failure["case"]["args"].as_str().unwrap_or_default();
    assert!(args.starts_with("('") && args.chars().filter(|&c| c == ',').count() == 1, "{args}");
    let repro = &failure["case"]["reproducer"];
    let sh = |command: &str| Command::new("sh").arg("-c").arg(command).output().expect("sh");
    assert!(sh(repro["build"].as_str().expect("build command")).status.success());
    let ran = sh(repro["run"].as_str().expect("run command"));
    let stderr = String::from_utf8_lossy(&ran.stderr);
    assert_eq!(ran.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("contract") && stderr.contains("AssertionError"), "{stderr}");
}
