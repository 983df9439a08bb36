//! list, tuple and the sequence protocol: PyList_*, PyTuple_*, PySequence_*.

use proptest::prelude::*;

use super::object::{dict_of, index, int_in, one, small_str, three, two};
use super::{Property, function};
use crate::value::{PyValue, strategy};

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

pub(super) fn properties() -> Vec<Property> {
    vec![
        function("PyList_New", "list", || one(strategy::list())),
        function("PyList_SetItem", "list_setitem", || three(mostly_list(), index(), strategy::any_value())),
        function("PyList_Size", "list_size", || one(mostly_list())),
        function("PyList_GetItem", "list_getitem", || two(mostly_list(), index())),
        function("PyList_Append", "list_append", || two(mostly_list(), strategy::any_value())),
        function("PyList_Insert", "list_insert", || three(mostly_list(), index(), strategy::any_value())),
        function("PyList_Reverse", "list_reverse", || one(mostly_list())),
        function("PyList_Sort", "list_sort", || one(sortable_list())),
        function("PyList_AsTuple", "list_as_tuple", || one(mostly_list())),
        function("PyList_GetSlice", "list_getslice", || three(mostly_list(), slice_bound(), slice_bound())),
        function("PyList_SetSlice", "list_setslice", || {
            (mostly_list(), slice_bound(), slice_bound(), replacement())
                .prop_map(|(l, a, b, r)| vec![l, a, b, r])
                .boxed()
        }),
        function("PyList_GetItemRef", "list_getitem_ref", || two(mostly_list(), index())),
        function("PyTuple_New", "tuple", || one(strategy::list())),
        function("PyTuple_SetItem", "tuple_setitem", || three(strategy::list(), index(), strategy::any_value())),
        function("PyTuple_Size", "tuple_size", || one(mostly_tuple())),
        function("PyTuple_GetItem", "tuple_getitem", || two(mostly_tuple(), index())),
        function("PyTuple_GetSlice", "tuple_getslice", || three(mostly_tuple(), slice_bound(), slice_bound())),
        function("PyTuple_Pack", "tuple", || {
            one(proptest::collection::vec(strategy::any_value(), 0..5).prop_map(PyValue::List).boxed())
        }),
        function("PySequence_Check", "sequence_check", || one(sequence_like())),
        function("PySequence_Size", "sequence_size", || one(sequence_like())),
        function("PySequence_Length", "sequence_size", || one(sequence_like())),
        function("PySequence_GetItem", "sequence_getitem", || two(sequence_like(), index())),
        function("PySequence_SetItem", "sequence_setitem", || three(sequence_like(), index(), strategy::any_value())),
        function("PySequence_DelItem", "sequence_delitem", || two(sequence_like(), index())),
        // On a dict, the slice becomes a key: unhashable (TypeError) before 3.12, hashable
        // (KeyError, or a new key) from 3.12 on.
        function("PySequence_GetSlice", "lambda s, a, b: s[a:b]", || {
            three(sequence_like(), slice_bound(), slice_bound())
        }),
        function("PySequence_SetSlice", "sequence_setslice", || {
            (sequence_like(), slice_bound(), slice_bound(), replacement())
                .prop_map(|(s, a, b, r)| vec![s, a, b, r])
                .boxed()
        }),
        function("PySequence_DelSlice", "sequence_delslice", || three(sequence_like(), slice_bound(), slice_bound())),
        function("PySequence_Concat", "sequence_concat", || {
            prop_oneof![3 => two(flat_sequence_like(), flat_sequence_like()), 1 => two(flat_list(), flat_list())]
                .boxed()
        }),
        function("PySequence_InPlaceConcat", "sequence_inplace_concat", || {
            prop_oneof![3 => two(flat_sequence_like(), flat_sequence_like()), 1 => two(flat_list(), flat_tuple())]
                .boxed()
        }),
        function("PySequence_Repeat", "sequence_repeat", || two(sequence_like(), int_in(-2..6))),
        function("PySequence_Contains", "contains", sequence_and_item),
        function("PySequence_In", "contains", sequence_and_item),
        function("PySequence_Index", "sequence_index", sequence_and_item),
        function("PySequence_Count", "sequence_count", sequence_and_item),
        function("PySequence_List", "list", || one(sequence_like())),
        function("PySequence_Tuple", "tuple", || one(sequence_like())),
        function("PySequence_Fast", "sequence_fast", || one(sequence_like())),
    ]
}
