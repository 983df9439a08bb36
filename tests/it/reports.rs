//! The renderings of a real run: `junit.xml` read back by an XML parser agrees with
//! `report.json`, `summary.md` stays under GitHub's limit and names the failure and its replay,
//! and `report.html` draws its heat map in headless Chromium (the screenshot is kept under
//! `target/abi-harness/test-artifacts/`).
//!
//! The run has one real failure: a wrapper interpreter (3.12 with `tests/faults/inject.c`
//! preloaded) makes `PyLong_AsLong` wrong for values from 1000 on.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use abi_harness::render::{self, Mark};
use abi_harness::report::Report;

use crate::support::*;

/// A matrix of one build (limited API 3.11) on a clean 3.11 and on the faulty 3.12 wrapper.
fn faulty_run(dir: &Path) -> PathBuf {
    let library = dir.join("libinject.so");
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/faults/inject.c");
    let status = Command::new("cc")
        .args(["-shared", "-fPIC", "-O1", "-o"])
        .arg(&library)
        .arg(&source)
        .arg("-ldl")
        .status()
        .expect("cc runs");
    assert!(status.success(), "building the fault library failed");
    let wrapper = dir.join("python3.12-wrong");
    write_script(
        &wrapper,
        &format!(
            "LD_PRELOAD='{}' ABI_HARNESS_FAULT=wrong exec '{}' \"$@\"",
            library.display(),
            pyenv("3.12").display()
        ),
    );
    let matrix = matrix_of_3_11_and(dir, &wrapper);
    let out = dir.join("out");
    let output = run(harness()
        // The cells' checks only: the static comparison of headers has its own tests.
        .args([
            "run",
            "--checks",
            "import,presence,semantic,refleak",
            "--entry",
            "PyLong_AsLong",
            "--entry",
            "PyUnicode_FromString",
            "--matrix",
        ])
        .arg(&matrix)
        .arg("--cache")
        .arg(cache_dir())
        .arg("--out")
        .arg(&out));
    assert_eq!(output.status.code(), Some(1), "the injected fault is a new failure");
    out
}

fn report(out: &Path) -> Report {
    serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).expect("report.json"))
        .expect("report.json is a report")
}

#[test]
fn renderings_of_a_real_run_agree_with_report_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = faulty_run(dir.path());
    let report = report(&out);
    assert_eq!(report.summary.new_failures(), report.summary.fail, "{:?}", report.summary);
    assert!(report.summary.fail > 0);

    junit_agrees(&out, &report);
    summary_is_complete_and_small(&out, &report);

    // `abi-harness report OUT` writes them too, from the journal.
    for name in render::FILES {
        std::fs::remove_file(out.join(name)).expect("remove a rendering");
    }
    let output = run(harness().arg("report").arg(&out));
    assert_eq!(output.status.code(), Some(1));
    for name in render::FILES {
        assert!(out.join(name).is_file(), "`report` writes {name}");
    }
    junit_agrees(&out, &report);

    heat_map_renders_in_chromium(&out, &report);
}

fn junit_agrees(out: &Path, report: &Report) {
    let text = std::fs::read_to_string(out.join("junit.xml")).expect("junit.xml");
    let doc = roxmltree::Document::parse(&text).expect("junit.xml parses as XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let suites: Vec<_> = root.children().filter(|n| n.has_tag_name("testsuite")).collect();
    assert_eq!(suites.len(), report.cells.len(), "a test suite per cell");
    let mut total = 0;
    for cell in &report.cells {
        let label = format!(
            "build {} on {}{} ({})",
            cell.build.id,
            cell.interpreter.version,
            if cell.interpreter.debug { "d" } else { "" },
            cell.interpreter.platform
        );
        let suite = suites
            .iter()
            .find(|s| s.attribute("name") == Some(label.as_str()))
            .unwrap_or_else(|| panic!("no test suite named {label}"));
        let mut worst: BTreeMap<&str, Mark> = BTreeMap::new();
        for result in &cell.results {
            let mark = Mark::of(result);
            worst.entry(&result.entry).and_modify(|m| *m = (*m).max(mark)).or_insert(mark);
        }
        let cases: Vec<_> = suite.children().filter(|n| n.has_tag_name("testcase")).collect();
        let names: BTreeSet<&str> = cases.iter().filter_map(|c| c.attribute("name")).collect();
        assert_eq!(cases.len(), worst.len(), "{label}: one test case per entry");
        assert_eq!(names, worst.keys().copied().collect(), "{label}: test cases are the entries");
        let failing: BTreeSet<&str> = cases
            .iter()
            .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
            .filter_map(|c| c.attribute("name"))
            .collect();
        let expected: BTreeSet<&str> = worst.iter().filter(|(_, m)| m.is_new_failure()).map(|(e, _)| *e).collect();
        assert_eq!(failing, expected, "{label}: failures are the new failures");
        assert_eq!(suite.attribute("failures"), Some(expected.len().to_string().as_str()));
        assert_eq!(suite.attribute("tests"), Some(worst.len().to_string().as_str()));
        for case in cases.iter().filter(|c| failing.contains(c.attribute("name").unwrap_or_default())) {
            let failure = case.children().find(|n| n.has_tag_name("failure")).expect("failure");
            let body = failure.text().unwrap_or_default();
            let result = cell
                .results
                .iter()
                .find(|r| Some(r.entry.as_str()) == case.attribute("name") && Mark::of(r).is_new_failure())
                .expect("a failing result");
            assert!(
                body.contains(result.detail.as_deref().unwrap_or("-").lines().next().unwrap_or("-")),
                "the failure body has the detail: {body}"
            );
            if let Some(case) = &result.case {
                assert!(body.contains(&case.replay), "the failure body has the replay command: {body}");
            }
        }
        total += worst.len();
    }
    assert_eq!(root.attribute("tests"), Some(total.to_string().as_str()));
}

fn summary_is_complete_and_small(out: &Path, report: &Report) {
    let summary = std::fs::read_to_string(out.join("summary.md")).expect("summary.md");
    assert!(summary.len() < 1024 * 1024, "summary.md is {} bytes", summary.len());
    assert!(
        summary.starts_with(&format!("# Stable ABI report: ❌ {} new ABI failure", report.summary.new_failures())),
        "{summary}"
    );
    assert!(summary.contains("## Matrix") && summary.contains("| interpreter | `3.11` |"), "{summary}");
    assert!(summary.contains("### FAIL `PyLong_AsLong` · semantic · build 3.11 on 3.12"), "{summary}");
    let replay =
        report.cells.iter().flat_map(|c| &c.results).find_map(|r| r.case.as_ref()).expect("a failure with a case");
    assert!(summary.contains(&replay.replay), "the replay command is in the summary");
}

fn chromium() -> PathBuf {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("this test renders report.html in headless Chromium, which is missing: install it with `apt-get install chromium`"))
}

/// Runs Chromium headless on a file and returns its stdout; killed after two minutes.
fn headless(page: &Path, profile: &Path, args: &[&str]) -> String {
    let mut child = Command::new(chromium())
        // Root (as in CI) needs --no-sandbox; a private profile keeps parallel runs apart.
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--virtual-time-budget=10000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let started = Instant::now();
    let stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || std::io::read_to_string(stdout).unwrap_or_default());
    loop {
        if child.try_wait().expect("wait for chromium").is_some() {
            break;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("chromium did not finish in 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    reader.join().unwrap_or_default()
}

fn heat_map_renders_in_chromium(out: &Path, report: &Report) {
    let page = std::fs::canonicalize(out.join("report.html")).expect("report.html");
    let profile = tempfile::tempdir().expect("profile dir");
    let dom = headless(&page, profile.path(), &["--dump-dom"]);
    assert!(dom.contains("data-rendered=\"true\""), "the page's script ran: {}", &dom[..dom.len().min(2000)]);
    let families: BTreeSet<String> = render::families(report).into_values().collect();
    let interpreters: BTreeSet<(&str, &str)> =
        report.cells.iter().map(|c| (c.interpreter.platform.as_str(), c.interpreter.executable.as_str())).collect();
    let expected = families.len() * interpreters.len();
    assert!(
        dom.contains(&format!("id=\"heatmap\" data-cells=\"{expected}\"")),
        "a heat-map square per family and interpreter ({expected})"
    );
    assert_eq!(dom.matches("data-family=").count(), expected);
    // The faulty interpreter's PyLong_ square is red, the clean one's green.
    let square = |version: &str| {
        let needle = format!("data-family=\"PyLong_\" data-interpreter=\"{version}\"");
        let at = dom.find(&needle).unwrap_or_else(|| panic!("no PyLong_ square for {version}"));
        let start = dom[..at].rfind("<td").expect("a td");
        dom[start..at].to_owned()
    };
    let version_of = |minor: &str| {
        report
            .cells
            .iter()
            .map(|c| c.interpreter.version.as_str())
            .find(|v| v.starts_with(minor))
            .expect("version")
            .to_owned()
    };
    assert!(square(&version_of("3.12.")).contains("m-fail"), "{}", square(&version_of("3.12.")));
    assert!(square(&version_of("3.11.")).contains("m-pass"), "{}", square(&version_of("3.11.")));
    // Each failure's replay command is on the page.
    assert!(dom.contains("class=\"replay\""));

    filters_work(&page, profile.path(), report);

    let artefacts =
        Path::new(env!("CARGO_TARGET_TMPDIR")).parent().expect("target dir").join("abi-harness/test-artifacts");
    std::fs::create_dir_all(&artefacts).expect("artefact dir");
    let shot = artefacts.join("report-heatmap.png");
    let _ = std::fs::remove_file(&shot);
    headless(&page, profile.path(), &["--window-size=1400,1000", &format!("--screenshot={}", shot.display())]);
    let png = std::fs::read(&shot).unwrap_or_else(|e| panic!("no screenshot at {}: {e}", shot.display()));
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    let (width, height) = (
        u32::from_be_bytes([png[16], png[17], png[18], png[19]]),
        u32::from_be_bytes([png[20], png[21], png[22], png[23]]),
    );
    assert_eq!((width, height), (1400, 1000));
    // A blank page of this size compresses to a few kilobytes; text and a coloured grid do not.
    assert!(png.len() > 40_000, "the screenshot looks empty: {} bytes at {}", png.len(), shot.display());
    eprintln!("screenshot: {}", shot.display());
}

/// The filters, driven as a reader would: a search narrows the heat map to the matching
/// family, and a click on the red square narrows the page to that family and interpreter.
fn filters_work(page: &Path, profile: &Path, report: &Report) {
    const DRIVE: &str = r##"<script>
      const search = document.querySelector("#filters input[type=search]");
      search.value = "PyLong_AsLong";
      search.dispatchEvent(new Event("input"));
      document.body.setAttribute("data-search-cells", document.getElementById("heatmap").getAttribute("data-cells"));
      document.body.setAttribute("data-search-findings", String(document.querySelectorAll("#findings details.finding").length));
      [...document.querySelectorAll("#filters button")].find((b) => b.textContent === "reset").click();
      document.querySelector("#heatmap td.hm-cell.m-fail").click();
      document.body.setAttribute("data-click-cells", document.getElementById("heatmap").getAttribute("data-cells"));
      document.body.setAttribute("data-click-findings", String(document.querySelectorAll("#findings details.finding.m-fail").length));
    </script>"##;
    let html = std::fs::read_to_string(page).expect("report.html");
    let driven = page.with_file_name("driven.html");
    std::fs::write(&driven, html.replace("</body>", &format!("{DRIVE}</body>"))).expect("write driven page");
    let dom = headless(&driven, profile, &["--dump-dom"]);
    let attribute = |name: &str| {
        let at = dom.find(&format!("{name}=\"")).unwrap_or_else(|| panic!("the driving script did not set {name}"))
            + name.len()
            + 2;
        dom[at..]
            .split('"')
            .next()
            .unwrap_or_default()
            .parse::<usize>()
            .unwrap_or_else(|_| panic!("{name} is not a number"))
    };
    let interpreters = report.cells.iter().map(|c| &c.interpreter.executable).collect::<BTreeSet<_>>().len();
    assert_eq!(attribute("data-search-cells"), interpreters, "the search leaves the PyLong_ row only");
    let failures = report
        .cells
        .iter()
        .flat_map(|c| &c.results)
        .filter(|r| r.entry == "PyLong_AsLong" && r.status != abi_harness::report::Status::Pass)
        .count();
    assert_eq!(attribute("data-search-findings"), failures);
    assert_eq!(attribute("data-click-cells"), 1, "a click on a square narrows to its family and interpreter");
    assert_eq!(attribute("data-click-findings"), failures);
}
