"""Every view in one place (issue 15): what the learner sees, drawn from the model,
which never imports this package (the model's rich display is registered through
:mod:`labkit.hooks` by ``labkit/__init__.py``).

- :mod:`labkit.views.tables` (``lk.tables``): the cluster as Cluster Administrator
  lists it, procedure reports, and HTML tables that never wrap inside a cell;
- :mod:`labkit.views.diagrams` (``lk.diagrams``) and
  :mod:`labkit.views.exchange_diagrams` (``ex.diagrams``): Graphviz pictures;
- :mod:`labkit.views.widgets` (``lk.widgets``): the ipywidgets front-ends;
- :mod:`labkit.views.charts` (matplotlib), :mod:`labkit.views.svg` (SVG that scales
  to the output width) and :mod:`labkit.views.predict` (predict, then check).

Nothing here is imported by ``import labkit``; graphviz, ipywidgets, matplotlib and
pandas are imported on first use only.
"""
