//! Domains of PyErr_*: exception classes by index into the probe's exception table, which
//! `EXCEPTIONS` in probes/oracles.py mirrors (classes cannot travel as values).

use proptest::prelude::*;

use super::shared::{int_in, two};
use super::{Arglist, Domain};
use crate::value::{PyValue, strategy};

pub(super) const DOMAINS: &[Domain] =
    &[("exception_index", exception), ("dotted_name", dotted_name), ("linked_exception", linked_exception)];

pub(super) const ARGLISTS: &[Arglist] = &[("exception_and_value", 2, exception_and_value)];

/// How many classes the probe's exception table (and oracles.py's EXCEPTIONS) holds.
const EXCEPTION_COUNT: i64 = 25;

fn exception() -> BoxedStrategy<PyValue> {
    int_in(0..EXCEPTION_COUNT)
}

/// Exceptions (`make_linked_exception` in probes/oracles.py) that mostly carry a `__cause__`, a
/// `__context__` or a traceback, so that their getters reach the success path: (class index
/// into BUILT_EXCEPTIONS, args, cause class or -1, context class or -1, raised once).
fn linked_exception() -> BoxedStrategy<PyValue> {
    let link = || prop_oneof![1 => Just(-1i64), 3 => 0i64..12];
    (int_in(0..12), proptest::collection::vec(strategy::scalar(), 0..2), link(), link(), any::<bool>())
        .prop_map(|(kind, args, cause, context, raised)| {
            PyValue::Built(
                "linked_exception",
                Box::new(PyValue::Tuple(vec![
                    kind,
                    PyValue::Tuple(args),
                    PyValue::int(cause.into()),
                    PyValue::int(context.into()),
                    PyValue::Bool(raised),
                ])),
            )
        })
        .boxed()
}

/// Dotted names for PyErr_NewException: valid, and without a dot (an error).
fn dotted_name() -> BoxedStrategy<PyValue> {
    let names = ["mod.Error", "a.b.C", "NoDot", "x.", ".y", "builtins.Custom", "m.With Space"];
    let word = || proptest::collection::vec(proptest::sample::select(b"abcXYZ_09".to_vec()), 0..5);
    prop_oneof![
        2 => proptest::sample::select(names.to_vec()).prop_map(|n| PyValue::Bytes(n.as_bytes().to_vec())),
        1 => (word(), word(), any::<bool>()).prop_map(|(a, b, dot)| {
            let mut name = a;
            if dot {
                name.push(b'.');
            }
            name.extend(b);
            PyValue::Bytes(name)
        }),
    ]
    .boxed()
}

/// Exception values: anything, often an (errno, message) tuple, which makes OSError pick a
/// subclass (FileNotFoundError, PermissionError, ...).
fn exception_value() -> BoxedStrategy<PyValue> {
    prop_oneof![
        3 => strategy::any_value(),
        1 => (int_in(0..40), strategy::str()).prop_map(|(n, m)| PyValue::Tuple(vec![n, m])),
    ]
    .boxed()
}

/// An exception index (OSError often) and a value for it.
fn exception_and_value() -> BoxedStrategy<Vec<PyValue>> {
    prop_oneof![3 => two(exception(), exception_value()), 1 => two(Just(PyValue::int(12)).boxed(), exception_value())]
        .boxed()
}
