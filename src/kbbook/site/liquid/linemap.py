"""Where each line of a page's Liquid output came from.

Just before a piece of text is written, the output buffer is told where it comes from (a
"mark"). Two kinds of mark:

* verbatim: the text is a copy of the template source from `offset` on (text between tags,
  the body of `raw`), so every line inside it maps to its own source line;
* generated: the text was computed (an `{{ output }}`, a `{% link %}`, the fence made for
  `{% highlight %}`), so every line of it maps to the tag's line.

Each mark also carries the call site: the position, in the page, of the outermost
`{% include %}` being rendered. A line an include wrote so maps both to its own line in the
included file and to the include tag's line in the page.

The map is kept beside the text, never in it: a marker in the Markdown would change how it
parses (an HTML comment starts an HTML block) and would show inside code blocks.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from liquid.output import LimitedStringIO

Mark = tuple[int, int, bool, tuple[int, int] | None]
"""(source key, source offset, verbatim, call site)."""


@dataclass(frozen=True, slots=True)
class Origin:
    """Where one output line comes from."""

    file: str
    """The file that holds the text (the page, or an include), site-relative."""
    line: int
    """1-based line in `file`."""
    page_line: int
    """1-based line of the page that put it there (the include tag, for an include)."""
    verbatim: bool
    """The line is source text (True), or text a tag or an output statement made."""


def _newlines(text: str) -> list[int]:
    out, i = [], text.find("\n")
    while i >= 0:
        out.append(i)
        i = text.find("\n", i + 1)
    return out


class SourceIndex:
    """The newline offsets of one source text, for offset -> line."""

    __slots__ = ("_newlines", "first_line", "name")

    def __init__(self, name: str, text: str, first_line: int = 1) -> None:
        self.name = name
        self.first_line = first_line
        self._newlines = _newlines(text)

    def line(self, offset: int) -> int:
        return self.first_line + bisect.bisect_left(self._newlines, offset)


class Lines(Protocol):
    """A sequence of Origin, one per output line."""

    def __len__(self) -> int: ...

    def __getitem__(self, i: int) -> Origin: ...


class MappedBuffer(LimitedStringIO):
    """The output buffer of one page's render: the text, and the marks described above.

    A LimitedStringIO, so python-liquid's `output_stream_limit` (and the carry it applies to
    `capture` buffers) keeps working.
    """

    def __init__(self, limit: int, callsite: list[tuple[int, int]] | None = None,
                 before_write: Callable[[], None] | None = None) -> None:
        super().__init__(limit=limit)
        self.length = 0
        # parallel lists: output offset | mark
        self._at: list[int] = []
        self._marks: list[Mark] = []
        self._callsite = callsite if callsite is not None else []
        self._before_write = before_write

    def mark(self, source_key: int, offset: int, verbatim: bool) -> None:
        site = self._callsite[0] if self._callsite else None
        record = (source_key, offset, verbatim, site)
        if self._at and self._at[-1] == self.length:
            self._marks[-1] = record  # nothing was written under the previous mark
        else:
            self._at.append(self.length)
            self._marks.append(record)

    def child(self) -> MappedBuffer:
        """A buffer for text that is written here later (see `splice`)."""
        return MappedBuffer(max(self.limit - self.size, 0), self._callsite,
                            self._before_write)

    def splice(self, child: MappedBuffer, start: int, end: int) -> None:
        """Append child's text[start:end] with its marks (for {% highlight %})."""
        text = child.getvalue()[start:end]
        if not text:
            return
        k = max(bisect.bisect_right(child._at, start) - 1, 0)
        for j in range(k, len(child._at)):
            at = child._at[j]
            if at >= end:
                break
            key, offset, verbatim, site = child._marks[j]
            if at < start:
                offset += (start - at) if verbatim else 0
                at = start
            self._at.append(self.length + at - start)
            self._marks.append((key, offset, verbatim, site))
        super().write(text)
        self.length += len(text)

    def write(self, s: str) -> int:
        if s:
            if self._before_write is not None:
                self._before_write()
            super().write(s)
            self.length += len(s)
        return len(s)

    def line_map(self, sources: dict[int, SourceIndex], page_key: int) -> LineMap:
        return LineMap(self.getvalue(), self._at, self._marks, sources, page_key)


class LineMap:
    """One Origin per output line, computed on demand (kbbook asks only for the lines that
    markdown-it's blocks start on)."""

    def __init__(self, text: str, at: Sequence[int], marks: Sequence[Mark],
                 sources: dict[int, SourceIndex], page_key: int) -> None:
        self._starts = [0] + [i + 1 for i in _newlines(text)]
        if text.endswith("\n") or not text:
            self._starts.pop()  # no line after the final newline
        self._at, self._marks, self._sources = at, marks, sources
        self._page = sources[page_key]

    def __len__(self) -> int:
        return len(self._starts)

    def __getitem__(self, i: int) -> Origin:
        start = self._starts[i]
        page = self._page
        k = bisect.bisect_right(self._at, start) - 1
        if k < 0:
            return Origin(page.name, page.first_line, page.first_line, False)
        key, offset, verbatim, site = self._marks[k]
        src = self._sources.get(key)
        if src is None:  # text of a template this render did not register
            return Origin(page.name, page.first_line, page.first_line, False)
        line = src.line(offset + (start - self._at[k]) if verbatim else offset)
        site_src = self._sources.get(site[0]) if site is not None else None
        page_line = site_src.line(site[1]) if site is not None and site_src else line
        return Origin(src.name, line, page_line, verbatim)

    def __iter__(self) -> Iterator[Origin]:
        return (self[i] for i in range(len(self)))


class IdentityLineMap:
    """The map of a page that Liquid left as it was."""

    def __init__(self, name: str, first_line: int, count: int) -> None:
        self.name, self.first_line, self.count = name, first_line, count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, i: int) -> Origin:
        if not 0 <= i < self.count:
            raise IndexError(i)
        line = self.first_line + i
        return Origin(self.name, line, line, True)

    def __iter__(self) -> Iterator[Origin]:
        return (self[i] for i in range(len(self)))
