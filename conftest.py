"""Repository-wide pytest set-up: nbval's sanitize file by absolute path, so the
test suite gives the same answer from any working directory."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent
collect_ignore_glob = ["exercises/*", ".venv/*", "benchmarks/*"]


def pytest_configure(config):
    opt = config.option
    if getattr(opt, "nbval_sanitize_with", None) is None and getattr(opt, "sanitize_with", None) is None:
        opt.nbval_sanitize_with = str(ROOT / "tests" / "nbval_sanitize.cfg")


def pytest_terminal_summary(terminalreporter):
    """Print the step counts the property and fault-campaign tests record."""
    lines = []
    for rep in terminalreporter.stats.get("passed", []):
        for name, value in getattr(rep, "user_properties", []):
            if "campaign" in name or "steps" in name or "cases" in name:
                lines.append(f"{rep.nodeid.split('::')[0]}: {name} = {value}")
    if lines:
        terminalreporter.section("labkit campaigns")
        for line in lines:
            terminalreporter.write_line(line)
