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
/// The clean interpreter of the small matrix, whose headers also build the oldest probe.
const CLEAN: &str = "3.6";
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

/// The faulty interpreter on the smallest matrix that shows the point: an old and a new probe
/// on it, and the old one on a clean interpreter.
fn check(setup: &Setup, extra: &[&str]) -> (Option<i32>, Value) {
    let dir = setup.out.parent().expect("the setup's folder");
    run_small_matrix(&setup.wrapper, dir, "out", &[&["--cases", "48"], extra].concat())
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

#[test]
fn each_injected_fault_is_reported_for_exactly_its_entry() {
    let setup = setup("crash,hang,wrong");
    // The dynamic checks only: the wrapper's headers are 3.12's own, and the static check has
    // its own fault injections (static_headers.rs).
    let (code, report) = check(&setup, &["--checks", "import,presence,semantic,refleak", "--case-timeout", "1"]);
    assert_eq!(code, Some(1), "ABI failures found: exit code 1");
    assert_eq!(report["complete"], true);

    // Every cell finished: builds 3.6 and 3.12 on the faulty interpreter, 3.6 on the clean one.
    let cells = report["cells"].as_array().expect("cells");
    assert_eq!(cells.len(), report["header"]["planned"].as_array().expect("planned").len());
    for (minor, count) in [(FAULTED, 2), (CLEAN, 1)] {
        let ran = cells
            .iter()
            .filter(|c| c["interpreter"]["version"].as_str().is_some_and(|v| v.starts_with(&format!("{minor}."))))
            .count();
        assert_eq!(ran, count, "cells on {minor}");
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
    let ran = build_and_run_reproducer(repro);
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
    let ran = build_and_run_reproducer(repro);
    let stderr = String::from_utf8_lossy(&ran.stderr);
    assert_eq!(ran.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("contract") && stderr.contains("AssertionError"), "{stderr}");
}

/// A run of a two-build matrix (limited API 3.6 and 3.12) on `interpreter` (with 3.6 for the
/// oldest headers): the smallest matrix that has an old and a new probe on one interpreter.
fn run_small_matrix(interpreter: &Path, dir: &Path, name: &str, extra: &[&str]) -> (Option<i32>, Value) {
    let matrix = dir.join(format!("{name}.toml"));
    std::fs::write(
        &matrix,
        format!(
            "[settings]\ncases = 32\ncase_timeout_secs = 5\n\n[[interpreters]]\nexecutables = [\"{}\", \"{}\"]\n\n[builds]\nlimited_api = [\"3.6\", \"3.12\"]\ndebug_headers = false\n",
            pyenv("3.6").display(),
            interpreter.display()
        ),
    )
    .expect("write matrix");
    run_matrix_file(&matrix, &dir.join(name), extra)
}

/// The results of the cells on 3.12, per build id.
fn results_on_3_12(report: &Value) -> std::collections::BTreeMap<String, Vec<Value>> {
    let mut cells = std::collections::BTreeMap::new();
    for (version, build, result) in results(report) {
        if version.starts_with(FAULTED) {
            cells.entry(build).or_insert_with(Vec::new).push(result);
        }
    }
    cells
}

#[test]
fn a_crash_in_the_probes_set_up_is_charged_to_its_entry_and_the_cell_goes_on() {
    let setup = setup("setup");
    let dir = tempfile::tempdir().expect("tempdir");
    let clean = results_on_3_12(&run_small_matrix(&pyenv(FAULTED), dir.path(), "clean", &[]).1);
    let (_, faulty_report) = run_small_matrix(&setup.wrapper, dir.path(), "faulty", &[]);
    assert_eq!(faulty_report["complete"], true);
    let faulty = results_on_3_12(&faulty_report);
    assert_eq!(faulty.keys().collect::<Vec<_>>(), clean.keys().collect::<Vec<_>>(), "the same cells ran");
    for (build, results) in &faulty {
        let charged: Vec<&Value> = results
            .iter()
            .filter(|r| r["entry"] == "PyModule_AddObject" && r["check"] == "import" && r["status"] == "crash")
            .collect();
        assert_eq!(charged.len(), 1, "build {build}: the set-up crash is charged to PyModule_AddObject once");
        let detail = charged[0]["detail"].as_str().unwrap_or_default();
        assert!(detail.contains("SIGSEGV") && detail.contains("set-up"), "the signal and the call: {detail}");
        assert!(
            !results.iter().any(|r| r["entry"] == "abi3probe" && r["status"] == "crash"),
            "build {build}: the probe itself is not charged"
        );
        let kept = results.len() as f64 / clean[build].len() as f64;
        assert!(
            kept >= 0.95,
            "build {build}: {} results of a clean run's {} ({kept:.3})",
            results.len(),
            clean[build].len()
        );
        // Every other entry is checked as on the clean interpreter: the only other findings are
        // those of the wrapper's hidden symbol (its entry, and the strongly linked probe).
        let findings = |results: &[Value]| -> Vec<String> {
            results
                .iter()
                .filter(|r| r["status"] != "pass" && r["status"] != "skip" && r["known"].is_null())
                .map(|r| {
                    format!("{} {}", r["entry"].as_str().unwrap_or_default(), r["check"].as_str().unwrap_or_default())
                })
                .filter(|f| !f.starts_with("PyModule_AddObject ") && !f.starts_with(HIDDEN) && f != "abi3link import")
                .collect()
        };
        assert_eq!(findings(results), findings(&clean[build]), "build {build}: the other entries as on a clean run");
    }
}

#[test]
fn reference_faults_are_reported_on_a_release_interpreter_for_exactly_their_entry() {
    let setup = setup("borrowed,newref");
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, report) = run_small_matrix(
        &setup.wrapper,
        dir.path(),
        "faulty",
        &["--entry", "PySequence_GetItem", "--entry", "PyList_GetItem"],
    );
    assert_eq!(report["complete"], true);
    let mut found: Vec<(String, String)> = results(&report)
        .into_iter()
        .filter(|(version, _, r)| version.starts_with(FAULTED) && r["check"] == "semantic" && r["status"] != "pass")
        .map(|(_, build, r)| {
            let detail = r["detail"].as_str().unwrap_or_default();
            let (entry, status) = (r["entry"].as_str().unwrap_or_default(), r["status"].as_str().unwrap_or_default());
            assert_eq!(status, "fail", "{entry}: {detail}");
            let expected = match entry {
                "PySequence_GetItem" => "borrowed reference treated as new",
                "PyList_GetItem" => "new reference treated as borrowed",
                other => panic!("a reference fault charged to {other}: {detail}"),
            };
            assert!(detail.contains("reference counts differ") && detail.contains(expected), "{entry}: {detail}");
            (build, entry.to_owned())
        })
        .collect();
    found.sort();
    let expected: Vec<(String, String)> = ["3.12", "3.6"]
        .iter()
        .flat_map(|build| ["PyList_GetItem", "PySequence_GetItem"].map(|e| (build.to_string(), e.to_owned())))
        .collect();
    let mut expected = expected;
    expected.sort();
    assert_eq!(found, expected, "each fault on each build, on the release 3.12 only");
    // The same entries hold on the clean interpreter of the same run.
    assert!(
        results(&report)
            .iter()
            .filter(|(version, _, r)| version.starts_with("3.6") && r["check"] == "semantic")
            .all(|(_, _, r)| r["status"] == "pass")
    );
}
