//! Domains of the interpreter's identity, sys, imports and the codec registry (PySys_GetObject,
//! PyImport_*, PyCodec_*).

use proptest::prelude::*;

use super::Domain;
use super::shared::mostly_str;
use crate::value::{PyValue, strategy};

pub(super) const DOMAINS: &[Domain] = &[
    ("sys_attribute", sys_attribute),
    ("import_module_name", module_name),
    ("codec_name", encoding),
    ("codec_errors", errors),
    ("codec_input", codec_input),
];

/// Attributes of sys, and one that is missing.
fn sys_attribute() -> BoxedStrategy<PyValue> {
    pick(&["maxsize", "byteorder", "version", "hexversion", "flags", "float_info", "maxunicode", "nope"])
}

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
