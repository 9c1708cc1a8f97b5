"""`site.data`: the data files of `_data/` (YAML, JSON, CSV, TSV), nested by folder and
named as Jekyll's DataReader names them."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from ..yamlread import load_yaml
from .loader import read_inside

DATA_EXTENSIONS = (".yml", ".yaml", ".json", ".csv", ".tsv")
MAX_DATA_FILES = 1000
MAX_DATA_BYTES = 10_000_000

Warn = Callable[[str, int | None, str], None]
"""(file, line, message)."""


def _key(name: str) -> str:
    """DataReader#sanitize_filename."""
    name = re.sub(r"[^\w\s-]+", "", name).strip()
    return re.sub(r"\s+", "_", name)


def _parse(text: str, ext: str, rel: str, warn: Warn) -> Any:
    if ext in (".yml", ".yaml"):
        result = load_yaml(text)
        if result.problem is not None:
            warn(rel, result.problem.line, f"is not valid YAML: {result.problem.message}; "
                 "site.data leaves it out")
            return None
        return result.value
    if ext == ".json":
        try:
            return json.loads(text)
        except (ValueError, RecursionError) as exc:
            line = getattr(exc, "lineno", None)
            warn(rel, line, f"is not valid JSON: {getattr(exc, 'msg', exc)}; site.data leaves "
                 "it out")
            return None
    delimiter = "\t" if ext == ".tsv" else ","
    try:
        return [dict(row) for row in csv.DictReader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error as exc:
        warn(rel, None, f"is not valid CSV: {exc}; site.data leaves it out")
        return None


def load_data(root: Path, folder: str, warn: Warn) -> dict[str, Any]:
    """Every data file under `folder`, read only from inside the site."""
    base = root / folder
    data: dict[str, Any] = {}
    if not base.is_dir() or not base.resolve().is_relative_to(root):
        return data
    count = total = 0
    for dirpath, dirnames, filenames in os.walk(base, followlinks=False):
        dirnames.sort()
        inside = Path(dirpath).relative_to(base)
        for name in sorted(filenames):
            stem, ext = os.path.splitext(name)
            if ext.lower() not in DATA_EXTENSIONS or name.startswith("."):
                continue
            rel = (PurePosixPath(folder) / inside.as_posix() / name).as_posix()
            count += 1
            if count > MAX_DATA_FILES:
                warn(rel, None, f"more than {MAX_DATA_FILES:,} data files; site.data leaves "
                     "the rest out")
                return data
            try:
                text, _ = read_inside(root, rel, MAX_DATA_BYTES - total, root)
            except Exception as exc:  # any reason: left out, said so
                warn(rel, None, f"not read ({getattr(exc, 'message', exc)}); site.data leaves "
                     "it out")
                continue
            total += len(text)
            value = _parse(text, ext.lower(), rel, warn)
            if value is None:
                continue
            node = data
            for part in inside.parts:
                child = node.setdefault(_key(part), {})
                node = child if isinstance(child, dict) else {}
            node[_key(stem)] = value
    return data
