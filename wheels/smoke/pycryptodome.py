# pycryptodome (setuptools C, abi3; native parts loaded with ctypes or cffi): AES and SHA-256.
from Crypto.Cipher import AES
from Crypto.Hash import SHA256

assert SHA256.new(b"abc").hexdigest().startswith("ba7816bf")
key = bytes(range(16))
sealed = AES.new(key, AES.MODE_EAX, nonce=b"\0" * 16)
text, tag = sealed.encrypt_and_digest(b"secret")
opened = AES.new(key, AES.MODE_EAX, nonce=b"\0" * 16)
assert opened.decrypt_and_verify(text, tag) == b"secret"
