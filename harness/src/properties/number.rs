//! The number protocol (PyNumber_*). Operand sizes stay bounded: repeat counts and shift counts
//! are small whenever the result's size grows with them, and exponents are small unless there
//! is a modulus.

use proptest::prelude::*;

use super::Property;
use super::object::{boolean, dict_of, int_in, one, small_str, two};
use crate::manifest::EntryKind::Function;
use crate::value::{PyValue, strategy};

/// int, float or bool.
pub(super) fn number() -> BoxedStrategy<PyValue> {
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
pub(super) fn numeric_text() -> BoxedStrategy<Vec<u32>> {
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

fn binary(entry: &'static str, oracle: &'static str, args: fn() -> BoxedStrategy<Vec<PyValue>>) -> Property {
    Property { entry, kind: Function, routine: entry, oracle, args: super::Args::Strategy(args) }
}

pub(super) fn properties() -> Vec<Property> {
    vec![
        binary("PyNumber_Add", "operator.add", addable_pair),
        binary("PyNumber_Subtract", "operator.sub", numeric_pair),
        binary("PyNumber_Multiply", "operator.mul", multipliable_pair),
        binary("PyNumber_FloorDivide", "operator.floordiv", numeric_pair),
        binary("PyNumber_TrueDivide", "operator.truediv", numeric_pair),
        binary("PyNumber_Remainder", "operator.mod", numeric_pair),
        binary("PyNumber_Divmod", "divmod", numeric_pair),
        binary("PyNumber_And", "operator.and_", bitwise_pair),
        binary("PyNumber_Or", "operator.or_", bitwise_pair),
        binary("PyNumber_Xor", "operator.xor", bitwise_pair),
        binary("PyNumber_Lshift", "operator.lshift", lshift_pair),
        binary("PyNumber_Rshift", "operator.rshift", rshift_pair),
        binary("PyNumber_InPlaceAdd", "operator.iadd", addable_pair),
        binary("PyNumber_InPlaceOr", "operator.ior", bitwise_pair),
        binary("PyNumber_InPlaceSubtract", "operator.isub", numeric_pair),
        binary("PyNumber_InPlaceMultiply", "operator.imul", multipliable_pair),
        binary("PyNumber_InPlaceFloorDivide", "operator.ifloordiv", numeric_pair),
        binary("PyNumber_InPlaceTrueDivide", "operator.itruediv", numeric_pair),
        binary("PyNumber_InPlaceRemainder", "operator.imod", numeric_pair),
        binary("PyNumber_InPlaceAnd", "operator.iand", bitwise_pair),
        binary("PyNumber_InPlaceXor", "operator.ixor", bitwise_pair),
        binary("PyNumber_InPlaceLshift", "operator.ilshift", lshift_pair),
        binary("PyNumber_InPlaceRshift", "operator.irshift", rshift_pair),
        binary("PyNumber_MatrixMultiply", "operator.matmul", numeric_pair),
        binary("PyNumber_InPlaceMatrixMultiply", "operator.imatmul", numeric_pair),
        // In place on immutable numbers: the same as pow() with a modulus.
        binary("PyNumber_InPlacePower", "power", power_args),
        binary("PyNumber_Negative", "operator.neg", || one(operand())),
        binary("PyNumber_Positive", "operator.pos", || one(operand())),
        binary("PyNumber_Absolute", "abs", || one(operand())),
        binary("PyNumber_Invert", "operator.invert", || {
            one(prop_oneof![3 => strategy::int(), 1 => boolean(), 1 => operand()].boxed())
        }),
        binary("PyNumber_Index", "operator.index", || one(operand())),
        binary("PyNumber_Long", "int", || one(convertible())),
        binary("PyNumber_Float", "float", || one(convertible())),
        binary("PyNumber_Power", "power", power_args),
        binary("PyNumber_Check", "number_check", || {
            one(prop_oneof![operand(), strategy::any_value(), small_str()].boxed())
        }),
        binary("PyNumber_AsSsize_t", "number_as_ssize_t", || two(operand(), int_in(0..2))),
        binary(
            "PyNumber_ToBase",
            "to_base",
            // Only the valid bases: before 3.9 another base is undefined behaviour (no check,
            // an assert in a release build), from 3.9 on a SystemError.
            || {
                two(
                    operand(),
                    proptest::sample::select(vec![2i64, 8, 10, 16]).prop_map(|b| PyValue::int(b.into())).boxed(),
                )
            },
        ),
    ]
}
