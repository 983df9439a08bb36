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


# --- unicode group: str, codecs, unicode errors, PyOS string helpers ---------------------------
# (harness/data/contracts/unicode.toml, unicode_errors.toml, codecs.toml, pyos_strings.toml)


def unicode_error_start(e):
    """PyUnicode{Decode,Encode,Translate}Error_GetStart: the start clamped into the object. An
    empty object gives 0 from 3.14 on, -1 (0 clamped to len - 1) before (gh-123378,
    Doc/c-api/exceptions.rst)."""
    n = len(e.object)
    if n == 0:
        return 0 if sys.version_info >= (3, 14) else -1
    return min(max(e.start, 0), n - 1)


def unicode_error_end(e):
    """..._GetEnd: the end clamped to [min(1, len), len]."""
    n = len(e.object)
    return min(max(e.end, 1), n)


def unicode_error_set(e, attribute, value):
    """The Set* accessors store the value as given; the probe reads the attribute back."""
    setattr(e, attribute, value)
    return getattr(e, attribute)


CODEC_ERROR_KINDS = (UnicodeDecodeError, UnicodeEncodeError, UnicodeTranslateError)


def make_codec_error(spec):
    """A Unicode error with a valid, non-empty range (the handlers index the object with it), or
    (kind 3) a plain ValueError, which no handler knows."""
    kind, text, a, b = spec
    text = text or "x"
    n = len(text)
    start, end = sorted((a % (n + 1), b % (n + 1)))
    if kind == 0:
        data = text.encode("utf-8", "surrogatepass")
        n = len(data)
        start, end = sorted((a % (n + 1), b % (n + 1)))
        return UnicodeDecodeError("utf-8", data, start, end, "probe")
    if kind == 1:
        return UnicodeEncodeError("ascii", text, start, end, "probe")
    if kind == 2:
        return UnicodeTranslateError(text, start, end, "probe")
    return ValueError(text)


def make_codec_search(name):
    """A codec search function that knows one codec, abi3probe_<name> (latin-1 under that name)."""
    own = "abi3probe_" + name.replace(".", "_")
    latin1 = codecs.lookup("latin-1")

    def search(encoding):
        if encoding == own:
            return codecs.CodecInfo(latin1.encode, latin1.decode, name=own)
        return None

    search.codec_name = own
    return search


def codec_register(search):
    """PyCodec_Register, then a lookup of its codec; unregistered again where 3.10+ can."""
    codecs.register(search)
    name = codecs.lookup(search.codec_name).name
    if hasattr(codecs, "unregister"):
        codecs.unregister(search)
    return name


def codec_unregister(search):
    """PyCodec_Register then PyCodec_Unregister: the codec is unknown again (the lookup cache is
    cleared on unregistering)."""
    codecs.register(search)
    codecs.unregister(search)
    try:
        codecs.lookup(search.codec_name)
    except LookupError:
        return 0
    return 1


def register_error(name, handler):
    codecs.register_error(name, handler)
    return 1 if codecs.lookup_error(name) is handler else 0


def unicode_append(left, right):
    """PyUnicode_Append: anything but two str is SystemError (bad internal call)."""
    if not (isinstance(left, str) and isinstance(right, str)):
        raise SystemError("bad internal call")
    return str(left) + str(right)


def charmap_encode(s, mapping):
    require_str(s)
    return codecs.charmap_encode(s, "strict", mapping)[0]


def make_charmap(kind):
    """Encoding maps for PyUnicode_AsCharmapString."""
    return [
        {97: 65, 98: b"xy", 32: None, 10: 10, 0xE9: 0xE9},
        codecs.charmap_build("ab \n\t\xe9" + "".join(map(chr, range(6, 256)))[:250] + "cdefg"),
        {},
        {ord(c): ord(c) for c in "ab \n\t"},
        {97: "no", 98: 300},
    ][kind]


def make_decoding_table(kind):
    """Decoding maps for PyUnicode_DecodeCharmap (None: latin-1)."""
    return [
        None,
        "".join(map(chr, range(256)))[::-1],
        {97: "x", 98: None, 99: 0x3B1, 100: "long"},
        "abc",
        {97: 0x110000},
        {97: b"bytes"},
    ][kind]


def make_charmap_source(kind):
    """Inputs of PyUnicode_BuildEncodingMap: 256-character tables (an EncodingMap) and others."""
    return [
        "".join(map(chr, range(256))),
        "".join(map(chr, range(0x100, 0x200))),
        "abc",
        "a\U0001f600b",
        "".join(map(chr, range(255))) + "a",
        b"bytes",
    ][kind]


def encoding_map(table):
    """PyUnicode_BuildEncodingMap: an EncodingMap for fast tables; a dict otherwise (compared
    exactly). The EncodingMap itself is only compared by type."""
    return codecs.charmap_build(table)


def as_decoded(s, encoding, errors, want_str):
    """PyUnicode_AsDecoded{Object,Unicode}: str only; the codec's result checked to be str for
    the Unicode variant."""
    if not isinstance(s, str):
        raise TypeError("bad argument type for built-in operation")
    result = codecs.decode(s, encoding or "utf-8", errors or "strict")
    if want_str and not isinstance(result, str):
        raise TypeError("decoder did not return str")
    return result


def as_encoded(s, encoding, errors, want):
    if not isinstance(s, str):
        raise TypeError("bad argument type for built-in operation")
    result = codecs.encode(s, encoding or "utf-8", errors or "strict")
    if not isinstance(result, want):
        raise TypeError("encoder returned the wrong type")
    return result


def get_size(s):
    """PyUnicode_GetSize: the length in wchar_t (code points where wchar_t is 4 bytes); from
    3.12 it only raises RuntimeError (PEP 623 removed the wstr representation)."""
    if sys.version_info >= (3, 12):
        raise RuntimeError("PyUnicode_GetSize has been removed")
    require_str(s)
    return len(s)


def as_ucs4(s, size, copy_null):
    """PyUnicode_AsUCS4 into a buffer of `size` slots prefilled with 0xA5A5A5A5."""
    need = len(s) + (1 if copy_null else 0)
    if size < need:
        raise SystemError("string is longer than the buffer")
    filled = [ord(c) for c in s] + ([0] if copy_null else [])
    return filled + [0xA5A5A5A5] * (size - need)


def as_wide_char(s, size):
    """PyUnicode_AsWideChar (4-byte wchar_t): copies min(size, len + 1) units, the NUL
    included when it fits, and returns min(size, len); (result, buffer of size slots)."""
    require_str(s)
    if size is None:
        return (len(s) + 1, [])
    units = [ord(c) for c in s] + [0]
    n = min(size, len(units))
    return (min(size, len(s)), units[:n] + [0xA5A5A5A5] * (size - n))


def from_wide_char(s, size):
    """PyUnicode_FromWideChar(buffer, size) with the body's size: -1 (up to the NUL) or clamped
    to the text."""
    if size < 0:
        return c_text(s)
    return s[:min(size, len(s))]


def unicode_equal(a, b):
    require_str(a, b)
    return 1 if a == b else 0


FS_CONVERTED = 0x20000  # Py_CLEANUP_SUPPORTED


def fs_converter(x):
    data = os.fsencode(x)
    if b"\0" in data:
        raise ValueError("embedded null byte")
    return (FS_CONVERTED, data)


def fs_decoder(x):
    text = os.fsdecode(x)
    if "\0" in text:
        raise ValueError("embedded null character")
    return (FS_CONVERTED, text)


def find_char(s, ch, start, end, forward):
    """PyUnicode_FindChar: start and end as in a slice (from 3.7; before, negative or too large
    indices were an IndexError, bpo-28822)."""
    if sys.version_info < (3, 7) and (start < 0 or end < 0 or start > len(s) or end > len(s)):
        if not (start <= len(s) and end > len(s)):
            raise IndexError("string index out of range")
    if ch > 0x10FFFF:
        return -1
    return s.find(chr(ch), start, end) if forward else s.rfind(chr(ch), start, end)


def locale_codec():
    import locale
    return codecs.lookup(locale.nl_langinfo(locale.CODESET)).name


def decode_locale(data, errors):
    """PyUnicode_DecodeLocale: the LC_CTYPE locale's codec, strict or surrogateescape only."""
    errors = errors or "strict"
    if errors not in ("strict", "surrogateescape"):
        raise ValueError("unsupported error handler")
    return data.decode(locale_codec(), errors)


def decode_locale_and_size(data, errors):
    if b"\0" in data:
        raise ValueError("embedded null byte")
    return decode_locale(data, errors)


def encode_locale(s, errors):
    require_str(s)
    errors = errors or "strict"
    if errors not in ("strict", "surrogateescape"):
        raise ValueError("unsupported error handler")
    if "\0" in s:
        raise ValueError("embedded null character")
    return s.encode(locale_codec(), errors)


def intern_check(s):
    """Interning a fresh copy: the copy is replaced by the interned string of equal value."""
    return (s, 1)


def unicode_resize(s, length):
    if length < 0:
        raise SystemError("negative size")
    return s[:min(length, len(s))]


def unicode_translate(s, table, errors):
    """PyUnicode_Translate: table[ord(c)] gives a code point, a str or None (untranslatable);
    LookupError keeps the character. Untranslatable runs go to the error handler at once."""
    out = []
    i = 0
    n = len(s)

    def lookup(c):
        try:
            v = table[ord(c)]
        except LookupError:
            return c
        if v is None or isinstance(v, str):
            return v
        if isinstance(v, int):
            if not 0 <= v <= 0x10FFFF:
                raise ValueError("character mapping must be in range(0x110000)")
            return chr(v)
        raise TypeError("character mapping must return integer, None or str")

    while i < n:
        v = lookup(s[i])
        if v is not None:
            out.append(v)
            i += 1
            continue
        end = i + 1
        while end < n and lookup(s[end]) is None:
            end += 1
        if errors == "ignore":
            i = end
            continue
        handler = codecs.lookup_error(errors or "strict")
        replacement, position = handler(UnicodeTranslateError(s, i, end, "character maps to <undefined>"))
        out.append(replacement)
        i = position if position >= 0 else n + position
    return "".join(out)


def write_char(s, index, ch):
    """PyUnicode_WriteChar on a fresh copy: index checked, then whether the copy may be
    modified (one-character Latin-1 strings and the empty string are shared singletons), then
    that the character fits the string's storage (127, 255, 0xFFFF or 0x10FFFF)."""
    if not 0 <= index < len(s):
        raise IndexError("string index out of range")
    if len(s) == 1 and ord(s) < 256:
        raise SystemError("Cannot modify a string currently used")
    top = max(map(ord, s))
    limit = 127 if top < 128 else 255 if top < 256 else 0xFFFF if top < 0x10000 else 0x10FFFF
    if ch > limit:
        raise ValueError("character out of range")
    return s[:index] + chr(ch) + s[index + 1:]


# PyOS_double_to_string flags and result types (Include/pystrtod.h).
DTSF_SIGN, DTSF_ADD_DOT_0, DTSF_ALT = 1, 2, 4


def double_to_string(x, spec):
    """PyOS_double_to_string(x, code, precision, flags, &type): (text, type); type 0 finite,
    1 infinite, 2 NaN. 'r' is repr's shortest form (precision 0), the rest printf-style."""
    code, precision, flags = spec
    kind = 2 if x != x else 1 if x in (float("inf"), float("-inf")) else 0
    if code == "r":
        if precision != 0:
            raise SystemError("bad internal call")
        text = repr(x)
        if kind == 0 and not flags & DTSF_ADD_DOT_0 and text.endswith(".0"):
            text = text[:-2]
        if flags & DTSF_SIGN and not text.startswith("-"):
            text = "+" + text
        return (text.encode(), kind)
    sign = "+" if flags & DTSF_SIGN else ""
    alt = "#" if flags & DTSF_ALT else ""
    if flags & DTSF_ADD_DOT_0 and code in "gG":
        # format()'s empty presentation type: 'g' whose fixed-point form keeps a digit after
        # the point, switching to the exponent form one digit earlier.
        text = format(x, sign + alt + ".%d" % max(precision, 1))
        text = text.upper() if code == "G" else text
    else:
        text = ("%" + sign + alt + ".%d" % precision + code) % x
        if kind == 0 and flags & DTSF_ADD_DOT_0 and not any(c in text for c in "eE"):
            text = text.rstrip(".") + ("" if "." in text.rstrip(".") else ".0")
    return (text.encode(), kind)


def ascii_lower(byte):
    return byte + 32 if 65 <= byte <= 90 else byte


def mystricmp(a, b):
    """PyOS_mystricmp on NUL-padded buffers. Before bpo-41524 (3.8.6) the loop stepped past the
    first differing pair and returned the difference of the pair after it."""
    a, b = c_string(a) + b"\0\0", c_string(b) + b"\0\0"
    i = 0
    while a[i] and ascii_lower(a[i]) == ascii_lower(b[i]):
        i += 1
    if sys.version_info < (3, 8, 6) and a[i]:
        i += 1
    return ascii_lower(a[i]) - ascii_lower(b[i])


def mystrnicmp(a, b, n):
    """PyOS_mystrnicmp: the same over at most n characters (no step-past in any version for
    equal-length runs; before bpo-41524 it stopped one character early)."""
    a, b = c_string(a) + b"\0\0", c_string(b) + b"\0\0"
    if n == 0:
        return 0
    i = 0
    while i < n - 1 and a[i] and b[i] and ascii_lower(a[i]) == ascii_lower(b[i]):
        i += 1
    return ascii_lower(a[i]) - ascii_lower(b[i])


def pyos_snprintf(text, number, size):
    """PyOS_snprintf(buffer, size, "%s|%d", text, number): (return value, buffer contents up to
    its NUL); at most size - 1 characters and the NUL are written."""
    full = c_string(text) + b"|%d" % number
    return (len(full), full[:max(size - 1, 0)] if size > 0 else None)


def make_translate_table(kind):
    """Tables for PyUnicode_Translate: code points, str, None (untranslatable), missing keys
    (kept), out-of-range and wrong-typed values, and a str used as a sequence."""
    return [
        {97: "A", 98: None, 32: "xy", 0xE9: 0x3B1},
        {97: None, 98: None, 0x1F600: None},
        {},
        {10: 0x110000},
        {9: b"x", 97: 98},
        "zyxwvutsrqponmlkjihgfedcba" * 4,
    ][kind]


FLOAT_PREFIX = None


def string_to_double(data, use_end, which):
    """PyOS_string_to_double(s, endptr or NULL, overflow_exception): the longest prefix in the
    float syntax (no whitespace or underscores; inf, infinity and nan in any case)."""
    import re
    global FLOAT_PREFIX
    if FLOAT_PREFIX is None:
        FLOAT_PREFIX = re.compile(rb"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf(?:inity)?|nan)", re.I)
    text = c_string(data)
    match = FLOAT_PREFIX.match(text)
    if match is None or (not use_end and match.end() != len(text)):
        raise ValueError("could not convert string to float")
    value = float(match.group())
    overflowed = value in (float("inf"), float("-inf")) and b"inf" not in match.group().lower()
    if overflowed and which:
        raise (OverflowError, ValueError)[which - 1]("value too large to convert to float")
    return (value, match.end()) if use_end else value


def _digit_value(byte):
    """The value of an ASCII digit or letter (any case) as a digit; 37 for anything else."""
    if 48 <= byte <= 57:
        return byte - 48
    if 97 <= byte <= 122 or 65 <= byte <= 90:
        return (byte | 32) - 87
    return 37


_C_SPACE = b" \t\n\r\x0b\x0c"


def _strtoul(text, start, base):
    """Python's own strtoul (Python/mystrtoul.c, by its documented behaviour): (value, end,
    overflowed). No sign; base 0 reads 0x/0o/0b prefixes, and a leading 0 of another kind ends
    the number (only zeros are allowed after it)."""
    s = text + b"\0\0\0"
    i = start
    while s[i] and s[i] in _C_SPACE:
        i += 1
    prefixes = {16: b"xX", 8: b"oO", 2: b"bB"}
    if base == 0:
        if s[i] == 48:
            i += 1
            found = [b for b, letters in prefixes.items() if s[i] in letters]
            if found:
                if _digit_value(s[i + 1]) >= found[0]:
                    return (0, i, False)
                i += 1
                base = found[0]
            else:
                while s[i] == 48:
                    i += 1
                while s[i] in _C_SPACE and s[i]:
                    i += 1
                return (0, i, False)
        else:
            base = 10
    elif base in prefixes and s[i] == 48:
        i += 1
        if s[i] in prefixes[base]:
            if _digit_value(s[i + 1]) >= base:
                return (0, i, False)
            i += 1
    if not 2 <= base <= 36:
        return (0, i, False)
    value = 0
    overflowed = False
    while _digit_value(s[i]) < base:
        value = value * base + _digit_value(s[i])
        overflowed = overflowed or value > 0xFFFFFFFFFFFFFFFF
        i += 1
    return (0xFFFFFFFFFFFFFFFF if overflowed else value, i, overflowed)


def pyos_strtoul(data, base):
    """PyOS_strtoul: (value, end offset, ERANGE or 0)."""
    value, end, overflowed = _strtoul(c_string(data), 0, base)
    return (value, end, 34 if overflowed else 0)


def pyos_strtol(data, base):
    """PyOS_strtol: an optional sign (after white space) before PyOS_strtoul; out of range is
    LONG_MAX with ERANGE, whatever the sign."""
    text = c_string(data)
    i = 0
    while i < len(text) and text[i] in _C_SPACE:
        i += 1
    negative = text[i:i + 1] == b"-"
    if text[i:i + 1] in (b"-", b"+"):
        i += 1
    value, end, overflowed = _strtoul(text, i, base)
    if value <= 2 ** 63 - 1:
        return (-value if negative else value, end, 34 if overflowed else 0)
    if negative and value == 2 ** 63:
        return (-(2 ** 63), end, 0)
    return (2 ** 63 - 1, end, 34)


def encode_locale_raw(s):
    """Py_EncodeLocale(text, &error_pos): (bytes, -1), or (None, index of the first character
    surrogateescape cannot encode)."""
    try:
        return (os.fsencode(c_text(s)), -1)
    except UnicodeEncodeError as exc:
        return (None, exc.start)
