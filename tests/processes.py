"""Real `tocds` processes for end-to-end tests: started, killed, restarted, their logs kept.

    group = Processes(tmp_path, {"TOCDS_DATABASE_URL": db_url})
    bot = group.start("run", TOCDS_TELEGRAM_TOKEN=..., TOCDS_TELEGRAM_API_URL=...)
    bot.kill()      # kill -9: no cleanup, as a crash or the OOM killer does it
    bot.start()     # the same command again, appending to the same log
    group.stop()    # terminate() whatever still runs (a fixture's finalizer)
    print(group.logs())

Every process gets a clean environment (no TOCDS_* variable of the caller, no `.env`:
the working directory is a fresh folder) plus what the test gives it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

TOCDS = Path(sys.executable).parent / "tocds"  # the console script beside this Python


def clean_env(**values: str | None) -> dict[str, str]:
    """The caller's environment without TOCDS_* variables, plus `values` (None: left out)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOCDS_")}
    env.update({k: v for k, v in values.items() if v is not None})
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate: Callable[[], object], timeout: float = 10, what: str = "",
               interval: float = 0.05, describe: Callable[[], str] | None = None):
    """Polls `predicate` until it returns something true, which is returned; AssertionError on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() >= deadline:
            detail = f"\n{describe()}" if describe else ""
            raise AssertionError(f"timed out after {timeout} s waiting for {what or predicate!r}{detail}")
        time.sleep(interval)


class TocdsProcess:
    """One `tocds <args>` process; stderr (and stdout) go to `log_path`."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path, log_path: Path):
        self.args = args
        self.env = env
        self.cwd = cwd
        self.log_path = log_path
        self.popen: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> TocdsProcess:
        assert not self.alive, "already running"
        self.starts += 1
        with open(self.log_path, "a", encoding="utf-8") as log:
            log.write(f"----- start #{self.starts}: tocds {' '.join(self.args)}\n")
            log.flush()
            self.popen = subprocess.Popen(
                [str(TOCDS), *self.args], env=self.env, cwd=self.cwd,
                stdin=subprocess.DEVNULL, stdout=log, stderr=log,
            )
        return self

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    @property
    def returncode(self) -> int | None:
        return None if self.popen is None else self.popen.poll()

    def kill(self) -> None:
        """kill -9, and reap it."""
        if self.alive:
            os.kill(self.popen.pid, signal.SIGKILL)
        if self.popen is not None:
            self.popen.wait(timeout=10)

    def terminate(self, timeout: float = 10) -> None:
        if not self.alive:
            return
        self.popen.terminate()
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""


class Processes:
    """The processes of one test, stopped together."""

    def __init__(self, cwd: Path, env: dict[str, str | None]):
        self.cwd = cwd
        self.env = env
        self.started: list[TocdsProcess] = []

    def start(self, *args: str, name: str | None = None, **env: str | None) -> TocdsProcess:
        name = name or f"{args[0]}-{len(self.started) + 1}"
        process = TocdsProcess(list(args), clean_env(**{**self.env, **env}), self.cwd,
                               self.cwd / f"{name}.log")
        self.started.append(process)
        return process.start()

    def run(self, *args: str, timeout: float = 60, **env: str | None) -> subprocess.CompletedProcess:
        """A command that ends by itself (e.g. `tocds admin invite`): its output, captured."""
        return subprocess.run(
            [str(TOCDS), *args], env=clean_env(**{**self.env, **env}), cwd=self.cwd,
            capture_output=True, text=True, encoding="utf-8", timeout=timeout, stdin=subprocess.DEVNULL,
        )

    def stop(self) -> None:
        for process in self.started:
            process.terminate()

    def logs(self) -> str:
        return "\n".join(f"===== {p.log_path.name} (exit {p.returncode})\n{p.log()}" for p in self.started)
