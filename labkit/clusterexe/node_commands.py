"""cluster.exe's ``cluster node`` commands (status, pause, resume, evict, start, stop,
properties), mapped onto labkit's public API (see :mod:`labkit.clusterexe.commands`)."""
from __future__ import annotations

from ..cluster import NodeState
from .cluster_commands import not_modelled
from .commands import (NODE_PROPS, Outcome, call, handles, matching_props, node_of, prop_rows, property_listing,
                       show_status, status_listing, wait_timeout, wait_until)
from .errors import ClusterExeError


handles("node", "status", command="cluster node [N] [/stat[us]]", api="Cluster.nodes, node_ids()",
        ok=[["cluster node"], ["cluster node 1-curly"], ["cluster node 2-MOE /status"]],
        refused=[(["cluster node 9-NOBODY"], 5042), (["cluster node /status:x"], None)])(show_status)


#: the node commands that are one call: option -> (what cluster.exe prints, Cluster method, status table after)
_NODE_CALLS = {"pause": ("Pausing", "pause_node", True), "resume": ("Resuming", "resume_node", True),
               "evict": ("Evicting", "evict_node", False)}


def _node_call(c, cmd):
    verb, method, table = _NODE_CALLS[cmd.option]
    n = node_of(c, cmd.name)
    call(f"node.{cmd.option}", getattr(c, method), n)
    if not table:
        return Outcome([f"{verb} node '{n}'..."])
    return status_listing(c, cmd, f"{verb} node '{n}'...", [n])


handles("node", "pause", command="cluster node N /pause", api="Cluster.pause_node(N)",
        ok=[["node 2-MOE /pause"]], refused=[(["node 2-MOE /pause", "node 2-MOE /pause"], 5070),
                                             (["node /pause"], None)])(_node_call)
handles("node", "resume", command="cluster node N /resume", api="Cluster.resume_node(N)",
        ok=[["node 2-MOE /pause", "node 2-MOE /resume"]], refused=[(["node 2-MOE /resume"], 5058)])(_node_call)
handles("node", "evict", command="cluster node N /evict", api="Cluster.evict_node(N)",
        ok=[["node 3-LARRY /stop", "node 3-LARRY /evict"]], refused=[(["node 3-LARRY /evict"], 5009)])(_node_call)


@handles("node", "start", command="cluster node N /start [/wait[:s]]",
         api="Cluster.start_node(N), then the clock runs until N is Up",
         ok=[["node 4-JERRY /stop", "node 4-JERRY /start"], ["node 1-CURLY /start"]],
         refused=[(["crash 4-JERRY", "node 4-JERRY /start"], 5072), (["node 4-JERRY /start /wait:x"], 87)])
def _start(c, cmd):
    n = node_of(c, cmd.name)
    timeout = wait_timeout(cmd)
    lines = ["", f"Attempting to start the cluster service on node '{n}'"]
    node = c.nodes[n]
    if node.state is not NodeState.DOWN:
        return Outcome(lines + ["", "The cluster service is already running."])
    call("node.start", c.start_node, n)
    waited = wait_until(c, lambda: c.nodes[n].state is not NodeState.JOINING, timeout)
    if c.nodes[n].state is NodeState.JOINING:
        return Outcome(lines + ["", "A command to start the cluster service has issued, but the service has not "
                                    "yet started."], waited)
    if c.nodes[n].state is NodeState.DOWN:
        raise ClusterExeError(5086 if not c.running else 5051,
                              f"{n} went back Down after joining (see the cluster log)")
    return Outcome(lines + ["", "The cluster service has been successfully started."], waited)


@handles("node", "stop", command="cluster node N /stop [/wait[:s]]",
         api="Cluster.stop_node(N), then the clock runs until N is Down",
         ok=[["node 4-JERRY /stop"], ["node 4-JERRY /stop", "node 4-JERRY /stop"]],
         refused=[(["node 4-JERRY /stop", "node 4-JERRY /start /wait:1", "node 4-JERRY /stop"], 5072)])
def _stop(c, cmd):
    n = node_of(c, cmd.name)
    timeout = wait_timeout(cmd)
    lines = ["", f"Attempting to stop the cluster service on node '{n}'"]
    if c.nodes[n].state is NodeState.DOWN:
        return Outcome(lines + ["", "The cluster service has already been stopped."])
    call("node.stop", c.stop_node, n)
    waited = wait_until(c, lambda: c.nodes[n].state is NodeState.DOWN, timeout)
    if c.nodes[n].state is not NodeState.DOWN:
        return Outcome(lines + ["", "A command to stop the cluster service has issued, but the service has not yet "
                                    "stopped."], waited)
    return Outcome(lines + ["", "The cluster service has been successfully stopped."], waited)


@handles("node", "properties", "privproperties", command="cluster node N /prop | /priv",
         api="Node.name (read-only; no private properties)",
         ok=[["node 1-CURLY /prop"], ["node 1-CURLY /priv"], ["node /prop"]],
         refused=[(["node 1-CURLY /prop NodeName=X"], 87), (["node 1-CURLY /priv Foo=1"], 87)])
def _node_props(c, cmd):
    names = [node_of(c, cmd.name)] if cmd.name else c.node_ids()
    if cmd.option == "privproperties":
        if cmd.props or cmd.values:
            raise ClusterExeError(87, "nodes have no private properties in labkit")
        title = f"Listing private properties for '{names[0]}':" if cmd.name else \
            "Listing private properties for all nodes:"
        return Outcome(property_listing("node", title, []))
    if cmd.props or cmd.values:
        matching_props(cmd, NODE_PROPS, f"node {names[0]}")
    rows = [row for n in names for row in prop_rows(n, c.nodes[n], NODE_PROPS)]
    title = f"Listing properties for '{names[0]}':" if cmd.name else "Listing properties for all nodes:"
    return Outcome(property_listing("node", title, rows))


handles("node", "forcecleanup", "listinterfaces", command="cluster node N /forcecleanup | /listint",
        api="(not modelled: error 50)", refused=[(["node 1-CURLY /listint"], 50)])(not_modelled)
