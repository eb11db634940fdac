"""Repository-wide pytest set-up: nbval's sanitize file by absolute path, so the
test suite gives the same answer from any working directory."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent
collect_ignore_glob = ["exercises/*", ".venv/*", "benchmarks/*"]


def pytest_configure(config):
    opt = config.option
    if getattr(opt, "nbval_sanitize_with", None) is None and getattr(opt, "sanitize_with", None) is None:
        opt.nbval_sanitize_with = str(ROOT / "tests" / "nbval_sanitize.cfg")
