"""Oracle helpers: Python-level equivalents of C API calls, used by the property table.

Each property's oracle is a Python expression (see harness/src/properties/); it is evaluated
once per worker in this module's namespace, so helpers defined here can be named in it.
Must run on every interpreter from 3.6 on (no walrus, no f-string `=`, nothing newer).

Where an entry's behaviour changed between interpreter versions, the helper says so and follows
the running interpreter, so the oracle agrees with the interpreter under test on every version.
"""

import codecs
import locale
import operator
import os
import struct
import sys

# --- the data model --------------------------------------------------------------------------
# The C types' widths in the interpreter the oracles run in, read from it rather than assumed:
# `long`, `Py_ssize_t`, `size_t` and pointers are 32-bit on i386 (ILP32) and 64-bit on x86-64,
# arm64 and s390x (LP64); `int` is 32-bit and `long long` 64-bit on all of them.
LONG_BITS = 8 * struct.calcsize("l")
SSIZE_BITS = 8 * struct.calcsize("n")
POINTER_BITS = 8 * struct.calcsize("P")
INT_MIN = -(2 ** 31)
INT_MAX = 2 ** 31 - 1
LONG_MIN = -(2 ** (LONG_BITS - 1))
LONG_MAX = 2 ** (LONG_BITS - 1) - 1
ULONG_MAX = 2 ** LONG_BITS - 1
LLONG_MIN = -(2 ** 63)
LLONG_MAX = 2 ** 63 - 1
ULLONG_MAX = 2 ** 64 - 1
SSIZE_MIN = -(2 ** (SSIZE_BITS - 1))
SSIZE_MAX = 2 ** (SSIZE_BITS - 1) - 1
SIZE_MAX = 2 ** SSIZE_BITS - 1
# Whether a plain C `char` is signed: x86's is, arm64's and s390x's are not (their ABIs say
# so). The locale module exports the C library's CHAR_MAX: 127 or 255.
CHAR_SIGNED = locale.CHAR_MAX == 127


def wrapped(x, bits, signed):
    """The value a C integer of `bits` bits holds after a conversion from the int x (a cast):
    its low bits, read as two's complement when signed."""
    value = x % (2 ** bits)
    return value - 2 ** bits if signed and value >= 2 ** (bits - 1) else value


def as_ssize(v):
    """(Py_ssize_t)v: what a contract's generated routine passes for an `n` argument (it reads a
    long long and casts it, so a 64-bit value loses its high bits on 32-bit builds)."""
    return wrapped(v, SSIZE_BITS, True)


def ssize_args(oracle, *positions):
    """The oracle of a routine whose body reads the arguments at `positions` with arg_ssize
    (PyLong_AsSsize_t) before its call: an int outside Py_ssize_t's range raises OverflowError
    there, before the entry is called. The domains' 64-bit indices do that on 32-bit builds
    only, so the same cases check both data models."""
    def checked(*args):
        for i in positions:
            if not SSIZE_MIN <= args[i] <= SSIZE_MAX:
                raise OverflowError("Python int too large to convert to C ssize_t")
        return oracle(*args)
    return checked


def max_align():
    """alignof(max_align_t) of the interpreter's build (8 on s390x, 16 on x86-64 and arm64):
    what type data (3.12+) is aligned to. pyconfig.h has it from 3.12 on."""
    import sysconfig
    align = sysconfig.get_config_var("ALIGNOF_MAX_ALIGN_T")
    return int(align) if align else 2 * struct.calcsize("P")

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
    """PyLong_AsLong."""
    return in_range(integer_of(x), LONG_MIN, LONG_MAX)


def c_llong(x):
    """PyLong_AsLongLong."""
    return in_range(integer_of(x), LLONG_MIN, LLONG_MAX)


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


def c_unsigned(x, maximum=ULLONG_MAX):
    """PyLong_AsUnsignedLongLong; PyLong_AsUnsignedLong (maximum ULONG_MAX), PyLong_AsSize_t
    (SIZE_MAX)."""
    return in_range(exact_int(x), 0, maximum)


def c_unsigned_mask(x, bits=64):
    """PyLong_AsUnsignedLongLongMask: modulo 2**64; PyLong_AsUnsignedLongMask (LONG_BITS)."""
    return integer_of(x) % (2 ** bits)


def long_and_overflow(x, low=LONG_MIN, high=LONG_MAX):
    """PyLong_AsLongAndOverflow (PyLong_AsLongLongAndOverflow: the long long range): (value, 0),
    or (-1, +1/-1) when out of range."""
    value = integer_of(x)
    if value > high:
        return (-1, 1)
    if value < low:
        return (-1, -1)
    return (value, 0)


def long_as_double(x):
    """PyLong_AsDouble: int objects only."""
    return float(exact_int(x))


def as_void_ptr(x):
    """PyLong_AsVoidPtr: a negative value is read as a C long, anything else as unsigned (long
    and pointers have one width on every platform here), the probe returns the pointer's bits."""
    value = exact_int(x)
    if value < 0:
        return in_range(value, LONG_MIN, LONG_MAX) % (2 ** POINTER_BITS)
    return in_range(value, 0, ULONG_MAX)


def unsigned_bits(x, bits=64):
    """A signed argument's low `bits` bits read as unsigned (a cast to a C unsigned type)."""
    return x % (2 ** bits)


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


def decoded_sized(data, encoding, errors):
    """PyUnicode_Decode(data, size, encoding, errors). Before 3.9 it looked the codec up even
    for no data, where str() returns '' at once; 3.9 added the same shortcut (bpo-37388)."""
    if not data and encoding is not None and sys.version_info < (3, 9):
        import codecs
        if not getattr(codecs.lookup(encoding), "_is_text_encoding", True):
            raise LookupError("%r is not a text encoding" % encoding)
    return decoded(data, encoding, errors)


def decoded_lazily(data, encoding, errors):
    """PyUnicode_DecodeUTF8/DecodeLatin1/DecodeASCII: these look the error handler up only when they meet
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
    C string as UTF-8 with the "replace" error handler; %zd gets n cast to Py_ssize_t."""
    return "%d|%d|%c|%r|%s|%s|%s|%%|%d" % (
        n, as_ssize(n), ordinal, obj, obj, text, c_string(cstring).decode("utf-8", "replace"), n & 0x7FFF)


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
    """The probe's PyBytes_FromFormat("%ld|%zd|%c|%s|%%|%d", ...), n cast to long and to
    Py_ssize_t for the first two."""
    if not 0 <= byte <= 255:
        raise OverflowError("%c arg not in range(256)")
    return b"%d|%d|%c|%s|%%|%d" % (wrapped(n, LONG_BITS, True), as_ssize(n), byte, c_string(cstring), n & 0x7FFF)


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
    """Whether x is immortal (3.12+): its count is pinned far above any real count (on 32-bit
    3.12 and 3.13 at 2**30 - 1, so that is the floor)."""
    return sys.version_info >= (3, 12) and sys.getrefcount(x) >= 2 ** 30 - 1


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


def make_linked_exception(spec):
    """An exception with (mostly) a __cause__, a __context__ and a traceback, so that their
    getters return something: built the same way for the probe and the oracle."""
    kind, args, cause, context, raised = spec
    exc = BUILT_EXCEPTIONS[kind](*args)
    if raised:
        try:
            raise exc
        except BaseException:
            pass
    if cause >= 0:
        exc.__cause__ = BUILT_EXCEPTIONS[cause]("cause")
    if context >= 0:
        exc.__context__ = BUILT_EXCEPTIONS[context]("context")
    return exc


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


def _ssize_clamped(v):
    """A 64-bit position as the nearest Py_ssize_t: the exception classes store their positions
    as Py_ssize_t and refuse anything wider, so on 32-bit builds the domains' 64-bit extremes
    become 32-bit ones (unchanged on 64-bit builds)."""
    return min(max(v, SSIZE_MIN), SSIZE_MAX)


def make_unicode_decode_error(spec):
    data, start, end, reason = spec
    return UnicodeDecodeError("utf-8", data, _ssize_clamped(start), _ssize_clamped(end), reason)


def make_unicode_encode_error(spec):
    text, start, end, reason = spec
    return UnicodeEncodeError("ascii", text, _ssize_clamped(start), _ssize_clamped(end), reason)


def make_unicode_translate_error(spec):
    text, start, end, reason = spec
    return UnicodeTranslateError(text, _ssize_clamped(start), _ssize_clamped(end), reason)


# Capsules the standard library exports (Python cannot make one): (module, attribute).
CAPSULES = [("datetime", "datetime_CAPI"), ("unicodedata", "_ucnhash_CAPI"), ("pyexpat", "expat_CAPI")]


def make_capsule(kind):
    import importlib
    module, attribute = CAPSULES[kind]
    return getattr(importlib.import_module(module), attribute)


# --- group `objects`: helpers and builders of harness/data/contracts/objects*.toml ------------

import gc
import weakref


def aiter_check(o):
    """PyAIter_Check: the type has __anext__ (tp_as_async->am_anext)."""
    return 1 if hasattr(type(o), "__anext__") else 0


def get_aiter(o):
    """PyObject_GetAIter: type(o).__aiter__(o), which must give an async iterator."""
    method = getattr(type(o), "__aiter__", None)
    if method is None:
        raise TypeError("not an async iterable")
    it = method(o)
    if not aiter_check(it):
        raise TypeError("__aiter__ returned a non-async-iterator")
    return it


def type_has(o, name):
    return 1 if hasattr(type(o), name) else 0


def next_item(it):
    """PyIter_NextItem: (1, item), (0, None) when exhausted; TypeError for a non-iterator."""
    if not hasattr(type(it), "__next__"):
        raise TypeError("expected an iterator")
    try:
        return (1, next(it))
    except StopIteration:
        return (0, None)


def iter_send(it, arg):
    """PyIter_Send: (PYGEN_NEXT=1, yielded) or (PYGEN_RETURN=0, returned value)."""
    try:
        if arg is None and hasattr(type(it), "__next__"):
            value = next(it)
        else:
            value = it.send(arg)
    except StopIteration as stop:
        return (0, stop.value)
    return (1, value)


def call_iter(items, sentinel):
    """PyCallIter_New(iter(items).__next__, sentinel), drained."""
    return list(iter(iter(items).__next__, sentinel))


def seq_iter(x):
    """PySeqIter_New(x), drained: x[0], x[1], ... until IndexError or StopIteration.
    PySequence_Check wants an item slot: dicts and mappingproxy have only a subscript slot."""
    import types
    if isinstance(x, (dict, types.MappingProxyType)) or not hasattr(type(x), "__getitem__"):
        raise SystemError("not a sequence")
    items = []
    i = 0
    while True:
        try:
            items.append(x[i])
        except (IndexError, StopIteration):
            return items
        i += 1


def complex_part(x, imag):
    """PyComplex_RealAsDouble / ImagAsDouble. 3.13 converts with __complex__ first
    (gh-109218), else with PyFloat_AsDouble for both parts (the imaginary part is then 0.0,
    before 3.13 without any conversion)."""
    if isinstance(x, complex):
        c = x
    elif sys.version_info >= (3, 13) and hasattr(type(x), "__complex__"):
        c = type(x).__complex__(x)
        if not isinstance(c, complex):
            raise TypeError("__complex__ returned non-complex")
    elif imag and sys.version_info < (3, 13):
        return 0.0
    else:
        value = as_double(x)
        return 0.0 if imag else value
    return c.imag if imag else c.real


def dict_proxy(m):
    import types
    return types.MappingProxyType(m)


def dict_setdefault_ref(d, key, default):
    """PyDict_SetDefaultRef: (1, existing) or (0, default) after inserting it."""
    if key in d:
        return (1, d[key])
    d[key] = default
    return (0, default)


def optional_item(o, key):
    """PyMapping_GetOptionalItem: KeyError means absent, (0, None)."""
    try:
        return (1, o[key])
    except KeyError:
        return (0, None)


def has_key_with_error(o, key):
    return optional_item(o, key)[0]


def mapping_length(o):
    """PyMapping_Length: len() of a type with mp_length (every __len__ in these domains)."""
    if not hasattr(type(o), "__len__"):
        raise TypeError("object has no len()")
    return len(o)


def mapping_view_list(o, name):
    """PyMapping_Keys/Values/Items: the dict's list, else list(o.NAME())."""
    if type(o) is dict:
        return list(getattr(o, name)())
    result = getattr(o, name)()
    try:
        it = iter(result)
    except TypeError:
        raise TypeError("o.%s() are not iterable" % name)
    return list(it)


def optional_attr(o, name):
    """PyObject_GetOptionalAttr: AttributeError means absent, (0, None)."""
    if not isinstance(name, str):
        raise TypeError("attribute name must be string")
    try:
        return (1, getattr(o, name))
    except AttributeError:
        return (0, None)


def has_attr_with_error(o, name):
    return optional_attr(o, name)[0]


def del_attr(o, name):
    if not isinstance(name, str):
        raise TypeError("attribute name must be string")
    delattr(o, name)


def call_object(f, args):
    """PyObject_CallObject: None for no arguments, else a tuple."""
    if args is None:
        return f()
    if not isinstance(args, tuple):
        raise TypeError("argument list must be a tuple")
    return f(*args)


def call_kw(f, args, kwargs):
    return f(*args, **(kwargs or {}))


def call_method(o, name, args, kwargs=None):
    return getattr(o, name)(*args, **(kwargs or {}))


VECTORCALL_FLAG = 1 << 11  # Py_TPFLAGS_HAVE_VECTORCALL


def vectorcall_call(f, args, kwargs):
    """PyVectorcall_Call: only for objects whose type has a vectorcall function."""
    if not type(f).__flags__ & VECTORCALL_FLAG:
        raise TypeError("object does not support vectorcall")
    return f(*args, **(kwargs or {}))


def as_file_descriptor(o):
    """PyObject_AsFileDescriptor: an int, or o.fileno() giving one; C int, not negative."""
    if isinstance(o, int):
        fd = o
    else:
        try:
            method = getattr(o, "fileno")
        except AttributeError:
            raise TypeError("argument must be an int, or have a fileno() method.")
        except Exception:
            if sys.version_info < (3, 8):
                raise TypeError("argument must be an int, or have a fileno() method.")
            raise
        fd = method()
        if not isinstance(fd, int):
            raise TypeError("fileno() returned a non-integer")
    fd = c_int(fd)
    if fd < 0:
        raise ValueError("file descriptor cannot be a negative integer")
    return fd


def is_weakref(r):
    return issubclass(type(r), weakref.ref) or type(r) in (weakref.ProxyType, weakref.CallableProxyType)


def weakref_object(r):
    """PyWeakref_GetObject: the referent, None when dead; SystemError for a non-weakref."""
    if not is_weakref(r):
        raise SystemError("bad argument")
    return r()


def weakref_get_ref(r):
    """PyWeakref_GetRef: (1, referent) or (0, None) when dead; TypeError for a non-weakref."""
    if not is_weakref(r):
        raise TypeError("expected a weakref")
    o = r()
    return (0, None) if o is None else (1, o)


def generic_alias(origin, args):
    import types
    return types.GenericAlias(origin, args)


def pack_version(x, y, z=0, level=0, serial=0):
    return ((x & 0xFF) << 24) | ((y & 0xFF) << 16) | ((z & 0xFF) << 8) | ((level & 0xF) << 4) | (serial & 0xF)


def c_range(value, bits, signed):
    value = operator.index(value)
    low, high = (-(1 << (bits - 1)), 1 << (bits - 1)) if signed else (0, 1 << bits)
    if signed or value >= 0:
        if not low <= value < high:
            raise OverflowError("Python int too large to convert")
    else:
        raise ValueError("Cannot convert negative int")
    return int(value)


def as_native_bytes(v, n, flags):
    """PyLong_AsNativeBytes(v, buf, n, flags) as (whether the value fit: return <= n, buf).
    All n bytes are written: the two's complement value truncated to them. Flags -1: native
    endian, MSB may be set, negatives allowed, no __index__ (Include/cpython/longobject.h)."""
    if not isinstance(v, int):
        if flags != -1 and flags & 16:
            v = operator.index(v)
        else:
            raise TypeError("expect int")
    v = int(v)
    if flags != -1 and flags & 8 and v < 0:
        raise ValueError("Cannot convert negative int")
    if flags == -1 or flags & 2:
        order = sys.byteorder
    else:
        order = "little" if flags & 1 else "big"
    if n == 0:
        fits = False
    else:
        bits = 8 * n
        fits = -(1 << (bits - 1)) <= v < (1 << (bits - 1)) or ((flags == -1 or flags & 4) and 0 <= v < (1 << bits))
    return (1 if fits else 0, (v & ((1 << (8 * n)) - 1)).to_bytes(n, order))


def from_native_bytes(data, flags, unsigned=False):
    if flags == -1 or flags & 2:
        order = sys.byteorder
    else:
        order = "little" if flags & 1 else "big"
    signed = not unsigned and (flags == -1 or not flags & 4)
    return int.from_bytes(data, order, signed=signed)


def long_export(v):
    """PyLong_Export: ("value", v) when v fits an int64_t, else ("digits", negative, digits)
    with digits least significant first in base 2**bits_per_digit."""
    if not isinstance(v, int):
        raise TypeError("expect int")
    v = int(v)
    if -(1 << 63) <= v < (1 << 63):
        return ("value", v)
    bits = sys.int_info.bits_per_digit
    digits = []
    a = abs(v)
    while a:
        digits.append(a & ((1 << bits) - 1))
        a >>= bits
    return ("digits", 1 if v < 0 else 0, digits)


def long_from_digits(negative, digits):
    bits = sys.int_info.bits_per_digit
    value = 0
    for i, d in enumerate(digits):
        value |= d << (bits * i)
    return -value if negative else value


def native_layout():
    return (sys.int_info.bits_per_digit, sys.int_info.sizeof_digit, -1, -1 if sys.byteorder == "little" else 1)


async def _agen(items):
    for item in items:
        yield item


class AIterOnly(object):
    def __aiter__(self):
        return self


class ANextOnly(object):
    def __anext__(self):
        raise StopAsyncIteration


class AIterator(object):
    def __aiter__(self):
        return self

    def __anext__(self):
        raise StopAsyncIteration


def make_async_object(kind):
    return [_agen, AIterOnly, ANextOnly, AIterator, Plain, int][kind]() if kind != 0 else _agen([1, 2])


def _gen(items, result):
    for item in items:
        yield item
    return result


def make_generator(spec):
    items, result = spec
    return _gen(items, result)


def make_slice(spec):
    return slice(*spec)


class DictSub(dict):
    pass


class KeysOnly(object):
    """keys/values/items give generators, lists and a non-iterable."""

    def __init__(self, d):
        self.d = d

    def keys(self):
        return (k for k in self.d)

    def values(self):
        return list(self.d.values())

    def items(self):
        return 5


def make_mapping(spec):
    kind, d = spec
    import types
    return [dict, DictSub, types.MappingProxyType, KeysOnly, lambda d: Plain(), lambda d: list(d)][kind](d)


class WithFileno(object):
    def __init__(self, value):
        self.value = value

    def fileno(self):
        if isinstance(self.value, str):
            raise OSError(self.value)
        return self.value


def make_fileno(value):
    return WithFileno(value)


def make_with_attrs(names):
    o = Plain()
    for i, name in enumerate(names):
        setattr(o, name, i)
    return o


class ComplexLike(object):
    def __init__(self, value):
        self.value = value

    def __complex__(self):
        return self.value


class FloatLike(object):
    def __init__(self, value):
        self.value = value

    def __float__(self):
        return self.value


class ComplexSub(complex):
    def __complex__(self):
        return complex(99, 99)


def make_complex_like(spec):
    kind, re, im = spec
    return [complex(re, im), ComplexLike(complex(re, im)), re, FloatLike(re), ComplexSub(re, im), "x", WithDunders(),
            ComplexLike(re)][kind]


# Long-lived referents: a weak reference to them stays alive between the two calls.
WEAK_TARGETS = [Plain(), WithDunders(), Plain]


class RefSub(weakref.ref):
    pass


def make_weakref(kind):
    if kind < 3:
        return weakref.ref(WEAK_TARGETS[kind])
    if kind == 3:
        return weakref.ref(Plain())  # dead at once
    if kind == 4:
        return RefSub(WEAK_TARGETS[0])
    if kind == 5:
        return weakref.ref(WEAK_TARGETS[1], len)
    return [5, Plain(), "ref"][kind - 6]


class Resurrecting(object):
    def __del__(self):
        RESURRECTED.append(self)


RESURRECTED = []


def make_gc_object(kind):
    """Fresh objects; kind 0: one whose finalizer has run (it resurrected itself)."""
    if kind == 0:
        o = Resurrecting()
        del o
        return RESURRECTED.pop()
    return [None, [], Plain(), Slotted(), Plain, int, WithDunders()][kind]


def ssize_size():
    import struct
    return struct.calcsize("n")


def pointer_size():
    import struct
    return struct.calcsize("P")


def slice_index(v):
    """_PyEval_SliceIndex: None stays, else __index__ clamped to Py_ssize_t."""
    if v is None:
        return None
    if not hasattr(type(v), "__index__"):
        raise TypeError("slice indices must be integers or None or have an __index__ method")
    return min(max(int(operator.index(v)), SSIZE_MIN), SSIZE_MAX)


def slice_unpack(s):
    if s.step is None:
        step = 1
    else:
        step = slice_index(s.step)
        if step == 0:
            raise ValueError("slice step cannot be zero")
        step = max(step, -SSIZE_MAX)
    start = slice_index(s.start)
    if start is None:
        start = SSIZE_MAX if step < 0 else 0
    stop = slice_index(s.stop)
    if stop is None:
        stop = SSIZE_MIN if step < 0 else SSIZE_MAX
    return (None, start, stop, step)


def _adjust(length, index, step):
    if index < 0:
        index += length
        if index < 0:
            index = -1 if step < 0 else 0
    elif index >= length:
        index = length - 1 if step < 0 else length
    return index


def slice_adjust(length, start, stop, step):
    start = _adjust(length, start, step)
    stop = _adjust(length, stop, step)
    if step < 0:
        n = (start - stop - 1) // -step + 1 if stop < start else 0
    else:
        n = (stop - start - 1) // step + 1 if start < stop else 0
    return (n, start, stop)


def slice_indices_ex(s, length):
    _, start, stop, step = slice_unpack(s)
    n, start, stop = slice_adjust(length, start, stop, step)
    return (None, start, stop, step, n)


def slice_get_indices(s, length):
    def field(v, default):
        if v is None:
            return default
        if not isinstance(v, int):
            return None
        if not SSIZE_MIN <= v <= SSIZE_MAX:
            raise OverflowError("Python int too large to convert to C ssize_t")
        return int(v)
    step = field(s.step, 1)
    if step is None:
        return (-1,)
    start = field(s.start, length - 1 if step < 0 else 0)
    if start is None:
        return (-1,)
    if s.start is not None and start < 0:
        start += length
    stop = field(s.stop, -1 if step < 0 else length)
    if stop is None:
        return (-1,)
    if s.stop is not None and stop < 0:
        stop += length
    if stop > length or start >= length or step == 0:
        return (-1,)
    return (0, start, stop, step)
# --- group buffers: the buffer protocol, argument parsing, C functions and descriptors ------------

import array as _array


def make_buffer(spec):
    """Buffer exporters of several layouts, and two objects that export none."""
    kind, data = spec
    if kind == 0:
        return bytes(data)
    if kind == 1:
        return bytearray(data)
    if kind == 2:
        return memoryview(bytes(data))
    if kind == 3:
        return _array.array("h", data[:len(data) // 2 * 2])
    if kind == 4:
        return memoryview(bytearray(data))[::2]
    if kind == 5:
        rows = max(len(data) // 3, 1)
        return memoryview(bytearray((data + bytes(3))[:rows * 3])).cast("B", [rows, 3])
    if kind == 6:
        return memoryview(_array.array("i", data[:len(data) // 4 * 4]))
    if kind == 7:
        return len(data)
    return data.decode("latin-1")


def _buffer_layout(m):
    """(c_contiguous, f_contiguous) as PyBuffer_IsContiguous computes them: an empty buffer is
    both; otherwise strides must be those of a dense array, dimensions of 1 ignored."""
    if m.nbytes == 0:
        return True, True
    shape, strides = list(m.shape), list(m.strides)

    def dense(dims):
        expected = m.itemsize
        for n, stride in dims:
            if n > 1 and stride != expected:
                return False
            expected *= n
        return True

    pairs = list(zip(shape, strides))
    return dense(reversed(pairs)), dense(pairs)


def buffer_is_contiguous(obj, order):
    c, f = _buffer_layout(memoryview(obj))
    return int({"C": c, "F": f, "A": c or f}.get(order, False))


def getbuf(obj, flags):
    """PyObject_GetBuffer(obj, view, flags), summarised as the probe's buf_summary:
    [len, itemsize, readonly, ndim, format, shape, strides, suboffsets, data, view.obj is obj]."""
    m = memoryview(obj)
    data = m.tobytes()
    nd = flags & 8 == 8
    strided = flags & 0x18 == 0x18
    if type(obj) in (bytes, bytearray):
        readonly = type(obj) is bytes
        if flags & 1 and readonly:
            raise BufferError()
        return [len(obj), 1, int(readonly), 1, b"B" if flags & 4 else None,
                [len(obj)] if nd else None, [1] if strided else None, None, data, 1]
    if type(obj) is _array.array:
        return [m.nbytes, m.itemsize, 0, 1, obj.typecode.encode() if flags & 4 else None,
                [len(obj)] if nd else None, [m.itemsize] if strided else None, None, data, 1]
    # memoryview's own getbuffer
    if flags & 1 and m.readonly:
        raise BufferError()
    fmt = m.format.encode() if flags & 4 else None
    shape, strides, ndim = list(m.shape), list(m.strides), m.ndim
    for required, ok in ((0x38, m.c_contiguous), (0x58, m.f_contiguous), (0x98, m.contiguous)):
        if flags & required == required and not ok:
            raise BufferError()
    if not strided:
        if not m.c_contiguous:
            raise BufferError()
        strides = None
    if not nd:
        if fmt is not None:
            raise BufferError()
        ndim, shape = 1, None
    return [m.nbytes, m.itemsize, int(m.readonly), ndim, fmt, shape, strides, None, data, 1]


def fill_info(data, readonly, flags):
    """PyBuffer_FillInfo over a bytes object's memory, as buf_summary."""
    if flags != 0 and flags & 1 and readonly == 1:
        raise BufferError()
    return [len(data), 1, readonly, 1, b"B" if flags & 4 else None,
            [len(data)] if flags & 8 == 8 else None, [1] if flags & 0x18 == 0x18 else None, None, data, 1]


def contiguous_strides(shape, itemsize, order):
    strides = [0] * len(shape)
    step = itemsize
    dims = range(len(shape)) if order == "F" else reversed(range(len(shape)))
    for i in dims:
        strides[i] = step
        step *= shape[i]
    return strides


def buffer_pointer(obj, seeds):
    """PyBuffer_GetPointer: the byte offset of the element at the indices the probe derives
    from seeds (seed % dimension, 0 for an empty dimension)."""
    m = memoryview(obj)
    shape, strides = list(m.shape), list(m.strides)
    indices = [(seeds[i] if i < len(seeds) else 0) % n if n else 0 for i, n in enumerate(shape)]
    return [indices, sum(i * s for i, s in zip(indices, strides))]


def buffer_to_contiguous(obj, order):
    """PyBuffer_ToContiguous: C order for 'C' and 'A' (contiguous objects are copied as they
    are), Fortran order for any other character."""
    m = memoryview(obj)
    return m.tobytes() if order in ("C", "A") else m.tobytes("F")


def buffer_from_contiguous(obj, seed, order):
    """PyBuffer_FromContiguous(view, data, view.len, order): data is seed repeated to the
    view's length, laid out in `order`; the result is the object's bytes afterwards."""
    m = memoryview(obj)
    if m.readonly:
        raise BufferError()
    data = (seed * (m.nbytes // max(len(seed), 1) + 1))[:m.nbytes] if seed else bytes(m.nbytes)
    c, f = _buffer_layout(m)
    if order == "F" and m.ndim > 1 and not f:
        rows, cols = m.shape
        flat = bytearray(m.nbytes)
        for j in range(cols):
            for i in range(rows):
                flat[i * cols + j] = data[j * rows + i]
        data = bytes(flat)
    if m.c_contiguous:
        m.cast("B")[:] = data
    else:
        m[:] = data
    return memoryview(obj).tobytes()


def copy_data(dest, src):
    """PyObject_CopyData(dest, src) on contiguous buffers; the result is dest's bytes after."""
    for obj in (dest, src):
        if type(obj) not in (bytes, bytearray, memoryview, _array.array):
            raise TypeError()
    md, ms = memoryview(dest), memoryview(src)
    if md.readonly or md.nbytes < ms.nbytes:
        raise BufferError()
    md.cast("B")[:ms.nbytes] = ms.tobytes()
    return md.tobytes()


def as_write_buffer(obj):
    try:
        return getbuf(obj, 1)[8]
    except BufferError:
        raise TypeError()


def mv_summary(m):
    """A memoryview as the probe's memoryview_result reads it."""
    return [m.nbytes, m.itemsize, m.readonly, m.ndim, m.format, m.shape, m.strides, m.tobytes()]


def get_contiguous(obj, buffertype, order):
    """PyMemoryView_GetContiguous(obj, PyBUF_READ or PyBUF_WRITE, order); 'x' is sent as 'A'."""
    order = "A" if order == "x" else order
    m = memoryview(obj)
    if buffertype == 0x200 and m.readonly:
        raise BufferError()
    if buffer_is_contiguous(obj, order):
        return mv_summary(m)
    if buffertype == 0x200:
        raise BufferError()
    summary = mv_summary(m)
    summary[2] = True
    summary[6] = tuple(contiguous_strides(list(m.shape), m.itemsize, order))
    return summary


# C functions of each calling convention (the probe's cf_defs, in order) and what they return.
CFUNC_KINDS = ["noargs", "o", "varargs", "keywords", "fastcall", "fastcall_keywords", "method"]
CFUNC_FLAGS = [0x4, 0x8, 0x1, 0x3, 0x80, 0x82, 0x282]


def cfunc_call(kind, self, args, kwargs, cls=None):
    """Calling the probe's C function of that convention with args and kwargs: what it
    returns, or the TypeError of a call its convention refuses."""
    name = CFUNC_KINDS[kind]
    if kwargs and kind not in (3, 5, 6):
        raise TypeError()
    kw = dict(kwargs) if kwargs else None
    if kind == 0:
        if args:
            raise TypeError()
        return (name, self)
    if kind == 1:
        if len(args) != 1:
            raise TypeError()
        return (name, self, args[0])
    if kind == 2:
        return (name, self, tuple(args))
    if kind == 3:
        return (name, self, tuple(args), kw)
    if kind == 4:
        return (name, self, list(args))
    if kind == 5:
        return (name, self, list(args), kw)
    return (name, self, cls, list(args), kw)


def cmethod_new(kind, self, module, cls, args, kwargs):
    """PyCMethod_New: METH_METHOD needs a class, and only METH_METHOD takes one."""
    if (kind == 6) != (cls is not None):
        raise SystemError()
    return (module, cfunc_call(kind, self, args, kwargs, cls))


def cfunction_self(f):
    if type(f) is not type(len):
        raise SystemError()
    return f.__self__


def make_cfunction(kind):
    """Builtin functions and methods with different selves, and two objects that are not."""
    return [len, [].append, "text".upper, dict.fromkeys, object.__init_subclass__, sys.getrecursionlimit,
            int, lambda: None, 5][kind]


class Packer(object):
    """Returns what it is called with, as a call or as its method `m`."""

    def __call__(self, *args, **kwargs):
        return ("called", args, kwargs)

    def m(self, *args, **kwargs):
        return ("m", args, kwargs)

    def __repr__(self):
        return "<Packer>"


def make_packer(_):
    return Packer()


# The value programs of the probe's build_program (format, values), in order; x, n, s, data are
# the routine's arguments.
def build_values(k, x, n, s, data):
    """What Py_BuildValue gives for program k."""
    return [None, x, (x,), (x, x), n, s, [x], {"k": x}, data, (n, s, data), (s, None, x)][k]


def call_values(k, f, x, n, s, data, method=None):
    """PyObject_CallFunction/CallMethod(f, program k): a tuple result is the arguments, any
    other value the one argument."""
    value = build_values(k, x, n, s, data)
    args = () if k == 0 else value if type(value) is tuple else (value,)
    return getattr(f, method)(*args) if method else f(*args)


def eval_call_values(k, f, x, n, s, data, method=None):
    """PyEval_CallFunction/CallMethod: since 3.7 (bpo-29548) the same as
    PyObject_CallFunction/CallMethod; before, the format had to build the argument tuple."""
    if sys.version_info < (3, 7) and type(build_values(k, x, n, s, data)) is not tuple:
        if method:
            getattr(f, method)
        raise TypeError()
    return call_values(k, f, x, n, s, data, method)


def make_type_or_none(kind):
    return None if kind < 0 else make_type(kind)


def _text_value(k, x, n, s):
    return [s, str(n), "%d|%x" % (n, n & 0xFFFFFFFF), chr(n & 0xFFFF), "%", repr(x), str(x), ascii(x),
            "%d|%d|%d" % (n, n, n & 0xFFFFFFFF)][k]


def unicode_format(k, x, n, s):
    return _text_value(k, x, n, s)


def bytes_format(k, n, s):
    return [s.encode(), b"%d" % n, b"%d|%x" % (n, n & 0xFFFFFFFF), bytes([n & 0x7F]), b"%",
            b"%d|%d|%d" % (n, n, n & 0xFFFFFFFF)][k]


def error_format(k, x, n, s, e):
    exc_type = [ValueError, TypeError, KeyError, RuntimeError][e]
    return (exc_type, str(exc_type(_text_value(k, x, n, s))))


STRUCTSEQ_TYPES = [("time", "struct_time"), ("os", "stat_result"), ("os", "terminal_size"),
                   ("os", "times_result"), ("os", "uname_result")]


def _structseq_type(kind):
    import importlib
    module, name = STRUCTSEQ_TYPES[kind]
    obj = getattr(importlib.import_module(module), name)
    return obj if isinstance(obj, type) else type(obj)


def make_structseq(kind):
    """An instance of a struct sequence type whose field i (visible, unnamed or hidden) is 100 + i."""
    tp = _structseq_type(kind)
    return tp(tuple(100 + i for i in range(tp.n_fields)))


def structseq_set(o, seed, v):
    tp = type(o)
    values = [100 + i for i in range(tp.n_fields)]
    values[seed % tp.n_fields] = v
    return (tp, tp(tuple(values)))


# PyArg_Parse* format units, in the probe's RUN_PARSE order.
PARSE_UNITS = ["i", "n", "d", "s", "s#", "y#", "O", "O!", "p", "(ii)", "z", "b", "K", "L", "C", "U", "S"]


def _parse_int(v, lo, hi):
    if isinstance(v, float):
        raise TypeError()
    value = int(operator.index(v))
    if not lo <= value <= hi:
        raise OverflowError()
    return value


def _parse_str(v):
    if not isinstance(v, str):
        raise TypeError()
    data = v.encode("utf-8")
    if b"\0" in data:
        raise ValueError()
    return data


def parse_unit(k, v):
    """The value PyArg_Parse(v, unit) stores, as the probe returns it."""
    unit = PARSE_UNITS[k]
    if unit == "i":
        return _parse_int(v, INT_MIN, INT_MAX)
    if unit == "n":
        return _parse_int(v, SSIZE_MIN, SSIZE_MAX)
    if unit == "L":
        return _parse_int(v, LONG_MIN, LONG_MAX)
    if unit == "b":
        return _parse_int(v, 0, 255)
    if unit == "d":
        if not isinstance(v, (int, float)):
            raise TypeError()
        return float(v)
    if unit == "s":
        return _parse_str(v)
    if unit == "z":
        return None if v is None else _parse_str(v)
    if unit == "s#":
        if isinstance(v, str):
            return v.encode("utf-8")
        if type(v) is bytes:
            return v
        raise TypeError()
    if unit == "y#":
        if type(v) is bytes:
            return v
        raise TypeError()
    if unit == "O":
        return v
    if unit == "O!":
        if not isinstance(v, int):
            raise TypeError()
        return v
    if unit == "p":
        return 1 if v else 0
    if unit == "(ii)":
        if not isinstance(v, (list, tuple)) or len(v) != 2:
            raise TypeError()
        return (_parse_int(v[0], INT_MIN, INT_MAX), _parse_int(v[1], INT_MIN, INT_MAX))
    if unit == "K":
        # unsigned long long, without an overflow check: the value modulo 2**64 (not
        # unsigned long, which is 32 bits on i386).
        if not isinstance(v, int):
            raise TypeError()
        return v & ULLONG_MAX
    if unit == "C":
        if not isinstance(v, str) or len(v) != 1:
            raise TypeError()
        return ord(v)
    if unit == "U":
        if not isinstance(v, str):
            raise TypeError()
        return v
    if type(v) is not bytes and not isinstance(v, bytes):
        raise TypeError()
    return v


def parse_tuple(k, t):
    if len(t) != 1:
        raise TypeError()
    return parse_unit(k, t[0])


def parse_keywords(k, t, kw):
    """PyArg_ParseTupleAndKeywords(t, kw, unit + "|O", ["a", "b"]): (converted a, b or None)."""
    kw = kw or {}
    if len(t) + len(kw) > 2:
        raise TypeError()
    if t:
        a = t[0]
    elif "a" in kw:
        a = kw["a"]
    else:
        raise TypeError()
    # 3.6 refuses an argument given by name and position before converting any (getargs.c,
    # vgetargskeywords); 3.7 converts the positional ones first.
    if sys.version_info < (3, 7) and any(name in kw for name in ["a", "b"][:len(t)]):
        raise TypeError()
    value = parse_unit(k, a)
    b = t[1] if len(t) > 1 else kw.get("b")
    for i, name in enumerate(["a", "b"][:len(t)]):
        if name in kw:
            raise TypeError()
    if any(name not in ("a", "b") for name in kw):
        raise TypeError()
    return (value, b)


def unpack_tuple(t, lo, hi):
    lo, hi = sorted((lo % 4, hi % 4))
    if not lo <= len(t) <= hi:
        raise TypeError()
    return list(t) + [None] * (hi - len(t))


# What the probe's meth_type builds, for comparing the class a METH_CLASS method receives.
MethHolder = type("MethHolder", (), {"__module__": "abi3probe"})


# Member type codes in the probe's member_fields order, and what GetOne reads from member_fill.
MEMBER_CODES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 18, 19]
# Py_T_BYTE (8) reads and writes a plain `char`: the block's signed -5 reads as 251 where
# `char` is unsigned (arm64, s390x).
MEMBER_FIXED = {0: -2, 1: -3, 2: -4, 3: 1.5, 4: 2.25, 5: "text", 6: None, 7: "c", 8: wrapped(-5, 8, CHAR_SIGNED),
                9: 250, 10: 65000, 11: 4000000000, 12: ULONG_MAX, 13: "inplace", 14: True, 17: -9000000000000000000,
                18: ULLONG_MAX - 1, 19: -7}
MEMBER_RANGES = {0: (-2 ** 15, 2 ** 15 - 1), 1: (INT_MIN, INT_MAX), 2: (LONG_MIN, LONG_MAX), 8: (-128, 127),
                 9: (0, 255), 10: (0, 2 ** 16 - 1), 11: (0, 2 ** 32 - 1), 12: (0, ULONG_MAX),
                 17: (LLONG_MIN, LLONG_MAX), 18: (0, ULLONG_MAX), 19: (SSIZE_MIN, SSIZE_MAX)}


def member_fixed(code):
    if code == 16:
        raise AttributeError()
    return MEMBER_FIXED[code]


def make_member_value(spec):
    """A value for member type `code`: variant 0 fits it, 1 is of another type, 2 is None."""
    code, variant, seed = spec
    if variant == 1:
        return 7 if code in (7, 14) else "x"
    if variant == 2:
        return None
    if code in MEMBER_RANGES:
        lo, hi = MEMBER_RANGES[code]
        return lo + seed % (hi - lo + 1)
    if code == 3:
        return (seed % 2 ** 20) / 8.0 - 1000.0
    if code == 4:
        return seed / 3.0
    if code == 7:
        return chr(32 + seed % 95)
    if code == 14:
        return seed % 2 == 1
    if code in (5, 13):
        return "text"
    return (seed, "obj")


def make_member_case(spec):
    code = MEMBER_CODES[spec[0]]
    return (code, make_member_value((code,) + tuple(spec[1:])))


def member_store(case, readonly):
    """PyMember_SetOne(value) then PyMember_GetOne."""
    code, value = case
    if readonly:
        raise AttributeError()
    if code in (5, 13):
        raise TypeError()
    if code == 14:
        if type(value) is not bool:
            raise TypeError()
        return value
    if code == 7:
        if not isinstance(value, str) or len(value) != 1 or ord(value) > 127:
            raise TypeError()
        return value
    if code in (6, 16):
        return value
    if code in (3, 4):
        if not isinstance(value, (int, float)):
            raise TypeError()
        return float(value)
    if not isinstance(value, int):
        raise TypeError()
    if code == 8:
        return wrapped(value, 8, CHAR_SIGNED)
    return int(value)


def member_const(code, value):
    """A Py_T_* constant: GetOne of the fixed block (None for AttributeError), then SetOne/GetOne
    of the value ('TypeError' when refused)."""
    try:
        read = member_fixed(code)
    except AttributeError:
        read = None
    try:
        stored = member_store((code, value), False)
    except TypeError:
        stored = "TypeError"
    return (read, stored)


def bound_get(x, value):
    """descriptor.__get__(x) with one argument: None as the instance means "no instance", and
    with no owner given either that is TypeError."""
    if x is None:
        raise TypeError()
    return value
# --- group types: type objects, slots and object life cycle (harness/data/contracts/types.toml)


def type_fully_qualified_name(t):
    """PyType_GetFullyQualifiedName: module.qualname, the qualname alone for builtins and __main__."""
    module = t.__module__
    if not isinstance(module, str) or module in ("builtins", "__main__"):
        return t.__qualname__
    return module + "." + t.__qualname__


GET_CONSTANTS = [None, False, True, Ellipsis, NotImplemented, 0, 1, "", b"", ()]


def get_constant(i):
    """Py_GetConstant(unsigned int): ids 0-9; any other is a SystemError."""
    i %= 2 ** 32
    if i >= len(GET_CONSTANTS):
        raise SystemError()
    return GET_CONSTANTS[i]


# What the probe's tp_obj (PyObject_HEAD, a long, a pointer) adds to object's basicsize.
TP_OBJ_EXTRA = struct.calcsize("lP")


def tp_obj_basicsize(extra=0):
    """__basicsize__ of the probe's instance type with `extra` more bytes: after PyObject_HEAD
    under abi3; as PEP 697 type data (a negative basicsize, object's size and the data each
    aligned) under abi3t, which cannot know PyObject's size."""
    header = object.__basicsize__
    if globals().get("PROBE_ABI3T"):
        return _aligned(header) + _aligned(TP_OBJ_EXTRA + extra)
    return header + TP_OBJ_EXTRA + extra


def tp_obj_extra():
    return tp_obj_basicsize() - object.__basicsize__


TYPE_SPEC_NAMES = ["probe_types.Alpha", "probe_types.Beta", "a.b.Gamma", "probe_types.Delta.Inner", "m.x"]


def type_from_spec(i):
    """The probe's spec i: (name, qualname, module or None, basicsize, itemsize, doc, BASETYPE, metatype, T() + 1)."""
    module, _, name = TYPE_SPEC_NAMES[i % 5].rpartition(".")
    return (name, name, module or None, tp_obj_basicsize(8 * (i % 3)), 8 * (i % 2), "probe doc", i % 2 == 0, "type",
            ("binary", "self", 1))


def type_from_spec_with_bases(k):
    """Bases by kind: NULL, object, (object,), P, (P, R), Q, (Q,); Q lacks Py_TPFLAGS_BASETYPE."""
    k = (k + 10) % 7
    if k in (1, 3, 5) and sys.version_info < (3, 10):
        raise SystemError()  # a single type as bases: accepted since 3.10
    if k >= 5:
        raise TypeError()
    return [["T", "object"], ["T", "object"], ["T", "object"], ["T", "P", "object"], ["T", "P", "R", "object"]][k]


# PyType_GetSlot on a heap type with nb_add, tp_repr and tp_hash of its own, by the probe's id list.
TYPE_SLOT_IDS = [-1, 3, 6, 4, 5, 7, 36, 44, 47, 48, 50, 52, 54, 56, 58, 59, 62, 63, 65, 66, 74, 77, 80, 75]
TYPE_SLOTS_OURS = (7, 59, 66)
# Inherited from object or filled in by the type machinery: tp_alloc, tp_base, tp_dealloc,
# tp_doc (none: NULL), tp_getattro, tp_new, tp_free.
TYPE_SLOTS_OTHER = (47, 48, 52, 58, 65, 74)


def type_get_slot(i):
    slot = TYPE_SLOT_IDS[i % 24]
    if slot <= 0 or slot > 100:
        raise SystemError()
    if slot in TYPE_SLOTS_OURS:
        return "ours"
    if slot in TYPE_SLOTS_OTHER:
        return "other"
    return None


def _has_instance_dict(o):
    return type(o).__dictoffset__ != 0


def generic_get_dict(o):
    if not _has_instance_dict(o):
        raise AttributeError()
    return o.__dict__


def generic_set_dict(o, value):
    if not _has_instance_dict(o):
        raise AttributeError()
    if not isinstance(value, dict):
        raise TypeError()
    o.__dict__ = value


def generic_set_attr(o, name, value):
    if value is None:
        object.__delattr__(o, name)
    else:
        object.__setattr__(o, name, value)


def _aligned(n, to=None):
    """n rounded up to `to`, by default to alignof(max_align_t), as type data is (3.12+)."""
    to = to or max_align()
    return (n + to - 1) // to * to


TYPE_DATA_BASES = [object, Exception, dict, list]


def type_data_offset(k):
    """PyObject_GetTypeData for a type of basicsize -24 on base k: (offset, __basicsize__)."""
    base = TYPE_DATA_BASES[k % 4]
    start = _aligned(base.__basicsize__)
    return (start, start + _aligned(24))


def type_data_size(k):
    base = TYPE_DATA_BASES[k % 4]
    start = _aligned(base.__basicsize__)
    return (_aligned(24), start + _aligned(24))


def abi_info_check(k):
    """PyABIInfo_Check: the build's own info passes (None); the probe's altered ones fail."""
    if k % 4:
        raise ImportError()
# --- threads (harness/data/contracts/threads.toml, threadstate.toml) --------------------------


def threads_set_stacksize(size):
    import threading
    before = threading.stack_size()
    try:
        threading.stack_size(size)
        status = 0
    except ValueError:
        status = -1
    now = threading.stack_size()
    threading.stack_size(before)
    return (status, now, 1)


def threads_lock_ops(ops):
    """The operations of threads_lock_ops (threads.toml) on a _thread lock."""
    import _thread
    lock = _thread.allocate_lock()
    held = False
    out = []
    for op in ops:
        r = -1
        if op == 0:
            r = int(lock.acquire(False))
        elif op == 1 and not held:
            r = int(lock.acquire())
        elif op == 2:
            r = int(lock.acquire(True, 0))
        elif op == 3:
            r = int(lock.acquire(True, 0.0002))
        elif op == 4 and not held:
            r = int(lock.acquire(True, -1))
        elif op == 5 and held:
            lock.release()
            r = 2
            held = False
        if 0 <= op <= 4 and r == 1:
            held = True
        out.append(r)
    if held:
        lock.release()
    return out


def threads_tss_round(value):
    # not created, create ok, created, no value, set ok, value, create again ok, value kept,
    # not created after delete, still not after a second delete; the value is stored as a
    # pointer, so it keeps only a pointer's width of bits
    value %= 2 ** POINTER_BITS
    return (0, 0, 1, 0, 0, value, 0, value, 0, 0)


def threads_tls_round(value):
    return (0, 0, value % 2 ** POINTER_BITS, 0)


def threads_interrupt():
    """(PyErr_CheckSignals's status, the exception type) after a simulated SIGINT."""
    import signal
    handler = signal.getsignal(signal.SIGINT)
    if handler is signal.default_int_handler:
        return (-1, KeyboardInterrupt)
    # Before 3.10 (bpo-43406) the signal is tripped whatever the handler, and the check then
    # calls SIG_DFL or SIG_IGN, a number: TypeError.
    if sys.version_info < (3, 10) and handler in (signal.SIG_DFL, signal.SIG_IGN):
        return (-1, TypeError)
    return (0, None)


def threads_interrupt_ex(signum):
    import signal
    if not 1 <= signum < signal.NSIG:
        return (-1, (0, None))
    if signal.getsignal(signum) is signal.default_int_handler:
        return (0, (-1, KeyboardInterrupt))
    return (0, (0, None))


def threads_handler_kind(signum):
    """As the routines' ts_handler_kind: 0 SIG_DFL, 1 SIG_IGN, 2 another handler, -1 none."""
    import signal
    if not 1 <= signum < signal.NSIG:
        return -1
    handler = signal.getsignal(signum)
    if handler == signal.SIG_DFL:
        return 0
    if handler == signal.SIG_IGN:
        return 1
    return 2


def threads_getsig(signum):
    return threads_handler_kind(signum)


def threads_setsig(signum):
    import signal
    kind = threads_handler_kind(signum)
    if kind == -1:
        return (-1, 1, -1, -1)
    if signum in (signal.SIGKILL, signal.SIGSTOP):
        return (-1, 0, kind, -1)
    return (kind, 1, 3, 3)


def threads_pending(count, fail):
    if 0 <= fail < count:
        return ([0] * count, -1, ValueError, fail + 1, 0, count)
    return ([0] * count, 0, None, count, 0, count)


THREADS_EXCEPTION_CLASSES = [ValueError, KeyError, RuntimeError, ZeroDivisionError, OSError, LookupError, ArithmeticError, TypeError]


def make_threads_exception_class(kind):
    return THREADS_EXCEPTION_CLASSES[kind]


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


# Counters of the os.register_at_fork hooks (3.7+): before, after_in_parent, after_in_child.
THREADS_FORK_EVENTS = [0, 0, 0]


def _threads_fork_hook(slot):
    def hook():
        THREADS_FORK_EVENTS[slot] += 1
    return hook


def _threads_register_fork_hooks():
    import os
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(before=_threads_fork_hook(0), after_in_parent=_threads_fork_hook(1), after_in_child=_threads_fork_hook(2))


_threads_register_fork_hooks()


def make_fork_events(_):
    return THREADS_FORK_EVENTS
# --- group modules: memory, capsules, modules, imports --------------------------------------


def allocated(size, byte):
    """An allocator's block filled with `byte`, or None past PY_SSIZE_T_MAX (Doc/c-api/memory.rst).
    The probe passes the size as a size_t: the int's low bits (the domain keeps huge sizes huge
    on 32-bit builds too)."""
    size %= SIZE_MAX + 1
    return None if size > SSIZE_MAX else bytes([byte]) * size


def callocated(pair):
    nelem, elsize = (n % (SIZE_MAX + 1) for n in pair)
    if elsize and nelem > SSIZE_MAX // elsize:
        return None
    return bytes(nelem * elsize)


def reallocated(size, byte, new_size):
    size %= SIZE_MAX + 1
    new_size %= SIZE_MAX + 1
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
# sizeof(mod_state): four C longs.
MOD_STATE_SIZE = 4 * struct.calcsize("l")


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
    # PyABIInfo_DEFAULT_FLAGS: STABLE | GIL under abi3, STABLE | GIL | FREETHREADED under abi3t.
    default_flags = 7 if globals().get("PROBE_ABI3T") else 3
    return (name, default_flags, 1, 2, 4, 6, 0x030F0000)


def import_level(name, globals_, locals_, fromlist, level):
    """PyImport_ImportModuleLevel*: builtins.__import__, but NULL globals for a relative import
    is a KeyError ('__name__' not in globals), where __import__ would say TypeError."""
    if level > 0 and globals_ is None and name is not None:
        raise KeyError("'__name__' not in globals")
    return __import__(name, globals_, locals_, fromlist or (), level)
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

    def bounds(n):
        start, end = sorted((a % (n + 1), b % (n + 1)))
        if start == end:  # an empty range: 3.13's debug build asserts in PyCodec_ReplaceErrors
            start, end = (start, end + 1) if end < n else (start - 1, end)
        return start, end

    start, end = bounds(len(text))
    if kind == 0:
        data = text.encode("utf-8", "surrogatepass")
        start, end = bounds(len(data))
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
    errors = errors or "strict"
    supported = errors in ("strict", "surrogateescape")
    # 3.7 checked the error handler before the argument's type; 3.8 the other way round.
    if not supported and sys.version_info < (3, 8):
        raise ValueError("unsupported error handler")
    require_str(s)
    if not supported:
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
        overflowed = overflowed or value > ULONG_MAX
        i += 1
    return (ULONG_MAX if overflowed else value, i, overflowed)


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
    if value <= LONG_MAX:
        return (-value if negative else value, end, 34 if overflowed else 0)
    if negative and value == -LONG_MIN:
        return (LONG_MIN, end, 0)
    return (LONG_MAX, end, 34)


def encode_locale_raw(s):
    """Py_EncodeLocale(text, &error_pos): (bytes, -1), or (None, index of the first character
    surrogateescape cannot encode)."""
    try:
        return (os.fsencode(c_text(s)), -1)
    except UnicodeEncodeError as exc:
        return (None, exc.start)
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


def make_suspended_generator(steps):
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


# --- group pep788: helpers of the PEP 788 and opaque-handle contracts (threadstate.toml) ----

def pep788_interp_id(main=False):
    """The current (or main) interpreter's id as Python sees it; None before 3.7, which has no
    PyInterpreterState_GetID. The worker runs in the main interpreter, id 0."""
    if sys.version_info < (3, 7):
        return None
    try:
        import concurrent.interpreters as interpreters
        return (interpreters.get_main() if main else interpreters.get_current()).id
    except ImportError:
        pass
    for name in ("_interpreters", "_xxsubinterpreters"):
        try:
            module = __import__(name)
        except ImportError:
            continue
        found = module.get_main() if main else module.get_current()
        return int(found[0] if isinstance(found, tuple) else found)
    return 0


def pep788_thread(f, x, guards_inside):
    """What a new C thread reports after PyThreadState_Ensure(FromView): it had no thread state,
    got one of the current interpreter (the GILState one), the token is not that state, a nested
    Ensure returned it and its Release kept it, the outer Release deleted it; how many guards
    were open while attached beyond those before; none left open after; and f(x)."""
    result = f(x)
    return (1, 1, 1, 1, 1, 1, guards_inside, 0, result)
# --- group rest ----------------------------------------------------------------------------------
# PyErr_ProgramText, PyErr_SyntaxLocation(Ex), PyFile_FromFd, Py_AUDIT_READ, METH_CLASS/STATIC.

REST_BOM = b"\xef\xbb\xbf"
REST_MISSING = "/nonexistent-abi3probe/missing.py"
# The file PyErr_SyntaxLocation reads its `text` from (the probe writes the same bytes).
REST_SOURCE = b"alpha = 1\r\n  beta(\xff)\n\tgamma \xc3\xa9\rlast"


def rest_path():
    """The file the probe's bodies write, one per process: /tmp/abi3probe-rest-PID.py."""
    return "/tmp/abi3probe-rest-%d.py" % os.getpid()


def rest_program_text_fixed():
    """gh-124188 (3.12.7, 3.13.1): the line is decoded with "replace", the BOM is dropped and a
    too long line gives its head (before: strict UTF-8, NULL on failure, and the tail)."""
    v = sys.version_info
    return v >= (3, 13, 1) or (3, 12, 7) <= v < (3, 13)


def program_text(data, lineno, where):
    """PyErr_ProgramText(path, lineno) of a file holding `data`; `where` 1 names a missing file,
    2 the empty name and 3 a directory (/tmp). Lines are read as C fgets reads them, in 999-byte
    pieces, with universal newlines; none past the end (3.9+), '' before 3.9."""
    v = sys.version_info
    if lineno <= 0 or where in (1, 2):
        return None
    past_end = "" if v < (3, 9) else None
    if where == 3:
        return past_end
    text = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    parts = text.split(b"\n")
    lines = [p + b"\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
    if lineno > len(lines):
        return past_end
    line = lines[lineno - 1]
    if rest_program_text_fixed():
        if lineno == 1 and line.startswith(REST_BOM):
            line = line[len(REST_BOM):]
        return line[:999].decode("utf-8", "replace")
    if len(line) > 999:
        line = line[999 * ((len(line) - 1) // 999):]
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return None


SYNTAX_CLASSES = [SyntaxError, IndentationError, ValueError, KeyError]


def syntax_location(kind, where, lineno, col_offset=-1):
    """PyErr_SyntaxLocation(Ex) with SYNTAX_CLASSES[kind]("boom") set: lineno, offset (None
    for a negative column), filename and the line's text (where 1: the file holding
    REST_SOURCE, 2: a missing file, 0: no file name); 3.10+ also end_lineno (lineno, None when
    negative) and end_offset (None); an
    exception that is not a SyntaxError also gets msg (its str) and print_file_and_line."""
    exc = SYNTAX_CLASSES[kind]("boom")
    exc.lineno = lineno
    exc.offset = col_offset if col_offset >= 0 else None
    if sys.version_info >= (3, 10):
        exc.end_lineno = lineno if lineno >= 0 else None
        exc.end_offset = None
    if where:
        exc.filename = rest_path() if where == 1 else REST_MISSING
        text = program_text(REST_SOURCE, lineno, 0 if where == 1 else 1)
        if text is not None:
            exc.text = text
    if not isinstance(exc, SyntaxError):
        if not hasattr(exc, "msg"):
            exc.msg = str(exc)
        if not hasattr(exc, "print_file_and_line"):
            exc.print_file_and_line = None
    return errors_describe(exc)


FILE_MODES = ["r", "rb", "w", "wb", "rt", "wt", "rw"]
FILE_BUFFERING = [-1, 0, 1, 8, 4096]
FILE_ENCODINGS = [None, "utf-8", "latin-1", "ascii", "no-such-codec"]
FILE_ERRORS = [None, "strict", "replace", "backslashreplace"]
FILE_NEWLINES = [None, "", "\n", "\r\n", "\r", "bad"]
FILE_NAMES = [None, "probe-file", "caf\xe9.txt"]
FILE_TEXT = "h\xe9llo\r\nw\u20acrld\rlast\n"


class FileCase(object):
    """One PyFile_FromFd case on a pipe: prepare() makes the pipe (the data written and the
    write end closed for a reading mode) and returns the call's arguments; finish(stream)
    reads or writes through the stream, closes it and both pipe ends, and describes it all:
    (type, mode, name (the type of a name that is no str), data, warnings seen)."""

    def __init__(self, spec):
        m, b, e, r, n, c, f = spec
        self.mode, self.buffering = FILE_MODES[m], FILE_BUFFERING[b]
        self.encoding, self.errors, self.newline = FILE_ENCODINGS[e], FILE_ERRORS[r], FILE_NEWLINES[n]
        self.closefd, self.name = c, FILE_NAMES[f]

    def prepare(self):
        import warnings
        self.r, self.w = os.pipe()
        os.set_blocking(self.r, False)
        reading = "r" in self.mode
        if reading:
            os.write(self.w, FILE_TEXT.encode("utf-8"))
            os.close(self.w)
            self.w = -1
        self.manager = warnings.catch_warnings(record=True)
        self.log = self.manager.__enter__()
        warnings.simplefilter("always")
        return (self.r if reading else self.w, self.name, self.mode, self.buffering, self.encoding, self.errors,
                self.newline, self.closefd)

    def open(self, spec):
        """What PyFile_FromFd does: io.open, then the name set where the object lets it."""
        import io
        fd, name, mode, buffering, encoding, errors, newline, closefd = spec
        f = io.open(fd, mode, buffering, encoding, errors, newline, bool(closefd))
        if name is not None:
            try:
                f.name = name
            except AttributeError:
                pass
        return f

    def finish(self, f):
        try:
            if f is None:
                return None
            name = getattr(f, "name", None)
            out = [type(f).__name__, getattr(f, "mode", None), name if isinstance(name, str) else type(name).__name__]
            try:
                if "r" in self.mode:
                    out.append(f.read())
                else:
                    f.write(FILE_TEXT if "b" not in self.mode else FILE_TEXT.encode("utf-8"))
                    f.flush()
                    try:
                        out.append(os.read(self.r, 4096))
                    except BlockingIOError:
                        out.append(b"")
            except Exception as e:
                out.append(type(e).__name__)
            try:
                f.close()
            except Exception as e:
                out.append(type(e).__name__)
            out.append(sorted(set(w.category.__name__ for w in self.log)))
            return tuple(out)
        finally:
            self.manager.__exit__(None, None, None)
            for fd in (self.r, self.w):
                if fd >= 0:
                    try:
                        os.close(fd)
                    except OSError:
                        pass

    def run(self):
        spec = self.prepare()
        try:
            f = self.open(spec)
        except BaseException:
            self.finish(None)
            raise
        return self.finish(f)


def make_file_case(spec):
    return FileCase(spec)


REST_AUDIT_LOG = []
REST_AUDIT_STATE = {"installed": False, "armed": False}


def _rest_audit_hook(event, args):
    if REST_AUDIT_STATE["armed"] and event == "object.__getattr__":
        REST_AUDIT_LOG.append((event, type(args[0]).__name__, args[1]))


class AuditRecorder(object):
    """Records object.__getattr__ audit events between begin() and end(). The hook is added
    once per process (audit hooks cannot be removed) and records only while armed."""

    def begin(self):
        if not REST_AUDIT_STATE["installed"]:
            sys.addaudithook(_rest_audit_hook)
            REST_AUDIT_STATE["installed"] = True
        del REST_AUDIT_LOG[:]
        REST_AUDIT_STATE["armed"] = True

    def end(self):
        REST_AUDIT_STATE["armed"] = False
        seen = list(REST_AUDIT_LOG)
        del REST_AUDIT_LOG[:]
        return seen


def make_audit_recorder(_):
    return AuditRecorder()


# What the probe's rest_meth_holder builds, for the class a METH_CLASS method receives.
RestMethHolder = type("RestMethHolder", (), {"__module__": "abi3probe"})
