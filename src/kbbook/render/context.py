"""The page being rendered, and where its problems go."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lxml.html import HtmlElement

from ..errors import Diagnostics
from ..site import LinkResolver, Page
from ..site.liquid import Expanded, Origin


@dataclass(frozen=True)
class PageContext:
    """The page being rendered and where its problems go."""

    page: Page
    page_id: str
    resolver: LinkResolver
    diagnostics: Diagnostics
    source: Expanded
    """The page's Markdown after Liquid, with the origin of each of its lines."""
    on_image: Callable[[Path], None] | None = None
    """Told of each usable image file as soon as it is found (to start preparing it)."""

    def _text_line(self, el: HtmlElement | None) -> int | None:
        while el is not None:
            value = el.get("data-kb-line")
            if value is not None and value.isdigit():
                return int(value)
            el = el.getparent()
        return None

    def origin(self, el: HtmlElement | None) -> Origin | None:
        """Where `el` (or its nearest ancestor that knows) comes from: the page, or an
        include."""
        line = self._text_line(el)
        return None if line is None else self.source.origin(line)

    def line(self, el: HtmlElement | None) -> int | None:
        """The page's line of `el` (for text an include made: the include tag's line)."""
        origin = self.origin(el)
        return None if origin is None else origin.page_line

    def warn(self, el: HtmlElement | None, code: str, message: str) -> None:
        """A warning on `el`'s line: of the page, or of the include the text came from."""
        origin = self.origin(el)
        if origin is None or origin.file == self.page.rel:
            self.diagnostics.warning(self.page.rel, origin.line if origin else None, code,
                                     message)
        else:
            self.diagnostics.warning(origin.file, origin.line, code, message
                                     + f" (included from {self.page.rel}:{origin.page_line})")
