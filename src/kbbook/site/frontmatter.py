"""A source file's text and front matter, read as Jekyll reads them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ..errors import Diagnostics
from .files import SourceFile
from .yamlread import NOT_XML, load_yaml

_OPEN_FENCE = re.compile(r"---[ \t]*\n")
_CLOSE_FENCE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class FrontMatter:
    """What a file holds."""

    has_header: bool
    """It starts with a front matter fence (Jekyll's `has_yaml_header?`): a page for Jekyll,
    whatever the YAML says."""
    meta: Mapping[str, Any]
    """The front matter ({} when there is none or it could not be read)."""
    body: str
    """The text after the front matter, with LF line ends."""
    body_line: int
    """The file's line on which `body` starts (1-based)."""
    lines: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    """The file's line of each front-matter key."""
    problem: str | None = None
    """Why the front matter could not be read (the YAML error, with its line)."""
    problem_line: int | None = None
    """The file's line of that problem."""


def decode(source: SourceFile, data: bytes, diagnostics: Diagnostics) -> str | None:
    """The file's text with LF line ends; None (an error) for a binary file."""
    if b"\x00" in data[:8192]:
        diagnostics.error(source.rel, None, "binary",
                          "is not a text file (it contains NUL bytes); remove it or rename it "
                          "so it does not end in a Markdown extension")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        diagnostics.warning(source.rel, line, "encoding",
                            "is not valid UTF-8; read as Latin-1. Save the file as UTF-8 "
                            "to be sure every character comes out right")
        text = data.decode("latin-1")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = NOT_XML.search(text)
    if bad is not None:
        # Terminal escapes and other control characters cannot be in a book (XML forbids
        # them) and would reach the terminal through `toc`.
        diagnostics.warning(source.rel, text.count("\n", 0, bad.start()) + 1, "encoding",
                            f"contains control characters (U+{ord(bad.group()):04X} first); "
                            "they are shown as \ufffd")
        text = NOT_XML.sub("\ufffd", text)
    return text


def _hint(message: str) -> str:
    if "mapping values are not allowed" in message:
        return ("a value holding ': ' needs quotes, e.g. title: \"Setup: the hard way\"")
    if "found character '\\t'" in message or "tab" in message:
        return "indent with spaces, not tabs"
    if "found unexpected end of stream" in message or "quoted scalar" in message:
        return "close the quotes of the value"
    return "fix the YAML of the front matter"


def read_front_matter(source: SourceFile, text: str, diagnostics: Diagnostics,
                      strict: bool = False) -> FrontMatter | None:
    """Split and parse the front matter. YAML that does not parse makes a page without front
    matter, as Jekyll builds it (a warning names the line; an error with `strict`, as
    Jekyll's `strict_front_matter`); None when the file cannot be a page at all."""
    opening = _OPEN_FENCE.match(text)
    if opening is None:
        return FrontMatter(False, MappingProxyType({}), text, 1)
    close = _CLOSE_FENCE.search(text, opening.end())
    if close is None:
        diagnostics.error(source.rel, 1, "front-matter",
                          "front matter opened with --- on line 1 is never closed; "
                          "add a line with --- after it")
        return None
    after = close.end()
    if after < len(text) and text[after] == "\n":
        after += 1
    body, body_line = text[after:], text.count("\n", 0, after) + 1
    result = load_yaml(text[opening.end() : close.start()])
    for dup in result.duplicates:
        diagnostics.warning(source.rel, 1 + dup.line, "front-matter", dup.message)
    if result.replaced_characters:
        diagnostics.warning(source.rel, 2, "front-matter",
                            "front matter holds control characters that a book cannot "
                            "contain; they are shown as \ufffd")
    if result.problem is not None:
        line = 1 + result.problem.line
        what = f"front matter is not valid YAML: {result.problem.message}"
        if result.problem.refused:
            diagnostics.error(source.rel, line, "front-matter", what)
            return None
        if strict:
            diagnostics.error(source.rel, line, "front-matter",
                              f"{what}; _config.yml sets strict_front_matter, so Jekyll "
                              f"stops here: {_hint(result.problem.message)}")
            return None
        diagnostics.warning(source.rel, line, "front-matter",
                            f"{what}; Jekyll builds the page without its front matter (no "
                            "title, parent or nav_order) and so does kbbook: "
                            f"{_hint(result.problem.message)}")
        return FrontMatter(True, MappingProxyType({}), body, body_line,
                           problem=result.problem.message, problem_line=line)
    loaded = result.value if result.value is not None else {}
    if not isinstance(loaded, Mapping):
        diagnostics.error(source.rel, 2, "front-matter",
                          "front matter must be a mapping of `key: value` lines, not a "
                          f"{type(loaded).__name__} (Jekyll stops the build here too); "
                          "the page is left out")
        return None
    lines = {path[0]: 1 + line for path, line in result.lines.by_path.items()
             if len(path) == 1}
    return FrontMatter(True, MappingProxyType(dict(loaded)), body, body_line,
                       MappingProxyType(lines))
