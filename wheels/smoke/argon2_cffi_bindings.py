# argon2-cffi-bindings (cffi out-of-line API module): one Argon2id hash through the C API.
from _argon2_cffi_bindings import ffi, lib

raw = ffi.new("uint8_t[]", 32)
encoded = ffi.new("char[]", 128)
rc = lib.argon2_hash(1, 64, 1, b"password", 8, b"somesalt", 8, raw, 32, encoded, 128, lib.Argon2_id, lib.ARGON2_VERSION_NUMBER)
assert rc == lib.ARGON2_OK, rc
assert ffi.string(encoded).startswith(b"$argon2id$")
assert lib.argon2_verify(encoded, b"password", 8, lib.Argon2_id) == lib.ARGON2_OK
