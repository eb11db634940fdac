"""``cluster.exe`` on the simulated cluster: the Windows 2000 administrator's command line.

Three parts, one implementation:

- :mod:`~labkit.clusterexe.parser` reads a cluster.exe command line the way cluster.exe
  does (quotes, ``/option:value``, abbreviations, case-insensitive names);
- :mod:`~labkit.clusterexe.commands` (with its families :mod:`~labkit.clusterexe.cluster_commands`,
  :mod:`~labkit.clusterexe.node_commands`, :mod:`~labkit.clusterexe.group_commands` and
  :mod:`~labkit.clusterexe.resource_commands`) maps each command onto labkit's public API
  (:class:`labkit.Cluster` methods) and prints what cluster.exe prints
  (:mod:`~labkit.clusterexe.output`), with refusals carrying the Win32 / MSCS error
  number (:mod:`~labkit.clusterexe.errors`);
- :class:`Session` runs lines (and the few labkit-only verbs such as ``run 30s`` and
  ``wait``) for the three ways in: the ``%cluster`` / ``%%cluster`` IPython magics
  (``%load_ext labkit``), ``labkit cluster FILE ...`` and its interactive prompt.

>>> import labkit as lk
>>> from labkit.clusterexe import Session
>>> c = lk.Cluster("LAB", ip="10.0.0.100"); _ = c.add_node("NODE1", ip="10.0.0.1"); c.run_until_stable()
>>> print(Session(c).run("cluster group").text)
Listing status for all available resource groups:
<BLANKLINE>
Group                Node            Status
-------------------- --------------- ------
Cluster Group        NODE1           Online
"""
from .commands import COVERAGE, execute
# the command families register their handlers in the coverage table's order: cluster, node, group, resource
from . import cluster_commands, node_commands, group_commands, resource_commands  # noqa: F401,E402  isort: skip
from .equivalent import command_line
from .errors import MAPPING, WIN32, ClusterExeError, code_for
from .parser import Command, SyntaxProblem, parse, tokenize
from .session import Result, Session, run

__all__ = ["Session", "Result", "run", "parse", "tokenize", "Command", "SyntaxProblem", "execute", "COVERAGE",
           "ClusterExeError", "WIN32", "MAPPING", "code_for", "command_line"]
