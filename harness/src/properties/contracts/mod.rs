//! Contracts as data: every property, one per entry, with its probe routine generated from a C
//! signature or written as a C body.
//!
//! One TOML file per API family in `harness/data/contracts/`; each table is one entry:
//!
//! ```toml
//! [PyCapsule_IsValid]
//! sig = "flag(O, z)"                       # the call, in the notation of `signature.rs`
//! args = ["capsule", "capsule_name"]       # argument domains (`domains/`), one per argument
//! oracle = "lambda c, name: ..."           # the Python-level equivalent (probes/oracles.py helpers)
//! declare = false                          # true: the headers do not declare it; we do (abi_only)
//! note = "..."                             # why the oracle is what it is, with references
//! cases = 8                                # optional cap per cell, for costly calls
//! repeat = 4                               # no arguments: calls per case, results all equal
//! ```
//!
//! `arglist = "dict_and_key"` instead of `args` names one strategy for the whole argument list
//! (`domains::arglist`), for arguments worth correlating (a dict and a key that is often one
//! of its keys). A contract without arguments (`args = []`) runs one case per cell; `repeat = N`
//! (2 to 8, functions without arguments only) makes that case call the routine N times and
//! requires every result equal to the first (a getter that goes wrong on a later call is
//! otherwise never seen: `cargo xtask mutants` breaks every third call).
//!
//! The routine is compiled when the build's `Py_LIMITED_API` is at least the entry's `added`
//! version in the manifest (and its `ifdef` is defined); `guard = "C condition"` replaces
//! that where the manifest's version is not when the headers offer the entry (say why in
//! `note`). `header_macro = true` (with `kind = "macro"`) checks a header macro the manifest
//! does not list as a macro (`Py_INCREF`; `Py_TYPE`, listed as a function from 3.14): it is
//! compiled from every build's headers unless `guard` says otherwise. `abi3t = "reason"` leaves
//! the routine out of abi3t builds (`Py_TARGET_ABI3T`: `PyObject`, `PyModuleDef` and the
//! `PyObject_HEAD` layouts are opaque there), which report the property as `skip` with it. It is
//! for what abi3t hides; code that only lays data out after `PyObject_HEAD` gets an abi3t form
//! under `#ifdef _Py_OPAQUE_PYOBJECT` instead (PEP 697 type data: `types.toml`'s `TP_*` macros).
//!
//! Where a call cannot be driven from its signature (callbacks, buffers, varargs, thread
//! states, set-up before the call), `body` gives the routine's C body instead of `sig`: it
//! receives `args` (a tuple of `args.len()` objects, `ARG(n)`), returns a new reference or
//! NULL with an exception set, and uses the probe's helpers (`new_result`, `status_result`,
//! `REQUIRE(other_entry)` for any second entry it calls, ...). `kind` says what the entry is
//! when it is not a function: `data` (the body reads the exported object), or `const`,
//! `macro`, `struct`, `typedef` (the body uses it as compiled from the build's headers, on
//! the interpreter under test: a slot id defines its slot, a struct builds a working type), or
//! `feature_macro` (the body tests `#ifdef` in the build's headers against the interpreter).
//! `STRAY_CHECK("Entry", success)` right after a call in a body records a call that reported
//! success with an exception pending (and clears it), and the routine then fails its error
//! contract, even if later calls of the body would have cleared the exception.
//! A top-level `support = """..."""` holds C shared by the family's bodies (emitted once,
//! before them; guard version-dependent parts with `LIMITED_AT_LEAST`). The generated C has a
//! `#line` directive before each body and support block, so a compiler error points at the
//! TOML file's line.
//!
//! The probe routines are generated into `probes/generated/contracts.c` (`cargo xtask codegen`);
//! the properties join the catalogue like hand-written ones, so the error contract, the result
//! oracle, the leak check, the cross-version comparison, shrinking and C reproducers all apply.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use proptest::prelude::*;
use serde::Deserialize;

use super::{Args, Property};
use crate::manifest::EntryKind;
use crate::value::PyValue;

pub mod codegen;
pub mod domains;
pub mod signature;

pub use signature::Signature;

/// The family files, in catalogue order.
const FAMILIES: &[(&str, &str)] = &[
    ("exceptions", include_str!("../../../data/contracts/exceptions.toml")),
    ("runtime", include_str!("../../../data/contracts/runtime.toml")),
    // group `objects`
    ("objects", include_str!("../../../data/contracts/objects.toml")),
    ("objects_iter", include_str!("../../../data/contracts/objects_iter.toml")),
    ("objects_long", include_str!("../../../data/contracts/objects_long.toml")),
    // group buffers
    ("buffers", include_str!("../../../data/contracts/buffers.toml")),
    ("callables", include_str!("../../../data/contracts/callables.toml")),
    ("args", include_str!("../../../data/contracts/args.toml")),
    // group types
    ("types", include_str!("../../../data/contracts/types.toml")),
    // threads
    ("threads", include_str!("../../../data/contracts/threads.toml")),
    ("threadstate", include_str!("../../../data/contracts/threadstate.toml")),
    ("lifecycle", include_str!("../../../data/contracts/lifecycle.toml")),
    // group modules
    ("memory", include_str!("../../../data/contracts/memory.toml")),
    ("capsules", include_str!("../../../data/contracts/capsules.toml")),
    ("modules", include_str!("../../../data/contracts/modules.toml")),
    ("imports", include_str!("../../../data/contracts/imports.toml")),
    // unicode group
    ("unicode_errors", include_str!("../../../data/contracts/unicode_errors.toml")),
    ("codecs", include_str!("../../../data/contracts/codecs.toml")),
    ("unicode", include_str!("../../../data/contracts/unicode.toml")),
    ("pyos_strings", include_str!("../../../data/contracts/pyos_strings.toml")),
    // group errors
    ("errors", include_str!("../../../data/contracts/errors.toml")),
    // formerly hand-written routines of probes/abi3probe.c
    ("type_objects", include_str!("../../../data/contracts/type_objects.toml")),
    ("exception_classes", include_str!("../../../data/contracts/exception_classes.toml")),
    ("numbers", include_str!("../../../data/contracts/numbers.toml")),
    ("bytes", include_str!("../../../data/contracts/bytes.toml")),
    ("sequences", include_str!("../../../data/contracts/sequences.toml")),
    ("dicts", include_str!("../../../data/contracts/dicts.toml")),
    ("sets", include_str!("../../../data/contracts/sets.toml")),
    ("refcount", include_str!("../../../data/contracts/refcount.toml")),
];

/// One entry's contract.
#[derive(Debug)]
pub struct Contract {
    pub entry: String,
    /// The file it comes from, without `.toml`.
    pub family: &'static str,
    /// The generated call, or the hand-written `body`.
    pub call: Call,
    /// The line of the family file on which the `body` starts (0 without one).
    pub body_line: usize,
    pub kind: EntryKind,
    /// One domain per argument (empty when `arglist` names them all).
    pub args: Vec<String>,
    /// The strategy of the whole argument list, instead of `args`.
    pub arglist: Option<String>,
    pub oracle: String,
    pub declare: bool,
    pub note: Option<String>,
    /// At most this many cases per cell, for a call that costs a fork, a thread or a full
    /// collection (the run's count otherwise).
    pub cases: Option<u32>,
    /// The C condition under which the routine is compiled, instead of the manifest's version.
    pub guard: Option<String>,
    /// Why the routine cannot be built for abi3t (`Py_TARGET_ABI3T`, opaque `PyObject`): it is
    /// left out of abi3t builds, where the property is reported as `skip` with this reason.
    pub abi3t: Option<String>,
    /// A header macro the manifest does not list as a macro (no manifest guard).
    pub header_macro: bool,
    /// Calls per case of a contract without arguments, whose results must all be equal.
    pub repeat: Option<u32>,
}

#[derive(Debug)]
pub enum Call {
    Signature { signature: Signature, text: String },
    Body(String),
}

impl Contract {
    /// How many Python arguments the routine takes.
    pub fn arity(&self) -> usize {
        match &self.call {
            Call::Signature { signature, .. } => signature.arity(),
            Call::Body(_) => match &self.arglist {
                Some(name) => domains::arglist_arity(name).unwrap_or(0),
                None => self.args.len(),
            },
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ContractError {
    #[error("harness/data/contracts/{family}.toml: {message}")]
    Toml { family: &'static str, message: String },
    #[error("harness/data/contracts/{family}.toml, [{entry}]: {message}")]
    Entry { family: &'static str, entry: String, message: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContract {
    sig: Option<String>,
    body: Option<String>,
    #[serde(default = "function_kind")]
    kind: EntryKind,
    args: Option<Vec<String>>,
    arglist: Option<String>,
    oracle: String,
    #[serde(default)]
    declare: bool,
    note: Option<String>,
    cases: Option<u32>,
    guard: Option<String>,
    abi3t: Option<String>,
    #[serde(default)]
    header_macro: bool,
    repeat: Option<u32>,
}

/// One family file: its shared C, and its contracts by entry.
#[derive(Debug)]
pub struct Family {
    pub name: &'static str,
    pub support: Option<String>,
    /// The line of the family file on which `support` starts (0 without one).
    pub support_line: usize,
}

fn function_kind() -> EntryKind {
    EntryKind::Function
}

/// The families' shared C (`support`), in family order.
pub fn families() -> Result<Vec<Family>, ContractError> {
    FAMILIES
        .iter()
        .map(|&(name, text)| {
            let mut table: toml::Table =
                toml::from_str(text).map_err(|err| ContractError::Toml { family: name, message: err.to_string() })?;
            let support = match table.remove("support") {
                None => None,
                Some(toml::Value::String(code)) => Some(code),
                Some(_) => {
                    return Err(ContractError::Toml {
                        family: name,
                        message: "`support` must be a string of C code".into(),
                    });
                }
            };
            let support_line = if support.is_some() { value_line(text, None, "support") } else { 0 };
            Ok(Family { name, support, support_line })
        })
        .collect()
}

/// Reads and checks every family file.
pub fn load() -> Result<Vec<Contract>, ContractError> {
    let mut contracts = Vec::new();
    for &(family, text) in FAMILIES {
        let mut table: toml::Table =
            toml::from_str(text).map_err(|err| ContractError::Toml { family, message: err.to_string() })?;
        table.remove("support");
        let raw: BTreeMap<String, RawContract> = toml::Value::Table(table)
            .try_into()
            .map_err(|err: toml::de::Error| ContractError::Toml { family, message: err.to_string() })?;
        for (entry, raw) in raw {
            let fail = |message: String| ContractError::Entry { family, entry: entry.clone(), message };
            let (args, arity) = match (raw.args, &raw.arglist) {
                (Some(args), None) => {
                    let arity = args.len();
                    (args, arity)
                }
                (None, Some(name)) => {
                    let arity = domains::arglist_arity(name).ok_or_else(|| {
                        fail(format!("unknown argument list `{name}` (known: {})", domains::arglist_names().join(", ")))
                    })?;
                    (Vec::new(), arity)
                }
                _ => return Err(fail("give exactly one of `args` and `arglist`".into())),
            };
            let call = match (raw.sig, raw.body) {
                (Some(text), None) => {
                    let signature = Signature::parse(&text).map_err(|err| fail(format!("sig `{text}`: {err}")))?;
                    if signature.arity() != arity {
                        return Err(fail(format!(
                            "sig `{text}` takes {} arguments, the argument list has {arity}",
                            signature.arity(),
                        )));
                    }
                    Call::Signature { signature, text }
                }
                (None, Some(body)) => Call::Body(body),
                _ => return Err(fail("give exactly one of `sig` and `body`".into())),
            };
            if raw.kind != EntryKind::Function && !matches!(call, Call::Body(_)) {
                return Err(fail(format!("a {} needs a `body`: only functions are called from a signature", raw.kind)));
            }
            if raw.declare && matches!(call, Call::Body(_)) {
                return Err(fail("`declare` goes with `sig`; a `body` declares what it needs itself".into()));
            }
            if raw.header_macro && raw.kind != EntryKind::Macro {
                return Err(fail("`header_macro` goes with `kind = \"macro\"`".into()));
            }
            if let Some(repeat) = raw.repeat {
                if arity != 0 || raw.kind != EntryKind::Function || !(2..=8).contains(&repeat) {
                    return Err(fail("`repeat` (2 to 8) goes with a function contract without arguments".into()));
                }
            }
            if let Some(unknown) = args.iter().find(|d| domains::strategy(d).is_none()) {
                return Err(fail(format!(
                    "unknown argument domain `{unknown}` (known: ints(A..B), {})",
                    domains::names().join(", ")
                )));
            }
            let body_line = if matches!(call, Call::Body(_)) { value_line(text, Some(&entry), "body") } else { 0 };
            contracts.push(Contract {
                entry,
                family,
                call,
                body_line,
                kind: raw.kind,
                args,
                arglist: raw.arglist,
                oracle: raw.oracle,
                declare: raw.declare,
                note: raw.note,
                cases: raw.cases,
                guard: raw.guard,
                abi3t: raw.abi3t,
                header_macro: raw.header_macro,
                repeat: raw.repeat,
            });
        }
    }
    Ok(contracts)
}

/// The line (1-based) on which the string value of `key` starts, in the table `[table]` (or
/// at the top level): the line after its opening quotes when they end their line, as TOML drops
/// that newline. 0 when the text does not hold it in that form.
fn value_line(text: &str, table: Option<&str>, key: &str) -> usize {
    let header = table.map(|name| format!("[{name}]"));
    let mut in_table = header.is_none();
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            if !in_table && header.as_deref() == Some(trimmed) {
                in_table = true;
                continue;
            }
            if in_table {
                break;
            }
        }
        if !in_table {
            continue;
        }
        let Some(value) = trimmed.strip_prefix(key).map(str::trim_start).and_then(|rest| rest.strip_prefix('=')) else {
            continue;
        };
        let value = value.trim();
        return if value == "'''" || value == "\"\"\"" { n + 2 } else { n + 1 };
    }
    0
}

/// The contracts, loaded once. The files are built in and checked by the unit tests, so a
/// failure here is a broken build of the harness, not bad input.
pub fn all() -> &'static [Contract] {
    static CONTRACTS: LazyLock<Vec<Contract>> = LazyLock::new(|| match load() {
        Ok(contracts) => contracts,
        Err(err) => panic!("the built-in contracts do not load: {err}"),
    });
    &CONTRACTS
}

/// The contracts' properties.
pub(super) fn properties() -> Vec<Property> {
    all()
        .iter()
        .map(|c| Property {
            entry: &c.entry,
            kind: c.kind,
            routine: &c.entry,
            oracle: &c.oracle,
            args: Args { domains: &c.args, arglist: c.arglist.as_deref(), max_cases: c.cases },
            not_abi3t: c.abi3t.as_deref(),
        })
        .collect()
}

/// The strategy of a named argument list (checked when the contracts load).
pub(super) fn arglist_strategy(name: &str) -> BoxedStrategy<Vec<PyValue>> {
    domains::arglist(name).map_or_else(|| Just(Vec::new()).boxed(), |(_, strategy)| strategy)
}

/// The argument strategy of a domain list.
pub(super) fn strategy_of(domains: &[String]) -> BoxedStrategy<Vec<PyValue>> {
    let parts: Vec<BoxedStrategy<PyValue>> =
        domains.iter().map(|d| domains::strategy(d).unwrap_or_else(|| Just(PyValue::None).boxed())).collect();
    parts.boxed()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Manifest;

    #[test]
    fn every_contract_loads_and_names_a_manifest_entry_of_its_kind() {
        let contracts = load().unwrap_or_else(|err| panic!("{err}"));
        let manifest = Manifest::builtin();
        for contract in contracts.iter().filter(|c| !c.header_macro) {
            let entry =
                manifest.get(&contract.entry).unwrap_or_else(|| panic!("{} is not in the manifest", contract.entry));
            assert_eq!(entry.kind, contract.kind, "{}", contract.entry);
        }
    }

    /// The ownership a contract's signature assumes for its result is CPython's own
    /// (`harness/data/refcounts.toml`, from refcounts.dat): the probe turns a borrowed result
    /// into a new one, and the reference footprints judge the result on that assumption.
    #[test]
    fn result_ownership_agrees_with_cpythons_reference_count_data() {
        #[derive(serde::Deserialize)]
        struct RefcountData {
            borrowed: Vec<String>,
            borrowed_elsewhere: std::collections::BTreeMap<String, String>,
        }
        let data: RefcountData = toml::from_str(include_str!("../../../data/refcounts.toml")).unwrap();
        let (mut new, mut borrowed) = (0, 0);
        for contract in load().unwrap() {
            let Call::Signature { signature, .. } = &contract.call else { continue };
            let name = &contract.entry;
            let listed_borrowed = data.borrowed.contains(name);
            match signature.ret {
                signature::Ret::New | signature::Ret::OptionalNew => {
                    new += 1;
                    assert!(!listed_borrowed, "{name}: the contract takes a new reference, refcounts.dat lends one");
                }
                signature::Ret::Borrowed | signature::Ret::OptionalBorrowed => {
                    borrowed += 1;
                    assert!(
                        listed_borrowed || data.borrowed_elsewhere.contains_key(name),
                        "{name}: the contract borrows its result; refcounts.dat does not list it as borrowed"
                    );
                }
                _ => {}
            }
        }
        assert!(new > 100 && borrowed >= 5, "the check saw {new} new and {borrowed} borrowed results");
    }

    #[test]
    fn no_entry_has_two_contracts_and_the_probe_keeps_no_routine_of_its_own() {
        let mut seen = std::collections::BTreeSet::new();
        for contract in load().unwrap() {
            assert!(seen.insert(contract.entry.clone()), "{} has two contracts", contract.entry);
        }
        let probe = include_str!("../../../../probes/abi3probe.c");
        for line in probe.lines() {
            assert!(!line.starts_with("#pragma weak"), "probes/abi3probe.c keeps a weak list: {line}");
            assert!(
                !(line.starts_with("static PyObject *") && line.contains("(PyObject *args)")),
                "probes/abi3probe.c keeps a routine of its own: {line}"
            );
        }
    }

    #[test]
    fn every_domain_and_argument_list_named_in_the_data_has_a_strategy() {
        let names = domains::names();
        let lists = domains::arglist_names();
        let mut unique = std::collections::BTreeSet::new();
        for name in names.iter().chain(&lists) {
            assert!(unique.insert(*name), "`{name}` is defined twice");
        }
        for contract in load().unwrap() {
            for domain in &contract.args {
                assert!(domains::strategy(domain).is_some(), "{}: no domain `{domain}`", contract.entry);
            }
            if let Some(list) = &contract.arglist {
                assert!(domains::arglist(list).is_some(), "{}: no argument list `{list}`", contract.entry);
            }
        }
        for name in &names {
            assert!(domains::strategy(name).is_some(), "`{name}` is listed but has no strategy");
        }
    }

    /// The top-level names `probes/oracles.py` defines (`def`, `class`, assignments, imports),
    /// read as text: a unit test does not run Python.
    fn oracle_names() -> std::collections::BTreeSet<String> {
        let mut names = std::collections::BTreeSet::new();
        for line in include_str!("../../../../probes/oracles.py").lines() {
            if line.starts_with([' ', '\t', '#']) {
                continue;
            }
            let words: Vec<&str> = line.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.')).collect();
            match words.first().copied() {
                Some("def" | "class") => names.extend(words.get(1).map(|w| w.to_string())),
                Some("import") => names.extend(
                    words[1..]
                        .iter()
                        .filter(|w| !w.is_empty() && **w != "as")
                        .map(|w| w.split('.').next().unwrap_or(w).to_string()),
                ),
                Some("from") => {
                    if let Some(at) = words.iter().position(|w| *w == "import") {
                        names.extend(words[at + 1..].iter().filter(|w| !w.is_empty()).map(|w| w.to_string()));
                    }
                }
                _ => {
                    if let Some((target, _)) = line.split_once('=')
                        && !target.contains(['(', '[', '!', '<', '>'])
                    {
                        names.extend(target.split(',').map(|t| t.trim().to_string()).filter(|t| !t.is_empty()));
                    }
                }
            }
        }
        names
    }

    /// Python builtins the oracles name directly.
    const BUILTINS: &[&str] = &[
        "abs",
        "ascii",
        "bool",
        "bytearray",
        "bytes",
        "chr",
        "complex",
        "dict",
        "dir",
        "divmod",
        "float",
        "format",
        "frozenset",
        "getattr",
        "hash",
        "int",
        "len",
        "list",
        "object",
        "repr",
        "set",
        "setattr",
        "slice",
        "str",
        "tuple",
        "type",
    ];

    #[test]
    fn every_oracle_and_builder_named_in_the_data_exists_in_oracles_py() {
        let defined = oracle_names();
        for contract in load().unwrap() {
            let oracle = contract.oracle.trim();
            // A bare name or a dotted one (`operator.add`): its first part must be defined or a
            // builtin. Lambdas are Python expressions; the worker's `define` checks them.
            if oracle.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '.') {
                let first = oracle.split('.').next().unwrap_or(oracle);
                assert!(
                    defined.contains(first) || BUILTINS.contains(&first),
                    "{}: oracle `{oracle}` is not defined in probes/oracles.py",
                    contract.entry
                );
            }
        }
        let sources = [
            include_str!("domains/mod.rs"),
            include_str!("domains/objects.rs"),
            include_str!("domains/numbers.rs"),
            include_str!("domains/text.rs"),
            include_str!("domains/containers.rs"),
            include_str!("domains/errors.rs"),
            include_str!("domains/refcount.rs"),
            include_str!("domains/system.rs"),
            include_str!("domains/shared.rs"),
        ];
        let mut builders = 0;
        for source in sources {
            let calls = source.split("built(").skip(1).chain(source.split("unicode_error(").skip(1));
            for piece in calls {
                let Some(quoted) = piece.trim_start().strip_prefix('"') else { continue };
                let name = quoted.split('"').next().unwrap_or_default();
                builders += 1;
                assert!(
                    defined.contains(&format!("make_{name}")),
                    "domain builder make_{name} is not in probes/oracles.py"
                );
            }
        }
        assert!(builders > 10, "found only {builders} built domains: has `built(` changed?");
    }

    #[test]
    fn every_line_directive_names_the_line_that_follows_it() {
        let generated: Vec<&str> = include_str!("../../../../probes/generated/contracts.c").lines().collect();
        let mut checked = 0;
        for (n, line) in generated.iter().enumerate() {
            let Some(rest) = line.strip_prefix("#line ") else { continue };
            let (number, file) = rest.split_once(' ').unwrap_or_else(|| panic!("malformed: {line}"));
            let number: usize = number.parse().unwrap_or_else(|_| panic!("malformed: {line}"));
            let file = file.trim_matches('"');
            let Some(next) = generated.get(n + 1) else { continue };
            let expected = if file == codegen::GENERATED_PATH {
                generated.get(number - 1).copied()
            } else {
                let family = file.trim_start_matches("harness/data/contracts/").trim_end_matches(".toml");
                let text = FAMILIES.iter().find(|(name, _)| *name == family).map(|(_, text)| *text);
                text.unwrap_or_else(|| panic!("{file} is not a family file")).lines().nth(number - 1)
            };
            // A one-line `body = "..."` starts on the line of its key.
            let holds = expected.is_some_and(|expected| {
                expected == *next || expected.replace("\\\"", "\"").replace("\\\\", "\\").contains(next.trim())
            });
            assert!(holds, "{line} (generated line {}) is followed by `{next}`, not `{expected:?}`", n + 1);
            checked += 1;
        }
        assert!(checked > 800, "only {checked} #line directives");
    }

    #[test]
    fn the_generated_c_is_fresh() {
        let fresh = codegen::c_source(&families().unwrap(), &load().unwrap(), &Manifest::builtin()).unwrap();
        let checked_in = include_str!("../../../../probes/generated/contracts.c");
        assert!(fresh == checked_in, "probes/generated/contracts.c is stale: run `cargo xtask codegen`");
    }
}
