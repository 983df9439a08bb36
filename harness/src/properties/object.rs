//! The object protocol (PyObject_*, PyIter_Next, PyCallable_Check) and the exported type and
//! singleton objects (PyLong_Type, _Py_NoneStruct, ...), with the argument strategies the
//! other families share.

use proptest::prelude::*;

use super::{Args, Property, function};
use crate::manifest::EntryKind::{Data, Function};
use crate::value::{PyValue, strategy};

/// One argument.
pub(super) fn one(a: BoxedStrategy<PyValue>) -> BoxedStrategy<Vec<PyValue>> {
    a.prop_map(|a| vec![a]).boxed()
}

/// Two independent arguments.
pub(super) fn two(a: BoxedStrategy<PyValue>, b: BoxedStrategy<PyValue>) -> BoxedStrategy<Vec<PyValue>> {
    (a, b).prop_map(|(a, b)| vec![a, b]).boxed()
}

/// Three independent arguments.
pub(super) fn three(
    a: BoxedStrategy<PyValue>,
    b: BoxedStrategy<PyValue>,
    c: BoxedStrategy<PyValue>,
) -> BoxedStrategy<Vec<PyValue>> {
    (a, b, c).prop_map(|(a, b, c)| vec![a, b, c]).boxed()
}

/// No arguments.
pub(super) fn none() -> BoxedStrategy<Vec<PyValue>> {
    Just(Vec::new()).boxed()
}

/// A dict of the pairs, the first of equal keys kept (Python would collapse them).
pub(super) fn dict_of(pairs: Vec<(PyValue, PyValue)>) -> PyValue {
    let mut kept: Vec<(PyValue, PyValue)> = Vec::new();
    for (key, value) in pairs {
        if !kept.iter().any(|(k, _)| *k == key) {
            kept.push((key, value));
        }
    }
    PyValue::Dict(kept)
}

/// Ints from a range.
pub(super) fn int_in(range: std::ops::Range<i64>) -> BoxedStrategy<PyValue> {
    range.prop_map(|v| PyValue::int(v.into())).boxed()
}

/// Ints that fit a C long (and so a Py_ssize_t), as values.
pub(super) fn c_long_value() -> BoxedStrategy<PyValue> {
    strategy::c_long().prop_map(|v| PyValue::int(v.into())).boxed()
}

/// Indices around a small container's bounds, plus a few far-away ones.
pub(super) fn index() -> BoxedStrategy<PyValue> {
    prop_oneof![
        6 => int_in(-10..12),
        1 => proptest::sample::select(vec![i64::MIN, i64::MAX, i64::MIN + 1, 1 << 40, -(1 << 40)])
            .prop_map(|v| PyValue::int(v.into())),
    ]
    .boxed()
}

pub(super) fn boolean() -> BoxedStrategy<PyValue> {
    any::<bool>().prop_map(PyValue::Bool).boxed()
}

/// Strings over a tiny alphabet, so that searches, splits and comparisons hit often.
pub(super) fn small_str() -> BoxedStrategy<PyValue> {
    let alphabet: Vec<u32> = vec!['a' as u32, 'b' as u32, ' ' as u32, '\n' as u32, 0xe9, 0x3b1, 0x1F600, '\t' as u32];
    proptest::collection::vec(proptest::sample::select(alphabet), 0..10).prop_map(PyValue::Str).boxed()
}

/// Mostly strings, sometimes anything else (for the type checks).
pub(super) fn mostly_str() -> BoxedStrategy<PyValue> {
    prop_oneof![8 => strategy::str(), 2 => small_str(), 1 => strategy::any_value()].boxed()
}

/// Code points as UTF-8 bytes (lone surrogates encoded as 3-byte sequences, which are invalid).
fn utf8_of(code_points: &[u32]) -> Vec<u8> {
    let mut out = Vec::new();
    for &cp in code_points {
        match char::from_u32(cp) {
            Some(c) => {
                let mut buffer = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
            }
            // A surrogate: the 3-byte pattern UTF-8 forbids for it.
            None => out.extend_from_slice(&[
                0xE0 | (cp >> 12) as u8,
                0x80 | ((cp >> 6) & 0x3F) as u8,
                0x80 | (cp & 0x3F) as u8,
            ]),
        }
    }
    out
}

/// Bytes that are mostly UTF-8 text (some with surrogates or NULs), sometimes random.
pub(super) fn text_bytes() -> BoxedStrategy<PyValue> {
    prop_oneof![
        4 => proptest::collection::vec(strategy::code_point(), 0..16).prop_map(|cps| PyValue::Bytes(utf8_of(&cps))),
        2 => strategy::bytes(),
        1 => (proptest::collection::vec(strategy::code_point(), 0..8), proptest::collection::vec(strategy::code_point(), 0..8))
            .prop_map(|(a, b)| {
                let mut out = utf8_of(&a);
                out.push(0);
                out.extend(utf8_of(&b));
                PyValue::Bytes(out)
            }),
    ]
    .boxed()
}

/// ASCII bytes without NULs (C strings that are plain ASCII).
pub(super) fn ascii_bytes() -> BoxedStrategy<PyValue> {
    proptest::collection::vec(1u8..0x80, 0..12).prop_map(PyValue::Bytes).boxed()
}

/// A str value as its UTF-8 bytes (lone surrogates as their 3-byte patterns); others unchanged.
pub(super) fn str_to_bytes(value: &PyValue) -> PyValue {
    match value {
        PyValue::Str(cps) => PyValue::Bytes(utf8_of(cps)),
        other => other.clone(),
    }
}

/// Values whose iteration yields small ints: what bytes() and bytearray() accept.
pub(super) fn byte_source() -> BoxedStrategy<PyValue> {
    let byte_list = proptest::collection::vec(
        prop_oneof![8 => int_in(0..256), 1 => int_in(-2..300), 1 => strategy::scalar()],
        0..8,
    );
    prop_oneof![
        3 => byte_list.clone().prop_map(PyValue::List),
        2 => byte_list.prop_map(PyValue::Tuple),
        2 => strategy::bytes(),
        1 => strategy::str(),
        1 => int_in(-3..40),
        2 => strategy::any_value(),
    ]
    .boxed()
}

/// A float that is not NaN and holds no NaN: NaN hashes by identity from 3.10 on, so two equal
/// copies of a NaN do not hash alike.
/// Replaces the values whose hash depends on their address, and so changes from run to run: a
/// NaN's (since 3.10) and None's (before 3.12). Outcomes must not depend on them, or the
/// comparison with the build's own version would compare addresses.
fn with_stable_hash(value: PyValue) -> PyValue {
    match value {
        PyValue::Float(x) if x.is_nan() => PyValue::Float(0.5),
        PyValue::None => PyValue::Bool(false),
        PyValue::List(items) => PyValue::List(items.into_iter().map(with_stable_hash).collect()),
        PyValue::Tuple(items) => PyValue::Tuple(items.into_iter().map(with_stable_hash).collect()),
        PyValue::Dict(pairs) => {
            PyValue::Dict(pairs.into_iter().map(|(k, v)| (with_stable_hash(k), with_stable_hash(v))).collect())
        }
        other => other,
    }
}

/// Any value, often a str (whose attributes are many).
fn any_or_str() -> BoxedStrategy<PyValue> {
    prop_oneof![2 => strategy::any_value(), 1 => small_str()].boxed()
}

/// ASCII attribute names, most of which some value has (C-string arguments: no NUL). No
/// method names: a bound method's repr carries an address, which differs between two calls.
fn known_attribute() -> BoxedStrategy<PyValue> {
    let names = ["real", "imag", "numerator", "__class__", "nope", "__doc__", "__module__", ""];
    proptest::sample::select(names.to_vec()).prop_map(PyValue::str).boxed()
}

/// A dict with str keys like [`known_attribute`]'s, or some other value.
fn str_keyed_dict() -> BoxedStrategy<PyValue> {
    prop_oneof![
        4 => proptest::collection::vec((known_attribute(), strategy::scalar()), 0..4).prop_map(dict_of),
        1 => strategy::any_value(),
    ]
    .boxed()
}

/// A container with a key that is often in it.
fn container_and_key() -> BoxedStrategy<Vec<PyValue>> {
    prop_oneof![
        2 => (strategy::list(), index()).prop_map(|(c, k)| vec![c, k]),
        1 => (strategy::tuple(), index()).prop_map(|(c, k)| vec![c, k]),
        1 => (strategy::str(), index()).prop_map(|(c, k)| vec![c, k]),
        1 => (strategy::bytes(), index()).prop_map(|(c, k)| vec![c, k]),
        2 => (strategy::dict(), strategy::hashable(), any::<proptest::sample::Index>()).prop_map(|(d, k, pick)| {
            let key = match &d {
                PyValue::Dict(pairs) if !pairs.is_empty() && pick.index(2) == 0 => pairs[pick.index(pairs.len())].0.clone(),
                _ => k,
            };
            vec![d, key]
        }),
        1 => (strategy::any_value(), strategy::any_value()).prop_map(|(c, k)| vec![c, k]),
    ]
    .boxed()
}

/// Comparison operands: often equal or of one kind.
pub(super) fn comparable_pair() -> BoxedStrategy<(PyValue, PyValue)> {
    prop_oneof![
        2 => (strategy::int(), strategy::int()),
        1 => (strategy::float(), strategy::int()),
        2 => (small_str(), small_str()),
        1 => strategy::any_value().prop_map(|v| (v.clone(), v)),
        2 => (strategy::any_value(), strategy::any_value()),
    ]
    .boxed()
}

/// Attribute names: some that exist on the values, some that do not.
fn attribute_name() -> BoxedStrategy<PyValue> {
    let names = ["real", "imag", "numerator", "denominator", "__class__", "__doc__", "nope", "", "__len__x"];
    prop_oneof![
        4 => proptest::sample::select(names.to_vec()).prop_map(PyValue::str),
        1 => strategy::str(),
    ]
    .boxed()
}

/// Format specs for format(): valid and invalid for the various types.
fn format_spec() -> BoxedStrategy<PyValue> {
    let specs = ["", "d", "x", "08.3f", ">6", "^7s", "e", "%", "n", ",", "_x", "+", "c", "s", "r", "#o", "=+10"];
    // No free-form specs: digits in one could ask for a width of gigabytes.
    prop_oneof![5 => proptest::sample::select(specs.to_vec()).prop_map(PyValue::str), 1 => small_str()].boxed()
}

pub(super) fn properties() -> Vec<Property> {
    vec![
        Property {
            entry: "PyObject_Repr",
            kind: Function,
            routine: "PyObject_Repr",
            oracle: "repr",
            args: Args::Strategy(|| one(strategy::any_value())),
        },
        Property {
            entry: "PyObject_Str",
            kind: Function,
            routine: "PyObject_Str",
            oracle: "str",
            args: Args::Strategy(|| one(strategy::any_value())),
        },
        Property {
            entry: "PyObject_ASCII",
            kind: Function,
            routine: "PyObject_ASCII",
            oracle: "ascii",
            args: Args::Strategy(|| one(strategy::any_value())),
        },
        Property {
            entry: "PyObject_Bytes",
            kind: Function,
            routine: "PyObject_Bytes",
            oracle: "object_bytes",
            args: Args::Strategy(|| one(byte_source())),
        },
        Property {
            entry: "PyObject_Type",
            kind: Function,
            routine: "PyObject_Type",
            oracle: "type",
            args: Args::Strategy(|| one(strategy::any_value())),
        },
        Property {
            entry: "PyObject_Hash",
            kind: Function,
            routine: "PyObject_Hash",
            oracle: "hash",
            args: Args::Strategy(|| one(strategy::any_value().prop_map(with_stable_hash).boxed())),
        },
        Property {
            entry: "PyObject_IsTrue",
            kind: Function,
            routine: "PyObject_IsTrue",
            oracle: "truth",
            args: Args::Strategy(|| one(strategy::any_value())),
        },
        Property {
            entry: "PyObject_Not",
            kind: Function,
            routine: "PyObject_Not",
            oracle: "lambda x: 1 - truth(x)",
            args: Args::Strategy(|| one(strategy::any_value())),
        },
        Property {
            entry: "PyObject_Size",
            kind: Function,
            routine: "PyObject_Size",
            oracle: "len",
            args: Args::Strategy(|| one(strategy::any_value())),
        },
        Property {
            entry: "PyObject_Length",
            kind: Function,
            routine: "PyObject_Length",
            oracle: "len",
            args: Args::Strategy(|| one(strategy::any_value())),
        },
        Property {
            entry: "PyObject_RichCompare",
            kind: Function,
            routine: "PyObject_RichCompare",
            oracle: "rich_compare",
            args: Args::Strategy(|| {
                (comparable_pair(), 0i64..6).prop_map(|((a, b), op)| vec![a, b, PyValue::int(op.into())]).boxed()
            }),
        },
        Property {
            entry: "PyObject_RichCompareBool",
            kind: Function,
            routine: "PyObject_RichCompareBool",
            oracle: "rich_compare_bool",
            args: Args::Strategy(|| {
                (comparable_pair(), 0i64..6).prop_map(|((a, b), op)| vec![a, b, PyValue::int(op.into())]).boxed()
            }),
        },
        Property {
            entry: "PyObject_GetItem",
            kind: Function,
            routine: "PyObject_GetItem",
            oracle: "operator.getitem",
            args: Args::Strategy(container_and_key),
        },
        Property {
            entry: "PyObject_SetItem",
            kind: Function,
            routine: "PyObject_SetItem",
            oracle: "operator.setitem",
            args: Args::Strategy(|| {
                (container_and_key(), strategy::any_value())
                    .prop_map(|(mut ck, v)| {
                        ck.push(v);
                        ck
                    })
                    .boxed()
            }),
        },
        Property {
            entry: "PyObject_DelItem",
            kind: Function,
            routine: "PyObject_DelItem",
            oracle: "operator.delitem",
            args: Args::Strategy(container_and_key),
        },
        Property {
            entry: "PyObject_GetIter",
            kind: Function,
            routine: "PyObject_GetIter",
            oracle: "iterated",
            args: Args::Strategy(|| one(strategy::any_value())),
        },
        Property {
            entry: "PyIter_Next",
            kind: Function,
            routine: "PyIter_Next",
            oracle: "list",
            args: Args::Strategy(|| one(strategy::any_value())),
        },
        Property {
            entry: "PyCallable_Check",
            kind: Function,
            routine: "PyCallable_Check",
            oracle: "lambda x: (truth(callable(x)), truth(callable(type(x))))",
            args: Args::Strategy(|| one(strategy::any_value())),
        },
        Property {
            entry: "PyObject_IsInstance",
            kind: Function,
            routine: "PyObject_IsInstance",
            oracle: "lambda x, y: truth(isinstance(x, type(y)))",
            args: Args::Strategy(|| two(strategy::any_value(), strategy::any_value())),
        },
        Property {
            entry: "PyObject_IsSubclass",
            kind: Function,
            routine: "PyObject_IsSubclass",
            oracle: "lambda x, y: truth(issubclass(type(x), type(y)))",
            args: Args::Strategy(|| two(strategy::any_value(), strategy::any_value())),
        },
        Property {
            entry: "PyObject_HasAttr",
            kind: Function,
            routine: "PyObject_HasAttr",
            oracle: "has_attr",
            args: Args::Strategy(|| two(strategy::any_value(), attribute_name())),
        },
        Property {
            entry: "PyObject_GetAttr",
            kind: Function,
            routine: "PyObject_GetAttr",
            oracle: "getattr",
            args: Args::Strategy(|| two(strategy::any_value(), attribute_name())),
        },
        Property {
            entry: "PyObject_Format",
            kind: Function,
            routine: "PyObject_Format",
            oracle: "format",
            args: Args::Strategy(|| two(strategy::scalar(), format_spec())),
        },
        // A '#' format: its length is a Py_ssize_t (PY_SSIZE_T_CLEAN) only if the headers map
        // Py_BuildValue to _Py_BuildValue_SizeT; 3.13's headers no longer do, even for an older
        // limited API, which 3.10-3.12 then refuse with SystemError.
        Property {
            entry: "Py_BuildValue",
            kind: Function,
            routine: "Py_BuildValue",
            oracle: "lambda b, n: (b, n)",
            args: Args::Strategy(|| two(strategy::bytes(), c_long_value())),
        },
        data("PyComplex_Type", "lambda: (complex, True)"),
        data("PySet_Type", "lambda: (set, True)"),
        data("PyFrozenSet_Type", "lambda: (frozenset, True)"),
        data("PySlice_Type", "lambda: (slice, True)"),
        data("PyRange_Type", "lambda: (range, True)"),
        data("PyMemoryView_Type", "lambda: (memoryview, True)"),
        data("PyProperty_Type", "lambda: (property, True)"),
        data("PyEnum_Type", "lambda: (enumerate, True)"),
        data("PyFilter_Type", "lambda: (filter, True)"),
        data("PyMap_Type", "lambda: (map, True)"),
        data("PyZip_Type", "lambda: (zip, True)"),
        data("PyReversed_Type", "lambda: (reversed, True)"),
        data("PySuper_Type", "lambda: (super, True)"),
        data("PyByteArrayIter_Type", "lambda: type(iter(bytearray()))"),
        data("PyBytesIter_Type", "lambda: type(iter(b''))"),
        data("PyCallIter_Type", "lambda: type(iter(int, 1))"),
        data("PyCapsule_Type", "lambda: type(__import__('datetime').datetime_CAPI)"),
        data("PyClassMethodDescr_Type", "lambda: type(dict.__dict__['fromkeys'])"),
        data("PyDictItems_Type", "lambda: type({}.items())"),
        data("PyDictKeys_Type", "lambda: type({}.keys())"),
        data("PyDictValues_Type", "lambda: type({}.values())"),
        data("PyDictIterItem_Type", "lambda: type(iter({}.items()))"),
        data("PyDictIterKey_Type", "lambda: type(iter({}))"),
        data("PyDictIterValue_Type", "lambda: type(iter({}.values()))"),
        data("PyDictRevIterItem_Type", "lambda: type(reversed({}.items()))"),
        data("PyDictRevIterKey_Type", "lambda: type(reversed({}))"),
        data("PyDictRevIterValue_Type", "lambda: type(reversed({}.values()))"),
        data("PyDictProxy_Type", "lambda: type(type.__dict__)"),
        data("PyEllipsis_Type", "lambda: type(Ellipsis)"),
        data("PyGetSetDescr_Type", "lambda: type(type.__dict__['__name__'])"),
        data("PyMemberDescr_Type", "lambda: type(type.__dict__['__basicsize__'])"),
        data("PyMethodDescr_Type", "lambda: type(list.append)"),
        data("PyWrapperDescr_Type", "lambda: type(object.__init__)"),
        data("PyCFunction_Type", "lambda: type(len)"),
        data("PyListIter_Type", "lambda: type(iter([]))"),
        data("PyListRevIter_Type", "lambda: type(reversed([]))"),
        data("PyLongRangeIter_Type", "lambda: type(iter(range(2 ** 64)))"),
        data("PyRangeIter_Type", "lambda: type(iter(range(1)))"),
        data("PyModule_Type", "lambda: type(sys)"),
        data("PySeqIter_Type", "lambda: type(iter(type('Seq', (), {'__getitem__': lambda self, i: 1 // 0})()))"),
        data("PySetIter_Type", "lambda: type(iter(set()))"),
        data("PyTupleIter_Type", "lambda: type(iter(()))"),
        data("PyUnicodeIter_Type", "lambda: type(iter('\\u20ac'))"),
        data("PyTraceBack_Type", "lambda: __import__('types').TracebackType"),
        data("Py_GenericAliasType", "lambda: type(list[int])"),
        data("_PyWeakref_RefType", "lambda: __import__('weakref').ref"),
        data("_PyWeakref_ProxyType", "lambda: __import__('weakref').ProxyType"),
        data("_PyWeakref_CallableProxyType", "lambda: __import__('weakref').CallableProxyType"),
        function("PyObject_GetAttrString", "getattr", || two(any_or_str(), known_attribute())),
        function("PyObject_HasAttrString", "has_attr", || two(any_or_str(), known_attribute())),
        function("PyObject_SetAttrString", "setattr", || three(any_or_str(), known_attribute(), strategy::scalar())),
        function("PyObject_SetAttr", "setattr", || three(any_or_str(), attribute_name(), strategy::scalar())),
        function("PyObject_Dir", "dir", || one(any_or_str())),
        function("PyObject_GenericGetAttr", "object.__getattribute__", || two(any_or_str(), attribute_name())),
        function("PyObject_SelfIter", "lambda o: o", || one(strategy::any_value())),
        function("PyObject_HashNotImplemented", "lambda o: raise_(TypeError)", || one(strategy::any_value())),
        function("PyMapping_Check", "lambda o: int(hasattr(type(o), '__getitem__'))", || one(strategy::any_value())),
        function("PyMapping_Size", "len", || one(strategy::any_value())),
        function("PyMapping_HasKey", "mapping_has_key", container_and_key),
        function("PyMapping_HasKeyString", "mapping_has_key", || two(str_keyed_dict(), known_attribute())),
        function("PyMapping_GetItemString", "lambda o, k: o[k]", || two(str_keyed_dict(), known_attribute())),
        function(
            "PySequence_InPlaceRepeat",
            "lambda s, n: require(hasattr(type(s), '__getitem__'), TypeError) or operator.imul(s, n)",
            || {
                two(prop_oneof![3 => strategy::list(), 1 => strategy::tuple(), 1 => strategy::str(), 1 => strategy::any_value()].boxed(), int_in(-2..4))
            },
        ),
        data("PyBaseObject_Type", "lambda: (object, True)"),
        data("PyType_Type", "lambda: (type, True)"),
        data("PyBool_Type", "lambda: (bool, True)"),
        data("PyLong_Type", "lambda: (int, True)"),
        data("PyFloat_Type", "lambda: (float, True)"),
        data("PyUnicode_Type", "lambda: (str, True)"),
        data("PyBytes_Type", "lambda: (bytes, True)"),
        data("PyByteArray_Type", "lambda: (bytearray, True)"),
        data("PyList_Type", "lambda: (list, True)"),
        data("PyTuple_Type", "lambda: (tuple, True)"),
        data("PyDict_Type", "lambda: (dict, True)"),
        data("_Py_NoneStruct", "lambda: None"),
        data("_Py_TrueStruct", "lambda: True"),
        data("_Py_FalseStruct", "lambda: False"),
        data("_Py_EllipsisObject", "lambda: (Ellipsis, True)"),
        data("_Py_NotImplementedStruct", "lambda: (NotImplemented, True)"),
    ]
}

/// A data entry: the routine of the same name returns the object the symbol holds (and, for
/// named builtins, whether it is that very builtin).
pub(super) fn data(entry: &'static str, oracle: &'static str) -> Property {
    Property { entry, kind: Data, routine: entry, oracle, args: Args::Strategy(none) }
}
