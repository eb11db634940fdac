"""The reference cluster ships as a cluster file: examples/four_node_5000.yaml is the
paper's 4-node, 5,000-user cluster exactly as labkit.scenarios.four_node_5000() builds it."""
from pathlib import Path

from labkit import cli, files, scenarios

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "examples" / "four_node_5000.yaml"


def test_the_reference_cluster_file_loads_and_equals_a_fresh_build():
    loaded = files.load(REFERENCE)
    fresh = scenarios.four_node_5000()
    assert loaded.to_dict() == fresh.to_dict()
    assert [str(e) for e in loaded.log] == [str(e) for e in fresh.log]
    assert files.dumps(loaded, "yaml") == REFERENCE.read_text(encoding="utf-8")


def test_the_reference_cluster_file_is_the_papers_design():
    c = files.load(REFERENCE)
    assert (c.name, c.edition, c.node_ids()) == ("FOUR-STOOGES", "Datacenter",
                                                 ["1-CURLY", "2-MOE", "3-LARRY", "4-JERRY"])
    owners = {g: c.groups[g].owner for g in ("EXVS1", "EXVS2", "EXVS3", "EXVS4")}
    assert owners == {"EXVS1": "1-CURLY", "EXVS2": "2-MOE", "EXVS3": "3-LARRY", "EXVS4": "4-JERRY"}
    assert c.is_stable() and all(str(g.state) == "Online" for g in c.groups.values())


def test_the_reference_cluster_file_drives_labkit_simulate(capsys):
    assert cli.main(["simulate", str(REFERENCE), "--event", "crash 1-CURLY", "--brief"]) == 0
    out = capsys.readouterr().out
    assert "EXVS1" in out and "1-CURLY" in out
