"""Jekyll collections as `_config.yml` declares them, and which of them the theme's sidebar
shows (`just_the_docs.collections`, in that order, each under its own name)."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import Diagnostics
from .yamlread import KeyLines

CONFIG = "_config.yml"


@dataclass(frozen=True)
class SidebarCollection:
    """How the sidebar shows a collection (`just_the_docs.collections.LABEL`)."""

    name: str
    """The heading above its pages ('' when the site gives none)."""
    fold: bool
    """`nav_fold: true`: its pages sit one level below the heading."""
    excluded: bool
    """`nav_exclude: true`: the sidebar does not show it."""
    position: int
    """Its place among the collections of `just_the_docs.collections`."""


@dataclass(frozen=True)
class CollectionSpec:
    """One collection of `collections:`."""

    label: str
    """Its name: `recipes` for the folder `_recipes`."""
    folder: str
    """Site-relative folder of its documents (`collections_dir` included)."""
    output: bool
    """`output: true`: Jekyll writes each document as a page of the site."""
    permalink: str | None
    """`permalink:` template of its documents, when set."""
    sort_by: str | None
    """`sort_by:` front-matter key its documents are sorted by."""
    order: tuple[str, ...]
    """`order:` the documents' paths (inside the folder) in the order to keep."""
    sidebar: SidebarCollection | None
    """How the sidebar shows it; None when `just_the_docs.collections` does not name it."""
    line: int | None
    """Its line in `_config.yml`."""


def _label_ok(label: str) -> bool:
    return bool(label) and all(c.isalnum() or c in "_-." for c in label)


def _sidebar(data: Mapping[str, Any], diagnostics: Diagnostics,
             where: KeyLines) -> dict[str, SidebarCollection]:
    jtd = data.get("just_the_docs")
    listed = jtd.get("collections") if isinstance(jtd, Mapping) else None
    if listed is None:
        return {}
    if not isinstance(listed, Mapping):
        diagnostics.warning(CONFIG, where.line("just_the_docs", "collections"), "config",
                            "just_the_docs.collections must be a mapping of collection names "
                            "to their settings (name:, nav_fold:); ignored")
        return {}
    shown: dict[str, SidebarCollection] = {}
    for position, (label, value) in enumerate(listed.items()):
        spec = value if isinstance(value, Mapping) else {}
        name = spec.get("name")
        shown[str(label)] = SidebarCollection(
            name="" if name is None else str(name),
            fold=spec.get("nav_fold") is True,
            excluded=spec.get("nav_exclude") is True,
            position=position,
        )
    return shown


def collections_dir(data: Mapping[str, Any]) -> str:
    """`collections_dir:`, site-relative ('' for the site folder, or when it leads out)."""
    base = str(data.get("collections_dir") or "").strip("/")
    base = "" if base in ("", ".") else posixpath.normpath(base)
    return "" if base == ".." or base.startswith("../") else base


def read_collections(data: Mapping[str, Any], diagnostics: Diagnostics,
                     where: KeyLines) -> tuple[CollectionSpec, ...]:
    """The collections of `_config.yml` (Jekyll's order), with what the sidebar shows."""
    raw = data.get("collections")
    declared: dict[str, Mapping[str, Any]] = {}
    if isinstance(raw, Mapping):
        declared = {str(k): (v if isinstance(v, Mapping) else {}) for k, v in raw.items()}
    elif isinstance(raw, list):
        declared = {str(k): {} for k in raw if isinstance(k, str | int)}
    elif raw is not None:
        diagnostics.warning(CONFIG, where.line("collections"), "config",
                            "collections must be a mapping (or a list) of collection names; "
                            "ignored")
    base = collections_dir(data)
    if str(data.get("collections_dir") or "").strip("/") not in ("", ".") and not base:
        diagnostics.warning(CONFIG, where.line("collections_dir"), "config",
                            f"collections_dir {data.get('collections_dir')!r} lies outside the "
                            "site; ignored")
    shown = _sidebar(data, diagnostics, where)
    specs = []
    for label, meta in declared.items():
        line = where.line("collections", label)
        if not _label_ok(label):
            diagnostics.warning(CONFIG, line, "config", f"collection name {label!r} may hold "
                                "only letters, digits, '_', '-' and '.'; ignored")
            continue
        if label == "posts":
            continue  # blog posts are not part of a just-the-docs book
        order = meta.get("order")
        specs.append(CollectionSpec(
            label=label,
            folder=posixpath.join(base, "_" + label) if base else "_" + label,
            output=meta.get("output") is True,
            permalink=str(meta["permalink"]) if isinstance(meta.get("permalink"), str) else None,
            sort_by=str(meta["sort_by"]) if isinstance(meta.get("sort_by"), str) else None,
            order=tuple(str(o) for o in order) if isinstance(order, list) else (),
            sidebar=shown.get(label),
            line=line,
        ))
    for label in shown:
        if label not in declared:
            diagnostics.warning(CONFIG, where.line("just_the_docs", "collections"), "config",
                                f"just_the_docs.collections names {label!r}, which is not a "
                                "collection of collections:; the sidebar shows nothing for it")
    return tuple(specs)
