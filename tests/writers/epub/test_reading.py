"""The EPUB as a reading engine lays it out (headless Chromium at 480 px, a small phone or
e-reader): what the reader sees, not what the markup says."""

from __future__ import annotations

from pathlib import Path

import pytest

import kbbook
from reader_engine import BROKEN_WORDS, lay_out, needs_chromium

from shared import LAKEFS, ROOT, needs_lakefs

READING = ROOT / "tests" / "fixtures" / "sites" / "reading"

pytestmark = needs_chromium

WHAT_THE_READER_SEES = """(doc, win) => {
  const style = el => win.getComputedStyle(el);
  const sup = doc.querySelector("sup");
  const before = sup.previousSibling;
  const range = doc.createRange();
  range.setStart(before, before.data.length - 1);
  range.setEnd(before, before.data.length);
  const labels = [...doc.querySelectorAll("p.label")];
  const callout = doc.querySelector("blockquote .callout");
  const missing = doc.querySelector(".kb-missing-image");
  return {
    raised: range.getBoundingClientRect().bottom - sup.getBoundingClientRect().bottom,
    align: [...doc.querySelectorAll("th")].map(th => style(th).textAlign),
    labels: labels.map(l => ({display: style(l).display,
                              top: Math.round(l.getBoundingClientRect().top),
                              width: l.getBoundingClientRect().width})),
    width: doc.querySelector("section").getBoundingClientRect().width,
    details: doc.querySelector(".kb-details p").getBoundingClientRect().height,
    summary: style(doc.querySelector(".kb-summary")).fontWeight,
    callout: callout ? style(callout).borderLeftWidth : null,
    missing: missing && [missing.tagName.toLowerCase(), missing.textContent,
                         missing.getAttribute("href")],
  };
}"""


# Pages as reading systems make them (Readium, foliate-js): CSS columns one screen wide. A
# spacer pushes the content down a few pixels at a time; for every position, a callout's title
# must share its page (column) with the text after it, a table header with the first row.
PAGINATED = """(doc, win) => {
  const root = doc.documentElement;
  root.style.cssText = "height: 600px; column-width: 480px; column-gap: 0; column-fill: auto";
  const spacer = doc.createElement("div");
  doc.body.prepend(spacer);
  const column = el => Math.floor(el.getBoundingClientRect().left / 480);
  const alone = [];
  for (let push = 0; push < 600; push += 6) {
    spacer.style.height = push + "px";
    for (const title of doc.querySelectorAll(".callout-title")) {
      if (column(title) !== column(title.nextElementSibling)) alone.push(["title", push]);
    }
    for (const head of doc.querySelectorAll("thead")) {
      const first = head.parentElement.querySelector("tbody tr");
      if (column(head) !== column(first)) alone.push(["header", push]);
    }
  }
  return alone;
}"""


@pytest.fixture(scope="module")
def reading_epub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reading") / "reading.epub"
    kbbook.build_epub(READING, out)
    return out


def test_what_a_reader_sees(reading_epub: Path) -> None:
    seen = lay_out(reading_epub, ["index.xhtml"], WHAT_THE_READER_SEES)["index.xhtml"]
    assert isinstance(seen, dict), seen
    assert seen["raised"] > 2  # the footnote number stands above the line, not on it
    assert seen["align"] == ["start", "start", "right", "center", "start"]
    first, second = seen["labels"]
    # Small marks in the text, side by side, as the site shows them; not full-width bars.
    assert first["display"] == second["display"] == "inline-block"
    assert first["top"] == second["top"] and first["width"] < seen["width"] / 3
    assert seen["details"] > 0 and int(seen["summary"]) >= 700  # open, its summary a heading
    assert seen["callout"] not in (None, "0px")  # the highlighted paragraph in the quote
    assert seen["missing"] == ["a", "[image: diagram.png]", "https://images.example/diagram.png"]


def test_no_word_breaks_inside_a_table_cell(reading_epub: Path) -> None:
    (seen,) = lay_out(reading_epub, ["index.xhtml"], BROKEN_WORDS).values()
    assert seen == {"broken": [], "wide": 0, "tables": 1}


def test_titles_and_headers_are_never_alone_at_the_foot_of_a_page(reading_epub: Path) -> None:
    assert lay_out(reading_epub, ["breaks.xhtml"], PAGINATED) == {"breaks.xhtml": []}


@needs_lakefs
def test_real_tables_keep_their_words_and_fit_the_screen(tmp_path: Path) -> None:
    """lakefs has 27 tables, some of six columns or with long API paths."""
    import zipfile

    out = tmp_path / "lakefs.epub"
    kbbook.build_epub(LAKEFS, out)
    with zipfile.ZipFile(out) as z:
        documents = [name.removeprefix("EPUB/") for name in z.namelist()
                     if name.endswith(".xhtml") and b"<table" in z.read(name)]
    seen = lay_out(out, documents, BROKEN_WORDS)
    assert sum(page["tables"] for page in seen.values()) >= 27  # type: ignore[index]
    assert [word for page in seen.values() for word in page["broken"]] == []  # type: ignore[index]
    assert [name for name, page in seen.items() if page["wide"]] == []  # type: ignore[index]
