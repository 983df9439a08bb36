"""The worker: runs inside the interpreter under test and serves one cell's requests.

Started by the harness as `PYTHON -s -X faulthandler worker.py ORACLES_PY`. Requests arrive as
JSON lines on stdin; replies go, one JSON line each, to the file descriptor that was stdout at
start. Everything else the process prints (probe output, faulthandler dumps) goes to stderr,
which the harness keeps in a file, so no stray write can corrupt the protocol.

The requests and their replies are typed on the harness's side (harness/src/protocol.rs, one
struct per op: hello, import, refusal, presence, routines, define, case, cases, refleak,
refleak_screen). This side reports what happened; whether a case holds is decided there
(harness/src/judge.rs). A request that itself goes wrong is answered `{"error": ...}`.

Written for every interpreter from 3.6 on: no walrus, no dataclasses, nothing newer than 3.6.
"""

import faulthandler
import gc
import hashlib
import importlib.machinery
import importlib.util
import json
import os
import re
import struct
import sys

PROTOCOL_VERSION = 3

# --- values: the wire form is documented in harness/src/value.rs -----------------------------

# Where `["x", name, value]` finds `make_<name>`: the oracle helpers' namespace, once loaded.
BUILDERS = {}


def decode(wire):
    tag = wire[0]
    if tag == "n":
        return None
    if tag == "B":
        return bool(wire[1])
    if tag == "i":
        return int(wire[1], 16)
    if tag == "f":
        return struct.unpack("<d", struct.pack("<Q", int(wire[1])))[0]
    if tag == "s":
        return "".join(map(chr, wire[1]))
    if tag == "b":
        return bytes.fromhex(wire[1])
    if tag == "l":
        return [decode(item) for item in wire[1]]
    if tag == "t":
        return tuple(decode(item) for item in wire[1])
    if tag == "d":
        return dict((decode(k), decode(v)) for k, v in wire[1])
    if tag == "x":
        return BUILDERS["make_" + wire[1]](decode(wire[2]))
    raise ValueError("unknown wire tag %r" % (tag,))


def type_name(tp):
    module = getattr(tp, "__module__", "?")
    name = getattr(tp, "__qualname__", getattr(tp, "__name__", "?"))
    return name if module == "builtins" else "%s.%s" % (module, name)


ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def safe_repr(obj):
    try:
        # Addresses differ between any two objects: "<capsule object at 0x...>" compares as
        # "<capsule object>", so probe and oracle agree on what they made.
        text = ADDRESS.sub("", repr(obj))
    except BaseException as exc:  # a broken __repr__ is a finding, not a worker failure
        text = "<repr raised %s>" % type_name(type(exc))
    return text if len(text) <= 200 else text[:200] + "..."


def encode(obj, depth=0):
    """The exact identity of a result: type and value, NaN payloads and -0.0 included."""
    # Most frequent first: this runs for every result and argument of every case.
    tp = type(obj)
    if tp is int:
        return ["i", "%x" % obj if obj >= 0 else "-%x" % -obj]
    if tp is str:
        return ["s", list(map(ord, obj))]
    if obj is None:
        return ["n"]
    if tp is bool:
        return ["B", obj]
    if tp is bytes:
        return ["b", obj.hex()]
    if tp is float:
        return ["f", str(struct.unpack("<Q", struct.pack("<d", obj))[0])]
    if depth > 20:
        return ["o", type_name(tp), "<too deep>"]
    if tp is tuple:
        return ["t", [encode(item, depth + 1) for item in obj]]
    if tp is list:
        return ["l", [encode(item, depth + 1) for item in obj]]
    if tp is dict:
        return ["d", [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in obj.items()]]
    if tp is bytearray:
        return ["ba", bytes(obj).hex()]
    if isinstance(obj, type):
        return ["type", type_name(obj)]
    return ["o", type_name(tp), safe_repr(obj)]


# Reference counts at or above this are immortal objects' (3.12+, PEP 683): no reading.
IMMORTAL = 1 << 29
# Objects a footprint follows, at most: the arguments and the items of container arguments.
TRACKED = 48
# A new result's count above this is a shared object's (a cache, an interned string): no reading.
FRESH_MAX = 4
# An argument object held this often before the call is shared (None, a small int, an interned
# string): anything else may take and drop references to it meanwhile, so no reading.
SHARED = 16


def tracked(args):
    """The objects a call's result may be, with their names: each argument and the items (keys
    and values) of a list, tuple or dict argument."""
    paths, objects = [], []
    for i, arg in enumerate(args):
        paths.append("argument %d" % (i + 1))
        objects.append(arg)
        tp = type(arg)
        if tp is list or tp is tuple:
            for j, item in enumerate(arg):
                paths.append("item %d of argument %d" % (j, i + 1))
                objects.append(item)
        elif tp is dict:
            for j, (key, value) in enumerate(arg.items()):
                paths.append("key %d of argument %d" % (j, i + 1))
                objects.append(key)
                paths.append("value %d of argument %d" % (j, i + 1))
                objects.append(value)
    return paths[:TRACKED], objects[:TRACKED]


def footprint(paths, objects, before, result):
    """How many references the call that returned `result` left on it (the judge compares the
    probe's with the oracle's; harness/src/judge.rs, `Footprint`): for a result that is one of
    the arguments' objects, the change in its count; for a new object, how many references
    hold it besides the worker's own variable (1 for a result returned as a new reference)."""
    # Immortal objects (3.12+, PEP 683) count as shared: their counts never change.
    for index, obj in enumerate(objects):
        if obj is result:
            now = sys.getrefcount(result)
            shared = before[index] >= SHARED or now >= IMMORTAL
            return {"result": index, "path": paths[index], "delta": None if shared else now - before[index]}
    count = sys.getrefcount(result) - 1  # not getrefcount's own argument
    return {"fresh": count if count <= FRESH_MAX else None}


def outcome(function, args, references=True):
    """Calls `function(*args)`; the result or the exception's type, the arguments after, and
    (after a return) the call's reference footprint."""
    if references:
        paths, objects = tracked(args)
        before = [sys.getrefcount(obj) for obj in objects]
    try:
        result = function(*args)
    except BaseException as exc:
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        if type(exc).__name__ == "ContractError" and type(exc).__module__ == "abi3probe":
            reply = {"contract": str(exc)}
        else:
            reply = {"exc": type_name(type(exc))}
        # No footprint: the traceback holds the frames, and the frames the arguments.
    else:
        reply = {"ret": encode(result)}
        if references:
            reply["refs"] = footprint(paths, objects, before, result)
        del result
    reply["after"] = [encode(arg) for arg in args]
    return reply


# --- the session -------------------------------------------------------------------------------


def find_extension(name, path):
    """What the import system finds for module `name` in the folder of the extension file
    `path`, as it finds an installed one: (its spec or None, whether that spec is `path`)."""
    spec = importlib.machinery.PathFinder.find_spec(name, [os.path.dirname(path)])
    return spec, spec is not None and os.path.realpath(spec.origin or "") == os.path.realpath(path)


class Session(object):
    def __init__(self, oracles_path):
        self.modules = {}
        self.properties = []
        self.namespace = {"__builtins__": __builtins__, "sys": sys}
        with open(oracles_path) as source:
            exec(compile(source.read(), oracles_path, "exec"), self.namespace)
        BUILDERS.update((k, v) for k, v in self.namespace.items() if k.startswith("make_"))

    def op_hello(self, request):
        return {"protocol": PROTOCOL_VERSION, "version": list(sys.version_info[:3])}

    def op_import(self, request):
        name, path = request["module"], request["path"]
        # The API entries the probe's set-up must not call (abi3probe.c, `setup_avoids`).
        os.environ["ABI3PROBE_AVOID"] = "".join("," + entry + "," for entry in request.get("avoid", []))
        # Found by the import system, as an installed extension is: its file name suffix
        # (`.abi3.so`, `.abi3t.so`) is part of the promise, and a refusal is a finding.
        try:
            spec, found = find_extension(name, path)
        except BaseException as exc:
            return {"ok": False, "error": "%s: %s" % (type_name(type(exc)), exc)}
        if not found:
            suffix = path[len(os.path.join(os.path.dirname(path), name)):]
            return {
                "ok": False,
                "error": "the import system does not load %s: its suffix %s is not among this interpreter's extension suffixes %s%s"
                % (os.path.basename(path), suffix, importlib.machinery.EXTENSION_SUFFIXES,
                   "" if spec is None else " (it found %s instead)" % spec.origin),
            }
        try:
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        except BaseException as exc:
            return {"ok": False, "error": "%s: %s" % (type_name(type(exc)), exc)}
        sys.modules[name] = module
        self.modules[name] = module
        if name == "abi3probe":
            self.namespace["probe"] = module
            # Built for abi3t (the build variant): some header constants differ there.
            self.namespace["PROBE_ABI3T"] = path.endswith(".abi3t.so")
            self.probe_path = path
        return {"ok": True}

    def op_refusal(self, request):
        """For an extension this interpreter must not load (an abi3t build on an interpreter
        older than 3.15, an abi3 build on a free-threaded one): whether the import system finds
        it under its own file name, and, with `load_as`, what loading it does when it is
        installed under a suffix the interpreter accepts (it must raise ImportError, with a
        message, not load and not crash). Never put in sys.modules."""
        name, path = request["module"], request["path"]
        reply = {"suffixes": list(importlib.machinery.EXTENSION_SUFFIXES)}
        try:
            reply["found"] = find_extension(name, path)[1]
        except BaseException as exc:
            reply["found"] = False
            reply["find_error"] = "%s: %s" % (type_name(type(exc)), exc)
        load_as = request.get("load_as")
        if load_as:
            import shutil, tempfile
            folder = tempfile.mkdtemp(prefix="abi-harness-refusal-")
            copy = os.path.join(folder, name + load_as)
            shutil.copyfile(path, copy)
            loaded = {"ok": False, "error": None, "exception": None}
            try:
                loader = importlib.machinery.ExtensionFileLoader(name, copy)
                spec = importlib.util.spec_from_file_location(name, copy, loader=loader)
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
                loaded["ok"] = True
            except BaseException as exc:
                loaded["exception"] = type_name(type(exc))
                loaded["error"] = str(exc)
            finally:
                shutil.rmtree(folder, ignore_errors=True)
            reply["loaded"] = loaded
        return reply

    def op_presence(self, request):
        """Looked up with ctypes, as dlsym(RTLD_DEFAULT) would: no API entry under test is
        called, so a broken one cannot take the presence check down. Without ctypes (a build
        without libffi), the probe's own `resolve` does it."""
        try:
            import ctypes
        except ImportError:
            return {"missing": list(self.modules["abi3probe"].resolve(request["names"]))}
        process = ctypes.CDLL(None)
        missing = []
        for name in request["names"]:
            try:
                process[name]
            except AttributeError:
                missing.append(name)
        return {"missing": missing}

    def op_routines(self, request):
        """The probe's routine table, read through ctypes from a plain C function of the probe
        that calls no API entry; without ctypes, from the probe's `routines()`."""
        try:
            import ctypes
        except ImportError:
            return {"routines": list(self.modules["abi3probe"].routines())}
        names = ctypes.CDLL(self.probe_path).abi3probe_routine_names
        names.restype = ctypes.c_char_p
        return {"routines": names().decode("ascii").split()}

    def op_define(self, request):
        self.properties = []
        call = self.modules["abi3probe"].call
        for spec in request["properties"]:
            try:
                oracle = eval(spec["oracle"], self.namespace)
            except BaseException as exc:
                return {"ok": False, "error": "oracle of %s: %s: %s" % (spec["routine"], type_name(type(exc)), exc)}
            self.properties.append((spec["routine"], oracle))
        return {"ok": True}

    def op_case(self, request):
        routine, oracle = self.properties[request["p"]]
        call = self.modules["abi3probe"].call
        probe_args = [decode(arg) for arg in request["args"]]
        oracle_args = [decode(arg) for arg in request["args"]]
        # No per-call watchdog here (a timer thread per case costs more than the case): on a
        # hang the harness sends SIGABRT, and faulthandler dumps every thread's stack.
        probe = outcome(lambda *a: call(routine, *a), probe_args)
        expected = outcome(oracle, oracle_args)
        return {"probe": probe, "oracle": expected, "digests": [digest(probe), digest(expected)]}


def digest(one):
    """An outcome's digest, the same for the same outcome on any interpreter (fingerprints use
    it): its end and the arguments after, not its reference footprint. A broken error
    contract's digest starts with `!`. The harness judges by them (harness/src/judge.rs,
    `batch_case`); this only computes them."""
    # repr of lists, str, int and bool is the same on every version from 3.6 on.
    items = sorted((k, v) for k, v in one.items() if k != "refs")
    text = hashlib.sha256(repr(items).encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return "!" + text if "contract" in one else text


def op_cases(self, request):
    """Many cases of one property in one request: the fast path when all of them hold. Only
    the outcomes' digests and reference footprints travel back; the harness judges them, and
    runs any case that does not hold again on its own."""
    digests, refs = [], []
    for args in request["cases"]:
        reply = self.op_case({"p": request["p"], "args": args})
        digests.append(reply["digests"])
        refs.append([reply["probe"].get("refs"), reply["oracle"].get("refs")])
    return {"digests": digests, "refs": refs}


Session.op_cases = op_cases


def reference_drift(runs, calls, warmups, readings):
    """How much `calls` rounds raise sys.gettotalrefcount(): each round calls every function of
    `runs`, a list of (function, wire cases), once with each case's fresh arguments. Cycles are
    collected and the smaller of the readings counts, after warm-up rounds, so that only
    references every call leaves behind show."""
    total = sys.gettotalrefcount
    # The type attribute cache (3.12+) keeps a strong reference to each attribute name it has
    # seen, in a slot chosen by the name's address: fresh names look like a leak of about one
    # reference per call. Emptying the interpreter's caches before each reading removes them.
    clear_caches = getattr(sys, "_clear_internal_caches", None) or sys._clear_type_cache

    def settle():
        gc.collect()
        clear_caches()

    def once():
        for function, cases in runs:
            for wire_args in cases:
                args = [decode(arg) for arg in wire_args]
                try:
                    result = function(*args)
                except BaseException as exc:  # cases may raise GeneratorExit or BaseException
                    if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                        raise
                    result = None
                del args, result

    for _ in range(warmups):
        once()
    deltas = []
    for _ in range(readings):
        settle()
        before = total()
        for _ in range(calls):
            once()
        settle()
        deltas.append(total() - before)
    return min(deltas)


def op_refleak(self, request):
    """On a debug build: the reference drift of a property's probe calls, and of the same calls
    of its oracle, which tells the interpreter's own accounting from the probe's. A screening
    measurement (one warm-up, one reading) is cheap; only what it flags is measured again the
    careful way (two warm-ups, the smaller of two readings)."""
    if not hasattr(sys, "gettotalrefcount"):
        return {"unsupported": True}
    routine, oracle = self.properties[request["p"]]
    call = self.modules["abi3probe"].call
    cases = request["cases"]
    calls = int(request.get("calls", 8))
    warmups = int(request.get("warmups", 2))
    readings = int(request.get("readings", 2))
    probe = reference_drift([(lambda *a: call(routine, *a), cases)], calls, warmups, readings)
    return {"delta": probe, "oracle_delta": reference_drift([(oracle, cases)], calls, warmups, readings), "calls": calls}


def op_refleak_screen(self, request):
    """The screening of many properties at once: the drift of all their probe calls together,
    with one pair of collections for all of them instead of a pair per property."""
    if not hasattr(sys, "gettotalrefcount"):
        return {"unsupported": True}
    call = self.modules["abi3probe"].call

    def probe_of(routine):
        return lambda *a: call(routine, *a)

    runs = [(probe_of(self.properties[item["p"]][0]), item["cases"]) for item in request["items"]]
    return {"delta": reference_drift(runs, int(request.get("calls", 8)), 1, 1)}


Session.op_refleak_screen = op_refleak_screen
Session.op_refleak = op_refleak


def main():
    protocol = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # stray prints from probes land in the stderr file, not in the protocol
    sys.stdout = sys.stderr
    faulthandler.enable(file=sys.stderr, all_threads=True)
    session = Session(sys.argv[1])
    for line in sys.stdin:
        request = json.loads(line)
        handler = getattr(session, "op_" + request["op"], None)
        if handler is None:
            reply = {"error": "unknown op %r" % request["op"]}
        else:
            try:
                reply = handler(request)
            except Exception as exc:  # a harness or protocol bug, never a finding
                reply = {"error": "%s failed: %s: %s" % (request["op"], type_name(type(exc)), exc)}
        protocol.write(json.dumps(reply, separators=(",", ":")))
        protocol.write("\n")
        protocol.flush()


if __name__ == "__main__":
    main()
