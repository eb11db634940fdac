"""The storage designer: users, storage groups, RAID levels and drives in; drives,
capacity, I/O headroom and broken rules out (paper, "Storage Design is the Key",
Tables 8 and 9, and "Design Storage Before Configuring the Cluster").

Every change of an input calls :func:`labkit.views.widgets.planning_panels.design_storage`
(which sizes with :func:`labkit.planning.storage.plan_storage` and checks with
:func:`labkit.planning.storage_rules.check`) and shows :func:`~labkit.views.widgets.planning_panels.storage_html`.
"""
from __future__ import annotations

import ipywidgets as W

from ...planning import raid
from .planning_panels import DRIVES, StorageReport, design_storage, storage_html

_LEVELS = [str(level) for level in raid.RaidLevel]


class StorageDesigner(W.VBox):
    """Design the shared storage of an Exchange 2000 cluster and see which rules it breaks.

    Starts on the paper's Table 9 (5,000 users, 4 nodes, one virtual server and one
    storage group per node, RAID 0+1 databases, RAID 1 logs, 18.2 GB drives).
    Headless use: set ``.users.value``, ``.storage_groups.value``, ``.database_level.value``
    ... and read ``.report`` (a :class:`~labkit.views.widgets.planning_panels.StorageReport`)
    or ``.output.value`` (the HTML shown).
    """

    def __init__(self, users: int = 5000, nodes: int = 4, *, storage_groups: int = 1, virtual_servers: int = 1,
                 database_level: str = "RAID 0+1", log_level: str = "RAID 1",
                 drive: str = "18.2 GB 10,000 rpm (Table 9)"):
        style = {"description_width": "225px"}   # the longest description in full (measured in Chromium)
        wide = W.Layout(width="440px", max_width="100%")
        self.users = W.BoundedIntText(value=users, min=0, max=100_000, step=250, description="users",
                                      style=style, layout=wide)
        self.nodes = W.IntSlider(value=nodes, min=1, max=8, description="nodes", style=style, layout=wide)
        self.virtual_servers = W.IntSlider(value=virtual_servers, min=1, max=4, description="virtual servers per node",
                                           style=style, layout=wide)
        self.storage_groups = W.IntSlider(value=storage_groups, min=1, max=6,
                                          description="storage groups per virtual server", style=style, layout=wide)
        self.database_level = W.Dropdown(options=_LEVELS, value=database_level, description="database array RAID",
                                         style=style, layout=wide)
        self.log_level = W.Dropdown(options=_LEVELS, value=log_level, description="log array RAID", style=style,
                                    layout=wide)
        self.drive = W.Dropdown(options=list(DRIVES), value=drive, description="drive", style=style, layout=wide)
        self.mailbox_mb = W.BoundedFloatText(value=30.0, min=0.0, max=10_000.0, step=10.0,
                                             description="mailbox MB [assumption]", style=style, layout=wide)
        self.iops_per_user = W.BoundedFloatText(value=0.3, min=0.0, max=10.0, step=0.05,
                                                description="I/O per user per s [assumption]", style=style,
                                                layout=wide)
        self.output = W.HTML(layout=W.Layout(overflow_x="auto", width="100%"))
        self.report: StorageReport | None = None
        self.inputs = [self.users, self.nodes, self.virtual_servers, self.storage_groups, self.database_level,
                       self.log_level, self.drive, self.mailbox_mb, self.iops_per_user]
        for w in self.inputs:
            w.observe(lambda _c: self.update(), names="value")
        super().__init__([W.HBox([W.VBox(self.inputs[:4]), W.VBox(self.inputs[4:])],
                                 layout=W.Layout(flex_flow="row wrap", width="100%")), self.output])
        self.update()

    def update(self) -> StorageReport:
        """Recompute the design from the inputs and show it."""
        self.report = design_storage(
            self.users.value, self.nodes.value, virtual_servers_per_node=self.virtual_servers.value,
            storage_groups_per_server=self.storage_groups.value, database_level=self.database_level.value,
            log_level=self.log_level.value, drive=self.drive.value, mailbox_mb=float(self.mailbox_mb.value),
            iops_per_user=float(self.iops_per_user.value))
        self.output.value = storage_html(self.report)
        return self.report
