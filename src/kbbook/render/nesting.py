"""Markdown nested too deeply for the parser, flattened before parsing so no text is lost.

markdown-it drops blocks nested beyond its `maxNesting`; `cap_nesting` follows the source's
blockquotes and list items line by line, as CommonMark does, and removes the markers of
those nested beyond the limit, so their text joins a shallower block.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

MARKDOWN_DEPTH = 48
"""Blockquotes and list items nested deeper (in markdown-it levels) are flattened, keeping
their text: 48 blockquotes, or 24 lists, one in another."""


_WS = re.compile(r"[ \t]*")
_LIST_MARKER = re.compile(r"(?:[-+*]|([0-9]{1,9})[.)])(?=[ \t]|$)")
_THEMATIC_BREAK = re.compile(r"([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_FENCE = re.compile(r"(`{3,})(?![^`\n]*`)|(~{3,})")
_FENCE_CLOSE = re.compile(r"(`{3,}|~{3,})[ \t]*$")
_ATX_HEADING = re.compile(r"#{1,6}(?:[ \t]|$)")
_SETEXT_UNDERLINE = re.compile(r"(?:=+|-+)[ \t]*$")
# Raw HTML blocks whose lines are text, not Markdown (CommonMark's types 1 and 2).
_RAW_HTML_OPEN = re.compile(r"<(pre|script|style|textarea)(?=[\s>]|$)|<!--", re.IGNORECASE)


def _skip_blanks(line: str, pos: int) -> int:
    """The position of the first character at or after `pos` that is no space or tab."""
    m = _WS.match(line, pos)
    return m.end() if m else pos


def _column(line: str, start: int, end: int, col: int) -> int:
    """The column reached after the blanks line[start:end] when starting at `col`."""
    if line.find("\t", start, end) < 0:
        return col + end - start
    for ch in line[start:end]:
        col = col + 4 - col % 4 if ch == "\t" else col + 1
    return col


def _advance(line: str, pos: int, col: int, target: int) -> tuple[int, int]:
    """Skip blanks from `pos` (at `col`) until column `target` (or the first non-blank)."""
    end = _skip_blanks(line, pos)
    if line.find("\t", pos, end) < 0:
        step = min(end - pos, max(target - col, 0))
        return pos + step, col + step
    while pos < end and col < target:
        col = col + 4 - col % 4 if line[pos] == "\t" else col + 1
        pos += 1
    return pos, col


@dataclass
class _Box:
    """A blockquote or list item open while scanning Markdown source."""

    quote: bool
    width: int = 0
    """A list item: columns its content is indented by (from its parent's content)."""
    marker: int = 0
    """A list item: columns of its marker and the blanks after it."""
    virtual: bool = False
    """Beyond the depth limit: its markers are dropped and its content joins a shallower box."""


class _NestingCap:
    """The container blocks (blockquotes, list items) of Markdown source, followed line by
    line as CommonMark does, to find those nested beyond the limit: see `cap_nesting`."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.boxes: list[_Box] = []
        self.ends: list[int] = []  # ends[k]: the widths of the list items in boxes[:k + 1]
        self.costs: list[int] = []  # costs[k]: markdown-it levels of boxes[:k + 1]
        self.quotes: list[int] = []  # indices of the blockquotes in boxes
        self.deep: int | None = None  # index of the first virtual box
        self.paragraph = False  # the last line was paragraph text (a lazy line may follow)
        self.fence: tuple[str, int, int] | None = None  # (character, length, depth)
        self.raw: tuple[re.Pattern[str], int] | None = None  # (end of a raw HTML block, depth)

    def truncate(self, k: int) -> None:
        if k >= len(self.boxes):
            return
        del self.boxes[k:], self.ends[k:], self.costs[k:]
        while self.quotes and self.quotes[-1] >= k:
            self.quotes.pop()
        if self.deep is not None and self.deep >= k:
            self.deep = None
        self.paragraph = False

    def push(self, box: _Box) -> None:
        cost = 1 if box.quote else 2  # a list and its item
        if self.deep is None and (self.costs[-1] if self.costs else 0) + cost > self.limit:
            self.deep = len(self.boxes)
        box.virtual = self.deep is not None
        if box.quote:
            self.quotes.append(len(self.boxes))
        self.ends.append((self.ends[-1] if self.ends else 0) + box.width)
        self.costs.append((self.costs[-1] if self.costs else 0) + cost)
        self.boxes.append(box)

    def line(self, line: str) -> str | None:
        """Take the next line; return it with the markers of virtual boxes dropped, or None
        when it is unchanged."""
        pos = col = 0
        cut: int | None = None  # where the prefix of the first virtual box starts
        keep = ""  # what stands for the virtual boxes' prefixes
        boxes = self.boxes
        k = 0
        while k < len(boxes):  # the boxes this line continues
            if boxes[k].quote:
                # (markdown-it takes a `>` after any indentation as the quote's continuation)
                p = _skip_blanks(line, pos)
                c = _column(line, pos, p, col)
                if p >= len(line) or line[p] != ">":
                    break
                if boxes[k].virtual and cut is None:
                    cut = pos
                pos, col = self._after_quote(line, p, c)
                k += 1
                continue
            q = bisect_right(self.quotes, k)
            j = self.quotes[q] if q < len(self.quotes) else len(boxes)  # items boxes[k:j]
            base = self.ends[k - 1] if k else 0
            p = _skip_blanks(line, pos)
            if p == len(line):  # a blank line continues every list item
                m = j
            else:
                m = bisect_right(self.ends, base + _column(line, pos, p, col) - col, k, j)
            if m > k:
                if boxes[m - 1].virtual:
                    if cut is None:
                        split = max(self.deep or 0, k)
                        cut = _advance(line, pos, col, col + (self.ends[split - 1] - base
                                                               if split > k else 0))[0]
                    keep = " " * boxes[m - 1].marker
                pos, col = _advance(line, pos, col, col + self.ends[m - 1] - base)
            k = m
            if m < j:
                break
        rest = _skip_blanks(line, pos)
        indent = _column(line, pos, rest, col) - col
        open_block = self.fence[2] if self.fence else self.raw[1] if self.raw else None
        if open_block is not None:  # a fence or raw HTML block opened at this depth
            if k >= open_block:
                self.truncate(open_block)
                if self.fence is not None:
                    close = _FENCE_CLOSE.match(line, rest)
                    if close and indent <= 3 and close.group(1)[0] == self.fence[0] and len(
                            close.group(1)) >= self.fence[1]:
                        self.fence = None
                elif self.raw is not None and self.raw[0].search(line, pos):
                    self.raw = None
                return self._cut(line, cut, keep, pos)
            self.fence = self.raw = None
        if k < len(boxes) and self.paragraph and rest < len(line) and (
            indent >= 4 or not self._starts_block(line, rest)
        ):
            return self._cut(line, cut, keep, pos)  # a lazy continuation line
        self.truncate(k)
        # (a thematic break such as `- - -` is no list item: only the line's end can be one)
        stripped = line.rstrip(" \t")
        rule_start = len(stripped.rstrip(stripped[-1:] + " \t")) if stripped else 0
        while True:  # the boxes this line opens
            rest = _skip_blanks(line, pos)
            c = _column(line, pos, rest, col)
            if c - col >= 4 or rest >= len(line):
                break
            if line[rest] == ">":
                self.push(_Box(quote=True))
                if boxes[-1].virtual and cut is None:
                    cut = pos
                pos, col = self._after_quote(line, rest, c)
                self.paragraph = False
                continue
            marker = _LIST_MARKER.match(line, rest)
            if marker is None or (rest >= rule_start and self._rule(line, rest)):
                break
            after = _skip_blanks(line, marker.end())
            empty = after >= len(line)
            if self.paragraph and (empty or int(marker.group(1) or 1) != 1):
                break  # cannot interrupt a paragraph
            marker_col = c + marker.end() - rest
            gap = _column(line, marker.end(), after, marker_col) - marker_col
            content = after
            if empty or gap > 4:
                gap, content = 1, min(marker.end() + 1, len(line))
            self.push(_Box(quote=False, width=marker_col + gap - col,
                           marker=marker_col + gap - c))
            if boxes[-1].virtual:
                if cut is None:
                    cut = pos
                keep = line[rest:content]
            pos, col = content, marker_col + gap
            self.paragraph = False
        self._classify(line, pos, col)
        return self._cut(line, cut, keep, pos)

    @staticmethod
    def _after_quote(line: str, p: int, c: int) -> tuple[int, int]:
        p, c = p + 1, c + 1
        if p < len(line) and line[p] in " \t":
            c = c + 4 - c % 4 if line[p] == "\t" else c + 1
            p += 1
        return p, c

    @staticmethod
    def _starts_block(line: str, rest: int) -> bool:
        return bool(line[rest] == ">" or _LIST_MARKER.match(line, rest) or _FENCE.match(
            line, rest) or _ATX_HEADING.match(line, rest) or _THEMATIC_BREAK.match(line, rest)
                    or _RAW_HTML_OPEN.match(line, rest))

    def _classify(self, line: str, pos: int, col: int) -> None:
        """What the rest of the line starts: a paragraph, a fence, a raw HTML block…"""
        rest = _skip_blanks(line, pos)
        indent = _column(line, pos, rest, col) - col
        if rest >= len(line):
            self.paragraph = False
        elif indent >= 4:
            pass  # indented code, or a paragraph's continuation
        elif fence := _FENCE.match(line, rest):
            self.fence = (fence.group(0)[0], len(fence.group(0)), len(self.boxes))
            self.paragraph = False
        elif raw := _RAW_HTML_OPEN.match(line, rest):
            end = re.compile("-->" if raw.group(1) is None else
                             rf"</{raw.group(1)}\s*>", re.IGNORECASE)
            if not end.search(line, raw.end()):
                self.raw = (end, len(self.boxes))
            self.paragraph = False
        else:
            self.paragraph = not (_ATX_HEADING.match(line, rest) or self._rule(line, rest))

    def _rule(self, line: str, rest: int) -> bool:
        """The line is a thematic break or the underline of a heading."""
        return bool(_THEMATIC_BREAK.match(line, rest) or (
            self.paragraph and _SETEXT_UNDERLINE.match(line, rest)))

    @staticmethod
    def _cut(line: str, cut: int | None, keep: str, pos: int) -> str | None:
        return None if cut is None else line[:cut] + keep + line[pos:]


def cap_nesting(text: str, limit: int = MARKDOWN_DEPTH) -> tuple[str, int | None]:
    """`text` with its blockquotes and list items nested beyond `limit` markdown-it levels
    (a blockquote counts one, a list item two) flattened: the `>` markers of deeper
    blockquotes are dropped, deeper list items become items of one list at the limit. Every
    line stays where it was, and every line within the limit is unchanged. Also returns the
    index of the first changed line (None when nothing changed)."""
    cap = _NestingCap(limit)
    lines = text.split("\n")
    first = None
    for n, line in enumerate(lines):
        changed = cap.line(line)
        if changed is not None:
            lines[n] = changed
            if first is None:
                first = n
    return ("\n".join(lines) if first is not None else text), first


