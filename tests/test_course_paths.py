"""The instructor's paths (docs/instructor/paths.yml and the pages that show them): their
minutes are computed from the notebooks' and exercises' own headers at test time, and the
pages must state exactly that -- so a notebook whose minutes change makes a stale page fail
here until `python scripts/course_paths.py --write` is run and the result reviewed."""
from __future__ import annotations

import json
import shutil

import pytest
import yaml

from _course import INSTRUCTOR, ROOT, script

cp = script("course_paths")


@pytest.fixture(scope="module")
def plans():
    return cp.load(ROOT)


def test_every_path_page_states_what_the_notebooks_give(plans):
    pages = cp.pages(ROOT)
    assert {p.name for p in pages} >= {"one-day.md", "half-day.md", "self-paced.md"}
    stale = [p.name for p in pages if cp.render(p.read_text(encoding="utf-8"), plans, ROOT) != p.read_text(encoding="utf-8")]
    assert not stale, f"out of date (run python scripts/course_paths.py --write): {stale}"


def test_every_path_fits_its_length(plans):
    for p in plans.values():
        lo, hi = p.limits
        assert lo <= p.total <= hi, f"{p.title}: {p.total} min, outside {lo}-{hi}"
    assert 330 <= plans["one-day"].total <= 390            # "about 6 hours with breaks"
    assert plans["one-day"].breaks >= 60                   # a lunch and two breaks
    assert 165 <= plans["half-day"].total <= 195           # "about 3 hours"


def test_the_self_paced_course_is_the_whole_chain(plans):
    notebooks, exercises = cp.chain(ROOT)
    full = plans["self-paced"]
    assert full.teach == sum(nb.teach for nb in notebooks.values())
    practice = sum(ex.practise for ex in exercises.values()) + sum(
        nb.practise for k, nb in notebooks.items() if k not in exercises)
    assert full.practise == practice
    assert [b.label for b in full.blocks] == [nb.title for nb in notebooks.values()]


def test_the_shorter_paths_name_what_they_skip(plans):
    for key in ("one-day", "half-day"):
        for b in plans[key].blocks:
            if b.kind == "notebook":
                assert b.notes, f"{key}: {b.label} says nothing about what to skip"
    one_day = yaml.safe_load((INSTRUCTOR / "paths.yml").read_text())["one-day"]
    assert any(item.get("skip_sections") for item in one_day["blocks"] if "notebook" in item)
    assert any(isinstance(item.get("exercise"), list) for item in one_day["blocks"] if "notebook" in item)


def _copy(tmp_path):
    root = tmp_path / "repo"
    for d in ("notebooks", "exercises", "docs"):
        shutil.copytree(ROOT / d, root / d)
    return root


def _set_teach(root, key, minutes):
    nb_path = next((root / "notebooks").glob(f"{key}_*.ipynb"))
    nb = json.loads(nb_path.read_text())
    src = "".join(nb["cells"][0]["source"])
    nb["cells"][0]["source"] = cp.TEACH_RE.sub(lambda m: f"*Teach: {minutes} minutes · Practise: {m.group(2)} minutes*", src, 1)
    nb_path.write_text(json.dumps(nb))


def test_a_notebook_whose_minutes_change_makes_the_pages_stale(tmp_path):
    """The minutes are read from the notebook, not copied: change 07's Teach minutes in a
    copy and the one-day page no longer matches until it is rewritten."""
    root = _copy(tmp_path)
    before = cp.load(root)["one-day"].total
    _set_teach(root, "07", 90)
    plans = cp.load(root)
    assert plans["one-day"].total > before
    page = root / "docs" / "instructor" / "one-day.md"
    text = page.read_text()
    assert cp.render(text, plans, root) != text
    page.write_text(cp.render(text, plans, root))
    assert cp.render(page.read_text(), plans, root) == page.read_text()


def test_a_path_naming_a_section_or_question_that_does_not_exist_is_refused(tmp_path):
    root = _copy(tmp_path)
    paths = root / "docs" / "instructor" / "paths.yml"
    spec = yaml.safe_load(paths.read_text())
    spec["half-day"]["blocks"][1]["skip_sections"] = [99]
    paths.write_text(yaml.safe_dump(spec))
    with pytest.raises(cp.PathError, match="no section 99"):
        cp.load(root)
    spec["half-day"]["blocks"][1] = {"notebook": "02", "exercise": [42]}
    paths.write_text(yaml.safe_dump(spec))
    with pytest.raises(cp.PathError, match="no question 42"):
        cp.load(root)


def test_a_skipped_exercise_question_takes_its_points_share():
    notebooks, exercises = cp.chain(ROOT)
    ex = exercises["02"]
    one = cp.plan("t", {"title": "t", "limits": [0, 999], "blocks": [{"notebook": "02", "exercise": [1]}]},
                  notebooks, exercises)
    assert one.practise == round(ex.practise * ex.question(1).points / ex.points)
