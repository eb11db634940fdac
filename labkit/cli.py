"""The ``labkit`` command.

::

    labkit lab                                   open the kit in JupyterLab (like `make lab`)
    labkit simulate CLUSTERFILE --event "crash 1-CURLY" --event "run 10m" [--save OUT]
    labkit diagram CLUSTERFILE --out cluster.svg [--group EXVS1]
    labkit export-pacemaker CLUSTERFILE [--out cib.xml]
    labkit cluster CLUSTERFILE [cluster.exe command] [--save [OUT]]   (no command: a prompt)
    labkit check NOTEBOOK...    labkit grade DIR --out grades.csv    labkit make-exercises
    labkit release OUT                           the learner release: no solutions, no checks

Exit codes: 0 ok, 1 checks failed, 2 usage or input error (a bad file, an unknown
name, a refused command). Errors are one line each, never a traceback.

``simulate`` is to MSCS what Pacemaker's ``crm_simulate`` is to Pacemaker: it loads a
cluster file, applies events and prints the transition -- what moved where, in what
order, and how long clients waited (the groups' outages).

>>> main(["simulate", "--help"]) # doctest: +ELLIPSIS
usage: labkit simulate ...
0
"""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import shlex
import sys
from pathlib import Path

from . import GroupState
from .errors import FileFormatError, LabkitError, ValidationError
from .text import duration_ms

OK, CHECKS_FAILED, USAGE = 0, 1, 2

EVENTS_HELP = """\
events (one --event each, applied in order; names may contain spaces):
  crash NODE | start NODE | stop NODE | restart NODE | pause NODE | resume NODE | evict NODE
  fail RESOURCE                 the resource fails now (Test-ClusterResourceFailure)
  fault RESOURCE [hang] [persistent|everywhere]
                                break it; the next LooksAlive (crash) or IsAlive (hang) poll notices
  repair RESOURCE | monitor-crash RESOURCE
  move GROUP [NODE] | online GROUP [NODE] | offline GROUP
  partition N1,N2 / N3,N4       split the network; heal
  run DURATION                  advance the clock: 90s, 10m, 2h, 1h30m
  stable                        run until nothing is pending
After the last event the cluster runs until stable (unless --no-settle).

example:
  labkit simulate examples/two_node_file_share.yaml --event "crash NODE1" --event "run 10m"
"""


#: Sub-commands run by the grading package: name -> (help, function in labkit.grading).
DELEGATED = {
    "check": "check exercise notebooks: labkit check NOTEBOOK... (labkit.grading)",
    "grade": "grade a folder of submissions: labkit grade DIR --out grades.csv (labkit.grading)",
    "make-exercises": "generate exercises/ from solutions/ (labkit.grading)",
    "release": "write the learner release a graded class gets: labkit release OUT (labkit.grading)",
}
_GRADING = {"check": "main_check", "grade": "main_grade", "make-exercises": "main_make_exercises",
            "release": "main_release"}


class _Usage(Exception):
    """A usage error found after parsing (exit code 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2
        raise _Usage(f"{self.prog}: error: {message} (see {self.prog} --help)")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="labkit", description="labkit: learn highly available Exchange 2000 on Microsoft Cluster "
                                           "Service with a simulated cluster.")
    p.add_argument("--version", action="store_true", help="print labkit's version and exit")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser,
                           prog="labkit")  # given, so argparse does not format a usage line to find it

    s = sub.add_parser("lab", help="set up and open JupyterLab on the first notebook (like `make lab`)",
                       description="Run scripts/setup.sh, then JupyterLab on notebooks/00_start_here.ipynb "
                                   "(needs a source checkout of labkit). Extra arguments go to JupyterLab.")
    s.add_argument("--dry-run", action="store_true", help="print the commands instead of running them")
    s.add_argument("jupyter_args", nargs=argparse.REMAINDER, help="arguments passed to jupyter lab")

    s = sub.add_parser("simulate", help="apply events to a saved cluster and print the transition",
                       description="Load a cluster file, apply events and print what moved where, in what "
                                   "order, and how long clients waited -- crm_simulate for MSCS.",
                       epilog=EVENTS_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    s.add_argument("clusterfile", help="a cluster file (.yaml, .yml or .json)")
    s.add_argument("--event", "-e", action="append", default=[], metavar="EVENT", help="an event (repeatable)")
    s.add_argument("--save", metavar="OUT", help="save the cluster after the events to this cluster file")
    s.add_argument("--no-settle", action="store_true", help="do not run until stable after the last event")
    s.add_argument("--brief", action="store_true", help="show only node and group events of the transition")

    s = sub.add_parser("diagram", help="draw a cluster file as SVG, PNG or DOT",
                       description="Draw the cluster (or one group's dependency tree) with Graphviz.")
    s.add_argument("clusterfile")
    s.add_argument("--out", "-o", required=True, help="output file: .svg, .png or .dot")
    s.add_argument("--group", "-g", help="draw this group's resources and dependencies")
    s.add_argument("--resources", action="store_true", help="list each group's resources in the cluster view")

    s = sub.add_parser("export-pacemaker", help="write the cluster as a Pacemaker CIB (XML)",
                       description="Export the cluster file as a Pacemaker CIB: nodes, a native group per "
                                   "MSCS group (members in online order), location scores and bans, "
                                   "stickiness. The mapping is documented in labkit/io/pacemaker/.")
    s.add_argument("clusterfile")
    s.add_argument("--out", "-o", help="output file (default: standard output)")
    s.add_argument("--style", choices=("group", "constraints"), default="group",
                   help="group: a native Pacemaker group per MSCS group, a chain in online order (default); "
                        "constraints: an anchor and one order constraint per dependency (the DAG as it is)")
    s.add_argument("--status", action="store_true",
                   help="add the status section of the running cluster (labkit.pacemaker.status_cib), which "
                        "crm_simulate reads as a stable cluster")
    s.add_argument("--verify", action="store_true", help="check the CIB with crm_verify (pacemaker-cli-utils)")

    s = sub.add_parser("cluster", help="Windows 2000 cluster.exe on a cluster file (no command: a prompt)",
                       description="Load a cluster file and run cluster.exe commands on it: the words after "
                                   "the file are one command (group EXVS1 /moveto:2-MOE), -c LINE adds one "
                                   "more, standard input gives one a line; with none, an interactive prompt. "
                                   "--save writes the cluster back (--save OUT elsewhere) when every command "
                                   "succeeded. See docs/clusterexe.md.",
                       usage="labkit cluster CLUSTERFILE [COMMAND WORDS ...] [-c LINE ...] [--save [OUT]]")
    s.add_argument("clusterfile", help="a cluster file (.yaml, .yml or .json)")
    s.add_argument("rest", nargs=argparse.REMAINDER, help="the cluster.exe command and options")

    for name, what in DELEGATED.items():
        s = sub.add_parser(name, help=what, add_help=False, description=what)
        s.add_argument("args", nargs=argparse.REMAINDER)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the ``labkit`` command with ``argv`` (default: ``sys.argv[1:]``); return the exit code.

    Every bad input is answered with one line on standard error and exit code 1 or 2,
    never a traceback (``LABKIT_DEBUG=1`` shows the traceback of an unexpected error);
    a reader that closes the pipe (``labkit ... | head -1``) ends the command quietly."""
    try:
        code = _main(argv)
        sys.stdout.flush()        # a closed pipe shows here, not at interpreter exit
        return code
    except _Usage as e:
        _err(str(e))
        return USAGE
    except FileFormatError as e:
        origin = getattr(e, "origin", None)
        _err(f"labkit: {origin + ': ' if origin else ''}{_one_line(getattr(e, 'problems', None) or [e.detail])}")
        return USAGE
    except LabkitError as e:
        _err(f"labkit: error: {_one_line([str(e)])}")
        return USAGE
    except BrokenPipeError:  # `labkit simulate ... | head`: the reader left; that is fine
        _quiet_stdout()
        return OK
    except OSError as e:
        _err(f"labkit: error: {e.filename + ': ' if getattr(e, 'filename', None) else ''}{e.strerror or e}")
        return USAGE
    except KeyboardInterrupt:
        _err("labkit: interrupted")
        return 130
    except Exception as e:  # a bug: still one line, unless the developer asks for the traceback
        if os.environ.get("LABKIT_DEBUG"):
            raise
        _err(f"labkit: internal error (please report it; LABKIT_DEBUG=1 shows the traceback): "
             f"{type(e).__name__}: {_one_line([str(e)])}")
        return USAGE


def _main(argv) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not all(isinstance(a, str) for a in argv):
        raise _Usage("labkit: error: the arguments are text")
    if argv and argv[0] in DELEGATED:  # the grading package parses its own arguments
        return _delegate(argv[0], argv[1:])
    parser = _parser()
    try:
        ns, extra = parser.parse_known_args(argv)
    except SystemExit as e:  # --help
        return int(e.code or 0) if isinstance(e.code, int) or e.code is None else USAGE
    if ns.version:
        from . import __version__
        print(f"labkit {__version__}")
        return OK
    if ns.command is None:
        parser.print_help()
        raise _Usage("labkit: error: no command given")
    if ns.command == "cluster":
        return _cluster(ns, extra)
    if extra and ns.command != "lab":
        raise _Usage(f"labkit {ns.command}: error: unrecognized arguments: {' '.join(extra)}")
    if ns.command == "lab":
        return _lab(ns, extra)
    return {"simulate": _simulate, "diagram": _diagram, "export-pacemaker": _export}[ns.command](ns)


#: Problems shown on the one error line (the rest are counted).
MAX_SHOWN = 12


def _one_line(items) -> str:
    """Several problems (or a message with line breaks) as one line."""
    lines = [" ".join(str(x).split()) for x in items]
    if len(lines) == 1:
        return lines[0]
    shown = "; ".join(lines[:MAX_SHOWN])
    more = f"; and {len(lines) - MAX_SHOWN} more" if len(lines) > MAX_SHOWN else ""
    return f"{len(lines)} problems: {shown}{more}"


def _quiet_stdout() -> None:
    """The reader closed standard output: send what is left to /dev/null, so Python's
    own flush at exit does not complain."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # stdout is not a file (captured in a test)
        pass


def _err(line: str) -> None:
    sys.stdout.flush()
    print(line, file=sys.stderr)


# ================================================================================== lab
def repo_root() -> Path | None:
    """The source checkout labkit runs from (the folder holding scripts/setup.sh), or None."""
    root = Path(__file__).resolve().parent.parent
    return root if (root / "scripts" / "setup.sh").exists() else None


def _lab(ns, extra) -> int:
    import subprocess  # only here: `labkit simulate` starts faster without it
    root = repo_root()
    if root is None:
        raise _Usage("labkit lab: error: needs a source checkout of labkit (scripts/setup.sh was not found next "
                      f"to {Path(__file__).resolve().parent}); clone the repository and run `make lab` there")
    args = [a for a in ns.jupyter_args + extra if a != "--"]
    steps = [[str(root / "scripts" / "setup.sh")], [str(root / "scripts" / "lab.sh"), *args]]
    if ns.dry_run:
        for s in steps:
            print(shlex.join(s))
        return OK
    for s in steps:
        code = subprocess.call(s, cwd=root)
        if code != 0:
            _err(f"labkit lab: {Path(s[0]).name} exited with code {code}")
            return code if code in (1, 2) else USAGE
    return OK


# ============================================================================ grading
def _delegate(command: str, args: list[str]) -> int:
    fn = _GRADING[command]
    if importlib.util.find_spec("labkit.grading") is None:
        if any(a in ("-h", "--help") for a in args):
            print(f"usage: labkit {command} ...\n\n{DELEGATED[command]}\n"
                  "(labkit.grading is not installed in this copy of labkit)")
            return OK
        _err(f"labkit {command}: error: the grading package (labkit.grading) is not installed in this copy of labkit")
        return USAGE
    try:
        grading = importlib.import_module("labkit.grading")
    except ImportError as e:
        _err(f"labkit {command}: error: labkit.grading cannot be imported: {e}")
        return USAGE
    entry = getattr(grading, fn, None)
    if entry is None:
        _err(f"labkit {command}: error: labkit.grading has no {fn}()")
        return USAGE
    try:
        code = entry(list(args))
    except SystemExit as e:  # an argparse inside the grading package
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else USAGE)
    except LabkitError as e:
        _err(f"labkit {command}: error: {e}")
        return USAGE
    return int(code or 0)


# ============================================================================ simulate
def _load(path: str):
    from . import io as files
    return files.load(path)


def apply_event(cluster, text: str) -> str:
    """Apply one event (see ``labkit simulate --help``) to ``cluster``; return it normalised.

    >>> import labkit as lk
    >>> c = lk.Cluster("LAB"); _ = c.add_node("N1"); _ = c.add_node("N2"); c.run_until_stable()
    >>> apply_event(c, "crash N1"), apply_event(c, "run 1m"), c.groups["Cluster Group"].owner
    ('crash N1', 'run 1m', 'N2')
    """
    from .sim import parse_duration

    if not isinstance(text, str) or not text.strip():
        raise ValidationError("an event is a non-empty text such as 'crash 1-CURLY'", rule="simulate events")
    try:
        words = shlex.split(text)
    except ValueError as e:
        raise ValidationError(f"cannot read event {text!r}: {e}", rule="simulate events") from None
    verb, rest = words[0].lower(), words[1:]
    name = " ".join(rest)
    node_verbs = {"crash": "crash_node", "start": "start_node", "stop": "stop_node", "restart": "restart_node",
                  "pause": "pause_node", "resume": "resume_node", "evict": "evict_node"}
    res_verbs = {"fail": "fail_resource", "repair": "repair_resource", "monitor-crash": "crash_resource_monitor"}
    if verb in node_verbs or verb in res_verbs or verb in ("offline", "run"):
        if not rest:
            raise ValidationError(f"event {text!r} needs a name after {verb!r}", rule="simulate events")
    if verb in node_verbs:
        getattr(cluster, node_verbs[verb])(name)
    elif verb in res_verbs:
        getattr(cluster, res_verbs[verb])(name)
    elif verb == "fault":
        opts = []
        while rest and rest[-1].lower() in ("crash", "hang", "persistent", "everywhere") \
                and cluster.find_name("resources", " ".join(rest)) is None:
            opts.insert(0, rest.pop().lower())
        kind = "hang" if "hang" in opts else "crash"
        cluster.inject_fault(" ".join(rest), kind, persistent="persistent" in opts, everywhere="everywhere" in opts)
        name = " ".join(rest + opts)
    elif verb in ("move", "online"):
        group, node = name, None
        if len(rest) >= 2 and cluster.find_name("groups", name) is None \
                and cluster.find_name("groups", " ".join(rest[:-1])) is not None:
            group, node = " ".join(rest[:-1]), rest[-1]
        (cluster.move_group if verb == "move" else cluster.online_group)(group, node)
    elif verb == "offline":
        cluster.offline_group(name)
    elif verb == "partition":
        sides = [[n.strip() for n in side.split(",") if n.strip()] for side in
                 name.replace("|", "/").split("/")]
        cluster.partition(sides)
    elif verb == "heal" and not rest:
        cluster.heal()
    elif verb == "run":
        parse_duration(name)
        cluster.run(duration=name)
    elif verb in ("stable", "settle") and not rest:
        cluster.run_until_stable()
    else:
        raise ValidationError(f"unknown event {text!r}; see `labkit simulate --help` for the events",
                              rule="simulate events")
    return f"{verb} {name}".strip()




def _stamp(cluster, ms: int) -> str:
    t = cluster.clock.at(ms)
    return t.strftime("%H:%M:%S.") + f"{t.microsecond // 1000:03d}" + (
        "" if t.date() == cluster.clock.at(0).date() else t.strftime(" (%a %d %b)"))


def status_text(cluster) -> list[str]:
    """Nodes and groups, one per line (crm_simulate's "cluster status")."""
    q = cluster.quorum_owner
    nodes = [f"{n} {cluster.nodes[n].state}{' (quorum)' if n == q else ''}" for n in cluster.node_ids()]
    lines = ["  Nodes: " + (", ".join(nodes) if nodes else "(none)") +
             ("" if cluster.running else "  -- the cluster service is stopped")]
    if cluster.groups:
        width = max(len(g) for g in cluster.groups)
        lines.append("  Groups:")
        for g in cluster.groups.values():
            lines.append(f"    {g.name:<{width}}  {str(g.state):<16}  {g.owner or '(no owner)'}")
    return lines


def transition_text(cluster, before: dict, mark: int, start_ms: int, *, brief: bool = False) -> list[str]:
    """What changed since ``mark`` (a log length) and ``start_ms``: the summary of moves,
    the transition in log order and the client outages."""
    out = ["Transition summary:"]
    moves = []
    for g in cluster.groups.values():
        owner0, state0 = before.get(g.name, (None, None))
        outs = [(s, e) for s, e in g.outages if (e is None or e > start_ms)]
        waited = sum((e if e is not None else cluster.clock.ms) - max(s, start_ms) for s, e in outs)
        up_now = g.state in (GroupState.ONLINE, GroupState.PARTIAL_ONLINE)
        was_up = state0 in (GroupState.ONLINE, GroupState.PARTIAL_ONLINE)
        if owner0 != g.owner and up_now:
            verb, where = ("Move", f"{owner0} -> {g.owner}") if owner0 else ("Start", g.owner)
        elif was_up and not up_now:
            verb, where = "Stop", f"{owner0}" + (", left Failed" if g.state is GroupState.FAILED else "")
        elif not was_up and up_now:
            verb, where = "Start", g.owner
        elif outs:
            verb, where = "Restart", g.owner
        elif owner0 != g.owner:
            verb, where = "Owner", f"{owner0 or '(none)'} -> {g.owner or '(none)'}, {g.state}"
        else:
            continue
        wait = ""
        if outs:
            open_ = any(e is None for _, e in outs)
            wait = (f"clients waited {duration_ms(waited)}" if not open_ else
                    f"clients cut off since {_stamp(cluster, max(outs[-1][0], start_ms))} ({duration_ms(waited)} so far)")
        first = min([s for s, _ in outs] + [cluster.clock.ms])
        moves.append((first, g.name, verb, f"({where})", wait))
    moves.sort()
    if moves:
        w = [max(len(m[i]) for m in moves) for i in (1, 2, 3)]
        out += [f"  * {v:<{w[1]}}  {n:<{w[0]}}  {wh:<{w[2]}}  {wait}".rstrip() for _, n, v, wh, wait in moves]
    else:
        out.append("  (no group changed owner or state)")
    out += ["", "Executing cluster transition:"]
    events = cluster.log[mark:]
    if brief:
        events = [e for e in events if e.obj in cluster.groups or e.obj in cluster.nodes or e.obj == cluster.name]
    out += [f"  {e}" for e in events] or ["  (nothing happened)"]
    outages = [(s, g.name, e) for g in cluster.groups.values() for s, e in g.outages if e is None or e > start_ms]
    if outages:
        out += ["", "Client outages (group not Online):"]
        width = max(len(n) for _, n, _ in outages)
        for s, n, e in sorted(outages, key=lambda x: (x[0], x[1])):
            end = _stamp(cluster, e) if e is not None else "still down"
            dur = (e if e is not None else cluster.clock.ms) - max(s, start_ms)
            out.append(f"  {n:<{width}}  {_stamp(cluster, max(s, start_ms))} -> {end:<12}  {duration_ms(dur)}")
    return out


def _simulate(ns) -> int:
    from . import io as files

    c = _load(ns.clusterfile)
    print(f"{c.name} ({c.edition}) from {ns.clusterfile}, at {c.now:%Y-%m-%d %H:%M:%S}")
    print("\nCurrent cluster status:")
    print("\n".join(status_text(c)))
    before = {g.name: (g.owner, g.state) for g in c.groups.values()}
    mark, start = len(c.log), c.clock.ms
    print("\nPerforming requested events:")
    for i, text in enumerate(ns.event, 1):
        at = _stamp(c, c.clock.ms)
        try:
            done = apply_event(c, text)
        except LabkitError as e:
            raise type(e)(f"event {i} ({text!r}) refused: {e.detail}", rule=e.rule, source=e.source) from None
        print(f"  * {at}  {done}" + (f"  (until {_stamp(c, c.clock.ms)})" if done.startswith("run ") else ""))
    if not ns.event:
        print("  (none)")
    if not ns.no_settle:
        c.run_until_stable()
    print()
    print("\n".join(transition_text(c, before, mark, start, brief=ns.brief)))
    print(f"\nRevised cluster status (at {c.now:%Y-%m-%d %H:%M:%S}):")
    print("\n".join(status_text(c)))
    if ns.save:
        files.save(c, ns.save)
        print(f"\nsaved to {ns.save}")
    return OK


# ============================================================================= cluster
def _cluster(ns, extra) -> int:
    from .clusterexe import cli as clusterexe_cli

    try:
        return clusterexe_cli.main(ns.clusterfile, list(ns.rest) + list(extra))
    except clusterexe_cli.CommandLineError as e:
        raise _Usage(str(e)) from None


# ============================================================================= diagram
def _diagram(ns) -> int:
    out = Path(ns.out)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("svg", "png", "dot", "gv"):
        raise _Usage(f"labkit diagram: error: --out must end in .svg, .png or .dot, not {out.name!r}")
    c = _load(ns.clusterfile)
    from . import io as files
    from .views import diagrams
    if ns.group is not None:
        dot = diagrams.group_diagram(c, c.group(ns.group).name)
    else:
        dot = diagrams.cluster_diagram(c, show_resources=ns.resources)
    if fmt in ("dot", "gv"):
        files.write_atomic(out, dot.source)
    else:
        import graphviz
        try:
            data = dot.pipe(format=fmt)
        except graphviz.ExecutableNotFound:
            raise _Usage("labkit diagram: error: the Graphviz 'dot' program is missing; install the Debian "
                         "package graphviz (or write .dot)") from None
        files.write_atomic(out, data)
    print(f"wrote {out}")
    return OK


# ===================================================================== export-pacemaker
def _export(ns) -> int:
    from .io import pacemaker

    c = _load(ns.clusterfile)
    xml = pacemaker.status_cib(c, style=ns.style) if ns.status else pacemaker.export_cib(c, style=ns.style)
    if ns.verify:
        ok, msg = pacemaker.verify_cib(xml)
        if not ok:
            _err(f"labkit export-pacemaker: crm_verify rejects the CIB: {msg.splitlines()[0] if msg else ''}")
            return CHECKS_FAILED
    if ns.out:
        from . import io as files
        files.write_atomic(Path(ns.out), xml)
        print(f"wrote {ns.out}" + (" (crm_verify: valid)" if ns.verify else ""))
    else:
        sys.stdout.write(xml)
    return OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
