"""Repository-wide pytest set-up: nbval's sanitize file by absolute path, so the
test suite gives the same answer from any working directory."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent
collect_ignore_glob = ["exercises/*", ".venv/*", "benchmarks/*"]


def _retrying_kernel_start():
    """Kernels started by two test workers at once occasionally die before answering
    kernel_info (a port race in jupyter_client); nbval then fails every cell of the
    notebook. Start again, up to three times, before giving up."""
    try:
        from nbval import kernel as nbk
    except ImportError:  # pragma: no cover - nbval is a test dependency
        return
    if getattr(nbk.start_new_kernel, "_labkit_retry", False):
        return
    first = nbk.start_new_kernel

    def start_new_kernel(*args, **kwargs):
        for attempt in range(3):
            try:
                return first(*args, **kwargs)
            except RuntimeError:
                if attempt == 2:
                    raise

    start_new_kernel._labkit_retry = True
    nbk.start_new_kernel = start_new_kernel


def pytest_configure(config):
    _retrying_kernel_start()
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
