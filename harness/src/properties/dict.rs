//! dict: PyDict_*.

use proptest::prelude::*;

use super::object::{dict_of, int_in, none, one, small_str, str_to_bytes, text_bytes, two};
use super::{Property, function};
use crate::value::{PyValue, strategy};

/// Mostly dicts, sometimes another value (PyDict_* check the type and raise SystemError).
fn mostly_dict() -> BoxedStrategy<PyValue> {
    prop_oneof![8 => strategy::dict(), 1 => strategy::any_value()].boxed()
}

/// Keys: hashable, sometimes unhashable (a list).
fn key() -> BoxedStrategy<PyValue> {
    prop_oneof![8 => strategy::hashable(), 1 => strategy::list()].boxed()
}

/// A dict (or other value) and a key that is often one of its keys.
fn dict_and_key(dicts: BoxedStrategy<PyValue>) -> BoxedStrategy<Vec<PyValue>> {
    (dicts, key(), any::<proptest::sample::Index>(), any::<bool>())
        .prop_map(|(d, k, pick, take)| {
            let key = match &d {
                PyValue::Dict(pairs) if take && !pairs.is_empty() => pairs[pick.index(pairs.len())].0.clone(),
                _ => k,
            };
            vec![d, key]
        })
        .boxed()
}

/// The arguments with an unhashable key replaced by None.
fn hashable_key(args: BoxedStrategy<Vec<PyValue>>) -> BoxedStrategy<Vec<PyValue>> {
    args.prop_map(|mut args| {
        if !args[1].is_hashable() {
            args[1] = PyValue::None;
        }
        args
    })
    .boxed()
}

/// Dicts with str keys (for the *String entries).
fn str_keyed_dict() -> BoxedStrategy<PyValue> {
    proptest::collection::vec((prop_oneof![3 => small_str(), 1 => strategy::str()], strategy::scalar()), 0..6)
        .prop_map(dict_of)
        .boxed()
}

/// A dict with str keys and a C string key (bytes) that is often one of them.
fn dict_and_string_key() -> BoxedStrategy<Vec<PyValue>> {
    (
        prop_oneof![8 => str_keyed_dict(), 1 => strategy::any_value()],
        text_bytes(),
        any::<proptest::sample::Index>(),
        any::<bool>(),
    )
        .prop_map(|(d, other, pick, take)| {
            let key = match &d {
                PyValue::Dict(pairs)
                    if take && !pairs.is_empty() && matches!(pairs[pick.index(pairs.len())].0, PyValue::Str(_)) =>
                {
                    str_to_bytes(&pairs[pick.index(pairs.len())].0)
                }
                _ => other,
            };
            vec![d, key]
        })
        .boxed()
}

/// The arguments with a key that is not UTF-8 replaced by a valid one.
fn utf8_key(args: BoxedStrategy<Vec<PyValue>>) -> BoxedStrategy<Vec<PyValue>> {
    args.prop_map(|mut args| {
        if let PyValue::Bytes(key) = &args[1]
            && std::str::from_utf8(key).is_err()
        {
            args[1] = PyValue::Bytes(b"key".to_vec());
        }
        args
    })
    .boxed()
}

/// What dict.update-like entries merge in: dicts, lists of pairs, other values.
fn mapping_like() -> BoxedStrategy<PyValue> {
    prop_oneof![4 => strategy::dict(), 1 => pairs(), 1 => strategy::any_value()].boxed()
}

/// Sequences of (key, value) pairs, some malformed.
fn pairs() -> BoxedStrategy<PyValue> {
    let pair = prop_oneof![
        6 => (strategy::hashable(), strategy::scalar()).prop_map(|(k, v)| PyValue::Tuple(vec![k, v])),
        2 => (strategy::hashable(), strategy::scalar()).prop_map(|(k, v)| PyValue::List(vec![k, v])),
        1 => proptest::collection::vec(strategy::scalar(), 0..4).prop_map(PyValue::Tuple),
        1 => small_str(),
        1 => strategy::scalar(),
    ];
    prop_oneof![
        4 => proptest::collection::vec(pair.clone(), 0..5).prop_map(PyValue::List),
        1 => proptest::collection::vec(pair, 0..5).prop_map(PyValue::Tuple),
        1 => strategy::any_value(),
    ]
    .boxed()
}

pub(super) fn properties() -> Vec<Property> {
    vec![
        function("PyDict_New", "dict", none),
        function("PyDict_SetItem", "dict_setitem", || {
            (dict_and_key(mostly_dict()), strategy::any_value())
                .prop_map(|(mut dk, v)| {
                    dk.push(v);
                    dk
                })
                .boxed()
        }),
        function("PyDict_DelItem", "dict_delitem", || dict_and_key(mostly_dict())),
        // Hashable keys only: from 3.13 on, the errors PyDict_GetItem swallows go to
        // sys.unraisablehook, which prints them.
        function("PyDict_GetItem", "dict_getitem", || hashable_key(dict_and_key(mostly_dict()))),
        function("PyDict_GetItemWithError", "dict_getitem_with_error", || dict_and_key(mostly_dict())),
        function("PyDict_GetItemRef", "dict_getitem_ref", || dict_and_key(mostly_dict())),
        // UTF-8 keys only: from 3.13 on, the decoding error PyDict_GetItemString swallows goes to
        // sys.unraisablehook, which prints it. (PyDict_GetItemStringRef raises it.)
        function("PyDict_GetItemString", "dict_getitem_string", || utf8_key(dict_and_string_key())),
        function("PyDict_GetItemStringRef", "dict_getitem_string_ref", dict_and_string_key),
        function("PyDict_SetItemString", "dict_setitem_string", || {
            (dict_and_string_key(), strategy::scalar())
                .prop_map(|(mut dk, v)| {
                    dk.push(v);
                    dk
                })
                .boxed()
        }),
        function("PyDict_DelItemString", "dict_delitem_string", dict_and_string_key),
        // Only dicts: PyDict_Contains does not check its argument's type.
        function("PyDict_Contains", "dict_contains", || dict_and_key(strategy::dict())),
        function("PyDict_Size", "dict_size", || one(mostly_dict())),
        function("PyDict_Keys", "dict_keys", || one(mostly_dict())),
        function("PyDict_Values", "dict_values", || one(mostly_dict())),
        function("PyDict_Items", "dict_items", || one(mostly_dict())),
        function("PyDict_Copy", "dict_copy", || one(mostly_dict())),
        function("PyDict_Update", "lambda a, b: dict_merge(a, b, 1)", || two(mostly_dict(), mapping_like())),
        function("PyDict_Merge", "dict_merge", || {
            (mostly_dict(), mapping_like(), int_in(0..3)).prop_map(|(a, b, o)| vec![a, b, o]).boxed()
        }),
        // Only dicts: PyDict_MergeFromSeq2 does not check its first argument's type (3.13
        // crashes on a list).
        function("PyDict_MergeFromSeq2", "dict_merge_from_seq2", || {
            (strategy::dict(), pairs(), int_in(0..2)).prop_map(|(a, b, o)| vec![a, b, o]).boxed()
        }),
        function("PyDict_Clear", "dict_clear", || one(mostly_dict())),
        function("PyDict_Next", "dict_next", || one(mostly_dict())),
    ]
}
