//! Domains of the number protocol (PyNumber_*), int and float (PyLong_*, PyBool_FromLong,
//! PyFloat_*). Operand sizes stay bounded: repeat counts and shift counts are small whenever
//! the result's size grows with them, and exponents are small unless there is a modulus.

use proptest::prelude::*;

use super::shared::{boolean, dict_of, int_in, small_str, two};
use super::{Arglist, Domain};
use crate::value::{PyValue, strategy};

pub(super) const DOMAINS: &[Domain] = &[
    ("operand", operand),
    ("invertible", invertible),
    ("convertible", convertible),
    ("number_or_other", number_or_other),
    ("valid_base", valid_base),
    ("integer_like", integer_like),
    ("long_text", digits_text),
    ("long_base", base),
    ("float_like", float_like),
    ("float_source", float_text),
];

pub(super) const ARGLISTS: &[Arglist] = &[
    ("addable_pair", 2, addable_pair),
    ("multipliable_pair", 2, multipliable_pair),
    ("bitwise_pair", 2, bitwise_pair),
    ("lshift_pair", 2, lshift_pair),
    ("rshift_pair", 2, rshift_pair),
    ("power_args", 3, power_args),
];

/// ints, bools, or any operand (for `~`).
fn invertible() -> BoxedStrategy<PyValue> {
    prop_oneof![3 => strategy::int(), 1 => boolean(), 1 => operand()].boxed()
}

/// Operands, any value, or short strings (for PyNumber_Check).
fn number_or_other() -> BoxedStrategy<PyValue> {
    prop_oneof![operand(), strategy::any_value(), small_str()].boxed()
}

/// Only the valid bases of PyNumber_ToBase: before 3.9 another base is undefined behaviour (no
/// check, an assert in a release build), from 3.9 on a SystemError.
fn valid_base() -> BoxedStrategy<PyValue> {
    proptest::sample::select(vec![2i64, 8, 10, 16]).prop_map(|b| PyValue::int(b.into())).boxed()
}

/// int, float or bool.
fn number() -> BoxedStrategy<PyValue> {
    prop_oneof![4 => strategy::int(), 3 => strategy::float(), 1 => boolean()].boxed()
}

/// Values the arithmetic operators reject: not numbers, and none that `%` would format.
fn junk() -> BoxedStrategy<PyValue> {
    prop_oneof![
        Just(PyValue::None),
        proptest::collection::vec(strategy::scalar(), 0..3).prop_map(PyValue::List),
        flat_dict(),
    ]
    .boxed()
}

/// Mostly numbers, sometimes something else.
fn operand() -> BoxedStrategy<PyValue> {
    prop_oneof![8 => number(), 1 => junk()].boxed()
}

fn numeric_pair() -> BoxedStrategy<Vec<PyValue>> {
    two(operand(), operand())
}

/// Two sequences of one kind (concatenation), or numbers.
fn addable_pair() -> BoxedStrategy<Vec<PyValue>> {
    prop_oneof![
        4 => numeric_pair(),
        1 => two(strategy::str(), strategy::str()),
        1 => two(strategy::bytes(), strategy::bytes()),
        1 => two(strategy::list(), strategy::list()),
        1 => two(strategy::tuple(), strategy::tuple()),
        1 => two(strategy::list(), strategy::tuple()),
        1 => two(strategy::str(), number()),
    ]
    .boxed()
}

/// A sequence and a small repeat count (either order), or numbers. A sequence is never paired
/// with a large int: 'x' * 2**33 would allocate gigabytes.
fn multipliable_pair() -> BoxedStrategy<Vec<PyValue>> {
    // Flat, short sequences: the repeated result is encoded and compared item by item.
    let sequence = || {
        prop_oneof![
            strategy::str(),
            strategy::bytes(),
            proptest::collection::vec(strategy::scalar(), 0..4).prop_map(PyValue::List),
            proptest::collection::vec(strategy::scalar(), 0..4).prop_map(PyValue::Tuple),
        ]
        .boxed()
    };
    let count = || prop_oneof![4 => int_in(-3..12), 1 => boolean(), 1 => strategy::float()].boxed();
    // No lists among the numbers here: [x] * 2**33 would allocate gigabytes.
    let scalar_operand = || prop_oneof![8 => number(), 1 => Just(PyValue::None)].boxed();
    prop_oneof![
        4 => two(scalar_operand(), scalar_operand()),
        2 => two(sequence(), count()),
        1 => two(count(), sequence()),
        1 => two(sequence(), sequence()),
    ]
    .boxed()
}

/// Small dicts of scalars.
fn flat_dict() -> BoxedStrategy<PyValue> {
    proptest::collection::vec((strategy::hashable(), strategy::scalar()), 0..4).prop_map(dict_of).boxed()
}

/// ints and bools for the bitwise operators, sometimes floats or dicts (dict | dict merges from
/// 3.9 on, a TypeError before).
fn bitwise_pair() -> BoxedStrategy<Vec<PyValue>> {
    let bits = || prop_oneof![4 => strategy::int(), 1 => boolean(), 1 => strategy::float()].boxed();
    prop_oneof![
        4 => two(bits(), bits()),
        1 => two(flat_dict(), flat_dict()),
        1 => numeric_pair(),
    ]
    .boxed()
}

/// Shifts: small counts for any int; any count for 0 (which 3.6 refuses past a Py_ssize_t)
/// and for right shifts of anything.
fn lshift_pair() -> BoxedStrategy<Vec<PyValue>> {
    let value = || prop_oneof![4 => strategy::int(), 1 => boolean()].boxed();
    prop_oneof![
        5 => two(value(), int_in(-5..300)),
        1 => two(Just(PyValue::int(0)).boxed(), strategy::int()),
        1 => two(strategy::float(), int_in(0..5)),
    ]
    .boxed()
}

fn rshift_pair() -> BoxedStrategy<Vec<PyValue>> {
    prop_oneof![
        4 => two(strategy::int(), int_in(-5..300)),
        2 => two(strategy::int(), strategy::int()),
        1 => numeric_pair(),
    ]
    .boxed()
}

/// pow(a, b) with a small exponent for ints, anything for floats; pow(a, b, m) with any ints.
fn power_args() -> BoxedStrategy<Vec<PyValue>> {
    prop_oneof![
        4 => (strategy::int(), int_in(-4..40)).prop_map(|(a, b)| vec![a, b, PyValue::None]),
        2 => (strategy::float(), number()).prop_map(|(a, b)| vec![a, b, PyValue::None]),
        1 => (number(), strategy::float()).prop_map(|(a, b)| vec![a, b, PyValue::None]),
        3 => (strategy::int(), strategy::int(), strategy::int()).prop_map(|(a, b, m)| vec![a, b, m]),
        1 => (number(), number(), number()).prop_map(|(a, b, m)| vec![a, b, m]),
    ]
    .boxed()
}

/// Text that int() and float() may or may not accept.
fn numeric_text() -> BoxedStrategy<Vec<u32>> {
    let alphabet: Vec<u32> = "0123456789_ +-.eExXabfinINFn\u{0663}\u{00a0}\t".chars().map(u32::from).collect();
    let words = ["0x1F", "0b101", "0o17", "1_000", "inf", "-nan", "1e5", " 42 ", "1__0", "0_0", "00", "٣", "1e400"];
    prop_oneof![
        3 => proptest::collection::vec(proptest::sample::select(alphabet), 0..10),
        1 => proptest::sample::select(words.to_vec()).prop_map(|w| w.chars().map(u32::from).collect()),
    ]
    .boxed()
}

/// What int() and float() get: numbers, numeric text as str or bytes, other values.
fn convertible() -> BoxedStrategy<PyValue> {
    prop_oneof![
        3 => number(),
        3 => numeric_text().prop_map(PyValue::Str),
        1 => numeric_text().prop_map(|cps| PyValue::Bytes(cps.into_iter().filter_map(|c| u8::try_from(c).ok()).collect())),
        1 => strategy::any_value(),
    ]
    .boxed()
}

/// What the PyLong_As* conversions get: ints of every size, and floats, bools and other values
/// (accepted through __int__ before 3.10, refused after).
fn integer_like() -> BoxedStrategy<PyValue> {
    prop_oneof![6 => strategy::int(), 2 => strategy::float(), 1 => boolean(), 1 => strategy::any_value()].boxed()
}

/// C strings for PyLong_FromString: numeric text (ASCII only, as bytes), sometimes random bytes.
fn digits_text() -> BoxedStrategy<PyValue> {
    prop_oneof![
        5 => numeric_text().prop_map(|cps| PyValue::Bytes(cps.into_iter().filter_map(|c| u8::try_from(c).ok()).filter(u8::is_ascii).collect())),
        1 => strategy::bytes(),
    ]
    .boxed()
}

fn base() -> BoxedStrategy<PyValue> {
    prop_oneof![
        6 => proptest::sample::select(vec![0i64, 2, 8, 10, 16, 36]).prop_map(|b| PyValue::int(b.into())),
        1 => int_in(-2..40),
    ]
    .boxed()
}

/// What PyFloat_AsDouble gets.
fn float_like() -> BoxedStrategy<PyValue> {
    prop_oneof![5 => strategy::float(), 3 => strategy::int(), 1 => boolean(), 1 => strategy::any_value()].boxed()
}

/// What PyFloat_FromString gets: numeric text as str or bytes, sometimes other values.
fn float_text() -> BoxedStrategy<PyValue> {
    prop_oneof![
        4 => numeric_text().prop_map(PyValue::Str),
        2 => numeric_text().prop_map(|cps| PyValue::Bytes(cps.into_iter().filter_map(|c| u8::try_from(c).ok()).collect())),
        1 => strategy::float().prop_map(|f| match f {
            PyValue::Float(x) => PyValue::str(&format!("{x:e}")),
            other => other,
        }),
        1 => strategy::any_value(),
    ]
    .boxed()
}
