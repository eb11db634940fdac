"""ipywidgets front-ends over the model. Each widget's callbacks call pure functions
(in :mod:`labkit.widgets.actions`) that tests drive without a browser.

- :class:`StarterWidget`: notebook 00's installation check.
- :class:`ClusterAdministrator`: groups, resources and nodes with their states; move,
  fail, crash, pause, advance time; the cluster diagram and the log update live.
- :class:`DependencyExplorer`: step through a group's online and offline order.
"""
from .actions import ACTIONS, ActionResult, apply_action, order_steps
from .cluster_admin import ClusterAdministrator
from .dependency_explorer import DependencyExplorer
from .starter import StarterWidget

__all__ = ["StarterWidget", "ClusterAdministrator", "DependencyExplorer", "apply_action", "ActionResult",
           "ACTIONS", "order_steps"]
