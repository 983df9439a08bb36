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


# --- group errors: PyErr_*, PyEval_*, PySys_*, PyFile_*, Py_Get*, ... (contracts/errors.toml) ---

ERRORS_AUDIT_LOG = []
ERRORS_AUDIT_PREFIX = "abi3probe.errors."


def _errors_audit_hook(event, args):
    if event.startswith(ERRORS_AUDIT_PREFIX):
        ERRORS_AUDIT_LOG.append((event, args))


class Capture(object):
    """Built by make_capture, passed to the probe's body and to the oracle alike: around one
    call it swaps sys.stdout/sys.stderr for StringIOs, records warnings (filter "always"),
    calls to sys.unraisablehook, this group's audit events and sys.last_value; end() restores
    all of it and returns what was seen."""

    hooked = [False]

    def begin(self):
        import io
        import warnings
        if not self.hooked[0] and hasattr(sys, "addaudithook"):
            sys.addaudithook(_errors_audit_hook)  # permanent: records only our own events
            self.hooked[0] = True
        del ERRORS_AUDIT_LOG[:]
        self.saved = (sys.stdout, sys.stderr, getattr(sys, "unraisablehook", None),
                      [(n, getattr(sys, n)) for n in ("last_type", "last_value", "last_traceback", "last_exc")
                       if hasattr(sys, n)])
        self.unraisable = []
        sys.stdout, sys.stderr = io.StringIO(), io.StringIO()
        if self.saved[2] is not None:
            sys.unraisablehook = lambda u: self.unraisable.append(
                (u.exc_type, u.exc_value, type(u.exc_traceback), u.err_msg, u.object))
        for name, _ in self.saved[3]:
            delattr(sys, name)
        self.manager = warnings.catch_warnings(record=True)
        self.log = self.manager.__enter__()
        warnings.simplefilter("always")

    def end(self):
        out, err = sys.stdout.getvalue(), sys.stderr.getvalue()
        last = getattr(sys, "last_value", None)
        self.manager.__exit__(None, None, None)
        sys.stdout, sys.stderr = self.saved[0], self.saved[1]
        if self.saved[2] is not None:
            sys.unraisablehook = self.saved[2]
        for name in ("last_type", "last_value", "last_traceback", "last_exc"):
            if hasattr(sys, name):
                delattr(sys, name)
        for name, value in self.saved[3]:
            setattr(sys, name, value)
        warned = [(w.category, str(w.message)) + ((w.source,) if w.category is ResourceWarning else ())
                  for w in self.log]
        audit = list(ERRORS_AUDIT_LOG)
        del ERRORS_AUDIT_LOG[:]
        return (out, err, warned, self.unraisable, audit, last)

    def run(self, function, *args):
        """(function's result, what end() saw); an exception propagates after end()."""
        self.begin()
        try:
            result = function(*args)
        finally:
            seen = self.end()
        return (result, seen)


def make_capture(_):
    return Capture()


def errors_describe(e):
    """(type, args, the error attributes it has): what a C body reads back from an exception."""
    attrs = {}
    for name in ("errno", "filename", "filename2", "name", "path", "lineno", "offset", "text", "msg",
                 "print_file_and_line", "end_lineno", "end_offset"):
        if hasattr(e, name):
            attrs[name] = getattr(e, name)
    return (type(e), e.args, attrs)


def errors_caught(function, *args):
    try:
        function(*args)
    except Exception as e:
        return errors_describe(e)
    return None


def c_str(s):
    """A str passed as a C string: cut at the first NUL."""
    return s.split("\0")[0]


def errno_error(exc_type, number, filename=None, filename2=None):
    """PyErr_SetFromErrnoWithFilename*: exc_type(errno, strerror(errno)[, filename[, 0, filename2]])."""
    message = os.strerror(number) if number else "Error"
    if filename is not None and filename2 is not None:
        raise exc_type(number, message, filename, 0, filename2)
    if filename is not None:
        raise exc_type(number, message, filename)
    raise exc_type(number, message)


ERRNO_TYPES = [OSError, FileNotFoundError, PermissionError, ValueError, Exception]


def make_errno_type(kind):
    return ERRNO_TYPES[kind]


def import_error(exc_type, msg, name, path):
    """PyErr_SetImportErrorSubclass(exc_type, msg, name, path)."""
    if not issubclass(exc_type, ImportError):
        raise TypeError("expected a subclass of ImportError")
    if msg is None:
        raise TypeError("expected a message argument")
    raise exc_type(msg, name=name, path=path)


IMPORT_ERROR_TYPES = [ImportError, ModuleNotFoundError if sys.version_info >= (3, 6) else ImportError, ValueError, OSError]


def make_import_error_type(kind):
    return IMPORT_ERROR_TYPES[kind]


class ErrorsCustomError(ValueError):
    pass


EXCEPTION_CLASSES = [BaseException, Exception, ValueError, KeyError, OSError, UnicodeDecodeError,
                     StopIteration, SystemExit, UserWarning, ErrorsCustomError, ModuleNotFoundError]


def make_exception_class(kind):
    return EXCEPTION_CLASSES[kind]


def exception_class_name(cls):
    """PyExceptionClass_Name: the type's tp_name (a heap type's is its __name__)."""
    if cls.__flags__ & (1 << 9) or cls.__module__ == "builtins":
        return cls.__name__.encode()
    return ("%s.%s" % (cls.__module__, cls.__name__)).encode()


# Warning classes only: the C functions do not check the category (warnings.warn does).
WARNING_CATEGORIES = [UserWarning, DeprecationWarning, RuntimeWarning, SyntaxWarning, ResourceWarning,
                      FutureWarning, ImportWarning, Warning]


def make_warning_category(kind):
    return WARNING_CATEGORIES[kind]


def warn(category, message, stacklevel):
    import warnings
    warnings.warn(message, category, stacklevel)
    return None


def warn_explicit(category, message, filename, lineno):
    import warnings
    warnings.warn_explicit(message, category, filename, lineno)
    return None


def resource_warning(source, message, stacklevel):
    import warnings
    warnings.warn(message, ResourceWarning, stacklevel, source)
    return None


# Printable exceptions: make_exception's classes without SystemExit (PyErr_Print would exit).
def make_printable_exception(spec):
    kind, args = spec
    return BUILT_EXCEPTIONS[kind % 11](*args)


def print_exception(e):
    import traceback
    traceback.print_exception(type(e), e, e.__traceback__)


def excepthook(e, set_last):
    if set_last:
        sys.last_type, sys.last_value, sys.last_traceback = type(e), e, e.__traceback__
        if sys.version_info >= (3, 12):
            sys.last_exc = e
    sys.excepthook(type(e), e, e.__traceback__)


def write_unraisable(e, obj):
    """PyErr_WriteUnraisable(obj) with e set: sys.unraisablehook(e, obj) (3.8+), else the text."""
    if hasattr(sys, "unraisablehook"):
        import types
        class Args(object):
            exc_type, exc_value, err_msg, object = type(e), e, None, obj
            exc_traceback = types.TracebackType(None, sys._getframe(), 0, 0)
        sys.unraisablehook(Args)
        return
    sys.stderr.write("Exception ignored in: %r\n" % (obj,))
    sys.stderr.write("%s: %s\n" % (tp_name(type(e)), e))


class ErrorsPlain(object):
    def method(self):
        pass


FUNC_LIKE = [len, repr, str.upper, "x".upper, WithDunders(), lambda *a: a, Raising, ErrorsPlain().method,
             ErrorsPlain.method, 5, "text", None, int, [].append]


def make_func_like(kind):
    return FUNC_LIKE[kind]


def tp_name(t):
    if t.__flags__ & (1 << 9) or t.__module__ == "builtins":
        return t.__name__
    return "%s.%s" % (t.__module__, t.__name__)


def func_name(f):
    import types
    if isinstance(f, types.MethodType):
        return func_name(f.__func__)
    if isinstance(f, (types.FunctionType, types.BuiltinFunctionType)):
        return f.__name__.encode()
    return tp_name(type(f)).encode()


def func_desc(f):
    import types
    if isinstance(f, (types.MethodType, types.FunctionType, types.BuiltinFunctionType)):
        return b"()"
    return b" object"


def call_with_keywords(f, args, kwargs):
    if args is not None and not isinstance(args, tuple):
        raise TypeError("argument list must be a tuple")
    if kwargs is not None and not isinstance(kwargs, dict):
        raise TypeError("keyword list must be a dictionary")
    return f(*(args or ()), **(kwargs or {}))


SOURCES = [
    "x = 1 + 2",
    "1 / 0",
    "y = [i * i for i in range(5)]",
    "def f(a):\n    return a * 2\nz = f(21)",
    "raise ValueError('v')",
    "import math\nw = math.floor(2.5)",
    "x = (",
    "40 + 2",
    "x = 1\nx += 1\nx",
    "lambda: 0",
    "undefined_name_xyz",
    "if True:\n  pass\n",
]


def make_source(kind):
    return SOURCES[kind]


def eval_code(src, mode):
    g = {}
    result = eval(compile(src, "<abi3probe>", ("eval" if mode == 258 else "single" if mode == 256 else "exec"),
                          0, True), g, g)
    g.pop("__builtins__", None)
    return (result, sorted(g))


def compile_string(src, filename, start):
    return compile(c_str(src), c_str(filename), {256: "single", 257: "exec", 258: "eval"}[start], 0, True)


def eval_code_ex(args):
    return (lambda a, b=7: (a, b))(*args)


def make_generator(steps):
    def gen():
        yield 1
        yield 2
        yield 3
        yield 4
    g = gen()
    for _ in range(steps % 4):
        next(g)
    return g


def make_marshalled(spec):
    """marshal.dumps(value), the last `cut` bytes cut off (truncated data)."""
    import marshal
    value, cut = spec
    data = marshal.dumps(value)
    return data[:len(data) - cut]


def traceback_text(depth):
    import traceback
    src = "def f(n):\n    if n == 0:\n        raise ValueError(n)\n    f(n - 1)\nf(%d)\n" % depth
    try:
        exec(compile(src, "<abi3probe>", "exec"), {})
    except ValueError as e:
        tb = e.__traceback__.tb_next
    return "Traceback (most recent call last):\n" + "".join(traceback.format_tb(tb))


def file_get_line(data, n):
    import io
    f = io.BytesIO(data) if isinstance(data, bytes) else io.StringIO(data)
    line = f.readline() if n <= 0 else f.readline(n)
    if n < 0:
        if not line:
            raise EOFError("EOF when reading a line")
        if line[-1:] in ("\n", b"\n"):
            line = line[:-1]
    return line


def file_from_fd(mode, buffering, encoding, errors, newline):
    import io
    fd = os.open(os.devnull, os.O_RDWR)
    try:
        f = io.open(fd, mode, buffering, encoding, errors, newline, True)
    except BaseException:
        try:
            os.close(fd)
        except OSError:
            pass
        raise
    try:
        return (type(f), f.mode)
    finally:
        f.close()


class ErrorsPath(object):
    def __init__(self, value):
        self.value = value

    def __fspath__(self):
        return self.value


def make_path_like(kind):
    import pathlib
    return [pathlib.PurePosixPath("a/b"), ErrorsPath("s"), ErrorsPath(b"b"), ErrorsPath(3), ErrorsPath("\udcff")][kind]


def fspath(x):
    return os.fspath(x)


def xoption(saved, s):
    s = c_str(s)
    new = dict(saved)
    if "=" in s:
        key, value = s.split("=", 1)
        new[key] = value
    else:
        new[s] = True
    return new


SYS_NAMES = ["path", "version", "maxsize", "flags", "byteorder", "no_such_attribute_xyz", "platform", "float_info"]


def make_sys_name(kind):
    return SYS_NAMES[kind]


def sys_getattr(name):
    try:
        return getattr(sys, name)
    except AttributeError:
        raise RuntimeError("lost sys.%s" % name)


def sys_optional_attr(name):
    return (1, getattr(sys, name)) if hasattr(sys, name) else (0, None)


SIGNALS = ["SIGINT", "SIGUSR2", "SIGPIPE", "SIGTERM", "SIGCHLD"]


def signal_disposition(kind):
    import signal
    handler = signal.getsignal(getattr(signal, SIGNALS[kind]))
    return 0 if handler == signal.SIG_DFL else 1 if handler == signal.SIG_IGN else 2


def module_search_path():
    """Py_GetPath: the standard library entries of sys.path, from pythonXY.zip to lib-dynload."""
    start = [i for i, p in enumerate(sys.path) if p.endswith(".zip")][0]
    end = [i for i, p in enumerate(sys.path) if p.endswith("lib-dynload")][0]
    unique = []
    for p in sys.path[start:end + 1]:
        if p not in unique:
            unique.append(p)
    return unique
