//! Foreign architectures on real Debian builds: i386 (native on x86-64), s390x (big-endian, under
//! qemu). Bad input is refused by name with exit 2; faults of our own, injected into a copy of
//! the s390x root filesystem (an overlay mount: the cached one is never written), are reported
//! for exactly their entries there, and a big-endian-only header change is invisible on i386.
//!
//! These need root (chroot, mount), the cross compilers and qemu-user-static (`.ci/run` installs
//! them); a missing one fails with the install line, never a skip.

use std::path::{Path, PathBuf};
use std::process::Command;

use abi_harness::arch::Arch;
use abi_harness::matrix::Matrix;
use serde_json::Value;

use crate::support::*;

const INSTALL: &str = "apt-get install qemu-user-static binfmt-support gcc-i686-linux-gnu gcc-s390x-linux-gnu, and mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc (.ci/run does both)";

fn require_prerequisites() {
    assert!(abi_harness::platform::is_root(), "these tests chroot into Debian root filesystems: run them as root");
    for tool in ["qemu-s390x-static", "s390x-linux-gnu-gcc", "i686-linux-gnu-gcc", "mmdebstrap"] {
        let found = Command::new("sh").args(["-c", &format!("command -v {tool}")]).output().expect("sh runs");
        assert!(found.status.success(), "these tests need `{tool}`: {INSTALL}");
    }
}

/// A matrix of one architecture's platform and interpreters from `matrix-arch.toml` (the same
/// declaration, so the same cached root filesystem), with its builds.
fn one_arch_matrix(dir: &Path, arch: Arch) -> PathBuf {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../matrix-arch.toml");
    let matrix = Matrix::read(&source).expect("matrix-arch.toml parses");
    let spec = matrix.platforms.iter().find(|p| p.arch == arch).expect("matrix-arch.toml has the architecture");
    let quoted = |items: &[String]| items.iter().map(|p| format!("\"{p}\"")).collect::<Vec<_>>().join(", ");
    let executables: Vec<String> = ["3.13", "3.14", "3.15"].iter().map(|v| format!("/usr/bin/python{v}")).collect();
    let text = format!(
        "[settings]\ncases = 8\ncase_timeout_secs = 30\n\n[[platforms]]\nname = \"{}\"\ndebian = \"{}\"\narch = \"{arch}\"\npackages = [{}]\n\n[[interpreters]]\nplatform = \"{}\"\nexecutables = [{}]\n\n[builds]\nlimited_api = \"auto\"\n",
        spec.name,
        spec.suite,
        quoted(&spec.packages),
        spec.name,
        quoted(&executables),
    );
    let path = dir.join(format!("matrix-{arch}.toml"));
    std::fs::write(&path, text).expect("write matrix");
    path
}

/// The cached root filesystem of a one-architecture matrix (provisioned now if need be).
fn rootfs_of(matrix: &Path) -> PathBuf {
    let output = run(harness().args(["provision", "--matrix"]).arg(matrix));
    assert!(output.status.success(), "provisioning failed");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().next().expect("provision prints a line per platform");
    PathBuf::from(line.split('\t').nth(2).expect("name, arch, root, time"))
}

/// A writable view of a root filesystem: an overlay mount whose changes go to a scratch folder.
struct Overlay {
    _dir: tempfile::TempDir,
    merged: PathBuf,
}

impl Overlay {
    fn of(root: &Path) -> Overlay {
        // Under target/, not /tmp: the upper folder must be on a file system overlayfs accepts.
        let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("tempdir");
        let (upper, work, merged) = (dir.path().join("upper"), dir.path().join("work"), dir.path().join("merged"));
        for d in [&upper, &work, &merged] {
            std::fs::create_dir_all(d).expect("overlay folders");
        }
        let options = format!("lowerdir={},upperdir={},workdir={}", root.display(), upper.display(), work.display());
        let status = Command::new("mount")
            .args(["-t", "overlay", "overlay", "-o", &options])
            .arg(&merged)
            .status()
            .expect("mount");
        assert!(status.success(), "mounting an overlay of {} failed", root.display());
        Overlay { _dir: dir, merged }
    }

    fn path(&self, inside: &str) -> PathBuf {
        self.merged.join(inside.trim_start_matches('/'))
    }

    fn edit(&self, inside: &str, from: &str, to: &str) {
        let path = self.path(inside);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        assert!(text.contains(from), "{} no longer contains {from:?}: update this test's fault", path.display());
        std::fs::write(&path, text.replacen(from, to, 1)).expect("write the fault");
    }
}

impl Drop for Overlay {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.merged).status();
    }
}

/// A struct member that exists only under `PY_BIG_ENDIAN`: a layout change of
/// `PyModuleDef_Base` (and of `PyModuleDef`, which holds one) on s390x alone.
const BIG_ENDIAN_FAULT: (&str, &str, &str) = (
    "/usr/include/python3.14/moduleobject.h",
    "  PyObject* (*m_init)(void);\n",
    "  PyObject* (*m_init)(void);\n#if PY_BIG_ENDIAN\n  int abi_harness_fault;\n#endif\n",
);

/// Every non-passing result that is not a known break or a documented change: (kind of check,
/// entry, status, interpreter or header set).
fn findings(report: &Value) -> Vec<(String, String, String, String)> {
    let mut found = Vec::new();
    for (version, _, result) in results(report) {
        if result["status"] != "pass"
            && result["status"] != "changed"
            && result["status"] != "skip"
            && result["known"].is_null()
        {
            let text = |key: &str| result[key].as_str().unwrap_or_default().to_owned();
            found.push((text("check"), text("entry"), text("status"), version));
        }
    }
    for result in report["static"]["results"].as_array().into_iter().flatten() {
        if result["status"] == "fail" && result["known"].is_null() {
            let text = |key: &str| result[key].as_str().unwrap_or_default().to_owned();
            let differing = result["differing"].as_array().map(|d| d.len()).unwrap_or_default();
            found.push(("static".into(), text("entry"), text("status"), format!("{differing} differing")));
        }
    }
    found.sort();
    found.dedup();
    found
}

#[test]
fn faults_on_s390x_are_reported_for_exactly_their_entries_and_a_big_endian_change_not_on_i386() {
    require_prerequisites();
    let dir = tempfile::tempdir().expect("tempdir");
    let matrix = one_arch_matrix(dir.path(), Arch::S390x);
    let overlay = Overlay::of(&rootfs_of(&matrix));

    // The static fault, and the semantic one: PyLong_AsLong hidden in the executable (its name
    // changed in the dynamic string table: same length, so the hash lookup finds nothing) and
    // supplied, wrong, by a preloaded s390x shim.
    let (file, from, to) = BIG_ENDIAN_FAULT;
    overlay.edit(file, from, to);
    let python = overlay.path("/usr/bin/python3.14");
    let mut bytes = std::fs::read(&python).expect("read python3.14");
    let needle = b"\0PyLong_AsLong\0";
    let at = bytes.windows(needle.len()).position(|w| w == needle).expect("PyLong_AsLong in the executable's exports");
    bytes[at + needle.len() - 2] = b'X';
    std::fs::write(&python, bytes).expect("write python3.14");
    let shim = overlay.path("/usr/local/lib/libwrong-long.so");
    std::fs::create_dir_all(shim.parent().expect("lib folder")).expect("create lib folder");
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/faults/wrong_long.c");
    let status = Command::new("s390x-linux-gnu-gcc")
        .args(["-shared", "-fPIC", "-O1", "-o"])
        .arg(&shim)
        .arg(&source)
        .arg("-ldl")
        .status()
        .expect("s390x-linux-gnu-gcc runs");
    assert!(status.success(), "cross-compiling the shim failed");
    write_script(
        &overlay.path("/usr/local/bin/python3.14-faulty"),
        "LD_PRELOAD=/usr/local/lib/libwrong-long.so exec /usr/bin/python3.14 \"$@\"",
    );

    let out = dir.path().join("out");
    let output = run(harness()
        .args(["check", "--matrix"])
        .arg(&matrix)
        .arg("--rootfs")
        .arg(&overlay.merged)
        .args([
            "--checks",
            "import,presence,semantic,static",
            "--entry",
            "PyLong_AsLong",
            "--entry",
            "PyLong_AsLongLong",
        ])
        .args(["--cases", "16", "--case-timeout", "30", "--cache"])
        .arg(cache_dir())
        .arg("--out")
        .arg(&out)
        .arg("/usr/local/bin/python3.14-faulty"));
    assert_eq!(output.status.code(), Some(1), "a new failure is exit 1");
    let report = read_report(&out);
    for cell in report["cells"].as_array().expect("cells") {
        assert_eq!(cell["interpreter"]["arch"], "s390x", "{}", cell["interpreter"]);
        assert!(cell["build"]["id"].as_str().is_some_and(|id| id.ends_with("-s390x")), "{}", cell["build"]);
    }
    let found = findings(&report);
    let semantic: Vec<_> = found.iter().filter(|f| f.0 != "static").collect();
    assert!(!semantic.is_empty(), "the wrong PyLong_AsLong must be found: {found:?}");
    assert!(
        semantic
            .iter()
            .all(|f| f.0 == "semantic" && f.1 == "PyLong_AsLong" && f.2 == "fail" && f.3.starts_with("3.14.")),
        "only PyLong_AsLong, only on the faulty 3.14: {found:?}"
    );
    let statics: Vec<&str> = found.iter().filter(|f| f.0 == "static").map(|f| f.1.as_str()).collect();
    assert!(statics.contains(&"PyModuleDef_Base"), "the big-endian member is a layout change: {found:?}");
    assert!(statics.iter().all(|e| ["PyModuleDef_Base", "PyModuleDef"].contains(e)), "nothing else: {found:?}");
    let static_results = report["static"]["results"].as_array().expect("static results");
    let failing = static_results
        .iter()
        .find(|r| r["entry"] == "PyModuleDef_Base" && r["status"] == "fail")
        .expect("PyModuleDef_Base fails");
    assert_eq!(failing["arch"], "s390x");
    let detail = failing["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("abi_harness_fault") || detail.contains("size"), "{detail}");
    assert!(
        failing["differing"]
            .as_array()
            .is_some_and(|d| d.iter().all(|h| h.as_str().is_some_and(|h| h.contains("python3.14-faulty")))),
        "the header set under test is the one at fault: {failing}"
    );
    drop(overlay);

    // The same header edit on i386 (little-endian): the member is not compiled, nothing differs.
    let matrix = one_arch_matrix(dir.path(), Arch::I386);
    let overlay = Overlay::of(&rootfs_of(&matrix));
    overlay.edit(file, from, to);
    let out = dir.path().join("out-i386");
    let output = run(harness()
        .args(["check", "--matrix"])
        .arg(&matrix)
        .arg("--rootfs")
        .arg(&overlay.merged)
        .args(["--checks", "static", "--cache"])
        .arg(cache_dir())
        .arg("--out")
        .arg(&out)
        .arg("/usr/bin/python3.14"));
    let report = read_report(&out);
    assert_eq!(findings(&report), Vec::<(String, String, String, String)>::new());
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn bad_architecture_input_is_refused_by_name_with_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    // An unknown architecture: the file, line and the names it could be.
    let matrix = dir.path().join("armhf.toml");
    std::fs::write(
        &matrix,
        "[[platforms]]\nname = \"sid-armhf\"\ndebian = \"sid\"\narch = \"armhf\"\npackages = [\"python3.13\"]\n\n[[interpreters]]\nplatform = \"sid-armhf\"\nexecutable = \"/usr/bin/python3.13\"\n",
    )
    .expect("write matrix");
    let output = run(harness().args(["provision", "--matrix"]).arg(&matrix));
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("armhf.toml:4: `platforms.arch`: `armhf` is not one of amd64, i386, arm64, s390x"),
        "{stderr}"
    );

    require_prerequisites();
    // A missing cross compiler: named, with its package.
    let matrix = one_arch_matrix(dir.path(), Arch::S390x);
    let output = run(harness()
        .env("ABI_HARNESS_CC_S390X", "s390x-no-such-gcc")
        .args(["run", "--checks", "presence", "--matrix"])
        .arg(&matrix)
        .arg("--cache")
        .arg(dir.path().join("cache"))
        .arg("--out")
        .arg(dir.path().join("out")));
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no cross compiler for s390x: `s390x-no-such-gcc`"), "{stderr}");
    assert!(stderr.contains("apt-get install gcc-s390x-linux-gnu"), "{stderr}");
    assert!(!dir.path().join("out/report.json").exists(), "nothing written");

    // No qemu on PATH: named, with its package, before anything is provisioned.
    let output = run(harness().env("PATH", "/usr/sbin:/sbin").args(["provision", "--matrix"]).arg(&matrix));
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("`qemu-s390x-static` was not found"), "{stderr}");
    assert!(stderr.contains("apt-get install qemu-user-static"), "{stderr}");

    // A root filesystem of the wrong architecture where the cache should hold an s390x one.
    let i386_root = rootfs_of(&one_arch_matrix(dir.path(), Arch::I386));
    let spec = Matrix::read(&matrix).expect("matrix").platforms.remove(0);
    let cache = dir.path().join("rootfs-cache");
    let fake = cache.join(spec.cache_key());
    std::fs::create_dir_all(fake.join("usr/bin")).expect("fake rootfs");
    std::fs::copy(i386_root.join("usr/bin/dpkg"), fake.join("usr/bin/dpkg")).expect("copy dpkg");
    std::fs::write(fake.join(".abi-harness-complete"), "").expect("marker");
    let output = run(harness().args(["provision", "--matrix"]).arg(&matrix).arg("--rootfs-cache").arg(&cache));
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("is i386, not s390x as declared"), "{stderr}");
    assert!(stderr.contains(&format!("rm -rf {}", fake.display())), "{stderr}");
}
