"""ipywidgets front-ends over the model. Each widget's callbacks call pure functions
(in :mod:`labkit.widgets.actions`) that tests drive without a browser."""
from .starter import StarterWidget

__all__ = ["StarterWidget"]
