//! A first set of properties, one per family, that shows the pattern.

use proptest::prelude::*;

use super::Property;
use crate::manifest::EntryKind::{Function, Macro};
use crate::value::{PyValue, strategy};

pub(super) fn properties() -> Vec<Property> {
    vec![
        Property {
            entry: "PyNumber_Add",
            kind: Function,
            routine: "PyNumber_Add",
            oracle: "lambda a, b: a + b",
            args: || (strategy::scalar(), strategy::scalar()).prop_map(|(a, b)| vec![a, b]).boxed(),
        },
        Property {
            entry: "PyObject_Repr",
            kind: Function,
            routine: "PyObject_Repr",
            oracle: "repr",
            args: || strategy::any_value().prop_map(|a| vec![a]).boxed(),
        },
        Property {
            entry: "PyLong_AsLong",
            kind: Function,
            routine: "PyLong_AsLong",
            oracle: "c_long",
            args: || strategy::int().prop_map(|a| vec![a]).boxed(),
        },
        Property {
            entry: "PyFloat_AsDouble",
            kind: Function,
            routine: "PyFloat_AsDouble",
            oracle: "float",
            args: || strategy::float().prop_map(|a| vec![a]).boxed(),
        },
        Property {
            entry: "PyList_Append",
            kind: Function,
            routine: "PyList_Append",
            oracle: "lambda l, x: l.append(x)",
            args: || (strategy::list(), strategy::any_value()).prop_map(|(l, x)| vec![l, x]).boxed(),
        },
        Property {
            entry: "PyList_GetItem",
            kind: Function,
            routine: "PyList_GetItem",
            oracle: "lambda l, i: l[i] if 0 <= i < len(l) else raise_(IndexError)",
            args: || (strategy::list(), -2i64..10).prop_map(|(l, i)| vec![l, PyValue::int(i.into())]).boxed(),
        },
        Property {
            entry: "Py_INCREF",
            kind: Macro,
            routine: "Py_INCREF_Py_DECREF",
            oracle: "lambda x: refcount_steps(x)",
            args: || strategy::any_value().prop_map(|a| vec![a]).boxed(),
        },
    ]
}
