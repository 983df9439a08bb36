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
    // group errors
    "capture", "errno", "errno_type", "import_error_type", "exception_class", "warning_category", "printable_exception",
    "func_like", "source", "compile_mode", "generator", "marshal_data", "fspath_arg", "sys_name", "signal_kind", "warn_message", "line_data",
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
        // group errors
        "capture" => built("capture", Just(PyValue::None).boxed()),
        "errno" => prop_oneof![int_in(0..135), int_in(135..100_000)].boxed(),
        "errno_type" => built("errno_type", int_in(0..5)),
        "import_error_type" => built("import_error_type", int_in(0..4)),
        "exception_class" => built("exception_class", int_in(0..11)),
        "warning_category" => built("warning_category", int_in(0..8)),
        "printable_exception" => built("printable_exception", exception_input()),
        "func_like" => built("func_like", int_in(0..14)),
        "source" => built("source", int_in(0..12)),
        "compile_mode" => prop_oneof![Just(PyValue::int(256)), Just(PyValue::int(257)), Just(PyValue::int(258))].boxed(),
        "generator" => built("generator", int_in(0..4)),
        "marshal_data" => built("marshalled", (strategy::any_value(), int_in(0..3)).prop_map(|(v, cut)| PyValue::Tuple(vec![v, cut])).boxed()),
        "fspath_arg" => prop_oneof![2 => strategy::any_value(), 1 => built("path_like", int_in(0..5))].boxed(),
        "sys_name" => built("sys_name", int_in(0..8)),
        "signal_kind" => int_in(0..5),
        "warn_message" => small_str(),
        "line_data" => prop_oneof![small_str(), text_bytes()].boxed(),
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
