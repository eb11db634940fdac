"""The graded exercises: one module a chapter, ``NN_slug.py``, named like the notebook
``exercises/NN_slug.ipynb`` it grades, each holding an :class:`~labkit.grading.api.Exercise`
called ``exercise``.

>>> "02_mscs_building_blocks" in names()
True
>>> load("02_mscs_building_blocks").name
'02_mscs_building_blocks'
"""
from __future__ import annotations

import re
from importlib import import_module
from pathlib import Path

from ...errors import NotFoundError

_NAME = re.compile(r"^\d\d_[a-z0-9_]+$")


def names() -> list[str]:
    """Names of every exercise labkit can grade, in chapter order."""
    here = Path(__file__).resolve().parent
    return sorted(p.stem for p in here.glob("*.py") if _NAME.match(p.stem))


def load(name: str):
    """The :class:`~labkit.grading.api.Exercise` called ``name`` (e.g. "02_mscs_building_blocks")."""
    if not isinstance(name, str) or name not in names():
        raise NotFoundError(f"no graded exercise named {name!r}; known: {', '.join(names())}",
                            rule="exercises are named NN_slug like their notebooks")
    return import_module(f"{__name__}.{name}").exercise
