"""The worker: runs inside the interpreter under test and serves one cell's requests.

Started by the harness as `PYTHON -s -X faulthandler worker.py ORACLES_PY`. Requests arrive as
JSON lines on stdin; replies go, one JSON line each, to the file descriptor that was stdout at
start. Everything else the process prints (probe output, faulthandler dumps) goes to stderr,
which the harness keeps in a file, so no stray write can corrupt the protocol.

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

PROTOCOL_VERSION = 1

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


def outcome(function, args):
    """Calls `function(*args)`; the result or the exception's type, and the arguments after."""
    try:
        result = function(*args)
    except BaseException as exc:
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        if type(exc).__name__ == "ContractError" and type(exc).__module__ == "abi3probe":
            reply = {"contract": str(exc)}
        else:
            reply = {"exc": type_name(type(exc))}
    else:
        reply = {"ret": encode(result)}
    reply["after"] = [encode(arg) for arg in args]
    return reply


# --- the session -------------------------------------------------------------------------------


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
        try:
            loader = importlib.machinery.ExtensionFileLoader(name, path)
            spec = importlib.util.spec_from_file_location(name, path, loader=loader)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        except BaseException as exc:
            return {"ok": False, "error": "%s: %s" % (type_name(type(exc)), exc)}
        sys.modules[name] = module
        self.modules[name] = module
        if name == "abi3probe":
            self.namespace["probe"] = module
        return {"ok": True}

    def op_presence(self, request):
        return {"missing": list(self.modules["abi3probe"].resolve(request["names"]))}

    def op_routines(self, request):
        return {"routines": list(self.modules["abi3probe"].routines())}

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
        return {"probe": probe, "oracle": outcome(oracle, oracle_args), "digest": digest(probe)}


def digest(probe_outcome):
    """The probe outcome's fingerprint part: the same for the same outcome on any interpreter."""
    # repr of lists, str, int and bool is the same on every version from 3.6 on.
    text = repr(sorted(probe_outcome.items()))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def op_cases(self, request):
    """Many cases of one property in one request: the fast path when all of them pass. Then
    only the outcomes' digests travel back (comparing here is cheaper than sending both
    outcomes of every case); on any difference, every outcome, for the harness to judge."""
    outcomes = [self.op_case({"p": request["p"], "args": args}) for args in request["cases"]]
    if all(o["probe"] == o["oracle"] and "contract" not in o["probe"] for o in outcomes):
        return {"digests": [o["digest"] for o in outcomes]}
    return {"outcomes": outcomes}


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
            reply = handler(request)
        protocol.write(json.dumps(reply, separators=(",", ":")))
        protocol.write("\n")
        protocol.flush()


if __name__ == "__main__":
    main()
