"""The dependency explorer: step through a group's online and offline order on its diagram.

Choose a group and a direction; Prev/Next walk the order one resource at a time, the
diagram outlines the current resource and the label says what it waits for (paper,
Table 1, Resource Dependency). The steps come from
:func:`labkit.views.widgets.actions.order_steps`.
"""
from __future__ import annotations

import ipywidgets as W

from ...cluster import Cluster
from .actions import Step, order_steps, step_diagram
from .panels import SVG_CACHE, order_html


class DependencyExplorer(W.VBox):
    """Step through the online or offline order of a group.

    Headless use: set ``.group.value`` / ``.direction.value``, then ``.next.click()`` /
    ``.prev.click()``; ``.step`` is the current :class:`~labkit.views.widgets.actions.Step`
    (None for an empty group), ``.dot`` the diagram's ``graphviz.Digraph``.
    """

    def __init__(self, cluster: Cluster | None = None, group: str | None = None, direction: str = "online"):
        if cluster is None:
            from ...scenarios.file_share import file_share_cluster
            cluster = file_share_cluster()
        self.cluster = cluster
        self.svg_cache = SVG_CACHE
        groups = list(cluster.groups)
        if group is None:  # the first group an administrator made, else the Cluster Group
            group = next((g for g in groups if g != cluster.cluster_group), groups[0])
        self.group = W.Dropdown(options=groups, value=group, description="group")
        self.direction = W.ToggleButtons(options=[("online order", "online"), ("offline order", "offline")],
                                         value=direction)
        self.prev = W.Button(description="◀ Prev", layout=W.Layout(width="auto", flex="0 0 auto"))
        self.next = W.Button(description="Next ▶", layout=W.Layout(width="auto", flex="0 0 auto"))
        self.label = W.HTML()
        self.order_view = W.HTML(layout=W.Layout(min_width="220px"))
        self.diagram = W.HTML(layout=W.Layout(overflow="auto"))
        self.steps: list[Step] = []
        self.index = 1
        self.dot = None
        self.prev.on_click(lambda _b: self.go(self.index - 1))
        self.next.on_click(lambda _b: self.go(self.index + 1))
        self.group.observe(lambda _c: self.reset(), names="value")
        self.direction.observe(lambda _c: self.reset(), names="value")
        wrap = dict(flex_flow="row wrap", align_items="center", width="100%")
        self.diagram.layout.flex = "1 1 400px"
        super().__init__([W.HBox([self.group, self.direction], layout=W.Layout(**wrap)),
                          W.HBox([self.prev, self.next, self.label], layout=W.Layout(**wrap)),
                          W.HBox([self.order_view, self.diagram], layout=W.Layout(**wrap))])
        self.reset()

    @property
    def step(self) -> Step | None:
        return self.steps[self.index - 1] if self.steps else None

    def reset(self) -> None:
        """Recompute the steps (group or direction changed) and show step 1."""
        self.steps = order_steps(self.cluster, self.group.value, self.direction.value)
        self.go(1)

    def go(self, index: int) -> None:
        """Show step ``index`` (1-based; clamped to the first and last step)."""
        self.index = max(1, min(index, len(self.steps))) if self.steps else 1
        step = self.step
        self.prev.disabled = step is None or self.index == 1
        self.next.disabled = step is None or self.index == len(self.steps)
        self.label.value = f"<b>{step.text}</b>" if step else "<i>this group has no resources</i>"
        self.order_view.value = order_html(self.steps, self.index)
        self.dot = step_diagram(self.cluster, self.group.value, step)
        self.diagram.value = self.svg_cache.svg(self.dot)
