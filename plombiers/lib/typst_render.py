"""Typst documents compiled in-process, fast: one compiler per template and thread.

Generic (no domain): a folder of `.typ` templates and a dict of data in, PDF bytes out. The
compiler keeps the parsed sources, the fonts and Typst's memo between documents. Data goes in as
one JSON file, `/data.json` in the compiler's own root (a private temporary folder holding a copy
of the templates), rewritten before each document and read with `json("/data.json")`: never pasted
into the markup, so nothing a person typed can change a document. Not through `sys.inputs`: new
inputs make a new standard library, and Typst then reuses nothing of the previous document (eval,
layout); with the file, only what depends on what changed is redone.
"""

import json
import os
import shutil
import tempfile
import threading
import weakref
from pathlib import Path

from . import typst_compiler as typst

_renderers = threading.local()


class Renderer:
    """One template's compiler, with a root of its own: a temporary folder holding a copy of the
    templates and the data file of the document being compiled. Used by one thread only."""

    def __init__(self, templates: Path, template: str):
        self.pid = os.getpid()
        self.root = Path(tempfile.mkdtemp(prefix="plombiers-typst-"))
        for source in templates.glob("*.typ"):
            shutil.copyfile(source, self.root / source.name)
        self.main = self.root / template
        # Kept open and rewritten in place: reopening a file to truncate it costs far more.
        self.data = os.open(self.root / "data.json", os.O_RDWR | os.O_CREAT, 0o600)
        weakref.finalize(self, _remove, self.data, self.root, self.pid)
        self.compiler = typst.Compiler(
            str(self.main),
            root=str(self.root),
            ignore_system_fonts=True,  # the same fonts everywhere: those Typst embeds
        )

    def compile(self, data: dict) -> bytes:
        content = memoryview(json.dumps(data, ensure_ascii=False).encode())
        os.lseek(self.data, 0, os.SEEK_SET)
        while content:
            content = content[os.write(self.data, content) :]
        os.ftruncate(self.data, os.lseek(self.data, 0, os.SEEK_CUR))
        return self.compiler.compile(format="pdf")


def _remove(descriptor: int, root: Path, pid: int) -> None:
    os.close(descriptor)
    if os.getpid() == pid:  # not from a forked child: the folder is its parent's
        shutil.rmtree(root, ignore_errors=True)


def _renderer(templates: Path, template: str) -> Renderer:
    """One compiler per template and thread: fonts, parsed sources and Typst's memo are kept from
    one document to the next, and a compiler is never used by two threads at the same time."""
    renderers = getattr(_renderers, "by_template", None)
    if renderers is None:
        renderers = _renderers.by_template = {}
    renderer = renderers.get((templates, template))
    if (
        renderer is None
        or renderer.pid != os.getpid()  # a forked process never shares its parent's data file
        or not renderer.main.exists()  # a /tmp cleaner may have removed it
    ):
        renderer = renderers[(templates, template)] = Renderer(templates, template)
    return renderer


def render(templates: Path, template: str, data: dict) -> bytes:
    """Compile `template` of the folder `templates` with its data (a dict of strings, lists and
    booleans)."""
    return _renderer(templates, template).compile(data)
