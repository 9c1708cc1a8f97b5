"""Two PDFs of one book compared as a reader meets them: the chunked print against the
single render (one WeasyPrint document, page numbers by `target-counter`), the oracle."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader


def marks(reader: PdfReader, outline: list, depth: int = 0) -> list[tuple[int, str, int]]:
    out: list[tuple[int, str, int]] = []
    for item in outline:
        if isinstance(item, list):
            out += marks(reader, item, depth + 1)
        else:
            out.append((depth, item.title, reader.get_destination_page_number(item)))
    return out


def _links(reader: PdfReader) -> list[tuple[int, str, int | None]]:
    """(page, target, page the target is on) of every link, internal or to the web."""
    found: list[tuple[int, str, int | None]] = []
    dests = reader.named_destinations
    for index, pdf_page in enumerate(reader.pages):
        for annot in pdf_page.get("/Annots") or []:
            annot = annot.get_object()
            dest = annot.get("/Dest")
            if isinstance(dest, str):
                target = dests.get(dest)
                found.append((index, dest, None if target is None
                              else reader.get_destination_page_number(target)))
            elif "/URI" in (annot.get("/A") or {}):
                found.append((index, str(annot["/A"]["/URI"]), -1))
    return found


def same_book(chunked: Path, single: Path) -> None:
    a, b = PdfReader(chunked), PdfReader(single)
    assert len(a.pages) == len(b.pages)
    assert marks(a, a.outline) == marks(b, b.outline)
    links = _links(a)
    assert links == _links(b)
    assert all(target is not None for _, _, target in links), "a link leads nowhere"
    assert [p.extract_text() for p in a.pages] == [p.extract_text() for p in b.pages]
    assert a.metadata == b.metadata
