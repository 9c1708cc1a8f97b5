"""YAML 1.1 as Jekyll (Ruby's Psych) reads it, with errors that carry a line number."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml


@dataclass(frozen=True)
class YamlProblem:
    """Why a YAML document could not be read."""

    line: int
    """1-based line inside the YAML text."""
    message: str
    """The parser's complaint, on one line."""


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys, as Psych warns and most authors don't intend."""


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
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(text: str) -> tuple[Any, YamlProblem | None]:
    """Parse one YAML document; on failure return (None, problem) rather than raising."""
    try:
        return yaml.load(text, Loader=_Loader), None
    except yaml.MarkedYAMLError as exc:
        # The context (where the unclosed quote or bracket began) is nearer the mistake.
        mark = exc.context_mark or exc.problem_mark
        line = mark.line + 1 if mark is not None else 1
        what = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        return None, YamlProblem(line, " ".join(what.split()) or "invalid YAML")
    except yaml.YAMLError as exc:
        return None, YamlProblem(1, " ".join(str(exc).split()))
    except RecursionError:
        return None, YamlProblem(1, "YAML nested too deeply")
