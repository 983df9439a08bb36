//! The probe's source is valid C and C++, clean under gcc and clang, so a build variant can
//! compile it as C++ or with clang and get the C build's probe. Here it is compiled (syntax
//! only, the build's flags) with pyenv 3.13's headers as C++17 by g++ and clang++, and as C by
//! clang, every warning an error but deprecations: the probe calls deprecated entries on
//! purpose. The abi3t form (`Py_TARGET_ABI3T`, opaque `PyObject`: PEP 697 type data, modules
//! from PEP 793 slots) is compiled the same ways with sid's 3.15 headers, and as C by gcc. A
//! missing compiler fails with the package to install, never a skip.

use std::path::{Path, PathBuf};
use std::process::Command;

use abi_harness::build::{GLIBC_COMPAT_HEADER, PROBE_SOURCE};

use crate::support::{pyenv, rootfs};

const LIMITED_API: &str = "0x030d0000";
const LIMITED_API_ABI3T: &str = "0x030f0000";

/// The build's flags (`Builder::flags`) for a syntax check, every warning an error but
/// deprecations.
const FLAGS: [&str; 7] = ["-fsyntax-only", "-fPIC", "-O2", "-g", "-Wall", "-Werror", "-Wno-deprecated-declarations"];

/// The whole probe source and the build's compat header, written where the compilers read them.
fn sources(name: &str) -> (PathBuf, PathBuf) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("probe-languages").join(name);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    let probe = dir.join("abi3probe.c");
    let compat = dir.join("glibc_compat.h");
    std::fs::write(&probe, PROBE_SOURCE.as_str()).expect("probe source written");
    std::fs::write(&compat, GLIBC_COMPAT_HEADER).expect("compat header written");
    (probe, compat)
}

/// The headers of pyenv's 3.13, as the interpreter itself reports them, for an abi3 build.
fn abi3_headers() -> Vec<String> {
    let output = Command::new(pyenv("3.13"))
        .args(["-c", "import sysconfig; print(sysconfig.get_paths()['include'])"])
        .output()
        .expect("python3.13 runs");
    assert!(output.status.success(), "python3.13 names its include folder");
    let include = String::from_utf8(output.stdout).expect("utf-8 path").trim().to_owned();
    vec![format!("-I{include}"), format!("-DPy_LIMITED_API={LIMITED_API}")]
}

/// sid's python3.15 headers (from its root filesystem, after the compiler's own system
/// headers, as `Builder::flags` puts them) for an abi3t build.
fn abi3t_headers() -> Vec<String> {
    let root = rootfs("sid");
    vec![
        format!("-I{}", root.join("usr/include/python3.15").display()),
        "-idirafter".to_owned(),
        root.join("usr/include").display().to_string(),
        format!("-DPy_LIMITED_API={LIMITED_API_ABI3T}"),
        format!("-DPy_TARGET_ABI3T={LIMITED_API_ABI3T}"),
    ]
}

/// Compiles the probe with `compiler` and the language flags before the build's own, with
/// `headers` (include folders and defines); fails with the compiler's messages.
fn compile(name: &str, compiler: &str, language: &[&str], headers: &[String]) {
    let found = Command::new(compiler).arg("--version").output();
    assert!(
        found.is_ok_and(|o| o.status.success()),
        "this test needs `{compiler}`: apt-get install g++ clang (Debian's clang provides clang and clang++)"
    );
    let (probe, compat) = sources(name);
    let mut command = Command::new(compiler);
    command.args(language).args(FLAGS);
    if !language.contains(&"c++") {
        // C++ has no implicit declarations (and g++ refuses the flag for C++).
        command.arg("-Werror=implicit-function-declaration");
    }
    command
        .arg("-include")
        .arg(&compat)
        .args(headers)
        .arg(&probe)
        // From the repository, so messages under a contract's `#line` quote its TOML line.
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."));
    let output = command.output().expect("the compiler runs");
    assert!(
        output.status.success(),
        "the probe source does not compile cleanly with {compiler} {}:\n{}",
        language.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn probe_source_is_valid_cxx_for_gxx() {
    compile("gxx", "g++", &["-x", "c++", "-std=c++17"], &abi3_headers());
}

#[test]
fn probe_source_is_valid_cxx_for_clangxx() {
    compile("clangxx", "clang++", &["-x", "c++", "-std=c++17"], &abi3_headers());
}

#[test]
fn probe_source_is_clean_c_for_clang() {
    compile("clang", "clang", &[], &abi3_headers());
}

#[test]
fn probe_source_under_abi3t_is_clean_c_for_gcc() {
    compile("abi3t-gcc", "gcc", &[], &abi3t_headers());
}

#[test]
fn probe_source_under_abi3t_is_valid_cxx_for_gxx() {
    compile("abi3t-gxx", "g++", &["-x", "c++", "-std=c++17"], &abi3t_headers());
}

#[test]
fn probe_source_under_abi3t_is_valid_cxx_for_clangxx() {
    compile("abi3t-clangxx", "clang++", &["-x", "c++", "-std=c++17"], &abi3t_headers());
}

#[test]
fn probe_source_under_abi3t_is_clean_c_for_clang() {
    compile("abi3t-clang", "clang", &[], &abi3t_headers());
}
