"""Notebooks 00-05 with their check answers filled in: every answer is marked right
(the committed notebooks start unanswered; see tests/_check_answers.py)."""
import pytest

from _check_answers import ANSWERS, run_with_answers

NAMES = [n for n in ANSWERS if n < "06"]


@pytest.mark.parametrize("name", NAMES)
def test_the_check_cell_passes_with_the_answers_filled_in(name, tmp_path):
    out = run_with_answers(name, tmp_path)
    assert out.rstrip().endswith("all correct"), out
    assert "not yet" not in out and "not quite" not in out, out


@pytest.mark.parametrize("name", list(ANSWERS))
def test_the_committed_check_cell_starts_unanswered_and_says_not_yet(name):
    import nbformat

    from _check_answers import ROOT, check_cell_index
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    cell = nb.cells[check_cell_index(nb)]
    out = "".join("".join(o.get("data", {}).get("text/plain", "")) + "".join(o.get("text", "")) for o in cell.outputs)
    assert all(f"{v} = ..." in cell.source.replace("  ", " ") or f"{v} = ..." in cell.source for v in ANSWERS[name])
    assert "not yet" in out and "all correct" not in out
    assert not any(o.get("output_type") == "error" for o in cell.outputs)
