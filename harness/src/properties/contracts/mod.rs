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
//! ```
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
];

/// One entry's contract.
#[derive(Debug)]
pub struct Contract {
    pub entry: String,
    /// The file it comes from, without `.toml`.
    pub family: &'static str,
    pub signature: Signature,
    pub signature_text: String,
    pub args: Vec<String>,
    pub oracle: String,
    pub declare: bool,
    pub note: Option<String>,
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
    sig: String,
    args: Vec<String>,
    oracle: String,
    #[serde(default)]
    declare: bool,
    note: Option<String>,
}

/// Reads and checks every family file.
pub fn load() -> Result<Vec<Contract>, ContractError> {
    let mut contracts = Vec::new();
    for &(family, text) in FAMILIES {
        let raw: BTreeMap<String, RawContract> =
            toml::from_str(text).map_err(|err| ContractError::Toml { family, message: err.to_string() })?;
        for (entry, raw) in raw {
            let fail = |message: String| ContractError::Entry { family, entry: entry.clone(), message };
            let signature = Signature::parse(&raw.sig).map_err(|err| fail(format!("sig `{}`: {err}", raw.sig)))?;
            if signature.arity() != raw.args.len() {
                return Err(fail(format!("sig `{}` takes {} arguments, args lists {}", raw.sig, signature.arity(), raw.args.len())));
            }
            if let Some(unknown) = raw.args.iter().find(|d| domains::strategy(d).is_none()) {
                return Err(fail(format!("unknown argument domain `{unknown}` (known: {})", domains::NAMES.join(", "))));
            }
            contracts.push(Contract {
                entry,
                family,
                signature,
                signature_text: raw.sig,
                args: raw.args,
                oracle: raw.oracle,
                declare: raw.declare,
                note: raw.note,
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
        .map(|c| Property { entry: &c.entry, kind: EntryKind::Function, routine: &c.entry, oracle: &c.oracle, args: Args::Domains(&c.args) })
        .collect()
}

/// The argument strategy of a domain list.
pub(super) fn strategy_of(domains: &[String]) -> BoxedStrategy<Vec<PyValue>> {
    let parts: Vec<BoxedStrategy<PyValue>> = domains.iter().map(|d| domains::strategy(d).unwrap_or_else(|| Just(PyValue::None).boxed())).collect();
    parts.boxed()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Manifest;

    #[test]
    fn every_contract_loads_and_names_a_manifest_function() {
        let contracts = load().unwrap_or_else(|err| panic!("{err}"));
        let manifest = Manifest::builtin();
        for contract in &contracts {
            let entry = manifest.get(&contract.entry).unwrap_or_else(|| panic!("{} is not in the manifest", contract.entry));
            assert_eq!(entry.kind, EntryKind::Function, "{}", contract.entry);
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
        let fresh = codegen::c_source(&load().unwrap(), &Manifest::builtin()).unwrap();
        let checked_in = include_str!("../../../../probes/generated/contracts.c");
        assert!(fresh == checked_in, "probes/generated/contracts.c is stale: run `cargo xtask codegen`");
    }
}
