//! `cargo xtask arch`: the foreign architectures' matrix (`matrix-arch.toml`: i386, arm64 and
//! s390x root filesystems, their probes cross-compiled on the host), its report in
//! `target/abi-harness/arch`.
//!
//! By default the semantic checks cover `ENTRIES` only, which is what `.ci/run` runs; `--all`
//! runs every property (the nightly's job, and the figures in README "Architectures").

use anyhow::Result;
use xshell::Shell;

/// The reference-count and object-identity family (where the 3.14 `ob_refcnt` union's halves
/// depend on byte order, and immortality on pointer size), and conversions of a few C types. A
/// reduced set because emulated cells cost about 11 times a native one (README:
/// "Architectures"); the whole catalogue (`--all`, the nightly's job) holds on every data model
/// here too, since the oracles read the interpreter's (`probes/oracles.py`, "the data model").
const ENTRIES: &[&str] = &[
    "Py_INCREF",
    "Py_DECREF",
    "Py_XINCREF",
    "Py_XDECREF",
    "Py_CLEAR",
    "Py_REFCNT",
    "Py_IncRef",
    "Py_DecRef",
    "Py_TYPE",
    "Py_SIZE",
    "Py_IS_TYPE",
    "Py_NewRef",
    "Py_XNewRef",
    "Py_Is",
    "Py_IsNone",
    "Py_IsTrue",
    "Py_IsFalse",
    "PyLong_AsLongLong",
    "PyLong_FromLongLong",
    "PyUnicode_FromString",
    "PyTuple_Pack",
    "PyObject_Repr",
    "PyBytes_FromStringAndSize",
    // The abi3t build's PEP 697 type data (relative offsets, negative basicsize), where pointer
    // size and byte order change the layout.
    "PyType_FromSpec",
    "PyObject_GetTypeData",
    "PyObject_ClearWeakRefs",
    "PyMember_GetOne",
];

pub(crate) fn run(sh: &Shell, args: &[String]) -> Result<()> {
    let mut command: Vec<&str> = vec!["run", "--matrix", "matrix-arch.toml", "--out", "target/abi-harness/arch"];
    let all = args.iter().any(|a| a == "--all");
    if !all {
        for entry in ENTRIES {
            command.extend(["--entry", entry]);
        }
    }
    let rest: Vec<String> = args.iter().filter(|a| *a != "--all").cloned().collect();
    crate::run_harness(sh, &command, &rest)
}
