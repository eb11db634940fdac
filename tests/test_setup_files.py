"""The set-up contract: two commands in the README, CI runs the README's test command."""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_gives_the_two_commands():
    text = (ROOT / "README.md").read_text()
    assert "make lab" in text and "make test" in text


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_make_lab_and_test_share_one_setup_script():
    mk = (ROOT / "Makefile").read_text()
    assert "lab: setup" in mk and "test: setup" in mk and "scripts/setup.sh" in mk


def test_setup_installs_graphviz_and_trusts_notebooks():
    s = (ROOT / "scripts" / "setup.sh").read_text()
    assert "apt-get install -y -q graphviz" in s
    assert "jupyter\" trust" in s
    assert "announcements" in s


def test_lab_runs_as_root_and_opens_the_first_notebook():
    s = (ROOT / "scripts" / "lab.sh").read_text()
    assert "--allow-root" in s and "notebooks/00_start_here.ipynb" in s


def test_sanitize_file_is_found_from_any_directory(pytestconfig):
    path = Path(pytestconfig.option.nbval_sanitize_with)
    assert path.is_absolute() and path.exists()
