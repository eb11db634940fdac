"""Exchange 2000 on the cluster: a plug-in to the MSCS core, as EXRES.DLL and
EXCLUADM.DLL plug into Microsoft Cluster Service.

The core knows nothing about Exchange. This package registers the nine resource
types of the paper's Table 7, keeps the Exchange organisation (virtual servers,
storage groups, databases, mailboxes, clients) in ``cluster.extensions["exchange"]``
and offers the administrator's commands. Every command is all-or-nothing.

>>> import labkit as lk
>>> from labkit import exchange as ex
>>> c = lk.Cluster("FOUR-STOOGES", ip="132.192.1.100")
>>> _ = c.add_node("1-CURLY", ip="132.192.1.10"); _ = c.add_node("2-MOE", ip="132.192.1.20")
>>> for n in ("1-CURLY", "2-MOE"):
...     ex.install(c, n); c.run_until_stable()      # one installation at a time
>>> ex.create_virtual_server(c, "EXVS1", ip="132.192.1.11", disks=["Disk E:"], node="1-CURLY")
'EXVS1'
>>> c.online_group("EXVS1"); c.run_until_stable()
>>> ex.storage_groups_on(c, "1-CURLY")
[('EXVS1', 'First Storage Group')]

Views (Graphviz) are in :mod:`labkit.views.exchange_diagrams` (``ex.diagrams``), loaded
on first use so that the model never imports graphviz.
"""
from . import e55
from .clients import Impact, ProtocolImpact, StoreImpact, impact, outages, set_clients
from .components import COMPONENTS, TABLE5, Component, add_component, check_component
from . import persistence  # noqa: F401 (registers the organisation's file checks with the loader)
from .model import (FULL_ADMIN, PROTOCOLS, Database, DatabaseKind, ExchangeOrg, ExchangeSettings, StorageGroup,
                    VirtualServer, org)
from .servers import (check_removal, create_virtual_server, remove_virtual_server, resource_names,
                      virtual_server, virtual_servers)
from .setup import configure, install, installed_nodes, uninstall
from .storage import (FIRST_SG, StoreMove, add_database, add_mailboxes, add_storage_group, check_mailbox_move,
                      find_database, find_storage_group, is_dismounted, layout, move_database, move_mailboxes,
                      move_storage_group_logs, storage_groups_on)
from .types import (EXCHANGE_TYPE_NAMES, EXCHANGE_TYPES, TABLE7, TABLE7_BY_ROLE, Table7Row,
                    install_under_way, installed)

__all__ = [
    "install", "uninstall", "installed", "installed_nodes", "install_under_way", "configure",
    "create_virtual_server", "remove_virtual_server", "check_removal", "virtual_server", "virtual_servers",
    "resource_names",
    "add_storage_group", "add_database", "add_mailboxes", "move_mailboxes", "check_mailbox_move",
    "storage_groups_on", "layout", "FIRST_SG",
    "find_storage_group", "find_database", "move_storage_group_logs", "move_database", "StoreMove",
    "is_dismounted",
    "TABLE5", "COMPONENTS", "Component", "check_component", "add_component",
    "set_clients", "impact", "outages", "Impact", "ProtocolImpact", "StoreImpact",
    "TABLE7", "TABLE7_BY_ROLE", "Table7Row", "EXCHANGE_TYPES", "EXCHANGE_TYPE_NAMES",
    "org", "ExchangeOrg", "ExchangeSettings", "VirtualServer", "StorageGroup", "Database", "DatabaseKind",
    "FULL_ADMIN", "PROTOCOLS", "demo_cluster", "e55",
]


def __getattr__(name):
    """``ex.diagrams`` (:mod:`labkit.views.exchange_diagrams`, a view: imports graphviz)
    and ``ex.demo_cluster`` (:func:`labkit.scenarios.demo_cluster`) come from higher
    layers, which ``labkit/__init__.py`` registers in :mod:`labkit.hooks`; they load on
    first use. Kept because notebooks and learners call ``ex.demo_cluster()`` and
    ``ex.diagrams``."""
    from ..hooks import provided
    return provided(__name__, name)
