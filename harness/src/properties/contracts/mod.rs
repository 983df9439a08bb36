//! Contracts as data: entries whose probe routine can be generated from a C signature.
//!
//! One TOML file per API family in `harness/data/contracts/`; each table is one entry:
//!
//! ```toml
//! [PyCapsule_IsValid]
//! sig = "flag(O, z)"                       # the call, in the notation of `signature.rs`
//! args = ["capsule", "capsule_name"]       # argument domains (`domains.rs`), one per argument
//! oracle = "lambda c, name: ..."           # the Python-level equivalent (probes/oracles.py helpers)
//! declare = false                          # true: the headers do not declare it; we do (abi_only)
//! note = "..."                             # why the oracle is what it is, with references
//! cases = 8                                # optional cap per cell, for costly calls
//! ```
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
//! A top-level `support = """..."""` holds C shared by the family's bodies (emitted once,
//! before them; guard version-dependent parts with `LIMITED_AT_LEAST`).
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
];

/// One entry's contract.
#[derive(Debug)]
pub struct Contract {
    pub entry: String,
    /// The file it comes from, without `.toml`.
    pub family: &'static str,
    /// The generated call, or the hand-written `body`.
    pub call: Call,
    pub kind: EntryKind,
    pub args: Vec<String>,
    pub oracle: String,
    pub declare: bool,
    pub note: Option<String>,
    /// At most this many cases per cell, for a call that costs a fork, a thread or a full
    /// collection (the run's count otherwise).
    pub cases: Option<u32>,
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
            Call::Body(_) => self.args.len(),
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
    args: Vec<String>,
    oracle: String,
    #[serde(default)]
    declare: bool,
    note: Option<String>,
    cases: Option<u32>,
}

/// One family file: its shared C, and its contracts by entry.
#[derive(Debug)]
pub struct Family {
    pub name: &'static str,
    pub support: Option<String>,
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
            Ok(Family { name, support })
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
            let call = match (raw.sig, raw.body) {
                (Some(text), None) => {
                    let signature = Signature::parse(&text).map_err(|err| fail(format!("sig `{text}`: {err}")))?;
                    if signature.arity() != raw.args.len() {
                        return Err(fail(format!(
                            "sig `{text}` takes {} arguments, args lists {}",
                            signature.arity(),
                            raw.args.len()
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
            if let Some(unknown) = raw.args.iter().find(|d| domains::strategy(d).is_none()) {
                return Err(fail(format!(
                    "unknown argument domain `{unknown}` (known: {})",
                    domains::NAMES.join(", ")
                )));
            }
            contracts.push(Contract {
                entry,
                family,
                call,
                kind: raw.kind,
                args: raw.args,
                oracle: raw.oracle,
                declare: raw.declare,
                note: raw.note,
                cases: raw.cases,
            });
        }
    }
    Ok(contracts)
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
            args: Args::Domains { domains: &c.args, max_cases: c.cases },
        })
        .collect()
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
        for contract in &contracts {
            let entry =
                manifest.get(&contract.entry).unwrap_or_else(|| panic!("{} is not in the manifest", contract.entry));
            assert_eq!(entry.kind, contract.kind, "{}", contract.entry);
        }
    }

    #[test]
    fn no_entry_has_two_contracts_or_a_hand_written_routine_too() {
        let mut seen = std::collections::BTreeSet::new();
        for contract in load().unwrap() {
            assert!(seen.insert(contract.entry.clone()), "{} has two contracts", contract.entry);
        }
        let probe = include_str!("../../../../probes/abi3probe.c");
        for name in &seen {
            assert!(!probe.contains(&format!("r_{name}(")), "{name} has a contract and a hand-written routine");
        }
    }

    #[test]
    fn the_generated_c_is_fresh() {
        let fresh = codegen::c_source(&families().unwrap(), &load().unwrap(), &Manifest::builtin()).unwrap();
        let checked_in = include_str!("../../../../probes/generated/contracts.c");
        assert!(fresh == checked_in, "probes/generated/contracts.c is stale: run `cargo xtask codegen`");
    }
}
