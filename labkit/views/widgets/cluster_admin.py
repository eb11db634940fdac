"""The Cluster Administrator widget: Windows 2000's CluAdmin.exe, thin over the model.

Choose a group, a resource or a node and click what an administrator (or a power cut)
would do; advance the simulated clock; watch the tree of groups and resources, the node
states, the cluster diagram and the cluster log change. Every button calls
:func:`labkit.views.widgets.actions.apply_action`; a refused command shows the rule it broke.
Works with any cluster, e.g. the paper's four nodes with Exchange virtual servers.
"""
from __future__ import annotations

import ipywidgets as W

from .. import diagrams
from ...cluster import Cluster
from .actions import ACTIONS, ActionResult, apply_action
from .panels import SVG_CACHE, header_html, log_html, nodes_html, status_html, tree_html

_NEXT = "(next in list)"
#: The log pane shows at most this many lines, however much one action logged.
MAX_LOG_LINES = 200


def _button(label: str, style: str = "", tip: str = "") -> W.Button:
    # never narrower than its label: a button that may shrink shows "F..." instead of "Fail resource"
    return W.Button(description=label, button_style=style, tooltip=tip or label,
                    layout=W.Layout(width="auto", flex="0 0 auto"))


def _row(children) -> W.HBox:
    """Controls in a row that wraps onto the next line when the output is narrow."""
    return W.HBox(children, layout=W.Layout(flex_flow="row wrap", align_items="center", width="100%"))


def _chooser(widget, width: str):
    """A dropdown of ``width`` that may shrink a little but keeps its place in the row."""
    widget.layout = W.Layout(width=width, flex="0 1 auto", min_width="180px")
    return widget


class ClusterAdministrator(W.VBox):
    """Drive a cluster by clicks.

    ``cluster``: any running :class:`~labkit.cluster.Cluster` (default: two nodes and a
    file share). ``log_lines``: how many log lines to show. ``live_diagram``: redraw
    the cluster diagram after every action (Graphviz; the drawing is cached by its DOT
    source) -- switch it off for big clusters and use "Draw" instead.

    Headless use (tests, scripts): set ``.group.value`` etc. and ``.click("move_group")``
    or call :meth:`do` directly; ``.last`` is the last :class:`ActionResult`.
    """

    def __init__(self, cluster: Cluster | None = None, *, log_lines: int = 12, live_diagram: bool = True,
                 show_resources: bool = False):
        if cluster is None:
            from ...scenarios.file_share import file_share_cluster
            cluster = file_share_cluster()
        self.cluster = cluster
        self.log_lines = log_lines
        self.last: ActionResult | None = None
        self.svg_cache = SVG_CACHE
        self._make_choosers(live_diagram, show_resources)
        self._make_buttons()
        self._make_views()
        super().__init__(self._rows())
        self.refresh()

    def _make_choosers(self, live_diagram: bool, show_resources: bool) -> None:
        """The dropdowns and check boxes: group, target node, resource, fault, node, options."""
        self.group = _chooser(W.Dropdown(description="group"), "260px")
        self.target = _chooser(W.Dropdown(description="to node"), "230px")
        self.resource = _chooser(W.Dropdown(description="resource"), "300px")
        self.fault_kind = W.Dropdown(options=[("crash (LooksAlive sees it)", "crash"),
                                              ("hang (only IsAlive sees it)", "hang")],
                                     value="crash", description="fault")
        _chooser(self.fault_kind, "290px")
        auto = dict(width="auto", flex="0 0 auto")
        self.lasting = W.Checkbox(value=False, description="lasting (fails on restart)", indent=False,
                                  layout=W.Layout(**auto))
        self.node = _chooser(W.Dropdown(description="node"), "230px")
        self.settle = W.Checkbox(value=False, description="run until stable after each action", indent=False,
                                 layout=W.Layout(**auto))
        self.live = W.Checkbox(value=live_diagram, description="live diagram", indent=False,
                               layout=W.Layout(**auto))
        self.show_resources = W.Checkbox(value=show_resources, description="resources in diagram", indent=False,
                                         layout=W.Layout(**auto))

    def _make_buttons(self) -> None:
        """The action buttons (key = action name; time buttons are "run:<seconds>"), wired to :meth:`click`."""
        self.buttons: dict[str, W.Button] = {}
        for name in ("move_group", "online_group", "offline_group"):
            self.buttons[name] = _button(ACTIONS[name].label, "primary" if name == "move_group" else "")
        for name in ("fail_resource", "inject_fault", "crash_resource_monitor", "repair_resource"):
            self.buttons[name] = _button(ACTIONS[name].label, "danger" if name != "repair_resource" else "")
        for name in ("crash_node", "start_node", "pause_node", "resume_node"):
            self.buttons[name] = _button(ACTIONS[name].label, "danger" if name == "crash_node" else "")
        for label, secs in (("+10 s", 10), ("+1 min", 60), ("+10 min", 600), ("+1 h", 3600)):
            self.buttons[f"run:{secs}"] = _button(label, tip=f"advance the simulated clock by {label[1:]}")
        self.buttons["run_until_stable"] = _button("Run until stable", "info")
        self.buttons["draw"] = _button("Draw", tip="draw the cluster diagram now")
        for key, b in self.buttons.items():
            b.on_click(lambda _b, key=key: self.click(key))
        self.group.observe(lambda _c: self._group_changed(), names="value")
        for box in (self.live, self.show_resources):
            box.observe(lambda _c: self._draw(force=False), names="value")

    def _make_views(self) -> None:
        """The outputs: header, status, the cluster.exe line, nodes, groups, diagram and log."""
        self.header = W.HTML()
        self.status = W.HTML(value="<div style='color:#555'>Choose something and click an action.</div>")
        #: the cluster.exe line of the last action (labkit.clusterexe)
        self.command_view = W.HTML()
        self.nodes_view = W.HTML()
        self.tree = W.HTML(layout=W.Layout(overflow="auto", max_height="300px", width="100%"))
        self.diagram = W.HTML(layout=W.Layout(overflow="auto", max_height="420px", width="100%"))
        self.log_view = W.HTML(layout=W.Layout(overflow="auto", max_height="260px", width="100%"))

    def _rows(self) -> list:
        """The rows of the administrator: controls, then what happened beside the picture, then the tree."""
        b = self.buttons
        row = _row
        controls = [
            row([self.group, self.target, b["move_group"], b["online_group"], b["offline_group"]]),
            row([self.resource, b["fail_resource"], self.fault_kind, self.lasting, b["inject_fault"],
                 b["crash_resource_monitor"], b["repair_resource"]]),
            row([self.node, b["crash_node"], b["start_node"], b["pause_node"], b["resume_node"],
                 W.Label("time:", layout=W.Layout(margin="0 0 0 12px", flex="0 0 auto")), b["run:10"], b["run:60"],
                 b["run:600"], b["run:3600"], b["run_until_stable"], self.settle]),
        ]
        # cause and effect side by side: what happened (status, nodes, the log) on the left,
        # the picture on the right; they stack when the output is narrower than both
        left = W.VBox([self.status, self.command_view, self.nodes_view, W.HTML("<b>cluster log</b> (newest last; this action's lines "
                                                            "in bold)"), self.log_view],
                      layout=W.Layout(flex="1 1 440px", min_width="0", margin="0 12px 0 0"))
        right = W.VBox([row([self.live, self.show_resources, b["draw"]]), self.diagram],
                       layout=W.Layout(flex="1 1 440px", min_width="0"))
        rows = [
            self.header,
            *controls,
            W.HBox([left, right], layout=W.Layout(flex_flow="row wrap", align_items="flex-start", width="100%")),
            W.HTML("<b>groups and resources</b>"),
            self.tree,
        ]
        return rows

    # ---------------------------------------------------------------- actions
    def click(self, key: str) -> ActionResult | None:
        """What a button does, by its key in :attr:`buttons` (tests call this or
        ``buttons[key].click()``)."""
        if key == "draw":
            self._draw(force=True)
            return None
        if key.startswith("run:"):
            return self.do("run", seconds=int(key[4:]))
        args = {"move_group": {"group": self.group.value, "node": self.target.value},
                "online_group": {"group": self.group.value},
                "offline_group": {"group": self.group.value},
                "inject_fault": {"resource": self.resource.value, "kind": self.fault_kind.value,
                                 "persistent": self.lasting.value},
                "run_until_stable": {}}
        if key in args:
            return self.do(key, **args[key])
        about = ACTIONS[key].about
        return self.do(key, **{about: getattr(self, about).value})

    def do(self, action: str, **args) -> ActionResult:
        """Perform ``action`` (see :data:`labkit.views.widgets.actions.ACTIONS`), then update
        every view. Never raises for a refused command: the status bar shows the rule."""
        settle = self.settle.value and action not in ("run", "run_until_stable")
        try:
            result = apply_action(self.cluster, action, settle=settle, **args)
        except Exception as e:  # a labkit bug: say so, no traceback in the learner's face
            result = ActionResult(False, f"Unexpected error (a bug in labkit, please report it): "
                                         f"{type(e).__name__}: {e}")
        self.last = result
        self.status.value = status_html(result)
        self.command_view.value = command_html(result)
        self.refresh(new=len(result.events))
        return result

    # ------------------------------------------------------------------ views
    def refresh(self, new: int = 0) -> None:
        """Re-read the cluster: choosers (names may have been added in a notebook cell),
        tree, nodes, log and -- when live -- the diagram."""
        c = self.cluster
        _set_options(self.group, list(c.groups))
        _set_options(self.node, c.node_ids())
        _set_options(self.target, [(_NEXT, None)] + [(n, n) for n in c.node_ids()])
        self._fill_resources()
        self.header.value = header_html(c)
        self.nodes_view.value = nodes_html(c)
        self.tree.value = tree_html(c, selected=self.group.value)
        shown = min(max(self.log_lines, new), MAX_LOG_LINES)
        self.log_view.value = log_html(c.log.tail(shown), new=min(new, shown))
        self._draw(force=False)

    def _group_changed(self) -> None:
        self._fill_resources()
        self.tree.value = tree_html(self.cluster, selected=self.group.value)

    def _fill_resources(self) -> None:
        g = self.group.value
        names = self.cluster.online_order(g) if g in self.cluster.groups else []
        _set_options(self.resource, names)

    def _draw(self, force: bool) -> None:
        if not (force or self.live.value):
            if not self.diagram.value:
                self.diagram.value = "<i>live diagram off: click Draw</i>"
            return
        dot = diagrams.cluster_diagram(self.cluster, show_resources=self.show_resources.value)
        self.diagram.value = self.svg_cache.svg(dot)


def command_html(result: ActionResult) -> str:
    """The action's cluster.exe line, as an administrator would type it at ``C:\\>``."""
    from html import escape
    if result.command is None:
        return "<div style='color:#555;font-size:90%'>cluster.exe: no equivalent command</div>"
    return (f"<div style='font-size:90%'>cluster.exe: <code style='overflow-wrap:anywhere'>C:\\&gt; "
            f"{escape(result.command)}</code></div>")


def _set_options(dd: W.Dropdown, options: list) -> None:
    """Replace a dropdown's options, keeping its value when it is still offered."""
    values = [o[1] if isinstance(o, tuple) else o for o in options]
    if tuple(dd.options) == tuple(options):
        return
    keep = dd.value
    dd.options = options
    if keep in values:
        dd.value = keep
    elif values:
        dd.value = values[0]
