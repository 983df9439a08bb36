# cryptography (PyO3/maturin, Rust with OpenSSL): hash, authenticated encryption, signatures.
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

digest = hashes.Hash(hashes.SHA256())
digest.update(b"abc")
assert digest.finalize().hex().startswith("ba7816bf")
key = AESGCM.generate_key(bit_length=128)
box = AESGCM(key)
sealed = box.encrypt(b"\0" * 12, b"secret", b"header")
assert box.decrypt(b"\0" * 12, sealed, b"header") == b"secret"
private = Ed25519PrivateKey.generate()
signature = private.sign(b"message")
private.public_key().verify(signature, b"message")
