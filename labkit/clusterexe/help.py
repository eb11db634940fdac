"""``help`` and ``cluster ... /?``: the syntax labkit's cluster.exe understands, in our words.

>>> print(help_text("node").splitlines()[0])
CLUSTER [[/CLUSTER:]cluster-name] NODE [node-name] option
"""
from __future__ import annotations

_TEXT = {
    "cluster": """\
CLUSTER [[/CLUSTER:]cluster-name] option
  /VER[SION]                   the cluster's name, version and vendor
  /LIST                        the clusters this session can reach
  /QUORUM[RESOURCE][:resource] show (or set) the quorum resource
  /PROP[ERTIES] | /PRIV[PROPERTIES]   the cluster's properties
CLUSTER [[/CLUSTER:]cluster-name] NODE | GROUP | RES[OURCE] | RESTYPE ...
  (CLUSTER NODE /?, CLUSTER GROUP /?, CLUSTER RES /? for each)
Names are not case-sensitive; put names with spaces in double quotes:
  cluster res "Disk Q:" /status      cluster res "EXVS1 IP" /create /group:EXVS1 /type:"IP Address" ...""",
    "node": """\
CLUSTER [[/CLUSTER:]cluster-name] NODE [node-name] option
  [/STAT[US]]                  status of one node or of all
  /PAUSE | /RESUME             stop taking groups / take them again
  /EVICT                       remove a Down node from the cluster
  /START | /STOP [/WAIT[:s]]   start or stop the cluster service (waits until done)
  /PROP[ERTIES] | /PRIV[PROPERTIES]""",
    "group": """\
CLUSTER [[/CLUSTER:]cluster-name] GROUP [group-name] option
  [/STAT[US]]                  status of one group or of all;  /NODE:node  the groups a node owns
  /CREATE | /DELETE
  /MOVE[TO][:node] [/WAIT[:s]] move the group (no node: the next in its list); waits until it settles
  /ON[LINE][:node] [/WAIT[:s]] | /OFF[LINE] [/WAIT[:s]]
  /SETOWNERS:node[,node...]    preferred owners, in order;  /LISTOWNERS  show them
  /PROP[ERTIES] [name=value ...]   FailoverThreshold, FailoverPeriod, AutoFailbackType,
                                   FailbackWindowStart, FailbackWindowEnd
  /PROP:name[,name...] /USEDEFAULT back to the Windows 2000 default""",
    "resource": """\
CLUSTER [[/CLUSTER:]cluster-name] RES[OURCE] [resource-name] option
  [/STAT[US]]                  status of one resource or of all;  /NODE:node  a node's resources
  /CREATE /GROUP:group /TYPE:"type" [/SEPARATE] [/ADDDEP:res ...] [Prop=value ...]
                               labkit takes the parameters (Address=, Name=, Drive=...) and the
                               dependencies on the /CREATE line, as Cluster Administrator's wizard does
  /DELETE | /FAIL | /ON[LINE] [/WAIT[:s]] | /OFF[LINE] [/WAIT[:s]]
  /ADDDEP[ENDENCY]:res | /REMOVEDEP[ENDENCY]:res | /LISTDEP[ENDENCIES]
  /ADDOWNER:node | /REMOVEOWNER:node | /LISTOWNERS   possible owners
  /PROP[ERTIES] [name=value ...]   RestartAction (0,1,2), RestartThreshold, RestartPeriod (ms),
                                   LooksAlivePollInterval, IsAlivePollInterval, PendingTimeout,
                                   SeparateMonitor (0,1)
  /PRIV[PROPERTIES] [name=value ...]   the resource type's own: SubnetMask, Network, Path...""",
    "resourcetype": """\
CLUSTER [[/CLUSTER:]cluster-name] RESTYPE [/LIST]   the resource types installed in the cluster""",
}
_TEXT["network"] = _TEXT["netinterface"] = "labkit does not model the cluster networks as objects."

LABKIT_VERBS = """\
labkit only (not cluster.exe: a real cluster has no such commands):
  run DURATION      advance the simulated clock: run 30s, run 10m, run 1h30m
  wait              run the clock until nothing is pending
  crash NODE        cut a node's power (cluster.exe cannot do that to a node)
  log [N]           the last N lines of the cluster log (default 20)
  help              this text"""


def help_text(obj: str = "cluster") -> str:
    """The syntax of ``obj`` ("cluster", "node", "group", "resource"...)."""
    return _TEXT.get(obj, _TEXT["cluster"])


def full_help() -> str:
    """Everything: each object's syntax and the labkit-only verbs."""
    return "\n\n".join([_TEXT[o] for o in ("cluster", "node", "group", "resource", "resourcetype")] + [LABKIT_VERBS])
