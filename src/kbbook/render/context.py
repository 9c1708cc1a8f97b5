"""The page being rendered, and where its problems go."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lxml.html import HtmlElement

from ..errors import Diagnostics
from ..site import LinkResolver, Page


@dataclass(frozen=True)
class PageContext:
    """The page being rendered and where its problems go."""

    page: Page
    page_id: str
    resolver: LinkResolver
    diagnostics: Diagnostics
    on_image: Callable[[Path], None] | None = None
    """Told of each usable image file as soon as it is found (to start preparing it)."""

    def line(self, el: HtmlElement | None) -> int | None:
        """Line in the source file of `el` (or of its nearest ancestor that knows one)."""
        while el is not None:
            value = el.get("data-kb-line")
            if value is not None and value.isdigit():
                return self.page.body_line + int(value) - 1
            el = el.getparent()
        return None

    def warn(self, el: HtmlElement | None, code: str, message: str) -> None:
        self.diagnostics.warning(self.page.rel, self.line(el), code, message)
