//! Sets (PySet_*, PyFrozenSet_New), slices and complex numbers: small protocols whose objects
//! the wire form does not carry, so their routines build them from lists and floats.

use proptest::prelude::*;

use super::object::{one, three, two};
use super::{Property, function};
use crate::value::{PyValue, strategy};

/// Hashable items whose hash does not depend on their address (no None before 3.12, no NaN
/// since 3.10): set order, and so the outcomes, must be the same on every run.
fn stable_item() -> BoxedStrategy<PyValue> {
    prop_oneof![
        3 => strategy::int(),
        2 => strategy::str(),
        1 => strategy::bytes(),
        1 => strategy::float().prop_filter("NaN hashes by address", |v| !matches!(v, PyValue::Float(x) if x.is_nan())),
        1 => any::<bool>().prop_map(PyValue::Bool),
    ]
    .boxed()
}

/// What a set is built from: mostly lists of items, sometimes anything (str iterates, int is
/// refused, a list of lists is unhashable).
fn items() -> BoxedStrategy<PyValue> {
    prop_oneof![
        6 => proptest::collection::vec(stable_item(), 0..6).prop_map(PyValue::List),
        1 => strategy::str(),
        1 => strategy::int(),
        1 => proptest::collection::vec(strategy::list(), 1..3).prop_map(PyValue::List),
    ]
    .boxed()
}

/// An item of the list or another, sometimes unhashable.
fn items_and_key() -> BoxedStrategy<Vec<PyValue>> {
    (
        proptest::collection::vec(stable_item(), 0..6),
        stable_item(),
        0..4usize,
        prop_oneof![8 => Just(false), 1 => Just(true)],
    )
        .prop_map(|(list, other, pick, unhashable)| {
            let key = if unhashable { PyValue::List(vec![other]) } else { list.get(pick).cloned().unwrap_or(other) };
            vec![PyValue::List(list), key]
        })
        .boxed()
}

pub(super) fn properties() -> Vec<Property> {
    vec![
        function("PySet_New", "set", || one(items())),
        function("PyFrozenSet_New", "frozenset", || one(items())),
        function("PySet_Size", "lambda items: len(set(items))", || one(items())),
        function("PySet_Add", "set_add", items_and_key),
        function("PySet_Discard", "set_discard", items_and_key),
        function("PySet_Contains", "lambda items, key: int(key in set(items))", items_and_key),
        function("PySet_Clear", "lambda items: set(items) and set()", || one(items())),
        function("PySet_Pop", "set_pop", || one(items())),
        function("PySlice_New", "slice", || three(strategy::scalar(), strategy::scalar(), strategy::scalar())),
        function("PyComplex_FromDoubles", "complex", || two(strategy::float(), strategy::float())),
    ]
}
