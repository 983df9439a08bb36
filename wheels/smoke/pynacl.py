# PyNaCl (cffi out-of-line API module over libsodium): secret boxes and signatures.
import nacl.secret
import nacl.signing
import nacl.utils

box = nacl.secret.SecretBox(nacl.utils.random(nacl.secret.SecretBox.KEY_SIZE))
assert box.decrypt(box.encrypt(b"attack at dawn")) == b"attack at dawn"
signing = nacl.signing.SigningKey.generate()
signed = signing.sign(b"message")
assert signing.verify_key.verify(signed) == b"message"
