"""Writing the book: bad output paths are refused up front, and a failed or interrupted
build leaves an older book untouched with no partial file beside it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kbbook.cli import app
from kbbook.errors import KbbookError
from kbbook.output import write_atomically
from kbbook.writers import epub as epub_module

from sitemaker import make_site, page

runner = CliRunner()


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_site(tmp_path / "site", {"_config.yml": "title: Tiny\n",
                                         "index.md": page("Home", body="Hello.\n")})


@pytest.mark.parametrize("command", ["epub", "pdf"])
def test_output_is_a_folder(site: Path, tmp_path: Path, command: str) -> None:
    result = runner.invoke(app, [command, str(site), "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr == f"kbbook: error: {tmp_path}: is a folder; give a file name, " \
        f"e.g. {tmp_path / ('book.' + command)}\n"


@pytest.mark.parametrize("command", ["epub", "pdf"])
def test_output_folder_missing(site: Path, tmp_path: Path, command: str) -> None:
    out = tmp_path / "no" / "such" / "book.x"
    result = runner.invoke(app, [command, str(site), "-o", str(out)])
    assert result.exit_code == 1
    assert "does not exist; create it first" in result.stderr
    assert "Traceback" not in result.output


def test_output_unwritable(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    if os.geteuid() == 0:  # root may write anywhere: let the permission check say no
        real_access = os.access
        monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == locked
                            else real_access(p, mode))
    result = runner.invoke(app, ["epub", str(site), "-o", str(locked / "b.epub")])
    assert result.exit_code == 1
    assert result.stderr == f"kbbook: error: {locked / 'b.epub'}: cannot write in {locked}; " \
        "choose another place with -o\n"
    assert not list(locked.iterdir())


def test_unwritable_path_is_one_line(site: Path) -> None:
    # Even as root, /proc is not writable: the message is one line, never a traceback.
    result = runner.invoke(app, ["epub", str(site), "-o", "/proc/kbbook-book.epub"])
    assert result.exit_code == 1
    assert result.stderr.startswith("kbbook: error: ")
    assert result.stderr.count("\n") == 1


def _interrupting(*args: object, **kwargs: object) -> None:
    out = Path(args[1])  # type: ignore[arg-type]
    out.write_bytes(b"half a book")
    raise KeyboardInterrupt


def _failing(*args: object, **kwargs: object) -> None:
    Path(args[1]).write_bytes(b"half a book")  # type: ignore[arg-type]
    raise KbbookError("simulated failure while writing")


@pytest.mark.parametrize(("writer", "code", "message"), [
    (_interrupting, 130, "kbbook: interrupted; no file was changed"),
    (_failing, 1, "kbbook: error: simulated failure while writing"),
])
def test_failed_build_keeps_the_older_book(site: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch,
                                           writer: object, code: int, message: str) -> None:
    out = tmp_path / "book.epub"
    assert runner.invoke(app, ["epub", str(site), "-o", str(out)]).exit_code == 0
    older = out.read_bytes()
    monkeypatch.setattr(epub_module, "write_epub", writer)
    result = runner.invoke(app, ["epub", str(site), "-o", str(out)])
    assert result.exit_code == code
    assert message in result.stderr
    assert out.read_bytes() == older
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.epub", "site"]


def test_site_errors_write_nothing(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "book.epub"
    out.write_bytes(b"older")
    (site / "bad.md").write_text("---\n- a list, not a mapping\n---\n")
    result = runner.invoke(app, ["epub", str(site), "-o", str(out)])
    assert result.exit_code == 1
    assert "bad.md:2: error:" in result.stderr
    assert f"{out} was not written" in result.stderr
    assert out.read_bytes() == b"older"


def test_write_atomically_replaces_only_on_success(tmp_path: Path) -> None:
    out = tmp_path / "f.bin"
    write_atomically(out, lambda tmp: tmp.write_bytes(b"new"))
    assert out.read_bytes() == b"new"
    assert oct(out.stat().st_mode & 0o777) == "0o644"
    with pytest.raises(ValueError):
        write_atomically(out, lambda tmp: (_ for _ in ()).throw(ValueError("boom")))
    assert out.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["f.bin"]


def test_a_full_disk_keeps_the_older_book(tmp_path: Path) -> None:
    """The disk fills up while the PDF is written: a message, the older book, no leftovers."""
    import subprocess

    from shared import CONTENT

    disk = tmp_path / "small-disk"
    disk.mkdir()
    if os.geteuid() != 0 or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(disk)],
            capture_output=True, check=False).returncode != 0:
        pytest.skip("needs root and a tmpfs mount, to have a disk that fills up")
    try:
        out = disk / "book.pdf"
        out.write_bytes(b"the older book")
        result = CliRunner().invoke(app, ["pdf", str(CONTENT), "-o", str(out), "--quiet"])
        assert result.exit_code == 1
        assert "the disk is full; the older file is untouched" in result.output
        assert out.read_bytes() == b"the older book"
        assert [p.name for p in disk.iterdir()] == ["book.pdf"]
    finally:
        subprocess.run(["umount", str(disk)], check=False)
