"""The README's examples run as written."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from shared import CONTENT, ROOT


def _python_blocks() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", readme, re.DOTALL)


def test_the_python_api_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    (block,) = _python_blocks()
    shutil.copytree(CONTENT, tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    exec(compile(block, "README.md", "exec"), {})
    assert (tmp_path / "handbook.epub").stat().st_size > 0
    printed = capsys.readouterr().out.strip().splitlines()
    assert printed[-3:] == ["ordering.pdf", "books/The kbbook Handbook.epub",
                            "books/The kbbook Handbook.pdf"]
    assert (tmp_path / "ordering.pdf").stat().st_size > 0
    assert sorted(p.name for p in (tmp_path / "books").iterdir()) == [
        "The kbbook Handbook.epub", "The kbbook Handbook.pdf"]
