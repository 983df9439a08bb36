//! Build variants (`[[builds.variants]]`): each variant's results stand under its own build id,
//! and a fault that only one way of building meets is reported for that variant alone.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::faults::build_fault_library;
use crate::support::*;

/// `abi-harness run` of `matrix` (written to `dir`), with the shared probe cache.
fn run_matrix(dir: &Path, matrix: &str, extra: &[&str]) -> (Option<i32>, Value) {
    let path = dir.join("matrix.toml");
    std::fs::write(&path, matrix).expect("write matrix");
    run_matrix_file(&path, &dir.join("out"), extra)
}

/// Every result that is neither a pass nor a documented change, as (build id, entry, check,
/// status, detail).
fn findings(report: &Value) -> Vec<(String, String, String, String, String)> {
    let mut found: Vec<_> = results(report)
        .into_iter()
        .filter(|(_, _, r)| r["status"] != "pass" && r["status"] != "changed")
        .map(|(_, build, r)| {
            let text = |key: &str| r[key].as_str().unwrap_or_default().to_owned();
            (build, text("entry"), text("check"), text("status"), text("detail"))
        })
        .collect();
    found.sort();
    found
}

#[test]
fn an_int_length_written_as_py_ssize_t_is_reported_for_the_build_without_py_ssize_t_clean_only() {
    // `intwidth` (tests/faults/inject.c): the plain PyArg_VaParse, which only an extension built
    // without PY_SSIZE_T_CLEAN calls, writes a '#' length back 8 bytes wide into the caller's int.
    let dir = tempfile::tempdir().expect("tempdir");
    let library = build_fault_library(dir.path());
    let wrapper = dir.path().join("python3.6-intwidth");
    write_script(
        &wrapper,
        &format!(
            "LD_PRELOAD='{}' ABI_HARNESS_FAULT=intwidth exec '{}' \"$@\"",
            library.display(),
            pyenv("3.6").display()
        ),
    );
    let matrix = format!(
        "[settings]\ncases = 64\n\n[[interpreters]]\nexecutables = [\"{}\"]\n\n[builds]\nlimited_api = [\"3.6\"]\n\n[[builds.variants]]\nlimited_api = [\"3.6\"]\nssize_t_clean = false\n",
        wrapper.display()
    );
    let entries = ["--entry", "PyArg_VaParse", "--entry", "PyArg_ParseTuple", "--entry", "_PyArg_VaParse_SizeT"];
    let (code, report) = run_matrix(dir.path(), &matrix, &entries);
    assert_eq!(code, Some(1), "a wrong-width write is an ABI failure");
    let builds: Vec<&str> =
        report["cells"].as_array().expect("cells").iter().filter_map(|c| c["build"]["id"].as_str()).collect();
    assert_eq!(builds, ["3.6", "3.6+no-clean"], "one cell per build, the variant under its own id");
    let variant = &report["cells"][1]["build"]["variant"];
    assert_eq!(variant, "no-clean", "report.json names the variant");
    let found = findings(&report);
    assert_eq!(found.len(), 1, "exactly one finding: {found:#?}");
    let (build, entry, check, status, detail) = &found[0];
    assert_eq!(
        (build.as_str(), entry.as_str(), check.as_str(), status.as_str()),
        ("3.6+no-clean", "PyArg_VaParse", "semantic", "fail")
    );
    assert!(detail.contains("wrote past the '#' length out-parameter"), "{detail}");
    assert!(detail.contains("--variant no-clean"), "the replay command rebuilds the variant: {detail}");
    // The same entries on the same faulty interpreter, built the default way, hold.
    let clean = results(&report).into_iter().filter(|(_, build, r)| build == "3.6" && r["check"] == "semantic").count();
    assert!(clean >= 3, "the default build ran the same properties");
}

/// A python3.15 of sid whose import system no longer accepts `.abi3t.so` (a redistributor's
/// build that dropped the suffix): a start-up script takes it out of the extension suffixes
/// before the script it was asked to run. Returns its path inside the rootfs and the folder to
/// remove afterwards.
fn python_refusing_abi3t(root: &Path) -> (PathBuf, PathBuf) {
    let inside = Path::new("/var/tmp/abi-harness-tests").join(format!("no-abi3t-{}", std::process::id()));
    let dir = root.join(inside.strip_prefix("/").expect("absolute"));
    std::fs::create_dir_all(&dir).expect("mkdir in rootfs");
    std::fs::write(
        dir.join("refuse_abi3t.py"),
        "import importlib.machinery as m, runpy, sys\n\
         for s in [s for s in m.EXTENSION_SUFFIXES if s.startswith('.abi3t')]:\n\
         \x20   m.EXTENSION_SUFFIXES.remove(s)\n\
         hooks = [m.FileFinder.path_hook((m.ExtensionFileLoader, m.EXTENSION_SUFFIXES),\n\
         \x20        (m.SourceFileLoader, m.SOURCE_SUFFIXES), (m.SourcelessFileLoader, m.BYTECODE_SUFFIXES))]\n\
         sys.path_hooks[:] = [h for h in sys.path_hooks if 'FileFinder' not in repr(h)] + hooks\n\
         sys.path_importer_cache.clear()\n\
         sys.argv = sys.argv[1:]\n\
         runpy.run_path(sys.argv[0], run_name='__main__')\n",
    )
    .expect("write start-up script");
    // Facts (`-c ...`) run as they are; a script (the worker) runs after the start-up script.
    let wrapper = inside.join("python3.15-no-abi3t");
    write_script(
        &root.join(wrapper.strip_prefix("/").expect("absolute")),
        &format!(
            "for a in \"$@\"; do case $a in -c|-m) exec /usr/bin/python3.15 \"$@\";; esac; done\n\
             flags=; while [ $# -gt 0 ] && [ \"${{1#-}}\" != \"$1\" ]; do\n\
             \x20 case $1 in -X|-W) flags=\"$flags $1 $2\"; shift 2;; *) flags=\"$flags $1\"; shift;; esac\n\
             done\n\
             exec /usr/bin/python3.15 $flags {}/refuse_abi3t.py \"$@\"",
            inside.display()
        ),
    );
    (wrapper, dir)
}

#[test]
fn an_interpreter_that_refuses_abi3t_extensions_is_reported_for_the_abi3t_build_only() {
    let root = rootfs("sid");
    let (refusing, dir) = python_refusing_abi3t(&root);
    let out = tempfile::tempdir().expect("tempdir");
    let matrix = out.path().join("matrix.toml");
    std::fs::write(
        &matrix,
        "[settings]\ncases = 8\n\n[[platforms]]\nname = \"sid\"\ndebian = \"sid\"\npackages = [\"python3.13-dev\", \"python3.13-dbg\", \"python3.14-dev\", \"python3.14-dbg\", \"python3.15-dev\", \"python3.15-dbg\"]\n\n\
         [[interpreters]]\nplatform = \"sid\"\nexecutables = [\"/usr/bin/python3.15\"]\n\n[builds]\nlimited_api = [\"3.15\"]\n\n\
         [[builds.variants]]\nlimited_api = [\"3.15\"]\ntarget = \"abi3t\"\n",
    )
    .expect("write matrix");
    let output = run(harness()
        .args(["check", "--checks", "import,presence,semantic", "--entry", "PyLong_FromLong", "--matrix"])
        .arg(&matrix)
        .arg("--rootfs")
        .arg(&root)
        .arg("--cache")
        .arg(cache_dir())
        .arg("--out")
        .arg(out.path().join("out"))
        .arg(&refusing));
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(output.status.code(), Some(1), "a refused extension is an ABI failure");
    let report = read_report(&out.path().join("out"));
    let found: Vec<_> = findings(&report).into_iter().filter(|(_, _, _, status, _)| status != "skip").collect();
    assert!(!found.is_empty(), "the refusal is reported");
    for (build, entry, check, _, detail) in &found {
        assert_eq!(build, "3.15+abi3t", "only the abi3t build is refused: {found:#?}");
        assert_eq!(check, "import", "{found:#?}");
        assert!(entry == "abi3probe" || entry == "abi3link", "{found:#?}");
        assert!(detail.contains("suffix .abi3t.so is not among"), "{detail}");
    }
    let default_passes = results(&report)
        .into_iter()
        .any(|(_, build, r)| build == "3.15" && r["entry"] == "PyLong_FromLong" && r["status"] == "pass");
    assert!(default_passes, "the abi3 build still loads and runs on the same interpreter");
}

/// `python` whose import system also takes `suffix` (`take`: a redistributor's patch that took a
/// suffix without what it stands for) or no longer takes it: a start-up script changes the
/// extension suffixes before the script it was asked to run. Facts (`-c`) run as they are.
fn python_with_suffix(dir: &Path, python: &Path, suffix: &str, take: bool) -> PathBuf {
    let name = format!("{}-{}", if take { "take" } else { "drop" }, suffix.trim_matches('.').replace('.', "-"));
    let change = if take {
        format!("m.EXTENSION_SUFFIXES.insert(0, '{suffix}')")
    } else {
        format!("m.EXTENSION_SUFFIXES[:] = [s for s in m.EXTENSION_SUFFIXES if s != '{suffix}']")
    };
    let startup = dir.join(format!("{name}.py"));
    std::fs::write(
        &startup,
        format!(
            "import importlib.machinery as m, runpy, sys\n\
             {change}\n\
             hooks = [m.FileFinder.path_hook((m.ExtensionFileLoader, m.EXTENSION_SUFFIXES),\n\
             \x20        (m.SourceFileLoader, m.SOURCE_SUFFIXES), (m.SourcelessFileLoader, m.BYTECODE_SUFFIXES))]\n\
             sys.path_hooks[:] = [h for h in sys.path_hooks if 'FileFinder' not in repr(h)] + hooks\n\
             sys.path_importer_cache.clear()\n\
             sys.argv = sys.argv[1:]\n\
             runpy.run_path(sys.argv[0], run_name='__main__')\n"
        ),
    )
    .expect("write start-up script");
    let wrapper = dir.join(format!("python-{name}"));
    write_script(
        &wrapper,
        &format!(
            "for a in \"$@\"; do case $a in -c|-m) exec '{python}' \"$@\";; esac; done\n\
             flags=; while [ $# -gt 0 ] && [ \"${{1#-}}\" != \"$1\" ]; do\n\
             \x20 case $1 in -X|-W) flags=\"$flags $1 $2\"; shift 2;; *) flags=\"$flags $1\"; shift;; esac\n\
             done\n\
             exec '{python}' $flags '{}' \"$@\"",
            startup.display(),
            python = python.display()
        ),
    );
    wrapper
}

#[test]
fn an_interpreter_before_3_15_must_refuse_an_abi3t_build_and_one_that_takes_it_is_reported() {
    // The abi3t build (sid's 3.15 headers) on pyenv 3.12 and on a 3.12 that takes `.abi3t.so`:
    // refusal cells, which check that the import system passes the file over and that a copy
    // installed as `.abi3.so` fails to load with an ImportError (it has no PyInit_ function).
    let root = rootfs("sid");
    let dir = tempfile::tempdir().expect("tempdir");
    let taking = python_with_suffix(dir.path(), &pyenv("3.12"), ".abi3t.so", true);
    let matrix = format!(
        "[settings]\ncases = 8\n\n[[platforms]]\nname = \"sid\"\ndebian = \"sid\"\npackages = [\"python3.13-dev\", \"python3.13-dbg\", \"python3.14-dev\", \"python3.14-dbg\", \"python3.15-dev\", \"python3.15-dbg\"]\n\n\
         [[interpreters]]\nplatform = \"sid\"\nexecutables = [\"/usr/bin/python3.15\"]\n\n\
         [[interpreters]]\nexecutables = [\"{}\", \"{}\"]\n\n[builds]\nlimited_api = [\"3.15\"]\n\n\
         [[builds.variants]]\nlimited_api = [\"3.15\"]\ntarget = \"abi3t\"\n",
        pyenv("3.12").display(),
        taking.display()
    );
    assert!(root.join("usr/bin/python3.15").exists(), "sid's root filesystem has python3.15");
    let (code, report) = run_matrix(dir.path(), &matrix, &["--entry", "PyLong_FromLong"]);
    assert_eq!(code, Some(1), "an interpreter that picks up an abi3t extension before 3.15 is an ABI failure");
    let refusals: Vec<(String, String, String, String)> = results(&report)
        .into_iter()
        .filter(|(_, _, r)| r["entry"].as_str().is_some_and(|e| e.starts_with("refused")))
        .map(|(cell, build, r)| {
            let text = |key: &str| r[key].as_str().unwrap_or_default().to_owned();
            (cell, build, text("entry"), text("status"))
        })
        .collect();
    assert_eq!(refusals.len(), 4, "two refusal checks on each 3.12: {refusals:#?}");
    assert!(refusals.iter().all(|r| r.1 == "3.15+abi3t"), "{refusals:#?}");
    let found: Vec<_> = findings(&report).into_iter().filter(|f| f.3 != "skip").collect();
    assert_eq!(found.len(), 1, "exactly one finding: {found:#?}");
    let (build, entry, check, status, detail) = &found[0];
    assert_eq!(
        (build.as_str(), entry.as_str(), check.as_str(), status.as_str()),
        ("3.15+abi3t", "refused by suffix .abi3t.so", "import", "fail")
    );
    assert!(detail.contains("picks up abi3probe.abi3t.so") && detail.contains("PEP 803"), "{detail}");
    let at_load: Vec<String> = results(&report)
        .into_iter()
        .filter(|(_, _, r)| r["entry"] == "refused at load")
        .map(|(_, _, r)| r["detail"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(at_load.len(), 2);
    for detail in &at_load {
        assert!(detail.contains("fails to load: ImportError: "), "an ImportError that says why: {detail}");
    }
    // On 3.15 the abi3t build loads and runs.
    let on_315 = results(&report)
        .into_iter()
        .any(|(_, build, r)| build == "3.15+abi3t" && r["entry"] == "PyLong_FromLong" && r["status"] == "pass");
    assert!(on_315, "the abi3t build runs on 3.15");

    // A redistributor's `check` of that 3.12 alone plans the abi3t build for its refusal too.
    let checked = dir.path().join("check");
    let output = run(harness()
        .args(["check", "--checks", "import", "--matrix"])
        .arg(dir.path().join("matrix.toml"))
        .arg("--cache")
        .arg(cache_dir())
        .arg("--out")
        .arg(&checked)
        .arg(&taking));
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    let found: Vec<_> = findings(&read_report(&checked)).into_iter().filter(|f| f.3 != "skip").collect();
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!((found[0].0.as_str(), found[0].1.as_str()), ("3.15+abi3t", "refused by suffix .abi3t.so"));
}

#[test]
fn a_free_threaded_3_13_picks_up_abi3_builds_a_known_break_and_one_without_the_suffix_refuses_them() {
    // PEP 703: a free-threaded build has no abi3. The default builds for 3.6 and 3.13 get
    // refusal cells on CPython 3.13.5t (built from source by `cargo xtask freethreaded`), whose
    // import system still lists `.abi3.so` (gh-120901): each refusal fails, marked known. The
    // same 3.13t without `.abi3.so` among its suffixes (as 3.15t has it) refuses them.
    let free_threaded = free_threaded_python();
    let dir = tempfile::tempdir().expect("tempdir");
    let fixed = python_with_suffix(dir.path(), &free_threaded, ".abi3.so", false);
    let matrix = format!(
        "[settings]\ncases = 8\n\n[[interpreters]]\nexecutables = [\"{}\", \"{}\", \"{}\", \"{}\"]\n\n[builds]\nlimited_api = [\"3.6\", \"3.13\"]\n",
        pyenv("3.6").display(),
        pyenv("3.13").display(),
        free_threaded.display(),
        fixed.display()
    );
    let (code, report) = run_matrix(dir.path(), &matrix, &["--entry", "PyLong_FromLong"]);
    assert_eq!(code, Some(0), "the only failures are the known break");
    type Refusal = (String, String, Vec<(String, String, bool)>);
    let refusal_cells: Vec<Refusal> = report["cells"]
        .as_array()
        .expect("cells")
        .iter()
        .filter(|c| {
            let exe = c["interpreter"]["executable"].as_str().unwrap_or_default();
            exe == free_threaded.to_string_lossy() || exe == fixed.to_string_lossy()
        })
        .map(|c| {
            let results = c["results"]
                .as_array()
                .expect("results")
                .iter()
                .map(|r| {
                    let text = |key: &str| r[key].as_str().unwrap_or_default().to_owned();
                    (text("entry"), text("status"), text("known").contains("120901"))
                })
                .collect();
            let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
            (text(&c["interpreter"]["executable"]), text(&c["build"]["id"]), results)
        })
        .collect();
    assert_eq!(refusal_cells.len(), 4, "both builds on both free-threaded interpreters: {refusal_cells:#?}");
    for (exe, build, results) in &refusal_cells {
        let expected = if *exe == free_threaded.to_string_lossy() {
            ("refused by suffix .abi3.so".to_owned(), "fail".to_owned(), true)
        } else {
            ("refused by suffix .abi3.so".to_owned(), "pass".to_owned(), false)
        };
        assert_eq!(results, &vec![expected], "only the refusal is checked ({exe}, {build})");
    }
    let detail = results(&report)
        .into_iter()
        .find(|(_, _, r)| r["status"] == "fail")
        .map(|(_, _, r)| r["detail"].as_str().unwrap_or_default().to_owned())
        .unwrap_or_default();
    assert!(detail.contains("picks up abi3probe.abi3.so") && detail.contains("PEP 703"), "{detail}");
}
