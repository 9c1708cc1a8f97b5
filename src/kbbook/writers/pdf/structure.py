"""A tagged chunk PDF's structure tree without its plain Span and NonStruct elements.

WeasyPrint tags every inline box as a Span of its own: in a page of highlighted code each
token is one, so Spans are about two thirds of a tagged book's objects (80,000 of 116,000 in
lakeFS's 530 pages). A Span with nothing but content says nothing a reader uses (it has no
role, language, alternative or actual text), so its marked content can belong to the element
around it, as PDF/UA allows. Fewer objects make the PDF smaller and the merge of a big book
lighter (qpdf holds every object of the book in memory while it merges). The same goes for
a plain NonStruct, which WeasyPrint puts around boxes of no element of their own (a third of
what is left after the Spans: 48,000 of 148,000 objects in lakeFS three times over): PDF
defines its content as its parent's.
"""

from __future__ import annotations

import pikepdf
from pikepdf import Array, Dictionary, Name

_PLAIN = frozenset({"/Type", "/S", "/P", "/K", "/Pg"})
"""The only entries of a Span whose content can move to its parent."""
_FOLDED = (Name.Span, Name.NonStruct)


def _kids(k: pikepdf.Object | None) -> list[pikepdf.Object]:
    if k is None:
        return []
    return list(k) if isinstance(k, Array) else [k]


def _plain_span(kid: pikepdf.Object) -> bool:
    return (isinstance(kid, Dictionary) and kid.get("/S") in _FOLDED
            and kid.get("/Type", Name.StructElem) == Name.StructElem
            and set(kid.keys()) <= _PLAIN)


def _same(a: pikepdf.Object | None, b: pikepdf.Object | None) -> bool:
    return a is not None and b is not None and a.objgen == b.objgen


def _moved(kid: pikepdf.Object, span: Dictionary, parent: Dictionary) -> pikepdf.Object:
    """One kid of `span` as a kid of `parent`: a marked-content number names its page
    when the parent's page is another."""
    if isinstance(kid, int) and not _same(span.get("/Pg"), parent.get("/Pg")) \
            and span.get("/Pg") is not None:
        return Dictionary(Type=Name.MCR, Pg=span.Pg, MCID=kid)
    if isinstance(kid, Dictionary) and "/S" in kid:
        kid.P = parent
    return kid


def flatten_spans(pdf: pikepdf.Pdf) -> int:
    """Move the content of each plain Span and NonStruct into the element around it;
    returns how many went."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return 0
    parent_of: dict[tuple[int, int], Dictionary] = {}
    stack = [kid for kid in _kids(root.get("/K")) if isinstance(kid, Dictionary)]
    while stack:
        element = stack.pop()
        kids = _kids(element.get("/K"))
        if not any(_plain_span(kid) for kid in kids):
            stack += [kid for kid in kids if isinstance(kid, Dictionary) and "/S" in kid]
            continue
        out: list[pikepdf.Object] = []
        todo = list(reversed(kids))
        while todo:
            kid = todo.pop()
            if _plain_span(kid):
                parent_of[kid.objgen] = element
                todo += reversed([_moved(k, kid, element) for k in _kids(kid.get("/K"))])
                continue
            out.append(kid)
            if isinstance(kid, Dictionary) and "/S" in kid:
                stack.append(kid)
        element.K = Array(out) if len(out) != 1 or not isinstance(out[0], int) else out[0]
    if parent_of:
        _repoint(root.get("/ParentTree"), parent_of)
    return len(parent_of)


def _repoint(tree: pikepdf.Object | None, parent_of: dict[tuple[int, int], Dictionary]
             ) -> None:
    """The parent tree names the element that now holds each marked content."""
    stack = [] if tree is None else [tree]
    while stack:
        node = stack.pop()
        stack += list(node.get("/Kids", []))
        nums = node.get("/Nums")
        if nums is None:
            continue
        for i in range(1, len(nums), 2):
            value = nums[i]
            if isinstance(value, Array):
                for j, element in enumerate(value):
                    if isinstance(element, Dictionary) and element.objgen in parent_of:
                        value[j] = parent_of[element.objgen]
            elif isinstance(value, Dictionary) and value.objgen in parent_of:
                nums[i] = parent_of[value.objgen]
