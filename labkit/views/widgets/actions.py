"""The commands behind the widgets, as plain functions of a cluster (no ipywidgets).

Every button of the Cluster Administrator widget calls :func:`apply_action`, and the
dependency explorer's Prev/Next call :func:`order_steps`; tests drive these directly.
An action is named after the :class:`~labkit.cluster.Cluster` method it calls
(``move_group``, ``crash_node``, ``run`` ...), so what a learner clicks is what they
would type. A refused command never raises here: it comes back as an
:class:`ActionResult` with ``ok=False`` and the rule's message, and the cluster is
unchanged (the core's all-or-nothing guarantee). ``ActionResult.command`` is the
equivalent ``cluster.exe`` line (:func:`labkit.clusterexe.command_line`).

>>> from labkit.scenarios import file_share_cluster
>>> c = file_share_cluster()
>>> print(apply_action(c, "move_group", group="FS", node="NODE2", settle=True))
09:00:09 · FS: move to NODE2 requested. FS is Online on NODE2.
>>> r = apply_action(c, "crash_node", node="NODE9")
>>> r.ok, r.message
(False, "Refused: no node named 'NODE9' in cluster LAB [rule: commands name existing nodes]")
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from ...cluster import Cluster, GroupState, NodeState
from ...clusterexe.equivalent import command_line
from ...errors import LabkitError, ValidationError


@dataclass(frozen=True)
class ActionResult:
    """What an action did: ``ok`` (False when refused), a one-line ``message`` for
    the status bar, and the cluster log ``events`` it appended."""

    ok: bool
    message: str
    events: tuple = ()
    #: the cluster.exe line that does the same (None when cluster.exe has no such command)
    command: str | None = None

    def __str__(self) -> str:
        return self.message


class Subject(StrEnum):
    """What an action's status line describes: the group, resource or node it named, or
    the whole cluster (what is still pending)."""

    GROUP = "group"
    RESOURCE = "resource"
    NODE = "node"
    CLUSTER = "cluster"


@dataclass(frozen=True)
class ActionSpec:
    """An action the widget offers: the Cluster method it calls, its required and
    optional arguments, the button label and what its status line describes."""

    name: str
    label: str
    required: tuple = ()
    optional: tuple = ()
    about: Subject = Subject.CLUSTER


#: Every action the Cluster Administrator widget can perform, by Cluster method name.
ACTIONS: dict[str, ActionSpec] = {s.name: s for s in (
    ActionSpec("move_group", "Move group", ("group",), ("node",), Subject.GROUP),
    ActionSpec("online_group", "Bring online", ("group",), ("node",), Subject.GROUP),
    ActionSpec("offline_group", "Take offline", ("group",), (), Subject.GROUP),
    ActionSpec("fail_resource", "Fail resource", ("resource",), (), Subject.RESOURCE),
    ActionSpec("inject_fault", "Inject fault", ("resource",), ("kind", "persistent", "everywhere"), Subject.RESOURCE),
    ActionSpec("repair_resource", "Repair", ("resource",), (), Subject.RESOURCE),
    ActionSpec("online_resource", "Online resource", ("resource",), (), Subject.RESOURCE),
    ActionSpec("offline_resource", "Offline resource", ("resource",), (), Subject.RESOURCE),
    ActionSpec("crash_resource_monitor", "Crash its monitor", ("resource",), (), Subject.RESOURCE),
    ActionSpec("crash_node", "Crash", ("node",), (), Subject.NODE),
    ActionSpec("start_node", "Start", ("node",), (), Subject.NODE),
    ActionSpec("stop_node", "Stop service", ("node",), (), Subject.NODE),
    ActionSpec("restart_node", "Restart", ("node",), (), Subject.NODE),
    ActionSpec("pause_node", "Pause", ("node",), (), Subject.NODE),
    ActionSpec("resume_node", "Resume", ("node",), (), Subject.NODE),
    ActionSpec("run", "Run", (), ("seconds", "minutes", "hours")),
    ActionSpec("run_until_stable", "Run until stable"),
)}


def check_action(action, args: dict) -> ActionSpec:
    """Check an action name and its arguments; raise ValidationError if wrong.

    >>> check_action("crash_node", {"node": "N1"}).label
    'Crash'
    """
    spec = ACTIONS.get(action) if isinstance(action, str) else None
    if spec is None:
        raise ValidationError(f"unknown action {action!r}; choose one of {', '.join(ACTIONS)}",
                              rule="widget actions are Cluster commands")
    missing = [a for a in spec.required if args.get(a) is None]
    if missing:
        raise ValidationError(f"{action} needs {', '.join(missing)}",
                              rule=f"{action} takes {', '.join(spec.required + spec.optional)}")
    extra = sorted(set(args) - set(spec.required) - set(spec.optional))
    if extra:
        raise ValidationError(f"{action} does not take {', '.join(extra)}",
                              rule=f"{action} takes {', '.join(spec.required + spec.optional) or 'no arguments'}")
    return spec


def apply_action(cluster: Cluster, action: str, /, *, settle: bool = False, **args) -> ActionResult:
    """Perform one Cluster Administrator action and say what happened.

    ``action`` is a key of :data:`ACTIONS` (a Cluster method name) and ``args`` its
    arguments; arguments that are None are left out (a dropdown with nothing chosen).
    With ``settle`` the clock then runs until nothing is pending. A refused command
    (any :class:`~labkit.errors.LabkitError`) returns ``ok=False`` and the rule's
    message; the cluster is then exactly as it was.

    >>> from labkit.scenarios import file_share_cluster
    >>> c = file_share_cluster()
    >>> print(apply_action(c, "fail_resource", resource="Share FS"))
    09:00:04 · Share FS failed. Share FS is Online Pending on NODE1; FS is Pending on NODE1.
    """
    args = {k: v for k, v in args.items() if v is not None}
    line = command_line(action, args) if isinstance(action, str) else None
    if not isinstance(cluster, Cluster):
        return _refused(ValidationError(f"actions need a labkit Cluster, not {type(cluster).__name__}"))
    if not isinstance(settle, bool):
        return _refused(ValidationError(f"settle must be True or False, not {settle!r}"))
    mark = len(cluster.log)
    try:
        spec = check_action(action, args)
        head = _HEADLINES[spec.name](cluster, **args)
        got = getattr(cluster, spec.name)(**args)
        if spec.name == "crash_resource_monitor":
            head += f": {len(got)} resource{'s' if len(got) != 1 else ''} failed"
        if settle and spec.name != "run_until_stable":
            cluster.run_until_stable()
    except LabkitError as e:
        return _refused(e, line)
    tail = _status(cluster, spec, args)
    msg = f"{cluster.now:%H:%M:%S} · {head}." + (f" {tail}." if tail else "")
    return ActionResult(True, msg, tuple(cluster.log.since(mark)), line)


def _refused(e: LabkitError, line: str | None = None) -> ActionResult:
    return ActionResult(False, f"Refused: {e}", (), line)


def _move_head(c, group, node=None):
    if node is None and isinstance(group, str) and group in c.groups:
        node = c.failover_target(group) or "the next node"
    return f"{group}: move to {node} requested"


def _run_head(c, seconds=0, minutes=0, hours=0):
    parts = [f"{v:g} {u}" if isinstance(v, (int, float)) else f"{v!r} {u}"
             for v, u in ((hours, "h"), (minutes, "min"), (seconds, "s")) if v]
    return f"clock advanced {' '.join(parts) or '0 s'}"


_HEADLINES = {
    "move_group": _move_head,
    "online_group": lambda c, group, node=None: f"{group}: online requested" + (f" on {node}" if node else ""),
    "offline_group": lambda c, group: f"{group}: offline requested",
    "fail_resource": lambda c, resource: f"{resource} failed",
    "inject_fault": lambda c, resource, kind="crash", persistent=False, everywhere=False:
        f"{'lasting ' if persistent or everywhere else ''}{kind} fault injected into {resource}",
    "repair_resource": lambda c, resource: f"{resource} repaired",
    "online_resource": lambda c, resource: f"{resource}: online requested",
    "offline_resource": lambda c, resource: f"{resource}: offline requested",
    "crash_resource_monitor": lambda c, resource: (
        f"the resource monitor of {resource} crashed"),
    "crash_node": lambda c, node: f"{node} crashed (power loss)",
    "start_node": lambda c, node: f"cluster service started on {node}",
    "stop_node": lambda c, node: f"cluster service stopping on {node}",
    "restart_node": lambda c, node: f"{node} restarting",
    "pause_node": lambda c, node: f"{node} paused",
    "resume_node": lambda c, node: f"{node} resumed",
    "run": _run_head,
    "run_until_stable": lambda c: "ran until stable",
}


def _status(c: Cluster, spec: ActionSpec, args: dict) -> str:
    if spec.about is Subject.GROUP:
        return describe_group(c, args["group"])
    if spec.about is Subject.RESOURCE:
        r = c.resources[args["resource"]]
        return f"{describe_resource(c, r.name)}; {describe_group(c, r.group)}"
    if spec.about is Subject.NODE:
        return describe_node(c, args["node"])
    pending = sum(1 for g in c.groups.values() if g.state is GroupState.PENDING)
    return "nothing pending" if c.is_stable() and not pending else \
        f"{pending} group{'s' if pending != 1 else ''} pending"


def describe_group(c: Cluster, group: str) -> str:
    """'FS is Online on NODE1' (one line, for status bars)."""
    g = c.groups[group]
    return f"{g.name} is {g.state}" + (f" on {g.owner}" if g.owner else " with no owner")


def describe_resource(c: Cluster, resource: str) -> str:
    """'Share FS is Online on NODE1'."""
    r = c.resources[resource]
    return f"{r.name} is {r.state}" + (f" on {r.node}" if r.node else "")


def describe_node(c: Cluster, node: str) -> str:
    """'NODE1 is Up, owns Cluster Group, FS'."""
    n = c.nodes[node]
    owned = c.groups_on(node)
    text = f"{node} is {n.state}"
    if n.state is NodeState.DOWN and n.regroup_pending:
        text += " (the others have not noticed yet)"
    return text + (f", owns {', '.join(owned)}" if owned else ", owns no groups")


# ----------------------------------------------------------- dependency explorer
class Direction(StrEnum):
    """Which of a group's orders: online (providers first) or offline (dependents first)
    (paper, Table 1, Resource Dependency)."""

    ONLINE = "online"
    OFFLINE = "offline"


@dataclass(frozen=True)
class Step:
    """One step of a group's online or offline sequence.

    ``after`` are the resources this one waits for (its providers when coming online,
    its dependents when going offline); ``wave`` counts how many resources must finish
    before it can start on the longest chain -- resources of one wave start together.
    """

    index: int
    total: int
    resource: str
    direction: Direction
    after: tuple = ()
    wave: int = 1
    done: tuple = field(default=(), repr=False)

    @property
    def text(self) -> str:
        verb = "comes online" if self.direction is Direction.ONLINE else "goes offline"
        if self.after:
            whom = "its providers" if self.direction is Direction.ONLINE else "its dependents"
            cond = f"after {whom} {', '.join(self.after)}"
        else:
            cond = "first: it waits for nothing" if self.direction is Direction.ONLINE else \
                "first: nothing depends on it"
        return f"{self.direction.capitalize()} step {self.index} of {self.total} (wave {self.wave}): " \
               f"{self.resource} {verb} {cond}"


def order_steps(cluster: Cluster, group: str, direction: Direction = Direction.ONLINE) -> list[Step]:
    """The steps of ``group``'s online order (providers first) or offline order
    (dependents first), as MSCS runs them (paper, Table 1, Resource Dependency).

    >>> from labkit.scenarios import file_share_cluster
    >>> for s in order_steps(file_share_cluster(), "FS"): print(s.text)
    Online step 1 of 4 (wave 1): Disk FS comes online first: it waits for nothing
    Online step 2 of 4 (wave 1): IP FS comes online first: it waits for nothing
    Online step 3 of 4 (wave 2): Name FS comes online after its providers IP FS
    Online step 4 of 4 (wave 3): Share FS comes online after its providers Disk FS, Name FS
    """
    if direction not in tuple(Direction):
        raise ValidationError(f"direction must be 'online' or 'offline', not {direction!r}",
                              rule="a group has an online and an offline order")
    direction = Direction(direction)
    if not isinstance(cluster, Cluster):
        raise ValidationError(f"order_steps needs a labkit Cluster, not {type(cluster).__name__}")
    order = cluster.online_order(group) if direction is Direction.ONLINE else cluster.offline_order(group)
    waits = {}
    for rn in order:
        if direction is Direction.ONLINE:
            waits[rn] = tuple(p for p in order if p in cluster.resources[rn].dependencies)
        else:
            waits[rn] = tuple(d for d in order if d in cluster.dependents(rn))
    wave: dict[str, int] = {}
    for rn in order:  # every resource waited for comes earlier in the order
        wave[rn] = 1 + max((wave[w] for w in waits[rn]), default=0)
    return [Step(i, len(order), rn, direction, waits[rn], wave[rn], tuple(order[:i - 1]))
            for i, rn in enumerate(order, start=1)]


def step_diagram(cluster: Cluster, group: str, step: Step | None):
    """The group's dependency diagram with ``step``'s resource outlined (None: no step)."""
    from ..diagrams import group_diagram
    if step is None:
        return group_diagram(cluster, group, step_label="(no resources)")
    return group_diagram(cluster, group, highlight=[step.resource], step_label=step.text)
