"""The Exchange 2000 organisation of a cluster, as plain dataclasses.

Everything the Exchange layer knows lives in ``cluster.extensions["exchange"]``
as an :class:`ExchangeOrg`; its :meth:`~ExchangeOrg.to_dict` puts it in
``cluster.to_dict()``, and ``cluster.transaction()`` restores it, so Exchange
commands are all-or-nothing like the core's. Which nodes have the binaries is
kept where setup puts them: on the node (``node.properties["exchange2000"]``).

>>> org = ExchangeOrg()
>>> org.settings.max_storage_groups_per_node
4
>>> sorted(org.to_dict())[:3]
['creating', 'installing', 'mta_server']
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum

from ..values import show
from ..errors import NotFoundError, ValidationError

#: Key of the Exchange organisation in ``cluster.extensions``.
EXT = "exchange"
#: Key of the Exchange 2000 install record in ``node.properties``.
NODE_KEY = "exchange2000"
#: The right the Exchange Delegation Wizard grants; needed to create and manage
#: Exchange virtual servers (paper, Ensure Proper Security and Permissions Delegation).
FULL_ADMIN = "Exchange Full Administrator"

#: The protocols clients use to reach a virtual server (paper, Exchange Virtual
#: Servers: The Unit of Failover): MAPI goes to the Information Store itself.
PROTOCOLS = ("MAPI", "POP3", "IMAP4", "HTTP")


@dataclass
class ExchangeSettings:
    """Limits and choices of the Exchange layer, as named settings.

    - ``max_storage_groups_per_node``: 4 -- one store.exe process mounts at most four
      storage groups, before or after a failover (paper, Table 5 and "Design Storage
      Before Configuring the Cluster"; KB 314266).
    - ``max_storage_groups_per_server``: 4 -- an Exchange 2000 server (here a virtual
      server) holds at most four storage groups; the same RTM limit seen from ESM [D].
    - ``max_databases_per_storage_group``: 5 (paper, Table 8: "up to 5 can be configured").
    - ``public_stores_per_cluster``: 1 -- setup creates one public store per cluster, in
      the first virtual server (paper, Exchange 2000 Cluster Administration and
      Management); the kit refuses more [D].
    - ``nntp_follows_kb_259197``: the paper's Table 5 lists NNTP as Active/Active;
      Microsoft's KB 259197 says NNTP is not supported in a cluster. False follows the
      paper; True follows the KB and refuses NNTP.
    - ``store_move_s``: 15 -- seconds a storage group's databases stay dismounted when
      Exchange System Manager moves its transaction logs, or moves an empty database,
      while the store is mounted (dismount, move, remount) [U].
    - ``store_copy_mb_s``: 20 -- MB/s at which a database's files are copied from one
      array to another during such a move [U].
    - ``mailbox_mb``: 25 -- the average mailbox, both files together, for copy times;
      the kit splits it evenly between the .EDB and the .STM [U].
    """

    max_storage_groups_per_node: int = 4
    max_storage_groups_per_server: int = 4
    max_databases_per_storage_group: int = 5
    public_stores_per_cluster: int = 1
    nntp_follows_kb_259197: bool = False
    store_move_s: int = 15
    store_copy_mb_s: int = 20
    mailbox_mb: int = 25


class DatabaseKind(StrEnum):
    """A store holds mailboxes or public folders (paper, Figure 6; one public store per cluster)."""

    MAILBOX = "mailbox"
    PUBLIC = "public"


@dataclass
class Database:
    """A store: a property file (.EDB) and a streaming file (.STM) in a storage group
    (paper, Figure 6 and Table 8). ``kind`` is a :class:`DatabaseKind`."""

    name: str
    kind: DatabaseKind
    edb_disk: str
    stm_disk: str
    edb_file: str
    stm_file: str
    mailboxes: int = 0


@dataclass
class StorageGroup:
    """A storage group: one set of transaction logs shared by up to five databases
    (paper, Figure 6). It belongs to exactly one virtual server."""

    name: str
    virtual_server: str
    log_disk: str
    log_path: str
    databases: dict[str, Database] = field(default_factory=dict)


@dataclass
class VirtualServer:
    """An Exchange virtual server (EVS): the unit of failover, named after its Network
    Name (paper, Exchange Virtual Servers: The Unit of Failover).

    ``resources`` maps each role of Table 7 to the resource's name; ``monitor`` is the
    resource monitor process its Exchange resources run in (paper, The Resource Monitor).
    ``content_indexing_broken`` is set when its MS Search instance was deleted: the
    whole virtual server must be re-created for content indexing to work again (paper,
    Removing Exchange Virtual Servers). ``clients`` counts users by protocol.
    ``dismounts`` records each time Exchange System Manager dismounted databases of a
    mounted store to move their files: ``{"storage_group", "databases": {name:
    mailboxes}, "start_ms", "end_ms", "node", "why"}`` (read by the clients model).
    """

    name: str
    group: str
    network_name: str
    resources: dict[str, str] = field(default_factory=dict)
    data_disk: str = ""
    monitor: str = ""
    storage_groups: dict[str, StorageGroup] = field(default_factory=dict)
    components: list[str] = field(default_factory=list)
    content_indexing_broken: bool = False
    clients: dict[str, int] = field(default_factory=dict)
    dismounts: list[dict] = field(default_factory=list)

    @property
    def system_attendant(self) -> str:
        return self.resources["System Attendant"]

    @property
    def information_store(self) -> str | None:
        return self.resources.get("Information Store")

    def databases(self):
        """Every database of the virtual server, storage group by storage group."""
        for sg in self.storage_groups.values():
            yield from sg.databases.values()

    @property
    def mailboxes(self) -> int:
        return sum(db.mailboxes for db in self.databases())


@dataclass
class ExchangeOrg:
    """The Exchange 2000 organisation of one cluster.

    - ``virtual_servers``: by name, in creation order.
    - ``mta_server``: the virtual server holding the cluster's one MTA instance
      (paper, Table 5 and Table 7), or None.
    - ``installing``: the node whose Exchange setup and restart are under way, with its
      node incarnation when setup started (paper: one installation at a time).
    - ``creating``: the virtual server whose System Attendant is creating the other
      resources right now (only set inside that command).
    """

    settings: ExchangeSettings = field(default_factory=ExchangeSettings)
    virtual_servers: dict[str, VirtualServer] = field(default_factory=dict)
    mta_server: str | None = None
    installing: dict | None = None
    creating: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "ExchangeOrg":
        """Rebuild an organisation from :meth:`to_dict` output (for saved clusters).

        >>> o = ExchangeOrg(mta_server="EXVS1")
        >>> ExchangeOrg.from_dict(o.to_dict()) == o
        True
        """
        servers = {}
        for name, v in data.get("virtual_servers", {}).items():
            sgs = {}
            for sg_name, sg in v.get("storage_groups", {}).items():
                dbs = {k: Database(**{**d, "kind": DatabaseKind(d["kind"])})
                       for k, d in sg.get("databases", {}).items()}
                sgs[sg_name] = StorageGroup(**{**sg, "databases": dbs})
            servers[name] = VirtualServer(**{**v, "storage_groups": sgs})
        return cls(settings=ExchangeSettings(**data.get("settings", {})), virtual_servers=servers,
                   mta_server=data.get("mta_server"), installing=data.get("installing"),
                   creating=data.get("creating"))

    def server(self, name) -> VirtualServer:
        """The virtual server called ``name`` (NotFoundError otherwise)."""
        if not isinstance(name, str) or not name:
            raise ValidationError(f"a virtual server is named by a string, not {show(name)}",
                                  rule="virtual servers are named after their Network Name")
        vs = self.virtual_servers.get(name.upper())
        if vs is None:
            known = ", ".join(self.virtual_servers) or "none"
            raise NotFoundError(f"no Exchange virtual server named {show(name)} (known: {known})",
                                rule="commands name existing virtual servers")
        return vs

    def server_of_resource(self, resource: str) -> VirtualServer | None:
        for vs in self.virtual_servers.values():
            if resource in vs.resources.values():
                return vs
        return None


def org(cluster, *, create: bool = False) -> ExchangeOrg | None:
    """The cluster's :class:`ExchangeOrg` (None before Exchange was installed, unless
    ``create``). Only call ``create=True`` inside a command that changes the cluster."""
    ext = cluster.extensions.get(EXT)
    if ext is None and create:
        ext = cluster.extensions[EXT] = ExchangeOrg()
    return ext


def need_org(cluster) -> ExchangeOrg:
    """The organisation, or a NotFoundError saying Exchange 2000 is not installed."""
    from ..errors import ConfigurationError
    ext = org(cluster)
    if ext is None:
        raise ConfigurationError("Exchange 2000 is not installed on any node of this cluster; run "
                                 "labkit.exchange.install(cluster, node) on each node first",
                                 rule="Exchange 2000 is installed on the nodes where its resources run",
                                 source="paper, Exchange 2000 Cluster Resource Dependencies")
    return ext
