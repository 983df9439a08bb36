//! Value strategies the domain modules share: small ints, indices, strings over a tiny
//! alphabet, text as bytes, and the helpers that build dicts and pairs.

use proptest::prelude::*;

use crate::value::{PyValue, strategy};

/// Two independent arguments (for argument lists that pick among pairs).
pub(super) fn two(a: BoxedStrategy<PyValue>, b: BoxedStrategy<PyValue>) -> BoxedStrategy<Vec<PyValue>> {
    (a, b).prop_map(|(a, b)| vec![a, b]).boxed()
}

/// A dict of the pairs, the first of equal keys kept (Python would collapse them).
pub(super) fn dict_of(pairs: Vec<(PyValue, PyValue)>) -> PyValue {
    let mut kept: Vec<(PyValue, PyValue)> = Vec::new();
    for (key, value) in pairs {
        if !kept.iter().any(|(k, _)| *k == key) {
            kept.push((key, value));
        }
    }
    PyValue::Dict(kept)
}

/// Ints from a range.
pub(super) fn int_in(range: std::ops::Range<i64>) -> BoxedStrategy<PyValue> {
    range.prop_map(|v| PyValue::int(v.into())).boxed()
}

/// Ints that fit a C long (and so a Py_ssize_t), as values.
pub(super) fn c_long_value() -> BoxedStrategy<PyValue> {
    strategy::c_long().prop_map(|v| PyValue::int(v.into())).boxed()
}

/// Indices around a small container's bounds, plus a few far-away ones.
pub(super) fn index() -> BoxedStrategy<PyValue> {
    prop_oneof![
        6 => int_in(-10..12),
        1 => proptest::sample::select(vec![i64::MIN, i64::MAX, i64::MIN + 1, 1 << 40, -(1 << 40)])
            .prop_map(|v| PyValue::int(v.into())),
    ]
    .boxed()
}

pub(super) fn boolean() -> BoxedStrategy<PyValue> {
    any::<bool>().prop_map(PyValue::Bool).boxed()
}

/// Strings over a tiny alphabet, so that searches, splits and comparisons hit often.
pub(super) fn small_str() -> BoxedStrategy<PyValue> {
    let alphabet: Vec<u32> = vec!['a' as u32, 'b' as u32, ' ' as u32, '\n' as u32, 0xe9, 0x3b1, 0x1F600, '\t' as u32];
    proptest::collection::vec(proptest::sample::select(alphabet), 0..10).prop_map(PyValue::Str).boxed()
}

/// Mostly strings, sometimes anything else (for the type checks).
pub(super) fn mostly_str() -> BoxedStrategy<PyValue> {
    prop_oneof![8 => strategy::str(), 2 => small_str(), 1 => strategy::any_value()].boxed()
}

/// Code points as UTF-8 bytes (lone surrogates encoded as 3-byte sequences, which are invalid).
pub(super) fn utf8_of(code_points: &[u32]) -> Vec<u8> {
    let mut out = Vec::new();
    for &cp in code_points {
        match char::from_u32(cp) {
            Some(c) => {
                let mut buffer = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
            }
            // A surrogate: the 3-byte pattern UTF-8 forbids for it.
            None => out.extend_from_slice(&[
                0xE0 | (cp >> 12) as u8,
                0x80 | ((cp >> 6) & 0x3F) as u8,
                0x80 | (cp & 0x3F) as u8,
            ]),
        }
    }
    out
}

/// Bytes that are mostly UTF-8 text (some with surrogates or NULs), sometimes random.
pub(super) fn text_bytes() -> BoxedStrategy<PyValue> {
    prop_oneof![
        4 => proptest::collection::vec(strategy::code_point(), 0..16).prop_map(|cps| PyValue::Bytes(utf8_of(&cps))),
        2 => strategy::bytes(),
        1 => (proptest::collection::vec(strategy::code_point(), 0..8), proptest::collection::vec(strategy::code_point(), 0..8))
            .prop_map(|(a, b)| {
                let mut out = utf8_of(&a);
                out.push(0);
                out.extend(utf8_of(&b));
                PyValue::Bytes(out)
            }),
    ]
    .boxed()
}

/// ASCII bytes without NULs (C strings that are plain ASCII).
pub(super) fn ascii_bytes() -> BoxedStrategy<PyValue> {
    proptest::collection::vec(1u8..0x80, 0..12).prop_map(PyValue::Bytes).boxed()
}

/// A str value as its UTF-8 bytes (lone surrogates as their 3-byte patterns); others unchanged.
pub(super) fn str_to_bytes(value: &PyValue) -> PyValue {
    match value {
        PyValue::Str(cps) => PyValue::Bytes(utf8_of(cps)),
        other => other.clone(),
    }
}

/// Values whose iteration yields small ints: what bytes() and bytearray() accept.
pub(super) fn byte_source() -> BoxedStrategy<PyValue> {
    let byte_list = proptest::collection::vec(
        prop_oneof![8 => int_in(0..256), 1 => int_in(-2..300), 1 => strategy::scalar()],
        0..8,
    );
    prop_oneof![
        3 => byte_list.clone().prop_map(PyValue::List),
        2 => byte_list.prop_map(PyValue::Tuple),
        2 => strategy::bytes(),
        1 => strategy::str(),
        1 => int_in(-3..40),
        2 => strategy::any_value(),
    ]
    .boxed()
}

/// Comparison operands: often equal or of one kind.
pub(super) fn comparable_pair() -> BoxedStrategy<(PyValue, PyValue)> {
    prop_oneof![
        2 => (strategy::int(), strategy::int()),
        1 => (strategy::float(), strategy::int()),
        2 => (small_str(), small_str()),
        1 => strategy::any_value().prop_map(|v| (v.clone(), v)),
        2 => (strategy::any_value(), strategy::any_value()),
    ]
    .boxed()
}
