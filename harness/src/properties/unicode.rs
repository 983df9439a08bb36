//! str: PyUnicode_*.

use proptest::prelude::*;

use super::object::{
    ascii_bytes, c_long_value, index, int_in, mostly_str, one, small_str, str_to_bytes, text_bytes, three, two,
};
use super::{Property, function};
use crate::value::{PyValue, strategy};

/// Mostly strings over a small alphabet (so that searches hit), sometimes any string.
fn search_str() -> BoxedStrategy<PyValue> {
    prop_oneof![4 => small_str(), 1 => strategy::str()].boxed()
}

/// The str with its NULs dropped.
fn without_nul(strings: BoxedStrategy<PyValue>) -> BoxedStrategy<PyValue> {
    strings
        .prop_map(|v| match v {
            PyValue::Str(cps) => PyValue::Str(cps.into_iter().filter(|&c| c != 0).collect()),
            other => other,
        })
        .boxed()
}

/// A str, or occasionally another value (for the type checks of entries that have them).
fn str_or_other() -> BoxedStrategy<PyValue> {
    prop_oneof![9 => search_str(), 1 => strategy::any_value()].boxed()
}

/// Separators: None, empty (an error), found or not.
fn separator() -> BoxedStrategy<PyValue> {
    prop_oneof![
        2 => Just(PyValue::None),
        1 => Just(PyValue::str("")),
        4 => small_str(),
        1 => strategy::any_value(),
    ]
    .boxed()
}

/// Bytes with backslash escapes, valid and not (`\x4`, `\N{...}`, a trailing backslash).
fn escaped_bytes() -> BoxedStrategy<PyValue> {
    let pieces = ["a", "\\n", "\\x41", "\\x4", "\\u20ac", "\\U0001F600", "\\N{DASH}", "\\q", "\\", "\u{e9}", "\\777"];
    prop_oneof![
        3 => proptest::collection::vec(proptest::sample::select(pieces.to_vec()), 0..6)
            .prop_map(|parts| PyValue::Bytes(parts.concat().into_bytes())),
        1 => text_bytes(),
    ]
    .boxed()
}

fn errors_name() -> BoxedStrategy<PyValue> {
    let names = ["strict", "replace", "ignore", "surrogateescape", "backslashreplace", "surrogatepass", "bogus"];
    prop_oneof![2 => Just(PyValue::None), 5 => proptest::sample::select(names.to_vec()).prop_map(PyValue::str)].boxed()
}

fn encoding_name() -> BoxedStrategy<PyValue> {
    let names =
        ["utf-8", "latin-1", "ascii", "utf-16-le", "utf-32", "cp1252", "utf-7", "rot13", "hex", "no-such-codec"];
    prop_oneof![1 => Just(PyValue::None), 5 => proptest::sample::select(names.to_vec()).prop_map(PyValue::str)].boxed()
}

/// A string and bytes that are often its UTF-8 form (or that plus more).
fn str_and_bytes() -> BoxedStrategy<Vec<PyValue>> {
    (strategy::str(), text_bytes(), 0..4u8)
        .prop_map(|(s, other, pick)| {
            let bytes = match pick {
                0 | 1 => str_to_bytes(&s),
                2 => match str_to_bytes(&s) {
                    PyValue::Bytes(mut b) => {
                        b.extend_from_slice(b"\0x");
                        PyValue::Bytes(b)
                    }
                    v => v,
                },
                _ => other,
            };
            vec![s, bytes]
        })
        .boxed()
}

/// printf-style formats over a few conversions, and their arguments.
fn format_args() -> BoxedStrategy<Vec<PyValue>> {
    let pieces =
        ["%s", "%r", "%a", "%d", "%i", "%x", "%o", "%5.2f", "%e", "%g", "%c", "%%", "abc", " ", "%-4s", "%+d", "%(k)s"];
    let format = proptest::collection::vec(proptest::sample::select(pieces.to_vec()), 0..4)
        .prop_map(|p| PyValue::str(&p.concat()));
    let item = || prop_oneof![int_in(-1000..1000), small_str(), strategy::float(), Just(PyValue::None)].boxed();
    let arguments = prop_oneof![
        4 => proptest::collection::vec(item(), 0..4).prop_map(PyValue::Tuple),
        2 => item(),
        1 => item().prop_map(|v| PyValue::Dict(vec![(PyValue::str("k"), v)])),
    ];
    (format, arguments).prop_map(|(f, a)| vec![f, a]).boxed()
}

/// (s, sub, start, end): bounds around the string's length.
fn search_args() -> BoxedStrategy<Vec<PyValue>> {
    (str_or_other(), search_str(), int_in(-12..12), int_in(-12..12))
        .prop_map(|(s, sub, a, b)| vec![s, sub, a, b])
        .boxed()
}

fn direction() -> BoxedStrategy<PyValue> {
    proptest::sample::select(vec![-1i64, 1, 0, 2]).prop_map(|d| PyValue::int(d.into())).boxed()
}

fn code_point_arg() -> BoxedStrategy<PyValue> {
    prop_oneof![
        6 => strategy::code_point().prop_map(|c| PyValue::int(c.into())),
        1 => proptest::sample::select(vec![-1i64, 0x110000, i64::from(i32::MAX), i64::from(i32::MIN)]).prop_map(|c| PyValue::int(c.into())),
    ]
    .boxed()
}

pub(super) fn properties() -> Vec<Property> {
    vec![
        function("PyUnicode_FromString", "lambda b: c_string(b).decode('utf-8')", || one(text_bytes())),
        function("PyUnicode_FromStringAndSize", "from_string_and_size", || two(text_bytes(), int_in(-1..40))),
        function("PyUnicode_InternFromString", "lambda b: sys.intern(c_string(b).decode('utf-8'))", || {
            one(text_bytes())
        }),
        function("PyUnicode_GetLength", "lambda s: require_str(s) or len(s)", || one(mostly_str())),
        function("PyUnicode_ReadChar", "read_char", || two(mostly_str(), index())),
        // Only str: PyUnicode_Substring does not check its argument's type.
        function("PyUnicode_Substring", "substring", || three(search_str(), index(), index())),
        // Only str: PyUnicode_AsUCS4Copy does not check its argument's type (a float crashes).
        function("PyUnicode_AsUCS4Copy", "code_points", || one(strategy::str())),
        function("PyUnicode_AsWideCharString", "code_points", || one(mostly_str())),
        function("PyUnicode_Concat", "unicode_concat", || two(str_or_other(), str_or_other())),
        function("PyUnicode_Contains", "unicode_contains", || two(str_or_other(), str_or_other())),
        function("PyUnicode_Compare", "unicode_compare", || two(str_or_other(), str_or_other())),
        // No NUL in the str: for a str that is not pure ASCII, the C loop stops at a NUL and
        // calls the str the greater ('\0\u0100' vs 'a' gives 1, Python says -1), on every
        // version so far.
        function("PyUnicode_CompareWithASCIIString", "compare_with_ascii", || {
            two(without_nul(search_str()), ascii_bytes())
        }),
        function("PyUnicode_RichCompare", "unicode_rich_compare", || {
            three(str_or_other(), str_or_other(), int_in(0..6))
        }),
        // The str itself is always a str: s.split() of anything else is an AttributeError.
        function("PyUnicode_Split", "lambda s, sep, n: s.split(sep, n)", || {
            three(search_str(), separator(), int_in(-2..4))
        }),
        function("PyUnicode_RSplit", "lambda s, sep, n: s.rsplit(sep, n)", || {
            three(search_str(), separator(), int_in(-2..4))
        }),
        function("PyUnicode_Splitlines", "lambda s, keep: s.splitlines(keep)", || two(strategy::str(), int_in(0..2))),
        function("PyUnicode_Partition", "lambda s, sep: s.partition(sep)", || two(search_str(), separator())),
        function("PyUnicode_RPartition", "lambda s, sep: s.rpartition(sep)", || two(search_str(), separator())),
        function("PyUnicode_Join", "lambda sep, items: sep.join(items)", || {
            let items = prop_oneof![
                6 => proptest::collection::vec(small_str(), 0..5).prop_map(PyValue::List),
                2 => proptest::collection::vec(small_str(), 0..5).prop_map(PyValue::Tuple),
                1 => small_str(),
                1 => strategy::any_value(),
            ];
            (small_str(), items).prop_map(|(s, i)| vec![s, i]).boxed()
        }),
        function("PyUnicode_FromOrdinal", "chr", || one(code_point_arg())),
        function("PyUnicode_AsUTF8String", "utf8_of", || one(mostly_str())),
        function("PyUnicode_AsASCIIString", "lambda s: require_str(s) or s.encode('ascii')", || one(mostly_str())),
        function("PyUnicode_AsLatin1String", "lambda s: require_str(s) or s.encode('latin-1')", || one(mostly_str())),
        function("PyUnicode_FromObject", "unicode_from_object", || one(mostly_str())),
        function("PyUnicode_Format", "operator.mod", format_args),
        function("PyUnicode_DecodeUTF8", "lambda b, errors: decoded_lazily(b, 'utf-8', errors)", || {
            two(text_bytes(), errors_name())
        }),
        function("PyUnicode_DecodeLatin1", "lambda b, errors: decoded_lazily(b, 'latin-1', errors)", || {
            two(text_bytes(), errors_name())
        }),
        function("PyUnicode_DecodeASCII", "lambda b, errors: decoded_lazily(b, 'ascii', errors)", || {
            two(text_bytes(), errors_name())
        }),
        function("PyUnicode_DecodeUTF7", "lambda b, errors: decoded_lazily(b, 'utf-7', errors)", || {
            two(text_bytes(), errors_name())
        }),
        function(
            "PyUnicode_DecodeUnicodeEscape",
            "lambda b, errors: decoded_lazily(b, 'unicode_escape', errors)",
            || two(escaped_bytes(), errors_name()),
        ),
        function(
            "PyUnicode_DecodeRawUnicodeEscape",
            "lambda b, errors: decoded_lazily(b, 'raw_unicode_escape', errors)",
            || two(escaped_bytes(), errors_name()),
        ),
        // A NULL byte order: a BOM decides, else the native order, as the codecs do.
        function("PyUnicode_DecodeUTF16", "lambda b, errors: decoded_lazily(b, 'utf-16', errors)", || {
            two(text_bytes(), errors_name())
        }),
        function("PyUnicode_DecodeUTF32", "lambda b, errors: decoded_lazily(b, 'utf-32', errors)", || {
            two(text_bytes(), errors_name())
        }),
        function("PyUnicode_AsUTF16String", "lambda s: require_str(s) or s.encode('utf-16')", || one(mostly_str())),
        function("PyUnicode_AsUTF32String", "lambda s: require_str(s) or s.encode('utf-32')", || one(mostly_str())),
        function("PyUnicode_AsUnicodeEscapeString", "lambda s: require_str(s) or s.encode('unicode_escape')", || {
            one(mostly_str())
        }),
        function(
            "PyUnicode_AsRawUnicodeEscapeString",
            "lambda s: require_str(s) or s.encode('raw_unicode_escape')",
            || one(mostly_str()),
        ),
        function("PyUnicode_AsEncodedString", "encoded", || three(mostly_str(), encoding_name(), errors_name())),
        function("PyUnicode_FromEncodedObject", "decoded", || {
            three(prop_oneof![6 => text_bytes(), 1 => strategy::any_value()].boxed(), encoding_name(), errors_name())
        }),
        function("PyUnicode_Find", "unicode_find", || {
            (search_args(), direction())
                .prop_map(|(mut a, d)| {
                    a.push(d);
                    a
                })
                .boxed()
        }),
        function("PyUnicode_Tailmatch", "unicode_tailmatch", || {
            (search_args(), direction())
                .prop_map(|(mut a, d)| {
                    a.push(d);
                    a
                })
                .boxed()
        }),
        function("PyUnicode_Replace", "lambda s, old, new, n: s.replace(old, new, n)", || {
            (search_str(), str_or_other(), search_str(), int_in(-1..4))
                .prop_map(|(s, a, b, n)| vec![s, a, b, n])
                .boxed()
        }),
        // Only str: PyUnicode_IsIdentifier does not check its argument's type.
        function("PyUnicode_IsIdentifier", "lambda s: truth(s.isidentifier())", || {
            one(prop_oneof![
                strategy::str(),
                proptest::sample::select(vec!["abc", "_x1", "1a", "", "é", "a b", "ℌ"]).prop_map(PyValue::str)
            ]
            .boxed())
        }),
        function("PyUnicode_DecodeFSDefault", "lambda b: os.fsdecode(c_string(b))", || one(text_bytes())),
        // Only str: PyUnicode_EncodeFSDefault does not check its argument's type.
        function("PyUnicode_EncodeFSDefault", "os.fsencode", || one(strategy::str())),
        function("PyUnicode_FromFormat", "unicode_from_format", || {
            (c_long_value(), code_point_arg(), strategy::any_value(), strategy::str(), text_bytes())
                .prop_map(|(n, c, o, s, b)| vec![n, c, o, s, b])
                .boxed()
        }),
        function("PyUnicode_AsUTF8AndSize", "utf8_of", || one(mostly_str())),
        function("PyUnicode_EqualToUTF8", "lambda s, b: equal_to_utf8(s, c_string(b))", str_and_bytes),
        function("PyUnicode_EqualToUTF8AndSize", "equal_to_utf8", str_and_bytes),
    ]
}
