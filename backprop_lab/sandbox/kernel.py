"""A graded submission's kernel, seen from the trusted grader: run cells, ask for plain results.

The kernel runs in the sandbox (bubblewrap.py) unless the instructor grades without isolation. Everything
that comes back from it is treated as untrusted data: outputs are capped in size, results are decoded
without pickle into numbers, strings and numeric arrays only (the format of what crosses is kernel_wire.py's).
"""
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from backprop_lab.sandbox import kernel_wire, bubblewrap
from backprop_lab.judging.answers import KernelFault, StudentError, Unsupported

PROBE_SOURCE = (Path(__file__).with_name("probe.py")).read_text()
RELAY_SOURCE = (Path(__file__).with_name("relay.py")).read_text()
MAX_CELL_OUTPUT = 1 << 20        # characters of text per cell, the rest is cut
INLINE_REQUEST = 64 << 10        # characters of a request sent in the cell's code; larger ones go through a file
START_TIMEOUT = 60
INTERRUPT_GRACE = 5              # seconds a kernel gets to stop after an interrupt before it is killed


@dataclass
class CellRun:
    outputs: list = field(default_factory=list)
    error: str = None  # ename of the student's exception, if the cell raised


def _error_output(ename, evalue):
    import nbformat
    return nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


def fault_output(message):
    return _error_output("GradingStopped", message)


class GradingKernel:
    """One kernel for one submission folder. sandboxed=False runs ipykernel without isolation."""

    def __init__(self, workdir, sandboxed=True, timeout=120):
        self.workdir = str(Path(workdir).resolve())
        self.sandboxed = sandboxed
        self.timeout = timeout
        self.km = self.kc = self._connection_dir = None
        self.start()

    # -- life cycle
    def start(self):
        from jupyter_client import KernelManager
        self._stored = {}  # digest -> array, for the arrays the kernel holds (STORE_MIN and larger)
        self._probe_defined = False
        self._connection_dir = tempfile.mkdtemp(prefix="backprop-lab-kernel-")
        if self.sandboxed:
            bubblewrap.install_kernelspec()
        # Unix sockets in a private folder, sandboxed or not: no TCP port another process could reach.
        self.km = KernelManager(kernel_name=bubblewrap.KERNEL_NAME if self.sandboxed else "python3", transport="ipc",
                                connection_file=os.path.join(self._connection_dir, "kernel.json"),
                                ip=os.path.join(self._connection_dir, "socket"))
        environment = {} if self.sandboxed else {"env": {**os.environ, **bubblewrap.kernel_variables()}}  # else the launcher's
        self.km.start_kernel(cwd=self.workdir, extra_arguments=["--HistoryManager.hist_file=:memory:"], **environment)
        self.kc = self.km.client()
        self.kc.start_channels()
        try:
            self.kc.wait_for_ready(timeout=START_TIMEOUT)
        except RuntimeError as error:
            self.shutdown()
            raise KernelFault(f"the kernel did not start ({error})") from None
        if self.sandboxed:
            bubblewrap.take_back_sockets_folder(self.km.connection_file)

    def shutdown(self):
        if self.kc is not None:
            self.kc.stop_channels()
        if self.km is not None:
            try:
                self.km.shutdown_kernel(now=True)
            except Exception:  # already dead: nothing left to stop
                pass
            self.km.cleanup_resources()
        if self._connection_dir:
            shutil.rmtree(self._connection_dir, ignore_errors=True)
        self.km = self.kc = self._connection_dir = None

    def restart(self):
        self.shutdown()
        self.start()

    @property
    def alive(self):
        return self.km is not None and self.km.is_alive()

    # -- execution
    def _stop(self, why):
        """Stop a kernel that timed out or died. -> the KernelFault to raise"""
        self.shutdown()
        return KernelFault(why)

    def execute(self, code, timeout=None, on_message=None, store_history=True, on_input=None):
        """Run code; pass each iopub message for it to on_message. -> execute_reply content

        on_input: answers the code's input requests (prompt -> reply); without it input() fails.
        Raises KernelFault (after stopping the kernel) on timeout or death.
        """
        import zmq
        timeout = self.timeout if timeout is None else timeout
        msg_id = self.kc.execute(code, store_history=store_history, allow_stdin=on_input is not None,
                                 stop_on_error=False)
        poller = zmq.Poller()
        poller.register(self.kc.iopub_channel.socket, zmq.POLLIN)
        if on_input is not None:
            poller.register(self.kc.stdin_channel.socket, zmq.POLLIN)
        deadline = time.monotonic() + timeout
        interrupted_at = None
        idle = False
        while not idle:
            now = time.monotonic()
            if interrupted_at is None and now > deadline:
                self.km.interrupt_kernel()
                interrupted_at = now
            if interrupted_at is not None and now > interrupted_at + INTERRUPT_GRACE:
                raise self._stop(f"it ran longer than the {timeout:g} s time limit and ignored the interrupt")
            ready = dict(poller.poll(200))
            if on_input is not None and self.kc.stdin_channel.socket in ready:
                request = self.kc.get_stdin_msg(timeout=0)
                if request["parent_header"].get("msg_id") == msg_id and request["msg_type"] == "input_request":
                    self.kc.input(on_input(str(request["content"].get("prompt", ""))))
            if self.kc.iopub_channel.socket not in ready:
                if not self.km.is_alive():
                    raise self._stop("the kernel died (os._exit, a crash, or a memory or CPU limit)") from None
                continue
            try:
                message = self.kc.get_iopub_msg(timeout=0)
            except Exception:  # queue.Empty: a partial message
                continue
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
                idle = True
            elif on_message is not None:
                on_message(message)
        # This request's reply: a stale one (a 2nd kernel_info reply) would shift every later reply.
        reply_deadline = time.monotonic() + INTERRUPT_GRACE
        while True:
            try:
                reply = self.kc.get_shell_msg(timeout=max(0.0, reply_deadline - time.monotonic()))
            except Exception:
                raise self._stop("the kernel stopped answering") from None
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        if interrupted_at is not None:
            return {"status": "error", "ename": "TimeoutError",
                    "evalue": f"stopped after the {timeout:g} s time limit"}
        return reply["content"]

    def run_cell(self, source, timeout=None):
        """Run a notebook cell. -> CellRun with its outputs (text capped)."""
        import nbformat
        run = CellRun()
        budget = [MAX_CELL_OUTPUT]

        def collect(message):
            kind = message["msg_type"]
            if kind == "clear_output":
                run.outputs.clear()
                return
            if kind not in ("stream", "display_data", "execute_result", "error"):
                return
            size = len(json.dumps(message["content"]))
            if size > budget[0]:
                if budget[0] > 0:
                    run.outputs.append(nbformat.v4.new_output(
                        "stream", name="stdout", text="\n[output cut: more than 1 MB]\n"))
                budget[0] = 0
                return
            budget[0] -= size
            run.outputs.append(nbformat.v4.output_from_msg(message))

        reply = self.execute(source, timeout, collect)
        if reply.get("status") == "error":
            run.error = reply.get("ename", "Error")
            if not any(o.output_type == "error" for o in run.outputs):
                run.outputs.append(_error_output(run.error, reply.get("evalue", "")))
        return run

    def _request(self, request, timeout=None):
        request_json = json.dumps(dict(request, mime=kernel_wire.RESULT_MIME))
        if len(request_json) <= INLINE_REQUEST:
            call = f"_backprop_lab_probe(globals(), {request_json!r})\n"
        else:  # inputs of several MB would make a slow cell to parse: a file in the kernel's socket folder
            request_file = os.path.join(self._connection_dir, "request.json")
            with open(request_file, "w") as handle:
                handle.write(request_json)
            call = (f"with open({request_file!r}) as _backprop_lab_request:\n"
                    "    _backprop_lab_probe(globals(), _backprop_lab_request.read())\n"
                    "del _backprop_lab_request\n")
        replies = []

        def collect(message):
            data = message["content"].get("data", {}) if message["msg_type"] == "display_data" else {}
            if kernel_wire.RESULT_MIME in data:
                replies.append(data[kernel_wire.RESULT_MIME])

        # The probe is defined once per kernel; the notebook's code may remove or change it, which
        # can only change its own answers: with no answer, it is defined again and asked once more.
        for defined in ([True, False] if self._probe_defined else [False]):
            self.execute(("" if defined else PROBE_SOURCE + "\n") + call, timeout, collect, store_history=False)
            self._probe_defined = True
            if replies:
                break
        return kernel_wire.read_reply(replies)

    def resolve(self, name):
        """The student's variable: a KernelFunction if it is callable, else its plain value."""
        reply = self._request({"kind": "resolve", "name": name})
        if reply.get("callable"):
            return KernelFunction(self, name)
        return reply["value"]

    def _by_digest(self, value):
        """value, or a Stored name for it once the kernel holds it: the training set crosses once."""
        if not (isinstance(value, np.ndarray) and value.nbytes >= kernel_wire.STORE_MIN):
            return value
        digest = kernel_wire.digest(value)
        if digest not in self._stored:
            self._request({"kind": "store", "digest": digest, "value": kernel_wire.encode(value)})
            self._stored[digest] = value
        return kernel_wire.Stored(digest)

    def call(self, name, args, kwargs, timeout=None):
        """name(*args, **kwargs) in the kernel. -> (result, the args as the function left them;
        None for an argument it did not change)"""
        args = [self._by_digest(arg) for arg in args]
        kwargs = {key: self._by_digest(value) for key, value in kwargs.items()}
        reply = self._request({"kind": "call", "name": name, "args": kernel_wire.encode(args),
                               "kwargs": kernel_wire.encode(kwargs)}, timeout)
        return reply["value"], reply.get("args") or []

    def rerun(self, source, trusted, result_name, known=(), timeout=None):
        """Run source (a student's cell) again with the names in trusted bound to functions that
        call trusted[name] here, in the grader, and return the value it binds to result_name.

        known: arrays the grader holds (the training set); the relay names an argument with the
        same numbers by its digest instead of sending it. The names and result_name get their
        values back afterwards. Raises StudentError when the re-run does not bind result_name."""
        handles = {}
        known = {**self._stored, **{kernel_wire.digest(array): array for array in known}}

        def answer(prompt):
            return kernel_wire.answer_relay(prompt, trusted, handles, known)

        names = sorted(trusted)
        keep = names + [result_name]
        self.execute(f"{RELAY_SOURCE}\n_backprop_lab_kept = {{name: globals().pop(name) for name in {keep!r} "
                     "if name in globals()}\n"
                     f"_backprop_lab_relay(globals(), {names!r}, {kernel_wire.RELAY_MARKER!r}, {sorted(known)!r}, "
                     f"{kernel_wire.STORE_MIN})\n"
                     "del _backprop_lab_relay\n",
                     store_history=False)
        try:
            reply = self.execute(source, timeout, store_history=False, on_input=answer)
            try:
                return self.resolve(result_name)
            except StudentError as error:
                raise StudentError(f"{error} ({reply.get('ename', 'no error')}: {reply.get('evalue', '')})"
                                   if reply.get("status") == "error" else str(error)) from None
        finally:
            if self.alive:
                self.execute(f"for _backprop_lab_name in {keep!r}:\n    globals().pop(_backprop_lab_name, None)\n"
                             "globals().update(_backprop_lab_kept)\ndel _backprop_lab_kept, _backprop_lab_name\n",
                             store_history=False)


class KernelFunction:
    """A student's function, called in their kernel: behaves like the function for the checks.

    Array arguments the function modified in the kernel are modified here too, so that the
    checks can tell a function that writes into its inputs.
    """

    def __init__(self, kernel, name):
        self.kernel, self.name = kernel, name

    def __call__(self, *args, **kwargs):
        result, after = self.kernel.call(self.name, args, kwargs)
        for original, changed in zip(args, after):
            if isinstance(original, np.ndarray) and isinstance(changed, np.ndarray) \
                    and changed.shape == original.shape:
                original[...] = changed
        if isinstance(result, Unsupported):
            raise StudentError(f"{self.name} returned a {result.type_name}, which is not a number or an array")
        return result

    def __repr__(self):
        return f"<{self.name} in the graded kernel>"
