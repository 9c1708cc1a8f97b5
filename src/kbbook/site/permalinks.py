"""The URL Jekyll gives each page and collection document (Jekyll::URL with the page's and
the document's placeholders), without the baseurl."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any

from .slug import slugify

_PLACEHOLDER = re.compile(r":(\w+)")
_STYLE_SUFFIX = {"pretty": "/", "date": ":output_ext", "ordinal": ":output_ext",
                 "none": ":output_ext", "weekdate": ":output_ext"}


def _suffix(style: str) -> str:
    """Utils.add_permalink_suffix: what a page or document URL ends with for the site's
    `permalink:` style."""
    if style in _STYLE_SUFFIX:
        return _STYLE_SUFFIX[style]
    if style.endswith("/"):
        return "/"
    return ":output_ext" if style.endswith(":output_ext") else ""


def _expand(template: str, values: Mapping[str, str]) -> str:
    def one(m: re.Match[str]) -> str:
        return values.get(m.group(1), m.group(0))

    url = _PLACEHOLDER.sub(one, template)
    # Jekyll::URL#sanitize_url: no doubled slashes, no dot segments, a leading slash
    url = re.sub(r"/{2,}", "/", "/" + url)
    url = re.sub(r"(?:^|/)\.+(?=/|$)", "", url)
    return url or "/"


def page_url(rel: str, meta: Mapping[str, Any], style: str, is_index: bool,
             forced: str | None = None) -> str:
    """A page's URL: its `permalink:` (placeholders expanded), else `/dir/name.html`,
    `/dir/name/` for the `pretty` style, `/dir/` for an index."""
    path = PurePosixPath(rel)
    folder = "" if str(path.parent) == "." else str(path.parent)
    values = {"path": folder, "basename": path.stem, "output_ext": ".html"}
    permalink = forced if forced is not None else meta.get("permalink")
    if isinstance(permalink, str) and permalink.strip():
        return _expand(permalink.strip(), values)
    if is_index:
        return _expand("/:path/", values)
    return _expand("/:path/:basename" + _suffix(style), values)


def document_url(rel_in_collection: str, label: str, meta: Mapping[str, Any],
                 template: str | None, style: str) -> str:
    """A collection document's URL: its `permalink:`, else the collection's, else
    `/:collection/:path` with the site's style suffix."""
    path = PurePosixPath(rel_in_collection)
    stem = str(path.with_suffix("")) if path.suffix else str(path)
    slug = str(meta.get("slug") or path.stem)
    values = {
        "collection": label,
        "path": stem,
        "name": slugify(path.stem),
        "title": slugify(slug, "pretty", cased=True),
        "slug": slugify(slug),
        "output_ext": ".html",
    }
    permalink = meta.get("permalink")
    if isinstance(permalink, str) and permalink.strip():
        return _expand(permalink.strip(), values)
    return _expand(template or "/:collection/:path" + _suffix(style), values)
