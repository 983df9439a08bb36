# hf-xet (PyO3/maturin): content hashes of a local file (no network).
import os
import tempfile

import hf_xet

with tempfile.TemporaryDirectory() as folder:
    path = os.path.join(folder, "blob")
    with open(path, "wb") as handle:
        handle.write(os.urandom(1 << 16))
    first = hf_xet.hash_files([path])
    second = hf_xet.hash_files([path])
    assert len(first) == 1
    assert repr(first) == repr(second)
