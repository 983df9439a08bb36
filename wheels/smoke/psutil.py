# psutil (setuptools C, py_limited_api): facts of this process and the machine.
import os

import psutil

me = psutil.Process(os.getpid())
assert me.pid == os.getpid()
assert me.memory_info().rss > 0
assert psutil.cpu_count() >= 1
assert os.getpid() in psutil.pids()
assert psutil.virtual_memory().total > 0
