"""Notebooks 06-11 with their check answers filled in: every answer is marked right
(the committed notebooks start unanswered; see tests/_check_answers.py)."""
import pytest

from _check_answers import ANSWERS, run_with_answers

NAMES = [n for n in ANSWERS if n >= "06"]


@pytest.mark.parametrize("name", NAMES)
def test_the_check_cell_passes_with_the_answers_filled_in(name, tmp_path):
    out = run_with_answers(name, tmp_path)
    assert out.rstrip().endswith("all correct"), out
    assert "not yet" not in out and "not quite" not in out, out
