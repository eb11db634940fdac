"""Binder / repo2docker builds the repository as it is, from the files at its top:
runtime.txt, apt.txt, requirements.txt (with labkit itself as ``-e .``), postBuild, and
pyproject.toml. These tests check that those files agree with pyproject.toml and with
each other, and run postBuild against a temporary home folder.

repo2docker's rules used here (its documentation, "Where to put configuration files" and
"Configuration files"; and its Python build pack): a ``binder/`` or ``.binder/`` folder
makes it ignore the files at the top; a requirements line naming a local path (``-e .``)
is installed once the whole repository is in the image; a pyproject.toml with
``[project]`` and ``[build-system]`` is installed too (repo2docker 2025.12 and newer);
runtime.txt ``python-x.y`` chooses Python.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
EXTRAS = ("requirements-e2e.txt", "requirements-dashboard.txt", "requirements-hub.txt", "requirements-site.txt")


def pins(path: Path) -> dict[str, Version]:
    """name -> exact version of a requirements file; fails on any line that is not an
    exact pin (comments, blank lines and the ``-e .`` of labkit itself aside)."""
    out = {}
    for n, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line or line == "-e .":
            continue
        req = Requirement(line)
        specs = list(req.specifier)
        assert len(specs) == 1 and specs[0].operator == "==", f"{path.name}:{n}: not an exact pin: {raw!r}"
        name = canonicalize_name(req.name)
        assert name not in out, f"{path.name}:{n}: {req.name} pinned twice"
        out[name] = Version(specs[0].version)
    return out


def test_pyproject_has_project_and_build_system():
    assert "project" in PYPROJECT and "build-system" in PYPROJECT
    assert PYPROJECT["project"]["name"] == "labkit"
    assert PYPROJECT["build-system"]["build-backend"]


def test_every_pyproject_dependency_has_an_exact_pin_in_its_range():
    pinned = pins(ROOT / "requirements.txt")
    problems = []
    for dep in PYPROJECT["project"]["dependencies"]:
        req = Requirement(dep)
        v = pinned.get(canonicalize_name(req.name))
        if v is None:
            problems.append(f"{req.name}: no pin in requirements.txt")
        elif not req.specifier.contains(v, prereleases=True):
            problems.append(f"{req.name}=={v} is outside pyproject's range {req.specifier}")
    assert not problems, problems


def test_requirements_install_labkit_itself_last():
    lines = [ln.strip() for ln in (ROOT / "requirements.txt").read_text().splitlines()
             if ln.strip() and not ln.startswith("#")]
    assert lines[-1] == "-e ."


def test_no_binder_folder_hides_the_top_level_files():
    assert not (ROOT / "binder").exists() and not (ROOT / ".binder").exists()


def test_apt_txt_holds_graphviz():
    packages = [ln.strip() for ln in (ROOT / "apt.txt").read_text().splitlines()
                if ln.strip() and not ln.startswith("#")]
    assert "graphviz" in packages


def test_runtime_txt_chooses_a_python_that_pyproject_allows():
    m = re.fullmatch(r"python-(\d+\.\d+)", (ROOT / "runtime.txt").read_text().strip())
    assert m, "runtime.txt must read python-x.y"
    assert Version(m.group(1)) in SpecifierSet(PYPROJECT["project"]["requires-python"])
    # the Python CI resolves and tests the pins with
    assert m.group(1) == f"{sys.version_info.major}.{sys.version_info.minor}"


def test_extra_requirements_are_exact_pins_that_agree_with_requirements_txt():
    base = pins(ROOT / "requirements.txt")
    for name in EXTRAS:
        extra = pins(ROOT / name)
        assert extra, name
        clash = {k: (str(v), str(base[k])) for k, v in extra.items() if k in base and base[k] != v}
        assert not clash, f"{name} pins differently from requirements.txt: {clash}"


def test_the_installed_packages_are_consistent():
    out = subprocess.run([sys.executable, "-m", "pip", "check"], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_readme_binder_badge_opens_the_first_notebook():
    text = (ROOT / "README.md").read_text()
    links = re.findall(r"https://mybinder\.org/v2/gh/[^)\s]+", text)
    assert links and "mybinder.org/badge_logo.svg" in text
    for link in links:
        url = urlparse(link)
        assert url.path == "/v2/gh/OWNER/labkit/HEAD"  # placeholder owner, said so in the README
        target = unquote(parse_qs(url.query)["urlpath"][0])
        assert target == "lab/tree/notebooks/00_start_here.ipynb"
        assert (ROOT / target.removeprefix("lab/tree/")).exists()
    assert "OWNER" in text and "placeholder" in text


@pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "jupyter").exists(), reason="needs the .venv of scripts/setup.sh")
def test_postbuild_trusts_the_notebooks_and_silences_the_news(tmp_path):
    from nbformat import read
    from nbformat.sign import NotebookNotary

    assert os.access(ROOT / "postBuild", os.X_OK)
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
    env.update(HOME=str(tmp_path), PATH=f"{ROOT / '.venv' / 'bin'}:{env.get('PATH', '')}")
    out = subprocess.run(["bash", str(ROOT / "postBuild")], cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    data = tmp_path / ".local" / "share" / "jupyter"
    notary = NotebookNotary(db_file=str(data / "nbsignatures.db"), secret_file=str(data / "notebook_secret"))
    for nb_path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert notary.check_signature(read(nb_path, as_version=4)), f"{nb_path.name} is not trusted"
    # the news pop-up is switched off for the environment (sys-prefix), as scripts/setup.sh does
    assert 'jupyter labextension disable "@jupyterlab/apputils-extension:announcements"' in \
        (ROOT / "postBuild").read_text()
    page_config = ROOT / ".venv" / "etc" / "jupyter" / "labconfig" / "page_config.json"
    assert "@jupyterlab/apputils-extension:announcements" in page_config.read_text()
