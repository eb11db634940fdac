"""The CIB's configuration: resource agents, ids, and the export of a cluster's design.

:data:`AGENTS` maps each MSCS resource type to a Pacemaker resource agent
(:func:`register_agent` adds one), :func:`resource_ids` gives every resource an XML id, and
:func:`export_cib` writes the configuration section (nodes, primitives, native groups or
constraints, locations, stickiness) -- the mapping is in :mod:`labkit.io.pacemaker`.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from ...cluster.cluster import Cluster
from ...cluster.model import RestartAction
from ...errors import ValidationError


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


def ncname(name: str, prefix: str) -> str:
    s = re.sub(r"-{2,}", "-", _NCNAME_BAD.sub("-", name)).strip("-.") or prefix.rstrip("-")
    if not re.match(r"[A-Za-z_]", s):
        s = prefix + s
    return s


class _Ids:
    """Unique XML ids (NCNames: letters first, no spaces or colons) for labkit names."""

    def __init__(self):
        self.used: set[str] = set()

    def new(self, text: str, prefix: str = "x-") -> str:
        base = ncname(text, prefix)
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
    return xml_text(cib_tree(cluster, style=style, include_quorum=include_quorum))


def xml_text(root: ET.Element) -> str:
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


def cib_tree(cluster: Cluster, *, style: str, include_quorum: bool, properties: tuple = (),
              hold: bool = False) -> ET.Element:
    if not isinstance(cluster, Cluster):
        raise ValidationError(f"export a labkit Cluster, not {cluster!r}")
    if style not in ("constraints", "group"):
        raise ValidationError(f"style is 'group' or 'constraints', not {style!r}")
    ids = resource_ids(cluster)
    cib = _cib_head(cluster, style, properties)
    conf = cib.find("configuration")
    nodes = cluster.node_ids()
    res_el = ET.SubElement(conf, "resources")
    cons = ET.SubElement(conf, "constraints")
    skip = set() if include_quorum else {cluster.quorum_resource}
    for g in cluster.groups.values():
        members = [r for r in cluster.online_order(g.name) if r not in skip]
        gid = ids[("group", g.name)]
        if style == "group" and not members:
            continue
        _group_resources(res_el, cluster, g, gid, members, ids, style, hold)
        _placement(cons, cluster, g, gid, nodes, skip)
        if style == "constraints":
            _dependency_constraints(cons, cluster, gid, members, ids, nodes, skip)
    rd = ET.SubElement(ET.SubElement(conf, "rsc_defaults"), "meta_attributes", id="rsc-defaults")
    ET.SubElement(rd, "nvpair", id="rsc-defaults-stickiness", name="resource-stickiness", value="0")
    ET.SubElement(cib, "status")
    return cib


def _cib_head(cluster: Cluster, style: str, properties: tuple) -> ET.Element:
    """The ``cib`` element with its comment, the cluster options (``crm_config``) and the nodes."""
    cib = ET.Element("cib", {"validate-with": "pacemaker-3.0", "crm_feature_set": FEATURE_SET, "epoch": "1",
                             "num_updates": "0", "admin_epoch": "0"})
    how = ("Each MSCS group is a Pacemaker group, its members in online order" if style == "group" else
           "Each MSCS group is an anchor primitive grp-<group> that its resources are colocated with; each "
           "dependency is an order constraint")
    cib.append(ET.Comment(
        f" {cluster.name} ({cluster.edition}) exported by labkit from a simulated Windows 2000 MSCS cluster. "
        f"{how}. See labkit/io/pacemaker/ for the whole mapping. "))
    conf = ET.SubElement(cib, "configuration")
    crm = ET.SubElement(ET.SubElement(conf, "crm_config"), "cluster_property_set", id="cib-bootstrap-options")
    for name, value in (("cluster-name", cluster.name), ("stonith-enabled", "false"),
                        ("no-quorum-policy", "ignore"), ("symmetric-cluster", "true"),
                        ("start-failure-is-fatal", "false"), *properties):
        ET.SubElement(crm, "nvpair", id=f"opt-{name}", name=name, value=value)
    nodes_el = ET.SubElement(conf, "nodes")
    for n in cluster.node_ids():
        node = cluster.nodes[n]
        ET.SubElement(nodes_el, "node", id=str(node.id), uname=n)
    return cib


def _group_resources(res_el: ET.Element, cluster: Cluster, g, gid: str, members: list[str], ids: dict,
                     style: str, hold: bool) -> None:
    """An MSCS group's resources: a Pacemaker group of its exported ``members``, or (style
    "constraints") an anchor primitive followed by the members as primitives."""
    stopped = not g.persistent_state or g.failed
    if style == "group":
        parent = ET.SubElement(res_el, "group", id=gid, description=_group_note(g))
        _group_meta(parent, gid, g, stopped, hold)
    else:
        anchor = ET.SubElement(res_el, "primitive", {"id": gid, "class": "ocf", "provider": "pacemaker",
                                                      "type": "Dummy", "description": _group_note(g)})
        _group_meta(anchor, gid, g, stopped, hold)
        parent = res_el
    for rn in members:
        _primitive(parent, cluster, cluster.resources[rn], ids[rn])


def _placement(cons: ET.Element, cluster: Cluster, g, gid: str, nodes: list[str], skip: set) -> None:
    """Where a group may run: its preferred owners, then node-id order; a ban from each node
    that cannot host every one of its resources."""
    eff = cluster.effective_owners(g.name)
    prefs = set(n for n in g.preferred_owners if n in cluster.nodes)
    for i, n in enumerate(eff):
        score = 1000 + 10 * (len(prefs) - i) if n in prefs else len(eff) - i
        ET.SubElement(cons, "rsc_location", id=f"loc-{gid}-{ncname(n, 'n-')}", rsc=gid, node=n,
                      score=str(score))
    hosts = _hosts(cluster, g, skip)
    for n in nodes:
        if n not in hosts:
            ET.SubElement(cons, "rsc_location", id=f"ban-{gid}-{ncname(n, 'n-')}", rsc=gid, node=n,
                          score="-INFINITY")


def _dependency_constraints(cons: ET.Element, cluster: Cluster, gid: str, members: list[str], ids: dict,
                            nodes: list[str], skip: set) -> None:
    """Style "constraints": each member colocated with the group's anchor, ordered after each
    resource it depends on (or after the anchor), and banned from the nodes that are not its
    possible owners."""
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
                ET.SubElement(cons, "rsc_location", id=f"ban-{rid}-{ncname(n, 'n-')}", rsc=rid, node=n,
                              score="-INFINITY")


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
            ET.SubElement(ia, "nvpair", id=f"{rid}-{ncname(k, 'p-')}", name=k, value=str(v))
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
    for op_id, interval_ms, timeout_ms, extra in monitors_of(r, a):
        op = ET.SubElement(ops, "op", {"id": f"{rid}-{op_id}", "name": "monitor", "interval": _ms(interval_ms),
                                       "timeout": _ms(timeout_ms), **on_fail})
        if extra:
            ia = ET.SubElement(op, "instance_attributes", id=f"{rid}-{op_id}-params")
            for k, v in extra.items():
                ET.SubElement(ia, "nvpair", id=f"{rid}-{op_id}-level", name=k, value=v)
    for task in ("start", "stop"):
        ET.SubElement(ops, "op", id=f"{rid}-{task}", name=task, interval="0s", timeout=_ms(r.pending_timeout_ms))


def monitors_of(r, a: Agent) -> list[tuple[str, int, int, dict]]:
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
