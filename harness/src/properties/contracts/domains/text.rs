//! Domains of str and bytes: PyUnicode_*, PyBytes_*, PyByteArray_*.

use proptest::prelude::*;

use super::shared::{byte_source, int_in, small_str, str_to_bytes, text_bytes};
use super::{Arglist, Domain};
use crate::value::{PyValue, strategy};

pub(super) const DOMAINS: &[Domain] = &[
    ("mostly_ascii_str", || narrow_str(0x80)),
    ("mostly_latin1_str", || narrow_str(0x100)),
    ("search_str", search_str),
    ("search_str_without_nul", search_str_without_nul),
    ("str_or_other", str_or_other),
    ("separator", separator),
    ("join_items", join_items),
    ("code_point_arg", code_point_arg),
    ("percent_format", percent_format),
    ("percent_args", percent_args),
    ("escaped_bytes", escaped_bytes),
    ("errors_or_none", errors_name),
    ("codec_or_none", encoding_name),
    ("mostly_text_bytes", mostly_text_bytes),
    ("direction", direction),
    ("identifier_candidate", identifier_candidate),
    ("mostly_bytes", mostly_bytes),
    ("small_byte_source", small_byte_source),
    ("bytes_escapes", escaped),
    ("bytes_errors", bytes_errors),
    ("mostly_byte", mostly_byte),
];

pub(super) const ARGLISTS: &[Arglist] = &[("str_and_bytes", 2, str_and_bytes)];

/// Search strings without NULs: for a str that is not pure ASCII, PyUnicode_CompareWithASCIIString
/// stops at a NUL and calls the str the greater ('\0\u0100' vs 'a' gives 1, Python says -1), on
/// every version so far.
fn search_str_without_nul() -> BoxedStrategy<PyValue> {
    without_nul(search_str())
}

/// What str.join gets: lists or tuples of short strings, sometimes a str or anything.
fn join_items() -> BoxedStrategy<PyValue> {
    prop_oneof![
        6 => proptest::collection::vec(small_str(), 0..5).prop_map(PyValue::List),
        2 => proptest::collection::vec(small_str(), 0..5).prop_map(PyValue::Tuple),
        1 => small_str(),
        1 => strategy::any_value(),
    ]
    .boxed()
}

/// Text as bytes, sometimes anything (PyUnicode_FromEncodedObject).
fn mostly_text_bytes() -> BoxedStrategy<PyValue> {
    prop_oneof![6 => text_bytes(), 1 => strategy::any_value()].boxed()
}

/// Identifiers and near misses (PyUnicode_IsIdentifier).
fn identifier_candidate() -> BoxedStrategy<PyValue> {
    prop_oneof![
        strategy::str(),
        proptest::sample::select(vec!["abc", "_x1", "1a", "", "é", "a b", "ℌ"]).prop_map(PyValue::str)
    ]
    .boxed()
}

/// Byte values, sometimes out of range (PyBytes_FromFormat's %c).
fn mostly_byte() -> BoxedStrategy<PyValue> {
    prop_oneof![8 => int_in(0..256), 1 => int_in(-3..400)].boxed()
}

/// Mostly strings over a small alphabet (so that searches hit), sometimes any string.
fn search_str() -> BoxedStrategy<PyValue> {
    prop_oneof![4 => small_str(), 1 => strategy::str()].boxed()
}

/// The str with its NULs dropped.
fn without_nul(strings: BoxedStrategy<PyValue>) -> BoxedStrategy<PyValue> {
    strings
        .prop_map(|v| match v {
            PyValue::Str(cps) => PyValue::Str(cps.into_iter().filter(|&c| c != 0).collect()),
            other => other,
        })
        .boxed()
}

/// A str, or occasionally another value (for the type checks of entries that have them).
fn str_or_other() -> BoxedStrategy<PyValue> {
    prop_oneof![9 => search_str(), 1 => strategy::any_value()].boxed()
}

/// Separators: None, empty (an error), found or not.
fn separator() -> BoxedStrategy<PyValue> {
    prop_oneof![
        2 => Just(PyValue::None),
        1 => Just(PyValue::str("")),
        4 => small_str(),
        1 => strategy::any_value(),
    ]
    .boxed()
}

/// Bytes with backslash escapes, valid and not (`\x4`, `\N{...}`, a trailing backslash).
fn escaped_bytes() -> BoxedStrategy<PyValue> {
    let pieces = ["a", "\\n", "\\x41", "\\x4", "\\u20ac", "\\U0001F600", "\\N{DASH}", "\\q", "\\", "\u{e9}", "\\777"];
    prop_oneof![
        3 => proptest::collection::vec(proptest::sample::select(pieces.to_vec()), 0..6)
            .prop_map(|parts| PyValue::Bytes(parts.concat().into_bytes())),
        1 => text_bytes(),
    ]
    .boxed()
}

fn errors_name() -> BoxedStrategy<PyValue> {
    let names = ["strict", "replace", "ignore", "surrogateescape", "backslashreplace", "surrogatepass", "bogus"];
    prop_oneof![2 => Just(PyValue::None), 5 => proptest::sample::select(names.to_vec()).prop_map(PyValue::str)].boxed()
}

fn encoding_name() -> BoxedStrategy<PyValue> {
    let names =
        ["utf-8", "latin-1", "ascii", "utf-16-le", "utf-32", "cp1252", "utf-7", "rot13", "hex", "no-such-codec"];
    prop_oneof![1 => Just(PyValue::None), 5 => proptest::sample::select(names.to_vec()).prop_map(PyValue::str)].boxed()
}

/// A string and bytes that are often its UTF-8 form (or that plus more).
fn str_and_bytes() -> BoxedStrategy<Vec<PyValue>> {
    (strategy::str(), text_bytes(), 0..4u8)
        .prop_map(|(s, other, pick)| {
            let bytes = match pick {
                0 | 1 => str_to_bytes(&s),
                2 => match str_to_bytes(&s) {
                    PyValue::Bytes(mut b) => {
                        b.extend_from_slice(b"\0x");
                        PyValue::Bytes(b)
                    }
                    v => v,
                },
                _ => other,
            };
            vec![s, bytes]
        })
        .boxed()
}

/// printf-style formats over a few conversions.
fn percent_format() -> BoxedStrategy<PyValue> {
    let pieces =
        ["%s", "%r", "%a", "%d", "%i", "%x", "%o", "%5.2f", "%e", "%g", "%c", "%%", "abc", " ", "%-4s", "%+d", "%(k)s"];
    proptest::collection::vec(proptest::sample::select(pieces.to_vec()), 0..4)
        .prop_map(|p| PyValue::str(&p.concat()))
        .boxed()
}

/// The right operand of `%`: a tuple of items, one item, or a dict for `%(k)s`.
fn percent_args() -> BoxedStrategy<PyValue> {
    let item = || prop_oneof![int_in(-1000..1000), small_str(), strategy::float(), Just(PyValue::None)].boxed();
    prop_oneof![
        4 => proptest::collection::vec(item(), 0..4).prop_map(PyValue::Tuple),
        2 => item(),
        1 => item().prop_map(|v| PyValue::Dict(vec![(PyValue::str("k"), v)])),
    ]
    .boxed()
}

fn direction() -> BoxedStrategy<PyValue> {
    proptest::sample::select(vec![-1i64, 1, 0, 2]).prop_map(|d| PyValue::int(d.into())).boxed()
}

fn code_point_arg() -> BoxedStrategy<PyValue> {
    prop_oneof![
        6 => strategy::code_point().prop_map(|c| PyValue::int(c.into())),
        1 => proptest::sample::select(vec![-1i64, 0x110000, i64::from(i32::MAX), i64::from(i32::MIN)]).prop_map(|c| PyValue::int(c.into())),
    ]
    .boxed()
}

/// Mostly bytes, sometimes another value (for the type checks).
fn mostly_bytes() -> BoxedStrategy<PyValue> {
    prop_oneof![6 => strategy::bytes(), 1 => text_bytes(), 1 => strategy::any_value()].boxed()
}

/// bytes() and bytearray() sources without large ints: bytearray(n) allocates n bytes.
fn small_byte_source() -> BoxedStrategy<PyValue> {
    byte_source()
        .prop_filter("an int would size the allocation", |v| match v {
            PyValue::Int(i) => i.to_i128().is_some_and(|n| n < 1000),
            _ => true,
        })
        .boxed()
}

/// Escaped bytes for PyBytes_DecodeEscape: valid and invalid escapes.
fn escaped() -> BoxedStrategy<PyValue> {
    let pieces: Vec<&'static [u8]> = vec![
        b"a", b"\\n", b"\\t", b"\\\\", b"\\'", b"\\x41", b"\\x4", b"\\xZZ", b"\\101", b"\\777", b"\\q", b"\\", b"\\\n",
        b"\xff", b" ",
    ];
    proptest::collection::vec(proptest::sample::select(pieces), 0..6).prop_map(|p| PyValue::Bytes(p.concat())).boxed()
}

fn bytes_errors() -> BoxedStrategy<PyValue> {
    prop_oneof![
        2 => Just(PyValue::None),
        3 => proptest::sample::select(vec!["strict", "replace", "ignore"]).prop_map(PyValue::str),
    ]
    .boxed()
}

/// Strings mostly of code points below `limit` (pure ASCII, or Latin-1), so that encoders to
/// that charset reach their success path; sometimes any str, or not a str at all.
fn narrow_str(limit: u32) -> BoxedStrategy<PyValue> {
    prop_oneof![
        6 => proptest::collection::vec(0..limit, 0..12).prop_map(PyValue::Str),
        2 => strategy::str(),
        1 => strategy::any_value(),
    ]
    .boxed()
}
