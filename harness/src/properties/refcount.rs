//! Reference counting: the header macros (Py_INCREF, Py_DECREF, ..., compiled from the build's
//! headers) and the exported functions that go with them (Py_IncRef, Py_NewRef, Py_Is, ...).
//!
//! Routines report booleans an oracle can state on every interpreter: on 3.12+ immortal objects
//! (None, small ints, one-character strings, ...) keep their count under the new headers'
//! macros, while older headers' macros still move the raw field by one. So "the increment was
//! +1, or 0 on an immortal object", "the decrement restored the count", and whether the count
//! looks immortal, which `is_immortal()` in oracles.py says from Python.

use proptest::prelude::*;

use super::Property;
use super::object::{comparable_pair, none, one, two};
use crate::manifest::EntryKind::{Function, Macro};
use crate::value::{PyValue, strategy};

/// Any value, often one that is immortal on 3.12+ (a singleton or a cached small object).
fn counted() -> BoxedStrategy<PyValue> {
    let singletons = vec![
        PyValue::None,
        PyValue::Bool(true),
        PyValue::Bool(false),
        PyValue::int(0),
        PyValue::int(-5),
        PyValue::int(256),
        PyValue::int(257),
        PyValue::str(""),
        PyValue::str("a"),
        PyValue::Bytes(Vec::new()),
        PyValue::Tuple(Vec::new()),
    ];
    prop_oneof![3 => strategy::any_value(), 2 => proptest::sample::select(singletons)].boxed()
}

/// list, tuple or bytes: the var-sized objects whose ob_size is their length.
fn sized() -> BoxedStrategy<PyValue> {
    prop_oneof![strategy::list(), strategy::tuple(), strategy::bytes()].boxed()
}

fn property(
    entry: &'static str,
    kind: crate::manifest::EntryKind,
    oracle: &'static str,
    args: fn() -> BoxedStrategy<Vec<PyValue>>,
) -> Property {
    Property { entry, kind, routine: entry, oracle, args: super::Args::Strategy(args) }
}

pub(super) fn properties() -> Vec<Property> {
    vec![
        property("Py_INCREF", Macro, "lambda x: (True, True, is_immortal(x))", || one(counted())),
        // The fourth boolean: a last Py_DECREF (Py_XDECREF, Py_CLEAR) deallocates a fresh object.
        property("Py_DECREF", Macro, "lambda x: (True, True, is_immortal(x), True)", || one(counted())),
        property("Py_XINCREF", Macro, "lambda x: (True, True, is_immortal(x), True)", || one(counted())),
        property("Py_XDECREF", Macro, "lambda x: (True, True, is_immortal(x), True)", || one(counted())),
        property("Py_CLEAR", Macro, "lambda x: (True, True, is_immortal(x), True)", || one(counted())),
        property("Py_REFCNT", Macro, "lambda x: (True, True, is_immortal(x))", || one(counted())),
        property("Py_IncRef", Function, "lambda x: (True, True, is_immortal(x))", || one(counted())),
        property("Py_DecRef", Function, "lambda x: (True, True, is_immortal(x))", || one(counted())),
        property("Py_TYPE", Macro, "type", || one(strategy::any_value())),
        property("Py_SIZE", Macro, "len", || one(sized())),
        property("Py_IS_TYPE", Macro, "lambda x, y: truth(type(x) is type(y))", || {
            two(strategy::any_value(), strategy::any_value())
        }),
        property("Py_RETURN_NONE", Macro, "lambda: (None, True)", none),
        property("Py_RETURN_TRUE", Macro, "lambda: (True, True)", none),
        property("Py_RETURN_FALSE", Macro, "lambda: (False, True)", none),
        property("Py_NewRef", Function, "lambda x: (x, True, True)", || one(counted())),
        property("Py_XNewRef", Function, "lambda x: (x, True, True, True)", || one(counted())),
        // Identity of separately decoded copies: the same for both sides (cached small ints,
        // singletons) since both decode alike.
        property("Py_Is", Function, "lambda x, y: truth(x is y)", || {
            prop_oneof![
                2 => comparable_pair().prop_map(|(a, b)| vec![a, b]),
                1 => (counted(), counted()).prop_map(|(a, b)| vec![a, b]),
            ]
            .boxed()
        }),
        property("Py_IsNone", Function, "lambda x: truth(x is None)", || one(counted())),
        property("Py_IsTrue", Function, "lambda x: truth(x is True)", || one(counted())),
        property("Py_IsFalse", Function, "lambda x: truth(x is False)", || one(counted())),
    ]
}
