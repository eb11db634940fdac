"""The same cluster as Pacemaker sees it: export a labkit cluster as a Pacemaker CIB.

Pacemaker (with Corosync) is today's open-source HA cluster stack; its
configuration, the CIB (Cluster Information Base), is an XML document. Exporting
a 2001 MSCS design into it shows a learner which ideas survived and how they are
spelled now. The mapping (MSCS -> Pacemaker):

=============================  ==============================================================
MSCS (Windows 2000)            Pacemaker CIB
=============================  ==============================================================
node                           ``<node id= uname=>``
resource                       ``<primitive>``: agent after :data:`AGENTS` (below)
LooksAlive / IsAlive polls     two ``monitor`` operations; the IsAlive one with
                               ``OCF_CHECK_LEVEL=10`` (the agent's thorough check)
PendingTimeout                 ``start`` and ``stop`` operation ``timeout``
RestartThreshold in Period     ``migration-threshold`` = threshold + 1 (MSCS restarts in
                               place *threshold* times, the next failure moves the group)
                               and ``failure-timeout`` = RestartPeriod
RestartAction dont_restart     ``on-fail=stop`` on the monitors (left failed, group stays)
RestartAction restart_no_nfy   ``migration-threshold=INFINITY`` (restarts, never moves)
group (unit of failover)       an *anchor*: an ``ocf:pacemaker:Dummy`` primitive named
                               ``grp-<group>`` standing for "who owns the group"; every
                               member is colocated with it (``INFINITY``)
dependency (a DAG)             ``rsc_order`` provider -> dependent (Mandatory); members
                               without providers start after the anchor
preferred owners               ``rsc_location`` scores on the anchor: 1000 + 10 per place
                               for preferred owners in order, then 1, 2, ... for the
                               other nodes in node-id order (KB 299631's effective list)
possible owners                ``-INFINITY`` location bans: on each resource for the nodes
                               that are not its possible owners, and on the anchor for
                               the nodes that cannot host every member (MSCS rule)
AutoFailback prevent / allow   ``resource-stickiness`` ``INFINITY`` / ``0`` on the anchor;
failback window                a rule: stickiness 0 only in the window's hours (date_spec)
offline group / resource       ``target-role=Stopped``
quorum disk                    nothing: Corosync counts votes; ``no-quorum-policy=ignore``
                               keeps the last node running, as the quorum disk did
SCSI reservations              nothing: ``stonith-enabled=false``; a production Pacemaker
                               cluster *must* fence (the disk reservations were MSCS's
                               fencing)
FailoverThreshold / Period     no equivalent (noted in the anchor's description)
=============================  ==============================================================

Why an anchor and constraints rather than a Pacemaker ``<group>``: a Pacemaker
group is an ordered *chain* -- each member starts after the previous one and stops
if it stops -- while MSCS dependencies form a DAG (the Disk and the IP Address of a
file-share group are independent). ``export_cib(c, style="group")`` writes the
simpler chain instead (members in :meth:`Cluster.online_order`), which is stricter
than MSCS: a failed IP Address then also stops the disk's dependents.

Comparing decisions with Pacemaker's own simulator, ``crm_simulate`` (Debian
package ``pacemaker-cli-utils``): :func:`compare_with_crm_simulate`.

>>> import labkit as lk
>>> c = lk.Cluster("LAB", ip="10.0.0.100"); _ = c.add_node("N1"); _ = c.add_node("N2")
>>> xml = export_cib(c)
>>> '<primitive id="Cluster-IP-Address" class="ocf" provider="heartbeat" type="IPaddr2"' in xml
True
"""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from .cluster.cluster import Cluster
from .cluster.model import GroupState, NodeState, ResourceState, RestartAction
from .errors import ConfigurationError, ValidationError


# ================================================================================== agents
@dataclass(frozen=True)
class Agent:
    """A Pacemaker resource agent: ``standard:provider:type`` (provider only for ocf),
    a function giving its instance attributes from a labkit resource, and a note."""

    standard: str
    provider: str | None
    type: str
    params: object = None
    note: str = ""

    def attributes(self, resource) -> dict:
        return dict(self.params(resource)) if self.params else {}

    @property
    def spec(self) -> str:
        return ":".join(p for p in (self.standard, self.provider, self.type) if p)


def _prefix(mask: str) -> str:
    try:
        return str(sum(bin(int(x)).count("1") for x in str(mask).split(".")))
    except ValueError:
        return "24"


def _unit(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.@-]", "-", name).strip("-").lower() or "service"


_DUMMY_NOTE = "no Linux equivalent: a stand-in (ocf:pacemaker:Dummy keeps a state file)"

#: Resource type -> agent. Exchange 2000 only runs on Windows, so its nine types are
#: stand-ins; :func:`register_agent` adds or replaces a mapping.
AGENTS: dict[str, Agent] = {
    "Physical Disk": Agent("ocf", "heartbeat", "Filesystem", lambda r: {
        "device": f"/dev/disk/by-label/{(r.properties.get('drive') or r.name).rstrip(':')}",
        "directory": f"/mnt/{(r.properties.get('drive') or _unit(r.name)).rstrip(':')}", "fstype": "ext4"},
        "mounts a shared disk; MSCS reserved it with SCSI reserve (Pacemaker: fencing, sg_persist)"),
    "IP Address": Agent("ocf", "heartbeat", "IPaddr2", lambda r: {
        "ip": r.properties.get("address", ""), "cidr_netmask": _prefix(r.properties.get("subnet_mask", ""))},
        "a floating address, as the MSCS IP Address resource"),
    "Network Name": Agent("ocf", "pacemaker", "Dummy", lambda r: {"fake": r.properties.get("name", "")},
                          "a NetBIOS name: modern stacks publish a DNS name for the floating IP instead"),
    "File Share": Agent("ocf", "heartbeat", "exportfs", lambda r: {
        "directory": r.properties.get("path") or f"/srv/{r.properties.get('share_name', _unit(r.name))}",
        "clientspec": "*", "fsid": str(abs(hash_name(r.name)) % 65535 + 1)},
        "an SMB share in MSCS; the Linux equivalent exports a directory over NFS"),
    "Generic Service": Agent("systemd", None, "", None, "a Windows service -> a systemd unit"),
    "Generic Application": Agent("ocf", "heartbeat", "anything", lambda r: {
        "binfile": r.properties.get("command_line") or "/bin/true"}, "any program kept running"),
}


def hash_name(name: str) -> int:
    """A stable small hash of a name (Python's ``hash`` changes between runs).

    >>> hash_name("Share FS") == hash_name("Share FS")
    True
    """
    h = 0
    for ch in name.encode("utf-8"):
        h = (h * 131 + ch) % 2_147_483_647
    return h


def register_agent(resource_type: str, agent: Agent) -> None:
    """Export resources of ``resource_type`` with ``agent``."""
    if not isinstance(resource_type, str) or not isinstance(agent, Agent):
        raise ValidationError("register_agent takes a resource type name and an Agent")
    AGENTS[resource_type] = agent


def agent_for(resource) -> Agent:
    """The agent a labkit resource is exported with (Generic Service -> its systemd unit;
    unknown and Exchange types -> ``ocf:pacemaker:Dummy``)."""
    a = AGENTS.get(resource.type)
    if a is None:
        return Agent("ocf", "pacemaker", "Dummy", None, f"{resource.type}: {_DUMMY_NOTE}")
    if a.standard == "systemd" and not a.type:
        unit = resource.properties.get("service_name") or _unit(resource.name)
        return Agent("systemd", None, _unit(unit), None, a.note)
    return a


# ===================================================================================== ids
_NCNAME_BAD = re.compile(r"[^A-Za-z0-9_.-]+")


def _ncname(name: str, prefix: str) -> str:
    s = re.sub(r"-{2,}", "-", _NCNAME_BAD.sub("-", name)).strip("-.") or prefix.rstrip("-")
    if not re.match(r"[A-Za-z_]", s):
        s = prefix + s
    return s


class _Ids:
    """Unique XML ids (NCNames: letters first, no spaces or colons) for labkit names."""

    def __init__(self):
        self.used: set[str] = set()

    def new(self, text: str, prefix: str = "x-") -> str:
        base = _ncname(text, prefix)
        out, n = base, 2
        while out in self.used:
            out, n = f"{base}-{n}", n + 1
        self.used.add(out)
        return out


def resource_ids(cluster: Cluster) -> dict[str, str]:
    """labkit resource name -> Pacemaker primitive id; groups as ``grp-<group>``."""
    ids = _Ids()
    out = {}
    for g in cluster.groups:
        out[("group", g)] = ids.new("grp-" + g)
    for r in cluster.resources:
        out[r] = ids.new(r, "r-")
    return out


def _ms(ms: int) -> str:
    return f"{ms // 1000}s" if ms % 1000 == 0 else f"{ms}ms"


# =================================================================================== export
def export_cib(cluster: Cluster, *, style: str = "constraints", include_quorum: bool = False,
               _frozen: bool = False, _standby: tuple = ()) -> str:
    """The cluster as a Pacemaker CIB (XML text, deterministic). ``style`` is
    "constraints" (an anchor per group and one order constraint per dependency: the
    DAG as it is) or "group" (a Pacemaker group per MSCS group, members in online
    order: a chain). The quorum disk is left out unless ``include_quorum``."""
    if not isinstance(cluster, Cluster):
        raise ValidationError(f"export a labkit Cluster, not {cluster!r}")
    if style not in ("constraints", "group"):
        raise ValidationError(f"style is 'constraints' or 'group', not {style!r}")
    ids = resource_ids(cluster)
    cib = ET.Element("cib", {"validate-with": "pacemaker-3.0", "epoch": "1", "num_updates": "0",
                             "admin_epoch": "0"})
    cib.append(ET.Comment(
        f" {cluster.name} ({cluster.edition}) exported by labkit from a simulated Windows 2000 MSCS cluster. "
        "Each MSCS group is an anchor primitive grp-<group> that its resources are colocated with; each "
        "dependency is an order constraint. See labkit/pacemaker.py for the whole mapping. "))
    conf = ET.SubElement(cib, "configuration")
    crm = ET.SubElement(ET.SubElement(conf, "crm_config"), "cluster_property_set", id="cib-bootstrap-options")
    for name, value in (("cluster-name", cluster.name), ("stonith-enabled", "false"),
                        ("no-quorum-policy", "ignore"), ("symmetric-cluster", "true"),
                        ("start-failure-is-fatal", "false")):
        ET.SubElement(crm, "nvpair", id=f"opt-{name}", name=name, value=value)
    nodes_el = ET.SubElement(conf, "nodes")
    for n in cluster.node_ids():
        node = cluster.nodes[n]
        ne = ET.SubElement(nodes_el, "node", id=str(node.id), uname=n)
        if n in _standby:
            ia = ET.SubElement(ne, "instance_attributes", id=f"node-{node.id}-attrs")
            ET.SubElement(ia, "nvpair", id=f"node-{node.id}-standby", name="standby", value="on")
    res_el = ET.SubElement(conf, "resources")
    cons = ET.SubElement(conf, "constraints")
    nodes = cluster.node_ids()
    skip = set() if include_quorum else {cluster.quorum_resource}
    for g in cluster.groups.values():
        members = [r for r in cluster.online_order(g.name) if r not in skip]
        gid = ids[("group", g.name)]
        stopped = not g.persistent_state or g.failed
        if style == "group":
            if not members:
                continue
            parent = ET.SubElement(res_el, "group", id=gid, description=_group_note(g))
            _group_meta(parent, gid, g, stopped, _frozen)
            for rn in members:
                _primitive(parent, cluster, cluster.resources[rn], ids[rn], _frozen)
        else:
            anchor = ET.SubElement(res_el, "primitive", {"id": gid, "class": "ocf", "provider": "pacemaker",
                                                          "type": "Dummy", "description": _group_note(g)})
            _group_meta(anchor, gid, g, stopped, _frozen)
            for rn in members:
                _primitive(res_el, cluster, cluster.resources[rn], ids[rn], _frozen)
        # placement of the group: preferred owners, then node-id order; bans for non-hosts
        eff = cluster.effective_owners(g.name)
        prefs = [n for n in g.preferred_owners if n in cluster.nodes]
        for i, n in enumerate(eff):
            score = 1000 + 10 * (len(prefs) - i) if n in prefs else len(eff) - i
            ET.SubElement(cons, "rsc_location", id=f"loc-{gid}-{_ncname(n, 'n-')}", rsc=gid, node=n,
                          score=str(score))
        for n in nodes:
            if any(n not in cluster.resources[r].possible_owners for r in g.resources if r not in skip):
                ET.SubElement(cons, "rsc_location", id=f"ban-{gid}-{_ncname(n, 'n-')}", rsc=gid, node=n,
                              score="-INFINITY")
        if style == "group":
            continue
        for rn in members:
            r = cluster.resources[rn]
            rid = ids[rn]
            ET.SubElement(cons, "rsc_colocation", id=f"col-{rid}", rsc=rid, **{"with-rsc": gid}, score="INFINITY")
            provs = [p for p in r.dependencies if p not in skip]
            for p in provs:
                ET.SubElement(cons, "rsc_order", id=f"ord-{ids[p]}-then-{rid}", first=ids[p], then=rid,
                              kind="Mandatory")
            if not provs:
                ET.SubElement(cons, "rsc_order", id=f"ord-{gid}-then-{rid}", first=gid, then=rid, kind="Mandatory")
            for n in nodes:
                if n not in r.possible_owners:
                    ET.SubElement(cons, "rsc_location", id=f"ban-{rid}-{_ncname(n, 'n-')}", rsc=rid, node=n,
                                  score="-INFINITY")
    rd = ET.SubElement(ET.SubElement(conf, "rsc_defaults"), "meta_attributes", id="rsc-defaults")
    ET.SubElement(rd, "nvpair", id="rsc-defaults-stickiness", name="resource-stickiness", value="0")
    ET.SubElement(cib, "status")
    ET.indent(cib, space="  ")
    return ET.tostring(cib, encoding="unicode") + "\n"


def _group_note(g) -> str:
    return (f"MSCS group {g.name}: FailoverThreshold {g.failover_threshold} in {g.failover_period_hours:g} h "
            "(no Pacemaker equivalent)")


def _group_meta(el, gid: str, g, stopped: bool, frozen: bool) -> None:
    meta = ET.SubElement(el, "meta_attributes", id=f"{gid}-meta", score="1")
    sticky = "INFINITY" if (frozen or not g.auto_failback or g.failback_window) else "0"
    ET.SubElement(meta, "nvpair", id=f"{gid}-stickiness", name="resource-stickiness", value=sticky)
    if stopped:
        ET.SubElement(meta, "nvpair", id=f"{gid}-target-role", name="target-role", value="Stopped")
    if g.auto_failback and g.failback_window and not frozen:
        start, end = g.failback_window
        spans = [(start, end - 1)] if start < end else [(start, 23)] + ([(0, end - 1)] if end > 0 else [])
        win = ET.SubElement(el, "meta_attributes", id=f"{gid}-failback-window", score="2")
        rule = ET.SubElement(win, "rule", {"id": f"{gid}-failback-window-rule", "boolean-op": "or", "score": "0"})
        for i, (a, b) in enumerate(spans):
            de = ET.SubElement(rule, "date_expression", id=f"{gid}-window-{i}", operation="date_spec")
            ET.SubElement(de, "date_spec", id=f"{gid}-window-{i}-hours", hours=f"{a}-{b}" if a != b else str(a))
        ET.SubElement(win, "nvpair", id=f"{gid}-window-stickiness", name="resource-stickiness", value="0")


def _primitive(parent, cluster: Cluster, r, rid: str, frozen: bool) -> None:
    a = agent_for(r)
    attrs = {"id": rid, "class": a.standard}
    if a.provider:
        attrs["provider"] = a.provider
    attrs["type"] = a.type
    attrs["description"] = f"{r.name} ({r.type}): {a.note}" if a.note else f"{r.name} ({r.type})"
    p = ET.SubElement(parent, "primitive", attrs)
    params = a.attributes(r)
    if params:
        ia = ET.SubElement(p, "instance_attributes", id=f"{rid}-params")
        for k, v in params.items():
            ET.SubElement(ia, "nvpair", id=f"{rid}-{_ncname(k, 'p-')}", name=k, value=str(v))
    meta = ET.SubElement(p, "meta_attributes", id=f"{rid}-meta")
    if r.restart_action is RestartAction.RESTART_NOTIFY:
        threshold = str(r.restart_threshold + 1)
    elif r.restart_action is RestartAction.RESTART_NO_NOTIFY:
        threshold = "INFINITY"
    else:
        threshold = "1"
    ET.SubElement(meta, "nvpair", id=f"{rid}-migration-threshold", name="migration-threshold", value=threshold)
    ET.SubElement(meta, "nvpair", id=f"{rid}-failure-timeout", name="failure-timeout",
                  value=_ms(r.restart_period_s * 1000))
    if frozen:
        ET.SubElement(meta, "nvpair", id=f"{rid}-stickiness", name="resource-stickiness", value="INFINITY")
    if not r.wanted and cluster.groups[r.group].persistent_state:
        ET.SubElement(meta, "nvpair", id=f"{rid}-target-role", name="target-role", value="Stopped")
    ops = ET.SubElement(p, "operations")
    on_fail = {"on-fail": "stop"} if r.restart_action is RestartAction.DONT_RESTART else {}
    ET.SubElement(ops, "op", {"id": f"{rid}-looks-alive", "name": "monitor", "interval": _ms(r.looks_alive_ms),
                              "timeout": _ms(r.pending_timeout_ms), **on_fail})
    if a.standard == "ocf" and r.is_alive_ms != r.looks_alive_ms:
        op = ET.SubElement(ops, "op", {"id": f"{rid}-is-alive", "name": "monitor", "interval": _ms(r.is_alive_ms),
                                       "timeout": _ms(r.pending_timeout_ms), **on_fail})
        ia = ET.SubElement(op, "instance_attributes", id=f"{rid}-is-alive-params")
        ET.SubElement(ia, "nvpair", id=f"{rid}-is-alive-level", name="OCF_CHECK_LEVEL", value="10")
    for task in ("start", "stop"):
        ET.SubElement(ops, "op", id=f"{rid}-{task}", name=task, interval="0s", timeout=_ms(r.pending_timeout_ms))


def write_cib(cluster: Cluster, path, **options) -> Path:
    """Write :func:`export_cib` to ``path``."""
    path = Path(path)
    path.write_text(export_cib(cluster, **options), encoding="utf-8")
    return path


# ============================================================================ crm tools
def crm_tool(name: str) -> str | None:
    """The path of a Pacemaker command-line tool (``crm_simulate``, ``crm_verify``), or None.
    Debian installs them in /usr/sbin, which is not on every user's PATH."""
    found = shutil.which(name)
    if found:
        return found
    for folder in ("/usr/sbin", "/usr/local/sbin", "/sbin"):
        p = Path(folder) / name
        if p.exists():
            return str(p)
    return None


def _need(name: str) -> str:
    path = crm_tool(name)
    if path is None:
        raise ConfigurationError(f"{name} is not installed; install the Debian package pacemaker-cli-utils "
                                 "(apt-get install --no-install-recommends pacemaker-cli-utils)",
                                 rule="comparing with Pacemaker needs its command-line tools",
                                 source="Debian package pacemaker-cli-utils")
    return path


def verify_cib(xml: str) -> tuple[bool, str]:
    """Run ``crm_verify`` on a CIB; return (valid, its messages)."""
    tool = _need("crm_verify")
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "cib.xml"
        p.write_text(xml, encoding="utf-8")
        run = subprocess.run([tool, "-V", "-x", str(p)], capture_output=True, text=True, timeout=60)
    return run.returncode == 0, (run.stdout + run.stderr).strip()


@dataclass
class Comparison:
    """Where each group lands after ``node`` fails: labkit's MSCS model vs Pacemaker's
    ``crm_simulate`` on the exported CIB. ``None`` means the group ends up stopped."""

    node: str
    before: dict[str, str | None]
    labkit: dict[str, str | None]
    pacemaker: dict[str, str | None]
    transition: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def differences(self) -> list[str]:
        return [g for g in self.labkit if self.labkit[g] != self.pacemaker.get(g)]

    @property
    def agree(self) -> bool:
        return not self.differences

    def table(self) -> str:
        rows = [("group", "before", "labkit (MSCS)", "crm_simulate", "")]
        for g in self.labkit:
            rows.append((g, self.before.get(g) or "-", self.labkit[g] or "stopped",
                         self.pacemaker.get(g) or "stopped", "" if self.labkit[g] == self.pacemaker.get(g) else "differs"))
        widths = [max(len(r[i]) for r in rows) for i in range(5)]
        return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)

    def __str__(self) -> str:
        head = f"{self.node} fails: " + ("both models agree" if self.agree else
                                         f"the models differ on {', '.join(self.differences)}")
        return head + "\n" + self.table() + "".join("\n  note: " + n for n in self.notes)


def status_cib(c: Cluster) -> str:
    """The exported CIB with a status section written directly from labkit's state: every
    node Up or Paused is a member, every online resource has a successful start on its
    group's owner. crm_simulate then computes what a failure changes without first
    simulating the whole cluster's start-up (which takes minutes beyond a few hundred
    resources). No probe results are written for other nodes, so Pacemaker's transition
    also probes there, as it would after a restart of its cluster stack."""
    root = ET.fromstring(export_cib(c))
    prims = {p.get("id"): p for p in root.iter("primitive")}
    ids = resource_ids(c)
    status = root.find("status")
    if status is None:
        status = ET.SubElement(root, "status")
    call = 1
    for n in c.node_ids():
        node = c.nodes[n]
        up = node.state in (NodeState.UP, NodeState.PAUSED)
        ns = ET.SubElement(status, "node_state", {
            "id": str(node.id), "uname": n, "in_ccm": "true" if up else "false",
            "crmd": "online" if up else "offline", "join": "member" if up else "down",
            "expected": "member" if up else "down"})
        lrm = ET.SubElement(ET.SubElement(ns, "lrm", {"id": str(node.id)}), "lrm_resources")
        for g in c.groups.values():
            running = [r for r in g.resources
                       if c.resources[r].state is ResourceState.ONLINE and r != c.quorum_resource]
            if g.owner != n or not running:
                continue
            for rid in [ids[("group", g.name)]] + [ids[r] for r in running]:
                p = prims[rid]
                attrs = {"id": rid, "class": p.get("class"), "type": p.get("type")}
                if p.get("provider"):
                    attrs["provider"] = p.get("provider")
                lr = ET.SubElement(lrm, "lrm_resource", attrs)
                call += 1
                key = f"{call}:-1:0:00000000-0000-0000-0000-000000000000"
                ET.SubElement(lr, "lrm_rsc_op", {
                    "id": f"{rid}_last_0", "operation_key": f"{rid}_start_0", "operation": "start",
                    "crm-debug-origin": "labkit", "crm_feature_set": "3.16.1", "transition-key": key,
                    "transition-magic": f"0:0;{key}", "exit-reason": "", "call-id": str(call), "rc-code": "0",
                    "op-status": "0", "interval": "0", "last-rc-change": "1", "exec-time": "0", "queue-time": "0"})
    return ET.tostring(root, encoding="unicode")


def running_cib(c: Cluster, folder: Path, *, timeout_s: float = 120) -> tuple[Path, list[str]]:
    """Write ``folder/start.xml``: the cluster's CIB with a status section in which every
    group runs where it runs in labkit now (crm_simulate builds the status from injected
    probe results), and return its path and the ``-t`` arguments that give crm_simulate
    labkit's clock (failback-window rules). ``crm_simulate -x start.xml -S -f NODE`` then
    computes the transition of a node failure."""
    sim = _need("crm_simulate")
    ids = resource_ids(c)
    paused = tuple(n for n, x in c.nodes.items() if x.state is NodeState.PAUSED)
    up = [n for n, x in c.nodes.items() if x.state in (NodeState.UP, NodeState.PAUSED)]
    # pin every running group to its labkit owner and let one simulated transition start
    # them there (far faster than injecting a probe result per resource)
    frozen = ET.fromstring(export_cib(c, _frozen=True, _standby=paused))
    constraints = frozen.find("configuration/constraints")
    for g in c.groups.values():
        running = [r for r in g.resources if c.resources[r].state is ResourceState.ONLINE
                   and r != c.quorum_resource]
        if g.owner and running:
            gid = ids[("group", g.name)]
            ET.SubElement(constraints, "rsc_location", {"id": f"pin-{gid}", "rsc": gid, "node": g.owner,
                                                        "score": "INFINITY"})
    t = Path(folder)
    ET.ElementTree(frozen).write(t / "frozen.xml", encoding="unicode")
    when = ["-t", c.now.isoformat(timespec="seconds")]  # failback-window rules see labkit's clock
    args = [sim, "-x", str(t / "frozen.xml"), "-S", "-O", str(t / "now.xml"), "-Q", *when]
    for n in up:
        args += ["-u", n]
    first = subprocess.run(args, capture_output=True, text=True, timeout=timeout_s)
    if first.returncode != 0:
        raise ConfigurationError(f"crm_simulate could not load the exported cluster: "
                                 f"{(first.stderr or first.stdout).strip()[:300]}")
    # the same status, with the real configuration (stickiness as configured)
    now = ET.parse(t / "now.xml").getroot()
    real = ET.fromstring(export_cib(c, _standby=paused))
    now.remove(now.find("configuration"))
    now.insert(0, real.find("configuration"))
    ET.ElementTree(now).write(t / "start.xml", encoding="unicode")
    return t / "start.xml", when


def compare_with_crm_simulate(cluster: Cluster, node: str, *, timeout_s: float = 120) -> Comparison:
    """Fail ``node`` in labkit and in Pacemaker's simulator and compare where every group
    ends up (labkit: a copy of the cluster, crashed and run to stable; Pacemaker: the
    exported CIB, started where labkit runs things now, then ``crm_simulate --node-fail``).

    Where the two models differ, and why:

    - **Choosing the new owner.** MSCS walks the group's effective list (preferred
      owners, then node-id order) *from the failed owner onwards*, wrapping (KB 299631);
      Pacemaker gives every node a score and takes the best one. With preferred owners
      {3, 4} and node 4 failing, MSCS goes on to node 1, Pacemaker back to node 3.
    - **Load.** Pacemaker breaks ties by spreading resources across nodes; MSCS does not
      look at load at all (the paper's load planning is the administrator's job).
    - **Quorum.** Windows 2000 has one quorum disk: a single surviving node that owns it
      keeps the cluster. Pacemaker counts Corosync votes; the export sets
      ``no-quorum-policy=ignore`` to mimic the disk, so a real two-node Pacemaker cluster
      would need ``two_node`` mode or a quorum device instead.
    - **Fencing.** MSCS fenced by SCSI reservations on the shared disks; the export
      switches fencing off, which a production Pacemaker cluster must not do.
    - **Paused nodes.** A paused MSCS node keeps its groups but takes no new ones; the
      nearest Pacemaker state, standby, moves its resources away.
    - **Failback.** Without stickiness, Pacemaker moves a group back to its best node
      whenever it recomputes; MSCS fails back only when a preferred node joins.
    """
    if not isinstance(cluster, Cluster):
        raise ValidationError(f"compare a labkit Cluster, not {cluster!r}")
    cluster._node(node)
    sim = _need("crm_simulate")
    ours = cluster.copy()
    ours.run_until_stable()
    before = {g.name: g.owner if g.state is not GroupState.OFFLINE else None for g in ours.groups.values()}
    if ours.nodes[node].state is NodeState.DOWN:
        raise ValidationError(f"{node} is already Down; choose a running node to fail",
                              rule="compare the failure of a running node")
    theirs_input = ours.copy()
    ours.crash_node(node)
    ours.run_until_stable()
    labkit = {g.name: g.owner if g.state in (GroupState.ONLINE, GroupState.PARTIAL_ONLINE) else None
              for g in ours.groups.values()}
    c = theirs_input
    ids = resource_ids(c)
    paused = tuple(n for n, x in c.nodes.items() if x.state is NodeState.PAUSED)
    notes = []
    if paused:
        notes.append(f"paused nodes ({', '.join(paused)}) are in standby for Pacemaker, which moves their groups")
    with tempfile.TemporaryDirectory() as tmp:
        start, when = running_cib(c, Path(tmp), timeout_s=timeout_s)
        second = subprocess.run([sim, "-x", str(start), "-S", "-f", node, *when, "--output-as=xml"],
                                capture_output=True, text=True, timeout=timeout_s)
        text = subprocess.run([sim, "-x", str(start), "-S", "-f", node, *when],
                              capture_output=True, text=True, timeout=timeout_s).stdout
    if second.returncode != 0:
        raise ConfigurationError(f"crm_simulate failed: {(second.stderr or second.stdout).strip()[:300]}")
    placed = _placements(second.stdout)
    pacemaker = {g: placed.get(ids[("group", g)]) for g in c.groups}
    if c.quorum_resource in c.resources:
        notes.append("the quorum disk has no Pacemaker counterpart; the Cluster Group holds the cluster's "
                     "address and name only")
    summary = text.split("Transition Summary:", 1)[-1].split("Executing Cluster Transition:", 1)[0].strip()
    return Comparison(node, before, labkit, pacemaker, summary, notes)


def _placements(xml_text: str) -> dict[str, str]:
    """Primitive id -> node it runs on, from ``crm_simulate --output-as=xml``'s revised status."""
    root = ET.fromstring(xml_text)
    status = root.find("revised_cluster_status")
    out = {}
    if status is None:
        return out
    for res in status.iter("resource"):
        if res.get("active") == "true" and res.get("role") == "Started":
            n = res.find("node")
            if n is not None:
                out[res.get("id")] = n.get("name")
    return out


__all__ = ["Agent", "AGENTS", "register_agent", "agent_for", "export_cib", "write_cib", "resource_ids",
           "crm_tool", "verify_cib", "compare_with_crm_simulate", "Comparison", "hash_name"]
