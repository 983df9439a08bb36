//! Debian platforms: probes built here load on bullseye's older C library, and the debug
//! interpreters' reference-leak check sees an injected leak. Needs root and Debian's mirror;
//! the root filesystems are provisioned on first use (`abi-harness provision`) and cached.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use abi_harness::elf::{GlibcVersion, too_new_for, versioned_imports};

use crate::support::*;

#[test]
fn a_probe_built_here_for_3_9_loads_in_bullseyes_python() {
    let root = rootfs("bullseye");
    let out = tempfile::tempdir().expect("tempdir");
    let output = run(harness()
        .args(["check", "--checks", "import,semantic", "--entry", "PyNumber_Add", "--cases", "16", "--rootfs"])
        .arg(&root)
        .arg("--cache")
        .arg(cache_dir())
        .arg("--out")
        .arg(out.path())
        .arg("/usr/bin/python3.9"));
    assert!(output.status.code() == Some(0), "only known breaks may show on 3.9");
    let report = read_report(out.path());
    let cell = report["cells"]
        .as_array()
        .expect("cells")
        .iter()
        .find(|c| {
            c["build"]["id"] == "3.9"
                && c["interpreter"]["platform"] == "rootfs:".to_owned() + &root.display().to_string()
        })
        .expect("the 3.9 build ran on bullseye");
    assert!(cell["build"]["headers"].as_str().is_some_and(|h| h.starts_with("3.9.")));
    let semantic = cell["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["check"] == "semantic")
        .expect("the probe imported and ran");
    assert_eq!(semantic["status"], "pass");
}

#[test]
fn a_probe_needing_a_newer_glibc_is_caught_with_its_symbol() {
    // Linked here without the probes' pin, dlsym binds to GLIBC_2.34: too new for bullseye.
    let dir = tempfile::tempdir().expect("tempdir");
    let source = dir.path().join("needs_new_glibc.c");
    std::fs::write(
        &source,
        "#include <dlfcn.h>\nvoid *lookup(const char *name) { return dlsym(RTLD_DEFAULT, name); }\n",
    )
    .expect("write");
    let library = dir.path().join("libneeds_new_glibc.so");
    let status = Command::new("cc").args(["-shared", "-fPIC", "-o"]).arg(&library).arg(&source).status().expect("cc");
    assert!(status.success());
    let bullseye = bullseye_glibc();
    let imports = versioned_imports(&library).expect("read ELF");
    let too_new: Vec<String> =
        too_new_for(&imports, bullseye).iter().map(|i| format!("{}@{}", i.symbol, i.version)).collect();
    assert_eq!(too_new, ["dlsym@GLIBC_2.34"]);
}

#[test]
fn every_default_probe_fits_bullseyes_glibc() {
    // Build (or find in the cache) the pyenv builds, then read what they need.
    let out = tempfile::tempdir().expect("tempdir");
    let output = run(harness()
        .args(["check", "--checks", "import", "--cache"])
        .arg(cache_dir())
        .arg("--out")
        .arg(out.path())
        .arg(pyenv("3.13")));
    assert!(output.status.code() == Some(0) || output.status.code() == Some(1));
    let bullseye = bullseye_glibc();
    let mut problems = Vec::new();
    let mut checked = 0;
    for cell in read_report(out.path())["cells"].as_array().expect("cells") {
        let probe = PathBuf::from(cell["build"]["probe"].as_str().expect("probe path"));
        // The link probe beside it, with the same suffix (`.abi3t.so` for the abi3t build, which
        // `check` plans for its refusal cell on 3.13).
        let name = probe.file_name().map(|n| n.to_string_lossy().replacen("abi3probe", "abi3link", 1));
        let link = probe.with_file_name(name.expect("probe file name"));
        for artefact in [probe.clone(), link] {
            let imports = versioned_imports(&artefact).expect("read ELF");
            checked += 1;
            problems.extend(
                too_new_for(&imports, bullseye)
                    .iter()
                    .map(|i| format!("{} needs {}@{}", artefact.display(), i.symbol, i.version)),
            );
        }
    }
    assert!(checked >= 14, "the 3.6 to 3.13 builds were checked");
    assert!(problems.is_empty(), "probes need a newer glibc than bullseye's {bullseye}:\n{}", problems.join("\n"));
}

fn bullseye_glibc() -> GlibcVersion {
    let root = rootfs("bullseye");
    let output = Command::new("chroot")
        .arg(&root)
        .args(["/usr/bin/python3.9", "-c", "import platform; print(platform.libc_ver()[1])"])
        .output()
        .expect("chroot");
    let text = String::from_utf8_lossy(&output.stdout);
    GlibcVersion::parse(text.trim()).unwrap_or_else(|| panic!("bullseye's glibc version, got {text:?}"))
}

/// A copy of sid's statically linked python3.13d, in the root filesystem, that no longer
/// exports `symbol` under that name (its last letter becomes X), run with `fault` (a C file in
/// tests/faults/) preloaded: extensions bind to the fault's definition, while the
/// interpreter's own calls stay internal. Returns the wrapper's path inside the rootfs and
/// the directory to remove afterwards.
fn debug_interpreter_with(root: &Path, python: &str, symbol: &str, fault: &str) -> (PathBuf, PathBuf) {
    let inside = Path::new("/var/tmp/abi-harness-tests").join(format!("{fault}-{}", std::process::id()));
    let dir = root.join(inside.strip_prefix("/").expect("absolute"));
    std::fs::create_dir_all(&dir).expect("mkdir in rootfs");
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../tests/faults/{fault}.c"));
    let status = Command::new("cc")
        .args(["-shared", "-fPIC", "-O1", "-o"])
        .arg(dir.join("libfault.so"))
        .arg(&source)
        .arg("-ldl")
        .status()
        .expect("cc");
    assert!(status.success(), "building {}", source.display());
    let mut executable =
        std::fs::read(root.join("usr/bin").join(python)).unwrap_or_else(|e| panic!("read {python}: {e}"));
    let needle = format!("\0{symbol}\0");
    let places: Vec<usize> = executable
        .windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle.as_bytes())
        .map(|(at, _)| at)
        .collect();
    assert!(!places.is_empty(), "{symbol} in {python}'s symbol tables");
    for at in places {
        executable[at + needle.len() - 2] = b'X';
    }
    std::fs::write(dir.join(python), executable).expect("write patched copy");
    std::fs::set_permissions(dir.join(python), std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod");
    let wrapper = format!("{python}-{fault}");
    write_script(
        &dir.join(&wrapper),
        &format!("LD_PRELOAD={0}/libfault.so exec {0}/{python} \"$@\"", inside.display()),
    );
    (inside.join(wrapper), dir)
}

/// `abi-harness check --checks semantic,refleak OPTIONS` of one interpreter of the root
/// filesystem `root`, with the shared probe cache, its report in `out`.
fn check_in_rootfs<I, S>(root: &Path, out: &Path, options: I, interpreter: &Path) -> std::process::Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run(harness()
        .args(["check", "--checks", "semantic,refleak"])
        .args(options)
        .arg("--rootfs")
        .arg(root)
        .arg("--cache")
        .arg(cache_dir())
        .arg("--out")
        .arg(out)
        .arg(interpreter))
}

#[test]
fn an_injected_reference_leak_is_reported_for_its_entry_on_the_debug_build() {
    let root = rootfs("sid");
    // leak.c: PyNumber_Add returns one reference too many.
    let (leaky, dir) = debug_interpreter_with(&root, "python3.13d", "PyNumber_Add", "leak");
    let out = tempfile::tempdir().expect("tempdir");
    let entries = [
        "--entry",
        "PyNumber_Add",
        "--entry",
        "PyNumber_Subtract",
        "--entry",
        "PyObject_Repr",
        "--entry",
        "PyList_Append",
    ];
    let output = check_in_rootfs(&root, out.path(), ["--cases", "16"].iter().chain(&entries), &leaky);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(output.status.code(), Some(1), "a leak is an ABI failure");
    let report = read_report(out.path());
    let mut leaks: Vec<(String, String, String)> = Vec::new();
    let mut refleak_checks = 0;
    for (_, build, result) in results(&report) {
        if result["check"] == "refleak" {
            refleak_checks += 1;
        }
        if result["status"] != "pass" {
            leaks.push((
                build,
                result["entry"].as_str().unwrap_or("").to_owned(),
                result["check"].as_str().unwrap_or("").to_owned(),
            ));
        }
    }
    // Only the debug-header build measures leaks, and only PyNumber_Add leaks.
    assert_eq!(leaks, [("3.13d".to_owned(), "PyNumber_Add".to_owned(), "refleak".to_owned())]);
    assert_eq!(refleak_checks, 4, "every entry got a leak check on the 3.13d build");
    let detail = results(&report)
        .into_iter()
        .map(|(_, _, r)| r)
        .find(|r| r["check"] == "refleak" && r["status"] == "fail")
        .expect("the leak");
    assert!(detail["detail"].as_str().is_some_and(|d| d.contains("per call")), "{detail}");
}

#[test]
fn a_borrowed_reference_returned_as_new_is_reported_for_its_entry_with_a_c_reproducer() {
    let root = rootfs("sid");
    // borrowed.c: PySequence_GetItem drops the reference it returns, leaving the container's.
    let (faulty, dir) = debug_interpreter_with(&root, "python3.13d", "PySequence_GetItem", "borrowed");
    let out = tempfile::tempdir().expect("tempdir");
    // One build (limited API 3.13 with pyenv's headers): each crash costs worker restarts
    // while it shrinks, and one cell shows the finding as well as ten.
    let matrix = out.path().join("matrix.toml");
    let headers = pyenv("3.13").display().to_string();
    std::fs::write(
        &matrix,
        format!("[[interpreters]]\nexecutable = \"{headers}\"\n\n[builds]\nlimited_api = [\"3.13\"]\n"),
    )
    .expect("matrix");
    let entries = ["--entry", "PySequence_GetItem", "--entry", "PySequence_Size", "--entry", "PyObject_Repr"];
    let options = [OsStr::new("--cases"), OsStr::new("256"), OsStr::new("--matrix"), matrix.as_os_str()];
    let output = check_in_rootfs(&root, out.path(), options.into_iter().chain(entries.iter().map(OsStr::new)), &faulty);
    assert_eq!(output.status.code(), Some(1), "an over-release is an ABI failure");
    let report = read_report(out.path());
    let failures: Vec<Value> =
        results(&report).into_iter().map(|(_, _, r)| r).filter(|r| r["status"] != "pass").collect();
    assert!(!failures.is_empty());
    // Exactly that entry. Releasing a reference that was never owned frees the item while
    // its container still holds it: the debug build then aborts on a negative reference count
    // (named "over-release" in the detail), or a later use of the freed item crashes.
    for failure in &failures {
        assert_eq!(failure["entry"], "PySequence_GetItem", "{failure}");
        assert!(failure["status"] == "crash" || failure["status"] == "fail", "{failure}");
    }
    // A counterexample (shrunk as far as the restarts a crash costs allow; shrinking itself
    // is checked in faults.rs).
    let failure = &failures[0];
    assert!(failure["case"]["args"].as_str().is_some_and(|args| args.starts_with('(')), "{failure}");
    // The C reproducer builds, and fails when run in the same interpreter.
    let repro = &failure["case"]["reproducer"];
    let ran = build_and_run_reproducer(repro);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!ran.status.success(), "the reproducer fails: {}", String::from_utf8_lossy(&ran.stderr));
}

#[test]
fn an_abi3t_build_reports_a_borrowed_reference_returned_as_new_with_a_c_reproducer() {
    // The same fault as above, in sid's 3.15d, met by the abi3t build (PEP 803): its C
    // reproducer is an `.abi3t.so` module from PEP 793 slots, built with the build's flags
    // (`Py_TARGET_ABI3T`), and it fails in the faulty interpreter.
    let root = rootfs("sid");
    let (faulty, dir) = debug_interpreter_with(&root, "python3.15d", "PySequence_GetItem", "borrowed");
    let out = tempfile::tempdir().expect("tempdir");
    let matrix = out.path().join("matrix.toml");
    std::fs::write(
        &matrix,
        "[[platforms]]\nname = \"sid\"\ndebian = \"sid\"\npackages = [\"python3.13-dev\", \"python3.13-dbg\", \"python3.14-dev\", \"python3.14-dbg\", \"python3.15-dev\", \"python3.15-dbg\"]\n\n\
         [[interpreters]]\nplatform = \"sid\"\nexecutables = [\"/usr/bin/python3.15\"]\n\n[builds]\nlimited_api = [\"3.15\"]\n\n\
         [[builds.variants]]\nlimited_api = [\"3.15\"]\ntarget = \"abi3t\"\n",
    )
    .expect("matrix");
    let options = [OsStr::new("--cases"), OsStr::new("256"), OsStr::new("--matrix"), matrix.as_os_str()];
    let entries = ["--entry", "PySequence_GetItem", "--entry", "PySequence_Size"];
    let output = check_in_rootfs(&root, out.path(), options.into_iter().chain(entries.iter().map(OsStr::new)), &faulty);
    assert_eq!(output.status.code(), Some(1), "an over-release is an ABI failure");
    let report = read_report(out.path());
    let failures: Vec<Value> = results(&report)
        .into_iter()
        .filter(|(_, build, r)| build == "3.15+abi3t" && r["status"] != "pass" && r["status"] != "skip")
        .map(|(_, _, r)| r)
        .collect();
    assert!(!failures.is_empty(), "the abi3t build meets the fault");
    assert!(failures.iter().all(|f| f["entry"] == "PySequence_GetItem"), "{failures:#?}");
    let repro = &failures[0]["case"]["reproducer"];
    let build = repro["build"].as_str().expect("an abi3t failure has a C reproducer");
    assert!(build.contains("-DPy_TARGET_ABI3T") && build.contains(".abi3t.so"), "{build}");
    let ran = build_and_run_reproducer(repro);
    let _ = std::fs::remove_dir_all(&dir);
    let stderr = String::from_utf8_lossy(&ran.stderr);
    assert!(!ran.status.success(), "the reproducer fails: {stderr}");
    // It imported and called the routine (an import failure would fail too, for nothing).
    assert!(stderr.contains("PySequence_GetItem(") && stderr.contains("probe: "), "{stderr}");
}
