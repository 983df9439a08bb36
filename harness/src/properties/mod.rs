//! The semantic property catalogue: for each entry under test, its arguments and its oracle.
//!
//! A property says: for arguments drawn from `args`, calling probe routine `routine` (generated
//! from the entry's contract into `probes/generated/contracts.c`) gives the same outcome as
//! evaluating the Python expression `oracle` in the interpreter under test (helpers from
//! `probes/oracles.py`). An outcome is the result's exact type and value, or the exception type
//! raised, together with the arguments' values after the call (so mutation is compared too).
//! Every property is a contract (`contracts`, data in `harness/data/contracts/*.toml`).

use proptest::strategy::BoxedStrategy;

use crate::manifest::EntryKind;
use crate::value::PyValue;

pub mod contracts;

/// One checkable property of one entry.
pub struct Property {
    /// The manifest entry (or header macro) the property is about; results are reported under it.
    pub entry: &'static str,
    /// How the entry reaches an extension: exported function or data, or a header macro.
    pub kind: EntryKind,
    /// The probe routine to call: `abi3probe.call(routine, *args)`.
    pub routine: &'static str,
    /// A Python expression evaluating to a callable with the routine's arguments.
    pub oracle: &'static str,
    /// The argument lists to try.
    pub args: Args,
    /// Why the routine is not built for abi3t, if it is not (the contract's `abi3t`).
    pub not_abi3t: Option<&'static str>,
}

/// Where a property's argument lists come from: one named domain per argument, or one named
/// argument list for them all (see `contracts::domains`), and the most cases worth running
/// where each costs a fork, a thread or a collection.
pub struct Args {
    pub domains: &'static [String],
    pub arglist: Option<&'static str>,
    pub max_cases: Option<u32>,
}

impl Property {
    /// The most cases worth running: one for a property without arguments (every case would
    /// be the same call), a contract's own cap, else the run's count.
    pub fn cases(&self, cases: u32) -> u32 {
        match &self.args {
            Args { domains: [], arglist: None, .. } => cases.min(1),
            Args { max_cases, .. } => max_cases.map_or(cases, |most| cases.min(most)),
        }
    }

    /// The strategy of the property's argument lists.
    pub fn strategy(&self) -> BoxedStrategy<Vec<PyValue>> {
        match self.args.arglist {
            Some(name) => contracts::arglist_strategy(name),
            None => contracts::strategy_of(self.args.domains),
        }
    }
}

impl std::fmt::Debug for Property {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Property").field("entry", &self.entry).field("routine", &self.routine).finish()
    }
}

/// Properties that cannot run on a debug build, with the reason; reported as `skip` there.
pub const RELEASE_ONLY: &[(&str, &str)] = &[(
    "PyErr_BadInternalCall",
    "a debug build asserts in PyErr_BadInternalCall by design (Python/errors.c: the function's first statement is an assert that always fails), so calling it aborts",
)];

/// Every property, in a stable order (the order is part of a run's reproducibility).
pub fn catalogue() -> Vec<Property> {
    contracts::properties()
}
