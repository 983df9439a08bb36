//! int and float: PyLong_From*/As*, PyBool_FromLong, PyFloat_*.

use proptest::prelude::*;

use super::number::numeric_text;
use super::object::{boolean, c_long_value, int_in, none, one, two};
use super::{Property, function};
use crate::value::{PyValue, strategy};

/// What the PyLong_As* conversions get: ints of every size, and floats, bools and other values
/// (accepted through __int__ before 3.10, refused after).
fn integer_like() -> BoxedStrategy<PyValue> {
    prop_oneof![6 => strategy::int(), 2 => strategy::float(), 1 => boolean(), 1 => strategy::any_value()].boxed()
}

/// C strings for PyLong_FromString: numeric text (ASCII only, as bytes), sometimes random bytes.
fn digits_text() -> BoxedStrategy<PyValue> {
    prop_oneof![
        5 => numeric_text().prop_map(|cps| PyValue::Bytes(cps.into_iter().filter_map(|c| u8::try_from(c).ok()).filter(u8::is_ascii).collect())),
        1 => strategy::bytes(),
    ]
    .boxed()
}

fn base() -> BoxedStrategy<PyValue> {
    prop_oneof![
        6 => proptest::sample::select(vec![0i64, 2, 8, 10, 16, 36]).prop_map(|b| PyValue::int(b.into())),
        1 => int_in(-2..40),
    ]
    .boxed()
}

/// What PyFloat_AsDouble gets.
fn float_like() -> BoxedStrategy<PyValue> {
    prop_oneof![5 => strategy::float(), 3 => strategy::int(), 1 => boolean(), 1 => strategy::any_value()].boxed()
}

/// What PyFloat_FromString gets: numeric text as str or bytes, sometimes other values.
fn float_text() -> BoxedStrategy<PyValue> {
    prop_oneof![
        4 => numeric_text().prop_map(PyValue::Str),
        2 => numeric_text().prop_map(|cps| PyValue::Bytes(cps.into_iter().filter_map(|c| u8::try_from(c).ok()).collect())),
        1 => strategy::float().prop_map(|f| match f {
            PyValue::Float(x) => PyValue::str(&format!("{x:e}")),
            other => other,
        }),
        1 => strategy::any_value(),
    ]
    .boxed()
}

pub(super) fn properties() -> Vec<Property> {
    vec![
        function("PyLong_FromLong", "int", || one(c_long_value())),
        function("PyLong_FromUnsignedLong", "unsigned_bits", || one(c_long_value())),
        function("PyLong_FromLongLong", "int", || one(c_long_value())),
        function("PyLong_FromUnsignedLongLong", "unsigned_bits", || one(c_long_value())),
        function("PyLong_FromSsize_t", "int", || one(c_long_value())),
        function("PyLong_FromSize_t", "unsigned_bits", || one(c_long_value())),
        function("PyLong_FromVoidPtr", "unsigned_bits", || one(c_long_value())),
        function("PyLong_FromDouble", "int", || one(strategy::float())),
        function("PyLong_FromString", "long_from_string", || two(digits_text(), base())),
        function("PyLong_AsLong", "c_long", || one(integer_like())),
        function("PyLong_AsLongLong", "c_long", || one(integer_like())),
        function("PyLong_AsSsize_t", "c_ssize_t", || one(integer_like())),
        function("PyLong_AsUnsignedLong", "c_unsigned", || one(integer_like())),
        function("PyLong_AsUnsignedLongLong", "c_unsigned", || one(integer_like())),
        function("PyLong_AsSize_t", "c_unsigned", || one(integer_like())),
        function("PyLong_AsUnsignedLongMask", "c_unsigned_mask", || one(integer_like())),
        function("PyLong_AsUnsignedLongLongMask", "c_unsigned_mask", || one(integer_like())),
        function("PyLong_AsDouble", "long_as_double", || one(integer_like())),
        function("PyLong_AsVoidPtr", "as_void_ptr", || one(integer_like())),
        function("PyLong_AsLongAndOverflow", "long_and_overflow", || one(integer_like())),
        function("PyLong_AsLongLongAndOverflow", "long_and_overflow", || one(integer_like())),
        function("PyLong_AsInt", "c_int", || one(integer_like())),
        function("PyLong_GetInfo", "lambda: sys.int_info", none),
        function("PyBool_FromLong", "bool", || one(c_long_value())),
        function("PyFloat_FromDouble", "float", || one(strategy::float())),
        function("PyFloat_AsDouble", "as_double", || one(float_like())),
        function("PyFloat_FromString", "float_from_string", || one(float_text())),
        function("PyFloat_GetMax", "lambda: sys.float_info.max", none),
        function("PyFloat_GetMin", "lambda: sys.float_info.min", none),
        function("PyFloat_GetInfo", "lambda: sys.float_info", none),
    ]
}
