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
group (unit of failover)       a native ``<group>`` named ``grp-<group>``, its members in
                               online order (:meth:`Cluster.online_order`)
dependency (a DAG)             implied by the group's chain: online order is a topological
                               order, so each provider comes before its dependents
preferred owners               ``rsc_location`` scores on the group: 1000 + 10 per place
                               for preferred owners in order, then 1, 2, ... for the
                               other nodes in node-id order (KB 299631's effective list)
possible owners                ``-INFINITY`` location bans on the group for the nodes that
                               cannot host every member (MSCS rule)
AutoFailback prevent / allow   ``resource-stickiness`` ``INFINITY`` / ``0`` on the group;
failback window                a rule: stickiness 0 only in the window's hours (date_spec)
offline group / resource       ``target-role=Stopped``
quorum disk                    nothing: Corosync counts votes; ``no-quorum-policy=ignore``
                               keeps the last node running, as the quorum disk did
SCSI reservations              nothing: ``stonith-enabled=false``; a production Pacemaker
                               cluster *must* fence (the disk reservations were MSCS's
                               fencing)
FailoverThreshold / Period     no equivalent (noted in the group's description)
=============================  ==============================================================

A native group is a chain: each member starts after, and runs with, the one before it.
Where an MSCS group's dependencies are themselves a chain, that is exactly MSCS. Where
they are a DAG (a file-share group's Disk and IP Address are independent) no constraint
is needed to keep a single dependency -- the chain implies them all -- and none could
loosen the chain: it is stricter than MSCS in two ways only, both outside node failures.
Independent members start one after another instead of side by side, and a member that
stays failed also stops the members listed after it, where MSCS stops only its own
dependents. Where a group runs after a node fails -- what :func:`compare_with_crm_simulate`
compares -- is the same. ``export_cib(c, style="constraints")`` writes the DAG exactly
instead, heavier: an anchor ``ocf:pacemaker:Dummy`` primitive per group that each member
is colocated with, one ``rsc_order`` per dependency, members without providers after the
anchor, and location bans on each resource for its non-possible owners.

:func:`status_cib` adds the status section of the cluster as it runs now, which
Pacemaker reads as a running, stable cluster (``crm_simulate -R`` plans nothing): each
running resource's start and recurring monitors with the operation digests Pacemaker
computes (:func:`op_digest`).

Comparing decisions with Pacemaker's own simulator, ``crm_simulate`` (Debian
package ``pacemaker-cli-utils``): :func:`compare_with_crm_simulate`.

>>> import labkit as lk
>>> c = lk.Cluster("LAB", ip="10.0.0.100"); _ = c.add_node("N1"); _ = c.add_node("N2")
>>> xml = export_cib(c)
>>> '<primitive id="Cluster-IP-Address" class="ocf" provider="heartbeat" type="IPaddr2"' in xml
True
"""
from __future__ import annotations

import hashlib
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
#: Pacemaker's feature set that the status records name (Pacemaker 2.1.5: CRM_FEATURE_SET).
FEATURE_SET = "3.16.1"


def export_cib(cluster: Cluster, *, style: str = "group", include_quorum: bool = False) -> str:
    """The cluster as a Pacemaker CIB (XML text, deterministic; no status section).
    ``style`` is "group" (a native Pacemaker group per MSCS group, members in online
    order) or "constraints" (an anchor primitive per group and one order constraint per
    dependency: the DAG as it is). The quorum disk is left out unless ``include_quorum``."""
    return _text(_cib_tree(cluster, style=style, include_quorum=include_quorum))


def _text(root: ET.Element) -> str:
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="unicode") + "\n"


def _hosts(cluster: Cluster, g, skip: set) -> set[str]:
    """The nodes that are possible owners of every resource of ``g`` (MSCS: only they can
    own the group)."""
    hosts = set(cluster.nodes)
    for r in g.resources:
        if r not in skip:
            hosts.intersection_update(cluster.resources[r].possible_owners)
    return hosts


def _cib_tree(cluster: Cluster, *, style: str, include_quorum: bool, properties: tuple = (),
              hold: bool = False) -> ET.Element:
    if not isinstance(cluster, Cluster):
        raise ValidationError(f"export a labkit Cluster, not {cluster!r}")
    if style not in ("constraints", "group"):
        raise ValidationError(f"style is 'group' or 'constraints', not {style!r}")
    ids = resource_ids(cluster)
    cib = ET.Element("cib", {"validate-with": "pacemaker-3.0", "crm_feature_set": FEATURE_SET, "epoch": "1",
                             "num_updates": "0", "admin_epoch": "0"})
    how = ("Each MSCS group is a Pacemaker group, its members in online order" if style == "group" else
           "Each MSCS group is an anchor primitive grp-<group> that its resources are colocated with; each "
           "dependency is an order constraint")
    cib.append(ET.Comment(
        f" {cluster.name} ({cluster.edition}) exported by labkit from a simulated Windows 2000 MSCS cluster. "
        f"{how}. See labkit/pacemaker.py for the whole mapping. "))
    conf = ET.SubElement(cib, "configuration")
    crm = ET.SubElement(ET.SubElement(conf, "crm_config"), "cluster_property_set", id="cib-bootstrap-options")
    for name, value in (("cluster-name", cluster.name), ("stonith-enabled", "false"),
                        ("no-quorum-policy", "ignore"), ("symmetric-cluster", "true"),
                        ("start-failure-is-fatal", "false"), *properties):
        ET.SubElement(crm, "nvpair", id=f"opt-{name}", name=name, value=value)
    nodes_el = ET.SubElement(conf, "nodes")
    nodes = cluster.node_ids()
    for n in nodes:
        node = cluster.nodes[n]
        ET.SubElement(nodes_el, "node", id=str(node.id), uname=n)
    res_el = ET.SubElement(conf, "resources")
    cons = ET.SubElement(conf, "constraints")
    skip = set() if include_quorum else {cluster.quorum_resource}
    for g in cluster.groups.values():
        members = [r for r in cluster.online_order(g.name) if r not in skip]
        gid = ids[("group", g.name)]
        stopped = not g.persistent_state or g.failed
        if style == "group":
            if not members:
                continue
            parent = ET.SubElement(res_el, "group", id=gid, description=_group_note(g))
            _group_meta(parent, gid, g, stopped, hold)
            for rn in members:
                _primitive(parent, cluster, cluster.resources[rn], ids[rn])
        else:
            anchor = ET.SubElement(res_el, "primitive", {"id": gid, "class": "ocf", "provider": "pacemaker",
                                                          "type": "Dummy", "description": _group_note(g)})
            _group_meta(anchor, gid, g, stopped, hold)
            for rn in members:
                _primitive(res_el, cluster, cluster.resources[rn], ids[rn])
        # placement of the group: preferred owners, then node-id order; bans for non-hosts
        eff = cluster.effective_owners(g.name)
        prefs = set(n for n in g.preferred_owners if n in cluster.nodes)
        for i, n in enumerate(eff):
            score = 1000 + 10 * (len(prefs) - i) if n in prefs else len(eff) - i
            ET.SubElement(cons, "rsc_location", id=f"loc-{gid}-{_ncname(n, 'n-')}", rsc=gid, node=n,
                          score=str(score))
        hosts = _hosts(cluster, g, skip)
        for n in nodes:
            if n not in hosts:
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
            owners = set(r.possible_owners)
            for n in nodes:
                if n not in owners:
                    ET.SubElement(cons, "rsc_location", id=f"ban-{rid}-{_ncname(n, 'n-')}", rsc=rid, node=n,
                                  score="-INFINITY")
    rd = ET.SubElement(ET.SubElement(conf, "rsc_defaults"), "meta_attributes", id="rsc-defaults")
    ET.SubElement(rd, "nvpair", id="rsc-defaults-stickiness", name="resource-stickiness", value="0")
    ET.SubElement(cib, "status")
    return cib


def _group_note(g) -> str:
    return (f"MSCS group {g.name}: FailoverThreshold {g.failover_threshold} in {g.failover_period_hours:g} h "
            "(no Pacemaker equivalent)")


def _group_meta(el, gid: str, g, stopped: bool, hold: bool = False) -> None:
    meta = ET.SubElement(el, "meta_attributes", id=f"{gid}-meta", score="1")
    sticky = "INFINITY" if (hold or not g.auto_failback or g.failback_window) else "0"
    ET.SubElement(meta, "nvpair", id=f"{gid}-stickiness", name="resource-stickiness", value=sticky)
    if stopped:
        ET.SubElement(meta, "nvpair", id=f"{gid}-target-role", name="target-role", value="Stopped")
    if g.auto_failback and g.failback_window and not hold:
        start, end = g.failback_window
        spans = [(start, end - 1)] if start < end else [(start, 23)] + ([(0, end - 1)] if end > 0 else [])
        win = ET.SubElement(el, "meta_attributes", id=f"{gid}-failback-window", score="2")
        rule = ET.SubElement(win, "rule", {"id": f"{gid}-failback-window-rule", "boolean-op": "or", "score": "0"})
        for i, (a, b) in enumerate(spans):
            de = ET.SubElement(rule, "date_expression", id=f"{gid}-window-{i}", operation="date_spec")
            ET.SubElement(de, "date_spec", id=f"{gid}-window-{i}-hours", hours=f"{a}-{b}" if a != b else str(a))
        ET.SubElement(win, "nvpair", id=f"{gid}-window-stickiness", name="resource-stickiness", value="0")


def _primitive(parent, cluster: Cluster, r, rid: str) -> None:
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
    if not r.wanted and cluster.groups[r.group].persistent_state:
        ET.SubElement(meta, "nvpair", id=f"{rid}-target-role", name="target-role", value="Stopped")
    ops = ET.SubElement(p, "operations")
    on_fail = {"on-fail": "stop"} if r.restart_action is RestartAction.DONT_RESTART else {}
    for op_id, interval_ms, timeout_ms, extra in _monitors(r, a):
        op = ET.SubElement(ops, "op", {"id": f"{rid}-{op_id}", "name": "monitor", "interval": _ms(interval_ms),
                                       "timeout": _ms(timeout_ms), **on_fail})
        if extra:
            ia = ET.SubElement(op, "instance_attributes", id=f"{rid}-{op_id}-params")
            for k, v in extra.items():
                ET.SubElement(ia, "nvpair", id=f"{rid}-{op_id}-level", name=k, value=v)
    for task in ("start", "stop"):
        ET.SubElement(ops, "op", id=f"{rid}-{task}", name=task, interval="0s", timeout=_ms(r.pending_timeout_ms))


def _monitors(r, a: Agent) -> list[tuple[str, int, int, dict]]:
    """The recurring monitors of a resource: (op id, interval ms, timeout ms, the op's own
    instance attributes). LooksAlive, and IsAlive as the agent's deep check where it
    differs (OCF_CHECK_LEVEL=10, OCF agents only)."""
    out = [("looks-alive", r.looks_alive_ms, r.pending_timeout_ms, {})]
    if a.standard == "ocf" and r.is_alive_ms != r.looks_alive_ms:
        out.append(("is-alive", r.is_alive_ms, r.pending_timeout_ms, {"OCF_CHECK_LEVEL": "10"}))
    return out


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


def verify_cib(xml: str, *, timeout_s: float | None = 600) -> tuple[bool, str]:
    """Run ``crm_verify`` on a CIB; return (valid, its messages)."""
    tool = _need("crm_verify")
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "cib.xml"
        p.write_text(xml, encoding="utf-8")
        run = subprocess.run([tool, "-V", "-x", str(p)], capture_output=True, text=True, timeout=timeout_s)
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


# ============================================================================= status
def op_digest(params: dict) -> str:
    """The ``op-digest`` Pacemaker records with an operation and compares with its own on
    every run (a mismatch means "the definition changed": a restart or reload). It is the
    MD5 of the operation's parameters as one ``<parameters .../>`` element -- attributes
    sorted by name (byte order), values escaped as Pacemaker escapes them, one space before
    and a newline after. The parameters are the resource's instance attributes, the
    operation's own ones (``OCF_CHECK_LEVEL``) and, for a recurring operation only,
    ``CRM_meta_timeout`` in milliseconds; every other ``CRM_meta_*`` is left out (Pacemaker
    2.1.5, ``calculate_operation_digest`` and ``pcmk__filter_op_for_digest``).

    >>> op_digest({"ip": "10.0.0.1", "cidr_netmask": "24"}) == op_digest({"cidr_netmask": "24", "ip": "10.0.0.1"})
    True
    """
    body = "".join(f' {k}="{_pcmk_escape(str(params[k]))}"' for k in sorted(params, key=lambda k: k.encode()))
    return hashlib.md5(f" <parameters{body}/>\n".encode("utf-8")).hexdigest()


_ESCAPES = {"<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;", "&": "&amp;", "\t": "    ",
            "\n": "\\n", "\r": "\\r"}


def _pcmk_escape(text: str) -> str:
    """An attribute value as Pacemaker 2.1.5 writes it for a digest: the five XML
    characters as entities, tab as four spaces, newline and return as backslash escapes,
    other control characters as backslash and three octal digits -- up to the first
    non-ASCII character, after which Pacemaker copies the rest unchanged."""
    out = []
    for i, ch in enumerate(text):
        if ord(ch) > 127:
            return "".join(out) + text[i:]
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ch < " " or ch > "~":
            out.append(f"\\{ord(ch):03o}")
        else:
            out.append(ch)
    return "".join(out)


@dataclass(frozen=True)
class _Rsc:
    """What the status section needs to know of one exported primitive."""

    id: str
    name: str | None     # the labkit resource (None: a group's anchor)
    attrs: dict          # class, provider, type
    params: dict         # instance attributes
    monitors: tuple      # (interval ms, timeout ms, the op's own instance attributes)


def _primitives(c: Cluster, style: str, skip: set) -> dict[str, list[_Rsc]]:
    """Exported primitives by labkit group name, in export order."""
    ids = resource_ids(c)
    out: dict[str, list[_Rsc]] = {}
    for g in c.groups.values():
        members = [r for r in c.online_order(g.name) if r not in skip]
        lst = out[g.name] = []
        if style == "constraints":
            lst.append(_Rsc(ids[("group", g.name)], None,
                            {"class": "ocf", "provider": "pacemaker", "type": "Dummy"}, {}, ()))
        for rn in members:
            r = c.resources[rn]
            a = agent_for(r)
            attrs = {"class": a.standard, **({"provider": a.provider} if a.provider else {}), "type": a.type}
            lst.append(_Rsc(ids[rn], rn, attrs, {k: str(v) for k, v in a.attributes(r).items()},
                            tuple((iv, to, extra) for _, iv, to, extra in _monitors(r, a))))
    return out


def status_cib(c: Cluster, *, style: str = "group", probes: bool = False, hold: bool = True) -> str:
    """The exported CIB with a status section that Pacemaker reads as a running, stable
    cluster in labkit's current state, so ``crm_simulate -R`` with no event plans nothing.

    - Every Up or Paused node is an online member; Down nodes are offline. A Paused MSCS
      node keeps its groups and takes no new ones: every group it does not own is banned
      from it (``-INFINITY``), the nearest Pacemaker spelling (standby would move its
      groups away).
    - Each online resource has, on its group's owner, a successful ``start`` and its
      recurring monitors (LooksAlive, IsAlive), each with the ``op-digest`` Pacemaker
      computes (:func:`op_digest`): without the monitors Pacemaker would schedule them,
      without the digests it would restart everything as "definition changed". No restart
      or secure digest is written: Pacemaker compares those only when a record carries one.
    - ``hold`` (the default): every group holds its node (``resource-stickiness=INFINITY``).
      MSCS moves a group only on an event -- a failure, a command, a preferred owner
      joining (AutoFailback) -- never because a better node exists, while Pacemaker with
      the configured stickiness (AutoFailback allow: 0) would move such a group at once.
      Groups that fail over are placed by their location scores either way.
      ``hold=False`` writes the configured stickiness.
    - Probes: Pacemaker probes every resource on every node where its state is not known.
      ``probes=True`` records a "not running" probe result (``monitor_0``, rc 7) for each
      resource on each other online node, as a cluster that has started and probed would
      hold; the default ``probes=False`` writes none and sets ``enable-startup-probes=false``
      instead, which tells the scheduler the same (nothing runs where it was not started)
      in a file of size resources, not nodes x resources. The scheduler's decisions after
      a failure are the same either way (tests/test_pacemaker.py checks it).

    Built in one pass over the groups: linear in the size of the cluster."""
    if not isinstance(c, Cluster):
        raise ValidationError(f"export a labkit Cluster, not {c!r}")
    skip = {c.quorum_resource}
    props = () if probes else (("enable-startup-probes", "false"),)
    root = _cib_tree(c, style=style, include_quorum=False, properties=props, hold=hold)
    paused = [n for n in c.node_ids() if c.nodes[n].state is NodeState.PAUSED]
    if paused:
        cons, ids = root.find("configuration/constraints"), resource_ids(c)
        exported = {e.get("id") for e in root.find("configuration/resources")}
        for g in c.groups.values():
            gid = ids[("group", g.name)]
            for n in paused:
                if g.owner != n and gid in exported:
                    ET.SubElement(cons, "rsc_location", id=f"paused-{gid}-{_ncname(n, 'n-')}", rsc=gid, node=n,
                                  score="-INFINITY")
    prims = _primitives(c, style, skip)
    up = {n for n, x in c.nodes.items() if x.state in (NodeState.UP, NodeState.PAUSED)}
    running: dict[str, list[_Rsc]] = {n: [] for n in c.nodes}
    everything: list[_Rsc] = []
    for g in c.groups.values():
        on = [r for r in g.resources if c.resources[r].state is ResourceState.ONLINE and r not in skip]
        mine = prims[g.name]
        everything += mine
        if g.owner in up and on:
            online = set(on)
            running[g.owner] += [p for p in mine if p.name is None or p.name in online]
    status = root.find("status")
    for n in c.node_ids():
        node = c.nodes[n]
        live = n in up
        ns = ET.SubElement(status, "node_state", {
            "id": str(node.id), "uname": n, "in_ccm": "true" if live else "false",
            "crmd": "online" if live else "offline", "crm-debug-origin": "labkit",
            "join": "member" if live else "down", "expected": "member" if live else "down"})
        if not live:
            continue
        lrm = ET.SubElement(ET.SubElement(ns, "lrm", {"id": str(node.id)}), "lrm_resources")
        here = running[n]
        call = 0
        for p in here:
            lr = ET.SubElement(lrm, "lrm_resource", {"id": p.id, **p.attrs})
            call += 1
            _op(lr, n, p.id, "start", 0, 0, call, op_digest(p.params))
            for interval, timeout, extra in p.monitors:
                call += 1
                _op(lr, n, p.id, "monitor", interval, 0, call,
                    op_digest({**p.params, **extra, "CRM_meta_timeout": str(timeout)}))
        if probes:
            started = {p.id for p in here}
            for p in everything:
                if p.id not in started:
                    lr = ET.SubElement(lrm, "lrm_resource", {"id": p.id, **p.attrs})
                    call += 1
                    _op(lr, n, p.id, "monitor", 0, 7, call, op_digest(p.params))
    return _text(root)


_UUID = "00000000-0000-0000-0000-000000000000"


def _op(lr: ET.Element, node: str, rid: str, task: str, interval_ms: int, rc: int, call: int,
        digest: str) -> None:
    """One operation record (``lrm_rsc_op``) as Pacemaker's controller writes it."""
    key = f"{call}:0:{rc}:{_UUID}"
    op_id = f"{rid}_last_0" if interval_ms == 0 else f"{rid}_monitor_{interval_ms}"
    ET.SubElement(lr, "lrm_rsc_op", {
        "id": op_id, "operation_key": f"{rid}_{task}_{interval_ms}", "operation": task,
        "crm-debug-origin": "labkit", "crm_feature_set": FEATURE_SET, "transition-key": key,
        "transition-magic": f"0:{rc};{key}", "exit-reason": "", "on_node": node, "call-id": str(call),
        "rc-code": str(rc), "op-status": "0", "interval": str(interval_ms), "last-rc-change": "1",
        "exec-time": "0", "queue-time": "0", "op-digest": digest})


# ============================================================================ compare
def _run(args: list[str], timeout_s: float | None) -> subprocess.CompletedProcess:
    run = subprocess.run(args, capture_output=True, text=True, timeout=timeout_s)
    if run.returncode != 0:
        raise ConfigurationError(f"{Path(args[0]).name} failed: {(run.stderr or run.stdout).strip()[:300]}",
                                 rule="comparing with Pacemaker needs a CIB it accepts")
    return run


def planned_actions(cib: str | Path, *args: str, timeout_s: float | None = 600) -> list[str]:
    """What Pacemaker's scheduler plans for a CIB (``crm_simulate -x CIB -R [args]``): one
    line per action of its transition summary, e.g. ``start Disk-FS1 on 4-JERRY``; an empty
    list for a stable cluster. ``cib`` is XML text or a file."""
    sim = _need("crm_simulate")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(cib) if isinstance(cib, Path) else Path(tmp) / "cib.xml"
        if not isinstance(cib, Path):
            path.write_text(cib, encoding="utf-8")
        run = _run([sim, "-x", str(path), "-R", *args, "--output-as=xml"], timeout_s)
    return _actions(ET.fromstring(run.stdout))


def _actions(result: ET.Element) -> list[str]:
    out = []
    for a in result.iterfind("actions/rsc_action"):
        where = {k: v for k, v in a.attrib.items() if k not in ("action", "resource")}
        out.append(f"{a.get('action')} {a.get('resource')} " + " ".join(f"{k} {v}" for k, v in where.items()))
    return [x.strip() for x in out]


def compare_with_crm_simulate(cluster: Cluster, node: str, *, timeout_s: float | None = 120) -> Comparison:
    """Fail ``node`` in labkit and in Pacemaker's simulator and compare where every group
    ends up (labkit: a copy of the cluster, crashed and run to stable; Pacemaker:
    :func:`status_cib` of the same state -- which Pacemaker must first see as stable, with
    no action planned, or there is no like-for-like decision to compare -- then
    ``crm_simulate --node-fail NODE -S``).

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
    - **Failback.** Without stickiness, Pacemaker moves a group back to its best node
      whenever it recomputes; MSCS fails back only when a preferred node joins. A state
      in which Pacemaker would already move a group is refused, with the moves it plans.
    """
    if not isinstance(cluster, Cluster):
        raise ValidationError(f"compare a labkit Cluster, not {cluster!r}")
    cluster.node(node)
    sim = _need("crm_simulate")
    ours = cluster.copy()
    ours.run_until_stable()
    before = {g.name: g.owner if g.state is not GroupState.OFFLINE else None for g in ours.groups.values()}
    if ours.nodes[node].state is NodeState.DOWN:
        raise ValidationError(f"{node} is already Down; choose a running node to fail",
                              rule="compare the failure of a running node")
    c = ours.copy()
    ours.crash_node(node)
    ours.run_until_stable()
    labkit = {g.name: g.owner if g.state in (GroupState.ONLINE, GroupState.PARTIAL_ONLINE) else None
              for g in ours.groups.values()}
    when = ["-t", c.now.isoformat(timespec="seconds")]  # failback-window rules see labkit's clock
    notes = []
    paused = [n for n, x in c.nodes.items() if x.state is NodeState.PAUSED]
    if paused:
        notes.append(f"paused nodes ({', '.join(paused)}) keep their groups and are banned for every other group")
    with tempfile.TemporaryDirectory() as tmp:
        cib = Path(tmp) / "status.xml"
        cib.write_text(status_cib(c), encoding="utf-8")
        idle = planned_actions(cib, *when, timeout_s=timeout_s)
        if idle:
            raise ConfigurationError(
                "Pacemaker would act on this state before any failure (" + "; ".join(idle[:5]) +
                ("; ..." if len(idle) > 5 else "") + "): the models already disagree, so there is no like-for-"
                "like failure decision to compare; run the cluster until both see it as stable",
                rule="compare decisions only on a CIB Pacemaker sees as stable")
        run = _run([sim, "-x", str(cib), "-S", "--node-fail", node, *when, "--output-as=xml"], timeout_s)
    result = ET.fromstring(run.stdout)
    placed = _placements(result)
    ids = resource_ids(c)
    pacemaker = {}
    for g in c.groups.values():
        members = [ids[r] for r in g.resources if r != c.quorum_resource]
        where = {placed.get(m) for m in members} - {None}
        pacemaker[g.name] = where.pop() if len(where) == 1 else None
    if c.quorum_resource in c.resources:
        notes.append("the quorum disk has no Pacemaker counterpart; the Cluster Group holds the cluster's "
                     "address and name only")
    summary = "\n".join(f"* {a}" for a in _actions(result))
    return Comparison(node, before, labkit, pacemaker, summary, notes)


def _placements(result: ET.Element) -> dict[str, str]:
    """Primitive id -> node it runs on, from ``crm_simulate --output-as=xml``'s revised status."""
    status = result.find("revised_cluster_status")
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
           "crm_tool", "verify_cib", "compare_with_crm_simulate", "Comparison", "hash_name", "status_cib",
           "op_digest", "planned_actions"]
