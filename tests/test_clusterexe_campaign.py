"""A campaign of malformed cluster.exe command lines: a table of hand-made cases and a
Hypothesis search. Whatever the line, the session never raises, a refused line leaves
``to_dict()`` exactly as it was and prints cluster.exe's error (one line for a syntax
error; ``System error N has occurred`` and Microsoft's text for a refused call), and a
line that succeeds leaves a cluster that saves and loads back byte for byte."""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labkit import files
from labkit.clusterexe import WIN32, Session
from labkit.scenarios import four_node_5000

SYSTEM = re.compile(r"^System error (\d+) has occurred \(0x([0-9a-f]{8})\)\.$")


@pytest.fixture(scope="module")
def reference():
    return four_node_5000()


#: A cluster in the middle of things: 2-MOE paused, EXVS1 on its way to 3-LARRY, 4-JERRY
#: without power and EXVS4 not yet failed over (detection takes longer than 2 s).
BUSY = ["node 2-MOE /pause", "group EXVS1 /moveto:3-LARRY /wait:0", "crash 4-JERRY", "run 2s"]


@pytest.fixture(scope="module")
def busy(reference):
    c = reference.copy()
    s = Session(c)
    for line in BUSY:
        assert s.run(line).ok, line
    assert not c.is_stable() and str(c.groups["EXVS1"].state) == "Pending"
    assert c.groups["EXVS4"].owner == "4-JERRY"  # its node lost power; no failover yet
    return c


def check_line(reference, line, *, roundtrip=True):
    c = reference.copy()
    before = c.to_dict()
    r = Session(c).run(line)
    text = str(r)
    assert "Traceback" not in text
    if r.ok:
        if roundtrip:
            assert files.dumps(files.loads(files.dumps(c))) == files.dumps(c)
        return r
    assert c.to_dict() == before, line
    lines = r.error.splitlines()
    assert lines and not r.text
    m = SYSTEM.match(lines[0])
    if m:
        code = int(m.group(1))
        assert r.code == code and int(m.group(2), 16) == code and lines[1] == WIN32[code][1]
        assert len(lines) == 3 and lines[2].startswith("  labkit: ")
    else:
        assert r.code is None and len(lines) == 1, line
    return r


#: (line, the first error line, or a Win32 number)
MALFORMED = [
    ('cluster res "Disk Q: /online', "Closing quote not found. '\"' expected after 'Disk Q: /online'."),
    ('cluster res "Disk Q:" /adddep:"EXVS1 IP Address', "Closing quote not found. '\"' expected after "
                                                          "'EXVS1 IP Address'."),
    ('cluster group "', "Closing quote not found. '\"' expected after ''."),
    ("cluster res Disk Q: /online", "Unexpected token 'Q:' (Column 18). Names with spaces need double quotes, "
                                    "e.g. \"Disk Q:\"."),
    ("cluster group Cluster Group /online", "Unexpected token 'Group' (Column 23). Names with spaces need double "
                                            "quotes, e.g. \"Cluster Group\"."),
    ("cluster res \"EXVS1 IP Address\" /create /group:EXVS1 /type:IP Address",
     "The '/create' option does not require any parameters to be specified (unexpected 'Address', Column 62)."),
    ("cluster group EXVS1 /frobnicate", "Invalid option '/frobnicate'."),
    ("cluster node 1-CURLY /moveto:2-MOE", "Invalid option '/moveto'."),
    ("cluster grop EXVS1 /online", "Unrecognized object type 'grop'."),
    ("cluster group EXVS1 /moveto:", "Value expected after '/moveto:' (Column 29)."),
    ("cluster group EXVS1 /setowners:", "Value expected after '/setowners:' (Column 32)."),
    ("cluster group EXVS1 /setowners:2-MOE,,3-LARRY", "Value expected after '/setowners:' (Column 46)."),
    ("cluster res X /addowner", "The '/addowner' option requires exactly one value to be specified."),
    ("cluster node 1-CURLY /pause now", "The '/pause' option does not require any parameters to be specified "
                                        "(unexpected 'now', Column 29)."),
    ("cluster node 1-CURLY 2-MOE /pause", "Unexpected token '2-MOE' (Column 22). Names with spaces need double "
                                          "quotes, e.g. \"1-CURLY 2-MOE\"."),
    ("cluster group EXVS1 /online /offline", "Too many command line parameters have been specified for the "
                                             "'/online' option."),
    ("cluster group EXVS1 /wait /online", "Invalid parameter '/wait'."),
    ("cluster group /online", "An object name must be specified."),
    ("cluster res X /create /type:\"IP Address\"", "Required parameter '/group' is missing."),
    ("cluster res X /create /group: /type:T", "Value expected after '/group:' (Column 30)."),
    ("cluster res X /create /group /type:T", "The '/group' parameter requires a value. Use \"\" to specify empty "
                                             "values."),
    ("cluster group EXVS1 /prop FailoverThreshold=4:float", "The format 'float' specified for the parameter "
                                                            "'FailoverThreshold' is not a valid format."),
    ("cluster group EXVS1 /prop FailoverThreshold", "The '/prop' option does not require any parameters to be "
                                                    "specified (unexpected 'FailoverThreshold', Column 27)."),
    ("cluster group EXVS1 Threshold=4", "Unexpected token 'Threshold=4' (Column 21). A property list (name=value) "
                                        "follows /prop or /priv, not 'EXVS1'."),
    ("cluster /cluster:A /cluster:B group", "The '/cluster' parameter has been specified more than once for the "
                                            "same option."),
    ("cluster / group", "Option name expected after '/' (Column 9)."),
    # names that do not exist, and refusals: the numbers cluster.exe would print
    ("cluster group EXVS9 /online", 5013),
    ("cluster node 5-SHEMP /pause", 5042),
    ('cluster res "Disk Z:" /online', 5007),
    ('cluster res "EXVS1 IP" /create /group:EXVS1 /type:"IP Adress" Address=132.192.1.99', 5078),
    ("cluster group EXVS1 /moveto:5-SHEMP", 5042),
    ("cluster group EXVS1 /setowners:1-CURLY,5-SHEMP", 5042),
    ('cluster res "SMTP Virtual Server Instance 1 (EXVS1)" /adddep:"VS2-SG1 LOG Device"', 87),
    ("cluster /cluster:TWO-STOOGES node", 1722),
    ("cluster TWO-STOOGES node", 1722),
    ("cluster group EXVS1 /rename:MAIL", 50),
    ("cluster network", 50),
    ("cluster restype /listowners", 50),
    ('cluster res "Disk Q:" /priv Drive=R:', 87),
    ("cluster group EXVS1 /moveto:2-MOE /wait:-5", 87),
    # labkit verbs: one line
    ("run forever", "labkit: run refused: cannot read duration 'forever' [rule: durations look like 90s, 10m, 2h, "
                    "500ms]"),
    ("crash", "labkit: crash needs a node name, e.g. crash 1-CURLY"),
]


@pytest.mark.parametrize("line,expect", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_line(reference, line, expect):
    r = check_line(reference, line)
    assert not r.ok
    if isinstance(expect, int):
        assert r.code == expect, str(r)
    else:
        assert r.error == expect


@pytest.mark.parametrize("line,expect", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_line_on_a_busy_cluster(busy, line, expect):
    """The same lines while a move is under way and a crash is not yet noticed: a refusal
    changes nothing then either (not even the clock: nothing waits before it refuses), and
    a syntax error is worded the same."""
    r = check_line(busy, line, roundtrip=False)
    assert not r.ok
    if not isinstance(expect, int):
        assert r.error == expect


def test_very_long_and_odd_lines(reference):
    for line in ["cluster group " + "X" * 20_000, "cluster " + "/prop " * 500, "cluster \x00 \x1b[2J",
                 "cluster res \"\u00e9t\u00e9\" /online", "cluster group \ud800", "\t\tcluster\tgroup\t",
                 "cluster group " + '"' * 101, "cluster res " + "a=" * 300]:
        check_line(reference, line)


# ---------------------------------------------------------------- Hypothesis
NAMES = ["EXVS1", "exvs2", "Cluster Group", "Disk Q:", "EXVS1 IP Address", "1-CURLY", "2-moe", "4-JERRY",
         "SMTP Virtual Server Instance 1 (EXVS1)", "Exchange System Attendant - (EXVS1)", "VS1-SG1 LOG Device",
         "NOPE", "", "a b", "Q:", "x,y", "=", "/", '"']
OPTIONS = ["status", "stat", "pause", "resume", "evict", "start", "stop", "create", "delete", "moveto", "move",
           "online", "on", "offline", "off", "setowners", "listowners", "prop", "priv", "properties", "fail",
           "adddep", "removedep", "listdep", "addowner", "removeowner", "group", "type", "separate", "wait", "node",
           "quorum", "ver", "list", "usedefault", "rename", "bogus", "sta", "?", ""]
JUNK = st.text(alphabet=st.sampled_from(list('abcXYZ019 -_:,="/\\\'\t.é')), max_size=12)


def _name(draw):
    name = draw(st.one_of(st.sampled_from(NAMES), JUNK) if draw(st.integers(0, 4)) == 0 else st.sampled_from(NAMES))
    how = draw(st.sampled_from(["quoted"] * 6 + ["bare"] * 3 + ["open"]))
    return f'"{name}"' if how == "quoted" else (f'"{name}' if how == "open" else name)


@st.composite
def lines(draw):
    """Mostly well-formed cluster.exe lines with one thing wrong, some entirely wrong."""
    parts = [draw(st.sampled_from(["cluster"] * 6 + ["", "CLUSTER", "cluster /cluster:four-stooges",
                                                     "cluster /cluster:NOPE", "cluster FOUR-STOOGES", "labkit",
                                                     "run 1m", "wait", "crash 2-MOE"]))]
    parts.append(draw(st.sampled_from(["node", "group", "res"] * 3 + ["resource", "restype", "grop", "net", "",
                                                                       "Node"])))
    if draw(st.integers(0, 3)):
        parts.append(_name(draw))
    for _ in range(draw(st.sampled_from([0, 1, 1, 1, 2, 3]))):
        opt = "/" + draw(st.sampled_from(OPTIONS))
        if draw(st.booleans()):
            opt += ":" + _name(draw)
        parts.append(opt)
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):
        parts.append(draw(st.sampled_from(["FailoverThreshold", "RestartAction", "SubnetMask", "Drive", "Address",
                                           "Bogus", ""])) + "=" + draw(st.sampled_from(["1", "-1", "0x10", "x",
                                                                                        "255.255.0.0", "P:", '""',
                                                                                        "1:dword", "1:bogus"])))
    if draw(st.integers(0, 4)) == 0:
        parts.append(draw(JUNK))
    return (" " * draw(st.integers(1, 2))).join(p for p in parts if p is not None)


COUNTS = {"ok": 0, "syntax": 0, "refused": 0}


@settings(max_examples=400, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(line=lines())
def test_campaign_of_generated_lines(reference, line):
    r = check_line(reference, line, roundtrip=False)
    COUNTS["ok" if r.ok else "syntax" if r.code is None else "refused"] += 1


@settings(max_examples=200, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(line=lines())
def test_campaign_of_generated_lines_on_a_busy_cluster(busy, line):
    check_line(busy, line, roundtrip=False)


def test_the_campaign_reached_every_kind_of_outcome(record_property):
    """Runs after the campaign (same file, in order): it accepted, refused and rejected lines."""
    if sum(COUNTS.values()) == 0:
        pytest.skip("the campaign did not run in this process")
    record_property("campaign cases", f"{sum(COUNTS.values())} generated lines: {COUNTS['ok']} ran, "
                                      f"{COUNTS['refused']} refused with a Win32 number, {COUNTS['syntax']} "
                                      f"syntax errors; {len(MALFORMED)} hand-made")
    assert min(COUNTS.values()) >= 20, COUNTS


# ------------------------------------------------ mutations of the real examples
from labkit.clusterexe import COVERAGE  # noqa: E402

REAL = sorted({s[-1] for e in COVERAGE for s in e.ok} | {s[-1] for e in COVERAGE for s, _ in e.refused})
MUTATED = {"ok": 0, "syntax": 0, "refused": 0}


@st.composite
def mutated(draw):
    """A real example line, then one to three edits a hurried typist makes."""
    line = draw(st.sampled_from(REAL))
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["drop", "insert", "dup", "del", "case", "cut"]))
        words = line.split(" ")
        if kind == "drop" and line:
            i = draw(st.integers(0, len(line) - 1))
            line = line[:i] + line[i + 1:]
        elif kind == "insert":
            i = draw(st.integers(0, len(line)))
            line = line[:i] + draw(st.sampled_from(list('" /:,=\\x'))) + line[i:]
        elif kind == "dup" and words:
            i = draw(st.integers(0, len(words) - 1))
            line = " ".join(words[:i + 1] + words[i:])
        elif kind == "del" and len(words) > 1:
            i = draw(st.integers(0, len(words) - 1))
            line = " ".join(words[:i] + words[i + 1:])
        elif kind == "case":
            line = line.swapcase()
        elif kind == "cut" and line:
            line = line[:draw(st.integers(0, len(line)))]
    return line


@settings(max_examples=400, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(line=mutated())
def test_campaign_of_mutated_examples(reference, line):
    r = check_line(reference, line, roundtrip=False)
    MUTATED["ok" if r.ok else "syntax" if r.code is None else "refused"] += 1


@settings(max_examples=200, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(line=mutated())
def test_campaign_of_mutated_examples_on_a_busy_cluster(busy, line):
    check_line(busy, line, roundtrip=False)


def test_the_mutations_reached_every_kind_of_outcome(record_property):
    if sum(MUTATED.values()) == 0:
        pytest.skip("the campaign did not run in this process")
    record_property("campaign steps", f"{sum(MUTATED.values())} mutated example lines: {MUTATED['ok']} ran, "
                                      f"{MUTATED['refused']} refused with a Win32 number, {MUTATED['syntax']} "
                                      "syntax errors")
    assert min(MUTATED.values()) >= 40, MUTATED
