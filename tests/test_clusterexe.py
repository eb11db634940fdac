"""cluster.exe on the simulated cluster (labkit.clusterexe): every command's happy path and
refusal on the paper's 4-node cluster, the parser, the output shapes, the error numbers,
the widget's cluster.exe line and tab completion."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import labkit as lk
from labkit import files
from labkit.clusterexe import COVERAGE, MAPPING, WIN32, Session, command_line, parse, tokenize
from labkit.clusterexe import commands as C
from labkit.clusterexe.complete import completions
from labkit.clusterexe.errors import ClusterExeError, code_for
from labkit.clusterexe.parser import SyntaxProblem
from labkit.scenarios import four_node_5000

SYSTEM_ERROR = re.compile(r"^System error (\d+) has occurred \(0x([0-9a-f]{8})\)\.$")


@pytest.fixture(scope="module")
def reference():
    return four_node_5000()


@pytest.fixture
def c(reference):
    return reference.copy()


def run_ok(session, lines):
    r = None
    for line in lines:
        r = session.run(line)
        assert r.ok, (line, str(r))
    return r


# ================================================================== coverage
OK = [(e.command, script) for e in COVERAGE for script in e.ok]
REFUSED = [(e.command, script, code) for e in COVERAGE for script, code in e.refused]


def test_every_command_has_a_happy_path_and_a_refusal():
    assert len(COVERAGE) >= 40
    for e in COVERAGE:
        assert e.refused, e.command
        if "not modelled" not in e.api:
            assert e.ok, e.command


@pytest.mark.parametrize("command,script", OK, ids=[f"{cmd} :: {s[-1]}" for cmd, s in OK])
def test_happy_path(reference, command, script):
    c = reference.copy()
    r = run_ok(Session(c), script)
    assert "System error" not in r.text and "Traceback" not in str(r)
    text = files.dumps(c)  # what the command did can be saved and loaded back, byte for byte
    assert files.dumps(files.loads(text)) == text


@pytest.mark.parametrize("command,script,code", REFUSED, ids=[f"{cmd} :: {s[-1]}" for cmd, s, _ in REFUSED])
def test_refusal_leaves_the_model_unchanged(reference, command, script, code):
    c = reference.copy()
    s = Session(c)
    run_ok(s, script[:-1])
    before = c.to_dict()
    r = s.run(script[-1])
    assert not r.ok and r.code == code, (script[-1], str(r))
    assert c.to_dict() == before
    assert r.text == "" and "Traceback" not in r.error
    lines = r.error.splitlines()
    if code is None:
        assert len(lines) == 1 and "System error" not in lines[0]
    else:
        m = SYSTEM_ERROR.match(lines[0])
        assert m and int(m.group(1)) == code and int(m.group(2), 16) == code
        assert lines[1] == WIN32[code][1] and lines[2].startswith("  labkit: ")


def test_every_documented_win32_number_is_used_somewhere():
    used = {m.code for m in MAPPING} | {code for _, _, code in REFUSED if code}
    from labkit.clusterexe.errors import EXPLICIT, FRONT_END
    used |= set(EXPLICIT) | {code for code, _, _ in FRONT_END}
    assert used == set(WIN32)


# ================================================================== output shapes
def test_group_listing_is_cluster_exe_s(c):
    out = Session(c).run("cluster group").text.splitlines()
    assert out[:4] == ["Listing status for all available resource groups:", "",
                       "Group                Node            Status",
                       "-------------------- --------------- ------"]
    assert out[4] == "Cluster Group        1-CURLY         Online"
    assert out[5:] == [f"EXVS{i}                {n:<15} Online" for i, n in
                       enumerate(["1-CURLY", "2-MOE", "3-LARRY", "4-JERRY"], 1)]


def test_node_listing_right_aligns_the_node_id(c):
    out = Session(c).run("cluster node").text.splitlines()
    assert out[2:4] == ["Node           Node ID Status", "-------------- ------- ---------------------"]
    assert out[4] == "1-CURLY              1 Up"


def test_move_prints_the_moving_line_then_the_final_status_and_waits(c):
    r = Session(c).run("cluster group EXVS1 /moveto:2-MOE")
    lines = r.text.splitlines()
    assert lines[:5] == ["Moving resource group 'EXVS1'...", "", *C.out.GROUP_HEADER,
                         "EXVS1                2-MOE           Online"]
    assert lines[5].startswith("labkit: cluster.exe waited ")
    assert c.groups["EXVS1"].owner == "2-MOE" and str(c.groups["EXVS1"].state) == "Online"
    assert not c.groups["EXVS1"].move


def test_wait_timeout_leaves_the_group_pending(c):
    r = Session(c).run("cluster group EXVS1 /moveto:2-MOE /wait:5")
    assert r.ok and r.text.splitlines()[4].endswith("Pending")
    assert "waited 5.0 s" in r.text


def test_property_listing_columns_and_values(c):
    out = Session(c).run('cluster res "Disk Q:" /prop').text.splitlines()
    assert out[0] == "Listing properties for 'Disk Q:':"
    assert out[2] == "T  Resource             Name                           Value"
    assert "SR Disk Q:              Type                           Physical Disk" in out
    assert "D  Disk Q:              PendingTimeout                 180000 (0x2bf20)" in out
    assert "D  Disk Q:              RestartPeriod                  900000 (0xdbba0)" in out


def test_setting_common_properties_reaches_the_model(c):
    s = Session(c)
    run_ok(s, ["group EXVS1 /prop FailoverThreshold=4 FailoverPeriod=2 AutoFailbackType=0",
               "group EXVS1 /prop FailbackWindowStart=22 FailbackWindowEnd=6",
               'res "EXVS1 IP Address" /prop RestartAction=1 RestartPeriod=600000 PendingTimeout=0x1000'])
    g, r = c.groups["EXVS1"], c.resources["EXVS1 IP Address"]
    assert (g.failover_threshold, g.failover_period_hours, g.auto_failback, g.failback_window) == (4, 2, False, (22, 6))
    assert r.restart_action is lk.RestartAction.RESTART_NO_NOTIFY and r.restart_period_s == 600
    assert r.pending_timeout_ms == 4096
    run_ok(s, ["group EXVS1 /prop:FailoverThreshold,FailbackWindowStart,FailbackWindowEnd /usedefault"])
    assert g.failover_threshold == 10 and g.failback_window is None


def test_private_property_change_on_an_online_resource_warns_5024(c):
    r = Session(c).run('cluster res "EXVS1 IP Address" /priv SubnetMask=255.255.0.0')
    assert r.ok and r.error.splitlines()[:2] == [
        "System warning 5024 (0x000013a0).",
        "The properties were stored but not all changes will take effect until the next time the resource is "
        "brought online."]
    assert c.resources["EXVS1 IP Address"].properties["subnet_mask"] == "255.255.0.0"


def test_create_takes_parameters_and_dependencies_on_its_line(c):
    s = Session(c)
    run_ok(s, C.PRINT + ['res "PRINT Share" /create /group:print /type:"file share" ShareName=jobs Path="T:\\jobs" '
                         '/adddep:"disk t:" /adddep:"PRINT Name"', "group PRINT /online:3-LARRY"])
    share = c.resources["PRINT Share"]
    assert share.type == "File Share" and share.properties["share_name"] == "jobs"
    assert share.properties["path"] == "T:\\jobs" and share.dependencies == ["Disk T:", "PRINT Name"]
    assert c.groups["PRINT"].owner == "3-LARRY" and str(c.groups["PRINT"].state) == "Online"


def test_an_ip_address_created_without_its_address_is_set_with_priv_before_it_comes_online(c):
    """As with cluster.exe: /create makes the resource, /priv sets Address before /online
    (Microsoft, Creating IP Address Resources); until then it fails to come online and
    the log names the missing private property."""
    s = Session(c)
    assert s.run('cluster group FS /create').ok
    assert s.run('cluster res "IP FS" /create /group:FS /type:"IP Address"').ok
    assert "address" not in c.resources["IP FS"].properties
    r = s.run('cluster res "IP FS" /online')
    assert r.ok and str(c.resources["IP FS"].state) == "Failed"
    assert any("no Address private property" in e.why and "Microsoft" in e.why for e in c.log.about("IP FS"))
    before = c.to_dict()
    r = s.run('cluster res "IP FS" /priv Address=132.192.1.11')  # EXVS1's address
    assert r.code == 5057 and c.to_dict() == before
    assert s.run('cluster res "IP FS" /priv Address=132.192.1.60 SubnetMask=255.255.255.0').ok
    assert c.who_has_address("132.192.1.60") == "resource 'IP FS'"
    assert s.run('cluster group FS /online').ok and str(c.resources["IP FS"].state) == "Online"
    r = s.run('cluster res "IP FS" /priv Address=132.192.1.61')  # set once: then fixed
    assert r.code == 87 and "once it is set" in r.error
    assert s.run('cluster res "Name FS" /create /group:FS /type:"Network Name" /adddep:"IP FS"').ok
    assert s.run('cluster res "Name FS" /priv Name=EXVS1').code == 5010
    assert s.run('cluster res "Name FS" /priv Name=files1').ok and c.resources["Name FS"].properties["name"] == "FILES1"


def test_a_file_share_without_its_share_name_says_what_to_add(c):
    r = Session(c).run('cluster res "X Share" /create /group:EXVS1 /type:"File Share"')
    assert r.code == 87 and "add ShareName=... to this /create line" in r.error


def test_quorum_can_move_to_another_online_disk(c):
    s = Session(c)
    run_ok(s, [C.S, 'res "Disk T:" /online', 'cluster /quorumresource:"disk t:"'])
    assert c.quorum_resource == "Disk T:" and c.quorum_drive == "T:"
    assert "Disk T:              T:\\MSCS\\" in s.run("cluster /quorum").text
    assert s.run('res "Disk Q:" /offline').ok  # no longer the quorum
    assert s.run('res "Disk T:" /offline').code == 5068


def test_stopped_cluster_answers_1722_but_a_node_can_be_started(c):
    s = Session(c)
    for n in ("1-CURLY", "2-MOE", "3-LARRY", "4-JERRY"):
        run_ok(s, [f"crash {n}"])
    run_ok(s, ["wait"])
    assert not c.running
    r = s.run("cluster group")
    assert r.code == 1722 and "The RPC server is unavailable." in r.error
    r = run_ok(s, ["cluster node 1-CURLY /start"])
    assert "successfully started" in r.text and c.running


def test_names_are_case_insensitive_and_an_exact_match_wins(c):
    s = Session(c)
    run_ok(s, ["cluster GROUP exvs1 /MOVETO:2-moe", "CLUSTER RES \"disk q:\" /STAT"])
    assert c.groups["EXVS1"].owner == "2-MOE"
    assert C.find_name(["abc", "ABC"], "ABC") == "ABC" and C.find_name(["abc", "ABC"], "Abc") is None


def test_moving_a_group_to_its_own_node_does_nothing(c):
    before = c.to_dict()
    r = Session(c).run("cluster group EXVS1 /moveto:1-curly")
    assert r.ok and "EXVS1                1-CURLY         Online" in r.text and c.to_dict() == before


def test_cluster_name_must_match(c):
    s = Session(c)
    assert s.run("cluster /cluster:four-stooges group EXVS1").ok
    assert s.run("cluster FOUR-STOOGES group EXVS1").ok
    r = s.run("cluster /cluster:TWO-STOOGES group")
    assert r.code == 1722 and "reachable: FOUR-STOOGES" in r.error


# ================================================================== labkit verbs
def test_labkit_verbs_say_they_are_labkit(c):
    s = Session(c)
    for line in ("run 30s", "wait", "crash 4-JERRY", "log 3", "help"):
        r = s.run(line)
        assert r.ok, line
    assert s.run("run 30s").text.splitlines()[-1].startswith("labkit: ran 30.0 s")
    assert s.run("crash 9-NOBODY").code == 5042
    for bad in ("run", "run soon", "wait now", "crash", "crash a b", "log x", "log 0"):
        r = s.run(bad)
        assert not r.ok and r.error.startswith("labkit: ") and len(r.error.splitlines()) == 1, bad


def test_comments_and_blank_lines_do_nothing(c):
    before = c.to_dict()
    s = Session(c)
    for line in ("", "   ", "rem move later", "REM", ":: a label", "# note"):
        assert s.run(line).ok and s.run(line).text == ""
    assert c.to_dict() == before


def test_a_script_goes_on_after_a_refusal_as_cmd_exe_does(c):
    results = Session(c).run_script(["node 2-MOE /pause", "group EXVS9 /online", "node 3-LARRY /pause"])
    assert [r.ok for r in results] == [True, False, True]
    assert str(c.nodes["3-LARRY"].state) == "Paused"


# ================================================================== parser
@pytest.mark.parametrize("line,obj,name,option,value", [
    ("cluster group", "group", None, "status", None),
    ("group EXVS1", "group", "EXVS1", "status", None),
    ("cluster res \"Disk Q:\" /on", "resource", "Disk Q:", "online", None),
    ("cluster reso \"Disk Q:\" /offl", "resource", "Disk Q:", "offline", None),
    ("cluster group EXVS1 /move", "group", "EXVS1", "moveto", None),
    ("cluster group EXVS1 /MOVETO:2-MOE", "group", "EXVS1", "moveto", "2-MOE"),
    ('cluster group EXVS1 /moveto:"2-MOE"', "group", "EXVS1", "moveto", "2-MOE"),
    ("cluster /quorum:\"Disk Q:\"", "cluster", None, "quorumresource", "Disk Q:"),
    ("cluster restype", "resourcetype", None, "list", None),
    ("cluster /ver", "cluster", None, "version", None),
    ('"cluster" node', "node", None, "status", None),
])
def test_parse(line, obj, name, option, value):
    cmd = parse(line)
    assert (cmd.object, cmd.name, cmd.option, cmd.value) == (obj, name, option, value)


def test_parse_create_params_and_properties():
    cmd = parse('cluster res "EXVS1 IP" /create /group:EXVS1 /type:"IP Address" /separate Address=1.2.3.4 '
                'SubnetMask="255.255.255.0":string /adddep:A /adddep:"B C"')
    assert cmd.params == {"group": "EXVS1", "type": "IP Address", "separate": True, "adddependency": ["A", "B C"]}
    assert [(p.name, p.value, p.format) for p in cmd.props] == [("Address", "1.2.3.4", None),
                                                                ("SubnetMask", "255.255.255.0", "string")]


def test_tokenize_keeps_quoted_separators():
    toks = tokenize('/setowners:"A,B",C x="1:2"')
    assert toks[0].split(",", 11) == ["A,B", "C"]
    assert parse('group G /prop Description="a:dword"').props[0].value == "a:dword"


@pytest.mark.parametrize("line,message", [
    ('cluster res "Disk Q: /online', "Closing quote not found. '\"' expected after 'Disk Q: /online'."),
    ("cluster group EXVS1 /bogus", "Invalid option '/bogus'."),
    ("cluster group EXVS1 /pause", "Invalid option '/pause'."),
    ("cluster group EXVS1 /sta", "Invalid option '/sta'."),
    ("cluster group EXVS1 /moveto:", "Value expected after '/moveto:' (Column 29)."),
    ("cluster group EXVS1 /setowners", "The '/setowners' option requires at least one value to be specified."),
    ("cluster res X /adddep", "The '/adddep' option requires exactly one value to be specified."),
    ("cluster node /status:x", "The '/status' option does not require any values to be specified."),
    ("cluster group EXVS1 /online /offline",
     "Too many command line parameters have been specified for the '/online' option."),
    ("cluster group /moveto:2-MOE", "An object name must be specified."),
    ("cluster node /pause", "A node name must be specified."),
    ("cluster res /online", "A resource name must be specified."),
    ("cluster res X /create /group:EXVS1", "Required parameter '/type' is missing."),
    ("cluster res X /create /type:T /group:A /group:B",
     "The '/group' parameter has been specified more than once for the same option."),
    ("cluster res X /create /group:A /type:T /separate:yes",
     "The '/separate' parameter does not require any values to be specified."),
    ("cluster group G /moveto:N /group:X", "Invalid option '/group'."),
    ("cluster res R /online /group:X", "Invalid parameter '/group'."),
    ("cluster res R /prop X=1:bogus", "The format 'bogus' specified for the parameter 'X' is not a valid format."),
    ("cluster /", "Option name expected after '/' (Column 9)."),
    ("cluster /cluster: group", "Value expected after '/cluster:' (Column 18)."),
    ("cluster group G /prop:FailoverThreshold", "Required parameter '/usedefault' is missing."),
])
def test_syntax_errors_are_one_cluster_exe_line(line, message):
    with pytest.raises(SyntaxProblem) as e:
        parse(line)
    assert str(e.value) == message


def test_a_name_with_an_unquoted_space_gets_the_quoting_hint(c):
    r = Session(c).run("cluster res Disk Q: /online")
    assert r.error == ("Unexpected token 'Q:' (Column 18). Names with spaces need double quotes, "
                       "e.g. \"Disk Q:\".")


def test_a_mistyped_object_type_is_named(c):
    assert Session(c).run("cluster grop EXVS1 /online").error == "Unrecognized object type 'grop'."
    assert Session(c).run("cluster four-stooges grop").error == "Unrecognized object type 'grop'."


# ================================================================== error numbers
@pytest.mark.parametrize("error,command,code", [
    (lk.DependencyError("x", source="paper, Resources and Resource Groups; MSCS error 87"), "res.adddep", 87),
    (lk.DependencyError("x", source="MSCS ERROR_DEPENDENCY_ALREADY_EXISTS (5003)"), "", 5003),
    (lk.QuorumError("x", source="MSCS ERROR_DEPENDENCY_NOT_ALLOWED (5069)"), "", 5069),
    (lk.StateError("x", source="Windows 2000 MSCS, error 5019 (resource online)"), "res.removedep", 5019),
    (lk.StateError("x", source="KB 892422"), "", 87),  # a KB number is not an error number
    (lk.StateError("node N1 is Up, not Paused"), "node.resume", 5058),
    (lk.OwnershipError("node N1 is Paused; groups can only go to Up nodes"), "group.moveto", 5070),
    (lk.QuorumError("cluster X is not running; start a node first"), "group.online", 1722),
    (lk.AccessDeniedError("no"), "res.create", 5),
    (lk.ConfigurationError("dynamic disk"), "res.create", 87),
])
def test_code_for(error, command, code):
    assert code_for(error, command) == code


def test_by_node_state_mapping():
    e = lk.OwnershipError("group 'G' is on N1, which is not Up; nothing can be brought online there")
    assert [code_for(e, "res.online", s) for s in ("Paused", "Down", "Joining", "leaving", None)] == \
        [5070, 5050, 5072, 5073, 5070]


def test_error_lines_format():
    assert ClusterExeError(1059).lines() == ["System error 1059 has occurred (0x00000423).",
                                             "Circular service dependency was specified."]
    with pytest.raises(ValueError):
        ClusterExeError(12345)


# ================================================================== widget line
@pytest.mark.parametrize("action,args,line", [
    ("move_group", {"group": "EXVS1", "node": "2-MOE"}, "cluster group EXVS1 /moveto:2-MOE"),
    ("move_group", {"group": "Cluster Group"}, 'cluster group "Cluster Group" /moveto'),
    ("online_group", {"group": "EXVS1"}, "cluster group EXVS1 /online"),
    ("offline_group", {"group": "EXVS1"}, "cluster group EXVS1 /offline"),
    ("fail_resource", {"resource": "Disk Q:"}, 'cluster res "Disk Q:" /fail'),
    ("online_resource", {"resource": "Disk Q:"}, 'cluster res "Disk Q:" /online'),
    ("offline_resource", {"resource": "Disk Q:"}, 'cluster res "Disk Q:" /offline'),
    ("pause_node", {"node": "1-CURLY"}, "cluster node 1-CURLY /pause"),
    ("resume_node", {"node": "1-CURLY"}, "cluster node 1-CURLY /resume"),
    ("start_node", {"node": "1-CURLY"}, "cluster node 1-CURLY /start"),
    ("stop_node", {"node": "1-CURLY"}, "cluster node 1-CURLY /stop"),
    ("crash_node", {"node": "1-CURLY"}, None), ("inject_fault", {"resource": "Disk Q:"}, None),
    ("run", {"seconds": 10}, None), ("run_until_stable", {}, None),
])
def test_widget_line_does_what_the_widget_did(reference, action, args, line):
    assert command_line(action, args) == line
    if line is None:
        return
    from labkit.views.widgets.actions import apply_action
    a, b = reference.copy(), reference.copy()
    if action in ("resume_node",):
        a.pause_node("1-CURLY")
        b.pause_node("1-CURLY")
    if action in ("online_group", "online_resource", "start_node"):
        for x in (a, b):
            Session(x).run({"online_group": "group EXVS1 /offline", "online_resource": 'res "Disk Q:" /offline',
                            "start_node": "node 1-CURLY /stop"}[action])
    widget = apply_action(a, action, settle=True, **args)
    typed = Session(b).run(line)
    b.run_until_stable()
    assert widget.command == line and widget.ok == typed.ok, (widget, str(typed))
    assert {n: str(x.state) for n, x in a.nodes.items()} == {n: str(x.state) for n, x in b.nodes.items()}
    assert {g: (x.owner, str(x.state)) for g, x in a.groups.items()} == \
        {g: (x.owner, str(x.state)) for g, x in b.groups.items()}


def test_the_administrator_widget_shows_the_line():
    from labkit.views.widgets import ClusterAdministrator
    w = ClusterAdministrator()
    w.group.value, w.target.value = "FS", "NODE2"
    w.click("move_group")
    assert "cluster group FS /moveto:NODE2" in w.command_view.value
    w.do("crash_node", node="NODE9")
    assert not w.last.ok and "cluster.exe: no equivalent command" in w.command_view.value


# ================================================================== completion
@pytest.mark.parametrize("text,expect", [
    ("", ["cluster", "crash", "help", "log", "run", "wait"]),
    ("clu", ["cluster"]),
    ("cluster gr", ["group"]),
    ("cluster no", ["node"]),
    ("cluster group EX", ["EXVS1", "EXVS2", "EXVS3", "EXVS4"]),
    ('cluster res "Disk', ['"Disk Q:"']),
    ("cluster res disk", ['"Disk Q:"']),
    ("cluster group EXVS1 /mo", ["/moveto"]),
    ("cluster group EXVS1 /moveto:2", ["/moveto:2-MOE"]),
    ("cluster group EXVS1 /setowners:2-MOE,3", ["/setowners:2-MOE,3-LARRY"]),
    ('cluster res "X" /create /type:"IP', ['/type:"IP Address"']),
    ("cluster res X /create /group:C", ['/group:"Cluster Group"']),
    ('cluster res "EXVS1 IP Address" /adddep:"EXVS1 N', ['/adddep:"EXVS1 Network Name"']),
    ("cluster group EXVS1 /prop Fail", ["FailoverThreshold=", "FailoverPeriod=", "FailbackWindowStart=",
                                        "FailbackWindowEnd="]),
    ("crash 1", ["1-CURLY"]),
    ("cluster /cluster:f", ["/cluster:FOUR-STOOGES"]),
    ("cluster group EXVS1 /moveto:2-MOE ", []),
])
def test_completions(reference, text, expect):
    got = completions(reference, text)
    assert [t for t, _ in got] == expect
    def norm(x):
        return x.replace('"', "").casefold()

    for t, start in got:  # the replacement takes the place of the word being typed
        assert start <= 0 and norm(t).startswith(norm(text[len(text) + start:]))


def test_an_exchange_virtual_server_built_with_cluster_exe():
    """The System Attendant takes its dependencies on its /create line and creates the other
    Exchange resources (paper, Table 7), as in Cluster Administrator."""
    c = files.load(Path(__file__).resolve().parents[1] / "examples" / "exchange_two_node.yaml")
    s = Session(c)
    run_ok(s, ["group EXVS3 /create",
               'res "Disk X:" /create /group:EXVS3 /type:"Physical Disk" Drive=X:',
               'res "EXVS3 IP" /create /group:EXVS3 /type:"IP Address" Address=132.192.1.33',
               'res "EXVS3 Name" /create /group:EXVS3 /type:"Network Name" Name=EXVS3 /adddep:"EXVS3 IP"'])
    r = s.run('res "EXVS3 SA" /create /group:EXVS3 /type:"Microsoft Exchange System Attendant"')
    assert r.code == 87 and "must depend on exactly one Network Name" in r.error
    run_ok(s, ['res "EXVS3 SA" /create /group:EXVS3 /type:"microsoft exchange system attendant" '
               '/adddep:"EXVS3 Name" /adddep:"Disk X:"', "group EXVS3 /online"])
    assert str(c.groups["EXVS3"].state) == "Online" and len(c.groups["EXVS3"].resources) == 11
    assert "Exchange Information Store Instance - (EXVS3)" in s.run("res /node:1-CURLY").text
    r = s.run('res "Exchange Routing Service Instance - (EXVS3)" /delete')
    assert r.code == 5019


def test_a_line_pasted_from_a_transcript_keeps_working(c):
    assert Session(c).run("C:\\> cluster node 1-CURLY /pause").ok and str(c.nodes["1-CURLY"].state) == "Paused"
    assert Session(c).run("C:\\WINNT\\system32> cluster /ver").text.startswith("Cluster Name:     FOUR-STOOGES")


def test_a_system_attendant_waits_for_the_address_and_the_name_set_with_priv(c):
    """A virtual server is reached at its IP Address and named by its Network Name: the
    System Attendant is refused (and nothing changes) until both have been set."""
    s = Session(c)
    for line in ['group FS /create', 'res "IP FS" /create /group:FS /type:"IP Address"',
                 'res "Name FS" /create /group:FS /type:"Network Name" /adddep:"IP FS"',
                 'res "Disk P:" /create /group:FS /type:"Physical Disk" Drive=P:']:
        assert s.run(line).ok, line
    sa = 'res "SA FS" /create /group:FS /type:"Microsoft Exchange System Attendant" /adddep:"Name FS" /adddep:"Disk P:"'
    for missing, fix in [("no Address yet", 'res "IP FS" /priv Address=132.192.1.70'),
                         ("no Name yet", 'res "Name FS" /priv Name=FILES7')]:
        before = c.to_dict()
        r = s.run(sa)
        assert not r.ok and missing in r.error and "Traceback" not in r.error and c.to_dict() == before
        assert s.run(fix).ok
    assert s.run(sa).ok and "SA FS" in c.resources
