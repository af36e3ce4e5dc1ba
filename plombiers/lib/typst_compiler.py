"""Typst, safe across `fork()`: every PDF of the project is compiled through this module.

The `typst` wheel lays out and writes PDFs on a pool of native threads (Rayon's global pool),
started by the first compile of a process. `fork()` copies only the thread that called it: in a
child forked after a compile the pool's threads are gone, and the child's next compile — with the
parent's compiler or with a new one — waits for them forever. A web server that forks its workers
from a master that had rendered a PDF, or any process that compiles then forks, hangs on the next
PDF (issue 18).

So a process that inherited a started pool never calls Typst itself: it hands its documents to a
helper process of its own, started on first need with `fork` + `exec` (a fresh interpreter, no
inherited pool) and kept for the rest of the process's life (compilers, fonts and Typst's memo stay
warm there). A process that never inherited a pool — a web worker forked by a master that never
rendered anything, the task worker, a command — compiles in its own threads, as fast as before.
Which path a process takes is decided by `os.register_at_fork`, not by luck.

`Compiler` and `compile` take the arguments of `typst.Compiler` and `typst.compile` (paths as
strings; `input` a path or the template's bytes) and return the PDF's bytes.
"""

import base64
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import typst

PACKAGE_PARENT = Path(__file__).resolve().parents[2]  # the folder that holds `plombiers/`


class _State:
    pool_started = False  # this process has called into Typst: its thread pool may be running
    inherited = False  # this process was forked from one whose pool may have been running


_state = _State()


def _after_fork_in_child() -> None:
    _state.inherited = _state.inherited or _state.pool_started
    _helper.process = None  # the parent's helper and pipes are the parent's


def compiles_in_process() -> bool:
    """False in a process forked after a compile: its PDFs go through the helper process."""
    return not _state.inherited


class Compiler:
    """`typst.Compiler`, kept between documents (fonts, parsed sources, Typst's memo)."""

    def __init__(self, input: str | bytes | None = None, **options):
        self.input, self.options = input, options
        self._native, self._pid = None, None

    def compile(self, **arguments) -> bytes:
        if _state.inherited:
            return _helper.compile(self.input, arguments, options=self.options)
        if self._native is None or self._pid != os.getpid():
            _state.pool_started = True
            self._native, self._pid = typst.Compiler(self.input, **self.options), os.getpid()
        return self._native.compile(**arguments)


def compile(input: str | bytes, **arguments) -> bytes:
    """`typst.compile`: one document, nothing kept."""
    if _state.inherited:
        return _helper.compile(input, arguments)
    _state.pool_started = True
    return typst.compile(input, **arguments)


# --- the helper process ------------------------------------------------------------------------
#
# One request a line of JSON on the helper's standard input; the answer on its standard output: a
# line of JSON {"ok", "size"} then `size` bytes, the PDF or the error's message.


def _encode(input: str | bytes | None):
    return {"bytes": base64.b64encode(input).decode()} if isinstance(input, bytes) else input


def _decode(input):
    return base64.b64decode(input["bytes"]) if isinstance(input, dict) else input


class _Helper:
    def __init__(self):
        self.process: subprocess.Popen | None = None
        self.lock = threading.Lock()

    def _start(self) -> subprocess.Popen:
        path = os.pathsep.join(p for p in (str(PACKAGE_PARENT), os.environ.get("PYTHONPATH")) if p)
        return subprocess.Popen(
            [sys.executable, "-m", "plombiers.lib.typst_compiler"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": path},
        )

    def compile(self, input, arguments: dict, options: dict | None = None) -> bytes:
        request = json.dumps(
            {"input": _encode(input), "options": options, "arguments": arguments}, default=str
        ).encode()
        with self.lock:
            if self.process is None or self.process.poll() is not None:
                self.process = self._start()
            try:
                self.process.stdin.write(request + b"\n")
                self.process.stdin.flush()
                header = json.loads(self.process.stdout.readline() or b"null")
                body = self.process.stdout.read(header["size"]) if header else b""
                if header and len(body) != header["size"]:
                    header = None
            except (OSError, ValueError, TypeError) as error:
                header = None
                reason = error
            else:
                reason = "le processus de rendu s'est arrêté"
            if header is None:
                self.process.kill()
                self.process = None
                raise RuntimeError(f"Rendu Typst impossible : {reason}.")
        if not header["ok"]:
            raise typst.TypstError(body.decode(errors="replace"))
        return body


_helper = _Helper()
os.register_at_fork(after_in_child=_after_fork_in_child)


def _serve() -> None:  # pragma: no cover — runs in the helper process
    answers = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but answers on the pipe
    compilers: dict[str, typst.Compiler] = {}
    for line in sys.stdin.buffer:
        request = json.loads(line)
        try:
            input, options = _decode(request["input"]), request["options"]
            if options is None:
                result = typst.compile(input, **request["arguments"])
            else:
                key = json.dumps([request["input"], options], sort_keys=True)
                if key not in compilers:
                    compilers[key] = typst.Compiler(input, **options)
                result = compilers[key].compile(**request["arguments"])
            if not isinstance(result, bytes):
                raise TypeError("seul un document en un fichier (PDF) passe par le processus de rendu")
            header = {"ok": True, "size": len(result)}
        except Exception as error:
            result = str(error).encode()
            header = {"ok": False, "size": len(result)}
        answers.write(json.dumps(header).encode() + b"\n")
        answers.write(result)
        answers.flush()


if __name__ == "__main__":
    _serve()
