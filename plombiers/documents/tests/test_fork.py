"""A process forked after a Typst compile still renders PDFs (issue 18).

Typst runs on a pool of native threads started by the first compile; `fork()` keeps only the
calling thread, and before `plombiers.lib.typst_compiler` a child's next compile waited for the
missing threads forever — a web server forking its workers after a PDF hung on the next one.
"""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from plombiers.documents import services
from plombiers.lib import typst_compiler

CHILD_SECONDS = 60  # a bound, not a measure: a child that is not done by then is stuck


def _in_child(work) -> bytes:
    """Run `work()` in a forked child; its bytes come back through a pipe. The child is killed,
    and the test fails, if it has not finished within CHILD_SECONDS."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: no pytest teardown, no database connection closed
        os.close(read)
        try:
            os.write(write, work())
        finally:
            os._exit(0)
    os.close(write)
    deadline = time.monotonic() + CHILD_SECONDS
    while (done := os.waitpid(pid, os.WNOHANG))[0] == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    if done[0] == 0:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(read)
        raise AssertionError(f"le processus enfant n'a pas fini son PDF en {CHILD_SECONDS} s : bloqué")
    chunks = []
    while chunk := os.read(read, 65536):
        chunks.append(chunk)
    os.close(read)
    return b"".join(chunks)


def test_a_child_forked_after_a_compile_compiles(course, frozen):
    loaded = services.CohortData.load(course.cohort)
    data = services._completion_data(loaded, [course.ines])  # read here: the child uses no database
    assert services.render("certificat.typ", data).startswith(b"%PDF-")  # the pool runs in this process

    def child() -> bytes:
        pdfs = [services.render("certificat.typ", data) for _ in range(3)]
        pdfs.append(typst_compiler.compile(b"= Bonjour", format="pdf"))
        way = b" par le processus de rendu" if not typst_compiler.compiles_in_process() else b" ici"
        return b"".join(b"ok" if pdf.startswith(b"%PDF-") else b"KO" for pdf in pdfs) + way

    assert _in_child(child) == b"ok" * 4 + b" par le processus de rendu"
    # The parent keeps compiling in its own threads.
    assert typst_compiler.compiles_in_process()
    assert services.render("certificat.typ", data).startswith(b"%PDF-")


def test_a_fresh_process_compiles_in_its_own_threads():
    """The helper is for children of a compiling process only: a process started with exec (a web
    worker's master never compiles, the task worker, a command) has no pool to inherit."""
    code = (
        "from plombiers.lib import typst_compiler as t; "
        "assert t.compiles_in_process(); print(t.compile(b'= A', format='pdf')[:5])"
    )
    output = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], capture_output=True, check=True, cwd=Path(__file__).parents[3]
    )
    assert output.stdout.strip() == b"b'%PDF-'"


def test_typst_errors_come_back_from_the_helper(course):
    typst_compiler.compile(b"= A", format="pdf")

    def child() -> bytes:
        try:
            typst_compiler.compile(b"#let", format="pdf")
        except Exception as error:
            return type(error).__name__.encode()
        return b"no error"

    assert _in_child(child) == b"TypstError"


def test_typst_is_called_through_the_fork_safe_module_only():
    """Every compile goes through plombiers.lib.typst_compiler: a module importing `typst` itself
    would compile in a forked child and hang."""
    root = Path(__file__).parents[2]
    direct = re.compile(r"^\s*(import typst\b|from typst\b)", re.MULTILINE)
    offenders = {
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if direct.search(path.read_text(encoding="utf-8"))
    }
    # The benchmark reads the fonts' files out of the wheel, never compiles with it.
    assert offenders == {"lib/typst_compiler.py", "bench/documents.py"}
