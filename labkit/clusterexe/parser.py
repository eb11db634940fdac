"""Read a Windows 2000 ``cluster.exe`` command line into a :class:`Command`.

What is from Microsoft's documentation (Windows 2000 help "Cluster.exe", the Windows
Server 2003 command-line reference "Cluster node/group/resource", the Windows NT 4.0
MSCS Administrator's Guide appendix "Cluster.exe Commands"):

- the shape ``cluster [[/cluster:]cluster-name] node|group|res[ource]|restype [name] /option``;
  used without an option, a node, group or resource command means ``/status``;
- names are case-insensitive, and "you must use quotation marks around all names that
  contain spaces": ``cluster res "Disk Q:" /online``, ``/type:"IP Address"``;
- options take a value after a colon (``/moveto:2-MOE``), lists are comma-separated
  (``/setowners:1-CURLY,2-MOE``), property lists are ``name=value[,value...][:format]``
  with the formats BINARY, DWORD, STR[ING], EXPANDSTR[ING], MULTISTR[ING], SECURITY, ULARGE;
- the abbreviations the documentation shows in brackets: ``res[ource]``,
  ``/stat[us]``, ``/move[to]``, ``/on[line]``, ``/off[line]``, ``/prop[erties]``,
  ``/priv[properties]``, ``/listdep[endencies]``, ``/adddep[endency]``,
  ``/removedep[endency]``, ``/ren[ame]``, ``/ver[sion]``, ``/quorum[resource]``;
- the one-line syntax errors are worded as cluster.exe words them ("Invalid option
  '/x'.", "Closing quote not found. ...", "Value expected after '/moveto:' (Column 24).").

Our reading, where the documentation is silent:

- an abbreviation is any prefix of the option at least as long as its documented
  short form (``/stat``, ``/statu`` and ``/status`` are one option; ``/sta`` is not);
- quotes group characters and are removed (``/type:"IP Address"`` and
  ``"/type:IP Address"`` are the same token); there is no escape for a quote inside a
  name (NetBIOS and labkit names cannot hold one);
- a value that ends in ``:word`` takes ``word`` as its format only when ``word`` is a
  format name (``Drive=P:`` is the value ``P:``);
- the leading ``cluster`` may be left out (``group EXVS1 /moveto:2-MOE``), so notebook
  cells and the prompt can take either form.

>>> cmd = parse('cluster group "EXVS1" /moveto:2-MOE')
>>> cmd.object, cmd.name, cmd.option, cmd.value
('group', 'EXVS1', 'moveto', '2-MOE')
>>> parse('cluster res "Disk Q:" /prop RestartThreshold=5:dword').props
(Prop(name='RestartThreshold', value='5', format='dword', column=29),)
>>> parse('cluster res "Disk Q: /online')
Traceback (most recent call last):
labkit.clusterexe.parser.SyntaxProblem: Closing quote not found. '"' expected after 'Disk Q: /online'.
"""
from __future__ import annotations

from dataclasses import dataclass, field

#: The object types of cluster.exe: keyword -> (canonical object, shortest accepted form).
OBJECTS = {
    "node": ("node", "node"),
    "group": ("group", "group"),
    "resource": ("resource", "res"),
    "resourcetype": ("resourcetype", "resourcetype"),
    "restype": ("resourcetype", "restype"),
    "network": ("network", "net"),
    "netinterface": ("netinterface", "netint"),
}

#: Property formats of a property list (``name=value:format``), by accepted spelling.
FORMATS = {"binary": "binary", "dword": "dword", "str": "string", "string": "string",
           "expandstr": "expandstring", "expandstring": "expandstring", "multistr": "multistring",
           "multistring": "multistring", "security": "security", "ularge": "ularge"}


@dataclass(frozen=True)
class Opt:
    """An option cluster.exe knows for an object: its full name, the shortest accepted
    abbreviation, and what follows the colon: ``none``, ``optional``, ``one`` (exactly
    one value) or ``list`` (one or more, comma-separated)."""

    name: str
    short: str
    value: str = "none"
    #: True for the parameters that accompany a main option (/group:, /type:, /wait...)
    param: bool = False

    def matches(self, word: str) -> bool:
        return len(word) >= len(self.short) and self.name.startswith(word)


def _opts(*specs) -> dict[str, Opt]:
    return {o.name: o for o in specs}


#: Every option, by object ("cluster" is the top level: ``cluster /ver``).
OPTIONS: dict[str, dict[str, Opt]] = {
    "cluster": _opts(
        Opt("version", "ver"), Opt("list", "list", "optional"), Opt("quorumresource", "quorum", "optional"),
        Opt("properties", "prop", "optional"), Opt("privproperties", "priv", "optional"),
        Opt("rename", "ren", "one"), Opt("help", "help"), Opt("?", "?"),
        Opt("path", "path", "one", param=True), Opt("maxlogsize", "maxlogsize", "one", param=True),
        Opt("usedefault", "usedefault", param=True)),
    "node": _opts(
        Opt("status", "stat"), Opt("pause", "pause"), Opt("resume", "resume"), Opt("evict", "evict"),
        Opt("start", "start"), Opt("stop", "stop"), Opt("properties", "prop", "optional"),
        Opt("privproperties", "priv", "optional"), Opt("forcecleanup", "force"),
        Opt("listinterfaces", "listint"), Opt("help", "help"), Opt("?", "?"),
        Opt("wait", "wait", "optional", param=True), Opt("usedefault", "usedefault", param=True)),
    "group": _opts(
        Opt("status", "stat"), Opt("create", "create"), Opt("delete", "delete"), Opt("rename", "ren", "one"),
        Opt("moveto", "move", "optional"), Opt("online", "on", "optional"), Opt("offline", "off"),
        Opt("properties", "prop", "optional"), Opt("privproperties", "priv", "optional"),
        Opt("listowners", "listowners"), Opt("setowners", "setowners", "list"), Opt("node", "node", "one"),
        Opt("help", "help"), Opt("?", "?"),
        Opt("wait", "wait", "optional", param=True), Opt("usedefault", "usedefault", param=True)),
    "resource": _opts(
        Opt("status", "stat"), Opt("create", "create"), Opt("delete", "delete"), Opt("rename", "ren", "one"),
        Opt("addowner", "addowner", "one"), Opt("removeowner", "removeowner", "one"),
        Opt("listowners", "listowners"), Opt("moveto", "move", "one"), Opt("properties", "prop", "optional"),
        Opt("privproperties", "priv", "optional"), Opt("fail", "fail"), Opt("online", "on"),
        Opt("offline", "off"), Opt("listdependencies", "listdep"), Opt("adddependency", "adddep", "one"),
        Opt("removedependency", "removedep", "one"), Opt("node", "node", "one"),
        Opt("addcheckpoints", "addcheck", "list"), Opt("removecheckpoints", "removecheck", "list"),
        Opt("checkpoints", "check"), Opt("maintenancemode", "maint", "optional"),
        Opt("help", "help"), Opt("?", "?"),
        Opt("group", "group", "one", param=True), Opt("type", "type", "one", param=True),
        Opt("separate", "separate", param=True), Opt("wait", "wait", "optional", param=True),
        Opt("usedefault", "usedefault", param=True)),
    "resourcetype": _opts(Opt("list", "list"), Opt("properties", "prop", "optional"),
                          Opt("privproperties", "priv", "optional"), Opt("listowners", "listowners"),
                          Opt("help", "help"), Opt("?", "?")),
    "network": _opts(Opt("status", "stat"), Opt("help", "help"), Opt("?", "?")),
    "netinterface": _opts(Opt("status", "stat"), Opt("help", "help"), Opt("?", "?")),
}

#: Which parameters each main option takes (labkit also lets /create take /adddep: and
#: the resource's private properties: see :mod:`labkit.clusterexe.commands`).
PARAMS = {
    ("resource", "create"): {"group", "type", "separate", "adddependency"},
    ("resource", "online"): {"wait"}, ("resource", "offline"): {"wait"},
    ("group", "moveto"): {"wait"}, ("group", "online"): {"wait"}, ("group", "offline"): {"wait"},
    ("node", "start"): {"wait"}, ("node", "stop"): {"wait"}, ("node", "evict"): {"wait"},
    ("cluster", "quorumresource"): {"path", "maxlogsize"},
    **{(obj, o): {"usedefault"} for obj in ("cluster", "node", "group", "resource")
       for o in ("properties", "privproperties")},
}
#: Main options that take a property list (``name=value ...``).
PROPERTY_OPTIONS = {"properties", "privproperties"}
#: Main options that need the object's name.
NEEDS_NAME = {
    "node": {"pause", "resume", "evict", "start", "stop", "forcecleanup", "listinterfaces"},
    "group": {"create", "delete", "rename", "moveto", "online", "offline", "listowners", "setowners"},
    "resource": {"create", "delete", "rename", "addowner", "removeowner", "listowners", "moveto", "fail",
                 "online", "offline", "listdependencies", "adddependency", "removedependency",
                 "addcheckpoints", "removecheckpoints", "maintenancemode"},
}


class SyntaxProblem(Exception):
    """A command line cluster.exe cannot read; the message is the one line it prints.

    When the first word may be a cluster name or a mistyped object type (``cluster grop
    EXVS1``), ``cluster`` is that word and ``otherwise`` the message to print if no
    cluster of that name can be reached."""

    def __init__(self, message: str, *, cluster: str | None = None, otherwise: str | None = None):
        super().__init__(message)
        self.cluster = cluster
        self.otherwise = otherwise


@dataclass(frozen=True)
class Token:
    """One word of the command line. ``chars`` keeps which characters were quoted, so
    that ``:``, ``=`` and ``,`` split only where they were typed unquoted."""

    text: str
    quoted: tuple[bool, ...]
    column: int   # 1-based, where the word starts

    def unquoted(self, ch: str, start: int = 0) -> int:
        """Index of the first unquoted ``ch`` at or after ``start`` (-1 if none)."""
        for i in range(start, len(self.text)):
            if self.text[i] == ch and not self.quoted[i]:
                return i
        return -1

    def split(self, ch: str, start: int = 0) -> list[str]:
        parts, cur = [], []
        for i in range(start, len(self.text)):
            if self.text[i] == ch and not self.quoted[i]:
                parts.append("".join(cur))
                cur = []
            else:
                cur.append(self.text[i])
        parts.append("".join(cur))
        return parts

    @property
    def is_option(self) -> bool:
        return bool(self.text) and self.text[0] == "/" and not self.quoted[0]

    @property
    def is_property(self) -> bool:
        return not self.is_option and self.unquoted("=") > 0


@dataclass(frozen=True)
class Prop:
    """One ``name=value[:format]`` of a property list."""

    name: str
    value: str
    format: str | None = None
    column: int = 0


@dataclass(frozen=True)
class Command:
    """A parsed cluster.exe command line.

    ``object`` is "cluster" (top-level options such as ``/ver``), "node", "group",
    "resource", "resourcetype", "network" or "netinterface"; ``option`` the canonical
    main option (``status`` when none was given); ``value`` what followed its colon
    (``values`` the comma-separated list); ``params`` the accompanying options
    (``/group:``, ``/type:``, ``/separate``, ``/wait``...); ``props`` a property list.
    """

    text: str
    object: str
    option: str
    cluster: str | None = None
    name: str | None = None
    value: str | None = None
    values: tuple[str, ...] = ()
    params: dict = field(default_factory=dict)
    props: tuple[Prop, ...] = ()
    #: the option as typed (``/MOVE``), for messages
    typed: str = ""


def tokenize(line: str, *, lenient: bool = False) -> list[Token]:
    """Split a command line into words as the Windows command line does: whitespace
    separates words except inside double quotes; the quotes are removed. An unterminated
    quote is a :class:`SyntaxProblem` (with ``lenient``: the last word runs to the end,
    which is what tab completion needs).

    >>> [t.text for t in tokenize('res "Disk Q:" /type:"IP Address"')]
    ['res', 'Disk Q:', '/type:IP Address']
    """
    if not isinstance(line, str):
        raise SyntaxProblem("A command must be specified.")
    tokens: list[Token] = []
    chars: list[str] = []
    quoted: list[bool] = []
    in_quote = False
    quote_at = 0
    start = None
    for i, ch in enumerate(line):
        if ch == '"':
            if start is None:
                start = i
            in_quote = not in_quote
            quote_at = i
            continue
        if ch in " \t\r\n" and not in_quote:
            if start is not None:
                tokens.append(Token("".join(chars), tuple(quoted), start + 1))
                chars, quoted, start = [], [], None
            continue
        if start is None:
            start = i
        chars.append(ch)
        quoted.append(in_quote)
    if in_quote and not lenient:
        raise SyntaxProblem(f"Closing quote not found. '\"' expected after '{line[quote_at + 1:]}'.")
    if start is not None:
        tokens.append(Token("".join(chars), tuple(quoted), start + 1))
    return tokens


def _find_option(obj: str, word: str) -> Opt | None:
    for o in OPTIONS[obj].values():
        if o.matches(word):
            return o
    return None


def object_keyword(word: str) -> str | None:
    """The cluster.exe object a word names (``node``, ``group``, ``resource``...), written
    whole or cut short as far as cluster.exe allows (``res``, ``restype``, ``net``), or None.

    >>> object_keyword("RES"), object_keyword("restype"), object_keyword("gro")
    ('resource', 'resourcetype', None)
    """
    w = word.lower()
    for full, (canon, short) in OBJECTS.items():
        if len(w) >= len(short) and full.startswith(w):
            return canon
    return None


def _option_parts(tok: Token) -> tuple[str, str | None, int]:
    """(lower-case option word, value or None, column of the value) of ``/word[:value]``."""
    colon = tok.unquoted(":", 1)
    word = tok.text[1:colon] if colon >= 0 else tok.text[1:]
    if not word:
        raise SyntaxProblem(f"Option name expected after '/' (Column {tok.column}).")
    value = tok.text[colon + 1:] if colon >= 0 else None
    return word.lower(), value, tok.column + (colon + 1 if colon >= 0 else 0)


def _values(tok: Token, typed: str) -> tuple[str, ...]:
    colon = tok.unquoted(":", 1)
    parts = [p.strip() for p in tok.split(",", colon + 1)]
    if any(not p for p in parts):
        raise SyntaxProblem(f"Value expected after '{typed}' (Column {tok.column + len(tok.text)}).")
    return tuple(parts)


def _prop(tok: Token) -> Prop:
    eq = tok.unquoted("=")
    name = tok.text[:eq].strip()
    if not name:
        raise SyntaxProblem(f"Option name expected after '=' (Column {tok.column}).")
    value = tok.text[eq + 1:]
    fmt = None
    colon = -1
    for i in range(len(tok.text) - 1, eq, -1):
        if tok.text[i] == ":" and not tok.quoted[i]:
            colon = i
            break
    if colon >= 0:
        suffix = tok.text[colon + 1:]
        if suffix.lower() in FORMATS:
            fmt = FORMATS[suffix.lower()]
            value = tok.text[eq + 1:colon]
        elif suffix.isalpha():
            raise SyntaxProblem(f"The format '{suffix}' specified for the parameter '{name}' is not a valid format.")
    return Prop(name, value, fmt, tok.column)


def _join_hint(words: list[Token]) -> str:
    return " ".join(w.text for w in words)


def _cluster_switch(tokens: list[Token]) -> tuple[str | None, list[Token]]:
    """Drop a leading ``cluster`` (or ``cluster.exe``) and take ``/cluster:NAME``, which may stand
    anywhere on the line: the cluster's name (or ``None``) and the other tokens."""
    if tokens and not tokens[0].is_option and tokens[0].text.lower() in ("cluster", "cluster.exe"):
        tokens = tokens[1:]
    cluster = None
    rest: list[Token] = []
    for tok in tokens:
        if tok.is_option:
            word, value, col = _option_parts(tok)
            if word == "cluster":
                if value is None or not value.strip():
                    raise SyntaxProblem(f"Value expected after '/cluster:' (Column {col}).")
                if cluster is not None:
                    raise SyntaxProblem("The '/cluster' parameter has been specified more than once for the "
                                        "same option.")
                cluster = value.strip()
                continue
        rest.append(tok)
    return cluster, rest


def _object_part(tokens: list[Token], cluster: str | None) -> tuple[str, str | None, list[Token]]:
    """The object type (``node``, ``group``, ``res`` ...; ``cluster`` when there is none), after the
    cluster's name when it is written first (``cluster NAME group ...``): the object, the cluster's
    name and the tokens after them."""
    obj = "cluster"
    if tokens and not tokens[0].is_option and not tokens[0].is_property:
        kw = object_keyword(tokens[0].text)
        if kw is not None:
            obj, tokens = kw, tokens[1:]
        elif cluster is None:
            first = tokens[0].text
            cluster, tokens = first, tokens[1:]
            if tokens and not tokens[0].is_option and not tokens[0].is_property:
                kw = object_keyword(tokens[0].text)
                if kw is None:
                    raise SyntaxProblem(f"Unrecognized object type '{tokens[0].text}'.", cluster=first,
                                        otherwise=f"Unrecognized object type '{first}'.")
                obj, tokens = kw, tokens[1:]
        else:
            raise SyntaxProblem(f"Unrecognized object type '{tokens[0].text}'.")
    return obj, cluster, tokens


#: The option (verb) a command line names, as read: (option, as typed, its value, its token).
_Main = tuple[Opt, str, str | None, Token]


def _add_parameter(obj: str, main: _Main | None, opt: Opt, typed: str, value: str | None, col: int,
                   params: dict) -> None:
    """Check one parameter of the option (``/group:``, ``/type:``, ``/wait`` ...) and add it to ``params``."""
    allowed = PARAMS.get((obj, main[0].name), set()) if main else set()
    if main is None or opt.name not in allowed:
        raise SyntaxProblem(f"Invalid parameter '{typed}'.")
    if opt.name in params and opt.name != "adddependency":
        raise SyntaxProblem(f"The '{typed}' parameter has been specified more than once for the "
                            "same option.")
    if opt.value == "none" and value is not None:
        raise SyntaxProblem(f"The '{typed}' parameter does not require any values to be specified.")
    if opt.value in ("one", "list") and (value is None or not value.strip()):
        raise SyntaxProblem(f"The '{typed}' parameter requires a value. Use \"\" to specify empty values."
                            if value is None else f"Value expected after '{typed}:' (Column {col}).")
    if opt.name == "adddependency":
        params.setdefault("adddependency", []).append(value)
    else:
        params[opt.name] = True if value is None else value


def _check_option(main: _Main | None, opt: Opt, typed: str, value: str | None, col: int, tok: Token) -> None:
    """Check the command's one option (``/online``, ``/moveto:NODE`` ...) and its value."""
    if main is not None:
        raise SyntaxProblem(f"Too many command line parameters have been specified for the '{main[1]}' option.")
    if opt.value == "none" and value is not None:
        raise SyntaxProblem(f"The '{typed}' option does not require any values to be specified.")
    if opt.value == "one" and value is None:
        raise SyntaxProblem(f"The '{typed}' option requires exactly one value to be specified.")
    if opt.value == "list" and value is None:
        raise SyntaxProblem(f"The '{typed}' option requires at least one value to be specified.")
    if value is not None and not value.strip():
        raise SyntaxProblem(f"Value expected after '{typed}:' (Column {col}).")
    if opt.value in ("one", "optional") and opt.name not in PROPERTY_OPTIONS and \
            tok.unquoted(",", tok.unquoted(":", 1) + 1) >= 0:
        raise SyntaxProblem(f"The '{typed}' option requires exactly one value to be specified.")


def _switches(obj: str, tokens: list[Token]) -> tuple[str | None, _Main | None, dict, list[Prop]]:
    """Read what follows the object type: the object's name, the option, its parameters and a
    property list (``name=value`` after ``/prop`` or ``/priv``)."""
    name = None
    positional: list[Token] = []
    main: _Main | None = None
    params: dict = {}
    props: list[Prop] = []
    for tok in tokens:
        if tok.is_option:
            word, value, col = _option_parts(tok)
            opt = _find_option(obj, word)
            typed = "/" + tok.text[1:].split(":", 1)[0]
            if opt is None:
                raise SyntaxProblem(f"Invalid option '{typed}'.")
            if opt.param or (main is not None and (obj, main[0].name) in PARAMS
                             and opt.name in PARAMS[(obj, main[0].name)]):
                _add_parameter(obj, main, opt, typed, value, col, params)
                continue
            _check_option(main, opt, typed, value, col, tok)
            main = (opt, typed, value, tok)
            continue
        if tok.is_property:
            if main is None or not (main[0].name in PROPERTY_OPTIONS or (obj, main[0].name) == ("resource", "create")):
                where = main[1] if main else (name or obj)
                raise SyntaxProblem(f"Unexpected token '{tok.text}' (Column {tok.column}). A property list "
                                    f"(name=value) follows /prop or /priv, not '{where}'.")
            props.append(_prop(tok))
            continue
        if main is not None:
            raise SyntaxProblem(f"The '{main[1]}' option does not require any parameters to be specified "
                                f"(unexpected '{tok.text}', Column {tok.column}).")
        if name is None:
            name = tok.text
            positional.append(tok)
            continue
        positional.append(tok)
        raise SyntaxProblem(f"Unexpected token '{tok.text}' (Column {tok.column}). Names with spaces need double "
                            f"quotes, e.g. \"{_join_hint(positional)}\".")
    return name, main, params, props


def _verb(obj: str, main: _Main | None, params: dict, props: list[Prop]) -> tuple[str, str, str | None, tuple]:
    """The command's option, as typed, its value and its comma-separated values (without an option:
    ``/status``, ``/list`` for resource types, help for the cluster); checks ``/prop``'s two forms
    and ``/usedefault``."""
    if main is None:
        option = "status" if obj in ("node", "group", "resource", "network", "netinterface") else (
            "list" if obj == "resourcetype" else "help")
        typed, value, values = "", None, ()
    else:
        opt, typed, value, tok = main
        option = opt.name
        values = _values(tok, typed + ":") if value is not None and value.strip() else ()
        value = value.strip() if value is not None else None
        if option in PROPERTY_OPTIONS:
            if props and value:
                raise SyntaxProblem(f"Unexpected token '{props[0].name}={props[0].value}' (Column "
                                    f"{props[0].column}). Use either {typed}:name[,name...] /usedefault or "
                                    f"{typed} name=value ...")
            if value and "usedefault" not in params:
                raise SyntaxProblem(f"Required parameter '/usedefault' is missing.")
    if "usedefault" in params and not values:
        raise SyntaxProblem(f"The '{typed or '/usedefault'}' option requires at least one value to be specified.")
    return option, typed, value, values


def _check_required(obj: str, option: str, name: str | None, params: dict) -> None:
    """What the option needs: an object name (:data:`NEEDS_NAME`), ``/group`` and ``/type`` to create
    a resource; and no name after ``cluster`` itself."""
    if name is not None and not name.strip():
        raise SyntaxProblem("An object name must be specified.")
    if name is None and option in NEEDS_NAME.get(obj, ()):
        what = {"node": "A node name", "resource": "A resource name"}.get(obj, "An object name")
        raise SyntaxProblem(f"{what} must be specified.")
    if obj == "resource" and option == "create":
        for p in ("group", "type"):
            if p not in params:
                raise SyntaxProblem(f"Required parameter '/{p}' is missing.")
    if obj == "cluster" and name is not None:
        raise SyntaxProblem(f"Unrecognized object type '{name}'.")


def parse(line: str) -> Command:
    """Parse one cluster.exe command line (see the module docstring); raise
    :class:`SyntaxProblem` with the one line cluster.exe would print.

    The steps: the tokens (:func:`tokenize`), the cluster's name, the object type, the
    switches (name, option, parameters, property list), the option, what it requires.

    >>> parse("cluster /cluster:four-stooges node 1-CURLY /pause").cluster
    'four-stooges'
    >>> parse("cluster group EXVS1 /bogus")
    Traceback (most recent call last):
    labkit.clusterexe.parser.SyntaxProblem: Invalid option '/bogus'.
    """
    cluster, tokens = _cluster_switch(tokenize(line))
    obj, cluster, tokens = _object_part(tokens, cluster)
    name, main, params, props = _switches(obj, tokens)
    option, typed, value, values = _verb(obj, main, params, props)
    _check_required(obj, option, name, params)
    return Command(text=line, object=obj, option=option, cluster=cluster, name=name, value=value,
                   values=values, params=params, props=tuple(props), typed=typed)
