//! The semantic property catalogue: for each entry under test, its arguments and its oracle.
//!
//! A property says: for arguments drawn from `args`, calling probe routine `routine` (compiled
//! from the build's headers, see `probes/abi3probe.c`) gives the same outcome as evaluating the
//! Python expression `oracle` in the interpreter under test (helpers from `probes/oracles.py`).
//! An outcome is the result's exact type and value, or the exception type raised, together with
//! the arguments' values after the call (so mutation is compared too). One file per API family.

use proptest::strategy::BoxedStrategy;

use crate::manifest::EntryKind;
use crate::value::PyValue;

mod bytes;
pub mod contracts;
mod dict;
mod exceptions;
mod list_tuple;
mod long_float;
mod number;
mod object;
mod refcount;
mod set;
mod system;
mod unicode;

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
}

/// Where a property's argument lists come from.
pub enum Args {
    /// A strategy written in Rust (the hand-written families).
    Strategy(fn() -> BoxedStrategy<Vec<PyValue>>),
    /// One named domain per argument (contracts, see `contracts::domains`), and the most
    /// cases worth running where each costs a fork, a thread or a collection.
    Domains { domains: &'static [String], max_cases: Option<u32> },
}

impl Property {
    /// The most cases worth running: one for a property without arguments (every case would
    /// be the same call), a contract's own cap, else the run's count.
    pub fn cases(&self, cases: u32) -> u32 {
        match &self.args {
            Args::Strategy(make)
                if std::ptr::fn_addr_eq(*make, object::none as fn() -> BoxedStrategy<Vec<PyValue>>) =>
            {
                cases.min(1)
            }
            Args::Strategy(_) => cases,
            Args::Domains { domains: [], .. } => cases.min(1),
            Args::Domains { max_cases, .. } => max_cases.map_or(cases, |most| cases.min(most)),
        }
    }

    /// The strategy of the property's argument lists.
    pub fn strategy(&self) -> BoxedStrategy<Vec<PyValue>> {
        match &self.args {
            Args::Strategy(make) => make(),
            Args::Domains { domains, .. } => contracts::strategy_of(domains),
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

/// A property of an exported function whose probe routine bears the function's name.
pub(super) fn function(
    entry: &'static str,
    oracle: &'static str,
    args: fn() -> BoxedStrategy<Vec<PyValue>>,
) -> Property {
    Property { entry, kind: EntryKind::Function, routine: entry, oracle, args: Args::Strategy(args) }
}

/// Every property, in a stable order (the order is part of a run's reproducibility).
pub fn catalogue() -> Vec<Property> {
    let families: [fn() -> Vec<Property>; 11] = [
        object::properties,
        number::properties,
        long_float::properties,
        unicode::properties,
        bytes::properties,
        list_tuple::properties,
        dict::properties,
        exceptions::properties,
        refcount::properties,
        set::properties,
        system::properties,
    ];
    let mut properties: Vec<Property> = families.iter().flat_map(|family| family()).collect();
    properties.extend(contracts::properties());
    properties
}
