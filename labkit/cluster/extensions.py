"""Plug-in state kept in a cluster (``cluster.extensions[name]``), and how each kind is saved.

A plug-in -- the Exchange layer, the procedures layer -- keeps its state in
``cluster.extensions[name]``: an object with ``to_dict()``, or plain data. A cluster can
only be saved if every extension can be loaded back, so an object goes in only under a
name whose persistence is registered: :func:`register_extension` names the loader that
rebuilds the object from its ``to_dict()`` and, optionally, the kind (or function) that
checks the data first. Putting an object under a name nobody registered is refused there
and then -- not later, when the learner saves the cluster they built.

>>> from labkit.cluster import Cluster
>>> c = Cluster("LAB")
>>> class Notes:
...     def to_dict(self): return {}
>>> c.extensions["notes"] = Notes()
Traceback (most recent call last):
labkit.errors.ConfigurationError: extension 'notes' (Notes) has no registered loader, so a saved cluster could not give it back; call labkit.files.register_extension('notes', loader) first [rule: every extension can be saved and loaded back; source: docs/cluster-file.md]
>>> c.extensions["lesson"] = {"done": ("crash", "move")}     # plain data needs no loader
>>> c.extensions["lesson"]
{'done': ['crash', 'move']}
"""
from __future__ import annotations

import importlib

from ..errors import ConfigurationError, ValidationError
from ..hooks import plugin_of
from ..values import NAME, PLAIN, Kind, show

RULE = "every extension can be saved and loaded back"
SOURCE = "docs/cluster-file.md"

#: name -> (loader(data) -> object, check, check_loaded). ``check`` is a
#: :class:`~labkit.values.Kind` or ``check(data, path) -> [(path, message)]``;
#: ``check_loaded(cluster, obj, path) -> [(path, message)]`` checks references on the built cluster.
REGISTRY: dict[str, tuple] = {}


def register_extension(name: str, loader, check=None, check_loaded=None) -> None:
    """Make ``cluster.extensions[name]`` saveable: ``loader(data)`` rebuilds the object
    from its ``to_dict()``. ``check`` (a value kind, or ``check(data, path)`` returning
    ``(path, message)`` problems) runs before anything is built; ``check_loaded(cluster,
    obj, path)`` runs on the built cluster (references to groups, resources, nodes).

    >>> register_extension("notes", dict)
    >>> "notes" in REGISTRY
    True
    """
    if not (isinstance(name, str) and NAME.ok(name)):
        raise ValidationError(f"an extension is named by a non-empty string, not {show(name)}", rule=RULE,
                              source=SOURCE)
    if not callable(loader):
        raise ConfigurationError(f"extension {name!r} needs a loader (a callable that rebuilds the object from its "
                                 f"to_dict()), not {show(loader)}", rule=RULE, source=SOURCE)
    if not (check is None or callable(check) or isinstance(check, Kind)) or not (
            check_loaded is None or callable(check_loaded)):
        raise ValidationError("check is a value kind or a callable, check_loaded a callable", rule=RULE, source=SOURCE)
    REGISTRY[name] = (loader, check, check_loaded)


def persistence(name: str) -> tuple | None:
    """``(loader, check, check_loaded)`` of extension ``name``, importing the plug-in that
    registers it if need be; None when nobody registered it."""
    if name not in REGISTRY:
        package = plugin_of(name)   # imported (only) when a cluster holds its state: import labkit stays light
        if package is not None:
            importlib.import_module(package)
    return REGISTRY.get(name)


class Extensions(dict):
    """``cluster.extensions``: a dict that accepts only what a cluster file can hold --
    an object whose persistence is registered, or plain data (checked and normalised)."""

    def __setitem__(self, name, value):
        dict.__setitem__(self, name, admit(name, value))

    def setdefault(self, name, value=None):
        if name not in self:
            self[name] = value
        return self[name]

    def update(self, *args, **kw):
        for k, v in dict(*args, **kw).items():
            self[k] = v

    def __reduce__(self):  # copies and pickles stay Extensions, without checking again
        return (Extensions.admitted, (dict(self),))

    @classmethod
    def admitted(cls, items: dict) -> "Extensions":
        """Extensions holding ``items``, which were admitted before (a copy, an unpickled
        cluster): not checked again."""
        e = cls()
        for k, v in items.items():
            dict.__setitem__(e, k, v)
        return e


def admit(name, value):
    """``value`` as it may be kept under ``name`` (see :class:`Extensions`), or a refusal."""
    if not (isinstance(name, str) and NAME.ok(name)):
        raise ValidationError(f"an extension is named by a non-empty string, not {show(name)}", rule=RULE,
                              source=SOURCE)
    if hasattr(value, "to_dict") and not isinstance(value, (dict, list)):
        if persistence(name) is None:
            raise ConfigurationError(f"extension {name!r} ({type(value).__name__}) has no registered loader, so a "
                                     f"saved cluster could not give it back; call "
                                     f"labkit.files.register_extension({name!r}, loader) first",
                                     rule=RULE, source=SOURCE)
        return value
    return PLAIN.check(value, f"extensions.{name}")


__all__ = ["register_extension", "persistence", "Extensions", "REGISTRY", "admit"]
