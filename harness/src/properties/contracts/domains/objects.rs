//! Domains of the object protocol (PyObject_*, PyMapping_*, PyIter_Next, PyCallable_Check).

use proptest::prelude::*;

use super::shared::{byte_source, comparable_pair, dict_of, index, small_str};
use super::{Arglist, Domain};
use crate::value::{PyValue, strategy};

pub(super) const DOMAINS: &[Domain] = &[
    ("byte_source", byte_source),
    ("stable_hash_any", stable_hash_any),
    ("any_or_str", any_or_str),
    ("known_attribute", known_attribute),
    ("attribute_dict", str_keyed_dict),
    ("attribute_name", attribute_name),
    ("format_spec", format_spec),
    ("scalar", strategy::scalar),
    ("mostly_sequence", mostly_sequence),
];

pub(super) const ARGLISTS: &[Arglist] = &[
    ("compare_operands", 3, compare_operands),
    ("container_and_key", 2, container_and_key),
    ("container_key_value", 3, container_key_value),
];

/// Any value, with the values whose hash depends on an address replaced.
fn stable_hash_any() -> BoxedStrategy<PyValue> {
    strategy::any_value().prop_map(with_stable_hash).boxed()
}

/// Replaces the values whose hash depends on their address, and so changes from run to run: a
/// NaN's (since 3.10) and None's (before 3.12). Outcomes must not depend on them, or the
/// comparison with the build's own version would compare addresses.
fn with_stable_hash(value: PyValue) -> PyValue {
    match value {
        PyValue::Float(x) if x.is_nan() => PyValue::Float(0.5),
        PyValue::None => PyValue::Bool(false),
        PyValue::List(items) => PyValue::List(items.into_iter().map(with_stable_hash).collect()),
        PyValue::Tuple(items) => PyValue::Tuple(items.into_iter().map(with_stable_hash).collect()),
        PyValue::Dict(pairs) => {
            PyValue::Dict(pairs.into_iter().map(|(k, v)| (with_stable_hash(k), with_stable_hash(v))).collect())
        }
        other => other,
    }
}

/// Any value, often a str (whose attributes are many).
fn any_or_str() -> BoxedStrategy<PyValue> {
    prop_oneof![2 => strategy::any_value(), 1 => small_str()].boxed()
}

/// ASCII attribute names, most of which some value has (C-string arguments: no NUL). No
/// method names: a bound method's repr carries an address, which differs between two calls.
fn known_attribute() -> BoxedStrategy<PyValue> {
    let names = ["real", "imag", "numerator", "__class__", "nope", "__doc__", "__module__", ""];
    proptest::sample::select(names.to_vec()).prop_map(PyValue::str).boxed()
}

/// A dict with str keys like [`known_attribute`]'s, or some other value.
fn str_keyed_dict() -> BoxedStrategy<PyValue> {
    prop_oneof![
        4 => proptest::collection::vec((known_attribute(), strategy::scalar()), 0..4).prop_map(dict_of),
        1 => strategy::any_value(),
    ]
    .boxed()
}

/// A container with a key that is often in it.
fn container_and_key() -> BoxedStrategy<Vec<PyValue>> {
    prop_oneof![
        2 => (strategy::list(), index()).prop_map(|(c, k)| vec![c, k]),
        1 => (strategy::tuple(), index()).prop_map(|(c, k)| vec![c, k]),
        1 => (strategy::str(), index()).prop_map(|(c, k)| vec![c, k]),
        1 => (strategy::bytes(), index()).prop_map(|(c, k)| vec![c, k]),
        2 => (strategy::dict(), strategy::hashable(), any::<proptest::sample::Index>()).prop_map(|(d, k, pick)| {
            let key = match &d {
                PyValue::Dict(pairs) if !pairs.is_empty() && pick.index(2) == 0 => pairs[pick.index(pairs.len())].0.clone(),
                _ => k,
            };
            vec![d, key]
        }),
        1 => (strategy::any_value(), strategy::any_value()).prop_map(|(c, k)| vec![c, k]),
    ]
    .boxed()
}

/// Attribute names: some that exist on the values, some that do not.
fn attribute_name() -> BoxedStrategy<PyValue> {
    let names = ["real", "imag", "numerator", "denominator", "__class__", "__doc__", "nope", "", "__len__x"];
    prop_oneof![
        4 => proptest::sample::select(names.to_vec()).prop_map(PyValue::str),
        1 => strategy::str(),
    ]
    .boxed()
}

/// Format specs for format(): valid and invalid for the various types.
fn format_spec() -> BoxedStrategy<PyValue> {
    let specs = ["", "d", "x", "08.3f", ">6", "^7s", "e", "%", "n", ",", "_x", "+", "c", "s", "r", "#o", "=+10"];
    // No free-form specs: digits in one could ask for a width of gigabytes.
    prop_oneof![5 => proptest::sample::select(specs.to_vec()).prop_map(PyValue::str), 1 => small_str()].boxed()
}

/// Two comparison operands and an operator (Py_LT..Py_GE).
fn compare_operands() -> BoxedStrategy<Vec<PyValue>> {
    (comparable_pair(), 0i64..6).prop_map(|((a, b), op)| vec![a, b, PyValue::int(op.into())]).boxed()
}

/// A container, a key that is often in it, and a value.
fn container_key_value() -> BoxedStrategy<Vec<PyValue>> {
    (container_and_key(), strategy::any_value())
        .prop_map(|(mut ck, v)| {
            ck.push(v);
            ck
        })
        .boxed()
}

/// Mostly sequences (lists most often), sometimes anything.
fn mostly_sequence() -> BoxedStrategy<PyValue> {
    prop_oneof![3 => strategy::list(), 1 => strategy::tuple(), 1 => strategy::str(), 1 => strategy::any_value()].boxed()
}
