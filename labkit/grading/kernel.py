"""Run a learner's notebook in a fresh, sandboxed kernel and take its answers out as plain data.

Every code cell runs in a new IPython kernel started in the sandbox of
:mod:`labkit.grading.sandbox` (bubblewrap: read-only labkit and Python, no network, its
own process namespace, memory and process limits) and reached over jupyter_client's
``ipc`` transport. A cell that raises is noted and the next cell runs.

Time limits count what the learner's code costs, not how busy the machine is:

- each cell may use ``timeout`` seconds of **CPU time** (the kernel and every process it
  started, measured with psutil from outside the sandbox), with a generous wall-clock
  ceiling (``wall_timeout``, by default ten times that) for a cell that sleeps or blocks;
- the whole notebook -- kernel start-ups, every cell and replays -- gets ``notebook_timeout``
  seconds of wall-clock time (default 10 min, some twenty times what the slowest solution
  needs on a machine oversubscribed 2x); reading the answers then gets at most
  :data:`EXTRACT_TOTAL_S` more.

A cell that runs past its limit is interrupted; if the kernel ignores the interrupt, dies,
or the cell leaves processes running, the sandbox is stopped (everything in it dies), a
new kernel replays the cells that had finished (skipping the culprit), and the notebook
carries on -- so a runaway cell costs the answers it was meant to give, not the rest.
Then each answer variable is read with :data:`labkit.grading.answers.EXTRACT`, one
variable a request, each with a limit.

This drives the kernel with ``jupyter_client`` (what nbclient is built on) rather
than nbclient's ``NotebookClient``: that one, told to interrupt on a timeout, waits
for the interrupted cell's reply again and again when the kernel ignores the
interrupt, and has no way to skip a cell and replay the others.

The kernel runs with ``LABKIT_GRADING=1`` in its environment (so a
``labkit.grading.check()`` cell in the notebook does nothing). Nothing the kernel writes
is read back: the only channel is the answer output.
"""
from __future__ import annotations

import asyncio
import os
import queue
from dataclasses import dataclass, field
from enum import StrEnum
from time import monotonic

from .answers import MIME, decode, extraction_code
from .sandbox import Limits, KernelProcess, mib

#: How long an interrupted cell gets to stop before its kernel is killed (s, wall clock).
INTERRUPT_GRACE_S = 10.0
#: After this many kernels had to be killed, the remaining cells are not run.
MAX_KILLED = 4
#: Kernel start-up limit (s, wall clock; before any learner code runs).
STARTUP_TIMEOUT_S = 180.0
#: Attempts to start a kernel that dies while starting -- before any cell of the notebook runs.
STARTUP_ATTEMPTS = 3
DEFAULT_TIMEOUT_S = 60.0
DEFAULT_NOTEBOOK_TIMEOUT_S = 600.0
#: The wall-clock ceiling of a cell is this many times its CPU-time limit, unless given.
WALL_FACTOR = 10.0
#: CPU seconds at most for reading one answer.
EXTRACT_TIMEOUT_S = 30.0
#: Wall-clock seconds for reading all the answers, after the notebook's own time.
EXTRACT_TOTAL_S = 120.0


def same_labkit_env(**extra) -> dict:
    """This process's environment, with this labkit first on the import path, so child
    processes (workers) import exactly the labkit the grader runs."""
    from pathlib import Path
    here = str(Path(__file__).resolve().parents[2])
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": here + (os.pathsep + path if path else ""), **extra}


class CellStatus(StrEnum):
    """What happened to one code cell of a graded notebook."""

    OK = "ok"
    ERROR = "error"          # it raised
    TIMEOUT = "timeout"      # interrupted at its time limit
    HUNG = "hung"            # (while running) it ignored the interrupt: the kernel is killed
    DEAD = "dead"            # (while running) the kernel died under it
    KILLED = "killed"        # its kernel had to be killed: it hung, died, or left processes behind
    NOT_RUN = "not run"      # the notebook reached its time limit first


@dataclass
class CellOutcome:
    """What happened to one code cell (:class:`CellStatus`; ``error`` says more)."""

    index: int
    status: CellStatus
    error: str = ""


@dataclass
class Execution:
    """The outcome of a run: decoded answers by variable name and every cell's outcome."""

    answers: dict[str, dict] = field(default_factory=dict)
    cells: dict[int, CellOutcome] = field(default_factory=dict)



@dataclass
class _Result:
    status: CellStatus     # ok, error, timeout, hung, dead
    error: str = ""
    data: list = field(default_factory=list)
    why: str = ""          # what stopped it: "cpu", "wall" or "notebook" (a limit), else ""


class _Kernel:
    """One IPython kernel in its sandbox (:class:`~labkit.grading.sandbox.KernelProcess`)."""

    def __init__(self, proc: KernelProcess, kc):
        self.proc, self.kc = proc, kc

    @classmethod
    async def start(cls, limits: Limits, sandboxed: bool) -> "_Kernel":
        from jupyter_client.asynchronous import AsyncKernelClient
        proc = KernelProcess(limits, sandboxed=sandboxed)
        kc = None
        try:
            t0 = monotonic()
            while (info := proc.connection_info()) is None:
                if not proc.alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if monotonic() - t0 > STARTUP_TIMEOUT_S:
                    raise RuntimeError(f"the kernel did not start within {STARTUP_TIMEOUT_S:g} s")
                await asyncio.sleep(0.05)
            kc = AsyncKernelClient()
            kc.load_connection_info(info)
            # no heartbeat channel: its thread can block for ever on a kernel whose sockets a cell
            # broke, and the sandbox's processes say better whether the kernel is alive
            kc.start_channels(hb=False)
            await _wait_for_ready(kc, proc, t0 + STARTUP_TIMEOUT_S)
        except BaseException:
            proc.kill()
            if kc is not None:
                kc.stop_channels()
            raise
        return cls(proc, kc)

    @classmethod
    async def start_retrying(cls, limits: Limits, sandboxed: bool) -> "_Kernel":
        """:meth:`start`, again (up to :data:`STARTUP_ATTEMPTS` times) while the kernel dies
        starting: no learner code has run yet, so that is the machine's fault, not theirs."""
        for attempt in range(1, STARTUP_ATTEMPTS + 1):
            try:
                return await cls.start(limits, sandboxed)
            except RuntimeError:
                if attempt == STARTUP_ATTEMPTS:
                    raise

    async def execute(self, code: str, cpu_limit: float, wall_limit: float, deadline: float, *,
                      store_history: bool = True) -> _Result:
        """Run ``code``; interrupt it past ``cpu_limit`` CPU seconds, ``wall_limit`` wall
        seconds or the notebook's ``deadline`` (a ``monotonic()`` time)."""
        msg_id = self.kc.execute(code, store_history=store_history, allow_stdin=False, stop_on_error=False)
        t0 = last = monotonic()
        cpu0 = self.proc.cpu_seconds()
        why, grace_end = "", 0.0
        error, data = "", []
        while True:
            now = monotonic()
            if not why and now - last >= 0.5:
                last = now
                if self.proc.cpu_seconds() - cpu0 >= cpu_limit:
                    why = "cpu"
                elif now - t0 >= wall_limit:
                    why = "wall"
                elif now >= deadline:
                    why = "notebook"
                if why:
                    self.proc.interrupt()
                    grace_end = now + INTERRUPT_GRACE_S
            elif why and now >= grace_end:
                return _Result(CellStatus.HUNG, error, data, why)
            try:
                msg = await self.kc.get_iopub_msg(timeout=0.5)
            except queue.Empty:
                if not self.proc.alive():
                    return _Result(CellStatus.DEAD, error, data, why)
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
                status = CellStatus.TIMEOUT if why else (CellStatus.ERROR if error else CellStatus.OK)
                return _Result(status, error, data, why)

    async def shutdown(self) -> None:
        if self.kc is None:
            return
        kc, self.kc = self.kc, None
        try:
            await asyncio.to_thread(self.proc.kill)     # first: nothing is left to answer a channel
        finally:
            kc.stop_channels()


async def _wait_for_ready(kc, proc: KernelProcess, deadline: float) -> None:
    """Wait until the kernel answers ``kernel_info`` and its IOPub channel delivers (ZeroMQ
    subscribers join late); RuntimeError when it dies or ``deadline`` passes first."""
    while True:
        msg_id = kc.kernel_info()
        try:
            reply = await kc.get_shell_msg(timeout=1.0)
        except queue.Empty:
            reply = None
        if reply is not None and reply.get("parent_header", {}).get("msg_id") == msg_id:
            try:
                await kc.get_iopub_msg(timeout=0.5)
            except queue.Empty:
                pass
            else:
                break
        if not proc.alive():
            raise RuntimeError("Kernel died before replying to kernel_info")
        if monotonic() > deadline:
            raise RuntimeError(f"the kernel did not answer within {STARTUP_TIMEOUT_S:g} s")
    while True:            # what the kernel published while starting
        try:
            await kc.get_iopub_msg(timeout=0.2)
        except queue.Empty:
            return


@dataclass
class Budget:
    """The time limits of one notebook run (see the module docstring)."""

    timeout: float = DEFAULT_TIMEOUT_S
    wall_timeout: float | None = None
    notebook_timeout: float = DEFAULT_NOTEBOOK_TIMEOUT_S

    @property
    def wall(self) -> float:
        return self.wall_timeout if self.wall_timeout is not None else WALL_FACTOR * self.timeout

    def why(self, why: str, *, ignored: bool = False) -> str:
        """How a limit that stopped a cell is told to the learner."""
        if why == "cpu":
            text = f"used more than {self.timeout:g} s of CPU time"
        elif why == "wall":
            text = f"ran past {self.wall:g} s (wall clock) without finishing"
        else:
            text = f"reached the notebook's time limit of {_duration(self.notebook_timeout)} (all cells and replays)"
        return text + (" and ignored the interrupt" if ignored else " and was interrupted")


def _duration(s: float) -> str:
    return f"{s / 60:g} min" if s >= 60 and s % 60 == 0 else f"{s:g} s"


def memory_note(error: str, limits: Limits) -> str:
    """A MemoryError told as the limit it is."""
    if error.startswith("MemoryError"):
        return f"reached the memory limit of {mib(limits.memory)} (MemoryError)"
    return error


async def _run(cells: list[tuple[int, str]], variables: list[str], budget: Budget, limits: Limits,
               sandboxed: bool) -> Execution:
    killed: dict[int, CellOutcome] = {}
    stop_after: int | None = None
    deadline = monotonic() + budget.notebook_timeout
    while True:
        kernel = await _Kernel.start_retrying(limits, sandboxed)
        try:
            out, fatal, over = await _run_cells(kernel, cells, killed, stop_after, budget, limits, deadline)
            if fatal is None:
                return await _read_answers(kernel, out, variables, over, budget, deadline)
            if len(killed) >= MAX_KILLED:
                stop_after = fatal.index
        finally:
            await kernel.shutdown()


async def _run_cells(kernel: _Kernel, cells: list[tuple[int, str]], killed: dict[int, CellOutcome],
                     stop_after: int | None, budget: Budget, limits: Limits,
                     deadline: float) -> tuple[Execution, CellOutcome | None, bool]:
    """One run of the notebook's cells in ``kernel``, skipping the ones ``killed`` before: the
    outcomes, the cell that stopped this run to be replayed without it (or None), and whether
    the notebook's time limit was reached."""
    out = Execution()
    fatal = None
    over = False          # the notebook's time limit is reached: no more cells
    for index, source in cells:
        if index in killed:
            out.cells[index] = killed[index]
            continue
        if over or (stop_after is not None and index > stop_after):
            out.cells[index] = CellOutcome(index, CellStatus.NOT_RUN, "the notebook reached its time limit first"
                                           if over else "earlier cells kept stopping the kernel")
            continue
        res = await kernel.execute(source, budget.timeout, budget.wall, deadline)
        over = res.why == "notebook"
        if res.status in (CellStatus.HUNG, CellStatus.DEAD):
            why = (budget.why(res.why, ignored=True) if res.status is CellStatus.HUNG else "stopped the kernel")
            if over:   # no replay: the time is up
                out.cells[index] = CellOutcome(index, CellStatus.KILLED, why)
                break
            fatal = killed[index] = CellOutcome(index, CellStatus.KILLED,
                                                why + "; it was skipped and the notebook run again")
            break
        strays = kernel.proc.strays()
        if strays and not over:
            fatal = killed[index] = CellOutcome(
                index, CellStatus.KILLED, f"left {len(strays)} process(es) running; it was skipped and the "
                                 "notebook run again without it")
            break
        if res.status is CellStatus.TIMEOUT:
            error = budget.why(res.why)
        else:
            error = memory_note(res.error, limits) if res.status is CellStatus.ERROR else ""
        out.cells[index] = CellOutcome(index, res.status, error)
    return out, fatal, over


async def _read_answers(kernel: _Kernel, out: Execution, variables: list[str], over: bool, budget: Budget,
                        deadline: float) -> Execution:
    """Read each answer variable from the kernel after the cells ran (each within its own
    limit); none when the kernel is dead or still busy."""
    if over and kernel.proc.strays() or not kernel.proc.alive():
        await kernel.shutdown()       # answers cannot be read from a dead or busy sandbox
        for name in variables:
            out.answers[name] = {"kind": "unreadable", "type": "?",
                                 "error": "the kernel stopped before the answers were read"}
        return out
    gone = False
    reading_ends = max(deadline, monotonic()) + EXTRACT_TOTAL_S
    for name in variables:
        if gone:  # the kernel is gone: the other answers cannot be read
            out.answers[name] = {"kind": "unreadable", "type": "?",
                                 "error": "the kernel stopped while answers were read"}
            continue
        cpu = min(budget.timeout, EXTRACT_TIMEOUT_S)
        res = await kernel.execute(extraction_code(name), cpu, min(budget.wall, WALL_FACTOR * cpu),
                                   reading_ends, store_history=False)
        if res.data:
            out.answers[name] = decode(res.data[-1])
        else:
            out.answers[name] = {"kind": "unreadable", "type": "?",
                                 "error": "reading it gave nothing back"}
        gone = res.status in (CellStatus.HUNG, CellStatus.DEAD)
    return out


def run_notebook(cells: list[tuple[int, str]], variables: list[str], *, timeout: float = DEFAULT_TIMEOUT_S,
                 wall_timeout: float | None = None, notebook_timeout: float = DEFAULT_NOTEBOOK_TIMEOUT_S,
                 limits: Limits | None = None, sandboxed: bool = True) -> Execution:
    """Run ``cells`` (notebook index, source) in a fresh kernel, then read ``variables``.

    ``sandboxed=False`` runs the kernel as a plain process (with the same limits where the
    operating system enforces them without a sandbox). Safe to call from inside a running
    event loop (a Jupyter kernel): the work then runs on a helper thread with its own loop."""
    coro = _run(cells, variables, Budget(float(timeout), wall_timeout, float(notebook_timeout)),
                limits or Limits(), sandboxed)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()
