"""A user's stylesheet (`--css FILE`) made safe to put inside an EPUB.

An EPUB may only use resources it contains: an `@import` or a `url(...)` in a stylesheet
either names a file the book does not hold (EPUBCheck RSC-007), a remote resource (RSC-006)
or a `file:` address (RSC-030), and a reader that follows it may fetch something from the
network or the reader's own disk. kbbook copies no files a stylesheet names, so every
`@import` rule and every declaration with a `url(...)` (or `image-set()`, `image()` or
`src()`, which name files too) is removed, one warning for each. The CSS is parsed with
tinycss2, so comments and strings that merely contain `url(` are left alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import tinycss2
from tinycss2 import ast
from tinycss2.serializer import serialize_identifier, serialize_string_value

from .errors import Diagnostics, KbbookError

CODE = "user-css"
WHY = "removed: an EPUB may only use files it contains"
# Functions whose arguments name a file to fetch.
_FETCHING = frozenset({"url", "src", "image", "image-set", "-webkit-image-set"})
# C0 controls other than tab, line feed, form feed and carriage return: not in a text file.
_CONTROL = frozenset(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D}


def read_user_css(path: Path, diagnostics: Diagnostics) -> str:
    """The stylesheet at `path` without `@import` rules and without declarations that name
    a file; one warning (on `str(path)`, with its line) for each thing removed.
    Raises KbbookError when the file is not UTF-8 text."""
    text = _read_text(path)
    return _Cleaner(str(path), diagnostics).sheet(text)


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KbbookError(f"--css {path}: cannot be read ({exc.strerror})") from None
    control = next((i for i, byte in enumerate(data) if byte in _CONTROL), None)
    if control is not None:
        raise KbbookError(f"--css {path}: is a binary file, not a stylesheet (control "
                          f"character at byte {control})")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise KbbookError(f"--css {path}: is not valid UTF-8 (byte {exc.start}); save the "
                          "stylesheet as UTF-8") from None
    return text.removeprefix("\ufeff")


def _shown(node: ast.Node) -> str:
    """A short form of a file-naming value for a message."""
    if isinstance(node, ast.URLToken):
        text = f"url({node.value})"
    elif isinstance(node, ast.ParseError):
        text = "url(...)"  # malformed, e.g. with a space inside
    else:
        try:
            text = node.serialize()
        except TypeError:  # holds a malformed string or url
            text = (f"@{node.at_keyword} ..." if isinstance(node, ast.AtRule)
                    else f"{getattr(node, 'name', 'url')}(...)")
    text = " ".join(text.split())
    return text if len(text) <= 80 else text[:77] + "..."


def _walk(nodes: Iterable[ast.Node]) -> Iterator[ast.Node]:
    """`nodes` and everything inside them, but not inside a file-naming function."""
    for node in nodes:
        yield node
        if isinstance(node, ast.FunctionBlock) and node.lower_name not in _FETCHING:
            yield from _walk(node.arguments)
        elif isinstance(node, ast.ParenthesesBlock | ast.SquareBracketsBlock
                        | ast.CurlyBracketsBlock):
            yield from _walk(node.content)


def _fetches(nodes: Iterable[ast.Node]) -> list[ast.Node]:
    """Every `url(...)` and other file-naming function in `nodes`, nested ones too."""
    return [node for node in _walk(nodes)
            if isinstance(node, ast.URLToken)
            or (isinstance(node, ast.FunctionBlock) and node.lower_name in _FETCHING)
            or (isinstance(node, ast.ParseError) and node.kind == "bad-url")]


def _malformed(nodes: Iterable[ast.Node]) -> bool:
    """Whether `nodes` hold a token tinycss2 could not read (an unclosed string...)."""
    return any(isinstance(node, ast.ParseError) for node in _walk(nodes))


def _as_string(node: ast.Node) -> ast.Node:
    """`url(x)`, `url("x")` or "x" as the (closed) string "x"; anything else unchanged."""
    if isinstance(node, ast.FunctionBlock) and node.lower_name == "url":
        strings = [a for a in node.arguments if isinstance(a, ast.StringToken)]
        if len(strings) == 1:
            node = strings[0]
    if isinstance(node, ast.URLToken | ast.StringToken):
        return ast.StringToken(node.source_line, node.source_column, node.value,
                               '"' + serialize_string_value(node.value) + '"')
    return node


class _Cleaner:
    def __init__(self, path: str, diagnostics: Diagnostics) -> None:
        self.path = path
        self.diagnostics = diagnostics

    def _warn(self, line: int | None, what: str) -> None:
        self.diagnostics.warning(self.path, line, CODE, f"{what} {WHY}")

    def _removed(self, nodes: list[ast.Node]) -> bool:
        """Whether `nodes` must go: they name a file (each one is reported) or cannot be
        read back (readers ignore such CSS anyway)."""
        found = _fetches(nodes)
        for node in found:
            self._warn(node.source_line, _shown(node))
        return bool(found) or _malformed(nodes)

    def sheet(self, text: str) -> str:
        nodes = tinycss2.parse_stylesheet(text, skip_comments=False, skip_whitespace=False)
        return "".join(self._node(node) for node in nodes)

    def _node(self, node: ast.Node) -> str:
        if isinstance(node, ast.ParseError):
            return ""  # invalid CSS that readers ignore anyway
        if isinstance(node, ast.Declaration):
            if self._removed(node.value):
                return ""
            value, tail = list(node.value), []
            while value and not node.important and isinstance(value[-1], ast.WhitespaceToken):
                tail.insert(0, value.pop())
            return (serialize_identifier(node.name) + ":" + tinycss2.serialize(value)
                    + ("!important" if node.important else "") + ";" + tinycss2.serialize(tail))
        if isinstance(node, ast.AtRule):
            return self._at_rule(node)
        if isinstance(node, ast.QualifiedRule):
            if self._removed(node.prelude) or not tinycss2.serialize(node.prelude).strip():
                return ""  # (a rule without selector is invalid: readers ignore it)
            return tinycss2.serialize(node.prelude) + "{" + self._block(node.content) + "}"
        return node.serialize()  # whitespace, comments

    def _at_rule(self, rule: ast.AtRule) -> str:
        name = rule.lower_at_keyword
        if name == "import":
            self._warn(rule.source_line, _shown(rule).removesuffix(";"))
            return ""
        if name == "charset":
            return ""  # the stylesheet is written as UTF-8 whatever it said
        if name == "namespace":
            # A namespace name is an identifier, never fetched, and selectors need it: keep
            # it, written as the equivalent string so no url() is left.
            try:
                return "@namespace" + tinycss2.serialize(
                    _as_string(node) for node in rule.prelude) + ";"
            except TypeError:  # malformed: readers ignore it
                return ""
        if self._removed(rule.prelude):
            return ""
        head = "@" + serialize_identifier(rule.at_keyword) + tinycss2.serialize(rule.prelude)
        if rule.content is None:
            return head + ";"
        return head + "{" + self._block(rule.content) + "}"

    def _block(self, content: list[ast.Node]) -> str:
        nodes = tinycss2.parse_blocks_contents(content, skip_comments=False,
                                               skip_whitespace=False)
        return "".join(self._node(node) for node in nodes)
