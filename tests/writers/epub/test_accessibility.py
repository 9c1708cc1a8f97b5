"""What Ace by DAISY finds in the books: nothing serious, nothing critical."""

from __future__ import annotations

from pathlib import Path

import pytest

import kbbook
from ace import needs_ace, run_ace

from shared import CONTENT, MPTCP, needs_mptcp

pytestmark = needs_ace


@pytest.mark.parametrize("site", [pytest.param(CONTENT, id="content"),
                                  pytest.param(MPTCP, id="mptcp", marks=needs_mptcp)])
def test_ace_finds_nothing_serious(site: Path, tmp_path: Path) -> None:
    book = kbbook.build_epub(site, tmp_path / "book.epub").output
    report = run_ace(book)
    assert report.serious() == [], report.findings
    assert report.outcome == "pass", report.findings


def test_the_kobo_book_too(tmp_path: Path) -> None:
    report = run_ace(kbbook.build_epub(CONTENT, tmp_path / "book.kepub.epub",
                                       device="kobo").output)
    assert report.serious() == [], report.findings
