"""YAML 1.1 as Jekyll (Ruby's Psych) reads it, with problems that carry a line number."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import yaml


@dataclass(frozen=True)
class YamlProblem:
    """Why a YAML document could not be read, or what in it deserves a warning."""

    line: int
    """1-based line inside the YAML text."""
    message: str
    """What is wrong, on one line."""
    refused: bool = False
    """kbbook refuses to read it at all (it would expand beyond any sane size)."""


@dataclass(frozen=True)
class KeyLines:
    """The line of each key of a YAML mapping, from the parser's own marks."""

    by_path: Mapping[tuple[str, ...], int] = field(default_factory=dict)
    """1-based line of each key by its path (`("kbbook", "cover")`), KEY_DEPTH levels deep."""

    def line(self, *path: str) -> int | None:
        """The line of the key at `path`, else of its nearest parent key, else None."""
        while path:
            if path in self.by_path:
                return self.by_path[path]
            path = path[:-1]
        return None


@dataclass(frozen=True)
class YamlResult:
    """A parsed YAML document."""

    value: Any
    """The data; None when the document failed to parse (or is empty)."""
    problem: YamlProblem | None
    """Why it failed to parse."""
    duplicates: tuple[YamlProblem, ...] = ()
    """Keys given twice; as in Jekyll, the last value wins."""
    replaced_characters: bool = False
    """Some text held characters XML cannot carry (control characters, lone surrogates,
    written as YAML escapes); they were replaced by U+FFFD."""
    lines: KeyLines = field(default_factory=lambda: KeyLines())
    """Where each key is."""


class _Loader(yaml.SafeLoader):
    """SafeLoader that notes duplicate keys instead of silently keeping the last one."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[YamlProblem] = []


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict:
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            ) from None
        if key in mapping:
            loader.duplicates.append(YamlProblem(
                key_node.start_mark.line + 1,
                f"duplicate key {key!r}; the last value is used, as Jekyll does. Remove "
                "the other one"))
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


MAX_VALUES = 100_000
"""Values a document may hold once its aliases are expanded: a few lines of YAML aliases
can stand for billions of values (the "billion laughs"), which would hang every later step."""
MAX_CHARACTERS = 10_000_000
# Characters XML 1.0 forbids: C0 controls but tab and line ends, surrogates, U+FFFE/FFFF.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class _TooLarge(Exception):
    pass


class _Cleaner:
    """Copies loaded YAML with its aliases expanded, within a budget, and makes every string
    safe for XML."""

    def __init__(self) -> None:
        self.values = 0
        self.characters = 0
        self.replaced = False

    def clean(self, value: Any) -> Any:
        self.values += 1
        if self.values > MAX_VALUES:
            raise _TooLarge
        if isinstance(value, str):
            self.characters += len(value)
            if self.characters > MAX_CHARACTERS:
                raise _TooLarge
            if NOT_XML.search(value):
                self.replaced = True
                return NOT_XML.sub("\ufffd", value)
            return value
        if isinstance(value, list):
            return [self.clean(v) for v in value]
        if isinstance(value, dict):
            return {self.clean(k): self.clean(v) for k, v in value.items()}
        return value


KEY_DEPTH = 2
"""Levels of nested keys whose lines are kept: settings such as `kbbook.cover`."""


def _key_lines(node: yaml.Node | None) -> KeyLines:
    """The line of every key of the mapping `node` and of its mappings, KEY_DEPTH deep
    (the first one where a key repeats). Nodes are walked before aliases are expanded, so
    an alias bomb costs nothing here."""
    lines: dict[tuple[str, ...], int] = {}
    stack: list[tuple[yaml.Node, tuple[str, ...]]] = [(node, ())] if node is not None else []
    while stack:
        current, path = stack.pop()
        if not isinstance(current, yaml.MappingNode) or len(path) >= KEY_DEPTH:
            continue
        for key, value in current.value:
            if isinstance(key, yaml.ScalarNode):
                key_path = (*path, str(key.value))
                lines.setdefault(key_path, key.start_mark.line + 1)
                stack.append((value, key_path))
    return KeyLines(MappingProxyType(lines))


def load_yaml(text: str) -> YamlResult:
    """Parse one YAML document; never raises."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        value = loader.construct_document(node) if node is not None else None
        cleaner = _Cleaner()
        try:
            value = cleaner.clean(value)
        except _TooLarge:
            return YamlResult(None, YamlProblem(1, (
                f"it expands to more than {MAX_VALUES:,} values or {MAX_CHARACTERS:,} "
                "characters (YAML aliases used over and over?); kbbook will not read it"),
                refused=True))
        return YamlResult(value, None, tuple(loader.duplicates), cleaner.replaced,
                          _key_lines(node))
    except yaml.MarkedYAMLError as exc:
        # The context (where the unclosed quote or bracket began) is nearer the mistake.
        mark = exc.context_mark or exc.problem_mark
        line = mark.line + 1 if mark is not None else 1
        what = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        return YamlResult(None, YamlProblem(line, " ".join(what.split()) or "invalid YAML"))
    except yaml.YAMLError as exc:
        return YamlResult(None, YamlProblem(1, " ".join(str(exc).split())))
    except RecursionError:
        return YamlResult(None, YamlProblem(1, "YAML nested too deeply"))
    finally:
        loader.dispose()


def liquid_text(value: Any) -> str:
    """A front-matter value as Jekyll prints it: `true`, `1.5`, `2024-01-02`, ..."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S %z").strip()
    if isinstance(value, list):
        return "".join(liquid_text(v) for v in value)
    return str(value)
