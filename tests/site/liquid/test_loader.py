"""Includes never read outside the site (`..`, absolute names, links), nor anything that is
not a small regular file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kbbook.site.liquid.loader import read_inside

from liquid_util import render


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("TOP SECRET")
    return secret


def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "_includes").mkdir(parents=True)
    (root / "_includes" / "ok.html").write_text("ok")
    return root


@pytest.mark.parametrize("tag", [
    "{% include ../outside/secret.txt %}",
    "{% include ../../outside/secret.txt %}",
    "{% include /../outside/secret.txt %}",
    "{% include ./ok.html %}",
    "{% include_relative ../outside/secret.txt %}",
    "{% assign d = '..' %}{% include {{ d }}/outside/secret.txt %}",
    "{% assign f = '../outside/secret.txt' %}{% include {{ f }} %}",
])
def test_dotdot_is_refused(tmp_path: Path, outside: Path, tag: str) -> None:
    r = render(site(tmp_path), tag)
    assert "SECRET" not in r.text
    assert r.problems and r.problems[0].code == "liquid-include"


def test_an_absolute_name_means_the_includes_folder(tmp_path: Path, outside: Path) -> None:
    r = render(site(tmp_path), "{% include /ok.html %}|{% include " + str(outside) + " %}")
    assert r.text == "ok|" and "SECRET" not in r.text


def test_a_link_out_of_the_site_is_refused(tmp_path: Path, outside: Path) -> None:
    root = site(tmp_path)
    os.symlink(outside, root / "_includes" / "link.html")
    os.symlink(outside.parent, root / "_includes" / "dir")
    os.symlink(outside, root / "rel.md")
    r = render(root, "{% include link.html %}{% include dir/secret.txt %}"
               "{% include_relative rel.md %}")
    assert "SECRET" not in r.text
    assert len(r.problems) == 3 and all("outside" in p.message for p in r.problems)


def test_a_link_from_includes_to_elsewhere_in_the_site_is_refused(tmp_path: Path) -> None:
    # Jekyll's safe mode (GitHub Pages): the real path must be inside _includes
    root = site(tmp_path)
    (root / "private.md").write_text("not an include")
    os.symlink(root / "private.md", root / "_includes" / "p.html")
    assert render(root, "{% include p.html %}").text == ""


def test_a_fifo_a_device_and_a_big_file_are_refused(tmp_path: Path) -> None:
    root = site(tmp_path)
    os.mkfifo(root / "_includes" / "fifo.html")  # reading it would block for ever
    os.symlink("/dev/zero", root / "_includes" / "zero.html")
    (root / "_includes" / "big.html").write_text("x" * 2_000_000)
    r = render(root, "{% include fifo.html %}{% include zero.html %}{% include big.html %}")
    assert r.text == ""
    assert len(r.problems) == 3


def test_a_loop_of_links(tmp_path: Path) -> None:
    root = site(tmp_path)
    os.symlink(root / "_includes" / "a.html", root / "_includes" / "b.html")
    os.symlink(root / "_includes" / "b.html", root / "_includes" / "a.html")
    r = render(root, "{% include a.html %}")
    assert r.text == "" and r.problems


def test_read_inside_directly(tmp_path: Path, outside: Path) -> None:
    root = site(tmp_path)
    assert read_inside(root / "_includes", "ok.html", 100)[0] == "ok"
    for bad in ("../outside/secret.txt", "", ".", "/"):
        with pytest.raises(Exception):  # noqa: B017 - any refusal will do
            read_inside(root / "_includes", bad, 100)


def test_control_characters_from_includes_are_replaced(tmp_path: Path) -> None:
    root = site(tmp_path)
    (root / "_includes" / "esc.html").write_bytes(b"a\x1b[31mb\r\nc\xff")
    assert render(root, "{% include esc.html %}").text == "a\ufffd[31mb\nc\ufffd"


def test_includes_dir_cannot_lead_out_of_the_site(tmp_path: Path, outside: Path) -> None:
    root = site(tmp_path)
    r = render(root, "{% include secret.txt %}", {}, {"includes_dir": "../outside"})
    assert "SECRET" not in r.text


def test_a_linked_includes_folder_leading_out_is_refused(tmp_path: Path, outside: Path) -> None:
    root = tmp_path / "site"
    root.mkdir()
    os.symlink(outside.parent, root / "_includes")
    os.symlink(outside.parent, root / "docs")
    r = render(root, "{% include secret.txt %}{% include_relative docs/secret.txt %}")
    assert "SECRET" not in r.text and len(r.problems) == 2
