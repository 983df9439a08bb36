//! Domains of reference counting (Py_INCREF, Py_IncRef, Py_Is, ...): values that are often
//! immortal on 3.12+, and the var-sized objects whose ob_size is their length.

use proptest::prelude::*;

use super::shared::comparable_pair;
use super::{Arglist, Domain};
use crate::value::{PyValue, strategy};

pub(super) const DOMAINS: &[Domain] = &[("counted", counted), ("sized", sized)];

pub(super) const ARGLISTS: &[Arglist] = &[("identity_pair", 2, identity_pair)];

/// Two values for Py_Is: identity of separately decoded copies is the same for both sides
/// (cached small ints, singletons) since both decode alike.
fn identity_pair() -> BoxedStrategy<Vec<PyValue>> {
    prop_oneof![
        2 => comparable_pair().prop_map(|(a, b)| vec![a, b]),
        1 => (counted(), counted()).prop_map(|(a, b)| vec![a, b]),
    ]
    .boxed()
}

/// Any value, often one that is immortal on 3.12+ (a singleton or a cached small object).
fn counted() -> BoxedStrategy<PyValue> {
    let singletons = vec![
        PyValue::None,
        PyValue::Bool(true),
        PyValue::Bool(false),
        PyValue::int(0),
        PyValue::int(-5),
        PyValue::int(256),
        PyValue::int(257),
        PyValue::str(""),
        PyValue::str("a"),
        PyValue::Bytes(Vec::new()),
        PyValue::Tuple(Vec::new()),
    ];
    prop_oneof![3 => strategy::any_value(), 2 => proptest::sample::select(singletons)].boxed()
}

/// list, tuple or bytes: the var-sized objects whose ob_size is their length.
fn sized() -> BoxedStrategy<PyValue> {
    prop_oneof![strategy::list(), strategy::tuple(), strategy::bytes()].boxed()
}
