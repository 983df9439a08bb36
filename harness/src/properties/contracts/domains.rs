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
    // group modules
    "alloc_size", "byte", "calloc_args", "c_name", "module_or_object", "module_with_file", "module_spec", "capsule_kind",
    "capsule_or_object", "capsule_name_guess", "import_name", "import_globals", "import_fromlist", "import_level", "path_entry",
    "reloadable", "frozen_name", "code", "added_module_name", "capsule_import_name", "fresh_module_name", "path_or_none",
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
        // group modules
        "alloc_size" => prop_oneof![
            8 => int_in(0..300),
            2 => int_in(0..70000),
            1 => ((i64::MAX as u64 + 1)..=u64::MAX).prop_map(|v| PyValue::int(v.into())),
        ]
        .boxed(),
        "byte" => int_in(0..256),
        "calloc_args" => prop_oneof![
            4 => (int_in(0..64), int_in(0..64)).prop_map(|(n, e)| PyValue::Tuple(vec![n, e])),
            1 => (int_in(1 << 32..1 << 40), int_in(1 << 32..1 << 40)).prop_map(|(n, e)| PyValue::Tuple(vec![n, e])),
        ]
        .boxed(),
        "c_name" => c_name(),
        "module_or_object" => prop_oneof![3 => built("module", identifier()), 1 => built("object", int_in(0..OBJECT_KINDS)), 1 => strategy::any_value()].boxed(),
        "module_with_file" => prop_oneof![
            6 => built(
                "module_with_file",
                (c_name(), prop_oneof![Just(PyValue::None), strategy::str(), int_in(0..3)]).prop_map(|(n, f)| PyValue::Tuple(vec![n, f])).boxed()
            ),
            1 => strategy::any_value(),
        ]
        .boxed(),
        "module_spec" => built("module_spec", (int_in(0..4), c_name()).prop_map(|(k, n)| PyValue::Tuple(vec![k, n])).boxed()),
        "capsule_kind" => int_in(0..8),
        "capsule_or_object" => prop_oneof![3 => built("std_capsule", int_in(0..3)), 1 => built("object", int_in(0..OBJECT_KINDS)), 1 => strategy::any_value()].boxed(),
        "capsule_name_guess" => prop_oneof![
            1 => Just(PyValue::None),
            4 => choose_str(&["datetime.datetime_CAPI", "unicodedata._ucnhash_CAPI", "unicodedata.ucnhash_CAPI", "pyexpat.expat_CAPI", "datetime.datetime_CAP"]),
            1 => identifier(),
        ]
        .boxed(),
        "fresh_module_name" => identifier().prop_map(|v| match v {
            PyValue::Str(mut s) => {
                s.splice(0..0, "abi3probe_exec_".chars().map(u32::from));
                PyValue::Str(s)
            }
            other => other,
        }).boxed(),
        "path_or_none" => prop_oneof![Just(PyValue::None), choose_str(&["/tmp/abi3probe_mod.py", "/nonexistent/m.py", "rel.py", "/tmp/\u{e9}.pyc"])].boxed(),
        "capsule_import_name" => choose_str(&[
            "datetime.datetime_CAPI", "unicodedata._ucnhash_CAPI", "unicodedata.ucnhash_CAPI", "pyexpat.expat_CAPI", "datetime.datetime_CAP", "datetime.datetime",
            "math.pi", "no_such_module_xyz.x", "datetime.nope", "datetime",
        ]),
        "import_name" => choose_str(&["math", "sys", "os.path", "json", "json.decoder", "decoder", "abc", "collections.abc", "", "no_such_module_xyz", "encoder"]),
        "import_globals" => built("import_globals", int_in(0..5)),
        "import_fromlist" => prop_oneof![
            Just(PyValue::None),
            proptest::collection::vec(choose_str(&["path", "decoder", "abc", "nope", "*"]), 0..3).prop_map(PyValue::List),
        ]
        .boxed(),
        "import_level" => int_in(-1..3),
        "path_entry" => choose_str(&["/tmp", "/", "/nonexistent/dir", "", ".", "/usr/lib", "/etc/passwd"]),
        "reloadable" => built("reloadable", int_in(0..5)),
        "frozen_name" => choose_str(&["__hello__", "__phello__", "__phello__.spam", "no_such_frozen_xyz", "__hello_alias__"]),
        "code" => built("code", int_in(0..5)),
        "added_module_name" => prop_oneof![
            1 => choose_str(&["math", "sys", "os.path", "json", "collections.abc"]),
            2 => identifier().prop_map(|v| match v {
                PyValue::Str(mut s) => {
                    s.splice(0..0, "abi3probe_added_".chars().map(u32::from));
                    PyValue::Str(s)
                }
                other => other,
            }),
        ]
        .boxed(),
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

/// Names for C strings: no NUL, no lone surrogate, some non-ASCII (group modules).
fn c_name() -> BoxedStrategy<PyValue> {
    "[a-z_\u{e9}\u{3b1}][a-z0-9_ .\u{e9}\u{1F600}]{0,8}".prop_map(|s| PyValue::Str(s.chars().map(u32::from).collect())).boxed()
}

/// ASCII identifiers, short, sometimes dotted or empty.
fn identifier() -> BoxedStrategy<PyValue> {
    "[a-z_][a-z0-9_]{0,8}(\\.[a-z_]{1,4})?"
        .prop_map(|s| PyValue::Str(s.chars().map(u32::from).collect()))
        .boxed()
}
