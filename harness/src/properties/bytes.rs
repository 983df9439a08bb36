//! bytes and bytearray: PyBytes_*, PyByteArray_*.

use proptest::prelude::*;

use super::object::{byte_source, c_long_value, int_in, one, text_bytes, three, two};
use super::{Property, function};
use crate::value::{PyValue, strategy};

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

fn errors_name() -> BoxedStrategy<PyValue> {
    prop_oneof![
        2 => Just(PyValue::None),
        3 => proptest::sample::select(vec!["strict", "replace", "ignore"]).prop_map(PyValue::str),
    ]
    .boxed()
}

pub(super) fn properties() -> Vec<Property> {
    vec![
        function("PyBytes_FromStringAndSize", "bytes_from_string_and_size", || two(strategy::bytes(), int_in(-1..40))),
        function("PyBytes_FromString", "c_string", || one(text_bytes())),
        function("PyBytes_Size", "bytes_size", || one(mostly_bytes())),
        function("PyBytes_AsString", "lambda b: c_string(bytes_only(b))", || one(mostly_bytes())),
        function("PyBytes_AsStringAndSize", "bytes_only", || one(mostly_bytes())),
        function("PyBytes_FromObject", "bytes_from_object", || one(small_byte_source())),
        function("PyBytes_Concat", "bytes_concat", || two(mostly_bytes(), mostly_bytes())),
        function("PyBytes_ConcatAndDel", "bytes_concat", || two(mostly_bytes(), mostly_bytes())),
        function("PyBytes_Repr", "repr", || one(strategy::bytes())),
        function("PyBytes_DecodeEscape", "escape_decode", || two(escaped(), errors_name())),
        function("PyBytes_FromFormat", "bytes_from_format", || {
            three(c_long_value(), prop_oneof![8 => int_in(0..256), 1 => int_in(-3..400)].boxed(), text_bytes())
        }),
        function("PyByteArray_FromObject", "bytearray", || one(small_byte_source())),
        function("PyByteArray_FromStringAndSize", "bytearray_from_string_and_size", || {
            two(strategy::bytes(), int_in(-1..40))
        }),
        function("PyByteArray_Size", "lambda b: len(bytearray(b))", || one(strategy::bytes())),
        function("PyByteArray_AsString", "lambda b: bytes(bytearray(b))", || one(strategy::bytes())),
        function("PyByteArray_Concat", "bytearray_concat", || two(mostly_bytes(), mostly_bytes())),
        function("PyByteArray_Resize", "bytearray_resize", || two(strategy::bytes(), int_in(0..48))),
    ]
}
