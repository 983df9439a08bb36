//! Domains of the containers: list, tuple and the sequence protocol (PyList_*, PyTuple_*,
//! PySequence_*), dict (PyDict_*) and sets (PySet_*, PyFrozenSet_New).

use proptest::prelude::*;

use super::shared::{dict_of, index, int_in, small_str, str_to_bytes, text_bytes, two};
use super::{Arglist, Domain};
use crate::value::{PyValue, strategy};

pub(super) const DOMAINS: &[Domain] = &[
    ("mostly_list", mostly_list),
    ("mostly_tuple", mostly_tuple),
    ("sortable_list", sortable_list),
    ("any_sequence", sequence_like),
    ("replacement", replacement),
    ("slice_bound", slice_bound),
    ("pack_items", pack_items),
    ("mostly_dict", mostly_dict),
    ("mapping_like", mapping_like),
    ("pairs", pairs),
    ("set_items", items),
];

pub(super) const ARGLISTS: &[Arglist] = &[
    ("concat_pair", 2, concat_pair),
    ("inplace_concat_pair", 2, inplace_concat_pair),
    ("sequence_and_item", 2, sequence_and_item),
    ("list_and_index", 2, || sequence_and_index(mostly_list())),
    ("list_index_item", 3, || with_item(sequence_and_index(strategy::list()))),
    ("sequence_index_item", 3, || with_item(sequence_and_index(sequence_like()))),
    ("dict_and_key", 2, || dict_and_key(mostly_dict())),
    ("exact_dict_and_key", 2, || dict_and_key(strategy::dict())),
    ("dict_and_hashable_key", 2, || hashable_key(dict_and_key(mostly_dict()))),
    ("dict_key_value", 3, dict_key_value),
    ("dict_and_string_key", 2, dict_and_string_key),
    ("dict_and_utf8_key", 2, || utf8_key(dict_and_string_key())),
    ("dict_string_key_value", 3, dict_string_key_value),
    ("set_items_and_key", 2, items_and_key),
];

/// Up to four items of any kind, as a list (PyTuple_Pack's varargs).
fn pack_items() -> BoxedStrategy<PyValue> {
    proptest::collection::vec(strategy::any_value(), 0..5).prop_map(PyValue::List).boxed()
}

/// Two sequences to concatenate (flat: concatenation doubles what is encoded).
fn concat_pair() -> BoxedStrategy<Vec<PyValue>> {
    prop_oneof![3 => two(flat_sequence_like(), flat_sequence_like()), 1 => two(flat_list(), flat_list())].boxed()
}

/// Two sequences to concatenate in place, often a list and a tuple.
fn inplace_concat_pair() -> BoxedStrategy<Vec<PyValue>> {
    prop_oneof![3 => two(flat_sequence_like(), flat_sequence_like()), 1 => two(flat_list(), flat_tuple())].boxed()
}

/// A dict (or other value), a key that is often one of its keys, and a value.
fn dict_key_value() -> BoxedStrategy<Vec<PyValue>> {
    (dict_and_key(mostly_dict()), strategy::any_value())
        .prop_map(|(mut dk, v)| {
            dk.push(v);
            dk
        })
        .boxed()
}

/// A dict with str keys, a C string key that is often one of them, and a value.
fn dict_string_key_value() -> BoxedStrategy<Vec<PyValue>> {
    (dict_and_string_key(), strategy::scalar())
        .prop_map(|(mut dk, v)| {
            dk.push(v);
            dk
        })
        .boxed()
}

/// Mostly lists, sometimes another value (the PyList_* type checks raise SystemError).
fn mostly_list() -> BoxedStrategy<PyValue> {
    prop_oneof![8 => strategy::list(), 1 => strategy::any_value()].boxed()
}

fn mostly_tuple() -> BoxedStrategy<PyValue> {
    prop_oneof![8 => strategy::tuple(), 1 => strategy::any_value()].boxed()
}

/// Lists that sort (one element type) or do not (mixed types).
fn sortable_list() -> BoxedStrategy<PyValue> {
    prop_oneof![
        2 => proptest::collection::vec(strategy::int(), 0..8).prop_map(PyValue::List),
        2 => proptest::collection::vec(small_str(), 0..8).prop_map(PyValue::List),
        1 => proptest::collection::vec(strategy::float(), 0..8).prop_map(PyValue::List),
        1 => proptest::collection::vec(proptest::collection::vec(strategy::int(), 0..3).prop_map(PyValue::Tuple), 0..6).prop_map(PyValue::List),
        2 => mostly_list(),
    ]
    .boxed()
}

/// Any sequence-ish value: list, tuple, str, bytes, dict (a mapping, not a sequence), other.
fn sequence_like() -> BoxedStrategy<PyValue> {
    prop_oneof![
        3 => strategy::list(),
        2 => strategy::tuple(),
        2 => strategy::str(),
        1 => strategy::bytes(),
        1 => strategy::dict(),
        1 => strategy::scalar(),
    ]
    .boxed()
}

fn flat_list() -> BoxedStrategy<PyValue> {
    proptest::collection::vec(strategy::scalar(), 0..6).prop_map(PyValue::List).boxed()
}

fn flat_tuple() -> BoxedStrategy<PyValue> {
    proptest::collection::vec(strategy::scalar(), 0..6).prop_map(PyValue::Tuple).boxed()
}

/// Like sequence_like, with flat lists and tuples: concatenation doubles what is encoded.
fn flat_sequence_like() -> BoxedStrategy<PyValue> {
    prop_oneof![
        3 => flat_list(),
        2 => flat_tuple(),
        2 => strategy::str(),
        1 => strategy::bytes(),
        1 => proptest::collection::vec((strategy::hashable(), strategy::scalar()), 0..4).prop_map(dict_of),
        1 => strategy::scalar(),
    ]
    .boxed()
}

/// A sequence and an item that is often in it.
fn sequence_and_item() -> BoxedStrategy<Vec<PyValue>> {
    (sequence_like(), strategy::any_value(), any::<proptest::sample::Index>(), any::<bool>())
        .prop_map(|(seq, other, pick, take)| {
            let item = match &seq {
                PyValue::List(items) | PyValue::Tuple(items) if take && !items.is_empty() => {
                    items[pick.index(items.len())].clone()
                }
                PyValue::Str(cps) if take && !cps.is_empty() => PyValue::Str(vec![cps[pick.index(cps.len())]]),
                PyValue::Dict(pairs) if take && !pairs.is_empty() => pairs[pick.index(pairs.len())].0.clone(),
                _ => other,
            };
            vec![seq, item]
        })
        .boxed()
}

/// Slice replacements: iterables of various kinds, or None (delete).
fn replacement() -> BoxedStrategy<PyValue> {
    prop_oneof![3 => strategy::list(), 1 => strategy::tuple(), 1 => small_str(), 1 => Just(PyValue::None), 1 => strategy::scalar()]
        .boxed()
}

fn slice_bound() -> BoxedStrategy<PyValue> {
    prop_oneof![6 => int_in(-10..12), 1 => index()].boxed()
}

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

/// Hashable items whose hash does not depend on their address (no None before 3.12, no NaN
/// since 3.10): set order, and so the outcomes, must be the same on every run.
fn stable_item() -> BoxedStrategy<PyValue> {
    prop_oneof![
        3 => strategy::int(),
        2 => strategy::str(),
        1 => strategy::bytes(),
        1 => strategy::float().prop_filter("NaN hashes by address", |v| !matches!(v, PyValue::Float(x) if x.is_nan())),
        1 => any::<bool>().prop_map(PyValue::Bool),
    ]
    .boxed()
}

/// What a set is built from: mostly lists of items, sometimes anything (str iterates, int is
/// refused, a list of lists is unhashable).
fn items() -> BoxedStrategy<PyValue> {
    prop_oneof![
        6 => proptest::collection::vec(stable_item(), 0..6).prop_map(PyValue::List),
        1 => strategy::str(),
        1 => strategy::int(),
        1 => proptest::collection::vec(strategy::list(), 1..3).prop_map(PyValue::List),
    ]
    .boxed()
}

/// An item of the list or another, sometimes unhashable.
fn items_and_key() -> BoxedStrategy<Vec<PyValue>> {
    (
        proptest::collection::vec(stable_item(), 0..6),
        stable_item(),
        0..4usize,
        prop_oneof![8 => Just(false), 1 => Just(true)],
    )
        .prop_map(|(list, other, pick, unhashable)| {
            let key = if unhashable { PyValue::List(vec![other]) } else { list.get(pick).cloned().unwrap_or(other) };
            vec![PyValue::List(list), key]
        })
        .boxed()
}

/// A sequence and an index that is mostly inside it (from either end), so that item access
/// reaches its success path; sometimes any index.
fn sequence_and_index(sequences: BoxedStrategy<PyValue>) -> BoxedStrategy<Vec<PyValue>> {
    (sequences, index(), any::<proptest::sample::Index>(), 0..4u8)
        .prop_map(|(seq, other, pick, how)| {
            let len = match &seq {
                PyValue::List(items) | PyValue::Tuple(items) => items.len(),
                _ => 0,
            };
            let at = if len > 0 && how > 0 {
                let k = pick.index(len) as i64;
                PyValue::int(if how == 3 { k - len as i64 } else { k }.into())
            } else {
                other
            };
            vec![seq, at]
        })
        .boxed()
}

/// The arguments with any value appended (the item to store).
fn with_item(args: BoxedStrategy<Vec<PyValue>>) -> BoxedStrategy<Vec<PyValue>> {
    (args, strategy::any_value())
        .prop_map(|(mut args, item)| {
            args.push(item);
            args
        })
        .boxed()
}
