"""The interactive prompt of ``labkit cluster FILE``: a Windows 2000 command prompt that
only knows cluster.exe (and labkit's ``run``, ``wait``, ``crash``, ``log``).

History (up and down arrows; kept in ``~/.labkit_cluster_history`` or the file named by
the ``LABKIT_CLUSTER_HISTORY`` environment variable), tab completion of object types,
options and the cluster's names (:mod:`labkit.clusterexe.complete`), ``help``,
``save [FILE]`` and ``exit``. Built on prompt_toolkit (installed with IPython).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from .complete import completions
from .session import Session, print_result, run_safely

PROMPT = "C:\\> "


def history_path() -> Path:
    return Path(os.environ.get("LABKIT_CLUSTER_HISTORY") or Path.home() / ".labkit_cluster_history")


def banner(session: Session, source: str) -> str:
    c = session.lookup(None)
    return (f"labkit cluster.exe on {c.name} ({c.edition}, {len(c.nodes)} nodes) from {source}\n"
            "Simulated: nothing here touches a real cluster. Type a cluster.exe command "
            "(e.g. cluster group), help, or exit.")


def _completer(session: Session):
    from prompt_toolkit.completion import Completer, Completion

    class ClusterCompleter(Completer):
        def get_completions(self, document, complete_event):
            c = session.lookup(None)
            for text, start in completions(c, document.text_before_cursor):
                yield Completion(text, start_position=start)

    return ClusterCompleter()


def interactive(session: Session, *, source: str = "", save_to=None, history=None) -> int:
    """Read, run and print lines until ``exit`` or end of input; with ``save_to`` the
    cluster is saved there when the prompt ends (and by ``save``). Returns an exit code."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    path = history_path() if history is None else history
    try:
        hist = FileHistory(str(path)) if path else InMemoryHistory()
    except OSError:  # pragma: no cover - an unwritable home folder
        hist = InMemoryHistory()
    ps = PromptSession(history=hist, completer=_completer(session), complete_while_typing=False)
    print(banner(session, source), flush=True)
    code = 0
    while True:
        try:
            line = ps.prompt(PROMPT)
        except KeyboardInterrupt:
            continue
        except EOFError:
            break
        word = line.strip().lower()
        if word in ("exit", "quit", "logoff"):
            break
        if word == "save" or word.startswith("save "):
            target = line.strip()[5:].strip() or save_to
            _save(session, target)
            continue
        print_result(run_safely(session, line))
    if save_to:
        code = 0 if _save(session, save_to) else 2
    return code


def _save(session: Session, target) -> bool:
    from .. import io as files
    from ..errors import LabkitError

    if not target:
        print("labkit: save needs a file name (save FILE.yaml), or start with --save", file=sys.stderr, flush=True)
        return False
    try:
        files.save(session.lookup(None), target)
    except (LabkitError, OSError) as e:
        print(f"labkit: cannot save to {target}: {getattr(e, 'detail', None) or e}", file=sys.stderr, flush=True)
        return False
    print(f"labkit: saved to {target}", flush=True)
    return True
