"""Front matter defaults (`defaults:` in `_config.yml`), as Jekyll's FrontmatterDefaults
merges them under each page's own front matter: a site may set `parent`, `nav_exclude` or a
layout for a whole folder or collection there."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import Diagnostics
from .yamlread import KeyLines


@dataclass(frozen=True)
class DefaultSet:
    """One entry of `defaults:`."""

    path: str
    """`scope.path`, without leading or trailing slashes ('' for every file)."""
    type: str | None
    """`scope.type`: `pages`, or a collection's label; None for every type."""
    values: Mapping[str, Any]
    """The front matter it gives."""


def _clean_path(path: Any) -> str:
    if not isinstance(path, str):
        return ""
    return path.strip().lstrip("/").rstrip("/") if path.startswith("/") else path.strip()


def read_defaults(data: Mapping[str, Any], diagnostics: Diagnostics,
                  where: KeyLines) -> tuple[DefaultSet, ...]:
    sets = data.get("defaults")
    if not isinstance(sets, list):
        return ()
    found = []
    for entry in sets:
        values = entry.get("values") if isinstance(entry, Mapping) else None
        if not isinstance(values, Mapping):
            diagnostics.warning("_config.yml", where.line("defaults"), "config",
                                f"a defaults: entry needs a values: mapping; {entry!r} is "
                                "ignored (Jekyll ignores it too)")
            continue
        scope = entry.get("scope")
        scope = scope if isinstance(scope, Mapping) else {}
        kind = scope.get("type")
        kind = {"page": "pages", "post": "posts", "draft": "drafts"}.get(kind, kind)
        found.append(DefaultSet(_clean_path(scope.get("path")),
                                str(kind) if kind is not None else None, values))
    return tuple(found)


def _applies(default: DefaultSet, rel: str, kind: str, collections_dir: str) -> bool:
    if default.type is not None and default.type != kind:
        return False
    scope = default.path
    if not scope:
        return True
    if collections_dir and scope.startswith(collections_dir + "/"):
        scope = scope[len(collections_dir) + 1:]
    if "*" in scope:
        # Jekyll globs the scope and takes the files (and folders) found as prefixes
        return fnmatch.fnmatchcase(rel, scope) or any(
            fnmatch.fnmatchcase("/".join(rel.split("/")[:n]), scope)
            for n in range(1, rel.count("/") + 1))
    return rel.startswith(scope)


def _precedes(old: DefaultSet | None, new: DefaultSet) -> bool:
    """FrontmatterDefaults#has_precedence?: a longer path wins; at equal length one with a
    type wins over one without."""
    if old is None:
        return True
    if len(new.path) != len(old.path):
        return len(new.path) >= len(old.path)
    return True if new.type is not None else old.type is None


def deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """Jekyll's Utils.deep_merge_hashes: `over` wins, mappings merge, and a key `over` gives
    no value (`parent:` alone) keeps `base`'s value."""
    merged = dict(base)
    for key, value in over.items():
        if value is None and key in merged:
            continue
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def defaults_for(sets: Sequence[DefaultSet], rel: str, kind: str,
                 collections_dir: str = "") -> dict[str, Any]:
    """The front matter the `defaults:` give the file `rel` (site-relative for pages,
    relative to `collections_dir` for documents) of type `kind`."""
    merged: dict[str, Any] = {}
    old: DefaultSet | None = None
    for default in sets:
        if not _applies(default, rel, kind, collections_dir):
            continue
        if _precedes(old, default):
            merged = deep_merge(merged, default.values)
            old = default
        else:
            merged = deep_merge(default.values, merged)
    return merged
