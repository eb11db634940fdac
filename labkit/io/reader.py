"""Reading a cluster file: bounded reads, YAML or JSON, and the fast path for labkit's layout.

:func:`load` reads a regular file of at most :data:`~labkit.io.format.MAX_FILE_BYTES`
(:func:`read_bounded`: a link to ``/dev/zero`` is refused, not read for ever); :func:`loads`
parses the text -- a file laid out as labkit writes it with the C JSON parser
(:func:`fast_yaml`, linear in the file), any other YAML with PyYAML (no aliases, no duplicate
keys), JSON with :mod:`json` -- and hands the data to :func:`labkit.io.builder.from_data`.

>>> import labkit as lk
>>> c = lk.Cluster("LAB"); _ = c.add_node("N1")
>>> from labkit.io.writer import dumps
>>> loads(dumps(c)).to_dict() == c.to_dict()
True
"""
from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

from .. import values as V
from ..cluster.cluster import Cluster
from ..errors import ValidationError
from ..values import show as _show
from .builder import from_data
from .format import END, FORMAT, MAX_FILE_BYTES, NoGC, Problems, fatal, format_name
from .writer import plain_key_ok


def loads(text, format: str | None = None, *, origin: str = "cluster file") -> Cluster:
    """Build a cluster from a cluster file's text (YAML, or JSON when it starts with
    ``{`` or ``format="json"``). Raises one :class:`FileFormatError` listing every problem."""
    if isinstance(text, (bytes, bytearray)):
        if len(text) > MAX_FILE_BYTES:
            raise fatal(origin, f"{len(text):,} bytes; a cluster file holds at most {MAX_FILE_BYTES:,}")
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as e:
            raise fatal(origin, f"not a text file: byte {e.start} (0x{text[e.start]:02x}) is not UTF-8; the file "
                                 "is corrupt or not a cluster file") from None
    if not isinstance(text, str):
        raise ValidationError(f"loads() takes the file's text, not {_show(text)}", rule="cluster files are text")
    if len(text) > MAX_FILE_BYTES:
        raise fatal(origin, f"{len(text):,} characters; a cluster file holds at most {MAX_FILE_BYTES:,} bytes")
    if "\x00" in text:
        raise fatal(origin, "the file holds NUL bytes: it is corrupt or not a cluster file")
    if V.SURROGATE.search(text):
        raise fatal(origin, "the text holds a lone surrogate (\\ud800-\\udfff): it is not UTF-8 text")
    fmt = format_name(format) if format is not None else ("json" if text.lstrip()[:1] in ("{", "[") else "yaml")
    probs = Problems()
    with NoGC():
        data = parse_json(text, origin) if fmt == "json" else parse_yaml(text, origin, probs)
        return from_data(data, origin=origin, _problems=probs)


def read_bounded(path, limit: int = MAX_FILE_BYTES, what: str = "cluster file") -> bytes:
    """The bytes of the regular file ``path``, refusing -- before reading -- a device, a
    FIFO, a folder or a file over ``limit`` bytes (a ``.yaml`` that is a link to
    ``/dev/zero`` is refused, not read for ever). Raises :class:`FileFormatError`."""
    p = str(path)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise fatal(p, "no such file") from None
    except OSError as e:
        raise fatal(p, f"cannot read it: {e.strerror or e}") from None
    if stat.S_ISDIR(st.st_mode):
        raise fatal(p, f"is a folder, not a {what}")
    if not stat.S_ISREG(st.st_mode):
        raise fatal(p, f"is not a regular file (a device, a pipe or a socket), so it cannot be a {what}")
    if st.st_size > limit:
        raise fatal(p, f"{st.st_size:,} bytes; a {what} holds at most {limit:,}")
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as e:
        raise fatal(p, f"cannot read it: {e.strerror or e}") from None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):   # replaced since the check
            raise fatal(p, f"is not a regular file, so it cannot be a {what}")
        try:
            raw = fh.read(limit + 1)
        except OSError as e:
            raise fatal(p, f"cannot read it: {e.strerror or e}") from None
    if len(raw) > limit:
        raise fatal(p, f"more than {limit:,} bytes; a {what} holds at most {limit:,}")
    return raw


def load(path) -> Cluster:
    """Load the cluster saved in ``path`` (``.yaml``, ``.yml`` or ``.json``)."""
    if not isinstance(path, (str, os.PathLike)):
        raise ValidationError(f"load a file name, not {_show(path)}", rule="cluster files are files")
    p = Path(path)
    raw = read_bounded(p)
    fmt = "json" if p.suffix.lower() == ".json" else None
    return loads(raw, fmt, origin=str(p))


def parse_json(text: str, origin: str):
    def pairs(items):
        out, dup = {}, []
        for k, v in items:
            if k in out:
                dup.append(k)
            out[k] = v
        if dup:
            raise ValueError(f"the key {_show(dup[0])} appears twice in one object")
        return out

    def constant(name):
        raise ValueError(f"{name} is not a number a cluster file may hold")

    try:
        return json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except json.JSONDecodeError as e:
        end = e.pos >= len(text.rstrip())
        raise fatal(origin, f"line {e.lineno}, column {e.colno}: " +
                     ("the JSON ends early: the file is truncated" if end else f"not valid JSON ({e.msg})")) from None
    except ValueError as e:   # also: an integer of more than 4,300 digits
        raise fatal(origin, f"not a valid cluster file: {e}") from None
    except RecursionError:
        raise fatal(origin, "the JSON is nested too deeply to be a cluster file") from None


_YAML_FLOAT = re.compile(r"[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+][0-9]+)?\Z")
#: text a JSON reader and a YAML 1.1 reader would not read alike: characters YAML does not
#: allow or reads as line breaks, escaped surrogates
_NOT_FAST = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|\u2028|\u2029"
                       r"|\\u[dD][89abAB]")


class _NotFast(Exception):
    pass


def fast_yaml(text: str):
    """The data of a YAML file laid out as labkit writes it (:func:`labkit.io.writer.dumps`), read with
    the C JSON parser; None for any other layout (then PyYAML reads it). What it returns is
    exactly what a YAML 1.1 reader gives: only lines whose values are JSON that YAML reads
    alike are taken (floats with a '.', no characters YAML reads differently)."""
    if (not text.isascii() or "\\u" in text) and _NOT_FAST.search(text):
        return None
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    i = 0
    while i < len(lines) and lines[i].startswith("#"):
        i += 1
    parts: list[str] = []          # the JSON text of the whole document, built section by section
    n = len(lines)
    try:
        while i < n:
            line = lines[i]
            if line == f"format: {FORMAT}":
                parts.append(f'"format": {json.dumps(FORMAT)}')
                i += 1
                continue
            if line == f"end: {END}":
                parts.append(f'"end": {json.dumps(END)}')
                i += 1
                continue
            key, rest = _fast_key(line, 0)
            if rest:                                   # key: value
                parts.append(f"{json.dumps(key)}: {rest}")
                i += 1
                continue
            i += 1
            if i < n and lines[i].startswith("- "):   # a sequence at the same indentation (the log)
                j = i
                while j < n and lines[j].startswith("- "):
                    j += 1
                parts.append(f"{json.dumps(key)}: [" + ",".join(x[2:] for x in lines[i:j]) + "]")
                i = j
                continue
            members = []
            while i < n and lines[i].startswith("  ") and not lines[i].startswith("  - "):
                k, v = _fast_key(lines[i], 2)
                i += 1
                if not v and i < n and lines[i].startswith("  - "):   # queue.jobs
                    j = i
                    while j < n and lines[j].startswith("  - "):
                        j += 1
                    v = "[" + ",".join(x[4:] for x in lines[i:j]) + "]"
                    i = j
                elif not v:
                    raise _NotFast
                members.append(f"{json.dumps(k)}: {v}")
            if not members:
                raise _NotFast
            parts.append(f"{json.dumps(key)}: {{" + ",".join(members) + "}")
        return json.loads("{" + ",".join(parts) + "}", object_pairs_hook=_unique_pairs, parse_float=_yaml_float_text,
                          parse_constant=_no_constant)
    except (_NotFast, ValueError, RecursionError):
        return None


def _fast_key(line: str, indent: int) -> tuple[str, str]:
    """``(key, value text)`` of a ``key: value`` line indented by ``indent`` (value "" for
    ``key:``); the key plain (as labkit writes plain keys) or a JSON string."""
    if line[indent:indent + 1] == " ":
        raise _NotFast
    if line[indent:indent + 1] == '"':
        key, end = json.JSONDecoder().raw_decode(line, indent)
        tail = line[end:]
    else:
        k, sep, tail = line[indent:].partition(":")
        if not sep or not plain_key_ok(k):
            raise _NotFast
        key, tail = k, tail
    if tail == ":" or tail == "":
        if tail == ":" or line.endswith(":"):
            return key, ""
        raise _NotFast
    if tail.startswith(": "):
        tail = tail[2:]
    elif tail.startswith(" "):
        tail = tail[1:]
    else:
        raise _NotFast
    if not tail or tail[0] in " #" or tail[0] not in '{["-0123456789tfn':
        raise _NotFast
    return key, tail


def _unique_pairs(items):
    out = dict(items)
    if len(out) != len(items):
        raise _NotFast          # a key twice: PyYAML reports it with its line
    return out


def _yaml_float_text(text: str) -> float:
    if not _YAML_FLOAT.match(text):
        raise _NotFast          # YAML 1.1 would read it as text
    return float(text)


def _no_constant(name):
    raise _NotFast


def parse_yaml(text: str, origin: str, probs: Problems):
    fast = fast_yaml(text)
    if fast is not None:
        return fast
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):
        def construct_object(self, node, deep=False):
            if node in self.constructed_objects:
                raise yaml.constructor.ConstructorError(
                    None, None, "aliases (*name) are not allowed in a cluster file", node.start_mark)
            return super().construct_object(node, deep)

        def construct_mapping(self, node, deep=False):
            seen = set()
            for key_node, _ in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
                if key in seen:
                    probs.add("", f"line {key_node.start_mark.line + 1}: the key {_show(key)} appears twice")
                seen.add(key)
            return super().construct_mapping(node, deep)

        def construct_yaml_int(self, node):
            if len(node.value) > 40:     # far outside 64 bits: refused later, not converted
                raise yaml.constructor.ConstructorError(
                    None, None, f"the number {node.value[:20]}... is far too large for a cluster file",
                    node.start_mark)
            return super().construct_yaml_int(node)

    Loader.add_constructor("tag:yaml.org,2002:int", Loader.construct_yaml_int)
    try:
        return yaml.load(text, Loader=Loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        end = mark is not None and mark.index >= len(text.rstrip()) - 1
        what = " ".join(str(x) for x in (e.context, e.problem) if x)
        raise fatal(origin, where + ("the YAML ends early: the file is truncated" if end and "end" in what
                                      else f"not valid YAML ({what})")) from None
    except yaml.YAMLError as e:
        raise fatal(origin, f"not valid YAML ({e})") from None
    except RecursionError:
        raise fatal(origin, "the YAML is nested too deeply to be a cluster file") from None
    except (ValueError, OverflowError) as e:   # a malformed scalar the constructor could not convert
        raise fatal(origin, f"not a valid cluster file: {e}") from None
