"""The installation check of notebook 00: a two-node cluster, a node chooser, Crash /
Start buttons, and the cluster drawn by Graphviz after every click."""
from __future__ import annotations

import ipywidgets as W

from .. import diagrams
from ...cluster import Cluster, NodeState
from ...errors import LabkitError
from ...scenarios.file_share import two_node_demo


def toggle_node(cluster: Cluster, node: str) -> str:
    """Crash an Up node or start a Down one, run until stable, and say what happened."""
    try:
        if cluster.nodes[node].state is NodeState.DOWN:
            cluster.start_node(node)
            verb = "started"
        else:
            cluster.crash_node(node)
            verb = "crashed"
        cluster.run_until_stable()
    except LabkitError as e:
        return f"refused: {e}"
    return f"{node} {verb}; quorum owner now {cluster.quorum_owner or 'none'} at {cluster.now:%H:%M:%S}"


class StarterWidget(W.VBox):
    """Pick a node, crash or start it, and watch the Cluster Group move."""

    def __init__(self, cluster: Cluster | None = None):
        self.cluster = cluster or two_node_demo()
        self.node = W.Dropdown(options=self.cluster.node_ids(), description="node")
        self.button = W.Button(description="Crash / start", button_style="warning")
        self.status = W.Label(value="Click to crash the chosen node.")
        self.picture = W.HTML()
        self.button.on_click(self._click)
        super().__init__([W.HBox([self.node, self.button]), self.status, self.picture])
        self.refresh()

    def _click(self, _=None) -> None:
        self.status.value = toggle_node(self.cluster, self.node.value)
        self.refresh()

    def refresh(self) -> None:
        self.picture.value = diagrams.fitted_svg(diagrams.cluster_diagram(self.cluster))
