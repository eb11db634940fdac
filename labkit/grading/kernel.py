"""Run a learner's notebook in a fresh kernel and take its answers out as plain data.

Every code cell runs in a new IPython kernel (a separate process started from the
grader's own Python, so it imports the same installed labkit) with a time limit.
A cell that raises is noted and the next cell runs. A cell that runs past its
limit is interrupted; if the kernel ignores the interrupt or dies, it is killed,
a new kernel replays the cells that had finished (skipping the culprit), and the
notebook carries on -- so a runaway cell costs the answers it was meant to give,
not the rest. Then each answer variable is read with
:data:`labkit.grading.answers.EXTRACT`, one variable a request, each with a limit.

This drives the kernel with ``jupyter_client`` (what nbclient is built on) rather
than nbclient's ``NotebookClient``: that one, told to interrupt on a timeout, waits
for the interrupted cell's reply again and again when the kernel ignores the
interrupt, and has no way to skip a cell and replay the others.

The kernel runs in an empty temporary directory with ``LABKIT_GRADING=1`` in its
environment (so a ``labkit.grading.check()`` cell in the notebook does nothing).
Nothing the kernel writes is read back: the only channel is the answer output.
"""
from __future__ import annotations

import asyncio
import os
import queue
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from time import monotonic

from .answers import MIME, decode, extraction_code

#: How long an interrupted cell gets to stop before its kernel is killed (s).
INTERRUPT_GRACE_S = 3.0
#: After this many kernels had to be killed, the remaining cells are not run.
MAX_KILLED = 4
#: Kernel start-up limit (s).
STARTUP_TIMEOUT_S = 60.0
#: Attempts to start a kernel that dies while starting -- before any cell of the notebook
#: runs, e.g. when another process starting a kernel at the same moment took its TCP port.
STARTUP_ATTEMPTS = 3


def same_labkit_env(**extra) -> dict:
    """This process's environment, with this labkit first on the import path, so child
    processes (workers, kernels) import exactly the labkit the grader runs."""
    from pathlib import Path
    here = str(Path(__file__).resolve().parents[2])
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": here + (os.pathsep + path if path else ""), **extra}


@dataclass
class CellOutcome:
    """What happened to one code cell: ``status`` is "ok", "error", "timeout"
    (interrupted), "killed" (its kernel had to be killed: hung or died) or "not run"."""

    index: int
    status: str
    error: str = ""


@dataclass
class Execution:
    """The outcome of a run: decoded answers by variable name and every cell's outcome."""

    answers: dict[str, dict] = field(default_factory=dict)
    cells: dict[int, CellOutcome] = field(default_factory=dict)


@dataclass
class _Result:
    status: str            # ok, error, timeout, hung, dead
    error: str = ""
    data: list = field(default_factory=list)


class _Kernel:
    """One IPython kernel started from this interpreter."""

    def __init__(self, km, kc):
        self.km, self.kc = km, kc

    @classmethod
    async def start(cls, cwd: str) -> "_Kernel":
        from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
        from jupyter_client.manager import AsyncKernelManager

        class ThisPython(KernelSpecManager):
            def get_kernel_spec(self, kernel_name, *args, **kwargs):
                return KernelSpec(argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                                  display_name="labkit grader", language="python", interrupt_mode="signal",
                                  env={}, metadata={}, resource_dir="")

        km = AsyncKernelManager(kernel_name="labkit-grader", kernel_spec_manager=ThisPython())
        env = same_labkit_env(LABKIT_GRADING="1", PYDEVD_DISABLE_FILE_VALIDATION="1")
        await km.start_kernel(cwd=cwd, env=env, extra_arguments=["--HistoryManager.hist_file=:memory:"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=STARTUP_TIMEOUT_S)
        except BaseException:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)
            raise
        return cls(km, kc)

    @classmethod
    async def start_retrying(cls, cwd: str) -> "_Kernel":
        """:meth:`start`, again (up to :data:`STARTUP_ATTEMPTS` times) while the kernel dies
        starting: no learner code has run yet, so that is the machine's fault, not theirs."""
        for attempt in range(1, STARTUP_ATTEMPTS + 1):
            try:
                return await cls.start(cwd)
            except RuntimeError:            # jupyter_client: "Kernel died before replying to kernel_info"
                if attempt == STARTUP_ATTEMPTS:
                    raise

    async def execute(self, code: str, timeout: float, *, store_history: bool = True) -> _Result:
        msg_id = self.kc.execute(code, store_history=store_history, allow_stdin=False, stop_on_error=False)
        deadline = monotonic() + timeout
        interrupted = False
        error, data = "", []
        while True:
            now = monotonic()
            if now >= deadline:
                if interrupted:
                    return _Result("hung", error, data)
                try:
                    await self.km.interrupt_kernel()
                except Exception:
                    return _Result("hung", error, data)
                interrupted = True
                deadline = now + INTERRUPT_GRACE_S
                continue
            try:
                msg = await self.kc.get_iopub_msg(timeout=min(1.0, deadline - now))
            except queue.Empty:
                if not await self.km.is_alive():
                    return _Result("dead", error, data)
                continue
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "error":
                ename, evalue = content.get("ename", "Error"), content.get("evalue", "")
                error = (f"{ename}: {evalue}" if evalue else str(ename))[:300]
            elif kind == "display_data" and MIME in content.get("data", {}):
                data.append(content["data"][MIME])
            elif kind == "status" and content.get("execution_state") == "idle":
                return _Result("timeout" if interrupted else ("error" if error else "ok"), error, data)

    async def shutdown(self) -> None:
        try:
            self.kc.stop_channels()
        finally:
            try:
                await self.km.shutdown_kernel(now=True)
            except Exception:  # already gone
                pass


async def _run(cells: list[tuple[int, str]], variables: list[str], timeout: float) -> Execution:
    killed: dict[int, CellOutcome] = {}
    stop_after: int | None = None
    with tempfile.TemporaryDirectory(prefix="labkit-grading-", ignore_cleanup_errors=True) as cwd:
        while True:
            kernel = await _Kernel.start_retrying(cwd)
            try:
                out = Execution()
                fatal = None
                for index, source in cells:
                    if index in killed:
                        out.cells[index] = killed[index]
                        continue
                    if stop_after is not None and index > stop_after:
                        out.cells[index] = CellOutcome(index, "not run",
                                                       "earlier cells kept stopping the kernel")
                        continue
                    res = await kernel.execute(source, timeout)
                    if res.status in ("hung", "dead"):
                        why = (f"ran past {timeout:g} s and ignored the interrupt" if res.status == "hung"
                               else "stopped the kernel") + "; it was skipped and the notebook run again"
                        fatal = killed[index] = CellOutcome(index, "killed", why)
                        break
                    out.cells[index] = CellOutcome(index, res.status, res.error if res.status == "error"
                                                   else f"ran past {timeout:g} s and was interrupted"
                                                   if res.status == "timeout" else "")
                if fatal is None:
                    gone = False
                    for name in variables:
                        if gone:  # the kernel is gone: the other answers cannot be read
                            out.answers[name] = {"kind": "unreadable", "type": "?",
                                                 "error": "the kernel stopped while answers were read"}
                            continue
                        res = await kernel.execute(extraction_code(name), min(timeout, 30.0), store_history=False)
                        if res.data:
                            out.answers[name] = decode(res.data[-1])
                        else:
                            out.answers[name] = {"kind": "unreadable", "type": "?",
                                                 "error": "reading it gave nothing back"}
                        gone = res.status in ("hung", "dead")
                    return out
                if len(killed) >= MAX_KILLED:
                    stop_after = fatal.index
            finally:
                await kernel.shutdown()


def run_notebook(cells: list[tuple[int, str]], variables: list[str], *, timeout: float = 60.0) -> Execution:
    """Run ``cells`` (notebook index, source) in a fresh kernel, then read ``variables``.

    Safe to call from inside a running event loop (a Jupyter kernel): the work then
    runs on a helper thread with its own loop."""
    coro = _run(cells, variables, float(timeout))
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()
