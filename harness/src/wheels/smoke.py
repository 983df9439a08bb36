# The wheel driver: imports a wheel's extension modules one by one, then runs its smoke script,
# in a fresh process per wheel and interpreter. Must run on every interpreter from 3.6 on.
#
# argv: PROGRESS SITE SMOKE|- DEBUG(0/1) MODULE...
# Every step is written to PROGRESS (one JSON object a line, flushed) before and after it runs,
# so the parent knows which step a crash or a hang interrupted.
import gc
import importlib
import json
import os
import runpy
import sys
import traceback

progress_path, site, smoke, debug = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1"
modules = sys.argv[5:]
sys.path.insert(0, site)
progress = open(progress_path, "w")


def say(**fields):
    progress.write(json.dumps(fields) + "\n")
    progress.flush()
    os.fsync(progress.fileno())


def settle():
    # The type attribute cache (3.12+) keeps a reference to every attribute name it has seen,
    # and 3.13 adds internal caches of its own: empty them, as the cells' leak check does, so
    # that only references the smoke script's calls keep are counted.
    gc.collect()
    for name in ("_clear_type_cache", "_clear_internal_caches"):
        clear = getattr(sys, name, None)
        if clear is not None:
            clear()
    gc.collect()


def run_smoke():
    try:
        runpy.run_path(smoke, run_name="__main__")
    except SystemExit as stop:
        if stop.code not in (None, 0):
            raise


for name in modules:
    say(step="import", module=name)
    try:
        importlib.import_module(name)
    except BaseException:
        say(step="import-failed", module=name, error=traceback.format_exc())
    else:
        say(step="imported", module=name)

if smoke != "-":
    say(step="smoke")
    try:
        run_smoke()
    except BaseException:
        say(step="smoke-failed", error=traceback.format_exc())
    else:
        say(step="smoke-passed")
        if debug:
            # The first run warmed caches; three more runs must leave the total where it was,
            # give or take what interning and free lists keep.
            say(step="refleak")
            settle()
            before, blocks = sys.gettotalrefcount(), sys.getallocatedblocks()
            for _ in range(3):
                run_smoke()
            settle()
            say(step="refleak-done", delta=sys.gettotalrefcount() - before, blocks=sys.getallocatedblocks() - blocks)
say(step="done")
