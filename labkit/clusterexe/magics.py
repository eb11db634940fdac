"""``%cluster`` and ``%%cluster``: cluster.exe in a notebook cell (``%load_ext labkit``).

The magics act on a cluster *variable* of the notebook::

    %load_ext labkit
    c = labkit.scenarios.four_node_5000()
    %cluster use c                                  # once: later lines act on c
    %cluster group EXVS1 /moveto:2-MOE              # one line ("cluster" may be typed or not)
    %cluster -c other node                          # another variable, this line only

    %%cluster
    cluster node 1-CURLY /pause
    cluster group EXVS1 /moveto:2-MOE
    wait

``/cluster:NAME`` reaches the notebook's cluster of that name (MSCS name,
case-insensitive), as cluster.exe reaches another cluster; a name no variable holds
fails as cluster.exe fails to connect (error 1722). A ``%%cluster`` cell runs every
line, as cmd.exe runs a .cmd script, and ends by counting the refused ones; what
cluster.exe prints goes to the cell's output, its errors to the error stream. The variable is read each time, so
``c = ...`` again is seen by the next command.

This module imports IPython: load it through :func:`labkit.load_ipython_extension`.
"""
from __future__ import annotations

import sys

from IPython.core.magic import Magics, line_cell_magic, magics_class

from ..cluster import Cluster
from .session import Session, is_comment, run_safely

HINT = ("which cluster? run `%cluster use VARIABLE` once (or `%cluster -c VARIABLE ...`), "
        "or name it with /cluster:NAME")


@magics_class
class ClusterMagics(Magics):
    """The ``cluster`` line and cell magic."""

    def __init__(self, shell):
        super().__init__(shell)
        #: the variable ``%cluster use`` chose
        self.variable: str | None = None

    # ------------------------------------------------------------ clusters
    def _ns(self) -> dict:
        return self.shell.user_ns if self.shell is not None else {}

    def _clusters(self) -> list[Cluster]:
        seen, out = set(), []
        for name, value in list(self._ns().items()):
            if not name.startswith("_") and isinstance(value, Cluster) and id(value) not in seen:
                seen.add(id(value))
                out.append(value)
        return out

    def _session(self, variable: str | None) -> Session:
        chosen = self._ns().get(variable) if variable else None
        chosen = chosen if isinstance(chosen, Cluster) else None

        def lookup(name):
            if name is None:
                return chosen
            if chosen is not None and chosen.name.casefold() == name.casefold():
                return chosen
            return next((x for x in self._clusters() if x.name.casefold() == name.casefold()), None)

        return Session(chosen, lookup=lookup, clusters=self._clusters, unchosen=HINT)

    def _refuse_variable(self, variable: str) -> bool:
        """Whether ``variable`` is no notebook variable holding a labkit Cluster (then say why)."""
        problem = None
        if not variable.isidentifier():
            problem = f"labkit: {variable!r} is not a variable name"
        elif variable not in self._ns():
            problem = f"labkit: there is no variable {variable!r} in this notebook"
        elif not isinstance(self._ns()[variable], Cluster):
            problem = f"labkit: {variable} is a {type(self._ns()[variable]).__name__}, not a labkit Cluster"
        if problem:
            _say(problem, error=True)
        return problem is not None

    # --------------------------------------------------------------- magic
    @line_cell_magic
    def cluster(self, line: str, cell: str | None = None):
        """Run cluster.exe commands on a notebook cluster (see :mod:`labkit.clusterexe.magics`)."""
        words = line.split()
        variable = self.variable
        if cell is None and words and words[0] == "use":
            if len(words) == 1:
                _say(f"labkit: %cluster acts on {self.variable}" if self.variable else f"labkit: {HINT}",
                     error=not self.variable)
                return
            if len(words) != 2:
                _say("labkit: use takes one variable name: %cluster use c", error=True)
                return
            if self._refuse_variable(words[1]):
                return
            self.variable = words[1]
            _say(f"labkit: %cluster now acts on {words[1]} (cluster {self._ns()[words[1]].name})")
            return
        if words and words[0] in ("-c", "--cluster-var"):
            if len(words) < 2:
                _say("labkit: -c needs a variable name: %cluster -c c group", error=True)
                return
            if self._refuse_variable(words[1]):
                return
            variable = words[1]
            line = line.split(None, 2)[2] if len(words) > 2 else ""
        elif cell is not None and words:
            _say("labkit: the first line of %%cluster takes only -c VARIABLE", error=True)
            return
        session = self._session(variable)
        if cell is None:
            _show(run_safely(session, line))
            return
        results = []
        for text in cell.splitlines():
            results.append(run_safely(session, text))
            _show(results[-1])
        refused = sum(1 for r in results if not r.ok)
        if refused:
            ran = sum(1 for text in cell.splitlines() if not is_comment(text))
            _say(f"labkit: {refused} of the cell's {ran} commands {'was' if refused == 1 else 'were'} refused "
                 "(each left the cluster as it was; the others ran)", error=True)


def _show(result) -> None:
    if result.text:
        print(result.text)
    if result.error:
        sys.stdout.flush()
        print(result.error, file=sys.stderr)
        sys.stderr.flush()


def _say(text: str, *, error: bool = False) -> None:
    if error:
        sys.stdout.flush()
        print(text, file=sys.stderr)
        sys.stderr.flush()
    else:
        print(text)


def load_ipython_extension(ipython) -> None:
    """Register ``%cluster`` / ``%%cluster`` (``%load_ext labkit`` calls this)."""
    ipython.register_magics(ClusterMagics)
