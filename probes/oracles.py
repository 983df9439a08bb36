"""Oracle helpers: Python-level equivalents of C API calls, used by the property table.

Each property's oracle is a Python expression (see harness/src/properties/); it is evaluated
once per worker in this module's namespace, so helpers defined here can be named in it.
Must run on every interpreter from 3.6 on (no walrus, no f-string `=`, nothing newer).

Where an entry's behaviour changed between interpreter versions, the helper says so and follows
the running interpreter, so the oracle agrees with the interpreter under test on every version.
"""

import codecs
import operator
import os
import sys

LONG_MIN = -(2 ** 63)
LONG_MAX = 2 ** 63 - 1
ULONG_MAX = 2 ** 64 - 1
INT_MIN = -(2 ** 31)
INT_MAX = 2 ** 31 - 1
SSIZE_MIN = LONG_MIN
SSIZE_MAX = LONG_MAX

# The exception classes the probe's exception_table names by index, in the same order.
EXCEPTIONS = [
    BaseException, Exception, TypeError, ValueError, KeyError, IndexError, LookupError,
    ArithmeticError, ZeroDivisionError, OverflowError, RuntimeError, NotImplementedError,
    OSError, AttributeError, StopIteration, SystemError, MemoryError, AssertionError,
    ImportError, UserWarning, DeprecationWarning, NameError, EOFError, BufferError,
    GeneratorExit,
]


def raise_(exc_type, *args):
    raise exc_type(*args)


def require(condition, exc_type=SystemError):
    """Raises exc_type unless condition: a C precondition checked by the entry itself."""
    if not condition:
        raise exc_type()


# --- objects -----------------------------------------------------------------------------------


def rich_compare(a, b, op):
    """PyObject_RichCompare: op is Py_LT, Py_LE, Py_EQ, Py_NE, Py_GT, Py_GE (0..5)."""
    return (operator.lt, operator.le, operator.eq, operator.ne, operator.gt, operator.ge)[op](a, b)


def rich_compare_bool(a, b, op):
    """PyObject_RichCompareBool: identity implies equality for == and !=."""
    if a is b and op in (2, 3):
        return 1 if op == 2 else 0
    return 1 if rich_compare(a, b, op) else 0


def truth(x):
    return 1 if x else 0


def iterated(x):
    """(type of iter(x), the items it yields)."""
    it = iter(x)
    return (type(it), list(it))


def has_attr(x, name):
    """PyObject_HasAttr: any exception from the lookup counts as absent."""
    try:
        getattr(x, name)
    except Exception:
        return 0
    return 1


def bytes_from_object(x):
    """PyBytes_FromObject: bytes(x) without the bytes(n) and bytes(str, ...) constructors."""
    if isinstance(x, (int, str)):
        raise TypeError("cannot convert to bytes")
    return bytes(x)


def object_bytes(x):
    """PyObject_Bytes: __bytes__ if the type has it, else PyBytes_FromObject."""
    if hasattr(type(x), "__bytes__"):
        return bytes(x)
    return bytes_from_object(x)


# --- numbers -----------------------------------------------------------------------------------


def number_check(x):
    """PyNumber_Check: the type has __index__, __int__ or __float__ (or x is complex)."""
    tp = type(x)
    if isinstance(x, complex):
        return 1
    return 1 if any(hasattr(tp, m) for m in ("__index__", "__int__", "__float__")) else 0


def number_as_ssize_t(x, raise_overflow):
    """PyNumber_AsSsize_t(x, OverflowError if raise_overflow else NULL): clamps when NULL."""
    value = operator.index(x)
    if SSIZE_MIN <= value <= SSIZE_MAX:
        return int(value)
    if raise_overflow:
        raise OverflowError("cannot fit into a Py_ssize_t")
    return SSIZE_MIN if value < 0 else SSIZE_MAX


def to_base(x, base):
    """PyNumber_ToBase: bin/oct/str/hex of operator.index(x) for base 2, 8, 10, 16."""
    if base not in (2, 8, 10, 16):
        raise SystemError("base must be 2, 8, 10 or 16")
    value = int(operator.index(x))
    return {2: bin, 8: oct, 10: str, 16: hex}[base](value)


def power(a, b, m):
    return pow(a, b) if m is None else pow(a, b, m)


# --- int and float -----------------------------------------------------------------------------


def integer_of(x):
    """What the PyLong_As* conversions that accept non-int objects see: __index__, and before
    3.10 also __int__ (so floats were truncated; 3.8 and 3.9 warn first). Changed in 3.10."""
    tp = type(x)
    if hasattr(tp, "__index__"):
        return int(operator.index(x))
    if sys.version_info < (3, 10) and hasattr(tp, "__int__"):
        return int(x)
    raise TypeError("an integer is required")


def in_range(value, low, high):
    if low <= value <= high:
        return value
    raise OverflowError("out of range")


def c_long(x):
    """PyLong_AsLong / PyLong_AsLongLong."""
    return in_range(integer_of(x), LONG_MIN, LONG_MAX)


def c_int(x):
    """PyLong_AsInt (3.13): __index__ only."""
    return in_range(int(operator.index(x)), INT_MIN, INT_MAX)


def exact_int(x):
    """The PyLong_As* conversions that take only int objects (no __index__, no __int__)."""
    if not isinstance(x, int):
        raise TypeError("an integer is required")
    return int(x)


def c_ssize_t(x):
    return in_range(exact_int(x), SSIZE_MIN, SSIZE_MAX)


def c_unsigned(x):
    """PyLong_AsUnsignedLong, PyLong_AsUnsignedLongLong, PyLong_AsSize_t."""
    return in_range(exact_int(x), 0, ULONG_MAX)


def c_unsigned_mask(x):
    """PyLong_AsUnsignedLongMask / PyLong_AsUnsignedLongLongMask: modulo 2**64."""
    return integer_of(x) % (ULONG_MAX + 1)


def long_and_overflow(x):
    """PyLong_AsLongAndOverflow: (value, 0), or (-1, +1/-1) when out of range."""
    value = integer_of(x)
    if value > LONG_MAX:
        return (-1, 1)
    if value < LONG_MIN:
        return (-1, -1)
    return (value, 0)


def long_as_double(x):
    """PyLong_AsDouble: int objects only."""
    return float(exact_int(x))


def as_void_ptr(x):
    """PyLong_AsVoidPtr: a negative value is read as a C long, anything else as unsigned."""
    value = exact_int(x)
    if value < 0:
        return in_range(value, LONG_MIN, LONG_MAX) % (ULONG_MAX + 1)
    return in_range(value, 0, ULONG_MAX)


def unsigned_bits(x):
    """A signed 64-bit argument's bits read as unsigned."""
    return x % (ULONG_MAX + 1)


def long_from_string(data, base):
    """PyLong_FromString(the C string in data, NULL, base): int() of the bytes up to a NUL. Its
    "invalid literal" message quotes the text decoded as UTF-8, so for text that is not UTF-8
    the error is a UnicodeDecodeError (int() of bytes replaces it with a ValueError)."""
    text = c_string(data)
    if base != 0 and not 2 <= base <= 36:
        raise ValueError("int() arg 2 must be >= 2 and <= 36")
    try:
        return int(text, base)
    except ValueError:
        text[:200].decode("utf-8")
        raise


def as_double(x):
    """PyFloat_AsDouble: __float__, or __index__ (3.8+)."""
    tp = type(x)
    if hasattr(tp, "__float__"):
        return float(x)
    if sys.version_info >= (3, 8) and hasattr(tp, "__index__"):
        return float(operator.index(x))
    raise TypeError("must be real number")


def float_from_string(x):
    """PyFloat_FromString: float() of a str or bytes-like object only."""
    if not isinstance(x, (str, bytes, bytearray)):
        raise TypeError("must be str or bytes")
    return float(x)


# --- str ---------------------------------------------------------------------------------------


def c_string(data):
    """The C string a bytes argument holds: up to its first NUL."""
    return data.split(b"\0")[0]


def require_str(*values):
    for value in values:
        if not isinstance(value, str):
            raise TypeError("must be str")


def from_string_and_size(data, size):
    require(size >= 0)
    return data[:size].decode("utf-8")


def read_char(s, index):
    require_str(s)
    if not 0 <= index < len(s):
        raise IndexError("string index out of range")
    return ord(s[index])


def substring(s, start, end):
    """PyUnicode_Substring: negative indices are errors, not counted from the end."""
    if start < 0 or end < 0:
        raise IndexError("string index out of range")
    return s[start:end]


def unicode_concat(a, b):
    require_str(a, b)
    return a + b


def unicode_contains(container, element):
    require_str(container, element)
    return 1 if element in container else 0


def unicode_compare(a, b):
    require_str(a, b)
    return (a > b) - (a < b)


def unicode_rich_compare(a, b, op):
    """PyUnicode_RichCompare: NotImplemented unless both are str."""
    if not (isinstance(a, str) and isinstance(b, str)):
        return NotImplemented
    return rich_compare(a, b, op)


def encoded(s, encoding, errors):
    """PyUnicode_AsEncodedString(s, encoding or NULL, errors or NULL)."""
    require_str(s)
    return s.encode("utf-8" if encoding is None else encoding, "strict" if errors is None else errors)


def decoded(data, encoding, errors):
    """PyUnicode_Decode*/FromEncodedObject(data, encoding or NULL, errors or NULL)."""
    return str(data, "utf-8" if encoding is None else encoding, "strict" if errors is None else errors)


def decoded_lazily(data, encoding, errors):
    """PyUnicode_DecodeUTF8/DecodeLatin1: these look the error handler up only when they meet
    an error, while str() on a debug build (or in dev mode) checks it first (3.9 What's New,
    "Build and C API Changes"). Same result otherwise."""
    try:
        return str(data, encoding, "strict")
    except UnicodeDecodeError:
        return str(data, encoding, "strict" if errors is None else errors)


def unicode_find(s, sub, start, end, direction):
    require_str(s, sub)
    return s.find(sub, start, end) if direction > 0 else s.rfind(sub, start, end)


def unicode_tailmatch(s, sub, start, end, direction):
    require_str(s, sub)
    if direction > 0:
        return 1 if s.endswith(sub, start, end) else 0
    return 1 if s.startswith(sub, start, end) else 0


def unicode_from_object(x):
    """PyUnicode_FromObject: a str (an exact copy for subclasses), else TypeError."""
    require_str(x)
    return str(x)


def unicode_from_format(n, ordinal, obj, text, cstring):
    """The probe's PyUnicode_FromFormat("%lld|%zd|%c|%R|%S|%U|%s|%%|%d", ...); %s decodes the
    C string as UTF-8 with the "replace" error handler."""
    return "%d|%d|%c|%r|%s|%s|%s|%%|%d" % (
        n, n, ordinal, obj, obj, text, c_string(cstring).decode("utf-8", "replace"), n & 0x7FFF)


def compare_with_ascii(s, data):
    """PyUnicode_CompareWithASCIIString with an ASCII C string without NULs: the sign."""
    other = c_string(data).decode("latin-1")
    return (s > other) - (s < other)


def equal_to_utf8(s, data):
    """PyUnicode_EqualToUTF8AndSize: 0 when s has surrogates or data is not valid UTF-8."""
    try:
        return 1 if s.encode("utf-8") == data and data.decode("utf-8") == s else 0
    except UnicodeError:
        return 0


def code_points(s):
    require_str(s)
    return [ord(c) for c in s]


def utf8_of(s):
    require_str(s)
    return s.encode("utf-8")


# --- bytes and bytearray -----------------------------------------------------------------------


def bytes_from_string_and_size(data, size):
    require(size >= 0)
    return data[:size]


def bytearray_from_string_and_size(data, size):
    require(size >= 0)
    return bytearray(data[:size])


def bytes_size(x):
    if not isinstance(x, bytes):
        raise TypeError("expected bytes")
    return len(x)


def bytes_only(x):
    if not isinstance(x, bytes):
        raise TypeError("expected bytes")
    return x


def bytes_concat(a, b):
    """PyBytes_Concat: both must support the buffer protocol (of our values, only bytes)."""
    if not (isinstance(a, bytes) and isinstance(b, bytes)):
        raise TypeError("can't concat")
    return a + b


def bytearray_concat(a, b):
    if not (isinstance(a, bytes) and isinstance(b, bytes)):
        raise TypeError("can't concat")
    return bytearray(a) + b


def bytearray_resize(data, size):
    """(new length, the bytes kept from before)."""
    return (size, data[:size])


def escape_decode(data, errors):
    return codecs.escape_decode(data, "strict" if errors is None else errors)[0]


def bytes_from_format(n, byte, cstring):
    """The probe's PyBytes_FromFormat("%lld|%zd|%c|%s|%%|%d", ...)."""
    if not 0 <= byte <= 255:
        raise OverflowError("%c arg not in range(256)")
    return b"%d|%d|%c|%s|%%|%d" % (n, n, byte, c_string(cstring), n & 0x7FFF)


# --- lists, tuples, sequences ------------------------------------------------------------------


def require_type(x, tp):
    """The concrete-type entries (PyList_*, PyTuple_*, PyDict_*) raise SystemError otherwise."""
    if not isinstance(x, tp):
        raise SystemError("bad argument to internal function")


def list_size(x):
    require_type(x, list)
    return len(x)


def tuple_size(x):
    require_type(x, tuple)
    return len(x)


def checked_item(seq, index):
    """PyList_GetItem / PyTuple_GetItem: no negative indices."""
    if not 0 <= index < len(seq):
        raise IndexError("index out of range")
    return seq[index]


def list_getitem(x, index):
    require_type(x, list)
    return checked_item(x, index)


def tuple_getitem(x, index):
    require_type(x, tuple)
    return checked_item(x, index)


def list_getitem_ref(x, index):
    """PyList_GetItemRef (3.13): a TypeError (not SystemError) for a non-list."""
    if not isinstance(x, list):
        raise TypeError("expected a list")
    return checked_item(x, index)


def list_setitem(x, index, item):
    require_type(x, list)
    if not 0 <= index < len(x):
        raise IndexError("list assignment index out of range")
    x[index] = item


def list_append(x, item):
    require_type(x, list)
    x.append(item)


def list_insert(x, index, item):
    require_type(x, list)
    x.insert(index, item)


def list_reverse(x):
    require_type(x, list)
    x.reverse()


def list_sort(x):
    require_type(x, list)
    x.sort()


def list_as_tuple(x):
    require_type(x, list)
    return tuple(x)


def clamped(seq, low, high):
    """The C slice bounds: clamped to [0, len], high at least low (no counting from the end)."""
    low = min(max(low, 0), len(seq))
    high = min(max(high, low), len(seq))
    return low, high


def list_getslice(x, low, high):
    require_type(x, list)
    low, high = clamped(x, low, high)
    return x[low:high]


def tuple_getslice(x, low, high):
    require_type(x, tuple)
    low, high = clamped(x, low, high)
    return x[low:high]


def list_setslice(x, low, high, items):
    require_type(x, list)
    low, high = clamped(x, low, high)
    if items is None:
        del x[low:high]
    else:
        x[low:high] = items


def tuple_setitem(items, index, item):
    """PyTuple_SetItem on a fresh tuple of the items; the empty tuple is a shared singleton
    (its refcount is not 1), which PyTuple_SetItem refuses with SystemError."""
    if not items:
        raise SystemError("bad argument to internal function")
    if not 0 <= index < len(items):
        raise IndexError("tuple assignment index out of range")
    items = list(items)
    items[index] = item
    return tuple(items)


def sequence_check(x):
    """PySequence_Check: __getitem__ and not a dict."""
    return 1 if hasattr(type(x), "__getitem__") and not isinstance(x, dict) else 0


def require_sequence(*values):
    for value in values:
        if not sequence_check(value):
            raise TypeError("not a sequence")


def sequence_size(x):
    require_sequence(x)
    return len(x)


def sequence_index_adjusted(x, index):
    """PySequence_*Item: a negative index counts from the end, once; one still negative after
    that is out of range (not counted from the end again), like len(x)."""
    require_sequence(x)
    if index < 0:
        index += len(x)
    return len(x) if index < 0 else index


def sequence_getitem(x, index):
    return x[sequence_index_adjusted(x, index)]


def sequence_setitem(x, index, item):
    index = sequence_index_adjusted(x, index)
    x[index] = item


def sequence_delitem(x, index):
    index = sequence_index_adjusted(x, index)
    del x[index]


def sequence_setslice(x, low, high, items):
    x[low:high] = items


def sequence_delslice(x, low, high):
    del x[low:high]


def sequence_concat(a, b):
    """PySequence_Concat: a's own concatenation (which checks b), if a is a sequence."""
    require_sequence(a)
    return a + b


def sequence_inplace_concat(a, b):
    require_sequence(a)
    a += b
    return a


def sequence_repeat(x, count):
    require_sequence(x)
    return x * count


def contains(container, item):
    return 1 if item in container else 0


def sequence_index(seq, item):
    """PySequence_Index: the first position, by iteration (identity or ==)."""
    for position, candidate in enumerate(seq):
        if candidate is item or candidate == item:
            return position
    raise ValueError("sequence.index(x): x not in sequence")


def sequence_count(seq, item):
    count = 0
    for candidate in seq:
        if candidate is item or candidate == item:
            count += 1
    return count


def sequence_fast(x):
    """PySequence_Fast: a list or tuple itself, anything else as a list."""
    return x if type(x) in (list, tuple) else list(x)


# --- dicts -------------------------------------------------------------------------------------


def dict_getitem(d, key):
    """PyDict_GetItem: NULL (here []) for an absent key and for any error."""
    if not isinstance(d, dict):
        return []
    try:
        return [d[key]] if key in d else []
    except Exception:
        return []


def dict_getitem_with_error(d, key):
    require_type(d, dict)
    return [d[key]] if key in d else []


def string_key(data):
    """A C string key: the bytes up to a NUL, decoded as UTF-8."""
    return c_string(data).decode("utf-8")


def dict_getitem_string(d, data):
    try:
        key = string_key(data)
    except UnicodeDecodeError:
        return []
    return dict_getitem(d, key)


def dict_getitem_ref(d, key):
    """PyDict_GetItemRef (3.13): (1, value) or (0, None); SystemError for a non-dict."""
    require_type(d, dict)
    return (1, d[key]) if key in d else (0, None)


def dict_getitem_string_ref(d, data):
    """The *String entries decode the key before they look at the dict."""
    key = string_key(data)
    require_type(d, dict)
    return (1, d[key]) if key in d else (0, None)


def dict_setitem(d, key, value):
    require_type(d, dict)
    d[key] = value


def dict_setitem_string(d, data, value):
    key = string_key(data)
    require_type(d, dict)
    d[key] = value


def dict_delitem(d, key):
    """PyDict_DelItem hashes the key before it checks the dict."""
    hash(key)
    require_type(d, dict)
    del d[key]


def dict_delitem_string(d, data):
    key = string_key(data)
    require_type(d, dict)
    del d[key]


def dict_contains(d, key):
    require_type(d, dict)
    return 1 if key in d else 0


def dict_size(d):
    require_type(d, dict)
    return len(d)


def dict_keys(d):
    require_type(d, dict)
    return list(d.keys())


def dict_values(d):
    require_type(d, dict)
    return list(d.values())


def dict_items(d):
    require_type(d, dict)
    return list(d.items())


def dict_copy(d):
    require_type(d, dict)
    return d.copy()


def dict_merge(a, b, override):
    """PyDict_Merge: b is a mapping (keys() and []); without override, existing keys win."""
    require_type(a, dict)
    if isinstance(b, dict):
        pairs = list(b.items())
    else:
        pairs = [(key, b[key]) for key in b.keys()]
    for key, value in pairs:
        if override or key not in a:
            a[key] = value


def dict_merge_from_seq2(a, seq, override):
    """PyDict_MergeFromSeq2: each item is a 2-sequence (key, value)."""
    require_type(a, dict)
    for item in seq:
        try:
            pair = list(item)
        except TypeError:
            raise TypeError("cannot convert dictionary update sequence element to a sequence")
        if len(pair) != 2:
            raise ValueError("dictionary update sequence element has the wrong length")
        key, value = pair
        if override or key not in a:
            a[key] = value


def dict_clear(d):
    """PyDict_Clear: does nothing to a non-dict."""
    if isinstance(d, dict):
        d.clear()


def dict_next(d):
    return list(d.items()) if isinstance(d, dict) else []


# --- exceptions --------------------------------------------------------------------------------


def exception_args(value):
    """The args an exception created from a PyErr_SetObject value gets."""
    if value is None:
        return ()
    if isinstance(value, tuple):
        return value
    return (value,)


def create_exception(exc_type, value):
    """How CPython instantiates an exception set as (type, value): type(*args)."""
    return exc_type(*exception_args(value))


def raise_set(index, value):
    raise create_exception(EXCEPTIONS[index], value)


def normalized(index, value):
    """(type, args) after PyErr_NormalizeException: OSError(errno, ...) picks a subclass. Until
    3.11 *type stays the class that was set even when the new instance is of a subclass; from
    3.12 on (PyErr_SetObject creates the instance at once) it is the instance's class. Changed
    in 3.12."""
    exc = create_exception(EXCEPTIONS[index], value)
    if sys.version_info < (3, 12):
        return (EXCEPTIONS[index], exc.args)
    return (type(exc), exc.args)


def c_text(text):
    """A str that went through a C string: up to its first NUL."""
    return text.split("\0")[0]


def fetched(index, message):
    """(type, value, traceback, cleared) from PyErr_Fetch after PyErr_SetString. Until 3.11 the
    value is the message itself (normalized lazily); from 3.12 PyErr_SetString normalizes at
    once and the value is the exception instance. Changed in 3.12."""
    exc_type = EXCEPTIONS[index]
    message = c_text(message)
    value = message if sys.version_info < (3, 12) else exc_type(message)
    return (exc_type, value, None, 1)


def given_matches(given, match, as_instance):
    return 1 if issubclass(EXCEPTIONS[given], EXCEPTIONS[match]) else 0


def new_exception(name, base_index):
    """PyErr_NewException("module.Class", base): (the class, its bases)."""
    text = name.decode("utf-8")
    if "." not in text:
        raise SystemError("PyErr_NewException: name must be module.class")
    module, _, cls_name = text.rpartition(".")
    base = EXCEPTIONS[base_index]
    cls = type(cls_name, (base,), {"__module__": module})
    return (cls, (base,))


def new_exception_with_doc(name, doc, base_index):
    """PyErr_NewExceptionWithDoc: the doc (a C string) is decoded before the name is checked."""
    text = c_string(doc).decode("utf-8")
    cls, _ = new_exception(name, base_index)
    return (cls, text)


def formatted_exception(index, n, obj):
    """PyErr_Format(exc, "%lld|%R|%S|%%", n, obj, obj): (type, args)."""
    return normalized(index, "%d|%r|%s|%%" % (n, obj, obj))


def errno_exception(number):
    """PyErr_SetFromErrno(PyExc_OSError): OSError(errno, strerror) picks the subclass."""
    message = os.strerror(number) if number else "Error"
    exc = OSError(number, message)
    return (type(exc), exc.args)


# --- reference counting ------------------------------------------------------------------------


def is_immortal(x):
    """Whether x is immortal (3.12+): its count is pinned far above any real count."""
    return sys.version_info >= (3, 12) and sys.getrefcount(x) >= 2 ** 30


def set_add(items, key):
    """PySet_Add on set(items): the set afterwards."""
    s = set(items)
    s.add(key)
    return s


def set_discard(items, key):
    """PySet_Discard on set(items): (whether the key was there, the set afterwards)."""
    s = set(items)
    found = key in s
    s.discard(key)
    return (int(found), s)


def set_pop(items):
    """PySet_Pop on set(items): (the item, the set afterwards)."""
    s = set(items)
    item = s.pop()
    return (item, s)


def mapping_has_key(o, key):
    """PyMapping_HasKey: any exception from the lookup counts as absent."""
    try:
        o[key]
    except Exception:
        return 0
    return 1


def known_encoding(name):
    """PyCodec_KnownEncoding: any failure of the lookup counts as unknown."""
    import codecs
    try:
        codecs.lookup(name)
    except Exception:
        return 0
    return 1


# --- builders: objects no literal can make (harness/src/properties/contracts/domains.rs) ------
# `["x", NAME, value]` on the wire becomes make_NAME(value), once for the probe's call and once
# for the oracle's, so both get equal but distinct objects.

# Exception classes a built exception is drawn from (make_exception's first item indexes it).
BUILT_EXCEPTIONS = [
    Exception, ValueError, TypeError, KeyError, OSError, RuntimeError, StopIteration,
    ImportError, UnicodeError, ArithmeticError, UserWarning, SystemExit,
]


def make_exception(spec):
    kind, args = spec
    return BUILT_EXCEPTIONS[kind](*args)


class Plain(object):
    """A user class with a __dict__, weak references and nothing else."""


class Slotted(object):
    __slots__ = ("a",)


class WithDunders(object):
    """Custom __repr__, __len__, __iter__, __getitem__, __eq__/__hash__, __index__, __call__."""

    def __repr__(self):
        return "WithDunders()"

    def __len__(self):
        return 3

    def __iter__(self):
        return iter((1, 2, 3))

    def __getitem__(self, key):
        if key in (0, 1, 2, "a"):
            return key
        raise KeyError(key)

    def __eq__(self, other):
        return isinstance(other, WithDunders)

    def __hash__(self):
        return 7

    def __index__(self):
        return 3

    def __call__(self, *args, **kwargs):
        return (args, sorted(kwargs.items()))


class Raising(object):
    """Every protocol raises: what error paths see."""

    def __repr__(self):
        raise RuntimeError("repr")

    def __len__(self):
        raise RuntimeError("len")

    def __iter__(self):
        raise RuntimeError("iter")

    def __getitem__(self, key):
        raise RuntimeError("getitem")

    def __getattr__(self, name):
        raise RuntimeError("getattr")

    def __hash__(self):
        raise RuntimeError("hash")


class IntSubclass(int):
    pass


class StrSubclass(str):
    pass


def make_object(kind):
    return [object(), Plain(), Slotted(), WithDunders(), Raising(), IntSubclass(5)][kind]


BUILT_TYPES = [
    int, str, bytes, object, type, list, dict, Plain, IntSubclass, StrSubclass, ValueError, WithDunders,
]


def make_type(kind):
    return BUILT_TYPES[kind]


def make_callable(kind):
    return [len, repr, str.upper, WithDunders(), lambda *a, **k: (a, sorted(k.items())), Raising][kind]


def make_module(name):
    import types
    return types.ModuleType(name)


def make_iterator(items):
    return iter(items)


def make_unicode_decode_error(spec):
    data, start, end, reason = spec
    return UnicodeDecodeError("utf-8", data, start, end, reason)


def make_unicode_encode_error(spec):
    text, start, end, reason = spec
    return UnicodeEncodeError("ascii", text, start, end, reason)


def make_unicode_translate_error(spec):
    text, start, end, reason = spec
    return UnicodeTranslateError(text, start, end, reason)


# Capsules the standard library exports (Python cannot make one): (module, attribute).
CAPSULES = [("datetime", "datetime_CAPI"), ("unicodedata", "_ucnhash_CAPI"), ("pyexpat", "expat_CAPI")]


def make_capsule(kind):
    import importlib
    module, attribute = CAPSULES[kind]
    return getattr(importlib.import_module(module), attribute)


# --- group modules: memory, capsules, modules, imports --------------------------------------


def allocated(size, byte):
    """An allocator's block filled with `byte`, or None past PY_SSIZE_T_MAX (Doc/c-api/memory.rst)."""
    return None if size > SSIZE_MAX else bytes([byte]) * size


def callocated(pair):
    nelem, elsize = pair
    if elsize and nelem > SSIZE_MAX // elsize:
        return None
    return bytes(nelem * elsize)


def reallocated(size, byte, new_size):
    if size > 70000:
        size = 0
    if new_size > SSIZE_MAX:
        return None
    kept = min(size, new_size)
    return bytes([byte]) * kept + bytes([byte ^ 0xFF]) * (new_size - kept)


CAPSULE_NAMES = [None, "abi3probe.first", "abi3probe.second", "datetime.datetime_CAPI"]


def is_capsule(c):
    return type(c).__name__ == "PyCapsule"


def capsule_name(c):
    """A capsule's name, from its repr: <capsule object "NAME" at ...> or <capsule object NULL ...>."""
    text = repr(c)
    start = text.find('"')
    return None if start < 0 else text[start + 1:text.rindex('"')]


def capsule_check(c, name, any_name=False):
    """What makes a capsule valid for the accessors: ValueError otherwise (Doc/c-api/capsule.rst)."""
    if not is_capsule(c) or (not any_name and capsule_name(c) != name):
        raise ValueError("invalid capsule")
    return capsule_name(c)


def capsule_new(kind, null_pointer):
    """The readback of a probe capsule on its first static target, with the recording destructor:
    (IsValid, name, pointer, context, own destructor, (destructor calls, pointer seen, context seen))."""
    if null_pointer:
        raise ValueError("PyCapsule_New called with null pointer")
    name = CAPSULE_NAMES[kind % 4]
    return (1, None if name is None else name.encode(), 0, -1, 1, (1, 0, -1))


def make_std_capsule(kind):
    """A standard library capsule: datetime's, pyexpat's, unicodedata's (named ucnhash_CAPI up to 3.9)."""
    import importlib
    module, attributes = [("datetime", ["datetime_CAPI"]), ("pyexpat", ["expat_CAPI"]), ("unicodedata", ["_ucnhash_CAPI", "ucnhash_CAPI"])][kind]
    module = importlib.import_module(module)
    for attribute in attributes:
        if hasattr(module, attribute):
            return getattr(module, attribute)
    raise AttributeError(attributes[0])


def capsule_import(name, no_block=False):
    import importlib
    module_name, _, attribute = name.partition(".")
    try:
        obj = importlib.import_module(module_name)
    except ImportError:
        if no_block and sys.version_info < (3, 11):
            raise
        raise ImportError("the C function raises ImportError itself, not ModuleNotFoundError")
    if attribute:
        obj = getattr(obj, attribute)
    if not is_capsule(obj) or capsule_name(obj) != name:
        raise AttributeError("PyCapsule_Import %r is not valid" % name)
    return 1


MOD_DOC = "abi3probe test module"
MOD_MAGIC = 0x5EED


def module_type():
    import types
    return types.ModuleType


def module_checked(m, error):
    if not isinstance(m, module_type()):
        raise error("not a module")
    return m


def module_name_of(m):
    name = module_checked(m, TypeError).__dict__.get("__name__")
    if not isinstance(name, str):
        raise SystemError("nameless module")
    return name


def module_file_of(m):
    name = module_checked(m, TypeError).__dict__.get("__file__")
    if not isinstance(name, str):
        raise SystemError("module filename missing")
    return name


def make_module_with_file(spec):
    name, filename = spec
    m = module_type()(name)
    if filename is not None:
        m.__file__ = filename
    return m


def module_namespace(m):
    return m


def module_new_object(name):
    m = module_type()("placeholder")
    m.__name__ = name
    return m


def module_added(m, name, value):
    if name == "__doc__":
        setattr(m, name, value)
    else:
        module_checked(m, TypeError).__dict__[name] = value
    return (None, m.__dict__)


def make_module_spec(spec):
    import importlib.machinery
    import types
    kind, name = spec
    if kind == 0:
        return importlib.machinery.ModuleSpec(name, None)
    if kind == 1:
        return types.SimpleNamespace(name=name)
    if kind == 2:
        return types.SimpleNamespace(origin=name)
    return types.SimpleNamespace(name=len(name))


def spec_name(spec):
    name = spec.name
    if not isinstance(name, str):
        raise TypeError("bad argument type for built-in operation")
    return name


def module_before_exec(spec):
    return (spec_name(spec), MOD_DOC, None, None, None)


def module_multi_phase(spec, created=False):
    name = spec_name(spec)
    if created:
        return ((name, MOD_DOC, None, "Py_mod_create", None), (name, MOD_DOC, 1, "Py_mod_create", MOD_MAGIC))
    return ((name, MOD_DOC, None, None, None), (name, MOD_DOC, 1, None, MOD_MAGIC))


def add_module(name):
    """PyImport_AddModule*: (sys.modules[name], whether it was there), a new module when not."""
    listed = name in sys.modules
    return (sys.modules[name] if listed else module_type()(name), int(listed))


IMPORT_GLOBALS = [
    None,
    {},
    {"__name__": "json.probe", "__package__": "json"},
    {"__name__": "collections.probe", "__package__": "collections"},
    {"__name__": "x", "__package__": 5},
]


def make_import_globals(kind):
    value = IMPORT_GLOBALS[kind]
    return dict(value) if value is not None else None


RELOADABLE = ["colorsys", "keyword", None, 42, "text"]


def make_reloadable(kind):
    import importlib
    if kind == 2:
        return module_type()("abi3probe_not_in_sys_modules")
    if kind in (0, 1):
        return importlib.import_module(RELOADABLE[kind])
    return RELOADABLE[kind]


def get_importer(path):
    cache = sys.path_importer_cache
    if path in cache:
        return cache[path]
    for hook in sys.path_hooks:
        try:
            finder = hook(path)
        except ImportError:
            continue
        cache[path] = finder
        return finder
    cache[path] = None
    return None


def import_frozen(name):
    import _imp
    if not _imp.is_frozen(name):
        return (0, int(name in sys.modules))
    return (1, 1)


CODE_SOURCES = ["x = __name__", "x = 6 * 7", "raise ValueError('probe')", "x = __file__", "import sys\nx = __name__ in sys.modules"]


def make_code(kind):
    return compile(CODE_SOURCES[kind], "<abi3probe>", "exec")


def exec_code_module(name, code, pathname, cpathname, objects=False):
    """(x, __name__, __file__, listed) of sys.modules[name] after running the code there."""
    m = sys.modules.get(name)
    if m is None:
        m = sys.modules[name] = module_type()(name)
    m.__dict__.setdefault("__builtins__", __builtins__)
    # Without a pathname, the source file of cpathname (which is cpathname itself for these
    # paths: no source file next to it), else co_filename.
    # PyImport_ExecCodeModuleObject itself takes co_filename then from 3.12 on (observed: up to
    # 3.11 it derived it from cpathname too, as the *WithPathnames form documents for itself).
    if objects and sys.version_info >= (3, 12):
        cpathname = None
    m.__file__ = pathname if pathname is not None else cpathname if cpathname is not None else code.co_filename
    try:
        exec(code, m.__dict__)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    m = sys.modules.pop(name)
    return (m.__dict__.get("x"), m.__name__, m.__file__, 1)
MOD_STATE_SIZE = 32


def module_from_slots(spec, full=True):
    """The observation of a module made from the probe's 3.15 slot arrays (see mod_from_slots)."""
    name = spec_name(spec)
    if not full:
        return ((name, MOD_DOC, None, None, None), (name, MOD_DOC, None, None, 0), 1, MOD_STATE_SIZE, (0, 0, 0))
    return ((name, MOD_DOC, None, None, None), (name, MOD_DOC, 1, None, MOD_MAGIC), 1, MOD_STATE_SIZE, (1, 1, 1))


def free_threaded():
    import sysconfig
    return bool(sysconfig.get_config_var("Py_GIL_DISABLED"))


def module_with_abi(spec, kind, optional):
    """PyABIInfo checks (Include/modsupport.h, 3.15): the module's name and the flag constants."""
    name = spec_name(spec)
    kind %= 6
    if kind == 1 and not free_threaded():
        raise ImportError("only compatible with free-threaded CPython")
    if kind == 4 and sys.version_info < (3, 99):
        raise ImportError("incompatible future stable ABI version")
    if kind == 5:
        raise ImportError("PyABIInfo version too high")
    if not optional:
        raise SystemError("unknown module slot ID")
    return (name, 3, 1, 2, 4, 6, 0x030F0000)


def import_level(name, globals_, locals_, fromlist, level):
    """PyImport_ImportModuleLevel*: builtins.__import__, but NULL globals for a relative import
    is a KeyError ('__name__' not in globals), where __import__ would say TypeError."""
    if level > 0 and globals_ is None and name is not None:
        raise KeyError("'__name__' not in globals")
    return __import__(name, globals_, locals_, fromlist or (), level)
