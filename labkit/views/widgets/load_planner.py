"""The load planner: a load strategy and a number of failed nodes in; each node's load
against its optimal load and its storage groups against the limit out, with what
breaks (paper, "Cluster Load Planning"; Microsoft's later active/passive advice).

Every change of an input calls :func:`labkit.planning.failures.plan_failures`
(which plans with :func:`labkit.planning.plan_load` and predicts with
:meth:`labkit.planning.LoadPlan.after`) and shows
:func:`~labkit.views.widgets.load_panels.load_html`.
"""
from __future__ import annotations

import ipywidgets as W

from ...planning.failures import DEFAULT_OPTIMAL_USERS, STRATEGIES, LoadReport, failure_choices, plan_failures
from ...planning.naming import default_node_names
from .load_panels import load_html
from .panels import live_chart

_WORST = "(the worst case)"


class LoadPlanner(W.VBox):
    """Plan the load of an Exchange 2000 cluster and fail some of its nodes.

    Inputs: the strategy ("all nodes", "standby", "balanced", "active/passive"), the
    nodes, the users, virtual servers per node and storage groups per virtual server,
    the standby (passive) nodes, a node's optimal load in users [assumption], how many
    nodes fail and which (default: the worst set of that size). Out: one row a node --
    its users as a bar against its optimal load, its storage groups out of four, the
    virtual servers it runs -- and the findings.

    Starts on the paper's Figure 7 cluster (4 nodes, 5,000 users, balanced) with one
    node failed. Headless use: set ``.strategy.value = "standby"``, ``.nodes.value``,
    ``.failed.value`` ... (``.failure.value`` is a tuple of node names or None for the
    worst case) and read ``.report`` (a :class:`~labkit.planning.failures.LoadReport`)
    or ``.output.value``; ``.worst_button.click()`` shows the worst case again.
    """

    def __init__(self, strategy: str = "balanced", nodes: int = 4, users: int = 5000, *, failed: int = 1,
                 virtual_servers: int = 1, storage_groups: int = 1, standby: int = 1,
                 optimal_users: int = DEFAULT_OPTIMAL_USERS, max_nodes: int = 8):
        style = {"description_width": "230px"}   # the longest description in full (measured in Chromium)
        wide = W.Layout(width="420px", max_width="100%")
        labels = {"all nodes": "Maximum load – all nodes", "standby": "Maximum load – standby node",
                  "balanced": "Balanced / cascading", "active/passive": "Active/passive (Microsoft, later)"}
        self.strategy = W.Dropdown(options=[(labels[k], k) for k in STRATEGIES], value=strategy,
                                   description="strategy", style=style, layout=wide)
        self.nodes = W.IntSlider(value=nodes, min=2, max=max_nodes, description="nodes", style=style, layout=wide)
        self.users = W.BoundedIntText(value=users, min=0, max=100_000, step=250, description="users", style=style,
                                      layout=wide)
        self.virtual_servers = W.IntSlider(value=virtual_servers, min=1, max=4, description="virtual servers per node",
                                           style=style, layout=wide)
        self.storage_groups = W.IntSlider(value=storage_groups, min=1, max=4,
                                          description="storage groups per virtual server", style=style, layout=wide)
        self.standby = W.IntSlider(value=standby, min=1, max=nodes - 1, description="standby / passive nodes",
                                   style=style, layout=wide)
        self.optimal = W.BoundedIntText(value=optimal_users, min=1, max=100_000, step=250,
                                        description="optimal load, users [assumption]", style=style, layout=wide)
        self.failed = W.IntSlider(value=failed, min=0, max=nodes - 1, description="failed nodes", style=style,
                                  layout=wide)
        self.failure = W.Dropdown(description="which nodes fail", style=style, layout=wide)
        self.worst_button = W.Button(description="show the worst case", tooltip="the failure of this many nodes "
                                     "that hurts most", layout=W.Layout(width="auto"))
        self.output = W.HTML(layout=W.Layout(flex="1 1 520px", min_width="0", overflow_x="auto"))
        self.chart, self.live_chart = live_chart(self.draw)
        self.report: LoadReport | None = None
        self._busy = False
        self._fill_failures()
        self.inputs = [self.strategy, self.nodes, self.users, self.virtual_servers, self.storage_groups, self.standby,
                       self.optimal, self.failed, self.failure]
        for w in self.inputs:
            w.observe(self._changed, names="value")
        self.worst_button.on_click(lambda _b: self.show_worst())
        wrap = W.Layout(flex_flow="row wrap", align_items="flex-start", width="100%")
        super().__init__([W.HBox([W.VBox(self.inputs[:5]), W.VBox([*self.inputs[5:], W.HBox(
                              [self.worst_button, self.live_chart])])], layout=wrap),
                          W.HBox([self.output, self.chart], layout=wrap)])
        self.update()

    # ------------------------------------------------------------------ actions
    def _changed(self, change) -> None:
        if self._busy:
            return
        self._busy = True
        try:
            if change["owner"] is self.nodes:
                n = self.nodes.value
                self.failed.max = n - 1
                self.standby.max = n - 1
            if change["owner"] in (self.nodes, self.failed):
                self._fill_failures()
        finally:
            self._busy = False
        self.update()

    def _fill_failures(self) -> None:
        names = default_node_names(self.nodes.value)
        sets = failure_choices(names, self.failed.value)
        options = [(_WORST, None)] + [(" + ".join(s) if s else "(none)", s) for s in sets]
        if self.failed.value == 0:
            options = [("(no node fails)", None)]
        keep = self.failure.value
        self.failure.options = options
        self.failure.value = keep if keep in [v for _, v in options] else None

    def show_worst(self) -> LoadReport:
        """Back to the worst failure of the chosen number of nodes."""
        self.failure.value = None
        return self.update()

    def update(self) -> LoadReport:
        """Recompute from the inputs and show it."""
        self.report = plan_failures(
            self.strategy.value, self.nodes.value, self.users.value, failed=self.failed.value,
            failure=self.failure.value, virtual_servers_per_node=self.virtual_servers.value,
            storage_groups_per_server=self.storage_groups.value, standby=self.standby.value,
            optimal_users=self.optimal.value)
        self.output.value = load_html(self.report)
        self.draw()
        return self.report

    def draw(self) -> None:
        """Redraw the chart of the report (users per node against the optimal load) as
        SVG; matplotlib is imported on the first draw."""
        if not self.live_chart.value or self.report is None or self.report.plan is None:
            self.chart.value = "" if self.report is None or self.report.plan is not None else \
                "<i>no plan to draw</i>"
            return
        from ..charts import load_chart
        self.chart.value = load_chart(self.report, width=6.2).html()
