"""Checks of a tagged PDF and of what PDF/A asks, as the tests run them: the parts of
ISO 14289-1 (PDF/UA) and ISO 19005 (PDF/A) a program can decide from the file. pdfua checks
the PDF/UA rules it implements; these add the structure tree's integrity (what merging
chunks could break) and the PDF/A declarations, which no validator we can install checks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name


def elements(pdf: pikepdf.Pdf) -> Iterator[Dictionary]:
    """The structure elements in reading order (depth first)."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return
    stack = list(reversed(_kids(root)))
    while stack:
        element = stack.pop()
        yield element
        stack += reversed(_kids(element))


def _kids(element: pikepdf.Object) -> list[Dictionary]:
    k = element.get("/K")
    kids = list(k) if isinstance(k, Array) else [] if k is None else [k]
    return [kid for kid in kids if isinstance(kid, Dictionary) and "/S" in kid]


def _numbers(tree: pikepdf.Object) -> dict[int, pikepdf.Object]:
    found: dict[int, pikepdf.Object] = {}
    stack = [tree]
    while stack:
        node = stack.pop()
        nums = node.get("/Nums", [])
        found.update({int(nums[i]): nums[i + 1] for i in range(0, len(nums) - 1, 2)})
        stack += list(node.get("/Kids", []))
    return found


def structure_problems(path: Path) -> list[str]:
    """What is wrong with the structure tree: elements pointing at no page of the book,
    pages or links whose parent-tree entry is missing or shared, a tree with more than
    one document, headings with no content."""
    problems: list[str] = []
    with pikepdf.open(path) as pdf:
        root = pdf.Root.get("/StructTreeRoot")
        if root is None:
            return ["no structure tree (the PDF is not tagged)"]
        if pdf.Root.get("/MarkInfo", {}).get("/Marked") is not True:
            problems.append("/MarkInfo /Marked is not true")
        pages = {page.obj.objgen for page in pdf.pages}
        tops = _kids(root)
        if len(tops) != 1 or tops[0].get("/S") != Name.Document:
            problems.append(f"{len(tops)} top-level elements, not one Document")
        parents = _numbers(root.get("/ParentTree", Dictionary()))
        keys: list[int] = []
        for n, page in enumerate(pdf.pages, 1):
            if "/StructParents" in page.obj:
                keys.append(int(page.obj.StructParents))
            else:
                problems.append(f"page {n} has no /StructParents")
            keys += [int(a.StructParent) for a in page.obj.get("/Annots", [])
                     if "/StructParent" in a]
        if len(keys) != len(set(keys)):
            problems.append("parent-tree keys used twice")
        problems += [f"parent-tree key {key} missing" for key in keys if key not in parents]
        if keys and int(root.get("/ParentTreeNextKey", 0)) <= max(keys):
            problems.append("/ParentTreeNextKey is not past the last key")
        for element in elements(pdf):
            page = element.get("/Pg")
            if page is not None and page.objgen not in pages:
                problems.append(f"a {element.S} element points at a page not in the book")
            role = str(element.S)
            if re.fullmatch(r"/H[1-6]", role) and element.get("/K") is None:
                problems.append(f"an empty {role}")
    return problems


def headings(path: Path) -> list[tuple[str, int]]:
    """(role, page number) of each heading element, in the structure's order."""
    with pikepdf.open(path) as pdf:
        numbers = {page.obj.objgen: n for n, page in enumerate(pdf.pages, 1)}
        return [(str(e.S)[1:], numbers.get(e.Pg.objgen, 0)) for e in elements(pdf)
                if re.fullmatch(r"/H[1-6]", str(e.S)) and "/Pg" in e]


def _fonts(resources: pikepdf.Object | None, seen: set[tuple[int, int]]) -> Iterator[Dictionary]:
    if resources is None or (resources.objgen in seen and resources.objgen != (0, 0)):
        return
    seen.add(resources.objgen)
    for font in (resources.get("/Font") or Dictionary()).values():
        yield font
        yield from font.get("/DescendantFonts", [])
        yield from _fonts(font.get("/Resources"), seen)  # a Type 3 font's own
    for xobject in (resources.get("/XObject") or Dictionary()).values():
        if xobject.get("/Subtype") == Name.Form:
            yield from _fonts(xobject.get("/Resources"), seen)


def _transparency(pdf: pikepdf.Pdf) -> list[str]:
    """What PDF/A-1 forbids: soft masks, transparency groups, constant alpha below 1."""
    found: set[str] = set()
    for obj in pdf.objects:
        if not isinstance(obj, Dictionary | pikepdf.Stream):
            continue
        if obj.get("/SMask") not in (None, Name("/None")):
            found.add("a soft mask (transparency)")
        group = obj.get("/Group")
        if isinstance(group, Dictionary) and group.get("/S") == Name.Transparency:
            found.add("a transparency group")
        for key in ("/CA", "/ca"):
            if key in obj and float(obj[key]) < 1:
                found.add("constant alpha below 1")
    return sorted(found)


def pdfa_problems(path: Path, part: int, conformance: str) -> list[str]:
    """What a PDF/A-`part``conformance` file must declare and hold that this one lacks:
    the identification in its XMP metadata, metadata that agrees with the document
    information, an output intent, embedded fonts, a file identifier, printable
    annotations, no image to be smoothed (Interpolate), no encryption or JavaScript."""
    problems: list[str] = []
    with pikepdf.open(path) as pdf:
        meta = pdf.open_metadata()
        if meta.get("pdfaid:part") != str(part):
            problems.append(f"XMP pdfaid:part is {meta.get('pdfaid:part')!r}")
        if (meta.get("pdfaid:conformance") or "").upper() != conformance.upper():
            problems.append(f"XMP pdfaid:conformance is {meta.get('pdfaid:conformance')!r}")
        info = pdf.docinfo
        if "/Title" in info and meta.get("dc:title") != str(info.Title):
            problems.append("XMP dc:title and the document title differ")
        if "/Producer" in info and meta.get("pdf:Producer") != str(info.Producer):
            problems.append("XMP pdf:Producer and the document producer differ")
        intents = pdf.Root.get("/OutputIntents", [])
        if not any(i.get("/S") == Name.GTS_PDFA1 and "/DestOutputProfile" in i
                   for i in intents):
            problems.append("no PDF/A output intent with an ICC profile")
        if "/ID" not in pdf.trailer:
            problems.append("no file identifier (/ID)")
        if "/Encrypt" in pdf.trailer:
            problems.append("encrypted")
        if "/JavaScript" in (pdf.Root.get("/Names") or Dictionary()):
            problems.append("JavaScript")
        seen: set[tuple[int, int]] = set()
        for n, page in enumerate(pdf.pages, 1):
            for font in _fonts(page.obj.get("/Resources"), seen):
                descriptor = font.get("/FontDescriptor")
                if font.get("/Subtype") in (Name.Type0, Name.Type3) or descriptor is None:
                    continue
                if not any(k in descriptor for k in ("/FontFile", "/FontFile2",
                                                     "/FontFile3")):
                    problems.append(f"page {n}: font {font.get('/BaseFont')} not embedded")
            for annot in page.obj.get("/Annots", []):
                if annot.get("/Subtype") != Name.Popup and not int(annot.get("/F", 0)) & 4:
                    problems.append(f"page {n}: an annotation that does not print")
                    break
        if any(isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == Name.Image
               and bool(obj.get("/Interpolate", False)) for obj in pdf.objects):
            problems.append("an image asks viewers to smooth it (Interpolate true)")
        if part == 1 and pdf.pdf_version > "1.4":
            problems.append(f"PDF {pdf.pdf_version}; PDF/A-1 is PDF 1.4")
        if part == 1:
            problems += _transparency(pdf)
    return problems
