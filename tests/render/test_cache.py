"""The cache's pruning: entries unused for long go first, then the oldest past the size
limit; what was used lately stays."""

from __future__ import annotations

import os
import time
from pathlib import Path

from kbbook.render.cache import prune_files


def test_old_entries_go_then_the_oldest_past_the_limit(tmp_path: Path) -> None:
    now = time.time()
    files = {}
    for name, age_days in (("stale", 40), ("old", 3), ("older", 5), ("new", 0)):
        path = tmp_path / name
        path.write_bytes(b"x" * 100)
        os.utime(path, (now - age_days * 86400, now - age_days * 86400))
        files[name] = path
    prune_files(files.values(), max_bytes=250, max_age=30 * 86400)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new", "old"]
    prune_files(files.values(), max_bytes=10_000, max_age=30 * 86400)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new", "old"]
