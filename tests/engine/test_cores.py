"""The cores a process may use (fingerprint._cores): its CPUs, fewer where a control
group's CPU quota allows fewer, as in a container given 2 CPUs of a larger host."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fingerprint import _cores
from fingerprint._cores import cpu_quota, usable_cores
from tests.support import ROOT


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_v2_the_tightest_quota_of_the_group_and_those_above_it(tmp_path: Path) -> None:
    root = tmp_path / "cgroup"
    write(tmp_path / "proc", "0::/app.slice/film.service\n")
    write(root / "cpu.max", "max 100000\n")
    write(root / "app.slice" / "cpu.max", "150000 100000\n")
    write(root / "app.slice" / "film.service" / "cpu.max", "max 100000\n")
    assert cpu_quota(proc=tmp_path / "proc", root=root) == pytest.approx(1.5)
    write(root / "app.slice" / "film.service" / "cpu.max", "50000 100000\n")
    assert cpu_quota(proc=tmp_path / "proc", root=root) == pytest.approx(0.5)


def test_a_container_sees_its_own_group_at_the_root(tmp_path: Path) -> None:
    """Without a cgroup namespace a container is told the host's path, which its own view
    of the hierarchy does not have: its limit is at the root it sees."""
    root = tmp_path / "cgroup"
    write(tmp_path / "proc", "0::/docker/4f1c\n")
    write(root / "cpu.max", "200000 100000\n")
    assert cpu_quota(proc=tmp_path / "proc", root=root) == pytest.approx(2.0)


def test_v1_cfs_quota_and_no_limit(tmp_path: Path) -> None:
    root = tmp_path / "cgroup"
    write(tmp_path / "proc", "4:memory:/x\n3:cpu,cpuacct:/x\n0::/\n")
    write(root / "cpu,cpuacct" / "x" / "cpu.cfs_quota_us", "300000\n")
    write(root / "cpu,cpuacct" / "x" / "cpu.cfs_period_us", "100000\n")
    assert cpu_quota(proc=tmp_path / "proc", root=root) == pytest.approx(3.0)
    write(root / "cpu,cpuacct" / "x" / "cpu.cfs_quota_us", "-1\n")
    assert cpu_quota(proc=tmp_path / "proc", root=root) is None
    assert cpu_quota(proc=tmp_path / "missing", root=root) is None


def test_usable_cores_are_the_cpus_within_the_quota(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_cores.os, "sched_getaffinity", lambda pid: set(range(64)),
                        raising=False)
    monkeypatch.setattr(_cores, "cpu_quota", lambda: 1.5)
    assert usable_cores() == 2
    monkeypatch.setattr(_cores, "cpu_quota", lambda: None)
    assert usable_cores() == 64
    monkeypatch.setattr(_cores, "cpu_quota", lambda: 0.2)
    assert usable_cores() == 1
    monkeypatch.setattr(_cores, "cpu_quota", lambda: None)
    with _cores.limited_cores(3):
        assert usable_cores() == 3
        with _cores.limited_cores(8):  # a limit inside another never raises it
            assert usable_cores() == 3
    assert usable_cores() == 64


def _one_cpu_group(name: str) -> tuple[Path, str] | None:
    """A control group given one CPU's time, made for real where this process may (as
    root on cgroup v1's cpu hierarchy or a v2 one with the cpu controller): its folder
    and the file a process joins it by; None where it may not."""
    root = Path("/sys/fs/cgroup")
    try:
        if (root / "cpu" / "cpu.cfs_period_us").is_file():
            folder = root / "cpu" / name
            folder.mkdir(exist_ok=True)
            (folder / "cpu.cfs_period_us").write_text("100000")
            (folder / "cpu.cfs_quota_us").write_text("100000")
            return folder, "tasks"
        if "cpu" in (root / "cgroup.controllers").read_text().split():
            (root / "cgroup.subtree_control").write_text("+cpu")
            folder = root / name
            folder.mkdir(exist_ok=True)
            (folder / "cpu.max").write_text("100000 100000")
            return folder, "cgroup.procs"
    except OSError:
        return None
    return None


def test_a_process_in_a_real_group_of_one_cpu_counts_one_core() -> None:
    """What a container given one CPU does: a child process placed in a real control
    group whose quota is one CPU counts one usable core, however many the host has."""
    group = _one_cpu_group(f"fingerprint-test-{os.getpid()}")
    if group is None:
        pytest.skip("no control group can be made here (needs root and a cpu controller)")
    folder, join = group
    try:
        code = "from fingerprint._cores import usable_cores; print(usable_cores())"
        out = subprocess.run(
            ["sh", "-c", f'echo $$ > "{folder / join}" && exec "{sys.executable}" -c "{code}"'],
            capture_output=True, text=True, check=True, cwd=ROOT,
        )
        assert out.stdout.strip() == "1"
    finally:
        folder.rmdir()
