"""Every notebook on real screens: one JupyterLab, one headless Chromium, each notebook of
``notebooks/`` run once (Run All, then wait until every code cell has run) at 1366x768,
then measured at 1366x768, 1920x1080 and a 1024x768 projector by resizing the page.

Measured with JavaScript in the page, for each size:

- no widget control is truncated: a button, label, toggle button or dropdown whose text
  is wider than its box (``scrollWidth > clientWidth``; ipywidgets cut such text with an
  ellipsis);
- no output is wider than its output area, unless it sits in a box that scrolls on
  purpose (``overflow-x: auto`` or ``scroll``: wide tables, the log).

Screenshots of the notebook's pictures and widgets go to ``test-artifacts/screens/``
(ignored by git), with ``widths.json``: per notebook and size, the output area's width
and the widest output in it.

Also tried once: a Run All chosen while the kernel is still starting. JupyterLab 4.6
sometimes drops it (nothing runs, nothing says so) and sometimes queues it, depending on
the moment; ``run_all_early.json`` records what happened. That is why every notebook's
first cell says to wait for the kernel; the test then checks that a Run All once the
kernel is ready runs every cell.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import time
from pathlib import Path

import pytest

from _servers import ROOT, Server, free_port, jupyter_env, launch_chromium, playwright_or_skip, venv_tool

NOTEBOOKS = sorted((ROOT / "notebooks").glob(os.environ.get("LABKIT_SCREENS", "*") + ".ipynb"))
OUT = ROOT / "test-artifacts" / "screens"
SIZES = [(1366, 768), (1920, 1080), (1024, 768)]
#: Upper bounds for the waits (seconds) on a busy machine; a normal run needs a fraction.
SERVER_TIMEOUT, RUN_TIMEOUT = 120, 600
#: Screenshots per notebook and size (the first pictures and widgets, in order).
SHOTS = 6

KERNEL_READY = """() => {
  const name = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Toolbar-kernelName');
  const state = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator');
  return !!(name && name.innerText.includes('ipykernel') && state && state.dataset.status === 'idle');
}"""

#: The kernel status the notebook's toolbar shows (None before it is drawn).
KERNEL_STATUS = """() => { const s = document.querySelector(
  '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator'); return s ? s.dataset.status : null; }"""

#: The prompts of the visible notebook: "[ ]:" never ran, "[*]:" running or queued.
PROMPTS = """() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')]
  .map(e => e.innerText.trim())"""

#: What the test measures on the page (see the module docstring).
MEASURE = """() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const out = {truncated: [], overflow: [], area: 0, widest: 0};
  const scrolls = (el, stop) => {
    for (let e = el.parentElement; e && e !== stop; e = e.parentElement) {
      const o = getComputedStyle(e).overflowX;
      if (o === 'auto' || o === 'scroll') return true;
    }
    return false;
  };
  const controls = panel.querySelectorAll(
    '.jp-OutputArea button, .jp-OutputArea .widget-label, .jp-OutputArea .widget-toggle-button, ' +
    '.jp-OutputArea .widget-dropdown select, .jp-OutputArea .widget-checkbox label');
  for (const el of controls) {
    const r = el.getBoundingClientRect();
    if (r.width === 0) continue;
    if (el.scrollWidth > el.clientWidth + 1) {
      out.truncated.push({text: (el.innerText || el.value || '').trim().slice(0, 60), box: el.clientWidth,
                          needs: el.scrollWidth});
    }
  }
  for (const area of panel.querySelectorAll('.jp-OutputArea-output')) {
    const a = area.getBoundingClientRect();
    if (a.width === 0) continue;
    out.area = Math.max(out.area, Math.round(a.width));
    for (const el of area.querySelectorAll('svg, img, table, pre, .widget-box, .widget-html-content')) {
      if (el.closest('svg') && el.tagName.toLowerCase() !== 'svg') continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0) continue;
      out.widest = Math.max(out.widest, Math.round(r.width));
      if (r.right > a.right + 2 && !scrolls(el, area)) {
        out.overflow.push({tag: el.tagName.toLowerCase(), width: Math.round(r.width), area: Math.round(a.width),
                           text: (el.textContent || '').trim().slice(0, 60)});
      }
    }
  }
  return out;
}"""

#: Settings for the test's JupyterLab: every cell in the page (no windowing, so off-screen
#: outputs are measured too) and no pop-ups over the notebook.
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}
#: Clicks and element waits fail after this long (the runs themselves wait up to RUN_TIMEOUT).
CLICK_TIMEOUT = 60
#: A Run All that leaves the kernel idle this long with cells not run has stopped.
STALL = 30


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("screens")
    work = tmp / "work"
    (work / "notebooks").mkdir(parents=True)
    for nb in NOTEBOOKS:   # outputs cleared: a prompt "[ ]:" is a cell that has not run (yet)
        data = json.loads(nb.read_text())
        for c in data["cells"]:
            if c["cell_type"] == "code":
                c["outputs"], c["execution_count"] = [], None
        data["metadata"].pop("widgets", None)
        (work / "notebooks" / nb.name).write_text(json.dumps(data))
    settings = tmp / "settings"
    for rel, value in SETTINGS.items():
        p = settings / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(json.dumps(value))
    port, token = free_port(), secrets.token_hex(16)
    cmd = [venv_tool("jupyter-lab"), "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={work}",
           f"--LabApp.workspaces_dir={tmp / 'workspaces'}", f"--LabApp.user_settings_dir={settings}"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    server = Server("jupyterlab", cmd, cwd=work, env=jupyter_env(tmp), log_dir=tmp)
    try:
        server.wait_http(f"http://127.0.0.1:{port}/api/status?token={token}", SERVER_TIMEOUT)
        yield server, f"http://127.0.0.1:{port}", token, tmp
    finally:
        server.stop()


def _dialog(page) -> str:
    return page.evaluate("() => [...document.querySelectorAll('.jp-Dialog')].map(d => d.innerText).join(' | ')")


def _run_all(page) -> bool:
    """Run > Run All Cells; False when the menu item is disabled."""
    shown = _dialog(page)
    if "Select Kernel" in shown:   # on a busy machine it can come up after _open stopped looking:
        page.locator(".jp-Dialog .jp-mod-accept").click()   # accept the notebook's own kernel, as a learner would
        page.wait_for_function(KERNEL_READY, timeout=RUN_TIMEOUT * 1000)
        shown = _dialog(page)
    assert not shown, f"a dialog is in the way: {shown}"
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    item = page.locator(".lm-Menu-item[data-command='runmenu:run-all']")
    item.wait_for()
    if item.get_attribute("aria-disabled") == "true":
        page.keyboard.press("Escape")
        return False
    item.click()
    return True


def _open(page, base, token, name):
    # ?reset: a fresh workspace, so the notebooks opened before do not open again as tabs
    page.goto(f"{base}/lab/tree/notebooks/{name}?reset&token={token}")
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").first.wait_for()
    # a fresh workspace may ask which kernel to start (its choice is the notebook's own,
    # Python 3): accept it, as a learner would
    for _ in range(20):
        if "Select Kernel" in _dialog(page):
            page.locator(".jp-Dialog .jp-mod-accept").click()
            break
        if page.evaluate(KERNEL_STATUS) not in (None, "", "unknown"):
            break
        page.wait_for_timeout(150)   # poll interval


def _shutdown_kernels(base, token):
    """End the notebooks' sessions and kernels (one kernel at a time on a 2-core machine)."""
    from _servers import http_json
    _, sessions = http_json("GET", f"{base}/api/sessions", token=token)
    for s in sessions or []:
        http_json("DELETE", f"{base}/api/sessions/{s['id']}", token=token)
    _, kernels = http_json("GET", f"{base}/api/kernels", token=token)
    for k in kernels or []:
        http_json("DELETE", f"{base}/api/kernels/{k['id']}", token=token)


ERRORS = """() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output')]
  .filter(e => e.dataset.mimeType === 'application/vnd.jupyter.stderr' || e.querySelector('.jp-RenderedText[data-mime-type="application/vnd.jupyter.error"]'))
  .map(e => e.innerText.slice(0, 400))"""


def _wait_all_ran(page, timeout):
    """Wait until every code cell has run; fail at once on an error output, or when the
    kernel has been idle for STALL seconds with cells still waiting (Run All stopped)."""
    deadline = time.monotonic() + timeout
    idle_since = None
    while time.monotonic() < deadline:
        prompts = page.evaluate(PROMPTS)
        idle = page.evaluate(KERNEL_READY)
        if prompts and all(p not in ("[ ]:", "[*]:") for p in prompts) and idle:
            return prompts
        errors = [e for e in page.evaluate(ERRORS) if "Error" in e or "Traceback" in e]
        if errors:
            pytest.fail(f"a cell failed in the browser: {errors[0]}")
        if idle and "[*]:" not in prompts:
            idle_since = idle_since or time.monotonic()
            if time.monotonic() - idle_since > STALL:
                return None          # Run All stopped: the kernel is idle and cells have not run
        else:
            idle_since = None
        page.wait_for_timeout(250)   # poll interval, not a wait for a guess
    pytest.fail(f"the notebook did not finish running within {timeout} s: {page.evaluate(PROMPTS)}")


def _screenshots(page, stem, size):
    """The first pictures and widgets of the notebook, each scrolled into view."""
    shots = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output:has(svg), "
                         ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output:has(.widget-box)")
    total = shots.count()
    picks = sorted(set(range(min(SHOTS // 2, total))) | set(range(max(total - SHOTS // 2, 0), total)))
    for i in picks:   # the first pictures and the last ones (the widgets come near the end)
        el = shots.nth(i)
        el.scroll_into_view_if_needed()
        page.screenshot(path=str(OUT / f"{stem}_{size[0]}x{size[1]}_{i + 1:02d}.png"))
    return len(picks)


def test_run_all_while_the_kernel_starts_runs_nothing(lab):
    """What the notebooks' first cells warn about: a Run All while the kernel starts may
    run nothing (recorded); once the kernel is ready, Run All runs every cell."""
    sync_playwright = playwright_or_skip()
    _, base, token, tmp = lab
    with sync_playwright() as pw:
        context = launch_chromium(pw, tmp / "chromium-early")
        page = context.pages[0] if context.pages else context.new_page()
        page.set_default_timeout(CLICK_TIMEOUT * 1000)
        try:
            _open(page, base, token, "02_mscs_building_blocks.ipynb")
            status = page.evaluate(KERNEL_STATUS)
            clicked = _run_all(page)
            page.wait_for_function(KERNEL_READY, timeout=RUN_TIMEOUT * 1000)
            page.wait_for_timeout(3000)   # give a queued Run All the time to show itself
            after_early = page.evaluate(PROMPTS)
            # Seen both ways on this machine: with the kernel "initializing" the Run All is dropped
            # (every prompt still "[ ]:"), a moment later it is queued and runs. Recorded, not asserted.
            OUT.mkdir(parents=True, exist_ok=True)
            (OUT / "run_all_early.json").write_text(json.dumps(
                {"kernel status at the click": status, "menu item enabled": clicked,
                 "ran": sum(p not in ("[ ]:", "[*]:") for p in after_early), "cells": len(after_early)}))
            assert _run_all(page)
            prompts = _wait_all_ran(page, RUN_TIMEOUT)
            assert prompts and all(p not in ("[ ]:", "[*]:") for p in prompts), prompts
        finally:
            context.close()
            _shutdown_kernels(base, token)


def test_every_notebook_fits_the_screen_at_three_sizes(lab):
    sync_playwright = playwright_or_skip()
    _, base, token, tmp = lab
    OUT.mkdir(parents=True, exist_ok=True)
    problems, widths, timings, retries = [], {}, {}, {}
    with sync_playwright() as pw:
        context = launch_chromium(pw, tmp / "chromium-profile")
        page = context.pages[0] if context.pages else context.new_page()
        page.set_default_timeout(CLICK_TIMEOUT * 1000)
        try:
            for nb in NOTEBOOKS:
                t0 = time.monotonic()
                page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
                _open(page, base, token, nb.name)
                page.wait_for_function(KERNEL_READY, timeout=RUN_TIMEOUT * 1000)
                assert _run_all(page)
                if _wait_all_ran(page, RUN_TIMEOUT) is None:
                    # seen once on a loaded machine: the kernel idle, the cells after the first not run.
                    # A learner runs Run All again; so does the test, once, and counts it.
                    retries[nb.stem] = 1
                    assert _run_all(page)
                    if _wait_all_ran(page, RUN_TIMEOUT) is None:
                        pytest.fail(f"{nb.name}: Run All stopped twice: {page.evaluate(PROMPTS)}")
                for size in SIZES:
                    page.set_viewport_size({"width": size[0], "height": size[1]})
                    page.wait_for_timeout(400)   # let the layout settle after the resize
                    got = page.evaluate(MEASURE)
                    widths[f"{nb.stem} {size[0]}x{size[1]}"] = {"output area": got["area"], "widest": got["widest"]}
                    for t in got["truncated"]:
                        problems.append(f"{nb.stem} at {size[0]}x{size[1]}: control {t['text']!r} truncated "
                                        f"({t['box']} px for {t['needs']} px)")
                    for o in got["overflow"]:
                        problems.append(f"{nb.stem} at {size[0]}x{size[1]}: {o['tag']} {o['width']} px wide in a "
                                        f"{o['area']} px output area ({o['text']!r})")
                    _screenshots(page, nb.stem, size)
                timings[nb.stem] = round(time.monotonic() - t0, 1)
                _shutdown_kernels(base, token)
        finally:
            context.close()
    (OUT / "widths.json").write_text(json.dumps({"widths": widths, "seconds": timings, "run all again": retries},
                                                     indent=1))
    assert not problems, "\n".join(problems)
