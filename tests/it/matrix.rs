//! Whole runs: the report's schema, and what an interrupted run leaves behind.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::support::*;

fn small_matrix(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("matrix.toml");
    let text = format!(
        "[settings]\ncases = 16\n\n[[interpreters]]\nexecutable = \"{}\"\n\n[[interpreters]]\nexecutable = \"{}\"\n\n[builds]\nlimited_api = [\"3.6\", \"3.8\"]\n",
        pyenv("3.6").display(),
        pyenv("3.8").display()
    );
    std::fs::write(&path, text).expect("write matrix");
    path
}

#[test]
fn report_follows_the_documented_schema() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let output = run(harness()
        .arg("run")
        .arg("--matrix")
        .arg(small_matrix(dir.path()))
        .arg("--cache")
        .arg(cache_dir())
        .arg("--out")
        .arg(&out));
    assert_eq!(output.status.code(), Some(0));
    let report = read_report(&out);
    assert_eq!(report["schema"], 1);
    assert_eq!(report["complete"], true);
    let cells = report["cells"].as_array().expect("cells");
    // 3.6 build on 3.6 and 3.8; 3.8 build on 3.8.
    let pairs: Vec<(String, String)> = cells
        .iter()
        .map(|c| {
            (
                c["build"]["limited_api"].as_str().unwrap_or("").to_owned(),
                c["interpreter"]["version"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(pairs.len(), 3, "{pairs:?}");
    assert!(pairs.iter().all(|(build, version)| version.as_str() >= build.as_str()), "{pairs:?}");
    for cell in cells {
        assert!(cell["interpreter"]["executable"].as_str().is_some_and(|e| e.ends_with("python3")));
        assert!(cell["interpreter"]["version"].as_str().is_some_and(|v| v.split('.').count() == 3));
        assert!(
            cell["build"]["headers"]
                .as_str()
                .is_some_and(|h| h.starts_with(cell["build"]["limited_api"].as_str().unwrap_or("-")))
        );
        let results = cell["results"].as_array().expect("results");
        for check in ["import", "semantic"] {
            assert!(results.iter().any(|r| r["check"] == check), "a {check} result in every cell");
        }
        for result in results {
            assert!(result["entry"].is_string() && result["kind"].is_string());
            assert!(
                ["pass", "fail", "crash", "timeout", "skip", "changed"]
                    .contains(&result["status"].as_str().unwrap_or(""))
            );
        }
    }
    // Presence depends only on the interpreter: exactly one cell of each carries it, that of
    // the newest build at or below its version.
    let presence_cells: Vec<(String, String)> = cells
        .iter()
        .filter(|c| c["results"].as_array().is_some_and(|r| r.iter().any(|r| r["check"] == "presence")))
        .map(|c| {
            (
                c["build"]["limited_api"].as_str().unwrap_or("").to_owned(),
                c["interpreter"]["version"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(presence_cells.len(), 2, "{presence_cells:?}");
    assert!(
        presence_cells.iter().all(|(build, version)| version.starts_with(&format!("{build}."))),
        "{presence_cells:?}"
    );

    // Outcomes that differ between 3.6 and 3.8 come with their evidence: the first differing
    // case, whose replays print different probe outcomes on the two interpreters.
    let differences = report["differences"].as_array().expect("differences");
    assert!(!differences.is_empty(), "3.6 and 3.8 differ somewhere (dir() of builtins, at least)");
    for difference in differences {
        assert!(difference["first_case"]["args"].as_str().is_some_and(|args| args.starts_with('(')), "{difference}");
    }
    let probe_outcome = |replay: &serde_json::Value| {
        // In the temporary folder: a replay builds its probe in ./target/abi-harness/cache.
        let output = run(std::process::Command::new("sh")
            .arg("-c")
            .arg(replay.as_str().expect("a replay command"))
            .current_dir(dir.path()));
        String::from_utf8_lossy(&output.stdout).lines().find(|line| line.starts_with("probe:")).map(str::to_owned)
    };
    let shown = differences.iter().take(3).any(|d| {
        let (baseline, other) =
            (probe_outcome(&d["first_case"]["replay_baseline"]), probe_outcome(&d["first_case"]["replay"]));
        baseline.is_some() && other.is_some() && baseline != other
    });
    assert!(
        shown,
        "the replays of a first differing case show the difference: {:?}",
        &differences[..differences.len().min(3)]
    );
}

#[test]
fn an_interrupted_run_keeps_finished_cells_and_leaves_no_workers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let cache = dir.path().join("cache");
    let mut child = harness()
        .args(["run", "--jobs", "1", "--cases", "3000", "--entry", "PyNumber_Add", "--matrix"])
        .arg(small_matrix(dir.path()))
        .arg("--cache")
        .arg(&cache)
        .arg("--out")
        .arg(&out)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("start harness");
    // Wait for the first finished cell, then interrupt as Ctrl-C would.
    let stderr = child.stderr.take().expect("stderr");
    let started = Instant::now();
    for line in BufReader::new(stderr).lines() {
        let line = line.expect("stderr line");
        if line.starts_with("[1/") {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(300), "no cell finished");
    }
    std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill");
    let _ = child.wait();

    assert!(!out.join("report.json").exists(), "an interrupted run leaves no report");
    // Workers die with the harness (PR_SET_PDEATHSIG); this run's workers are the only
    // processes running a driver from its private cache.
    std::thread::sleep(Duration::from_millis(500));
    let workers = std::process::Command::new("pgrep").arg("-f").arg(cache.join("driver")).output().expect("pgrep");
    assert!(workers.stdout.is_empty(), "workers outlived the harness: {}", String::from_utf8_lossy(&workers.stdout));

    let output = run(harness().arg("report").arg(&out));
    assert!(output.status.code() == Some(0) || output.status.code() == Some(1));
    let report = read_report(&out);
    assert_eq!(report["complete"], false);
    assert!(!report["cells"].as_array().expect("cells").is_empty(), "the finished cell is kept");
}
