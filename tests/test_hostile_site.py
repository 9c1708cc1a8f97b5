"""Bad and hostile sites: front matter, files and structure. Each gives a clear message naming
the file (and line where there is one), the documented exit code, and never a traceback."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kbbook.cli import app

from sitemaker import make_site, page

runner = CliRunner()
Files = dict[str, str | bytes]


def deep_chain(n: int) -> Files:
    files: Files = {"p0000.md": page("P0")}
    for i in range(1, n):
        files[f"p{i:04}.md"] = page(f"P{i}", parent=f"P{i - 1}")
    return files


# (fixture name, files, command, exit code, (path, line, text) expected in the output or None)
CASES: list[tuple[str, Callable[[], Files], str, int, tuple[str, int | None, str] | None]] = [
    # (Jekyll builds a page whose YAML does not parse without its front matter: a warning)
    ("unclosed quote", lambda: {"a.md": '---\ntitle: "Oops\n---\n', "b.md": page("B")},
     "check", 0, ("a.md", 2, "warning: front matter is not valid YAML")),
    ("tab indentation", lambda: {"a.md": "---\ntitle: A\nparent:\n\tx: 1\n---\n",
                                 "b.md": page("B")},
     "check", 0, ("a.md", 4, "warning: front matter is not valid YAML")),
    ("unquoted colon in title", lambda: {"a.md": "---\ntitle: Step 1: setup\n---\n"}, "check",
     1, ("a.md", 2, "warning: front matter is not valid YAML")),
    ("list front matter", lambda: {"a.md": "---\n- title\n---\n"}, "check", 1,
     ("a.md", 2, "error: front matter must be a mapping")),
    ("scalar front matter", lambda: {"a.md": "---\njust text\n---\n"}, "check", 1,
     ("a.md", 2, "error: front matter must be a mapping")),
    ("duplicate keys", lambda: {"a.md": "---\ntitle: A\nnav_order: 1\nnav_order: 2\n---\n"},
     "check", 0, ("a.md", 4, "warning: duplicate key 'nav_order'; the last value is used")),
    ("1 MB front matter", lambda: {"a.md": "---\ntitle: Big\ndescription: " + "x" * 1_000_000
                                   + "\n---\nBody\n"}, "toc", 0, None),
    ("numeric title", lambda: {"a.md": page(123)}, "toc", 0, None),
    ("empty title", lambda: {"a.md": page("''"), "b.md": page("B")}, "toc", 0, None),
    ("nan nav_order", lambda: {"a.md": page("A", nav_order=".nan")}, "check", 0,
     ("a.md", 3, "warning: nav_order nan is not a finite number")),
    ("list nav_order", lambda: {"a.md": page("A", nav_order="[1]")}, "check", 0,
     ("a.md", 3, "warning: nav_order [1] is neither a number nor text")),
    ("date nav_order", lambda: {"a.md": page("A", nav_order="2024-02-03")}, "check", 0, None),
    ("empty file", lambda: {"a.md": "", "b.md": page("B")}, "check", 0, None),
    ("binary file", lambda: {"a.md": b"\x00\x01\x02PK\x03\x04" * 100, "b.md": page("B")},
     "check", 1, ("a.md", None, "error: is not a text file")),
    ("latin-1 bytes", lambda: {"a.md": "---\ntitle: Été\n---\nÇa\n".encode("latin-1")},
     "check", 0, ("a.md", 2, "warning: is not valid UTF-8; read as Latin-1")),
    ("byte-order mark", lambda: {"a.md": b"\xef\xbb\xbf" + page("A").encode()}, "check", 0, None),
    ("CRLF", lambda: {"a.md": page("A", body="x\n").replace("\n", "\r\n")}, "check", 0, None),
    ("20 MB page", lambda: {"a.md": page("Big") + ("word " * 1000 + "\n") * 4000}, "toc", 0, None),
    ("10,000 pages", lambda: {f"p{i:05}.md": page(f"Page {i}", nav_order=i)
                              for i in range(10_000)}, "toc", 0, None),
    ("self-parent", lambda: {"a.md": page("A", parent="A"), "b.md": page("B")}, "check", 0,
     ("a.md", None, "warning: left out of the book: names itself as its parent")),
    ("cycle of three", lambda: {"a.md": page("A", parent="C"), "b.md": page("B", parent="A"),
                                "c.md": page("C", parent="B"), "h.md": page("Home")},
     "check", 0, ("a.md", None, "warning: left out of the book: its parents form a loop")),
    ("200 levels", lambda: deep_chain(200), "toc", 0, None),
    ("2,000 siblings", lambda: {"top.md": page("Top"),
                                **{f"s{i:04}.md": page(f"S{i}", parent="Top")
                                   for i in range(2000)}}, "toc", 0, None),
    ("same title on 50 pages", lambda: {"top.md": page("Top", nav_order=0),
                                        **{f"d{i:02}.md": page("Setup", nav_order=i + 1)
                                           for i in range(50)},
                                        "child.md": page("Child", parent="Setup")},
     "check", 0, ("child.md", None, "warning: the sidebar would show this page again")),
    ("YAML alias bomb", lambda: {"a.md": "---\na0: &a0 [x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 12))
        + "title: *a11\n---\n", "b.md": page("B")},
     "check", 1, ("a.md", 2, "error: front matter is not valid YAML: it expands to more than")),
    ("control character in title", lambda: {"a.md": page('"Esc \\x1b here"'),
                                            "b.md": page('"Lone \\uD800 half"')},
     "epub", 0, ("a.md", 2, "warning: front matter holds control characters")),
    ("terminal escapes in a heading title", lambda: {"a.md": "# Red \x1b[31m title\x0b\n"},
     "epub", 0, ("a.md", 1, "warning: contains control characters (U+001B first)")),
    ("parent is excluded", lambda: {"a.md": page("A", nav_exclude="true"),
                                    "b.md": page("B", parent="A"), "h.md": page("Home")},
     "toc", 0, ("", None, "(it lies under a page with nav_exclude: true)\n  B  <- b.md")),
]


@pytest.mark.parametrize(("name", "files", "command", "code", "expected"), CASES,
                         ids=[c[0] for c in CASES])
def test_bad_site(tmp_path: Path, name: str, files: Callable[[], Files], command: str,
                  code: int, expected: tuple[str, int | None, str] | None) -> None:
    make_site(tmp_path, files())
    args = [command, str(tmp_path)]
    if command == "epub":
        args += ["-o", str(tmp_path / "book.epub")]
    result = runner.invoke(app, args)
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert result.exception is None or isinstance(result.exception, SystemExit), output
    assert result.exit_code == code, output[-2000:]
    if expected is not None and not expected[0]:
        assert expected[2] in output
    elif expected is not None:
        path, line, text = expected
        where = f"{path}:{line}: " if line is not None else f"{path}"
        assert any(where in out_line and text in out_line for out_line in output.splitlines()), \
            output[-2000:]


def test_special_files_are_skipped_with_a_warning(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"index.md": page("Home")})
    (site / "loop.md").symlink_to(site / "loop.md")
    os.mkfifo(site / "pipe.md")
    (tmp_path / "outside.yml").write_text("title: SECRET-TITLE\n")
    (site / "_config.yml").symlink_to(tmp_path / "outside.yml")
    result = runner.invoke(app, ["toc", str(site)])
    assert result.exit_code == 0
    assert result.stdout == "Home\n"
    result = runner.invoke(app, ["check", str(site)])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert "_config.yml: warning: is a link to a file outside the site; not read (kbbook " \
        "reads only files inside the site folder)" in lines
    assert any(line.startswith("loop.md: warning: is a link that leads nowhere") for line in lines)
    assert any(line.startswith("pipe.md: warning: is not a regular file") for line in lines)
    assert "SECRET-TITLE" not in result.output


def test_config_in_latin1_is_read_with_a_warning(tmp_path: Path) -> None:
    make_site(tmp_path, {"_config.yml": "title: Caf\xe9\n".encode("latin-1"),
                         "index.md": page("Home")})
    result = runner.invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 0
    assert "_config.yml:1: warning: is not valid UTF-8; read as Latin-1" in result.stdout


def test_a_very_long_title_gives_a_usable_file_name(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(tmp_path / "site", {"_config.yml": "title: " + "T" * 3000 + "\n",
                                         "index.md": page("Home")})
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["epub", str(site)])
    assert result.exit_code == 0, result.output
    (book,) = tmp_path.glob("*.epub")
    assert book.name == "T" * 120 + ".epub"
