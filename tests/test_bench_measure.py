"""The benchmark's memory timeline names the process and the stage at the peak.

Real processes allocate real memory while the sampler (`bench.measure.TreeSampler`)
reads /proc; the stage lines are written the way a refresh writes them
(`orchestration.progress`: "名称：…（用时 X 秒）"), through `StageClock`.
"""

from __future__ import annotations

import io
import json
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.measure import (
    StageClock,
    TreeSampler,
    attribute,
    stage_at,
    tree_memory_kb,
    write_timeline,
)

MB = 1 << 20
HOG = "import time; b = b'x' * ({mb} << 20); time.sleep({seconds})"


def _stage(clock: StageClock, name: str, work) -> None:  # type: ignore[no-untyped-def]
    """Run `work()` and print its stage line with the elapsed time, as a refresh does."""
    begun = time.monotonic()
    work()
    print(f"{name}：完成（用时 {time.monotonic() - begun:.1f} 秒）", file=clock)


def _hog_in_fork(mb: int, seconds: float) -> None:
    data = b"x" * (mb * MB)
    time.sleep(seconds)
    del data


def test_peak_is_named_by_process_and_stage(tmp_path: Path) -> None:
    sampler = TreeSampler(interval=0.02)
    sampler.start()
    out = io.StringIO()
    clock = StageClock(out, sampler.started)
    _stage(clock, "甲", lambda: time.sleep(0.5))
    # a forked copy counts the parent's pages in its RSS (stage 丙), and pytest's own RSS
    # grows with the suite: stage 乙's process must outweigh that copy, whatever its size
    own_mb = tree_memory_kb(os.getpid())[0] // 1024
    hog_mb = 200 + own_mb
    hog = HOG.format(mb=hog_mb, seconds=1.0)
    _stage(clock, "乙", lambda: subprocess.run([sys.executable, "-c", hog], check=True))
    fork = multiprocessing.get_context("fork").Process(target=_hog_in_fork, args=(60, 1.0))
    _stage(clock, "丙", lambda: (fork.start(), fork.join()))
    time.sleep(0.2)
    sampler.stop()

    assert "乙：完成" in out.getvalue()  # the lines still reach the real output
    stages = clock.stages()
    assert [s["stage"] for s in stages] == ["甲", "乙", "丙"]
    assert stages[1]["start_s"] >= stages[0]["end_s"] - 0.1

    found = attribute(sampler, stages)
    assert found["peak_stage"] == "乙"
    top = found["peak_processes"][0]
    assert f"b'x' * ({hog_mb} << 20)" in top["command"] and top["rss_mb"] >= hog_mb - 10
    peaks = found["stage_peak_tree_rss_mb"]
    assert peaks["乙"] >= peaks["甲"] + 180
    assert peaks["丙"] >= peaks["甲"] + 50
    assert "wind-up (after the last stage)" in peaks
    forks = [c for c in sampler.commands.values() if c.startswith("[fork-pool worker]")]
    assert forks, sampler.commands

    path = tmp_path / "timeline.json"
    write_timeline(path, sampler, stages)
    timeline = json.loads(path.read_text(encoding="utf-8"))
    assert len(timeline["samples"]) >= 50
    peak_sample = max(timeline["samples"], key=lambda s: s["rss_kb"])
    assert peak_sample["stage"] == "乙"
    assert any("<< 20" in timeline["commands"][pid] for pid in peak_sample["pids"])


def test_between_and_outside_stages() -> None:
    stages = [
        {"stage": "解析入库", "start_s": 10.0, "end_s": 20.0},
        {"stage": "发布", "start_s": 25.0, "end_s": 30.0},
    ]
    assert stage_at(stages, 5.0) == "start-up (before the first stage)"
    assert stage_at(stages, 15.0) == "解析入库"
    assert stage_at(stages, 22.0) == "between stages (before 发布)"
    assert stage_at(stages, 31.0) == "wind-up (after the last stage)"
    assert stage_at([], 1.0) == "-"
