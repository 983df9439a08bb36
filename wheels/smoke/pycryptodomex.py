# pycryptodomex (setuptools C, abi3, as `Cryptodome`): AES and SHA-256.
from Cryptodome.Cipher import AES
from Cryptodome.Hash import SHA256

assert SHA256.new(b"abc").hexdigest().startswith("ba7816bf")
key = bytes(range(16))
sealed = AES.new(key, AES.MODE_EAX, nonce=b"\0" * 16)
text, tag = sealed.encrypt_and_digest(b"secret")
opened = AES.new(key, AES.MODE_EAX, nonce=b"\0" * 16)
assert opened.decrypt_and_verify(text, tag) == b"secret"
