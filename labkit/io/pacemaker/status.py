"""The CIB's status section: the cluster as it runs now, as Pacemaker records it.

:func:`status_cib` adds, in one pass, each running resource's start and recurring monitors
with the operation digests Pacemaker computes (:func:`op_digest`), so that ``crm_simulate -R``
reads a running, stable cluster and plans nothing.
"""
from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from ...cluster.cluster import Cluster
from ...cluster.model import NodeState, ResourceState
from ...errors import ValidationError
from .cib import FEATURE_SET, agent_for, cib_tree, monitors_of, ncname, resource_ids, xml_text


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
                            tuple((iv, to, extra) for _, iv, to, extra in monitors_of(r, a))))
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
    root = cib_tree(c, style=style, include_quorum=False, properties=props, hold=hold)
    _ban_from_paused_nodes(c, root)
    up = {n for n, x in c.nodes.items() if x.state in (NodeState.UP, NodeState.PAUSED)}
    running, everything = _running(c, _primitives(c, style, skip), up, skip)
    status = root.find("status")
    for n in c.node_ids():
        _node_state(status, c, n, n in up, running[n], everything if probes else None)
    return xml_text(root)


def _ban_from_paused_nodes(c: Cluster, root: ET.Element) -> None:
    """A Paused node takes no new groups: each exported group it does not own is banned from it."""
    paused = [n for n in c.node_ids() if c.nodes[n].state is NodeState.PAUSED]
    if paused:
        cons, ids = root.find("configuration/constraints"), resource_ids(c)
        exported = {e.get("id") for e in root.find("configuration/resources")}
        for g in c.groups.values():
            gid = ids[("group", g.name)]
            for n in paused:
                if g.owner != n and gid in exported:
                    ET.SubElement(cons, "rsc_location", id=f"paused-{gid}-{ncname(n, 'n-')}", rsc=gid, node=n,
                                  score="-INFINITY")


def _running(c: Cluster, prims: dict[str, list[_Rsc]], up: set, skip: set) -> tuple[dict, list[_Rsc]]:
    """The primitives running on each node (a group's online resources, on its owner when
    that node is up), and every exported primitive, in export order."""
    running: dict[str, list[_Rsc]] = {n: [] for n in c.nodes}
    everything: list[_Rsc] = []
    for g in c.groups.values():
        on = [r for r in g.resources if c.resources[r].state is ResourceState.ONLINE and r not in skip]
        mine = prims[g.name]
        everything += mine
        if g.owner in up and on:
            online = set(on)
            running[g.owner] += [p for p in mine if p.name is None or p.name in online]
    return running, everything


def _node_state(status: ET.Element, c: Cluster, n: str, live: bool, here: list[_Rsc],
                probed: list[_Rsc] | None) -> None:
    """Node ``n``'s ``node_state``: its membership and, when it is up, the start and the
    monitors of each primitive running ``here``, then a "not running" probe of each other
    one of ``probed`` (``None``: no probes)."""
    node = c.nodes[n]
    ns = ET.SubElement(status, "node_state", {
        "id": str(node.id), "uname": n, "in_ccm": "true" if live else "false",
        "crmd": "online" if live else "offline", "crm-debug-origin": "labkit",
        "join": "member" if live else "down", "expected": "member" if live else "down"})
    if not live:
        return
    lrm = ET.SubElement(ET.SubElement(ns, "lrm", {"id": str(node.id)}), "lrm_resources")
    call = 0
    for p in here:
        lr = ET.SubElement(lrm, "lrm_resource", {"id": p.id, **p.attrs})
        call += 1
        _op(lr, n, p.id, "start", 0, 0, call, op_digest(p.params))
        for interval, timeout, extra in p.monitors:
            call += 1
            _op(lr, n, p.id, "monitor", interval, 0, call,
                op_digest({**p.params, **extra, "CRM_meta_timeout": str(timeout)}))
    if probed is not None:
        started = {p.id for p in here}
        for p in probed:
            if p.id not in started:
                lr = ET.SubElement(lrm, "lrm_resource", {"id": p.id, **p.attrs})
                call += 1
                _op(lr, n, p.id, "monitor", 0, 7, call, op_digest(p.params))


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
