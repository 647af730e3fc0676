"""What crosses between the grader and a graded kernel, seen from the grader: the format of the
probe's requests and replies (probe.py) and of the relay's input requests and answers (relay.py).

Everything read from the kernel is untrusted: a reply is capped in size and decoded without
pickle into numbers, strings and numeric arrays only. probe.py and relay.py run in the kernel and
import nothing of ours, so their side of the format is written there again; relay.py's digest is
this module's `digest`, and the two must stay identical.
"""
import base64
import io
import json
from dataclasses import dataclass

import numpy as np

from backprop_lab.judging.answers import Along, FigureImages, StudentError, Unsupported

RESULT_MIME = "application/x-backprop-lab+json"
RELAY_MARKER = "backprop-lab-relay:"  # starts the input requests of relay.py's functions
MAX_RESULT = 256 << 20           # bytes of one result message
STORE_MIN = 1 << 20              # bytes from which an argument is sent once and then named by its digest


def decode(node):
    """Untrusted JSON from the kernel -> plain Python values and numeric arrays."""
    if isinstance(node, dict):
        if "__ndarray__" in node:
            raw = base64.b64decode(node["__ndarray__"], validate=True)
            array = np.load(io.BytesIO(raw), allow_pickle=False)
            if array.dtype.kind not in "biuf":
                raise ValueError(f"unexpected array type {array.dtype}")
            return array
        if "__tuple__" in node:
            return tuple(decode(item) for item in node["__tuple__"])
        if "__figure__" in node:
            return FigureImages(decode(item) for item in node["__figure__"])
        if "__unsupported__" in node:
            return Unsupported(str(node["__unsupported__"]))
        raise ValueError("unexpected object")
    if isinstance(node, list):
        return [decode(item) for item in node]
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    raise ValueError("unexpected value")


@dataclass(frozen=True)
class Stored:
    """An array the kernel already holds, named by the digest of its bytes."""
    digest: str


def digest(array):
    import hashlib
    return hashlib.blake2b(np.ascontiguousarray(array).view(np.uint8).ravel(), digest_size=16).hexdigest() \
        + f"-{array.dtype.str}-{'x'.join(map(str, array.shape))}"


def encode(value):
    if isinstance(value, Stored):
        return {"__stored__": value.digest}
    if isinstance(value, np.ndarray):
        buffer = io.BytesIO()
        np.save(buffer, value, allow_pickle=False)
        return {"__ndarray__": base64.b64encode(buffer.getvalue()).decode("ascii")}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(item) for item in value]}
    if isinstance(value, list):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        return {key: encode(item) for key, item in value.items()}
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    return value


def plain(value):
    return encode(np.asarray(value, dtype=float)) if np.ndim(value) else float(value)


def read_reply(replies):
    """The probe's replies to one request (untrusted) -> {key: decoded value} of the last one.
    Raises StudentError for none, one too large or unreadable, or the student's error."""
    if not replies or not isinstance(replies[-1], str) or len(replies[-1]) > MAX_RESULT:
        raise StudentError("the notebook's kernel returned no readable result")
    try:
        reply = json.loads(replies[-1])
        if "error" in reply:
            ename, evalue = reply["error"]
            raise StudentError(f"{ename}: {evalue}")
        return {key: decode(value) for key, value in reply.items()}
    except StudentError:
        raise
    except Exception as error:
        raise StudentError(f"the notebook's kernel returned an unreadable result ({error})") from None


def from_relay(node, handles, known):
    """An argument relay.py sent -> a plain value or array (handles: arrays sent before; known:
    digest -> the grader's arrays, which the relay names instead of sending)."""
    if isinstance(node, dict) and "__handle__" in node:
        return handles[int(node["__handle__"])]
    if isinstance(node, dict) and "__known__" in node:  # numbers the grader holds: its own copy
        array = known[str(node["__known__"])].copy()
        handles[int(node["handle"])] = array
        return array
    if isinstance(node, dict) and "handle" in node:
        array = decode({"__ndarray__": node["__ndarray__"]})
        handles[int(node["handle"])] = array
        return array
    if isinstance(node, list):
        return [from_relay(item, handles, known) for item in node]
    return decode(node)


def answer_relay(prompt, trusted, handles, known):
    """An input request of the re-run (prompt) -> the JSON answer: for relay.py's, trusted[name]
    called here on its arguments (handles, known: as for from_relay)."""
    if not prompt.startswith(RELAY_MARKER):
        return json.dumps({"error": "no input is read while the grader re-runs this cell"})
    try:
        request = json.loads(prompt[len(RELAY_MARKER):])
        args = [from_relay(node, handles, known) for node in request["args"]]
        kwargs = {str(key): from_relay(node, handles, known) for key, node in request["kwargs"].items()}
        value = trusted[request["name"]](*args, **kwargs)
    except Exception as error:  # a wrong call (e.g. an argument of the wrong kind): the re-run's error
        return json.dumps({"error": f"{type(error).__name__}: {error}"})
    along = {}
    if isinstance(value, Along):
        value, along = value.value, value.others
    return json.dumps({"value": plain(value), "along": {name: plain(other) for name, other in along.items()}})
