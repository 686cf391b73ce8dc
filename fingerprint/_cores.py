"""The cores this process may use (`usable_cores`): the CPUs it may run on, fewer where
its control group's CPU quota (`cpu_quota`) allows fewer, or where the process is one of
several sharing them (`limited_cores`). In a container given 2 CPUs of a 64-core host,
`os.cpu_count` says 64: decoders, k-means workers and analyses sized by it would hold 32
times the memory for no more speed.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Callable, Iterator
from pathlib import Path

_PROC_CGROUP = Path("/proc/self/cgroup")
_CGROUP_ROOT = Path("/sys/fs/cgroup")
_limit: int | None = None  # `limited_cores`


def usable_cores() -> int:
    """The CPUs this process may run on, at most what its CPU quota allows and what
    `limited_cores` allows; at least 1."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # no affinity outside Linux
        cores = os.cpu_count() or 1
    quota = cpu_quota()
    if quota is not None:
        cores = min(cores, math.ceil(quota))
    return max(1, cores if _limit is None else min(cores, _limit))


@contextlib.contextmanager
def limited_cores(cores: int) -> Iterator[None]:
    """Count at most ``cores`` usable cores in this process inside the block: a batch
    worker is one of a core's worth of workers, and its film's decoders and k-means
    workers must not each take the whole machine."""
    global _limit
    before = _limit
    _limit = max(1, cores if before is None else min(before, cores))
    try:
        yield
    finally:
        _limit = before


def cpu_quota(*, proc: Path = _PROC_CGROUP, root: Path = _CGROUP_ROOT) -> float | None:
    """The CPUs' worth of time this process's control groups allow, the tightest of its
    group's and every group's above it (v2's ``cpu.max``, v1's CFS quota); None where
    none sets one, or outside Linux."""
    try:
        lines = proc.read_text().splitlines()
    except OSError:
        return None
    limits = []
    for line in lines:
        if line.count(":") < 2:
            continue
        _, controllers, path = line.split(":", 2)
        if controllers == "":
            limits += _limits(root, path, _v2_limit)
        elif "cpu" in controllers.split(","):
            limits += _limits(root / controllers, path, _v1_limit)
    return min(limits, default=None)


def _limits(base: Path, path: str, limit: Callable[[Path], float | None]) -> list[float]:
    """The limits set on the group at ``path`` under ``base`` and on each one above it. A
    container sees its own group as the hierarchy's root, under the host's path: the
    folders that do not exist are skipped."""
    found = []
    folder = base / path.strip("/")
    while True:
        value = limit(folder)
        if value is not None:
            found.append(value)
        if folder == base:
            return found
        folder = folder.parent


def _v2_limit(folder: Path) -> float | None:
    try:
        quota, period = (folder / "cpu.max").read_text().split()
    except (OSError, ValueError):
        return None
    return None if quota == "max" else int(quota) / int(period)


def _v1_limit(folder: Path) -> float | None:
    try:
        quota = int((folder / "cpu.cfs_quota_us").read_text())
        period = int((folder / "cpu.cfs_period_us").read_text())
    except (OSError, ValueError):
        return None
    return None if quota <= 0 or period <= 0 else quota / period
