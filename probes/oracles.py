"""Oracle helpers: Python-level equivalents of C API calls, used by the property table.

Each property's oracle is a Python expression (see harness/src/properties/); it is evaluated
once per worker in this module's namespace, so helpers defined here can be named in it.
Must run on every interpreter from 3.6 on.
"""

LONG_MIN = -(2 ** 63)
LONG_MAX = 2 ** 63 - 1
ULONG_MAX = 2 ** 64 - 1


def raise_(exc_type, *args):
    raise exc_type(*args)


def c_long(value):
    """What a C `long` conversion of an int gives: the value, or OverflowError."""
    value = value.__index__()
    if LONG_MIN <= value <= LONG_MAX:
        return value
    raise OverflowError("out of C long range")
