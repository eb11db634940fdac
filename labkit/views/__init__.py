"""Views for the learner's screen that the older view modules (``labkit.diagrams``,
``labkit.tables``, ``labkit.widgets``) do not cover: matplotlib charts
(:mod:`labkit.views.charts`), SVG that scales to the output width
(:mod:`labkit.views.svg`) and HTML tables that never wrap inside a cell
(:mod:`labkit.views.tables`).

Nothing here is imported by ``import labkit``; matplotlib and pandas are imported
on first use only, inside the functions that need them.
"""
