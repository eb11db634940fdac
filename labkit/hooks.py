"""Hooks a lower layer offers and a higher layer fills, so that nothing below the views
imports them (docs/architecture.md, the layers).

- Rich display: a model object's ``_repr_html_`` asks :func:`html` for its kind
  ("cluster", "node", "procedure report"...); the top layer (``labkit/__init__.py``)
  has registered, by name only, the view function that draws it.
- Late names: a package may offer a name that a higher layer provides, such as
  ``labkit.views.exchange_diagrams`` (drawn by :mod:`labkit.views.exchange_diagrams`):
  the package's ``__getattr__`` asks :func:`provided`.

Targets are ``"module"`` or ``"module:attribute"`` strings, imported on first use, so
``import labkit`` stays lean.

>>> register_html("example", "labkit.text:duration")
>>> html("example", 90)
'90 s'
>>> html("nothing registered", 90) is None
True
"""
from __future__ import annotations

from importlib import import_module

_HTML: dict[str, str] = {}
_LATE: dict[tuple[str, str], str] = {}


def _load(target: str):
    module, _, attr = target.partition(":")
    got = import_module(module)
    return getattr(got, attr) if attr else got


def register_html(kind: str, target: str) -> None:
    """``target`` (``"module:function"``) draws objects of ``kind`` as HTML."""
    _HTML[kind] = target


def html(kind: str, obj) -> str | None:
    """The HTML of ``obj`` drawn by the view registered for ``kind``; None (Jupyter then
    shows the plain text) when no view is registered."""
    target = _HTML.get(kind)
    return None if target is None else _load(target)(obj)


def provide(package: str, name: str, target: str) -> None:
    """``package.name`` is ``target``, a module or ``"module:attribute"`` of a higher layer."""
    _LATE[(package, name)] = target


def provided(package: str, name: str):
    """What a higher layer provides as ``package.name``; AttributeError when nothing does."""
    target = _LATE.get((package, name))
    if target is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    return _load(target)
