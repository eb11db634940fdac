"""A cluster.exe session: the one implementation behind the magics, ``labkit cluster`` and its prompt.

A :class:`Session` runs one line at a time and returns a :class:`Result`: what
cluster.exe prints on standard output, its error lines, and the Win32 number of a
refusal. Lines may start with ``cluster`` or leave it out. Blank lines and comments
(``#``, ``rem``, ``::``, as in a .cmd script) do nothing.

A few verbs are labkit's own, not cluster.exe's, and everything they print starts with
``labkit:``: ``run DURATION`` and ``wait`` advance the simulated clock (a real
administrator just waits), ``crash NODE`` cuts a node's power, ``log [N]`` shows the
cluster log, ``help`` the syntax.

>>> import labkit as lk
>>> c = lk.Cluster("LAB", ip="10.0.0.100"); _ = c.add_node("NODE1", ip="10.0.0.1")
>>> s = Session(c)
>>> r = s.run("cluster /cluster:lab node NODE1 /pause")
>>> print(r.text)
Pausing node 'NODE1'...
<BLANKLINE>
Node           Node ID Status
-------------- ------- ---------------------
NODE1                1 Paused
>>> r = s.run("cluster /cluster:OTHER node")
>>> r.ok, r.code, r.error.splitlines()[0]
(False, 1722, 'System error 1722 has occurred (0x000006ba).')
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass

from ..cluster import Cluster
from ..errors import LabkitError
from ..sim import parse_duration
from ..text import duration_ms
from .commands import execute, node_of
from .errors import ClusterExeError, from_labkit
from .help import full_help
from .parser import Command, SyntaxProblem, parse

_PROMPT = re.compile(r"^[A-Za-z]:\\[^>\"]*>\s*")

#: The verbs labkit adds; none is a cluster.exe command.
LABKIT_VERBS = ("run", "wait", "crash", "log", "help")


@dataclass
class Result:
    """One line's outcome: ``ok``; ``text`` (standard output); ``error`` (the error or
    warning lines cluster.exe prints); ``code`` (the Win32 number of a refusal, None for a
    syntax error or success); ``command`` (the parsed line, None for labkit verbs)."""

    ok: bool
    text: str = ""
    error: str = ""
    code: int | None = None
    command: Command | None = None

    def __str__(self) -> str:
        return "\n".join(p for p in (self.text, self.error) if p)


def clock_text(c: Cluster) -> str:
    return f"{c.now:%Y-%m-%d %H:%M:%S}.{c.clock.ms % 1000:03d}"


class Session:
    """Run cluster.exe lines on ``cluster`` (or on the clusters ``lookup`` finds).

    ``lookup(name)`` returns the cluster ``/cluster:name`` means (``name`` None: the
    default one), or None when no such cluster can be reached; ``clusters()`` lists
    what ``cluster /list`` shows. With only ``cluster``: that one, whose name must match
    ``/cluster:NAME`` (case-insensitively). ``unchosen`` is the hint shown when there is
    no default cluster.
    """

    def __init__(self, cluster: Cluster | None = None, *, lookup=None, clusters=None,
                 unchosen: str = "no cluster chosen"):
        if cluster is not None and not isinstance(cluster, Cluster):
            raise TypeError(f"a Session runs on a labkit Cluster, not {type(cluster).__name__}")
        self.cluster = cluster
        self._lookup = lookup
        self._clusters = clusters
        self.unchosen = unchosen

    # ------------------------------------------------------------ clusters
    def lookup(self, name: str | None) -> Cluster | None:
        if self._lookup is not None:
            return self._lookup(name)
        if self.cluster is None:
            return None
        if name is None or name.casefold() == self.cluster.name.casefold():
            return self.cluster
        return None

    def clusters(self) -> list[Cluster]:
        if self._clusters is not None:
            return list(self._clusters())
        return [self.cluster] if self.cluster is not None else []

    # ---------------------------------------------------------------- lines
    def run(self, line: str) -> Result:
        """Run one line (see the module docstring). Never raises for bad input."""
        if not isinstance(line, str):
            return Result(False, error="A command must be specified.")
        text = line.strip().lstrip("\ufeff").strip()  # a script saved by Notepad starts with a BOM
        text = _PROMPT.sub("", text, count=1)  # a line pasted from a transcript: C:\> cluster group
        if is_comment(text):
            return Result(True)
        words = text.split(None, 1)
        head = words[0].lower()
        if head == "labkit" and len(words) > 1:
            text = words[1]
            words = text.split(None, 1)
            head = words[0].lower()
        if head in LABKIT_VERBS:
            return self._labkit_verb(head, words[1] if len(words) > 1 else "")
        try:
            cmd = parse(text)
        except SyntaxProblem as e:
            if e.cluster is not None and self.lookup(e.cluster) is None:
                return Result(False, error=e.otherwise)
            return Result(False, error=str(e))
        c = self.lookup(cmd.cluster)
        if c is None and cmd.cluster is None and (cmd.option in ("help", "?") or
                                                  (cmd.object, cmd.option) == ("cluster", "list")):
            return Result(True, "\n".join(execute(None, cmd, clusters=self.clusters()).lines), command=cmd)
        if c is None:
            if cmd.cluster is None:
                return Result(False, error=f"labkit: {self.unchosen}", command=cmd)
            here = ", ".join(x.name for x in self.clusters()) or "none"
            e = ClusterExeError(1722, f"no cluster named {cmd.cluster!r} can be reached from here (reachable: {here})"
                                + ("" if cmd.object != "cluster" or cmd.option != "help" else
                                   "; nor is it an object type (node, group, res[ource], restype)"))
            return Result(False, error="\n".join(e.lines()), code=1722, command=cmd)
        try:
            outcome = execute(c, cmd, clusters=self.clusters())
        except ClusterExeError as e:
            return Result(False, error="\n".join(e.lines()), code=e.code, command=cmd)
        except LabkitError as e:  # a refusal the handler did not expect: still a cluster.exe error
            err = from_labkit(e)
            return Result(False, error="\n".join(err.lines()), code=err.code, command=cmd)
        lines = list(outcome.lines)
        if outcome.waited_ms:
            lines.append(f"labkit: cluster.exe waited {duration_ms(outcome.waited_ms)} of simulated time "
                         f"(clock {clock_text(c)})")
        warning = "\n".join(outcome.warning.lines()) if outcome.warning else ""
        return Result(True, "\n".join(lines), warning, command=cmd)

    def run_script(self, lines) -> list[Result]:
        """Run lines in order, as cmd.exe runs a .cmd script: a refused line does not stop
        the lines after it (each refusal left the cluster as it was)."""
        return [self.run(line) for line in lines]

    # ---------------------------------------------------------- labkit verbs
    def _labkit_verb(self, verb: str, rest: str) -> Result:
        if verb == "help":
            return Result(True, full_help())
        c = self.lookup(None)
        if c is None:
            return Result(False, error=f"labkit: {self.unchosen}")
        mark, start = len(c.log), c.clock.ms
        try:
            if verb == "run":
                if not rest.strip():
                    return Result(False, error="labkit: run needs a duration, e.g. run 30s, run 10m, run 1h30m")
                ms = parse_duration(rest)
                c.run(duration=rest)
                head = f"labkit: ran {duration_ms(ms)} of simulated time"
            elif verb == "wait":
                if rest.strip():
                    return Result(False, error="labkit: wait takes nothing after it (run 30s waits a given time)")
                c.run_until_stable()
                head = f"labkit: ran until nothing is pending, {duration_ms(c.clock.ms - start)} of simulated time"
            elif verb == "crash":
                if not rest.strip():
                    return Result(False, error="labkit: crash needs a node name, e.g. crash 1-CURLY")
                name = _one_name(rest)
                node = node_of(c, name)
                c.crash_node(node)
                head = (f"labkit: {node} lost power; the other nodes notice after "
                        f"{c.settings.detection_ms / 1000:g} s of missed heartbeats")
            else:  # log
                n = _count(rest)
                lines = [str(e) for e in c.log.tail(n)] or ["labkit: the log is empty"]
                return Result(True, "\n".join(lines))
        except ClusterExeError as e:
            return Result(False, error="\n".join(e.lines()), code=e.code)
        except (LabkitError, SyntaxProblem) as e:
            return Result(False, error=f"labkit: {verb} refused: {e}")
        shown = [f"  {e}" for e in c.log[mark:] if e.obj in c.groups or e.obj in c.nodes or e.obj == c.name]
        return Result(True, "\n".join(shown + [f"{head} (clock {clock_text(c)})"]))


def run_safely(session: Session, line: str) -> Result:
    """``session.run(line)``; an exception there is a labkit bug, and becomes a refused
    Result that says so (no traceback in the learner's face, the prompt goes on)."""
    try:
        return session.run(line)
    except Exception as e:
        return Result(False, error=f"labkit: unexpected error (a bug in labkit, please report it): "
                                   f"{type(e).__name__}: {e}")


def print_result(result: Result) -> None:
    """A Result as a console shows it: the text on standard output, the error lines on
    standard error, each flushed at once so that they interleave in order."""
    if result.text:
        print(result.text, flush=True)
    if result.error:
        print(result.error, file=sys.stderr, flush=True)


def is_comment(line: str) -> bool:
    """A blank line, or a comment as in a .cmd script (``rem ...``, ``:: ...``) or Python (``# ...``)."""
    text = line.strip().lower()
    return not text or text.startswith(("#", "::")) or text == "rem" or text.startswith(("rem ", "rem\t"))


def _one_name(text: str) -> str:
    from .parser import tokenize
    toks = tokenize(text)
    if len(toks) != 1:
        raise SyntaxProblem(f"one node name is expected, not {text.strip()!r} (names with spaces need quotes)")
    return toks[0].text


def _count(text: str) -> int:
    text = text.strip()
    if not text:
        return 20
    if not text.isdigit() or not 0 < int(text) <= 100_000:
        raise SyntaxProblem(f"log takes a number of lines (1 to 100000), not {text!r}")
    return int(text)


def run(cluster: Cluster, line: str) -> Result:
    """Run one cluster.exe line on ``cluster``.

    >>> import labkit as lk
    >>> c = lk.Cluster("LAB"); _ = c.add_node("N1"); c.run_until_stable()
    >>> print(run(c, "cluster group /bogus").error)
    Invalid option '/bogus'.
    """
    return Session(cluster).run(line)
