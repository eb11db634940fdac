"""The sandbox a learner's kernel runs in: bubblewrap (``bwrap``, the Debian package
``bubblewrap``) with its own process, network, IPC and host-name namespaces.

What the kernel sees and may do (every point has a test in ``tests/test_grading_sandbox.py``):

- a read-only view of ``/usr`` (and the ``/bin``, ``/lib*`` links), the few ``/etc`` files a
  Python program reads, the Python installation, the virtual environment and labkit -- with
  ``labkit/grading/exercises/`` emptied (only its ``__init__.py``: the checks, which compute
  the expected values, stay outside) and ``labkit/grading/checks.py`` empty. Nothing else of
  the machine: no ``solutions/``, no home folders, not the grader's files;
- a private ``/tmp`` (a ``tmpfs`` of :data:`DEFAULT_DISK_BYTES`), its working folder, and
  ``/run/labkit``, where the kernel's Jupyter channels are Unix sockets (jupyter_client's
  ``ipc`` transport): the grader reaches them through ``/proc/PID/root``, so the sandbox has
  no network at all (``--unshare-net``);
- no file descriptor but 0, 1 and 2 (``/dev/null``): the launcher closes every other one
  before ``ipykernel`` starts, and ``ipykernel`` opens its own channels;
- its own PID namespace (``--unshare-pid``, ``--die-with-parent``): when the grader stops the
  sandbox every process in it dies, so nothing outlives the notebook;
- limits set by the launcher with ``setrlimit``: address space (``RLIMIT_AS``, default
  :data:`DEFAULT_MEMORY_BYTES`), processes and threads (``RLIMIT_NPROC``), no core files.
  ``RLIMIT_NPROC`` does not hold for user id 0, so when the grader runs as root (bwrap is then
  privileged and needs no user namespace) the launcher drops to a fresh unprivileged user id,
  different for every kernel, before the kernel starts; as another user bwrap makes a user
  namespace and the kernel keeps that user's id. Binds are ``nosuid`` and the kernel has no
  capabilities.

>>> Limits().memory == DEFAULT_MEMORY_BYTES == 2 * 2 ** 30
True
>>> Limits(memory=0)
Traceback (most recent call last):
labkit.errors.ValidationError: memory limit must be a whole number of bytes of at least 64 MiB, not 0 [rule: sandbox limits are whole numbers]
"""
from __future__ import annotations

import json
import math
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import ValidationError

DEFAULT_MEMORY_BYTES = 2 * 2 ** 30
#: Processes and threads together (``RLIMIT_NPROC`` counts threads); a kernel uses about 10.
DEFAULT_PROCESSES = 256
#: Size of the sandbox's private ``/tmp`` (its working folder is there).
DEFAULT_DISK_BYTES = 256 * 2 ** 20
#: Where the kernel's channels are inside the sandbox.
CHANNELS = "/run/labkit"
WORKDIR = "/tmp/notebook"
#: The five channel "ports" of the ipc transport: sockets ``CHANNELS/k-1`` .. ``k-5``.
PORTS = {"shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5}
_ETC = ["ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "fonts", "mime.types", "nsswitch.conf",
        "passwd", "group", "alternatives"]


def mib(n: int) -> str:
    """``2147483648`` -> ``"2 GiB"``: how limits are shown to learners.

    >>> mib(2 * 2 ** 30), mib(300 * 2 ** 20)
    ('2 GiB', '300 MiB')
    """
    if n % 2 ** 30 == 0:
        return f"{n // 2 ** 30} GiB"
    return f"{n / 2 ** 20:g} MiB"


@dataclass(frozen=True)
class Limits:
    """What one notebook's kernel may use: ``memory`` (bytes of address space),
    ``processes`` (processes and threads) and ``disk`` (bytes of its ``/tmp``)."""

    memory: int = DEFAULT_MEMORY_BYTES
    processes: int = DEFAULT_PROCESSES
    disk: int = DEFAULT_DISK_BYTES

    def __post_init__(self):
        for name, low, unit in (("memory", 64 * 2 ** 20, "of bytes of at least 64 MiB"),
                                ("processes", 16, "of at least 16"), ("disk", 2 ** 20, "of bytes of at least 1 MiB")):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < low:
                raise ValidationError(f"{name} limit must be a whole number {unit}, not {v!r}",
                                      rule="sandbox limits are whole numbers")


def positive_seconds(name: str, value) -> float:
    """``value`` as a finite, positive number of seconds, else :class:`ValidationError`.

    >>> positive_seconds("timeout", "2.5")
    2.5
    >>> positive_seconds("timeout", "nan")
    Traceback (most recent call last):
    labkit.errors.ValidationError: timeout must be a finite number of seconds above 0, not 'nan' [rule: time limits are finite and positive]
    """
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = math.nan
    if isinstance(value, bool) or not math.isfinite(v) or v <= 0:
        raise ValidationError(f"{name} must be a finite number of seconds above 0, not {value!r}",
                              rule="time limits are finite and positive")
    return v


def _bwrap() -> str | None:
    return shutil.which("bwrap")


@lru_cache(maxsize=1)
def unavailable() -> str | None:
    """Why no sandbox can be had here (one line), or None when bwrap works."""
    exe = _bwrap()
    if exe is None:
        return ("bubblewrap is not installed (Debian package 'bubblewrap': sudo apt-get install bubblewrap; "
                "scripts/setup.sh installs it when run as root)")
    argv = [exe, *_namespaces(), "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "--", "/bin/true"]
    try:
        r = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"bubblewrap could not be run ({e})"
    if r.returncode != 0:
        why = (r.stderr.strip().splitlines() or ["no message"])[-1]
        return (f"bubblewrap cannot make a sandbox here ({why}); user namespaces may be switched off "
                "(sysctl kernel.unprivileged_userns_clone / user.max_user_namespaces)")
    return None


def _namespaces() -> list[str]:
    ns = ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
    if os.geteuid() != 0:  # bwrap unprivileged: a user namespace, and none further inside it
        ns += ["--unshare-user", "--disable-userns"]
    return ns


#: Run first in the sandbox (or, unsandboxed, in the kernel's process) by ``python -I -c``:
#: close every inherited descriptor, set the limits, leave user id 0, become ipykernel.
LAUNCHER = r'''
import os, resource, sys
memory, nproc, uid, conn, cwd = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
os.closerange(3, 1 << 20)
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
if uid >= 0 and os.getuid() == 0:
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
os.chdir(cwd)
os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", "-f", conn,
                          "--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=CRITICAL"])
'''


def _labkit_dir() -> Path:
    return Path(__file__).resolve().parents[1]


def kernel_env(home: str, extra: dict | None = None) -> dict:
    """The kernel's whole environment (nothing of the grader's is passed on)."""
    venv_bin = str(Path(sys.executable).parent)
    env = {"PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin", "HOME": home, "LANG": "C.UTF-8",
           "PYTHONPATH": str(_labkit_dir().parent), "LABKIT_GRADING": "1",
           "PYDEVD_DISABLE_FILE_VALIDATION": "1", "MPLBACKEND": "Agg", "MPLCONFIGDIR": f"{home}/.matplotlib",
           "IPYTHONDIR": f"{home}/.ipython", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "PYTHONDONTWRITEBYTECODE": "1"}
    env.update(extra or {})
    return env


def _ancestors(path: str) -> list[str]:
    parts = Path(path).parts[1:]
    return ["/" + "/".join(parts[:i]) for i in range(1, len(parts))]


def _view(empty_file: str) -> list[str]:
    """bwrap arguments for the read-only view of the machine (``empty_file``: an empty
    file of the grader's, bound over what the kernel must not read)."""
    args: list[str] = []
    made: set[str] = {"/tmp"}       # mounted first (a tmpfs), so a labkit under /tmp stays visible

    def ro(src: str, dest: str | None = None, *, try_: bool = False):
        dest = dest or src
        for d in _ancestors(dest):
            if d not in made and not any(d == m or d.startswith(m + "/") for m in mounted):
                made.add(d)
                args.extend(["--perms", "0755", "--dir", d])
        mounted.append(dest)
        args.extend(["--ro-bind-try" if try_ else "--ro-bind", src, dest])

    mounted: list[str] = []
    ro("/usr")
    for top in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        p = Path("/" + top)
        if p.is_symlink():
            args.extend(["--symlink", os.readlink(p), str(p)])
        elif p.is_dir():
            ro(str(p))
    args.extend(["--perms", "0755", "--dir", "/etc"])
    made.add("/etc")
    for name in _ETC:
        if os.path.lexists(f"/etc/{name}"):
            ro(f"/etc/{name}", try_=True)
    labkit = str(_labkit_dir())
    pythons = {os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix), os.path.abspath(sys.prefix),
               os.path.dirname(os.path.dirname(os.path.realpath(sys.executable)))}
    for p in sorted(pythons):
        if not p.startswith("/usr/") and p != "/usr" and Path(p).is_dir() and not labkit.startswith(p + "/"):
            ro(p)
    if not any(labkit.startswith(p + "/") for p in pythons | {"/usr"}):
        ro(labkit)
    # the expected values stay outside: an empty exercises/ (its __init__ only), an empty checks.py
    exercises = f"{labkit}/grading/exercises"
    args.extend(["--tmpfs", exercises, "--ro-bind", f"{exercises}/__init__.py", f"{exercises}/__init__.py",
                 "--remount-ro", exercises])
    empty = [f"{labkit}/grading/checks.py"] + [str(p) for p in Path(labkit, "grading", "__pycache__").glob("checks.*")]
    for p in empty:
        if os.path.exists(p):
            args.extend(["--ro-bind", empty_file, p])
    return args


class KernelProcess:
    """One kernel: started in the sandbox (or, ``sandboxed=False``, as a plain process),
    with its Jupyter connection, its process tree, CPU time, interrupt and kill."""

    def __init__(self, limits: Limits, *, sandboxed: bool):
        self.limits, self.sandboxed = limits, sandboxed
        self.key = secrets.token_hex(32)
        self._tmp = tempfile.TemporaryDirectory(prefix="labkit-kernel-", ignore_cleanup_errors=True)
        self.kernel_pid: int | None = None
        info = {"transport": "ipc", "ip": f"{CHANNELS}/k", **PORTS, "key": self.key,
                "signature_scheme": "hmac-sha256", "kernel_name": ""}
        if sandboxed:
            self.proc = self._start_sandboxed(info)
        else:
            self.proc = self._start_plain(info)

    # ------------------------------------------------------------------ starting
    def _start_sandboxed(self, info: dict) -> subprocess.Popen:
        uid = 1_000_000 + secrets.randbelow(1_000_000_000) if os.geteuid() == 0 else -1
        r, w = os.pipe()
        os.write(w, json.dumps(info).encode())   # far below a pipe's buffer
        os.close(w)
        empty = os.path.join(self._tmp.name, "empty")
        open(empty, "w").close()
        argv = [_bwrap(), *_namespaces(), "--die-with-parent", "--new-session",
                "--size", str(self.limits.disk), "--perms", "1777", "--tmpfs", "/tmp",
                "--perms", "0777", "--dir", WORKDIR, *_view(empty), "--proc", "/proc", "--dev", "/dev",
                "--size", str(2 ** 20), "--perms", "0777", "--tmpfs", CHANNELS,
                "--perms", "0444", "--ro-bind-data", str(r), f"{CHANNELS}/connection.json",
                "--chdir", WORKDIR, "--clearenv"]
        for k, v in kernel_env("/tmp").items():
            argv.extend(["--setenv", k, v])
        argv += ["--", sys.executable, "-I", "-c", LAUNCHER, str(self.limits.memory), str(self.limits.processes),
                 str(uid), f"{CHANNELS}/connection.json", WORKDIR]
        try:
            return subprocess.Popen(argv, pass_fds=[r], close_fds=True, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        finally:
            os.close(r)

    def _start_plain(self, info: dict) -> subprocess.Popen:
        base = self._tmp.name
        os.makedirs(f"{base}/run", mode=0o700)
        os.makedirs(f"{base}/work", mode=0o700)
        info = dict(info, ip=f"{base}/run/k")
        conn = f"{base}/run/connection.json"
        with open(conn, "w", encoding="utf-8") as f:
            json.dump(info, f)
        return subprocess.Popen([sys.executable, "-I", "-c", LAUNCHER, str(self.limits.memory),
                                 str(self.limits.processes), "-1", conn, f"{base}/work"],
                                env=kernel_env(f"{base}/work"), close_fds=True, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    def find_kernel(self) -> int | None:
        """The kernel's process id (as this process sees it), once it has started."""
        if self.kernel_pid is None:
            if not self.sandboxed:
                self.kernel_pid = self.proc.pid
            else:
                import psutil
                try:
                    for p in psutil.Process(self.proc.pid).children(recursive=True):
                        if p.name() != "bwrap":
                            self.kernel_pid = p.pid
                            break
                except psutil.Error:
                    return None
        return self.kernel_pid

    def connection_info(self) -> dict | None:
        """How to reach the kernel's channels, or None while its sockets are not there yet."""
        pid = self.find_kernel()
        if pid is None:
            return None
        ip = f"/proc/{pid}/root{CHANNELS}/k" if self.sandboxed else f"{self._tmp.name}/run/k"
        try:
            if not all(os.path.exists(f"{ip}-{port}") for port in PORTS.values()):
                return None
        except OSError:
            return None
        return {"transport": "ipc", "ip": ip, **PORTS, "key": self.key, "signature_scheme": "hmac-sha256"}

    # ------------------------------------------------------------------ watching
    def alive(self) -> bool:
        if self.proc.poll() is not None:
            return False
        if self.kernel_pid is None:
            return True
        import psutil
        try:
            return psutil.Process(self.kernel_pid).status() != psutil.STATUS_ZOMBIE
        except psutil.Error:
            return False

    def _tree(self) -> list:
        import psutil
        try:
            root = psutil.Process(self.proc.pid)
            return [root] + root.children(recursive=True)
        except psutil.Error:
            return []

    def cpu_seconds(self) -> float:
        """CPU time used so far by every process of this kernel (its children, those it
        waited for, and the sandbox's own processes included)."""
        import psutil
        total = 0.0
        for p in self._tree():
            try:
                t = p.cpu_times()
            except psutil.Error:
                continue
            total += t.user + t.system + t.children_user + t.children_system
        return total

    def strays(self) -> list[str]:
        """Processes in the sandbox other than the kernel (and bwrap), as "pid name"."""
        import psutil
        out = []
        for p in self._tree()[1:]:
            try:
                if p.pid == self.kernel_pid or p.name() == "bwrap" or p.status() == psutil.STATUS_ZOMBIE:
                    continue
                out.append(f"{p.pid} {p.name()}")
            except psutil.Error:
                continue
        return out

    def interrupt(self) -> None:
        if self.kernel_pid is not None:
            try:
                os.kill(self.kernel_pid, signal.SIGINT)
            except OSError:
                pass

    def kill(self) -> None:
        """Stop the kernel and everything it started (sandboxed: the whole PID namespace)."""
        import psutil
        tree = self._tree()
        if not self.sandboxed:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                pass
        for p in tree:
            try:
                p.kill()
            except psutil.Error:
                pass
        try:
            self.proc.kill()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pass
        _wait_dead(tree, 30.0)
        self._tmp.cleanup()


def _wait_dead(procs: list, timeout: float) -> None:
    """Wait until every process of ``procs`` is gone or a zombie (dead, its parent not
    having reaped it yet: nothing of it runs any more)."""
    import time

    import psutil
    end = time.monotonic() + timeout
    while procs and time.monotonic() < end:
        alive = []
        for p in procs:
            try:
                if p.status() != psutil.STATUS_ZOMBIE:
                    alive.append(p)
            except psutil.Error:
                pass
        procs = alive
        if procs:
            time.sleep(0.02)
