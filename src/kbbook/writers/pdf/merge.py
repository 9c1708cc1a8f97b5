"""The chunk PDFs merged into one book with pikepdf (qpdf): pages in order, then what a
reader uses across them, rebuilt for the whole book: named destinations, links between
chunks, the nested bookmarks, the metadata and the language. (WeasyPrint writes no page
labels: a viewer numbers the pages from the cover, as the print does.)
"""

from __future__ import annotations

import hashlib
import io
import warnings
from collections.abc import Sequence
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, NameTree, OutlineItem, String

from .chunks import CROSS_CHUNK
from .page import MAX_BOOKMARK_LEVEL


def _dests(pdf: pikepdf.Pdf) -> list[tuple[str, pikepdf.Object]]:
    """The named destinations of one chunk PDF, in order."""
    names = pdf.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return []
    return [(str(key), value) for key, value in NameTree(names.Dests).items()]


def _page_numbers(pdf: pikepdf.Pdf) -> dict[tuple[int, int], int]:
    """Each page object of a PDF -> its index."""
    return {page.obj.objgen: index for index, page in enumerate(pdf.pages)}


def _page_index(numbers: dict[tuple[int, int], int], ref: pikepdf.Object) -> int | None:
    try:
        return numbers.get(ref.objgen)
    except (AttributeError, TypeError):
        return None


def _copy_outline(items: Sequence[OutlineItem], numbers: dict[tuple[int, int], int],
                  offset: int, into: list[OutlineItem]) -> None:
    """Bookmarks of one chunk appended to `into`, their pages moved by `offset`; depth is
    unbounded, so no recursion."""
    stack = [(list(items), into)]
    while stack:
        todo, target = stack.pop()
        for item in todo:
            page = None
            dest = item.destination
            top = left = None
            if isinstance(dest, Array) and len(dest) >= 1:
                page = _page_index(numbers, dest[0])
                if len(dest) >= 4 and str(dest[1]) == "/XYZ":
                    left, top = float(dest[2]), float(dest[3])
            copy = OutlineItem(item.title, offset + (page or 0), "XYZ", left=left, top=top) \
                if page is not None else OutlineItem(item.title)
            copy.is_closed = item.is_closed
            target.append(copy)
            if item.children:
                stack.append((list(item.children), copy.children))


def _image_key(image: pikepdf.Stream) -> tuple[object, ...]:
    """What makes two image objects the same picture: their data and how it is read."""
    smask = image.get("/SMask")
    return (hashlib.blake2b(image.read_raw_bytes(), digest_size=20).digest(),
            tuple(sorted((str(k), repr(v)) for k, v in image.items()
                         if k not in ("/Length", "/SMask"))),
            None if smask is None else _image_key(smask))


def _share_images(book: pikepdf.Pdf) -> None:
    """An image that several chunks show is kept once: each chunk embedded its own copy."""
    seen: dict[tuple[object, ...], pikepdf.Object] = {}
    done: set[tuple[int, int]] = set()
    keys: dict[tuple[int, int], tuple[object, ...]] = {}
    stack = [page.obj.get("/Resources") for page in book.pages]
    while stack:
        resources = stack.pop()
        if resources is None or (resources.objgen in done and resources.objgen != (0, 0)):
            continue
        done.add(resources.objgen)
        xobjects = resources.get("/XObject")
        if xobjects is None:
            continue
        for name in list(xobjects.keys()):
            xobject = xobjects[name]
            if xobject.get("/Subtype") == Name.Form:
                stack.append(xobject.get("/Resources"))
            elif xobject.get("/Subtype") == Name.Image:
                if xobject.objgen not in keys:
                    keys[xobject.objgen] = _image_key(xobject)
                key = keys[xobject.objgen]
                if key in seen:
                    xobjects[name] = seen[key]
                else:
                    seen[key] = xobject


def merge(parts: Sequence[Path], owned: Sequence[frozenset[str]], out: Path) -> int:
    """Merge the chunk PDFs `parts` (in order) into `out`; `owned[i]` are the ids of chunk i,
    whose named destinations it provides. Returns the page count."""
    book = pikepdf.new()
    sources = [pikepdf.open(part) for part in parts]
    try:
        first = sources[0]
        offsets = []
        with warnings.catch_warnings():
            # Named destinations are rebuilt below, for the whole book.
            warnings.simplefilter("ignore", pikepdf.PageCopyWarning if hasattr(
                pikepdf, "PageCopyWarning") else UserWarning)
            for source in sources:
                offsets.append(len(book.pages))
                book.pages.extend(source.pages)
        if first.docinfo:
            book.docinfo = book.copy_foreign(first.docinfo)
        if "/Lang" in first.Root:
            book.Root.Lang = first.Root.Lang
        numbers = [_page_numbers(source) for source in sources]
        dests = NameTree.new(book)
        for source, offset, ids, pages in zip(sources, offsets, owned, numbers, strict=True):
            for name, dest in _dests(source):
                if name not in ids or not isinstance(dest, Array) or not len(dest):
                    continue  # another chunk's place: that chunk says where it is
                page = _page_index(pages, dest[0])
                if page is None:
                    continue
                dests[name] = Array([book.pages[offset + page].obj, *list(dest)[1:]])
        book.Root.Names = Dictionary(Dests=dests.obj)
        for page in book.pages:
            for annot in page.get("/Annots", []):
                action = annot.get("/A")
                if action is None or action.get("/S") != Name.URI:
                    continue
                uri = str(action.get("/URI", ""))
                if uri.startswith(CROSS_CHUNK):
                    del annot["/A"]
                    annot.Dest = String(uri[len(CROSS_CHUNK):])
        _share_images(book)
        with book.open_outline(max_depth=MAX_BOOKMARK_LEVEL + 1) as outline:
            for source, offset, pages in zip(sources, offsets, numbers, strict=True):
                with source.open_outline(max_depth=MAX_BOOKMARK_LEVEL + 1) as chunk_outline:
                    _copy_outline(chunk_outline.root, pages, offset, outline.root)
        # Into memory, then to the file from Python: qpdf aborts the whole process when a
        # write fails (a full disk), where Python's OSError leaves the older book in place.
        data = io.BytesIO()
        book.save(data, object_stream_mode=pikepdf.ObjectStreamMode.generate,
                  compress_streams=True, deterministic_id=True)
        with out.open("wb") as f:
            f.write(data.getbuffer())
        return len(book.pages)
    finally:
        for source in sources:
            source.close()
        book.close()
