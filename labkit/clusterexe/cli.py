"""``labkit cluster FILE [COMMAND ...]``: cluster.exe on a saved cluster.

::

    labkit cluster FILE group EXVS1 /moveto:2-MOE          one command, typed as after "cluster"
    labkit cluster FILE -c "node 1-CURLY /pause" -c "group EXVS1 /move" --save
    labkit cluster FILE < drill.cmd                         one command a line (a script)
    labkit cluster FILE                                     an interactive prompt (history, Tab, help)

``--save`` writes the cluster back into FILE, ``--save OUT`` into OUT (YAML or JSON
after its extension), in one step (a temporary file, then ``os.replace``), and only
when every command succeeded. The commands run in order, as cmd.exe runs a .cmd
script: a refused one prints its error on standard error and the next one runs; the
exit code is then 2 (1 is never used here).
"""
from __future__ import annotations

import sys

USAGE = "labkit cluster FILE [COMMAND WORDS ...] [-c LINE ...] [--save [OUT]]"
_CLUSTER_EXTS = (".yaml", ".yml", ".json")


class CommandLineError(Exception):
    """A usage error of ``labkit cluster`` (one line, exit code 2)."""


def argv_to_line(words: list[str]) -> str:
    """Re-quote shell words into one cluster.exe line (the shell took the quotes off).

    >>> argv_to_line(["res", "Disk Q:", "/type:IP Address", "Description=my disk"])
    'res "Disk Q:" /type:"IP Address" Description="my disk"'
    """
    out = []
    for w in words:
        if not any(ch.isspace() for ch in w) or '"' in w:
            out.append(w)
        elif w.startswith("/") and ":" in w:
            head, value = w.split(":", 1)
            out.append(f'{head}:"{value}"')
        elif "=" in w and not w.startswith("="):
            head, value = w.split("=", 1)
            out.append(f'{head}="{value}"')
        else:
            out.append(f'"{w}"')
    return " ".join(out)


def split_args(rest: list[str]) -> tuple[list[str], list[str], object]:
    """(command words, -c lines, save target: None, True for FILE, or a path)."""
    words, lines, save = [], [], None
    i = 0
    while i < len(rest):
        a = rest[i]
        if a == "--":
            words.extend(rest[i + 1:])
            break
        if a in ("-c", "--command"):
            if i + 1 >= len(rest):
                raise CommandLineError(f"labkit cluster: error: {a} needs a command line after it")
            lines.append(rest[i + 1])
            i += 2
            continue
        if a.startswith("--command="):
            lines.append(a.split("=", 1)[1])
        elif a == "--save" or a.startswith("--save="):
            if save is not None:
                raise CommandLineError("labkit cluster: error: --save is given twice")
            if "=" in a:
                save = a.split("=", 1)[1]
            elif i + 1 < len(rest) and rest[i + 1].lower().endswith(_CLUSTER_EXTS):
                save = rest[i + 1]
                i += 1
            else:
                save = True
        elif a.startswith("--"):
            raise CommandLineError(f"labkit cluster: error: unrecognized option {a} (usage: {USAGE})")
        else:
            words.append(a)
        i += 1
    return words, lines, save


def main(clusterfile: str, rest: list[str]) -> int:
    """Run ``labkit cluster``; return the exit code (labkit.cli turns errors into one line)."""
    from .. import io as files
    from .session import Session

    words, lines, save = split_args(rest)
    target = clusterfile if save is True else save
    if target is not None and not str(target).lower().endswith(_CLUSTER_EXTS):
        raise CommandLineError(f"labkit cluster: error: --save {target}: a cluster file's name ends in .yaml, .yml "
                               "or .json")
    cluster = files.load(clusterfile)
    session = Session(cluster)
    if words:
        lines.append(argv_to_line(words))
    if not lines:
        if sys.stdin is not None and sys.stdin.isatty():
            from .prompt import interactive
            return interactive(session, source=clusterfile, save_to=target)
        lines = sys.stdin.read().splitlines() if sys.stdin is not None else []
    from .session import is_comment, print_result

    refused, commands = 0, sum(1 for line in lines if not is_comment(line))
    for line in lines:
        result = session.run(line)
        print_result(result)
        refused += not result.ok
    if refused:
        if commands > 1 or target is not None:
            print(f"labkit: {refused} of {commands} command{'s' if commands != 1 else ''} refused"
                  + (f"; nothing saved ({target} is unchanged)" if target is not None else ""), file=sys.stderr,
                  flush=True)
        return 2
    if target is not None:
        files.save(cluster, target)
        print(f"labkit: saved to {target}", flush=True)
    return 0
