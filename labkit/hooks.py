"""Hooks a lower layer offers and a higher layer fills, so that nothing below the views
imports them (docs/architecture.md, the layers).

- Rich display: a model object's ``_repr_html_`` asks :func:`html` for its kind
  ("cluster", "node", "procedure report"...); the top layer (``labkit/__init__.py``)
  has registered, by name only, the view function that draws it.
- Plug-ins: the packages that register resource types, job handlers and extension
  loaders when imported (:func:`register_plugin`); the cluster core and the file loader
  import them only when a cluster names something they do not know yet, and never name
  them themselves.
- Late names: a package may offer a name that a higher layer provides, such as
  ``labkit.exchange.diagrams`` (drawn by :mod:`labkit.views.exchange_diagrams`):
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

from .errors import ConfigurationError

_HTML: dict[str, str] = {}
_LATE: dict[tuple[str, str], str] = {}
_PLUGINS: dict[str, tuple[str, ...]] = {}


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


def register_plugin(package: str, extensions: tuple[str, ...] = ()) -> None:
    """``package`` registers what it adds to a cluster when it is imported; it keeps its
    state in ``cluster.extensions`` under the names ``extensions`` (each name one plug-in's)."""
    taken = {name: p for p, names in _PLUGINS.items() if p != package for name in names}
    for name in extensions:
        if name in taken:
            raise ConfigurationError(f"extension {name!r} is already {taken[name]}'s", rule="each extension is one "
                                     "plug-in's", source="labkit/hooks.py")
    _PLUGINS[package] = tuple(extensions)


def plugin_packages() -> list[str]:
    """The registered plug-in packages, in the order they were registered."""
    return list(_PLUGINS)


def plugin_extensions() -> list[str]:
    """The extension names the registered plug-ins keep their state under, in order."""
    return [name for names in _PLUGINS.values() for name in names]


def plugin_of(extension: str) -> str | None:
    """The plug-in package that keeps its state under ``extension``, or None."""
    return next((p for p, names in _PLUGINS.items() if extension in names), None)


def provide(package: str, name: str, target: str) -> None:
    """``package.name`` is ``target``, a module or ``"module:attribute"`` of a higher layer."""
    _LATE[(package, name)] = target


def provided(package: str, name: str):
    """What a higher layer provides as ``package.name``; AttributeError when nothing does."""
    target = _LATE.get((package, name))
    if target is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    return _load(target)
