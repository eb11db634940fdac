"""SVG that fits the screen: drawings scale down to the width of the output area and
never grow past their natural size (a ``viewBox``, ``width="100%"``, a ``max-width``).

>>> print(fit('<?xml version="1.0"?>\\n<svg width="400pt" height="100pt" viewBox="0 0 400 100"><g/></svg>'))
<svg width="100%" style="max-width:400pt;height:auto;display:block" viewBox="0 0 400 100"><g/></svg>
>>> Picture('<svg width="10pt" height="5pt" viewBox="0 0 10 5"></svg>', "a dot")
<picture: a dot>
"""
from __future__ import annotations

import re

_ROOT = re.compile(r"<svg\b[^>]*>", re.S)


def fit(svg: str) -> str:
    """``svg`` (one document: Graphviz's or matplotlib's output) made to scale: the XML
    prologue dropped, the root's fixed ``width``/``height`` replaced by ``width="100%"``
    and a ``max-width`` of the natural width, so the browser shrinks it to the space it
    has and keeps its proportions (the ``viewBox``)."""
    start = svg.find("<svg")
    if start < 0:
        return svg
    svg = svg[start:]
    m = _ROOT.match(svg)
    tag = m.group(0)
    width = re.search(r'\swidth="([^"]+)"', tag)
    natural = width.group(1) if width else None
    new = re.sub(r'\s(width|height)="[^"]*"', "", tag)
    style = f"max-width:{natural};height:auto;display:block" if natural else "height:auto;display:block"
    new = new.replace("<svg", f'<svg width="100%" style="{style}"', 1)
    return new + svg[m.end():]


class Picture:
    """An SVG drawing for a notebook: shows as an inline, width-fitting SVG (HTML), and
    as ``<picture: title>`` in plain text. ``.svg`` is the original document."""

    def __init__(self, svg: str, title: str = ""):
        self.svg = svg
        self.title = title

    def html(self) -> str:
        return f'<div class="labkit-picture" style="max-width:100%">{fit(self.svg)}</div>'

    def _repr_html_(self) -> str:
        return self.html()

    def __repr__(self) -> str:
        return f"<picture: {self.title}>" if self.title else "<picture>"
