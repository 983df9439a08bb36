# watchfiles (PyO3/maturin, notify): a change in a folder is seen.
import os
import tempfile
import threading
import time

from watchfiles import watch

with tempfile.TemporaryDirectory() as folder:
    def touch():
        time.sleep(0.3)
        with open(os.path.join(folder, "new"), "w") as handle:
            handle.write("x")

    threading.Thread(target=touch).start()
    for changes in watch(folder, rust_timeout=10000, yield_on_timeout=True, debounce=100):
        assert any(path.endswith("new") for _, path in changes), changes
        break
