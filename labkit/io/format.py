"""The cluster file's frame: what it is, its version and limits, and how problems are told.

Every other part of :mod:`labkit.io` shares these: the first and last lines of a file
(:data:`FORMAT`, :data:`END`), the schema version, the largest file labkit reads, the
:class:`Problems` a check collects and the one :class:`~labkit.errors.FileFormatError` they
become (:func:`file_error`), and the plug-in packages imported when a file names something
labkit does not know yet.

>>> print(file_error("lab.yaml", [("nodes.N1.id", "expected a whole number, not 'one'")]).detail)
lab.yaml: nodes.N1.id: expected a whole number, not 'one'
"""
from __future__ import annotations

import gc
import importlib
from pathlib import Path

from .. import values as V
from ..errors import FileFormatError, ValidationError
from ..hooks import plugin_packages
from ..values import show as _show


class NoGC:
    """No cyclic garbage collection while a file is read or written: the millions of small
    dicts and lists it makes hold no cycles, and Python's collector, run again and again over
    a growing heap, would make the cost grow faster than the file (measured: 1.5x per
    resource at 9,000 resources)."""

    def __enter__(self):
        self.was = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc):
        if self.was:
            gc.enable()


def lazy_path(base, key):
    """The path of ``key`` in ``base``, built lazily (rendered only if a problem is shown)."""
    return (base, key)


#: The first line of every cluster file's data: what it is.
FORMAT = "labkit cluster file"
#: The schema version this labkit writes and reads (docs/cluster-file.md).
VERSION = 1
#: The last key of every file; a file without it was cut short.
END = FORMAT
RULE = f"a cluster file follows the labkit cluster file schema, version {VERSION}"
SOURCE = "docs/cluster-file.md"
#: The largest cluster file labkit reads: a bound on hostile input well above any real cluster (the
#: 64-node, 9,000-resource cluster is about 14 MB; the simulation-only 128-node, 36,000-resource
#: one of the benchmark about 90 MB).
MAX_FILE_BYTES = 256 * 2 ** 20

def import_plugins() -> None:
    """Import the plug-ins (:func:`labkit.hooks.plugin_packages`): done only when a file
    names a resource type, job or extension labkit does not know yet."""
    for pkg in plugin_packages():
        importlib.import_module(pkg)


# ============================================================================== problems
class Problems:
    def __init__(self):
        self.items: list[tuple[str, str]] = []

    def add(self, path: str, message: str) -> None:
        self.items.append((path, message))

    def raise_if_any(self, origin: str) -> None:
        if self.items:
            raise file_error(origin, self.items)


def file_error(origin: str, problems: list[tuple[str, str]]) -> FileFormatError:
    """A :class:`FileFormatError` listing ``problems`` (``(path, message)``), one a line;
    the list is also in its ``problems`` attribute as ``"path: message"`` strings."""
    lines = [f"{p}: {m}" if p else m for p, m in ((V.render(p), m) for p, m in problems)]
    n = len(lines)
    text = lines[0] if n == 1 else f"{n} problems\n" + "\n".join("  " + s for s in lines)
    err = FileFormatError(f"{origin}: {text}", rule=RULE, source=SOURCE)
    err.problems = lines
    err.origin = origin
    return err


def fatal(origin: str, message: str) -> FileFormatError:
    return file_error(origin, [("", message)])


#: The cluster file's formats by the names (and file name suffixes) that choose them.
FORMAT_NAMES = {"yaml": "yaml", "yml": "yaml", "json": "json"}


def format_name(fmt, path: Path | None = None) -> str:
    """The format, "yaml" or "json", that ``fmt`` names ("yaml", "yml" or "json", any case,
    with or without the dot) or, when ``fmt`` is None and a ``path`` is given, that the
    path's suffix names (the file writer's choice).

    >>> format_name(".YML"), format_name(None, Path("lab.json"))
    ('yaml', 'json')
    """
    if fmt is None and path is not None:
        got = FORMAT_NAMES.get(path.suffix.lower().lstrip("."))
        if got is None:
            raise ValidationError(f"{path}: a cluster file's name ends in .yaml, .yml or .json",
                                  rule="cluster files are YAML or JSON")
        return got
    f = str.lstrip(str.lower(fmt), ".") if isinstance(fmt, str) else None
    if f in FORMAT_NAMES:
        return FORMAT_NAMES[f]
    raise ValidationError(f"cluster files are 'yaml' or 'json', not {_show(fmt)}",
                          rule="cluster files are YAML or JSON")
