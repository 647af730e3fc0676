"""Runs inside a graded kernel: rebinds names to functions that ask the grader for their result.

The grader re-runs a student's cell (the training call) with trusted functions in place of the
student's, without putting them in the kernel: each call here sends its arguments to the grader
over the kernel's stdin channel (an input request) and returns the grader's answer. The grader
answers only while it re-runs that cell; any other time input() fails. Like probe.py, this file
holds nothing secret, and the grader judges what the re-run returns with its own reference.

Arrays after the first argument (X, y: the same objects on every call of an optimiser) are sent
once and then named by a handle, and not even once when the grader holds the same numbers (the
training set: it sends the digests of what it holds, and the relay names such an array by digest); the first argument (the parameters) is sent every call. With an
answer the grader may send other functions' answers for the same arguments (the gradient with the
cost), which a call with exactly those arguments then gets without asking.
"""


def _backprop_lab_relay(namespace, names, marker, known=(), known_min=1 << 20):
    import base64
    import hashlib
    import io
    import json

    import numpy as np

    sent = {}  # id(array) -> (array, handle); holding the array keeps its id from being reused
    known = set(known)  # digests of arrays the grader holds (kernel_wire.digest): named, never sent

    def digest(value):
        value = np.ascontiguousarray(value)
        return (hashlib.blake2b(value.view(np.uint8).ravel(), digest_size=16).hexdigest()
                + f"-{value.dtype.str}-{'x'.join(map(str, value.shape))}")

    def encode(value, by_handle):
        if isinstance(value, np.generic):
            return value.item()
        if isinstance(value, np.ndarray):
            if by_handle and id(value) in sent:
                return {"__handle__": sent[id(value)][1]}
            if by_handle and value.nbytes >= known_min and digest(value) in known:  # the training set
                sent[id(value)] = (value, len(sent))
                return {"__known__": digest(value), "handle": len(sent) - 1}
            buffer = io.BytesIO()
            np.save(buffer, np.ascontiguousarray(value), allow_pickle=False)
            node = {"__ndarray__": base64.b64encode(buffer.getvalue()).decode("ascii")}
            if by_handle:
                sent[id(value)] = (value, len(sent))
                node["handle"] = len(sent) - 1
            return node
        if isinstance(value, (list, tuple)):
            return [encode(item, by_handle) for item in value]
        return value

    def decode(node):
        if isinstance(node, dict) and "__ndarray__" in node:
            return np.load(io.BytesIO(base64.b64decode(node["__ndarray__"])), allow_pickle=False)
        return node

    answered = {}  # name -> (arguments, value): what the grader sent along with another answer

    def others(args, kwargs):
        """The arguments after the parameters, arrays by identity (they travel by handle)."""
        def plain(value):
            return id(value) if isinstance(value, np.ndarray) else value
        return [plain(arg) for arg in args[1:]], {key: plain(value) for key, value in kwargs.items()}

    def same_arguments(args, kwargs, other):
        first, rest = other
        return len(args) > 0 and np.array_equal(args[0], first) and others(args, kwargs) == rest

    def relay(name):
        def trusted(*args, **kwargs):
            if name in answered and same_arguments(args, kwargs, answered[name][0]):
                return answered.pop(name)[1]
            request = {"name": name, "args": [encode(arg, index > 0) for index, arg in enumerate(args)],
                       "kwargs": {key: encode(value, True) for key, value in kwargs.items()}}
            answer = json.loads(input(marker + json.dumps(request)))
            if "error" in answer:
                raise RuntimeError(f"{name}: {answer['error']}")
            # An optimiser asks for the cost and the gradient at the same point: the grader sends both.
            arguments = (np.array(args[0], copy=True) if args else None, others(args, kwargs))
            answered.clear()
            answered.update({other: (arguments, decode(value)) for other, value in answer.get("along", {}).items()})
            return decode(answer["value"])
        trusted.__name__ = trusted.__qualname__ = name
        return trusted

    for name in names:
        namespace[name] = relay(name)
