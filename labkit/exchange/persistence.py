"""The Exchange organisation in a cluster file: its checks, registered with the loader.

A cluster file holds the organisation as ``extensions.exchange`` (the
:meth:`~labkit.exchange.model.ExchangeOrg.to_dict` of :class:`~labkit.exchange.model.ExchangeOrg`).
The file loader (:mod:`labkit.io`) knows nothing of Exchange: this module registers, with the
core's extension registry (:func:`labkit.cluster.extensions.register_extension`), how the
organisation is rebuilt (``ExchangeOrg.from_dict``), how its data is checked before anything is
built (:func:`check_data`, described in the file's JSON Schema by the fields of ``ExchangeOrg``)
and how its references to the built cluster are checked (:func:`check_references`).

>>> check_data({"virtual_servers": {}, "mta_server": "EXVS9"}, "extensions.exchange")
[('extensions.exchange.mta_server', 'no virtual server named EXVS9')]
"""
from __future__ import annotations

from .. import values as V
from ..cluster.extensions import register_extension
from .model import EXT, ExchangeOrg
from .types import EXCHANGE_TYPE_NAMES


def check_data(data, path: str) -> list[tuple[str, str]]:
    """Problems of an organisation's ``to_dict()`` read from a cluster file: the shape of
    every field (:class:`labkit.values.Dataclass`), then its own rules. References to
    groups and resources are checked on the built cluster (:func:`check_references`)."""
    out: list = []
    V.Dataclass(ExchangeOrg).collect(data, path, out)
    if out:
        return out
    vss = data.get("virtual_servers", {})
    for name, vs in vss.items():
        if vs.get("name") != name:
            out.append((V.path_of(V.path_of(V.path_of(path, "virtual_servers"), name), "name"), f"must be {name}"))
    mta = data.get("mta_server")
    if mta is not None and mta not in vss:
        out.append((V.path_of(path, "mta_server"), f"no virtual server named {mta}"))
    inst = data.get("installing")
    if inst is not None and not (isinstance(inst, dict) and set(inst) == {"node", "incarnation"}
                                 and isinstance(inst["node"], str) and type(inst["incarnation"]) is int):
        out.append((V.path_of(path, "installing"), f"expected null or {{node, incarnation}}, not {V.show(inst)}"))
    if data.get("creating") is not None:
        out.append((V.path_of(path, "creating"), "a virtual server is only being created inside a command; "
                                                 "a saved file has null here"))
    return out


def check_references(cluster, o: ExchangeOrg, path: str) -> list[tuple[str, str]]:
    """Cross-references of the organisation to the cluster it lives in."""
    out: list = []
    vpath = V.path_of(path, "virtual_servers")
    for name, vs in o.virtual_servers.items():
        p = V.path_of(vpath, name)
        if vs.group not in cluster.groups:
            out.append((V.path_of(p, "group"), f"no group named {vs.group}"))
        for role, rname in vs.resources.items():
            if rname not in cluster.resources:
                out.append((V.path_of(V.path_of(p, "resources"), role), f"no resource named {rname}"))
        for key in ("network_name", "data_disk"):
            v = getattr(vs, key)
            if v and v not in cluster.resources:
                out.append((V.path_of(p, key), f"no resource named {v}"))
    if o.installing and o.installing.get("node") not in cluster.nodes and o.installing.get("node") not in \
            cluster.evicted:   # evicted while its setup was under way: the record stays, the install is over
        out.append((V.path_of(V.path_of(path, "installing"), "node"), f"no node named {o.installing.get('node')}"))
    for r in cluster.resources.values():
        if r.type in EXCHANGE_TYPE_NAMES:
            evs = r.properties.get("virtual_server")
            if not isinstance(evs, str) or evs not in o.virtual_servers:
                out.append((V.path_of(V.path_of(V.path_of("resources", r.name), "properties"), "virtual_server"),
                            f"no Exchange virtual server named {V.show(evs)}"))
    return out


class OrgInFile(V.Dataclass):
    """The organisation as a cluster file holds it: checked by :func:`check_data`, described
    (in the file's JSON Schema, :mod:`labkit.io.jsonschema`) by the fields of :class:`ExchangeOrg`."""

    def check_into(self, v, path, out):
        found = check_data(v, path)
        out.extend(found)
        return V.BAD if found else v


register_extension(EXT, ExchangeOrg.from_dict, check=OrgInFile(ExchangeOrg), check_loaded=check_references)
