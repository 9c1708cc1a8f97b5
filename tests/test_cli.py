"""The command line as a user meets it: output, exit codes and one-line messages."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kbbook.cli import app

from shared import CONTENT, PRODUCTBRAIN, PRODUCTBRAIN_OUTLINE, needs_productbrain
from sitemaker import make_site, page

runner = CliRunner()


def run(*args: str | Path):
    return runner.invoke(app, [str(a) for a in args])


@needs_productbrain
def test_toc_of_productbrain_matches_its_sidebar() -> None:
    expected = PRODUCTBRAIN_OUTLINE.read_text(encoding="utf-8")
    result = run("toc", PRODUCTBRAIN, "--paths")
    assert result.exit_code == 0
    assert result.stdout == expected
    plain = run("toc", PRODUCTBRAIN)
    assert plain.stdout.splitlines() == [line.split("  <- ")[0] for line in expected.splitlines()]


@needs_productbrain
def test_toc_json_is_the_tree() -> None:
    result = run("toc", PRODUCTBRAIN, "--json")
    tree = json.loads(result.stdout)
    assert [n["title"] for n in tree][:2] == ["Home", "Foundations of Product Management"]
    chapter = next(n for n in tree if n["title"] == "Roadmapping and Planning")
    assert chapter["source"] == "docs/4-roadmapping-and-planning/index.md"
    assert chapter["url"] == "/docs/4-roadmapping-and-planning/"
    assert len(chapter["children"]) == 5
    assert set(chapter["children"][0]) == {"title", "source", "url", "kind", "children"}
    assert chapter["children"][0]["kind"] == "page"


def test_toc_lists_left_out_pages_after_a_blank_line(tmp_path: Path) -> None:
    make_site(tmp_path, {
        "a.md": page("A"),
        "b.md": page("B", parent="C"),
        "c.md": page("C", parent="B"),
        "d.md": page("Draft", nav_exclude="true"),
    })
    result = run("toc", tmp_path)
    assert result.exit_code == 0
    outline, left_out = result.stdout.split("\n\n")
    assert outline == "A"
    assert "Left out of the book: excluded from the sidebar (nav_exclude: true)\n  Draft  <- d.md" \
        in left_out
    assert "Left out of the book: its parents form a loop: B -> C -> B\n  B  <- b.md" in left_out


def test_default_site_is_content(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(CONTENT.parent)
    assert run("toc").stdout.splitlines()[0] == "Home"
    monkeypatch.chdir(tmp_path)
    result = run("toc")
    assert result.exit_code == 1
    assert "no SITE given and no ./content folder here" in result.stderr


@pytest.mark.parametrize("files", [{}, {"notes.txt": "hello"}])
def test_folder_without_pages(tmp_path: Path, files: dict) -> None:
    make_site(tmp_path, files)
    result = run("toc", tmp_path)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "no pages found" in result.stderr


def test_missing_site_folder_is_one_line(tmp_path: Path) -> None:
    result = run("toc", tmp_path / "nope")
    assert result.exit_code == 1
    assert result.stderr == f"kbbook: error: {tmp_path / 'nope'}: no such folder; give the path " \
        "of a just-the-docs site\n"


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run("toc", tmp_path, "--nav-rules", "sideways").exit_code == 2
    assert run("frobnicate").exit_code == 2


def test_help_shows_examples() -> None:
    assert "Example: kbbook" in run("--help").stdout
    for command in ("toc", "check", "epub", "pdf"):
        assert "Example: kbbook " + command in run(command, "--help").stdout


def test_check_reports_every_problem_and_exit_codes(tmp_path: Path) -> None:
    make_site(tmp_path, {
        "index.md": page("Home", body="See [nowhere](missing-page).\n"),
        "bad.md": "---\n- a list\n---\n",
        "orphan.md": page("Orphan", parent="Nobody"),
    })
    result = run("check", tmp_path)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("bad.md:2: error: front matter must be a mapping")
    assert any(line.startswith("index.md:4: warning: ") and "missing-page" in line
               for line in lines)
    assert any(line.startswith("orphan.md:3: warning: left out of the book") for line in lines)
    (tmp_path / "bad.md").unlink()
    assert run("check", tmp_path).exit_code == 0
    assert run("check", tmp_path, "--strict").exit_code == 1


@needs_productbrain
def test_check_productbrain_reports_the_missing_image() -> None:
    result = run("check", PRODUCTBRAIN)
    assert result.exit_code == 0
    missing = [line for line in result.stdout.splitlines() if "pedro-reis.png" in line]
    assert len(missing) == 1
    assert missing[0].startswith("about.md:26: warning: ")


def test_toc_and_check_do_not_load_the_writers() -> None:
    code = (
        "import sys\n"
        "from kbbook.cli import main\n"
        f"sys.argv = ['kbbook', 'check', {str(CONTENT)!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('weasyprint', 'ebooklib') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in out.stdout


def test_flags_reach_the_book(tmp_path: Path) -> None:
    make_site(tmp_path, {
        "_config.yml": "remote_theme: just-the-docs/just-the-docs@v0.8.0\n",
        "a.md": page("A", nav_order=1),
        "b.md": page("B", parent="A"),
        "draft.md": page("Draft", nav_order=2, nav_exclude="true"),
        "plain.md": "# Plain\n",
    })
    assert run("toc", tmp_path).stdout.split("\n\n")[0] == "A\nPlain"  # legacy: no has_children
    assert run("toc", tmp_path, "--nav-rules", "MODERN").stdout.split("\n\n")[0] == \
        "A\n  B\nPlain"
    assert run("toc", tmp_path, "--include-hidden").stdout.split("\n\n")[0] == \
        "A\nDraft\nPlain"
    assert run("toc", tmp_path, "--no-github-pages").stdout.split("\n\n")[0] == "A"


def test_toc_into_a_closed_pipe_is_quiet(tmp_path: Path) -> None:
    # 200 kB of outline: more than a pipe holds, so the writer meets the closed pipe.
    make_site(tmp_path, {f"p{i:04}.md": page(f"Page {i} " + "x" * 60, nav_order=i)
                         for i in range(3000)})
    shell = f"{sys.executable} -m kbbook toc {tmp_path} | head -1"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", shell], capture_output=True,
                          text=True)
    assert done.stdout == "Page 0 " + "x" * 60 + "\n"
    assert done.stderr == ""
    assert done.returncode == 0


def test_only_with_a_repeated_title_asks_for_the_source(tmp_path: Path) -> None:
    make_site(tmp_path, {
        "a.md": page("A", nav_order=1), "a-o.md": page("Overview", parent="A"),
        "b.md": page("B", nav_order=2), "b-o.md": page("Overview", parent="B"),
    })
    result = run("pdf", tmp_path, "--only", "Overview", "-o", tmp_path / "x.pdf", "--quiet")
    assert result.exit_code == 1
    assert "2 pages have this title (a-o.md, b-o.md); give the source file" in result.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_python_m_kbbook() -> None:
    done = subprocess.run([sys.executable, "-m", "kbbook", "--version"], capture_output=True,
                          text=True, check=True)
    assert done.stdout.startswith("kbbook ")


def test_pdf_progress_is_silent_when_not_on_a_terminal(tmp_path: Path) -> None:
    make_site(tmp_path, {"index.md": page("Home", body="Hello.\n")})
    out = tmp_path / "book.pdf"
    result = run("pdf", tmp_path, "-o", out)  # no --quiet: output is not a terminal here
    assert result.exit_code == 0
    assert re.fullmatch(rf"wrote {re.escape(str(out))} \(\d+ kB\)\n", result.stderr)
    assert result.stdout == ""


@pytest.mark.parametrize("command", ["epub", "pdf"])
def test_css_must_be_a_file(tmp_path: Path, command: str) -> None:
    make_site(tmp_path, {"index.md": page("Home")})
    result = run(command, tmp_path, "--css", tmp_path)
    assert result.exit_code == 2
    assert "is a folder; give a CSS file" in result.output
    result = run(command, tmp_path, "--css", tmp_path / "none.css")
    assert result.exit_code == 2
    assert "none.css: no such file" in result.output
