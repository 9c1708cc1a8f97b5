"""The structure tree without WeasyPrint's plain Spans and NonStructs: every piece of marked
content still belongs to one element, which the parent tree names."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import weasyprint
from pikepdf import Array, Dictionary, Name

from kbbook.writers.pdf.structure import flatten_spans
from pdfcheck import elements, structure_problems

_HTML = """<!DOCTYPE html><html lang="en"><head><title>Spans</title></head><body>
<h1>Spans</h1>
<p>Some <span>plain</span> words, <em>stressed</em>, <code>code</code> and
<span lang="fr">en français</span>, and <a href="#end">a link</a>.</p>
<pre><code><span class="k">def</span> <span class="nf">f</span>():
    <span class="k">return</span> <span class="mi">1</span></code></pre>
<p style="break-before: page" id="end">A second page, <span>with a <span>span</span>
in a span</span>.</p>
</body></html>"""


def _tagged(path: Path) -> Path:
    weasyprint.HTML(string=_HTML).write_pdf(path, pdf_variant="pdf/ua-1", pdf_tags=True)
    return path


def _owners(pdf: pikepdf.Pdf) -> dict[tuple[tuple[int, int], int], tuple[int, int]]:
    """(page, MCID) -> the element whose kids hold it."""
    found = {}
    for element in elements(pdf):
        kids = element.get("/K")
        for kid in (list(kids) if isinstance(kids, Array) else [kids]):
            if isinstance(kid, int) and "/Pg" in element:
                found[(element.Pg.objgen, kid)] = element.objgen
            elif isinstance(kid, Dictionary) and kid.get("/Type") == Name.MCR:
                found[(kid.Pg.objgen, int(kid.MCID))] = element.objgen
    return found


def _parent_tree(pdf: pikepdf.Pdf) -> dict[tuple[tuple[int, int], int], tuple[int, int]]:
    """(page, MCID) -> the element the parent tree names for it."""
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    by_key = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    found = {}
    for page in pdf.pages:
        for mcid, element in enumerate(by_key[int(page.obj.StructParents)]):
            found[(page.obj.objgen, mcid)] = element.objgen
    return found


def test_plain_spans_go_and_every_content_keeps_one_owner(tmp_path: Path) -> None:
    path = _tagged(tmp_path / "tagged.pdf")
    with pikepdf.open(path) as pdf:
        before = _owners(pdf)
        spans = [e for e in elements(pdf) if Name.Span == e.S]
        assert len(spans) >= 6  # (WeasyPrint's, one per inline box)
        spans[0].Lang = pikepdf.String("fr")  # a Span that says something
        groups = [e for e in elements(pdf) if Name.NonStruct == e.S]
        assert groups  # (WeasyPrint's, around boxes of no element)
        assert flatten_spans(pdf) == len(spans) - 1 + len(groups)
        after = _owners(pdf)
        assert set(after) == set(before)  # no marked content lost or added
        assert _parent_tree(pdf) == after  # and the parent tree agrees
        assert [e.objgen for e in elements(pdf) if Name.Span == e.S] == [spans[0].objgen]
        assert not [e for e in elements(pdf) if Name.NonStruct == e.S]
        pdf.save(tmp_path / "flat.pdf")
    assert structure_problems(tmp_path / "flat.pdf") == structure_problems(path)


def test_an_untagged_pdf_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "plain.pdf"
    weasyprint.HTML(string=_HTML).write_pdf(path)
    with pikepdf.open(path) as pdf:
        assert flatten_spans(pdf) == 0
