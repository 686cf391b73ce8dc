"""A memory and CPU limit for a process under test: a Linux cgroup (v2 where its memory and
cpu controllers are enabled, else v1's memory and cpu hierarchies), and a poller of its
memory. Needs root. Used by bench/uploads.py.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path

POLL_S = 0.25


class Cgroup:
    """A memory and CPU limit for the server: v2 where its controllers are on, else v1."""

    def __init__(self, name: str, memory: int, cpus: int) -> None:
        root = Path("/sys/fs/cgroup")
        controllers = root / "cgroup.controllers"
        enabled = set(controllers.read_text().split()) if controllers.is_file() else set()
        self.v2 = {"memory", "cpu"} <= enabled
        if self.v2:
            self.dirs = [root / name]
        else:
            self.dirs = [root / "memory" / name, root / "cpu" / name]
        if self.v2:  # let the group use both controllers
            with contextlib.suppress(OSError):
                (root / "cgroup.subtree_control").write_text("+memory +cpu")
        for folder in self.dirs:
            folder.mkdir(exist_ok=True)
        if self.v2:
            self._write("memory.max", memory)
            self._write("memory.swap.max", 0)
            self._write("cpu.max", f"{cpus * 100000} 100000")
        else:
            self._write("memory.limit_in_bytes", memory, folder=self.dirs[0])
            self._write("memory.max_usage_in_bytes", 0, folder=self.dirs[0])  # resets it
            self._write("cpu.cfs_period_us", 100000, folder=self.dirs[1])
            self._write("cpu.cfs_quota_us", cpus * 100000, folder=self.dirs[1])
        self.oom_kills_before = self.oom_kills()

    def _write(self, name: str, value: object, folder: Path | None = None) -> None:
        with contextlib.suppress(FileNotFoundError):  # memory.swap.max without swap
            ((folder or self.dirs[0]) / name).write_text(str(value))

    def join(self) -> None:
        """Move the calling process into the group (run in the server's child before exec)."""
        for folder in self.dirs:
            (folder / "cgroup.procs").write_text(str(os.getpid()))

    def _read(self, name: str) -> str:
        return (self.dirs[0] / name).read_text()

    def usage(self) -> tuple[int, int]:
        """Memory in use now: all of it (page cache included), and without the cache."""
        stat = dict(line.split() for line in self._read("memory.stat").splitlines())
        if self.v2:
            total = int(self._read("memory.current"))
            return total, int(stat["anon"])
        return int(self._read("memory.usage_in_bytes")), int(stat["total_rss"])

    def peak(self) -> int:
        return int(self._read("memory.peak" if self.v2 else "memory.max_usage_in_bytes"))

    def oom_kills(self) -> int:
        name = "memory.events" if self.v2 else "memory.oom_control"
        fields = dict(line.split() for line in self._read(name).splitlines())
        return int(fields.get("oom_kill", 0))

    def remove(self) -> None:
        for folder in self.dirs:
            with contextlib.suppress(OSError):
                folder.rmdir()


class UsagePoller:
    """The cgroup's memory every `POLL_S` seconds: peaks with and without page cache."""

    def __init__(self, group: Cgroup) -> None:
        self.group, self.peak_total, self.peak_anon = group, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(POLL_S):
            with contextlib.suppress(OSError, KeyError, ValueError):
                total, anon = self.group.usage()
                self.peak_total = max(self.peak_total, total)
                self.peak_anon = max(self.peak_anon, anon)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
