"""The renderer's working tree made into the XHTML tree a `RenderedPage` carries.

The working tree comes from a lenient HTML parser and holds kbbook's markers; the XHTML tree
is in the XHTML namespace (`epub:type` in the EPUB one), keeps only attributes with valid
XML names and characters XML allows, and no marker but the link and image numbers the
writers map. It is built element by element with a stack, so any depth is fine.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

from .model import EPUB_NS, IMAGE_ATTR, LINK_ATTR, NSMAP, XHTML_NS, xhtml

_INTERNAL = "data-kb-"
_KEPT = frozenset({LINK_ATTR, IMAGE_ATTR})
_ATTR_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_EPUB_TYPE = f"{{{EPUB_NS}}}type"
_SVG = "http://www.w3.org/2000/svg"
_XLINK = "http://www.w3.org/1999/xlink"
_ATTR_NAMESPACES = frozenset({"http://www.w3.org/1999/xlink",
                              "http://www.w3.org/XML/1998/namespace"})
# Characters XML 1.0 forbids or discourages (C1 controls), which readers may refuse.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


def _text(value: str | None) -> str | None:
    if not value:
        return None
    return _NOT_XML.sub("", value) if _NOT_XML.search(value) else value


def _attributes(el: HtmlElement) -> dict[str, str]:
    attrs: dict[str, str] = {}
    for name, value in el.attrib.items():
        if name.startswith(_INTERNAL) and name not in _KEPT:
            continue
        if name == "epub:type":
            attrs[_EPUB_TYPE] = _text(value) or ""
        elif _ATTR_NAME.match(name) or (name.startswith("{") and
                                         name[1:].split("}")[0] in _ATTR_NAMESPACES):
            attrs[name] = _text(value) or ""
    return attrs


def to_xhtml(root: HtmlElement) -> etree._Element:
    """The content of `root` inside an XHTML `<div>`."""
    out = etree.Element(xhtml("div"), nsmap=NSMAP)  # type: ignore[arg-type]
    out.text = _text(root.text)
    stack: list[tuple[HtmlElement, etree._Element]] = [(root, out)]
    while stack:
        source, target = stack.pop()
        last: etree._Element | None = None
        for child in source:
            if not isinstance(child.tag, str):  # a stray comment: keep the text after it
                tail = _text(child.tail)
                if tail and last is not None:
                    last.tail = (last.tail or "") + tail
                elif tail:
                    target.text = (target.text or "") + tail
                continue
            # SVG and MathML elements come in their own namespaces already; the root of
            # such a subtree declares its namespace as the default one.
            tag = child.tag if child.tag.startswith("{") else xhtml(child.tag)
            ns = tag[1:].split("}")[0]
            nsmap = None
            if ns != etree.QName(target).namespace:
                nsmap = {None: ns, "xlink": _XLINK} if ns == _SVG else {None: ns}
            copy = etree.SubElement(target, tag, _attributes(child),
                                    nsmap=nsmap)  # type: ignore[arg-type]
            copy.text = _text(child.text)
            copy.tail = _text(child.tail)
            stack.append((child, copy))
            last = copy
    return out


def fragment_text(body: etree._Element) -> str:
    """The content of an XHTML element as text, without its namespace declarations (for
    golden fixtures and debugging)."""
    parts = [etree.tostring(child, encoding="unicode") for child in body]
    text = (body.text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    declarations = re.compile(rf' xmlns(?::epub)?="(?:{XHTML_NS}|{EPUB_NS})"')
    return text + "".join(declarations.sub("", part) for part in parts)
