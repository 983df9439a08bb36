//! The coverage view: every manifest entry once, with a level, from a real run's report.

use crate::support::*;

#[test]
fn coverage_of_a_real_report_lists_every_entry_with_the_strongest_check() {
    let out = tempfile::tempdir().expect("tempdir");
    let python = pyenv("3.12");
    // The smallest matrix that shows the point: one build, with the interpreter's own headers.
    let matrix = out.path().join("matrix.toml");
    std::fs::write(&matrix, "[[interpreters]]\ndiscover = \"pyenv\"\nversions = [\"3.12\"]\n").expect("matrix");
    let status = run(harness()
        .args(["check", "--entry", "PyLong_FromLong", "--matrix"])
        .arg(&matrix)
        .arg("--cache")
        .arg(cache_dir())
        .arg("--out")
        .arg(out.path())
        .arg(&python))
    .status;
    assert_eq!(status.code(), Some(0));

    // The report carries the view.
    let report = read_report(out.path());
    let entries = report["coverage"]["entries"].as_array().expect("report.coverage.entries");
    let level_of =
        |name: &str| entries.iter().find(|e| e["entry"] == name).map(|e| e["level"].as_str().unwrap_or("").to_owned());
    assert_eq!(level_of("PyLong_FromLong").as_deref(), Some("semantic"));
    assert_eq!(level_of("PyList_Append").as_deref(), Some("presence"), "not selected by --entry: presence only");
    assert_eq!(level_of("Py_Finalize").as_deref(), Some("presence"));

    // `abi-harness coverage --format json` gives the same rows, one per manifest entry.
    let output = run(harness().args(["coverage", "--format", "json", "--report"]).arg(out.path()));
    assert!(output.status.success());
    let rows: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON rows");
    let rows = rows.as_array().expect("a list");
    assert_eq!(rows, entries);
    let manifest = run(harness().arg("manifest"));
    assert_eq!(rows.len(), String::from_utf8_lossy(&manifest.stdout).lines().count());
    for row in rows {
        assert!(["semantic", "presence", "static", "none"].contains(&row["level"].as_str().unwrap_or("")), "{row}");
        assert!(row["entry"].is_string() && row["kind"].is_string());
        assert!(row["reason"].is_null() || row["reason"].is_string());
    }
    let finalize = rows.iter().find(|r| r["entry"] == "Py_Finalize").expect("Py_Finalize");
    assert!(finalize["reason"].as_str().is_some_and(|r| r.contains("embedding")), "a written reason: {finalize}");

    // Mutation testing's committed results ride along: per function entry, the fault kinds its
    // properties detected, and the score in the summary and in the text view.
    let as_long = rows.iter().find(|r| r["entry"] == "PyLong_AsLong").expect("PyLong_AsLong");
    assert!(as_long["mutation"]["detected"].as_array().is_some_and(|kinds| !kinds.is_empty()), "{as_long}");
    let score = &report["coverage"]["summary"]["mutation"];
    assert!(score["percent"].as_f64().is_some_and(|p| p >= 95.0) && score["unexplained"] == 0, "{score}");
    let text = run(harness().arg("coverage"));
    assert!(String::from_utf8_lossy(&text.stdout).contains("mutation score"));
}
