"""Tab completion for cluster.exe lines: object types, options, and the names of the
cluster's nodes, groups, resources and resource types (quoted when they hold spaces).

A pure function, so tests drive it without a terminal; the prompt wraps it for
prompt_toolkit.

>>> import labkit as lk
>>> c = lk.Cluster("LAB", ip="10.0.0.100"); _ = c.add_node("NODE1", ip="10.0.0.1"); c.run_until_stable()
>>> completions(c, "cluster res Cl")
[('"Cluster IP Address"', -2), ('"Cluster Name"', -2)]
>>> completions(c, 'cluster group "Cluster Group" /mov')
[('/moveto', -4)]
"""
from __future__ import annotations

from ..cluster import Cluster
from .equivalent import quote
from .parser import OBJECTS, OPTIONS, object_keyword, tokenize
from .session import LABKIT_VERBS

_NODE_VALUES = {("group", "moveto"), ("group", "online"), ("group", "setowners"), ("group", "node"),
                ("resource", "addowner"), ("resource", "removeowner"), ("resource", "node")}
_RESOURCE_VALUES = {("resource", "adddependency"), ("resource", "removedependency"),
                    ("cluster", "quorumresource")}
_PROPS = {
    "group": ["FailoverThreshold=", "FailoverPeriod=", "AutoFailbackType=", "FailbackWindowStart=",
              "FailbackWindowEnd="],
    "resource": ["RestartAction=", "RestartThreshold=", "RestartPeriod=", "LooksAlivePollInterval=",
                 "IsAlivePollInterval=", "PendingTimeout=", "SeparateMonitor="],
}


def _names(c: Cluster, obj: str) -> list[str]:
    return {"node": c.node_ids(), "group": list(c.groups), "resource": list(c.resources),
            "resourcetype": sorted(c.resource_types)}.get(obj, [])


def _match(candidates, typed: str, *, quoted_names: bool = False) -> list[str]:
    bare = typed.lstrip('"').casefold()
    out = []
    for cand in candidates:
        if cand.casefold().startswith(bare):
            out.append(quote(cand) if quoted_names else cand)
    return list(dict.fromkeys(out))


def completions(c: Cluster, text: str) -> list[tuple[str, int]]:
    """What may complete ``text`` (the line up to the cursor): (replacement, start) pairs,
    ``start`` the (negative) offset from the cursor where the replacement begins."""
    toks = tokenize(text, lenient=True)
    open_quote = text.count('"') % 2 == 1
    done = toks if (not text or text[-1].isspace()) and not open_quote else toks[:-1]
    current = "" if len(done) == len(toks) else text[toks[-1].column - 1:]
    start = -len(current)
    words = [t.text for t in done]
    first = not words
    if words and words[0].lower() in ("cluster", "cluster.exe"):
        words = words[1:]
    elif words and words[0].lower() in LABKIT_VERBS:
        if words[0].lower() == "crash" and len(words) == 1:
            return [(m, start) for m in _match(c.node_ids(), current, quoted_names=True)]
        if words[0].lower() == "run" and len(words) == 1:
            return [(m, start) for m in _match(["30s", "1m", "10m", "1h"], current)]
        return []
    obj, name_given, option = _words_read(words)
    if current.startswith("/") and ":" in current:
        return _value_completions(c, obj, current, start)
    if current.startswith("/"):
        pool = ["/" + o.name for o in OPTIONS.get(obj, {}).values() if o.name != "?"]
        if obj == "cluster":
            pool.append("/cluster:")
        return [(m, start) for m in _match(pool, current)]
    if option in ("properties", "privproperties") and obj in _PROPS:
        return [(m, start) for m in _match(_PROPS[obj], current)]
    if obj == "cluster" and option is None:
        pool = [k for k in OBJECTS if k not in ("network", "netinterface")] + ["res"]
        if first:
            pool = ["cluster"] + list(LABKIT_VERBS)
        return [(m, start) for m in _match(sorted(set(pool)), current)]
    if obj != "cluster" and not name_given and option is None:
        return [(m, start) for m in _match(_names(c, obj), current, quoted_names=True)]
    return []


def _words_read(words: list[str]) -> tuple[str, bool, str | None]:
    """What the finished words say: the object type, whether its name is given, and the
    option (not a parameter such as ``/group:``)."""
    obj, name_given, option = "cluster", False, None
    for w in words:
        if w.startswith("/"):
            if w[1:].split(":", 1)[0].lower() == "cluster":
                continue
            word = w[1:].split(":", 1)[0].lower()
            opt = next((o for o in OPTIONS.get(obj, {}).values() if o.matches(word)), None)
            option = opt.name if opt is not None and not opt.param else option
        elif obj == "cluster" and object_keyword(w):
            obj = object_keyword(w)
        elif obj != "cluster":
            name_given = True
    return obj, name_given, option


def _value_completions(c: Cluster, obj: str, current: str, start: int) -> list[tuple[str, int]]:
    """Completions of an option's value (``/moveto:NODE``, ``/adddep:RESOURCE``, ``/type:TYPE``
    ...), the last one of a comma-separated list."""
    word, value = current[1:].split(":", 1)
    opt = next((o for o in OPTIONS.get(obj, {}).values() if o.matches(word.lower())), None)
    if word.lower() == "cluster":
        pool = [c.name]
    elif opt is None:
        return []
    elif (obj, opt.name) in _NODE_VALUES:
        pool = c.node_ids()
    elif (obj, opt.name) in _RESOURCE_VALUES:
        pool = list(c.resources)
    elif opt.name == "group":
        pool = list(c.groups)
    elif opt.name == "type":
        pool = sorted(c.resource_types)
    else:
        return []
    head, _, last = value.rpartition(",") if opt is not None and opt.value == "list" else ("", "", value)
    prefix = f"/{word}:" + (head + "," if head else "")
    return [(prefix + m, start) for m in _match(pool, last, quoted_names=True)]
