"""CSS made safe to put in a book, with tinycss2 (never a regular expression on CSS).

A book may only use resources it contains: an `@import` or a `url(...)` names a file the
book does not hold, a remote resource or a `file:` address, and a reader that follows it may
fetch something from the network or the reader's own disk. So every `@import` rule and every
declaration with a `url(...)` (or `image-set()`, `image()` or `src()`, which name files too)
is removed, each reported to the caller. Comments and strings that merely contain `url(` are
left alone. Used for the user's stylesheets in the EPUB and for the CSS inside SVG images.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import tinycss2
from tinycss2 import ast
from tinycss2.serializer import serialize_identifier, serialize_string_value

Report = Callable[[int | None, str], None]
"""Told of each thing removed: its line in the CSS, and a short form of it."""
# Functions whose arguments name a file to fetch.
_FETCHING = frozenset({"url", "src", "image", "image-set", "-webkit-image-set"})


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


def _local_ref(node: ast.Node) -> bool:
    """`url(#id)`: a reference inside the same document (an SVG gradient), never fetched."""
    if isinstance(node, ast.URLToken):
        return node.value.startswith("#")
    if isinstance(node, ast.FunctionBlock) and node.lower_name == "url":
        strings = [a for a in node.arguments if isinstance(a, ast.StringToken)]
        return len(strings) == 1 and strings[0].value.startswith("#")
    return False


def _fetches(nodes: Iterable[ast.Node], keep_local: bool = False) -> list[ast.Node]:
    """Every `url(...)` and other file-naming function in `nodes`, nested ones too."""
    return [node for node in _walk(nodes)
            if (isinstance(node, ast.URLToken)
                or (isinstance(node, ast.FunctionBlock) and node.lower_name in _FETCHING)
                or (isinstance(node, ast.ParseError) and node.kind == "bad-url"))
            and not (keep_local and _local_ref(node))]


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
    def __init__(self, report: Report, keep_local: bool) -> None:
        self._warn = report
        self.keep_local = keep_local

    def _removed(self, nodes: list[ast.Node]) -> bool:
        """Whether `nodes` must go: they name a file (each one is reported) or cannot be
        read back (readers ignore such CSS anyway)."""
        found = _fetches(nodes, self.keep_local)
        for node in found:
            self._warn(node.source_line, _shown(node))
        return bool(found) or _malformed(nodes)

    def sheet(self, text: str) -> str:
        nodes = tinycss2.parse_stylesheet(text, skip_comments=False, skip_whitespace=False)
        return "".join(self._node(node) for node in nodes)

    def declarations(self, text: str) -> str:
        nodes = tinycss2.parse_blocks_contents(text, skip_comments=False,
                                               skip_whitespace=False)
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


def clean_stylesheet(text: str, report: Report, *, keep_local: bool = False) -> str:
    """`text` without `@import` rules and without the declarations that name a file; each
    thing removed is reported (its line, a short form of it). With `keep_local`,
    `url(#id)` references inside the same document stay."""
    return _Cleaner(report, keep_local).sheet(text)


def clean_declarations(text: str, report: Report, *, keep_local: bool = False) -> str:
    """The same for a `style` attribute's declarations."""
    return _Cleaner(report, keep_local).declarations(text)


def fetched(text: str) -> list[tuple[int | None, str]]:
    """The line and address of every file a stylesheet names (`@import`, `url()` ...)."""
    found: list[tuple[int | None, str]] = []
    for rule in tinycss2.parse_stylesheet(text):
        if not isinstance(rule, ast.QualifiedRule | ast.AtRule):
            continue
        nodes = [*rule.prelude, *(rule.content or ())]
        if isinstance(rule, ast.AtRule) and rule.lower_at_keyword == "import":
            nodes = [n for n in rule.prelude if isinstance(n, ast.StringToken)] or nodes
            nodes = [_as_url(n) for n in nodes]
        for node in _fetches(nodes, keep_local=True):
            if isinstance(node, ast.URLToken):
                found.append((node.source_line, node.value))
            elif isinstance(node, ast.FunctionBlock):
                strings = [a for a in node.arguments if isinstance(a, ast.StringToken)]
                found.extend((node.source_line, s.value) for s in strings[:1])
    return found


def _as_url(node: ast.Node) -> ast.Node:
    """`@import "x.css"` names a file as `url(x.css)` does."""
    if isinstance(node, ast.StringToken):
        return ast.URLToken(node.source_line, node.source_column, node.value, "")
    return node
