"""Issue 13, one test per failure it lists: every state the model reaches saves and loads
back, every refusal is a LabkitError that changes nothing, names compare case-insensitively,
the command line answers bad input with one line, and files load in linear time."""
from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

import labkit as lk
from labkit import cli, files
from labkit.io import reader, writer
from labkit import exchange as ex
from labkit import procedures as pr
from labkit.cluster.cluster import ClusterSettings
from labkit.exchange import demo_cluster

ROOT = Path(__file__).resolve().parents[1]
SHARE = ROOT / "examples" / "two_node_file_share.yaml"


def round_trip(c: lk.Cluster) -> lk.Cluster:
    for fmt in ("yaml", "json"):
        text = files.dumps(c, fmt)
        again = files.loads(text, fmt)
        assert files.dumps(again, fmt) == text
        assert again.to_dict() == c.to_dict()
    return again


def refused(c: lk.Cluster, fn, *args, err=lk.LabkitError, **kwargs) -> lk.LabkitError:
    """``fn`` raises ``err`` (a LabkitError) and ``c`` is as it was."""
    before = c.to_dict()
    with pytest.raises(err) as info:
        fn(*args, **kwargs)
    assert isinstance(info.value, lk.LabkitError)
    assert c.to_dict() == before
    return info.value


def two_nodes() -> lk.Cluster:
    c = lk.Cluster("LAB", ip="10.0.0.100")
    c.add_node("N1", ip="10.0.0.1")
    c.add_node("N2", ip="10.0.0.2")
    c.run_until_stable()
    return c


# ----------------------------------------------------- a cluster after a procedure saves
def test_a_cluster_that_has_been_through_a_procedure_saves():
    c = demo_cluster()
    pr.add_shared_disk(c, "Disk S:", drive="S:")
    again = round_trip(c)
    assert again.extensions["procedures"].disks["Disk S:"].drive == "S:"


def test_a_procedures_file_loads_in_a_fresh_process(tmp_path):
    c = demo_cluster()
    pr.add_shared_disk(c, "Disk S:", drive="S:")
    path = files.save(c, tmp_path / "pr.yaml")
    code = ("import sys; from labkit import files; c = files.load(sys.argv[1]); "
            "print(type(c.extensions['procedures']).__name__)")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ProceduresState"


# --------------------------------------------------- reachable states that did not load
def test_a_node_forming_the_cluster_again_saves_and_loads():
    c = two_nodes()
    c.crash_node("N1")
    c.crash_node("N2")
    c.run_until_stable()
    c.start_node("N2")
    assert not c.running and c.nodes["N2"].state is lk.NodeState.JOINING
    again = round_trip(c)
    for x in (c, again):
        x.run_until_stable()
    assert again.to_dict() == c.to_dict() and again.running


# ------------------------------------- accepted, then unsaveable: now refused or saveable
class Int(int):
    pass


class Float(float):
    pass


class Str(str):
    pass


@pytest.mark.parametrize("value", [float("nan"), float("inf"), b"bytes", object(), 10 ** 400, {1: "x"},
                                   "\ud800", {"k": [float("-inf")]}])
def test_unsaveable_property_values_are_refused(value):
    c = two_nodes()
    c.add_group("G")
    refused(c, c.add_resource, "R", type="Generic Service", group="G", command_line=value)


@pytest.mark.parametrize("value,plain", [(Int(3), 3), (Float(2.5), 2.5), (Str("x"), "x"), (("a", 1), ["a", 1]),
                                         (True, True), (2 ** 63 - 1, 2 ** 63 - 1)])
def test_subclasses_and_tuples_are_taken_as_the_plain_value(value, plain):
    c = two_nodes()
    c.add_group("G")
    c.add_resource("R", type="Generic Service", group="G", command_line=value)
    got = c.resources["R"].properties["command_line"]
    assert got == plain and type(got) is type(plain)
    round_trip(c)


@pytest.mark.parametrize("call", [
    lambda c: c.add_group("G\ud800"),
    lambda c: c.add_group("G\x00"),
    lambda c: c.add_account("bob\udfff"),
    lambda c: c.set_group_properties("Cluster Group", failover_threshold=Int(10 ** 30)),
    lambda c: c.set_resource_properties("Disk Q:", restart_period_s=10 ** 400),
    lambda c: c.schedule(10, "regroup", (b"N1", 0)),
    lambda c: c.record("x", "what", "why\ud800"),
])
def test_names_and_values_files_cannot_hold_are_refused(call):
    c = two_nodes()
    refused(c, call, c)


def test_an_int_subclass_setting_is_saved_as_an_int():
    c = two_nodes()
    c.set_group_properties("Cluster Group", failover_threshold=Int(4), failover_period_hours=Float(2.0))
    g = c.groups["Cluster Group"]
    assert type(g.failover_threshold) is int and type(g.failover_period_hours) is float
    round_trip(c)


@pytest.mark.parametrize("kwargs", [{"quorum_disk": "Cluster Name"}, {"quorum_disk": "cluster ip address"},
                                    {"seed": -1}, {"seed": 10 ** 400}, {"seed": True}, {"quorum_drive": "bogus"},
                                    {"quorum_disk": "\ud800"}, {"settings": "fast"}, {"edition": ["Datacenter"]}])
def test_clusters_that_could_not_be_saved_are_refused_at_creation(kwargs):
    with pytest.raises(lk.LabkitError):
        lk.Cluster("X", ip="10.0.0.100", **kwargs)


# ---------------------------------------------------------- refusals that changed the model
def test_a_bogus_quorum_drive_is_refused_before_a_node_is_added():
    with pytest.raises(lk.ValidationError, match="quorum_drive"):
        lk.Cluster("X", quorum_drive="bogus")
    c = lk.Cluster("X", quorum_drive="r:")
    c.add_node("A")
    assert c.resources["Disk Q:"].properties["drive"] == "R:" and c.quorum_drive == "R:"


@pytest.mark.parametrize("sides", [[["N1"], ["N2", "N3"]], [["N3"], ["N1", "N2"]]])
def test_evicting_during_a_partition_is_all_or_nothing(sides):
    c = lk.Cluster("X", ip="10.0.0.100", edition="Datacenter")
    for i in (1, 2, 3):
        c.add_node(f"N{i}", ip=f"10.0.0.{i}")
    c.run_until_stable()
    c.crash_node("N3")
    c.run_until_stable()
    c.partition(sides)
    c.run_until_stable()
    c.evict_node("N3")
    assert "N3" not in c.nodes and all("N3" not in s for s in c.partition_sides)
    round_trip(c)


def test_evicting_the_node_of_a_lasting_fault_clears_it():
    c = two_nodes()
    c.add_group("G")
    c.add_resource("App", type="Generic Service", group="G")
    c.online_group("G", "N2")
    c.run_until_stable()
    c.inject_fault("App", "crash", persistent=True)
    c.crash_node("N2")
    c.run_until_stable()
    c.evict_node("N2")
    assert c.resources["App"].fault_node is None
    round_trip(c)


# ------------------------------------------------------------------- wrong exception types
@pytest.mark.parametrize("call", [
    lambda c: c.run(seconds=1e308),
    lambda c: c.run(hours=float("inf")),
    lambda c: c.run(seconds=float("nan")),
    lambda c: c.run(duration="9" * 400 + "d"),
    lambda c: c.run(duration=object()),
    lambda c: c.set_group_properties("Cluster Group", failover_period_hours=1e308),
    lambda c: c.set_resource_properties("Disk Q:", restart_period_s=1e308),
    lambda c: c.install_resource_type(["File Share"]),
    lambda c: c.crash_node(["N1"]),
    lambda c: c.move_group({"Cluster Group": 1}),
    lambda c: c.inject_fault("Disk Q:", ["crash"]),
    lambda c: c.set_resource_properties("Disk Q:", restart_action=["x"]),
    lambda c: c.add_account("bob", rights=[["x"]]),
    lambda c: c.acting_as([1]).__enter__(),
    lambda c: c.has_right([1]) and None,
    lambda c: c.schedule(10 ** 400, "regroup", ("N1", 0)),
    lambda c: c.run_until_stable(max_events=10 ** 400) or c.crash_node(None),
])
def test_bad_arguments_raise_labkit_errors(call):
    c = two_nodes()
    refused(c, call, c)


def test_huge_periods_and_nan_settings_are_refused():
    for kw in ({"node_join_s": float("nan")}, {"node_reboot_s": 1e308}, {"heartbeat_interval_ms": 10 ** 400},
               {"missed_heartbeats": 0}, {"node_failures_count": "yes"}):
        with pytest.raises(lk.ValidationError):
            ClusterSettings(**kw)
    s = ClusterSettings()
    with pytest.raises(lk.ValidationError):
        s.node_join_s = float("inf")
    assert s.node_join_s == 20.0


def test_the_clock_stops_before_the_year_9900():
    c = two_nodes()
    refused(c, c.run, hours=24 * 365 * 8000, err=lk.ValidationError)
    for _ in range(80):
        try:
            c.run(duration="36499d")
        except lk.ValidationError as e:
            assert "past" in str(e)
            break
    else:
        pytest.fail("the clock ran past the year 9900")
    assert c.now.year < 9900
    round_trip(c)


# ----------------------------------------------------------- names compare case-insensitively
def test_names_that_differ_only_in_case_are_one_name():
    c = two_nodes()
    c.add_group("Web")
    refused(c, c.add_group, "WEB", err=lk.NameConflictError)
    c.add_resource("Web IP", type="IP Address", group="web", address="10.0.1.1")
    refused(c, c.add_resource, "WEB ip", type="Generic Service", group="Web", err=lk.NameConflictError)
    c.add_account("LAB\\Helpdesk", ["read"])
    refused(c, c.add_account, "lab\\helpdesk", err=lk.NameConflictError)
    with c.acting_as("LAB\\HELPDESK"):
        assert c.account == "LAB\\Helpdesk"
    c.online_group("WEB", "n2")
    c.run_until_stable()
    assert c.groups["Web"].owner == "N2" and c.group("wEb") is c.groups["Web"]
    assert c.node("n1").name == "N1" and c.resource("web ip").name == "Web IP"
    c.set_preferred_owners("web", ["n2", "N1"])
    assert c.groups["Web"].preferred_owners == ["N2", "N1"]     # kept as the nodes were named
    round_trip(c)


def test_an_evicted_node_cannot_come_back_under_another_case():
    c = two_nodes()
    c.crash_node("N2")
    c.run_until_stable()
    c.evict_node("n2")
    assert c.evicted == ["N2"]
    refused(c, c.add_node, "n2", err=lk.NameConflictError)


def test_two_nodes_in_a_file_that_differ_in_case_are_refused():
    text = SHARE.read_text().replace('  2-MOE: {"id": 2,', '  2-moe: {"id": 3,').replace('["1-CURLY", "2-MOE"]',
                                                                                          '["1-CURLY", "2-moe"]')
    text = text.replace('  2-moe: {"id": 3,', '  2-MOE: {"id": 2, "ip": "132.192.1.21", "state": "Up"}\n  2-moe: {"id": 3,')
    assert "2-moe" in text
    with pytest.raises(lk.FileFormatError) as info:
        files.loads(text)
    assert any("2-MOE and 2-moe differ only in case" in p for p in info.value.problems), info.value.problems


def test_references_in_a_hand_written_file_are_case_insensitive():
    text = SHARE.read_text().replace('"preferred_owners": ["1-CURLY", "2-MOE"]', '"preferred_owners": ["1-curly", "2-moe"]')
    assert "1-curly" in text
    c = files.loads(text)
    assert c.groups["FILES"].preferred_owners == ["1-CURLY", "2-MOE"]


# ------------------------------------------------------------------------ the command line
def cli_run(argv, capsys):
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(code, err):
    assert code in (1, 2), code
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err and "internal error" not in err, err


def test_huge_integers_in_yaml_are_one_line(tmp_path, capsys):
    for number in ("9" * 5000, "9" * 30):
        bad = tmp_path / "huge.yaml"
        bad.write_text(SHARE.read_text().replace("  clock_ms: ", f"  seed: {number}\n  clock_ms: "))
        assert "seed" in bad.read_text()
        code, _, err = cli_run(["simulate", str(bad)], capsys)
        one_line_error(code, err)


def test_clock_overflow_is_refused_in_one_line(tmp_path, capsys):
    code, _, err = cli_run(["simulate", str(SHARE)] + ["--event", "run 36499d"] * 100, capsys)
    one_line_error(code, err)
    assert "past" in err
    near = tmp_path / "near.yaml"
    near.write_text(SHARE.read_text().replace("  clock_ms: 4000", "  clock_ms: 1000000000000000"))
    assert "1000000000000000" in near.read_text()
    code, _, err = cli_run(["simulate", str(near)], capsys)
    one_line_error(code, err)
    assert "cluster.clock_ms" in err


@pytest.mark.parametrize("make", ["symlink to /dev/zero", "fifo", "too big", "folder"])
def test_non_regular_and_oversized_files_are_refused_before_reading(tmp_path, capsys, make, monkeypatch):
    p = tmp_path / "lab.yaml"
    if make == "symlink to /dev/zero":
        p.symlink_to("/dev/zero")
    elif make == "fifo":
        os.mkfifo(p)                # opening it for reading would block: it must not be opened
    elif make == "too big":
        monkeypatch.setattr(reader, "MAX_FILE_BYTES", 1000)
        p.write_text(SHARE.read_text())
    else:
        p.mkdir()
    for argv in (["simulate", str(p)], ["diagram", str(p), "--out", str(tmp_path / "x.dot")],
                 ["export-pacemaker", str(p)]):
        code, _, err = cli_run(argv, capsys)
        one_line_error(code, err)
    with pytest.raises(lk.FileFormatError):
        files.load(p)


def _closed_pipe_run(args) -> subprocess.CompletedProcess:
    """Run ``python -m labkit.cli ARGS`` with standard output a pipe nobody reads (its read
    end is closed before the command writes): every write fails with EPIPE."""
    r, w = os.pipe()
    os.close(r)
    try:
        return subprocess.run([sys.executable, "-m", "labkit.cli", *args], stdout=w, stderr=subprocess.PIPE,
                              text=True, timeout=120)
    finally:
        os.close(w)


@pytest.mark.parametrize("args", [["simulate", str(SHARE), "-e", "crash 1-CURLY"], ["--help"], ["check", "--help"],
                                  ["grade", "--help"], ["make-exercises", "--help"], ["simulate", "--help"],
                                  ["export-pacemaker", str(SHARE)], ["lab", "--dry-run"]])
def test_a_closed_pipe_ends_every_subcommand_quietly(args):
    p = _closed_pipe_run(args)
    assert "Traceback" not in p.stderr and "Broken pipe" not in p.stderr and "BrokenPipe" not in p.stderr, p.stderr
    assert p.returncode in (0, 1, 2)


def test_a_closed_pipe_inside_a_delegated_command(monkeypatch, capsys):
    import labkit.grading as grading

    class Closed:
        def write(self, s):
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")

        def flush(self):
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")

        def fileno(self):
            raise OSError("not a file")

    def noisy(argv):
        for i in range(1000):
            print(f"question {i}: 1/1")
        return 0
    monkeypatch.setattr(grading, "main_check", noisy)
    monkeypatch.setattr(sys, "stdout", Closed())
    assert cli.main(["check", "x.ipynb"]) == 0


@pytest.mark.parametrize("target", ["diagram", "export-pacemaker", "simulate --save"])
def test_outputs_are_written_atomically_on_a_full_disk(tmp_path, capsys, monkeypatch, target):
    out = tmp_path / {"diagram": "c.dot", "export-pacemaker": "cib.xml", "simulate --save": "after.yaml"}[target]
    out.write_text("the old file\n")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(writer.os, "fsync", full)
    argv = {"diagram": ["diagram", str(SHARE), "--out", str(out)],
            "export-pacemaker": ["export-pacemaker", str(SHARE), "--out", str(out)],
            "simulate --save": ["simulate", str(SHARE), "--save", str(out)]}[target]
    code, _, err = cli_run(argv, capsys)
    one_line_error(code, err)
    assert "No space left on device" in err
    assert out.read_text() == "the old file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]      # no temporary file left


def test_outputs_on_a_real_full_tmpfs(tmp_path, capsys):
    """A 64 KiB tmpfs, nearly full: the export does not fit; the old file stays whole."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mnt = tmp_path / "small"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        out = mnt / "cib.xml"
        out.write_text("the old file\n")
        filler = mnt / "filler"
        with open(filler, "wb") as fh:
            try:
                fh.write(b"x" * (60 * 1024))
            except OSError:
                pass
        code, _, err = cli_run(["export-pacemaker", str(ROOT / "examples" / "four_node_5000.yaml"),
                                "--out", str(out)], capsys)
        one_line_error(code, err)
        assert out.read_text() == "the old file\n"
        assert sorted(p.name for p in mnt.iterdir()) == ["cib.xml", "filler"]
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)


def test_written_files_keep_their_permissions(tmp_path):
    out = tmp_path / "lab.yaml"
    out.write_text("x")
    out.chmod(0o640)
    files.save(two_nodes(), out)
    assert (out.stat().st_mode & 0o777) == 0o640
    new = files.save(two_nodes(), tmp_path / "new.yaml")
    assert new.stat().st_mode & 0o044    # readable by others, as open() would make it (umask 022)


# ----------------------------------------------------------------------------- linear time
def test_loading_builds_the_claims_index_once(monkeypatch):
    """Issue 13: _claims_index was rebuilt for every resource during one load. Counted,
    not timed: loading a cluster of any size builds it once."""
    from labkit.cluster.cluster import Cluster
    from labkit.scenarios import service_cluster

    builds = {"n": 0}
    real = Cluster._build_claims

    def counting(self):
        builds["n"] += 1
        return real(self)
    monkeypatch.setattr(Cluster, "_build_claims", counting)
    for groups in (10, 100):
        text = files.dumps(service_cluster(nodes=16, groups=groups))
        builds["n"] = 0
        files.loads(text)
        assert builds["n"] == 1, (groups, builds)


# ------------------------------------------------------- found by the round-trip campaign
def test_evicting_the_only_possible_owner_of_a_resource_is_refused():
    """Found by tests/test_roundtrip_campaign.py: the eviction left a resource with no
    possible owner, a cluster the file format (rightly) refuses."""
    c = two_nodes()
    c.remove_possible_owner("Cluster IP Address", "N2")
    c.crash_node("N1")
    c.run_until_stable()
    e = refused(c, c.evict_node, "N1", err=lk.OwnershipError)
    assert "only possible owner of 'Cluster IP Address'" in str(e)
    round_trip(c)


def test_a_job_scheduled_with_the_wrong_arguments_is_refused():
    """Found by the campaign: schedule() queued a job its handler could not take, and the
    file holding it did not load."""
    c = two_nodes()
    refused(c, c.schedule, 10, "failback_window", ("G1", 2), err=lk.ValidationError)
    c.schedule(10, "failback_window", ("Cluster Group",))
    round_trip(c)


@pytest.mark.parametrize("call", [
    lambda c: ex.set_clients(c, "EXVS1", mapi=Int(3)),
    lambda c: ex.add_storage_group(c, "EXVS1", "SG2", log_disk=Str("Disk L:")),
    lambda c: ex.install(c, "2-moe"),
])
def test_plugin_commands_store_plain_canonical_values(call):
    """Found by the campaign: an int or str subclass, or a name in another case, went into
    the Exchange organisation as given, and the file could not be written or loaded."""
    c = demo_cluster()
    try:
        call(c)
    except lk.LabkitError:
        pass
    round_trip(c)


def test_plugin_numbers_must_be_finite():
    c = demo_cluster()
    refused(c, pr.add_shared_disk, c, "Disk S:", size_gb=float("inf"), err=lk.ValidationError)
    refused(c, pr.add_shared_disk, c, "Disk S:", size_gb=float("nan"), err=lk.ValidationError)


# ---- issue 15: the node's leaving flag is a field, typed; files from before still load
def _stopping_cluster():
    c = lk.Cluster("LAB", ip="10.0.0.100")
    c.add_node("A", ip="10.0.0.1"); c.add_node("B", ip="10.0.0.2"); c.run_until_stable()
    c.stop_node("A")    # A moves the Cluster Group to B first: it is leaving, still Up
    return c


def test_a_leaving_node_saves_its_leaving_field_and_nothing_in_its_properties():
    c = _stopping_cluster()
    assert c.nodes["A"].leaving is lk.Leaving.STOP and c.nodes["A"].properties == {}
    text = files.dumps(c)
    assert '"leaving": "stop"' in text and "_leaving" not in text
    again = files.loads(text)
    assert again.nodes["A"].leaving is lk.Leaving.STOP and files.dumps(again) == text
    again.run_until_stable()
    c.run_until_stable()
    assert files.dumps(again) == files.dumps(c) and c.nodes["A"].down_reason is lk.DownReason.STOPPED


def test_a_file_from_before_the_leaving_field_loads_and_is_saved_with_the_field():
    c = _stopping_cluster()
    text = files.dumps(c)
    old = text.replace('"leaving": "stop"', '"properties": {"_leaving": "stop"}')
    assert old != text
    loaded = files.loads(old)
    assert loaded.nodes["A"].leaving is lk.Leaving.STOP and loaded.nodes["A"].properties == {}
    assert files.dumps(loaded) == text


@pytest.mark.parametrize("change, message", [
    ('"properties": {"_leaving": "go"}', "nodes.A.properties._leaving: expected stop or restart, not 'go'"),
    ('"properties": {"_leaving": "stop"}, "leaving": "stop"', "nodes.A.leaving: given twice"),
    ('"leaving": "Stop"', "nodes.A.leaving: expected one of stop, restart, null, not 'Stop'"),
])
def test_a_bad_leaving_flag_is_refused_with_its_path(change, message):
    text = files.dumps(_stopping_cluster())
    with pytest.raises(lk.FileFormatError, match=message.replace(".", r"\.")):
        files.loads(text.replace('"leaving": "stop"', change))


def test_only_a_running_node_can_be_leaving():
    c = _stopping_cluster()
    c.crash_node("B"); c.run_until_stable()
    text = files.dumps(c).replace('B: {"id": 2, "ip": "10.0.0.2", "state": "Down"',
                                  'B: {"id": 2, "ip": "10.0.0.2", "state": "Down", "leaving": "restart"')
    assert '"leaving": "restart"' in text
    with pytest.raises(lk.FileFormatError, match="only a running node stops or restarts its cluster service"):
        files.loads(text)
