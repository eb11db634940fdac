"""labkit -- learn highly available Exchange 2000 on Microsoft Cluster Service.

The public API. The model core (``labkit.cluster``) never imports widgets or
Graphviz; the views (``labkit.views.diagrams``, ``labkit.views.widgets``, ``labkit.views.tables``,
all in :mod:`labkit.views`) are imported on first use.

>>> import labkit as lk
>>> c = lk.Cluster("LAB", ip="10.0.0.100")
>>> _ = c.add_node("NODE1", ip="10.0.0.1")
>>> c.run_until_stable(); str(c.groups["Cluster Group"].state)
'Online'
"""
from importlib import import_module

from .cluster import (EDITIONS, GROUP_DEFAULTS, REGISTRY, RESOURCE_DEFAULTS, Cluster, ClusterSettings,
                      CLUSTER_GROUP, DownReason, Fault, FaultScope, Group, GroupState, Leaving, Move, MoveReason,
                      Node, NodeState, Resource, ResourceState, ResourceType, RestartAction, register_resource_type)
from .errors import (AccessDeniedError, ConfigurationError, DependencyError, FileFormatError,
                     LabkitError, LimitError, NameConflictError, NotFoundError, OwnershipError,
                     ProcedureError, QuorumError, StateError, ValidationError)
from .sim import START, ClusterLog, LogEvent

__version__ = "0.1.0"

_LAZY = {"exchange", "planning", "procedures", "scenarios",
         "grading", "files", "pacemaker", "cli", "values", "clusterexe"}
#: The learner's screen (issue 16): ``lk.predict`` / ``lk.check`` before and after an
#: experiment, ``lk.views`` (charts, tables, fitting SVG); loaded on first use.
_LAZY_VIEWS = {"views": ("views", None), "predict": ("views.predict", "predict"),
               "check": ("views.predict", "check"),
               # the views of issue 15, all in labkit/views/ (``lk.diagrams`` ... as before)
               "diagrams": ("views.diagrams", None), "tables": ("views.tables", None),
               "widgets": ("views.widgets", None)}

# The views draw the model objects (issue 15): the model asks labkit.hooks, by kind,
# and never imports a view. Names only here, so ``import labkit`` stays lean.
from . import hooks as _hooks  # noqa: E402

for _kind, _target in (("cluster", "cluster_html"), ("node", "node_html"), ("group", "group_html"),
                       ("resource", "resource_html"), ("procedure report", "report_html"),
                       ("owner audit", "owner_audit_html")):
    _hooks.register_html(_kind, f"labkit.views.tables:{_target}")
# The plug-ins on the cluster core, imported only when a cluster names their resource types,
# jobs or state: the core and the file loader ask labkit.hooks and never name them.
_hooks.register_plugin("labkit.exchange", ("exchange", "exchange55"))
_hooks.register_plugin("labkit.procedures", ("procedures",))
_hooks.provide("labkit.exchange", "diagrams", "labkit.views.exchange_diagrams")
_hooks.provide("labkit.exchange", "demo_cluster", "labkit.scenarios.exchange_demo:demo_cluster")


#: Public names whose modules moved (issue 15): the cluster database on disk is ``labkit.io``.
_MOVED = {"files": "io", "pacemaker": "io.pacemaker"}


def __getattr__(name):
    """Sub-packages load on first use, so ``import labkit`` stays fast."""
    if name in _LAZY:
        return import_module(f".{_MOVED.get(name, name)}", __name__)
    if name in _LAZY_VIEWS:
        module, attr = _LAZY_VIEWS[name]
        got = import_module(f".{module}", __name__)
        return got if attr is None else getattr(got, attr)
    raise AttributeError(f"module 'labkit' has no attribute {name!r}")


def load_ipython_extension(ipython):
    """``%load_ext labkit``: the ``%cluster`` / ``%%cluster`` magics (cluster.exe in a cell,
    :mod:`labkit.clusterexe.magics`). IPython is imported only here."""
    from .clusterexe.magics import load_ipython_extension as load
    load(ipython)


__all__ = [
    "Cluster", "ClusterSettings", "EDITIONS", "Group", "GroupState", "Node", "NodeState", "DownReason",
    "Leaving", "Fault", "FaultScope", "Move", "MoveReason", "CLUSTER_GROUP", "Resource",
    "ResourceState", "RestartAction", "ResourceType", "REGISTRY", "register_resource_type",
    "RESOURCE_DEFAULTS", "GROUP_DEFAULTS", "START", "ClusterLog", "LogEvent",
    "LabkitError", "ValidationError", "NotFoundError", "NameConflictError", "DependencyError",
    "OwnershipError", "StateError", "LimitError", "QuorumError", "AccessDeniedError",
    "ConfigurationError", "ProcedureError", "FileFormatError",
]
