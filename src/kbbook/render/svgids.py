"""Ids inside an SVG made unique in the book: several drawings share one document, and
each one's CSS is scoped by its root's id (Mermaid's is), so every id gets a prefix and every
reference to one (`href="#x"`, `url(#x)`, `#x` in its `<style>`) follows."""

from __future__ import annotations

import re

from lxml import etree

_SVG_NS = "http://www.w3.org/2000/svg"
_URL_REF = re.compile(r"url\(\s*(['\"]?)#([^)'\"\s]+)\1\s*\)")


def scope_ids(svg: etree._Element, prefix: str) -> None:
    """Prefix every id in `svg` (and what refers to it) with `prefix` + "-"."""
    ids = {el.get("id") for el in svg.iter() if isinstance(el.tag, str) and el.get("id")}
    if not ids:
        return

    def new(old: str) -> str:
        return f"{prefix}-{old}"

    def urls(value: str) -> str:
        return _URL_REF.sub(lambda m: f"url(#{new(m.group(2))})" if m.group(2) in ids
                            else m.group(0), value)

    selector = re.compile(r"#(" + "|".join(re.escape(i) for i in sorted(ids, key=len,
                                                                       reverse=True))
                          + r")(?![\w-])")
    for el in svg.iter():
        if not isinstance(el.tag, str):
            continue
        for name, value in list(el.attrib.items()):
            local = etree.QName(name).localname
            if name == "id":
                el.set(name, new(value))
            elif local == "href" and value.startswith("#") and value[1:] in ids:
                el.set(name, "#" + new(value[1:]))
            elif "url(" in value:
                el.set(name, urls(value))
        if el.tag in (f"{{{_SVG_NS}}}style", "style") and el.text:
            el.text = selector.sub(lambda m: "#" + new(m.group(1)), urls(el.text))
