# psutil (setuptools C, py_limited_api): facts of this process and the machine.
import os

import psutil

assert psutil.cpu_count() >= 1
# getifaddrs(3) and statvfs(3) through the extension: no /proc needed.
assert psutil.net_if_addrs(), "no network interface, not even lo"
assert psutil.disk_usage("/").total > 0
# The Debian platforms are entered with chroot, without /proc: the process table is read
# where /proc is there.
if os.path.exists("/proc/self/stat"):
    me = psutil.Process(os.getpid())
    assert me.pid == os.getpid()
    assert me.memory_info().rss > 0
    assert os.getpid() in psutil.pids()
    assert psutil.virtual_memory().total > 0
