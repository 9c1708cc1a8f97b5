"""The chunk PDFs merged into one book with pikepdf (qpdf): pages in order, then what a
reader uses across them, rebuilt for the whole book: named destinations, links between
chunks, the nested bookmarks, the structure tree of a tagged PDF (one document, its parts
in reading order), the metadata, the language and what a PDF/A or PDF/UA variant declares.
(WeasyPrint writes no page labels: a viewer numbers the pages from the cover, as the print
does.)
"""

from __future__ import annotations

import hashlib
import io
import warnings
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, NameTree, OutlineItem, String

from .chunks import CROSS_CHUNK
from .memory import release_memory
from .page import MAX_BOOKMARK_LEVEL
from .palette import Palettes
from .slots import MARK, Value, stamp
from .structure import flatten_spans


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


def _graft(items: Sequence[OutlineItem], into: list[OutlineItem], ghosts: int
           ) -> list[tuple[list[OutlineItem], list[OutlineItem]]]:
    """Where a chunk's bookmarks go: (items, the list they join). A chunk that opens with
    `ghosts` bookmarks standing for the pages it is under (a long chapter's later part)
    hangs what they hold under the book's last bookmark at each of those levels."""
    pairs = []
    todo, target = list(items), into
    for _ in range(ghosts):
        if not todo or not target:
            break
        ghost, *rest = todo
        pairs.append((rest, target))
        todo, target = list(ghost.children), target[-1].children
    pairs.append((todo, target))
    return pairs


def _image_key(image: pikepdf.Stream) -> tuple[object, ...]:
    """What makes two image objects the same picture: their data and how it is read."""
    smask = image.get("/SMask")
    return (hashlib.blake2b(image.read_raw_bytes(), digest_size=20).digest(),
            tuple(sorted((str(k), repr(v)) for k, v in image.items()
                         if k not in ("/Length", "/SMask"))),
            None if smask is None else _image_key(smask))


class _Images:
    """Each picture once in the book: every chunk embeds its own copy of an image that
    several chunks show. Shared as each chunk is taken in, before its stream data is copied
    into the book, so that no copy is held until the end."""

    def __init__(self, palettes: Palettes | None = None, *, interpolate: bool = True) -> None:
        self._palettes = palettes
        self._interpolate = interpolate
        self._seen: dict[tuple[object, ...], pikepdf.Object] = {}
        self._done: set[tuple[int, int]] = set()
        self._keys: dict[tuple[int, int], tuple[object, ...]] = {}

    def share(self, pages: Sequence[pikepdf.Page]) -> None:
        new: list[tuple[pikepdf.Stream, bytes]] = []
        stack = [page.obj.get("/Resources") for page in pages]
        while stack:
            resources = stack.pop()
            if resources is None or (resources.objgen in self._done
                                     and resources.objgen != (0, 0)):
                continue
            self._done.add(resources.objgen)
            xobjects = resources.get("/XObject")
            if xobjects is None:
                continue
            for name in list(xobjects.keys()):
                xobject = xobjects[name]
                if xobject.get("/Subtype") == Name.Form:
                    stack.append(xobject.get("/Resources"))
                elif xobject.get("/Subtype") == Name.Image:
                    if xobject.objgen not in self._keys:
                        self._keys[xobject.objgen] = _image_key(xobject)
                    key = self._keys[xobject.objgen]
                    if key in self._seen:
                        xobjects[name] = self._seen[key]
                    else:
                        self._seen[key] = xobject
                        new.append((xobject, repr(key).encode()))
                        if not self._interpolate:
                            _not_interpolated(xobject)
        if self._palettes is not None:
            self._palettes.apply(new)


def _not_interpolated(image: pikepdf.Object) -> None:
    """PDF/A forbids asking viewers to smooth an image (WeasyPrint does, for
    `image-rendering: auto`): the image and its soft mask lose the request."""
    for obj in (image, image.get("/SMask")):
        if isinstance(obj, pikepdf.Stream) and "/Interpolate" in obj:
            del obj["/Interpolate"]


def _numbers(tree: pikepdf.Object) -> list[tuple[int, pikepdf.Object]]:
    """The (key, value) pairs of a number tree, leaves and kids alike, without recursion."""
    pairs, stack = [], [tree]
    while stack:
        node = stack.pop()
        nums = node.get("/Nums")
        if nums is not None:
            pairs += [(int(nums[i]), nums[i + 1]) for i in range(0, len(nums) - 1, 2)]
        stack += list(node.get("/Kids", []))
    return sorted(pairs, key=lambda pair: pair[0])


def _elements(k: pikepdf.Object | None) -> list[pikepdf.Object]:
    """A structure element's kids as a list (`/K` may be one object or an array)."""
    if k is None:
        return []
    return list(k) if isinstance(k, Array) else [k]


def _copy(book: pikepdf.Pdf, source: pikepdf.Pdf, obj: pikepdf.Object) -> pikepdf.Object:
    """`obj` of `source` in `book` (qpdf copies only indirect objects: a direct one is made
    indirect in the source first)."""
    if not isinstance(obj, pikepdf.Dictionary | pikepdf.Array | pikepdf.Stream):
        return obj
    return book.copy_foreign(obj if obj.is_indirect else source.make_indirect(obj))


_DOCUMENT_ENTRIES = ("/MarkInfo", "/ViewerPreferences", "/Metadata", "/OutputIntents")
"""What a variant (or tagging) puts in the catalogue, the same in every chunk."""


class _Structure:
    """One structure tree for the book, a chunk at a time: a Document element holding each
    chunk's elements in order; each chunk's parent-tree keys (of its pages and link
    annotations) moved past the chunk before. The chunks' elements point at the pages
    already copied (qpdf copies an object of a source once), so nothing is duplicated."""

    def __init__(self, book: pikepdf.Pdf) -> None:
        self.book = book
        self.document: pikepdf.Object | None = None
        self.nums = Array()
        self.roles: dict[str, pikepdf.Object] = {}
        self.next_key = 0

    def add(self, source: pikepdf.Pdf, pages: Sequence[pikepdf.Page]) -> None:
        """The structure of chunk `source`, whose pages are `pages` in the book."""
        tree = source.Root.get("/StructTreeRoot")
        if tree is None:
            return
        book = self.book
        if self.document is None:
            self.document = book.make_indirect(Dictionary(Type=Name.StructElem,
                                                          S=Name.Document, K=Array()))
        shift = self.next_key
        for page in pages:
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + shift
                self.next_key = max(self.next_key, int(page.obj.StructParents) + 1)
            for annot in page.obj.get("/Annots", []):
                if "/StructParent" in annot:
                    annot.StructParent = int(annot.StructParent) + shift
                    self.next_key = max(self.next_key, int(annot.StructParent) + 1)
        for key, value in _numbers(tree.get("/ParentTree", Dictionary())):
            self.nums.append(key + shift)
            self.nums.append(_copy(book, source, value))
            self.next_key = max(self.next_key, key + shift + 1)
        for top in _elements(tree.get("/K")):
            # a chunk is a Document of its own: its parts join the book's
            kids = _elements(top.get("/K")) if top.get("/S") == Name.Document else [top]
            for kid in kids:
                copied = _copy(book, source, kid)
                if isinstance(copied, Dictionary) and "/S" in copied:
                    copied.P = self.document
                self.document.K.append(copied)
        for name, value in (tree.get("/RoleMap") or Dictionary()).items():
            self.roles.setdefault(name, value)

    def finish(self) -> None:
        if self.document is None:
            return
        root = self.book.make_indirect(Dictionary(Type=Name.StructTreeRoot,
                                                  K=Array([self.document])))
        self.document.P = root
        _scope_headers(self.document)
        root.ParentTree = self.book.make_indirect(Dictionary(Nums=self.nums))
        root.ParentTreeNextKey = self.next_key
        if self.roles:
            root.RoleMap = Dictionary(self.roles)
        self.book.Root.StructTreeRoot = root


_UP = frozenset({"/Parent", "/P"})


def _own(objects: Sequence[pikepdf.Object], seen: set[tuple[int, int]]) -> None:
    """The stream data of what `objects` use (not going up to a parent) copied into the
    book: qpdf reads a copied stream's data from its source until then, and the source can
    be closed after (its parsed objects are most of the merge's memory)."""
    stack = list(objects)
    while stack:
        obj = stack.pop()
        if not isinstance(obj, Dictionary | Array | pikepdf.Stream):
            continue
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        if isinstance(obj, pikepdf.Stream):
            obj.write(obj.read_raw_bytes(), filter=obj.get("/Filter"),
                      decode_parms=obj.get("/DecodeParms"))
        if isinstance(obj, Array):
            stack += list(obj)
        else:
            stack += [value for key, value in obj.items() if key not in _UP]


def _scope_headers(document: pikepdf.Object) -> None:
    """Each table header cell says what it heads: a header row's cells their columns, a
    header cell in a body row its row (WeasyPrint links data cells to their headers, but
    leaves /Scope out, which screen readers also read)."""
    stack = [(document, None)]
    while stack:
        element, parent = stack.pop()
        kind = element.get("/S")
        if kind == Name.TH:
            section = parent.get("/P") if parent is not None else None
            in_head = section is not None and section.get("/S") == Name.THead
            scope = Name.Column if in_head else Name.Row
            attributes = element.get("/A")
            if attributes is None:
                element.A = Dictionary(O=Name.Table, Scope=scope)
            elif (isinstance(attributes, Dictionary) and attributes.get("/O") == Name.Table
                  and "/Scope" not in attributes):
                attributes.Scope = scope
        stack += [(kid, element) for kid in _elements(element.get("/K"))
                  if isinstance(kid, Dictionary) and "/S" in kid]


def _declare(book: pikepdf.Pdf, first: pikepdf.Pdf) -> None:
    """The catalogue entries of the first chunk (every chunk has the same), and its XMP
    metadata brought in line with the document information (PDF/A asks both to agree)."""
    for entry in _DOCUMENT_ENTRIES:
        if entry in first.Root:
            book.Root[entry] = _copy(book, first, first.Root[entry])
    agree(book)


def agree(pdf: pikepdf.Pdf) -> None:
    """The XMP metadata, where there is one, says what the document information says (the
    title, and kbbook as the producer): PDF/A asks both to agree."""
    if "/Metadata" in pdf.Root:
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta.load_from_docinfo(pdf.docinfo, raise_failure=False)


def save(pdf: pikepdf.Pdf, out: Path, version: str) -> None:
    """Write `pdf` to `out` as PDF `version` (or later): into memory, then to the file from
    Python, as qpdf aborts the whole process when a write fails (a full disk), where
    Python's OSError leaves the older book in place."""
    data = io.BytesIO()
    old = version < "1.5"  # (PDF 1.4, as PDF/A-1 asks, has no object streams)
    pdf.save(data, min_version=version, compress_streams=True,
             object_stream_mode=pikepdf.ObjectStreamMode.disable if old
             else pikepdf.ObjectStreamMode.generate, deterministic_id=True)
    with out.open("wb") as f:
        f.write(data.getbuffer())


def tidy(path: Path, palettes: Palettes | None = None, *, interpolate: bool = True) -> None:
    """A PDF as WeasyPrint wrote it, made as kbbook writes them: the structure tree without
    its plain Spans (structure.py), the XMP metadata agreeing with the document information,
    its images in 256 colours where no difference shows (`palettes`), none of them smoothed
    when not `interpolate` (PDF/A)."""
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        flattened = flatten_spans(pdf)
        if palettes is not None or not interpolate:
            _Images(palettes, interpolate=interpolate).share(list(pdf.pages))
        elif not flattened and "/Metadata" not in pdf.Root:
            return
        if "/Metadata" in pdf.Root:
            agree(pdf)
        save(pdf, path, pdf.pdf_version)


def _stamp(page: pikepdf.Page, value: Value) -> bool:
    """The numbers marked on a page (and in the forms it draws) stamped; whether each had
    the room it needed."""
    fits = True
    streams = list(page.obj.Contents) if isinstance(page.obj.get("/Contents"), Array) \
        else [page.obj.get("/Contents")]
    stack, seen = [page.obj.get("/Resources")], set()
    while stack:
        resources = stack.pop()
        xobjects = resources.get("/XObject") if resources is not None else None
        for name in list(xobjects.keys()) if xobjects is not None else []:
            xobject = xobjects[name]
            if xobject.get("/Subtype") == Name.Form and xobject.objgen not in seen:
                seen.add(xobject.objgen)
                streams.append(xobject)
                stack.append(xobject.get("/Resources"))
    for stream in streams:
        if not isinstance(stream, pikepdf.Stream):
            continue
        data = stream.read_bytes()
        if MARK not in data:
            continue
        stamped, ok = stamp(data, value)
        stream.write(zlib.compress(stamped), filter=Name.FlateDecode)
        fits = fits and ok
    return fits


def _link_chunks(pages: Sequence[pikepdf.Page]) -> None:
    """A link into another chunk (`kbbook:ID`) made a link to the book's destination ID."""
    for page in pages:
        for annot in page.get("/Annots", []):
            action = annot.get("/A")
            if action is None or action.get("/S") != Name.URI:
                continue
            uri = str(action.get("/URI", ""))
            if uri.startswith(CROSS_CHUNK):
                del annot["/A"]
                annot.Dest = String(uri[len(CROSS_CHUNK):])


def merge(parts: Sequence[Path], owned: Sequence[frozenset[str]], out: Path,
          ghosts: Sequence[int] | None = None, *,
          stamps: Callable[[int], Value] | None = None,
          misfits: list[int] | None = None, palettes: Palettes | None = None,
          interpolate: bool = True) -> int:
    """Merge the chunk PDFs `parts` (in order) into `out`; `owned[i]` are the ids of chunk i,
    whose named destinations it provides; chunk i opens with `ghosts[i]` bookmarks that
    stand for the pages it is under (`_graft`). The numbers marked on page n (from 1) are
    stamped with `stamps(n)`; the pages where one did not fit its room go to `misfits`.
    `palettes` makes images Indexed where no difference shows; no image is smoothed when not
    `interpolate` (PDF/A). Returns the page count. One chunk is open at a time."""
    book = pikepdf.new()
    structure = _Structure(book)
    images = _Images(palettes, interpolate=interpolate)
    dests = NameTree.new(book)
    seen: set[tuple[int, int]] = set()
    try:
        with book.open_outline(max_depth=MAX_BOOKMARK_LEVEL + 1) as outline:
            for index, part in enumerate(parts):
                with pikepdf.open(part) as source:
                    if index == 0:
                        version = source.pdf_version
                        if source.docinfo:
                            book.docinfo = book.copy_foreign(source.docinfo)
                        if "/Lang" in source.Root:
                            book.Root.Lang = source.Root.Lang
                        _declare(book, source)
                    offset = len(book.pages)
                    with warnings.catch_warnings():
                        # Named destinations are rebuilt below, for the whole book.
                        warnings.simplefilter("ignore", pikepdf.PageCopyWarning if hasattr(
                            pikepdf, "PageCopyWarning") else UserWarning)
                        book.pages.extend(source.pages)
                    pages = list(book.pages[offset:])
                    images.share(pages)
                    structure.add(source, pages)
                    numbers = _page_numbers(source)
                    for name, dest in _dests(source):
                        if name not in owned[index] or not isinstance(dest, Array) \
                                or not len(dest):
                            continue  # another chunk's place: that chunk says where it is
                        page = _page_index(numbers, dest[0])
                        if page is not None:
                            dests[name] = Array([pages[page].obj, *list(dest)[1:]])
                    _link_chunks(pages)
                    if stamps is not None:
                        for number, page in enumerate(pages, offset + 1):
                            if not _stamp(page, stamps(number)) and misfits is not None:
                                misfits.append(number)
                    with source.open_outline(max_depth=MAX_BOOKMARK_LEVEL + 1) as chunk_outline:
                        for items, into in _graft(chunk_outline.root, outline.root,
                                                  (ghosts or [0] * len(parts))[index]):
                            _copy_outline(items, numbers, offset, into)
                    _own([page.obj for page in pages]
                         + ([book.Root, book.trailer.get("/Info")] if index == 0 else []),
                         seen)
        structure.finish()
        book.Root.Names = Dictionary(Dests=dests.obj)
        release_memory()  # (what copying left free: the save needs room of its own)
        save(book, out, version)
        return len(book.pages)
    finally:
        book.close()
