"""Getting answers out of a learner's kernel as plain data, and checking their shape.

Inside the learner's kernel the grader runs :data:`EXTRACT` once per variable: it
turns the value into JSON (a ``labkit.Cluster`` into its ``to_dict()`` snapshot,
without the log; a labkit planning object -- a storage design, a naming or load plan,
a build plan, Exchange 5.5 site facts -- into its fields tagged with its class, see
:func:`to_plain`) and displays it under a private MIME type. Nothing else crosses
from the kernel to the grader -- no objects, no functions, no files -- and what
crosses is untrusted: :func:`convert` checks it against the question's annotation,
a cluster is rebuilt by the grader's own labkit (:func:`~labkit.grading.rebuild.rebuild_cluster`)
and a planning object built again through its constructors (:mod:`labkit.grading.objects`).

>>> convert("names", {"kind": "value", "data": ["NODE1", "NODE2"]}, list[str])
['NODE1', 'NODE2']
>>> convert("n", {"kind": "value", "data": "3"}, int)
Traceback (most recent call last):
labkit.grading.verdicts.Wrong: `n` should be a whole number (int), not str '3'
"""
from __future__ import annotations

import json

from .plain import to_plain  # also the kernel's JSON hook (EXTRACT imports it from here)
from .verdicts import Wrong

#: The MIME type the extraction displays its JSON under.
MIME = "text/x-labkit-answer"
#: Largest answer accepted (characters of JSON).
MAX_ANSWER_CHARS = 4_000_000
#: Run in the learner's kernel with ``__VARIABLE__`` replaced by the variable's name (a Python
#: string literal). Every import is local, so learner names like ``json`` do not matter.
EXTRACT = r'''
def _labkit_answer_(name):
    import json as _json
    from IPython import get_ipython as _gi
    from IPython.display import display as _display
    try:
        ns = _gi().user_ns
        if name not in ns:
            text = _json.dumps({"kind": "missing"})
        else:
            v = ns[name]
            def enc(x):
                if isinstance(x, (set, frozenset)):
                    return sorted(x, key=repr)
                raise TypeError(f"{type(x).__name__} is not plain data")
            try:
                import labkit
                try:
                    from labkit.grading.answers import to_plain as enc
                except BaseException:
                    pass
                if isinstance(v, labkit.Cluster):
                    d = dict(v.to_dict())
                    d.pop("log", None)
                    text = _json.dumps({"kind": "cluster", "data": d}, default=enc)
                else:
                    text = _json.dumps({"kind": "value", "data": v}, default=enc)
            except BaseException as e:
                why = ("reading it ran past the time limit" if isinstance(e, KeyboardInterrupt)
                       else (type(e).__name__ + ": " + str(e))[:300])
                text = _json.dumps({"kind": "unreadable", "type": str(type(v).__name__)[:80], "error": why})
    except BaseException as e:
        text = '{"kind": "unreadable", "type": "?", "error": "the answer could not be read"}'
    _display({"text/x-labkit-answer": text}, raw=True)
_labkit_answer_(__VARIABLE__)
del _labkit_answer_
'''


def extraction_code(name: str) -> str:
    """The code that hands variable ``name`` to the grader (see :data:`EXTRACT`)."""
    if not name.isidentifier():
        raise ValueError(f"not a variable name: {name!r}")
    return EXTRACT.replace("__VARIABLE__", repr(name))


def decode(text) -> dict:
    """Parse one extraction output; anything malformed reads as unreadable.

    >>> decode('{"kind": "value", "data": 7}')
    {'kind': 'value', 'data': 7}
    >>> decode('[1, 2')["kind"]
    'unreadable'
    """
    if not isinstance(text, str) or len(text) > MAX_ANSWER_CHARS:
        return {"kind": "unreadable", "type": "?", "error": "the answer is too large to grade"}
    try:
        out = json.loads(text)
    except (ValueError, RecursionError):
        return {"kind": "unreadable", "type": "?", "error": "the answer could not be read"}
    if not isinstance(out, dict) or out.get("kind") not in ("missing", "cluster", "value", "unreadable"):
        return {"kind": "unreadable", "type": "?", "error": "the answer could not be read"}
    return out


def encode(value) -> dict:
    """What the kernel's extraction gives for ``value``, computed in this process (for
    tests and for trying checks out): a Cluster becomes its snapshot, anything else a
    JSON round trip.

    >>> encode({"crash", "hang"})
    {'kind': 'value', 'data': ['crash', 'hang']}
    """
    from ..cluster import Cluster

    if isinstance(value, Cluster):
        data = dict(value.to_dict())
        data.pop("log", None)
        return decode(json.dumps({"kind": "cluster", "data": data}, default=to_plain))
    try:
        return decode(json.dumps({"kind": "value", "data": value}, default=to_plain))
    except (TypeError, ValueError) as e:
        return {"kind": "unreadable", "type": type(value).__name__, "error": str(e)}


def _describe(v) -> str:
    s = repr(v)
    return f"{type(v).__name__} {s if len(s) <= 40 else s[:37] + '...'}"


_NAMES = {str: "a string (str)", int: "a whole number (int)", float: "a number (float)",
          bool: "True or False (bool)"}


def check_value(path: str, v, kind):
    """Check plain JSON data ``v`` against annotation ``kind``; return it converted
    (lists to sets/tuples where asked). Raises :class:`Wrong` naming the problem.

    The checking is labkit's one validation layer (:func:`labkit.values.from_annotation`):
    whole numbers fit in 64 bits, numbers are finite, text holds no lone surrogates (a
    grade report must be writable).
    """
    from .. import values as V

    out: list = []
    got = V.from_annotation(kind, transport=True).collect(v, path, out)
    if not out:
        return got
    where, message = out[0]
    at, keys = _py_path(where)
    value = _walk(v, keys)
    if message.startswith("expected ") and ", not " in message:
        wanted = message[len("expected "):].rsplit(", not ", 1)[0]
        raise Wrong(f"`{at}` should be {wanted}, not {_describe(value)}")
    if message.startswith("has the wrong kind of value"):
        raise Wrong(f"`{at}` has the wrong kind of value: {_describe(value)}")
    raise Wrong(f"`{at}` {message}" if message.startswith("should") else f"`{at}`: {message}")


def _py_path(path) -> tuple[str, list]:
    """A problem's path (``(parent, key)`` pairs) as Python spells it: ``x[0]['EXVS1']``."""
    keys = []
    while type(path) is tuple:
        path, key = path
        keys.append(key)
    keys.reverse()
    return str(path) + "".join(f"[{k!r}]" for k in keys), keys


def _walk(v, keys):
    for k in keys:
        try:
            v = v[k]
        except (KeyError, IndexError, TypeError):
            return v
    return v


def convert(name: str, answer: dict, kind):
    """Turn one decoded answer into what the question function receives.

    A ``labkit.Cluster`` annotation gets a cluster rebuilt by the grader from the
    learner's snapshot; other annotations get the checked plain value."""
    from ..cluster import Cluster
    got = answer.get("kind") if isinstance(answer, dict) else None
    if got == "missing":
        raise Wrong(f"`{name}` is not defined")
    if got == "unreadable":
        raise Wrong(f"`{name}` could not be read: it is of type {answer.get('type', '?')} "
                    f"({answer.get('error', 'not plain data')}); answers are labkit clusters or plain "
                    "values (numbers, strings, lists, dicts)")
    if kind is Cluster:
        if got != "cluster":
            raise Wrong(f"`{name}` should be a labkit Cluster, not {_describe(answer.get('data'))}")
        from .rebuild import rebuild_cluster
        return rebuild_cluster(answer.get("data"), name=name)
    if got == "cluster":
        what = kind.__name__ if isinstance(kind, type) and kind not in _NAMES else _NAMES.get(kind, str(kind))
        raise Wrong(f"`{name}` is a Cluster; this question wants {what}")
    if got != "value":
        raise Wrong(f"`{name}` could not be read")
    from .objects import ANSWER_KINDS, from_plain
    if kind in ANSWER_KINDS:
        return from_plain(answer.get("data"), kind, name)
    return check_value(name, answer.get("data"), kind)
