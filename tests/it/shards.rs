//! Sharding: a small matrix run whole and as three shards merged gives the same results, and
//! merge refuses shards that miss or repeat a part.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::*;

const SHARDS: u32 = 3;

/// Three interpreters and three builds: six cells over three shards.
fn matrix(dir: &Path) -> PathBuf {
    let path = dir.join("matrix.toml");
    let mut text = String::from("[settings]\ncases = 16\n\n");
    for minor in ["3.6", "3.8", "3.10"] {
        text.push_str(&format!("[[interpreters]]\nexecutable = \"{}\"\n\n", pyenv(minor).display()));
    }
    text.push_str("[builds]\nlimited_api = [\"3.6\", \"3.8\", \"3.10\"]\n");
    std::fs::write(&path, text).expect("write matrix");
    path
}

fn run_into(matrix: &Path, out: &Path, shard: Option<&str>) -> Option<i32> {
    let mut command = harness();
    command
        .args([
            "run",
            "--entry",
            "PyLong_AsLong",
            "--entry",
            "PyUnicode_Count",
            "--checks",
            "import,presence,semantic",
            "--matrix",
        ])
        .arg(matrix);
    command.arg("--cache").arg(cache_dir()).arg("--out").arg(out);
    if let Some(shard) = shard {
        command.args(["--shard", shard]);
    }
    run(&mut command).status.code()
}

/// Per cell key, every result as (entry, check, property, status, fingerprint).
fn outcomes(report: &Value) -> Vec<(Value, Vec<Value>)> {
    report["cells"]
        .as_array()
        .expect("cells")
        .iter()
        .map(|cell| {
            let key = serde_json::json!([
                cell["interpreter"]["platform"],
                cell["interpreter"]["executable"],
                cell["build"]["id"]
            ]);
            let results = cell["results"]
                .as_array()
                .expect("results")
                .iter()
                .map(|r| serde_json::json!([r["entry"], r["check"], r["property"], r["status"], r["fingerprint"]]))
                .collect();
            (key, results)
        })
        .collect()
}

#[test]
fn three_shards_merged_give_the_results_of_one_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let matrix = matrix(dir.path());
    let whole = dir.path().join("whole");
    assert_eq!(run_into(&matrix, &whole, None), Some(0));

    let mut parts = Vec::new();
    let mut sizes = Vec::new();
    for index in 1..=SHARDS {
        let out = dir.path().join(format!("shard-{index}"));
        let shard = format!("{index}/{SHARDS}");
        assert_eq!(run_into(&matrix, &out, Some(&shard)), Some(0));
        let report = read_report(&out);
        assert_eq!(report["header"]["shard"], shard.as_str(), "the shard is recorded");
        assert_eq!(report["complete"], true, "a shard is complete when its part is");
        let journal = std::fs::read_to_string(out.join("journal.jsonl")).expect("journal");
        let header: Value = serde_json::from_str(journal.lines().next().expect("header line")).expect("header");
        assert_eq!(header["shard"], shard.as_str(), "the journal's header records the shard");
        sizes.push(report["cells"].as_array().expect("cells").len());
        parts.push(out);
    }
    let whole_report = read_report(&whole);
    assert_eq!(sizes.iter().sum::<usize>(), 6, "each cell ran in exactly one shard: {sizes:?}");

    let merged = dir.path().join("merged");
    let output = run(harness().arg("merge").args(&parts).arg("--out").arg(&merged));
    assert_eq!(output.status.code(), Some(0));
    let merged_report = read_report(&merged);
    assert_eq!(merged_report["complete"], true);
    assert!(merged_report["header"]["shard"].is_null());
    assert_eq!(merged_report["header"]["planned"], whole_report["header"]["planned"]);
    assert_eq!(
        outcomes(&merged_report),
        outcomes(&whole_report),
        "same cells in the same order, same statuses and fingerprints"
    );
    assert_eq!(merged_report["summary"], whole_report["summary"]);
    // The merged folder is a run's folder: its journal rebuilds the same report.
    assert_eq!(run(harness().arg("report").arg(&merged)).status.code(), Some(0));
    assert_eq!(outcomes(&read_report(&merged)), outcomes(&whole_report));

    // A shard left out, or given twice: exit 2, naming what is wrong, and no report.
    let refused = dir.path().join("refused");
    let output = run(harness().arg("merge").args(&parts[..2]).arg("--out").arg(&refused));
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("missing"), "names what is missing");
    let output = run(harness().arg("merge").arg(&parts[0]).arg(&parts[0]).args(&parts[1..]).arg("--out").arg(&refused));
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("twice"));
    // Shards merged with the whole run would count every cell twice.
    let output = run(harness().arg("merge").arg(&whole).args(&parts).arg("--out").arg(&refused));
    assert_eq!(output.status.code(), Some(2));
    assert!(!refused.join("report.json").exists(), "no report from a refused merge");
}
