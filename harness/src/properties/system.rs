//! The interpreter's identity (Py_Get*), sys (PySys_GetObject), imports (PyImport_*) and the
//! codec registry (PyCodec_*): each against what Python code reads or calls.

use proptest::prelude::*;

use super::object::{mostly_str, none, one, three};
use super::{Property, function};
use crate::value::{PyValue, strategy};

fn pick(names: &[&'static str]) -> BoxedStrategy<PyValue> {
    proptest::sample::select(names.to_vec()).prop_map(PyValue::str).boxed()
}

fn module_name() -> BoxedStrategy<PyValue> {
    pick(&["math", "os.path", "json", "collections.abc", "no_such_module_here", "", "math.nope"])
}

fn encoding() -> BoxedStrategy<PyValue> {
    pick(&["utf-8", "latin-1", "ascii", "utf-16", "rot13", "hex", "base64", "no-such-codec"])
}

fn errors() -> BoxedStrategy<PyValue> {
    prop_oneof![1 => Just(PyValue::None), 2 => pick(&["strict", "replace", "ignore", "bogus"])].boxed()
}

fn codec_input() -> BoxedStrategy<PyValue> {
    prop_oneof![3 => mostly_str(), 2 => strategy::bytes()].boxed()
}

pub(super) fn properties() -> Vec<Property> {
    vec![
        function("PySys_GetObject", "lambda n: [getattr(sys, n)] if hasattr(sys, n) else []", || {
            one(pick(&["maxsize", "byteorder", "version", "hexversion", "flags", "float_info", "maxunicode", "nope"]))
        }),
        function("Py_GetVersion", "lambda: sys.version", none),
        function("Py_GetPlatform", "lambda: sys.platform", none),
        function("Py_GetCopyright", "lambda: sys.copyright", none),
        function("Py_GetRecursionLimit", "sys.getrecursionlimit", none),
        function("Py_IsInitialized", "lambda: 1", none),
        function("PyImport_ImportModule", "lambda n: __import__('importlib').import_module(n)", || one(module_name())),
        function("PyImport_Import", "lambda n: __import__('importlib').import_module(n)", || one(module_name())),
        function(
            "PyImport_GetMagicNumber",
            "lambda: int.from_bytes(__import__('importlib.util').util.MAGIC_NUMBER, 'little')",
            none,
        ),
        function("PyImport_GetMagicTag", "lambda: sys.implementation.cache_tag", none),
        function("PyCodec_KnownEncoding", "known_encoding", || one(encoding())),
        function(
            "PyCodec_Encode",
            "lambda o, e, r: __import__('codecs').encode(o, e, 'strict' if r is None else r)",
            || three(codec_input(), encoding(), errors()),
        ),
        function(
            "PyCodec_Decode",
            "lambda o, e, r: __import__('codecs').decode(o, e, 'strict' if r is None else r)",
            || three(codec_input(), encoding(), errors()),
        ),
    ]
}
