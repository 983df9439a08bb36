//! Argument domains by name: what a contract's `args` list refers to, and argument lists by
//! name: what its `arglist` refers to.
//!
//! A plain domain is a strategy for literal values. A built domain makes an object no literal
//! can (a capsule, an exception instance, a module): the strategy draws the builder's input and
//! the worker calls `make_<builder>` from `probes/oracles.py` on it, for the probe's and the
//! oracle's call alike, so both get equal but distinct objects and shrinking still works on
//! the input. `ints(A..B)` is the ints from A up to B (excluded), uniformly.
//!
//! An argument list (`ARGLISTS`) draws all of a call's arguments together, for calls whose
//! arguments are worth correlating: a dict and a key that is often one of its keys, a sequence
//! and one of its items, a pair of operands of one kind.
//!
//! The domains written here are the contracts' own; the modules hold those of each API family
//! (`objects`, `numbers`, `text`, `containers`, `errors`, `refcount`, `system`) as tables of
//! names and strategies, and `shared` the value strategies they have in common.

use proptest::prelude::*;

use crate::value::{PyValue, strategy};
use shared::{ascii_bytes, boolean, c_long_value, index, int_in, mostly_str, small_str, text_bytes};

mod containers;
mod errors;
mod numbers;
mod objects;
mod refcount;
mod shared;
mod system;
mod text;

/// A named domain: its name and its strategy.
type Domain = (&'static str, fn() -> BoxedStrategy<PyValue>);

/// A named argument list: its name, how many arguments it draws, and its strategy.
type Arglist = (&'static str, usize, fn() -> BoxedStrategy<Vec<PyValue>>);

/// The families' domain tables.
const FAMILY_DOMAINS: &[&[Domain]] = &[
    objects::DOMAINS,
    numbers::DOMAINS,
    text::DOMAINS,
    containers::DOMAINS,
    errors::DOMAINS,
    refcount::DOMAINS,
    system::DOMAINS,
];

/// The families' argument lists.
const FAMILY_ARGLISTS: &[&[Arglist]] =
    &[objects::ARGLISTS, numbers::ARGLISTS, text::ARGLISTS, containers::ARGLISTS, errors::ARGLISTS, refcount::ARGLISTS];

/// Every domain name: the contracts' own (`NAMES`) and the families' (for error messages and
/// the tests).
pub fn names() -> Vec<&'static str> {
    NAMES.iter().copied().chain(FAMILY_DOMAINS.iter().flat_map(|table| table.iter().map(|d| d.0))).collect()
}

/// Every argument list's name.
pub fn arglist_names() -> Vec<&'static str> {
    FAMILY_ARGLISTS.iter().flat_map(|table| table.iter().map(|a| a.0)).collect()
}

/// The strategy of an argument list and how many arguments it draws, or None for an unknown
/// name.
pub fn arglist(name: &str) -> Option<(usize, BoxedStrategy<Vec<PyValue>>)> {
    let &(_, arity, make) = FAMILY_ARGLISTS.iter().flat_map(|table| table.iter()).find(|a| a.0 == name)?;
    Some((arity, make()))
}

/// How many arguments an argument list draws, or None for an unknown name.
pub fn arglist_arity(name: &str) -> Option<usize> {
    FAMILY_ARGLISTS.iter().flat_map(|table| table.iter()).find(|a| a.0 == name).map(|a| a.1)
}

/// `ints(A..B)`: the bounds, when the name has that form.
fn ints_range(name: &str) -> Option<std::ops::Range<i64>> {
    let (low, high) = name.strip_prefix("ints(")?.strip_suffix(')')?.split_once("..")?;
    let range = low.trim().parse().ok()?..high.trim().parse().ok()?;
    (!range.is_empty()).then_some(range)
}

/// The contracts' own domain names.
const NAMES: &[&str] = &[
    "any",
    "int",
    "c_long",
    "index",
    "small_int",
    "count",
    "int32",
    "uint32",
    "int64",
    "uint64",
    "float",
    "bool",
    "none",
    "str",
    "small_str",
    "mostly_str",
    "str_encodable",
    "name",
    "bytes",
    "text_bytes",
    "ascii_bytes",
    "list",
    "tuple",
    "dict",
    "hashable",
    "encoding",
    "error_handler",
    "object",
    "type",
    "exception",
    "exception_or_none",
    "unicode_decode_error",
    "unicode_encode_error",
    "unicode_translate_error",
    "capsule",
    "capsule_name",
    "module",
    "module_name",
    "callable",
    "iterator",
    "weakrefable",
    // group `objects`
    "async_object",
    "iterish",
    "generator",
    "send_target",
    "send_arg",
    "slice",
    "step",
    "complex_like",
    "mapping",
    "mapping_or_object",
    "attr_name",
    "attr_target",
    "kwargs",
    "small_tuple",
    "args_or_none",
    "method_target",
    "method_name",
    "fd_like",
    "weakref",
    "weakref_callback",
    "gc_object",
    "native_flags",
    "byte_count",
    "digits",
    "int_or_index",
    "uint8",
    "nibble",
    "major",
    "sequence_like",
    "vc_callable",
    "ssize",
    // group buffers
    "buffer",
    "buffer_order3",
    "contiguous_buffer",
    "writable_buffer",
    "buffer_flags",
    "memory_flags",
    "buffer_order",
    "struct_format",
    "shape",
    "seeds",
    "cfunc_kind",
    "cfunc_kind4",
    "module_or_none",
    "type_or_none",
    "cfunction",
    "packer",
    "program",
    "program_no_hash",
    "wrapper_name",
    "text_program",
    "bytes_program",
    "format_exception",
    "structseq",
    "parse_program",
    "kw_dict",
    "any_dict",
    "member_code",
    "member_case",
    "member_value_0",
    "member_value_1",
    "member_value_2",
    "member_value_3",
    "member_value_4",
    "member_value_5",
    "member_value_7",
    "member_value_8",
    "member_value_9",
    "member_value_10",
    "member_value_11",
    "member_value_12",
    "member_value_13",
    "member_value_14",
    "member_value_16",
    "member_value_17",
    "member_value_18",
    "member_value_19",
    "short_tuple",
    "str_dict",
    // threads
    "lock_ops",
    "stack_size",
    "threads_exception_class",
    "signal_number",
    "pending_count",
    "exit_status",
    "fork_events",
    // group modules
    "alloc_size",
    "byte",
    "calloc_args",
    "c_name",
    "module_or_object",
    "module_with_file",
    "module_spec",
    "capsule_kind",
    "capsule_or_object",
    "capsule_name_guess",
    "import_name",
    "import_globals",
    "import_fromlist",
    "import_level",
    "path_entry",
    "reloadable",
    "frozen_name",
    "code",
    "added_module_name",
    "capsule_import_name",
    "fresh_module_name",
    "path_or_none",
    // unicode group
    "codec_error",
    "codec_search",
    "probe_error_name",
    "charmap",
    "decoding_table",
    "charmap_source",
    "encoding_or_none",
    "error_handler_or_none",
    "locale_errors",
    "locale_bytes",
    "code_point",
    "translate_table",
    "translate_errors",
    "double_format",
    "float_text",
    "count_or_none",
    "small_count3",
    "int_text",
    "int_base",
    "buffer_size",
    // group errors
    "capture",
    "errno",
    "errno_type",
    "import_error_type",
    "exception_class",
    "warning_category",
    "printable_exception",
    "func_like",
    "source",
    "compile_mode",
    "suspended_generator",
    "marshal_data",
    "fspath_arg",
    "sys_name",
    "signal_kind",
    "warn_message",
    "line_data",
    // group rest
    "source_text",
    "source_line",
    "source_where",
    "syntax_kind",
    "col_offset",
    "file_case",
    "audit_recorder",
    "ref_delta",
];

/// The strategy of a domain, or None for an unknown name.
pub fn strategy(name: &str) -> Option<BoxedStrategy<PyValue>> {
    if let Some(range) = ints_range(name) {
        return Some(int_in(range));
    }
    if let Some(&(_, make)) = FAMILY_DOMAINS.iter().flat_map(|table| table.iter()).find(|d| d.0 == name) {
        return Some(make());
    }
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
        // group `objects`
        "async_object" => built("async_object", int_in(0..6)),
        "iterish" => prop_oneof![
            2 => strategy("object")?,
            2 => built("iterator", strategy::list()),
            1 => strategy("generator")?,
        ]
        .boxed(),
        "generator" => built(
            "generator",
            (proptest::collection::vec(strategy::scalar(), 0..4), strategy::scalar()).prop_map(|(items, r)| PyValue::Tuple(vec![PyValue::List(items), r])).boxed(),
        ),
        "send_target" => prop_oneof![3 => strategy("generator")?, 1 => built("iterator", strategy::list()), 1 => strategy("object")?].boxed(),
        "send_arg" => prop_oneof![3 => Just(PyValue::None), 1 => int_in(-3..4)].boxed(),
        "slice" => {
            let part = prop_oneof![3 => Just(PyValue::None), 8 => index(), 1 => strategy::scalar(), 1 => built("object", int_in(0..OBJECT_KINDS))];
            built("slice", (part.clone(), part.clone(), part).prop_map(|(a, b, c)| PyValue::Tuple(vec![a, b, c])).boxed())
        }
        "step" => prop_oneof![
            4 => int_in(1..6),
            4 => int_in(-5..0),
            1 => proptest::sample::select(vec![i64::MAX, -i64::MAX, 1 << 40]).prop_map(|v| PyValue::int(v.into())),
        ]
        .boxed(),
        "complex_like" => built(
            "complex_like",
            (int_in(0..8), strategy::float(), strategy::float()).prop_map(|(k, re, im)| PyValue::Tuple(vec![k, re, im])).boxed(),
        ),
        "mapping" => built("mapping", (int_in(0..6), strategy::dict()).prop_map(|(k, d)| PyValue::Tuple(vec![k, d])).boxed()),
        "mapping_or_object" => prop_oneof![
            3 => strategy::dict(),
            1 => strategy::list(),
            1 => strategy::str(),
            2 => strategy("mapping")?,
            2 => strategy("object")?,
        ]
        .boxed(),
        "attr_name" => prop_oneof![
            8 => choose_str(&["a", "b", "real", "imag", "__class__", "__doc__", "missing", "upper", "__len__", "__dict__", ""]),
            1 => strategy::scalar(),
        ]
        .boxed(),
        "attr_target" => prop_oneof![
            3 => built("with_attrs", proptest::sample::subsequence(vec!["a", "b", "real", "x"], 0..4)
                .prop_map(|names| PyValue::List(names.into_iter().map(PyValue::str).collect())).boxed()),
            2 => strategy("object")?,
            1 => strategy::scalar(),
        ]
        .boxed(),
        "kwargs" => prop_oneof![
            2 => Just(PyValue::None),
            3 => proptest::collection::btree_map("[a-c]", int_in(-3..4), 0..3)
                .prop_map(|m| PyValue::Dict(m.into_iter().map(|(k, v)| (PyValue::str(&k), v)).collect())),
        ]
        .boxed(),
        "small_tuple" => proptest::collection::vec(strategy::scalar(), 0..4).prop_map(PyValue::Tuple).boxed(),
        "args_or_none" => prop_oneof![1 => Just(PyValue::None), 4 => strategy("small_tuple")?, 1 => strategy::list()].boxed(),
        "method_target" => prop_oneof![2 => strategy::str(), 2 => strategy::list(), 1 => strategy::dict(), 1 => strategy("object")?].boxed(),
        "method_name" => choose_str(&["upper", "count", "index", "__len__", "append", "copy", "missing", "__repr__", "keys", "pop", "split"]),
        "fd_like" => prop_oneof![
            3 => strategy::int(),
            2 => built("fileno", prop_oneof![strategy::int(), Just(PyValue::str("closed")), strategy::float()].boxed()),
            2 => strategy("object")?,
        ]
        .boxed(),
        "weakref" => built("weakref", int_in(0..9)),
        "weakref_callback" => prop_oneof![2 => Just(PyValue::None), 1 => built("callable", proptest::sample::select(vec![1i64, 3, 4]).prop_map(|v| PyValue::int(v.into())).boxed())].boxed(),
        "gc_object" => prop_oneof![
            2 => strategy::scalar(),
            1 => strategy::list(),
            3 => built("gc_object", int_in(0..7)),
            1 => built("object", int_in(0..OBJECT_KINDS)),
        ]
        .boxed(),
        "native_flags" => proptest::sample::select(vec![-1i64, 0, 1, 2, 3, 4, 5, 8, 9, 12, 13, 16, 17, 19, 20, 21, 28, 31])
            .prop_map(|v| PyValue::int(v.into()))
            .boxed(),
        "byte_count" => int_in(0..17),
        "digits" => proptest::collection::vec(prop_oneof![3 => int_in(0..1 << 30), 1 => proptest::sample::select(vec![0i64, 1, (1 << 30) - 1]).prop_map(|v| PyValue::int(v.into()))], 1..5)
            .prop_map(PyValue::List)
            .boxed(),
        "int_or_index" => prop_oneof![6 => strategy::int(), 1 => strategy("object")?, 1 => strategy::float()].boxed(),
        "uint8" => int_in(0..256),
        "nibble" => int_in(0..16),
        "major" => int_in(0..128),
        "sequence_like" => prop_oneof![
            3 => strategy::any_value(),
            1 => strategy::str(),
            1 => strategy::bytes(),
            2 => strategy("object")?,
            1 => strategy("mapping")?,
        ]
        .boxed(),
        "vc_callable" => built("callable", int_in(0..5)),
        "ssize" => prop_oneof![4 => index(), 1 => c_long_value()].boxed(),
        // group buffers
        // (exporter kind, bytes) for `make_buffer`: bytes, bytearray, memoryviews of several
        // layouts, an array, and two objects that export no buffer.
        "buffer" => built("buffer", (int_in(0..9), strategy::bytes()).prop_map(|(k, b)| PyValue::Tuple(vec![k, b])).boxed()),
        "contiguous_buffer" => buffer_of(&[0, 1, 2, 3, 5, 6, 7, 8]),
        "writable_buffer" => buffer_of(&[1, 5]),
        "memory_flags" => proptest::sample::select(vec![PyValue::int(0x100.into()), PyValue::int(0x200.into())]).boxed(),
        "buffer_flags" => proptest::sample::select(
            [0i64, 1, 4, 5, 8, 9, 0xc, 0xd, 0x18, 0x19, 0x1c, 0x1d, 0x38, 0x39, 0x3c, 0x58, 0x5c, 0x98, 0x9c, 0x118, 0x119, 0x11c, 0x11d]
                .into_iter()
                .map(|v| PyValue::int(v.into()))
                .collect::<Vec<_>>(),
        )
        .boxed(),
        "buffer_order" => choose_str(&["C", "F", "A", "x"]),
        "buffer_order3" => choose_str(&["C", "F", "A"]),
        "struct_format" => choose_str(&["B", "i", "3h", "<q", "x", "P", "?", "e", "d", "", "10s", "@d", "!I", "Zz", "q3", "2x4s"]),
        "shape" => proptest::collection::vec(int_in(0..6), 1..5).prop_map(PyValue::List).boxed(),
        "seeds" => proptest::collection::vec(int_in(0..50), 0..4).prop_map(PyValue::List).boxed(),
        "cfunc_kind" => int_in(0..7),
        "cfunc_kind4" => int_in(0..4),
        "text_program" => int_in(0..9),
        "member_code" => int_in(0..19),
        "member_case" => built(
            "member_case",
            (int_in(0..19), int_in(0..3), any::<u64>().prop_map(|v| PyValue::int(v.into()))).prop_map(|(c, v, s)| PyValue::Tuple(vec![c, v, s])).boxed(),
        ),
        "parse_program" => int_in(0..17),
        "kw_dict" => prop_oneof![
            Just(PyValue::None),
            proptest::collection::vec((choose_str(&["a", "b", "c"]), strategy::any_value()), 0..3).prop_map(PyValue::Dict).boxed(),
        ]
        .boxed(),
        "any_dict" => prop_oneof![strategy::dict(), proptest::collection::vec((identifier(), strategy::scalar()), 0..3).prop_map(PyValue::Dict).boxed()].boxed(),
        "bytes_program" => int_in(0..6),
        "format_exception" => int_in(0..4),
        "structseq" => built("structseq", int_in(0..5)),
        "module_or_none" => prop_oneof![Just(PyValue::None), identifier()].boxed(),
        "type_or_none" => built("type_or_none", int_in(-3..TYPE_KINDS)),
        "cfunction" => built("cfunction", int_in(0..9)),
        "packer" => built("packer", Just(PyValue::None).boxed()),
        "program" => int_in(0..11),
        "program_no_hash" => proptest::sample::select(vec![0i64, 1, 2, 3, 4, 5, 6, 7, 10].into_iter().map(|v| PyValue::int(v.into())).collect::<Vec<_>>()).boxed(),
        "wrapper_name" => choose_str(&["__str__", "__eq__", "__ne__", "__lt__", "__ge__"]),
        "short_tuple" => proptest::collection::vec(strategy::scalar(), 0..3).prop_map(PyValue::Tuple).boxed(),
        "str_dict" => prop_oneof![
            Just(PyValue::None),
            proptest::collection::vec((identifier(), strategy::scalar()), 0..3).prop_map(PyValue::Dict).boxed(),
        ]
        .boxed(),
        // threads
        "lock_ops" => proptest::collection::vec(int_in(0..6), 0..12).prop_map(PyValue::List).boxed(),
        "stack_size" => prop_oneof![
            // Clear of the platform's minimum (16 KiB to 32 KiB, which differs between
            // versions): 0, small invalid sizes, and sizes every version accepts.
            proptest::sample::select(vec![0i64, 1, 4096, 1 << 18, 1 << 20, 8 << 20, 1 << 30]).prop_map(|v| PyValue::int(v.into())),
            int_in(1..4096),
        ]
        .boxed(),
        "threads_exception_class" => built("threads_exception_class", int_in(0..8)),
        "signal_number" => proptest::sample::select(vec![2i64, 1, 10, 12, 13, 15, 17, 28, 9, 19, 34, 64, 0, -1, 65, 1000])
            .prop_map(|v| PyValue::int(v.into()))
            .boxed(),
        "pending_count" => int_in(0..9),
        "exit_status" => int_in(0..256),
        "fork_events" => built("fork_events", Just(PyValue::None).boxed()),
        // group modules
        "alloc_size" => prop_oneof![
            8 => int_in(0..300),
            2 => int_in(0..70000),
            // Above PY_SSIZE_T_MAX as a size_t of either width: bit 31 set too, so the low 32
            // bits a 32-bit build keeps are still above its PY_SSIZE_T_MAX.
            1 => ((i64::MAX as u64 + 1)..=u64::MAX).prop_map(|v| PyValue::int((v | (1 << 31)).into())),
        ]
        .boxed(),
        "byte" => int_in(0..256),
        "calloc_args" => prop_oneof![
            4 => (int_in(0..64), int_in(0..64)).prop_map(|(n, e)| PyValue::Tuple(vec![n, e])),
            // A product that overflows a size_t of either width (each factor's low 32 bits are
            // at least 2**31 too).
            1 => (1u64 << 32..1 << 40, 1u64 << 32..1 << 40)
                .prop_map(|(n, e)| PyValue::Tuple(vec![PyValue::int((n | (1 << 31)).into()), PyValue::int((e | (1 << 31)).into())])),
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
        "suspended_generator" => built("suspended_generator", int_in(0..4)),
        "marshal_data" => built("marshalled", (strategy::any_value(), int_in(0..3)).prop_map(|(v, cut)| PyValue::Tuple(vec![v, cut])).boxed()),
        "fspath_arg" => prop_oneof![2 => strategy::any_value(), 1 => built("path_like", int_in(0..5))].boxed(),
        "sys_name" => built("sys_name", int_in(0..8)),
        "signal_kind" => int_in(0..5),
        "warn_message" => small_str(),
        "line_data" => prop_oneof![small_str(), text_bytes()].boxed(),
        // group rest
        "source_text" => source_text(),
        "source_line" => int_in(-1..9),
        "source_where" => prop_oneof![6 => Just(PyValue::int(0)), 1 => int_in(1..4)].boxed(),
        "syntax_kind" => int_in(0..4),
        "col_offset" => int_in(-2..12),
        "file_case" => built(
            "file_case",
            (int_in(0..7), int_in(0..5), int_in(0..5), int_in(0..4), int_in(0..6), int_in(0..2), int_in(0..3))
                .prop_map(|(m, b, e, r, n, c, f)| PyValue::Tuple(vec![m, b, e, r, n, c, f]))
                .boxed(),
        ),
        "audit_recorder" => built("audit_recorder", Just(PyValue::None).boxed()),
        "ref_delta" => prop_oneof![int_in(-1000..1000), int_in(-100_000_000..100_000_000)].boxed(),
        _ => match name.strip_prefix("member_value_").and_then(|code| code.parse::<i64>().ok()) {
            Some(code) => built(
                "member_value",
                (Just(PyValue::int(code.into())), int_in(0..3), any::<u64>().prop_map(|v| PyValue::int(v.into())))
                    .prop_map(|(c, v, s)| PyValue::Tuple(vec![c, v, s]))
                    .boxed(),
            ),
            None => return None,
        },
    })
}

/// How many kinds `make_object`, `make_type` and `make_callable` (probes/oracles.py) know.
const OBJECT_KINDS: i64 = 6;
const TYPE_KINDS: i64 = 12;
const CALLABLE_KINDS: i64 = 6;
const CAPSULE_KINDS: i64 = 3;

/// `make_buffer` inputs of the given exporter kinds.
fn buffer_of(kinds: &[i64]) -> BoxedStrategy<PyValue> {
    let kinds: Vec<PyValue> = kinds.iter().map(|&k| PyValue::int(k.into())).collect();
    built(
        "buffer",
        (proptest::sample::select(kinds), strategy::bytes()).prop_map(|(k, b)| PyValue::Tuple(vec![k, b])).boxed(),
    )
}

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
    built(
        builder,
        (small_str(), index(), index(), small_str()).prop_map(|(o, s, e, r)| PyValue::Tuple(vec![o, s, e, r])).boxed(),
    )
}

fn choose_str(options: &[&str]) -> BoxedStrategy<PyValue> {
    let values: Vec<PyValue> = options.iter().map(|s| PyValue::Str(s.chars().map(u32::from).collect())).collect();
    proptest::sample::select(values).boxed()
}

/// Names for C strings: no NUL, no lone surrogate, some non-ASCII (group modules).
fn c_name() -> BoxedStrategy<PyValue> {
    "[a-z_\u{e9}\u{3b1}][a-z0-9_ .\u{e9}\u{1F600}]{0,8}"
        .prop_map(|s| PyValue::Str(s.chars().map(u32::from).collect()))
        .boxed()
}

/// ASCII identifiers, short, sometimes dotted or empty.
fn identifier() -> BoxedStrategy<PyValue> {
    "[a-z_][a-z0-9_]{0,8}(\\.[a-z_]{1,4})?".prop_map(|s| PyValue::Str(s.chars().map(u32::from).collect())).boxed()
}

// group rest
/// File contents for PyErr_ProgramText: an optional BOM, a short first line, then lines of
/// text, non-ASCII and invalid UTF-8 fragments or one long line, with any line ending (no NUL:
/// C reads the line as a C string, which a NUL cuts, and 3.12.7/3.13.1 changed how).
fn source_text() -> BoxedStrategy<PyValue> {
    const SHORT: &[&[u8]] = &[
        b"abc",
        b"x = 1",
        b"  ",
        b"\t",
        "\u{e9}\u{20ac}\u{1f600}".as_bytes(),
        b"\xff",
        b"\xe9 ",
        b"\xed\xa0\x80",
        b"#",
    ];
    const ENDINGS: &[&[u8]] = &[b"\n", b"\r\n", b"\r", b""];
    let short = || proptest::collection::vec(proptest::sample::select(SHORT), 0..4).prop_map(|parts| parts.concat());
    let line = prop_oneof![6 => short(), 1 => Just(vec![b'y'; 1500])];
    let ending = || proptest::sample::select(ENDINGS);
    (any::<bool>(), short(), proptest::sample::select(&ENDINGS[..3]), proptest::collection::vec((line, ending()), 0..6))
        .prop_map(|(bom, first, end, rest)| {
            // With a BOM, 3.12.7+ and 3.13.1+ tokenize the first lines to detect the encoding
            // and leave the tokenizer's error set (an invalid character, a bad byte, a digit
            // run into letters as in "1abc"): BOM files hold letters, spaces, `=` and `#` only
            // (see the note of PyErr_ProgramText in errors.toml).
            let plain = |mut text: Vec<u8>| {
                if bom {
                    text.retain(|b| b.is_ascii_alphabetic() || b" =#".contains(b));
                    while text.first() == Some(&b' ') {
                        text.remove(0);
                    }
                }
                text
            };
            let mut out = if bom { b"\xef\xbb\xbf".to_vec() } else { Vec::new() };
            out.extend(plain(first));
            out.extend(end);
            for (text, end) in rest {
                out.extend(plain(text));
                out.extend(end);
            }
            PyValue::Bytes(out)
        })
        .boxed()
}
