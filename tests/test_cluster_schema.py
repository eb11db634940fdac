"""The published JSON Schema of the cluster file (docs/cluster-file.schema.json) and the
loader agree (issue 13): the schema is the one labkit.files generates from the value kinds the
loader checks with; every example file and every file the campaigns save validates; bad files
are refused by both; whatever the schema refuses, the loader refuses too."""
from __future__ import annotations

import copy
import json
import random
from pathlib import Path

import jsonschema
import pytest
import yaml

import labkit as lk
from labkit import files
from roundtrip import HOSTILE, validator

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "docs" / "cluster-file.schema.json"
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def test_the_published_schema_is_the_generated_one():
    """Regenerate with: .venv/bin/python -m labkit.io --schema > docs/cluster-file.schema.json"""
    assert SCHEMA.read_text() == files.schema_text()


def test_the_schema_is_a_draft_2020_12_schema():
    schema = json.loads(SCHEMA.read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_the_documentation_says_how_editors_use_it():
    doc = (ROOT / "docs" / "cluster-file.md").read_text()
    assert "cluster-file.schema.json" in doc and "yaml.schemas" in doc and "yaml-language-server" in doc


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_file_validates(path):
    data = yaml.safe_load(path.read_text())
    assert not list(validator().iter_errors(data))
    files.from_data(data)


def test_files_of_clusters_in_many_states_validate():
    """The clusters of tests/test_files.py: fresh, mid-failover, partitioned, stopped, Exchange..."""
    from test_files import CLUSTERS
    for name, make in CLUSTERS.items():
        c = make()
        for fmt in ("yaml", "json"):
            data = yaml.safe_load(files.dumps(c, fmt))
            errors = list(validator().iter_errors(data))
            assert not errors, (name, fmt, errors[0].message)


def _share():
    return yaml.safe_load((ROOT / "examples" / "two_node_file_share.yaml").read_text())


def _set(d, where, value):
    target = d
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    return d


BAD = [
    (("cluster", "name"), "NO WAY"),
    (("cluster", "name"), "A" * 16),
    (("cluster", "edition"), "Enterprise"),
    (("cluster", "seed"), -1),
    (("cluster", "seed"), 2 ** 64),
    (("cluster", "clock_ms"), 10 ** 15),
    (("cluster", "running"), "yes"),
    (("cluster", "colour"), "red"),
    (("settings", "missed_heartbeats"), 0),
    (("settings", "node_join_s"), -1),
    (("nodes", "1-CURLY", "id"), 0),
    (("nodes", "1-CURLY", "state"), "Sleeping"),
    (("nodes", "1-CURLY", "incarnation"), 1.5),
    (("nodes", "1-CURLY", "down_reason"), "bored"),
    (("groups", "FILES", "failover_threshold"), 100001),
    (("groups", "FILES", "failover_period_hours"), 0),
    (("groups", "FILES", "failback_window"), [1, 24]),
    (("groups", "FILES", "failback_window"), [1]),
    (("groups", "FILES", "preferred_owners"), "1-CURLY"),
    (("groups", "FILES", "move"), {"reason": "teleport", "target": None}),
    (("resources", "Disk F:", "restart_threshold"), -1),
    (("resources", "Disk F:", "looks_alive_ms"), 5),
    (("resources", "Disk F:", "state"), "Asleep"),
    (("resources", "Disk F:", "properties"), ["F:"]),
    (("resources", "Disk F:", "type"), ""),
    (("resources", "Disk F:", "fault"), "melted"),
    (("resources", "Disk F:", "possible_owners"), ["1-CURLY", "1-CURLY"]),
    (("queue", "seq"), -1),
    (("queue", "jobs"), [[0, 1, "regroup"]]),
    (("log",), [["yesterday", None, "x", "y", ""]]),
    (("end",), "the end"),
    (("version",), 0),
]


@pytest.mark.parametrize("where,value", BAD, ids=[".".join(map(str, w)) + "=" + repr(v)[:20] for w, v in BAD])
def test_a_bad_file_is_refused_by_the_schema_and_the_loader(where, value):
    d = _set(_share(), where, value)
    assert list(validator().iter_errors(d)), "the schema accepts it"
    with pytest.raises(lk.FileFormatError):
        files.from_data(d)


def _leaves(d, path=()):
    if isinstance(d, dict):
        for k, v in d.items():
            yield from _leaves(v, path + (k,))
    elif isinstance(d, list):
        for i, v in enumerate(d[:3]):
            yield from _leaves(v, path + (i,))
    if path:
        yield path


def test_whatever_the_schema_refuses_the_loader_refuses(record_property):
    """Every field of an Exchange cluster set to wrong values: when the schema refuses the
    file, so does the loader (the loader checks more: references and run-time state)."""
    from labkit.exchange import demo_cluster
    c = demo_cluster()
    c.crash_node("1-CURLY")
    c.run(seconds=20)
    data = json.loads(files.dumps(c, "json"))
    rng = random.Random(13)
    plain_hostile = [v for v in HOSTILE if isinstance(v, (int, float, str, list, dict, type(None)))
                     and not (isinstance(v, float) and not -1e308 < v < 1e308)]
    cases = refused_both = 0
    for p in [p for p in _leaves(data) if p[0] != "log"]:
        for wrong in rng.sample([None, "x", -1, 10 ** 12, [], {}, True, "2-MOE", 0.5, "Disk E:", 2 ** 70, ""], 3) + \
                rng.sample(plain_hostile, 1):
            d = copy.deepcopy(data)
            try:
                _set(d, p, json.loads(json.dumps(wrong)))
            except (TypeError, ValueError):
                continue
            cases += 1
            schema_refuses = bool(list(validator().iter_errors(d)))
            try:
                files.from_data(d)
                loader_refuses = False
            except lk.FileFormatError:
                loader_refuses = True
            if schema_refuses:
                assert loader_refuses, (p, wrong)
                refused_both += 1
    record_property("schema agreement cases", cases)
    record_property("schema agreement cases refused by both", refused_both)
    assert cases > 1000 and refused_both > cases // 3
