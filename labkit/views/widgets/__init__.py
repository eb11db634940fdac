"""ipywidgets front-ends over the model. Each widget's callbacks call pure functions
(in :mod:`labkit.views.widgets.actions`) that tests drive without a browser.

- :class:`StarterWidget`: notebook 00's installation check.
- :class:`ClusterAdministrator`: groups, resources and nodes with their states; move,
  fail, crash, pause, advance time; the cluster diagram and the log update live.
- :class:`DependencyExplorer`: step through a group's online and offline order.
- :class:`StorageDesigner`: users, storage groups, RAID levels and drives in; drives,
  capacity, I/O headroom and broken storage rules out.
- :class:`AvailabilityCalculator`: nines <-> downtime, and the causes of downtime with
  what clustering can and cannot remove.
- :class:`LoadPlanner`: a load strategy and failed nodes in; each node's load against
  its optimal load and its storage groups against the limit out, violations marked.

The planning widgets' computations are in :mod:`labkit.views.widgets.planning_panels` and
:mod:`labkit.planning.failures` (the load planner's).
"""
from .actions import ACTIONS, ActionResult, apply_action, order_steps
from .availability_calculator import AvailabilityCalculator
from .cluster_admin import ClusterAdministrator
from .dependency_explorer import DependencyExplorer
from ...planning.failures import load_text, plan_failures  # the load planner's analysis, named here as before
from .load_panels import load_html
from .load_planner import LoadPlanner
from .planning_panels import cause_breakdown, design_storage, read_availability
from .storage_designer import StorageDesigner
from .starter import StarterWidget

__all__ = ["StarterWidget", "ClusterAdministrator", "DependencyExplorer", "apply_action", "ActionResult",
           "ACTIONS", "order_steps",
           "StorageDesigner", "AvailabilityCalculator", "design_storage", "read_availability", "cause_breakdown",
           "LoadPlanner", "plan_failures", "load_text", "load_html"]
