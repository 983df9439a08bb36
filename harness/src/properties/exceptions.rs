//! Exceptions: PyErr_* and the PyExc_* class objects.
//!
//! Exception classes cannot travel as values, so routines take an index into the probe's
//! exception table, which `EXCEPTIONS` in probes/oracles.py mirrors.

use proptest::prelude::*;

use super::object::{c_long_value, data, int_in, none, one, three, two};
use super::{Property, function};
use crate::value::{PyValue, strategy};

/// How many classes the probe's exception table (and oracles.py's EXCEPTIONS) holds.
const EXCEPTION_COUNT: i64 = 25;

fn exception() -> BoxedStrategy<PyValue> {
    int_in(0..EXCEPTION_COUNT)
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

pub(super) fn properties() -> Vec<Property> {
    vec![
        function("PyErr_SetString", "lambda i, message: raise_(EXCEPTIONS[i], message)", || {
            two(exception(), strategy::str_encodable())
        }),
        function("PyErr_SetObject", "raise_set", exception_and_value),
        function("PyErr_SetNone", "lambda i: raise_(EXCEPTIONS[i])", || one(exception())),
        function("PyErr_Occurred", "lambda i: (None, EXCEPTIONS[i])", || one(exception())),
        // Before 3.12 the fetched value is the message; from 3.12 on, the exception instance.
        // (Messages travel as C strings: a NUL ends them.)
        function("PyErr_Fetch", "fetched", || two(exception(), strategy::str_encodable())),
        function("PyErr_Restore", "raise_set", exception_and_value),
        function("PyErr_NormalizeException", "normalized", exception_and_value),
        function("PyErr_Clear", "lambda i, message: True", || two(exception(), strategy::str_encodable())),
        function("PyErr_GivenExceptionMatches", "given_matches", || three(exception(), exception(), int_in(0..2))),
        function("PyErr_ExceptionMatches", "lambda i, j: given_matches(i, j, 0)", || two(exception(), exception())),
        function("PyErr_NewException", "new_exception", || two(dotted_name(), exception())),
        function("PyErr_NewExceptionWithDoc", "new_exception_with_doc", || {
            three(dotted_name(), super::object::text_bytes(), exception())
        }),
        function("PyErr_BadArgument", "lambda: raise_(TypeError)", none),
        function("PyErr_BadInternalCall", "lambda: raise_(SystemError)", none),
        function("PyErr_NoMemory", "lambda: raise_(MemoryError)", none),
        function("PyErr_Format", "formatted_exception", || three(exception(), c_long_value(), strategy::any_value())),
        function("PyErr_SetFromErrno", "errno_exception", || one(int_in(0..134))),
        function("PyErr_GetRaisedException", "lambda i, message: (EXCEPTIONS[i], (c_text(message),), 1)", || {
            two(exception(), strategy::str_encodable())
        }),
        function("PyErr_SetRaisedException", "lambda i, value: raise_(EXCEPTIONS[i], value)", || {
            two(exception(), strategy::any_value())
        }),
        data("PyExc_BaseException", "lambda: (BaseException, True)"),
        data("PyExc_Exception", "lambda: (Exception, True)"),
        data("PyExc_TypeError", "lambda: (TypeError, True)"),
        data("PyExc_ValueError", "lambda: (ValueError, True)"),
        data("PyExc_KeyError", "lambda: (KeyError, True)"),
        data("PyExc_IndexError", "lambda: (IndexError, True)"),
        data("PyExc_LookupError", "lambda: (LookupError, True)"),
        data("PyExc_ArithmeticError", "lambda: (ArithmeticError, True)"),
        data("PyExc_ZeroDivisionError", "lambda: (ZeroDivisionError, True)"),
        data("PyExc_OverflowError", "lambda: (OverflowError, True)"),
        data("PyExc_RuntimeError", "lambda: (RuntimeError, True)"),
        data("PyExc_NotImplementedError", "lambda: (NotImplementedError, True)"),
        data("PyExc_OSError", "lambda: (OSError, True)"),
        // Aliases of OSError since 3.3.
        data("PyExc_EnvironmentError", "lambda: (OSError, True)"),
        data("PyExc_IOError", "lambda: (OSError, True)"),
        data("PyExc_AttributeError", "lambda: (AttributeError, True)"),
        data("PyExc_StopIteration", "lambda: (StopIteration, True)"),
        data("PyExc_SystemError", "lambda: (SystemError, True)"),
        data("PyExc_MemoryError", "lambda: (MemoryError, True)"),
        data("PyExc_UnicodeDecodeError", "lambda: (UnicodeDecodeError, True)"),
        data("PyExc_UnicodeEncodeError", "lambda: (UnicodeEncodeError, True)"),
        data("PyExc_KeyboardInterrupt", "lambda: (KeyboardInterrupt, True)"),
        data("PyExc_SystemExit", "lambda: (SystemExit, True)"),
        data("PyExc_DeprecationWarning", "lambda: (DeprecationWarning, True)"),
        data("PyExc_UserWarning", "lambda: (UserWarning, True)"),
        data("PyExc_ModuleNotFoundError", "lambda: (ModuleNotFoundError, True)"),
        data("PyExc_RecursionError", "lambda: (RecursionError, True)"),
        data("PyExc_FileNotFoundError", "lambda: (FileNotFoundError, True)"),
        data("PyExc_TimeoutError", "lambda: (TimeoutError, True)"),
        data("PyExc_StopAsyncIteration", "lambda: (StopAsyncIteration, True)"),
        data("PyExc_EncodingWarning", "lambda: (EncodingWarning, True)"),
        data("PyExc_BaseExceptionGroup", "lambda: (BaseExceptionGroup, True)"),
        data("PyExc_AssertionError", "lambda: (AssertionError, True)"),
        data("PyExc_BlockingIOError", "lambda: (BlockingIOError, True)"),
        data("PyExc_BrokenPipeError", "lambda: (BrokenPipeError, True)"),
        data("PyExc_BufferError", "lambda: (BufferError, True)"),
        data("PyExc_BytesWarning", "lambda: (BytesWarning, True)"),
        data("PyExc_ChildProcessError", "lambda: (ChildProcessError, True)"),
        data("PyExc_ConnectionAbortedError", "lambda: (ConnectionAbortedError, True)"),
        data("PyExc_ConnectionError", "lambda: (ConnectionError, True)"),
        data("PyExc_ConnectionRefusedError", "lambda: (ConnectionRefusedError, True)"),
        data("PyExc_ConnectionResetError", "lambda: (ConnectionResetError, True)"),
        data("PyExc_EOFError", "lambda: (EOFError, True)"),
        data("PyExc_FileExistsError", "lambda: (FileExistsError, True)"),
        data("PyExc_FloatingPointError", "lambda: (FloatingPointError, True)"),
        data("PyExc_FutureWarning", "lambda: (FutureWarning, True)"),
        data("PyExc_GeneratorExit", "lambda: (GeneratorExit, True)"),
        data("PyExc_ImportError", "lambda: (ImportError, True)"),
        data("PyExc_ImportWarning", "lambda: (ImportWarning, True)"),
        data("PyExc_IndentationError", "lambda: (IndentationError, True)"),
        data("PyExc_InterruptedError", "lambda: (InterruptedError, True)"),
        data("PyExc_IsADirectoryError", "lambda: (IsADirectoryError, True)"),
        data("PyExc_NameError", "lambda: (NameError, True)"),
        data("PyExc_NotADirectoryError", "lambda: (NotADirectoryError, True)"),
        data("PyExc_PendingDeprecationWarning", "lambda: (PendingDeprecationWarning, True)"),
        data("PyExc_PermissionError", "lambda: (PermissionError, True)"),
        data("PyExc_ProcessLookupError", "lambda: (ProcessLookupError, True)"),
        data("PyExc_ReferenceError", "lambda: (ReferenceError, True)"),
        data("PyExc_ResourceWarning", "lambda: (ResourceWarning, True)"),
        data("PyExc_RuntimeWarning", "lambda: (RuntimeWarning, True)"),
        data("PyExc_SyntaxError", "lambda: (SyntaxError, True)"),
        data("PyExc_SyntaxWarning", "lambda: (SyntaxWarning, True)"),
        data("PyExc_TabError", "lambda: (TabError, True)"),
        data("PyExc_UnboundLocalError", "lambda: (UnboundLocalError, True)"),
        data("PyExc_UnicodeError", "lambda: (UnicodeError, True)"),
        data("PyExc_UnicodeTranslateError", "lambda: (UnicodeTranslateError, True)"),
        data("PyExc_UnicodeWarning", "lambda: (UnicodeWarning, True)"),
        data("PyExc_Warning", "lambda: (Warning, True)"),
    ]
}
