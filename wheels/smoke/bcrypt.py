# bcrypt (PyO3/maturin): hash and check a password.
import bcrypt

hashed = bcrypt.hashpw(b"correct horse", bcrypt.gensalt(rounds=4))
assert bcrypt.checkpw(b"correct horse", hashed)
assert not bcrypt.checkpw(b"wrong horse", hashed)
assert bcrypt.kdf(b"password", b"salt", 16, 4) == bcrypt.kdf(b"password", b"salt", 16, 4)
