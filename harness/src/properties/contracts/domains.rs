//! Argument domains by name: what a contract's `args` list refers to.
//!
//! A plain domain is a strategy for literal values. A built domain makes an object no literal
//! can (a capsule, an exception instance, a module): the strategy draws the builder's input and
//! the worker calls `make_<builder>` from `probes/oracles.py` on it, for the probe's and the
//! oracle's call alike, so both get equal but distinct objects and shrinking still works on
//! the input.

use proptest::prelude::*;

use super::super::object::{ascii_bytes, boolean, c_long_value, index, int_in, mostly_str, small_str, text_bytes};
use crate::value::{PyValue, strategy};

/// Every domain name a contract may use, for error messages.
pub const NAMES: &[&str] = &[
    "any", "int", "c_long", "index", "small_int", "count", "int32", "uint32", "int64", "uint64", "float", "bool", "none", "str",
    "small_str", "mostly_str", "str_encodable", "name", "bytes", "text_bytes", "ascii_bytes", "list", "tuple", "dict", "hashable",
    "encoding", "error_handler", "object", "type", "exception", "exception_or_none", "unicode_decode_error", "unicode_encode_error",
    "unicode_translate_error", "capsule", "capsule_name", "module", "module_name", "callable", "iterator", "weakrefable",
    // unicode group
    "codec_error", "codec_search", "probe_error_name", "charmap", "decoding_table", "charmap_source", "encoding_or_none",
    "error_handler_or_none", "locale_errors", "locale_bytes", "code_point", "translate_table", "translate_errors", "double_format",
    "float_text", "count_or_none", "small_count3", "int_text", "int_base", "buffer_size",
];

/// The strategy of a domain, or None for an unknown name.
pub fn strategy(name: &str) -> Option<BoxedStrategy<PyValue>> {
    Some(match name {
        "any" => strategy::any_value(),
        "int" => strategy::int(),
        "c_long" => c_long_value(),
        "index" => index(),
        "small_int" => int_in(-10..11),
        "count" => int_in(0..40),
        "int32" => prop_oneof![int_in(-1000..1000), any::<i32>().prop_map(|v| PyValue::int(v.into()))].boxed(),
        "uint32" => prop_oneof![int_in(0..1000), any::<u32>().prop_map(|v| PyValue::int(v.into()))].boxed(),
        "int64" => prop_oneof![int_in(-1000..1000), any::<i64>().prop_map(|v| PyValue::int(v.into()))].boxed(),
        "uint64" => prop_oneof![int_in(0..1000), any::<u64>().prop_map(|v| PyValue::int(v.into()))].boxed(),
        "float" => strategy::float(),
        "bool" => boolean(),
        "none" => Just(PyValue::None).boxed(),
        "str" => strategy::str(),
        "small_str" => small_str(),
        "mostly_str" => mostly_str(),
        "str_encodable" => strategy::str_encodable(),
        "name" => identifier(),
        "bytes" => strategy::bytes(),
        "text_bytes" => text_bytes(),
        "ascii_bytes" => ascii_bytes(),
        "list" => strategy::list(),
        "tuple" => strategy::tuple(),
        "dict" => strategy::dict(),
        "hashable" => strategy::hashable(),
        "encoding" => choose_str(&["utf-8", "latin-1", "ascii", "utf-16", "utf-32", "cp1252", "utf-7", "no-such-codec", "UTF8", "rot13"]),
        "error_handler" => {
            choose_str(&["strict", "ignore", "replace", "backslashreplace", "xmlcharrefreplace", "namereplace", "surrogateescape", "nonesuch"])
        }
        // Objects of many kinds, literals and built ones, for APIs that take any object.
        "object" => prop_oneof![
            4 => strategy::any_value(),
            1 => built("exception", exception_input()),
            1 => built("object", int_in(0..OBJECT_KINDS)),
            1 => built("type", int_in(0..TYPE_KINDS)),
        ]
        .boxed(),
        "type" => built("type", int_in(0..TYPE_KINDS)),
        "exception" => built("exception", exception_input()),
        "exception_or_none" => prop_oneof![1 => Just(PyValue::None), 3 => built("exception", exception_input())].boxed(),
        "unicode_decode_error" => {
            built("unicode_decode_error", (strategy::bytes(), index(), index(), small_str()).prop_map(|(b, s, e, r)| PyValue::Tuple(vec![b, s, e, r])).boxed())
        }
        "unicode_encode_error" => unicode_error("unicode_encode_error"),
        "unicode_translate_error" => unicode_error("unicode_translate_error"),
        "capsule" => built("capsule", int_in(0..CAPSULE_KINDS)),
        "capsule_name" => prop_oneof![Just(PyValue::None), identifier()].boxed(),
        "module" => built("module", identifier()),
        "module_name" => choose_str(&["math", "sys", "builtins", "os.path", "json", "no_such_module_xyz", "", "collections.abc"]),
        "callable" => built("callable", int_in(0..CALLABLE_KINDS)),
        "iterator" => built("iterator", strategy::list()),
        "weakrefable" => built("object", int_in(0..OBJECT_KINDS)),
        // --- unicode group ---
        "codec_error" => built(
            "codec_error",
            (int_in(0..4), small_str(), int_in(0..12), int_in(0..12)).prop_map(|(k, t, a, b)| PyValue::Tuple(vec![k, t, a, b])).boxed(),
        ),
        "codec_search" => built("codec_search", identifier()),
        "probe_error_name" => choose_str(&["abi3probe.one", "abi3probe.two"]),
        "charmap" => built("charmap", int_in(0..5)),
        "decoding_table" => built("decoding_table", int_in(0..6)),
        "charmap_source" => prop_oneof![3 => built("charmap_source", int_in(0..6)), 1 => small_str()].boxed(),
        "encoding_or_none" => prop_oneof![1 => Just(PyValue::None), 5 => strategy("encoding")?].boxed(),
        "error_handler_or_none" => prop_oneof![1 => Just(PyValue::None), 5 => strategy("error_handler")?].boxed(),
        "locale_errors" => prop_oneof![
            1 => Just(PyValue::None),
            4 => choose_str(&["strict", "surrogateescape", "replace", "surrogatepass"]),
        ]
        .boxed(),
        "locale_bytes" => {
            let pieces = ["a", "b ", "\u{e9}", "\u{3b1}", "\u{1F600}", "\x7f", "\u{ffff}"];
            let pieces: Vec<Vec<u8>> = pieces.iter().map(|p| p.as_bytes().to_vec()).chain([vec![0xff], vec![0x80], vec![0xed, 0xa0, 0x80], vec![0xc3]]).collect();
            proptest::collection::vec(proptest::sample::select(pieces), 0..6).prop_map(|parts| PyValue::Bytes(parts.concat())).boxed()
        }
        "code_point" => prop_oneof![
            4 => proptest::sample::select(vec![97i64, 98, 32, 10, 0xe9, 0x3b1, 0x1F600, 9, 0x7f, 0xff, 0x100, 0xffff]).prop_map(|v| PyValue::int(v.into())),
            1 => proptest::sample::select(vec![0x110000i64, 0xFFFF_FFFF, 0]).prop_map(|v| PyValue::int(v.into())),
        ]
        .boxed(),
        "translate_table" => built("translate_table", int_in(0..6)),
        "translate_errors" => prop_oneof![
            1 => Just(PyValue::None),
            4 => choose_str(&["strict", "ignore", "replace", "backslashreplace"]),
        ]
        .boxed(),
        "double_format" => prop_oneof![
            3 => (proptest::sample::select(vec!["e", "E", "f", "F", "g", "G"]), int_in(0..18), int_in(0..8))
                .prop_map(|(c, p, f)| PyValue::Tuple(vec![PyValue::str(c), p, f])),
            2 => (int_in(0..4)).prop_map(|f| PyValue::Tuple(vec![PyValue::str("r"), PyValue::int(0.into()), f])),
            1 => (int_in(1..3)).prop_map(|p| PyValue::Tuple(vec![PyValue::str("r"), p, PyValue::int(0.into())])),
        ]
        .boxed(),
        "float_text" => {
            let pieces = ["1", "0", "25", ".", "e", "E", "-", "+", "5", "inf", "INFINITY", "nan", "e999", "e-999", " ", "x", "_", "0x"];
            proptest::collection::vec(proptest::sample::select(pieces.to_vec()), 0..6).prop_map(|parts| PyValue::Bytes(parts.concat().into_bytes())).boxed()
        }
        "count_or_none" => prop_oneof![1 => Just(PyValue::None), 6 => int_in(0..40)].boxed(),
        "small_count3" => int_in(0..3),
        "buffer_size" => int_in(1..40),
        "int_text" => {
            let pieces = [
                " ", "0", "x", "X", "b", "o", "1", "7", "9", "a", "f", "z", "-", "+", "\t", "ffffffffffffffff", "99999999999999999999",
                "9223372036854775808", "18446744073709551615",
            ];
            proptest::collection::vec(proptest::sample::select(pieces.to_vec()), 0..5).prop_map(|parts| PyValue::Bytes(parts.concat().into_bytes())).boxed()
        }
        "int_base" => proptest::sample::select(vec![0i64, 2, 8, 10, 16, 36, 3, 1, 37, -1]).prop_map(|v| PyValue::int(v.into())).boxed(),
        _ => return None,
    })
}

/// How many kinds `make_object`, `make_type` and `make_callable` (probes/oracles.py) know.
const OBJECT_KINDS: i64 = 6;
const TYPE_KINDS: i64 = 12;
const CALLABLE_KINDS: i64 = 6;
const CAPSULE_KINDS: i64 = 3;

fn built(builder: &'static str, input: BoxedStrategy<PyValue>) -> BoxedStrategy<PyValue> {
    input.prop_map(move |value| PyValue::Built(builder, Box::new(value))).boxed()
}

/// (exception class index, argument values) for `make_exception`.
fn exception_input() -> BoxedStrategy<PyValue> {
    (int_in(0..12), proptest::collection::vec(strategy::scalar(), 0..3))
        .prop_map(|(kind, args)| PyValue::Tuple(vec![kind, PyValue::Tuple(args)]))
        .boxed()
}

fn unicode_error(builder: &'static str) -> BoxedStrategy<PyValue> {
    built(builder, (small_str(), index(), index(), small_str()).prop_map(|(o, s, e, r)| PyValue::Tuple(vec![o, s, e, r])).boxed())
}

fn choose_str(options: &[&str]) -> BoxedStrategy<PyValue> {
    let values: Vec<PyValue> = options.iter().map(|s| PyValue::Str(s.chars().map(u32::from).collect())).collect();
    proptest::sample::select(values).boxed()
}

/// ASCII identifiers, short, sometimes dotted or empty.
fn identifier() -> BoxedStrategy<PyValue> {
    "[a-z_][a-z0-9_]{0,8}(\\.[a-z_]{1,4})?"
        .prop_map(|s| PyValue::Str(s.chars().map(u32::from).collect()))
        .boxed()
}
