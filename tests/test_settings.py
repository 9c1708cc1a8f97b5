"""Every option of the commands can also be set in `_config.yml`'s `kbbook:` section (the
command line wins), and `kbbook config` shows what is in effect and where it came from."""

from __future__ import annotations

from pathlib import Path

import pikepdf
from typer.testing import CliRunner

from kbbook.cli import app
from kbbook.settings import OPTIONS
from kbbook.site.config import COMMAND_SETTINGS

from sitemaker import make_site, page

CONFIG = """title: Field Guide
kbbook:
  publisher: ACME
  paper: letter
  pdf_variant: none
  formats: pdf
  image_dpi: 150
"""


def _site(root: Path, config: str = CONFIG) -> Path:
    return make_site(root, {"_config.yml": config, "index.md": page("Home", body="Hello.\n")})


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_config_shows_each_setting_and_its_source(tmp_path: Path) -> None:
    code, output = _run("config", str(_site(tmp_path)), "-c", "pdf")
    assert code == 0, output
    lines = {line.split()[0]: line for line in output.splitlines()[1:]}
    assert lines["paper"].split()[1:] == ["letter", "(_config.yml:4)"]
    assert lines["image_dpi"].split()[1:] == ["150", "(_config.yml:7)"]
    assert lines["jobs"].endswith("(one per core)  (default)")
    assert "formats" not in lines  # (a setting of build and watch, not of pdf)
    code, output = _run("config", str(_site(tmp_path)))
    assert code == 0 and {"toc:", "check:", "epub:", "pdf:", "build:", "watch:"} <= set(
        output.splitlines())


def test_the_books_follow_the_config_and_the_command_line_wins(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    code, output = _run("build", str(site), "-o", str(tmp_path))
    assert code == 0, output
    assert [p.name for p in tmp_path.glob("*.*")] == ["Field Guide.pdf"]  # formats: pdf
    with pikepdf.open(tmp_path / "Field Guide.pdf") as pdf:
        assert [round(float(v)) for v in pdf.pages[0].mediabox] == [0, 0, 612, 792]  # letter
        assert "/StructTreeRoot" not in pdf.Root  # pdf_variant: none
    code, output = _run("pdf", str(site), "-o", str(tmp_path / "a4.pdf"), "--paper", "a4",
                        "--pdf-variant", "pdf/ua-1")
    assert code == 0, output
    with pikepdf.open(tmp_path / "a4.pdf") as pdf:
        assert [round(float(v)) for v in pdf.pages[0].mediabox] == [0, 0, 595, 842]
        assert "/StructTreeRoot" in pdf.Root


def test_a_wrong_value_names_its_line_and_writes_nothing(tmp_path: Path) -> None:
    site = _site(tmp_path / "site", "title: T\nkbbook:\n  paper: a5\n")
    code, output = _run("pdf", str(site), "-o", str(tmp_path / "b.pdf"))
    assert code == 2 and "_config.yml:3: kbbook.paper must be one of a4, letter" in output
    assert not (tmp_path / "b.pdf").exists()
    site = _site(tmp_path / "other", "title: T\nkbbook:\n  css: ../outside.css\n")
    (tmp_path / "outside.css").write_text("p { color: red }")
    code, output = _run("epub", str(site), "-o", str(tmp_path / "c.epub"))
    assert code == 2 and "'../outside.css' is not a file inside the site" in output


def test_settings_are_no_unknown_keys_of_the_section(tmp_path: Path) -> None:
    assert {o.name for o in OPTIONS} == COMMAND_SETTINGS
    code, output = _run("check", str(_site(tmp_path)))
    assert code == 0 and "unknown setting" not in output
