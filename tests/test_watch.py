"""`kbbook watch`: the book rebuilt when the site changes, what changed said; a failed
build keeps the last good book."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from kbbook.watch import relevant

from sitemaker import make_site, page


def _watch(site: Path, out: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "kbbook", "watch", str(site), "--epub",
                             "-o", str(out), "--once"], stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000"})


def _wait_for(process: subprocess.Popen[str], text: str, timeout: float = 60) -> str:
    seen = ""
    deadline = time.monotonic() + timeout
    assert process.stderr is not None
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line and process.poll() is not None:
            break
        seen += line
        if text in line:
            return seen
    process.kill()
    raise AssertionError(f"no {text!r} in:\n{seen}")


def _book_text(path: Path) -> str:
    with zipfile.ZipFile(path) as book:
        return " ".join(book.read(n).decode() for n in book.namelist() if n.endswith(".xhtml"))


def test_an_edit_rebuilds_the_book(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"_config.yml": "title: Live\n",
                                         "a.md": page("Alpha", body="First words.\n")})
    out = tmp_path / "out"
    process = _watch(site, out)
    _wait_for(process, "watching")
    assert "First words." in _book_text(out / "Live.epub")
    time.sleep(0.5)
    (site / "a.md").write_text(page("Alpha", body="Second words.\n"), encoding="utf-8")
    seen = _wait_for(process, "rebuilt")
    assert "changed: a.md" in seen
    assert process.wait(timeout=30) == 0
    assert "Second words." in _book_text(out / "Live.epub")


def test_a_failed_build_keeps_the_last_good_book(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"_config.yml": "title: Live\nkbbook:\n  strict: true\n",
                                         "a.md": page("Alpha", body="Good.\n")})
    out = tmp_path / "out"
    process = _watch(site, out)
    _wait_for(process, "watching")
    good = (out / "Live.epub").read_bytes()
    time.sleep(0.5)
    (site / "a.md").write_text(page("Alpha", body="[broken](nowhere.md)\n"), encoding="utf-8")
    seen = _wait_for(process, "build failed")
    assert "a.md:" in seen and "the last good book stays" in seen
    assert process.wait(timeout=30) == 0
    assert (out / "Live.epub").read_bytes() == good


def test_what_the_watch_ignores(tmp_path: Path) -> None:
    site, out = tmp_path, tmp_path / "books"
    assert relevant(site, out, site / "docs" / "a.md")
    assert relevant(site, out, site / "_config.yml")
    assert not relevant(site, out, out / "Live.epub")  # its own books
    assert not relevant(site, out, site / ".git" / "index")
    assert not relevant(site, out, site / "_site" / "a.html")
    assert not relevant(site, out, site / ".a.md.swp")
    assert not relevant(site, out, site / ".Live.epub.x1.part")
    assert not relevant(site, out, tmp_path.parent / "elsewhere.md")
