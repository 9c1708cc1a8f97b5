"""What both writers share: the build's date, kbbook's own stylesheets, the user's
stylesheets, and the nested contents lists."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path

from lxml import etree

from ..book import ContentsEntry, nest
from ..errors import Diagnostics, KbbookError
from ..site import ExternalLink

DEFAULT_VARIANT = "pdf/ua-1"
"""The PDF kbbook writes: tagged, for screen readers (PDF/UA-1): structure, language, title."""
VARIANTS = ("pdf/ua-1", "pdf/a-2b", "pdf/a-2u", "pdf/a-2a", "pdf/a-3b", "pdf/a-3u",
            "pdf/a-3a", "none")
"""The PDF variants kbbook writes, all tagged, and none (untagged). Not PDF/A-1, which
forbids the transparency of images with an alpha channel, nor WeasyPrint's "PDF/A-4u",
a level PDF/A-4 does not have."""

# C0 controls other than tab, line feed, form feed and carriage return: not in a text file.
_CONTROL = frozenset(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D}


def build_time(diagnostics: Diagnostics) -> datetime:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else now; UTC, whole seconds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), UTC)
        except (ValueError, OverflowError, OSError):
            diagnostics.warning("SOURCE_DATE_EPOCH", None, "source-date-epoch",
                                f"the environment variable SOURCE_DATE_EPOCH={epoch!r} is not "
                                "a whole number of seconds; the current time is used")
    return datetime.now(UTC).replace(microsecond=0)


def style_text(name: str) -> str:
    """One of kbbook's own stylesheets (`styles/` inside the package)."""
    return files("kbbook").joinpath("styles", name).read_text(encoding="utf-8")


def read_css_file(path: Path) -> str:
    """A user's stylesheet (`--css FILE`) as text; KbbookError when it is no UTF-8 text."""
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


def nested_lists(entries: tuple[ContentsEntry, ...], tag: Callable[[str], str],
                 item: Callable[[ContentsEntry], etree._Element]) -> etree._Element:
    """The entries as nested `<ol>` lists (`tag` qualifies element names): each `item` is an
    `<li>`, and the entries under it go into an `<ol>` inside it. Lines end after each
    item's link and each list, as the documents are read by people too."""

    def new_list() -> etree._Element:
        ol = etree.Element(tag("ol"))
        ol.text = "\n"
        return ol

    def append(container: etree._Element, li: etree._Element) -> None:
        li.tail = "\n"
        container.append(li)

    def children(li: etree._Element) -> etree._Element:
        ol = new_list()
        ol.tail = None
        li.append(ol)
        return ol

    return nest(entries, new_list(), item, append, children)


def human_size(size: int) -> str:
    """`2.8 MB`, `640 kB`: a file size as people read it."""
    return f"{size / 2**20:.1f} MB" if size >= 2**20 else f"{size / 1024:.0f} kB"


def add_web_links(lists: etree._Element, links: Sequence[ExternalLink], at: int,
                  tag: Callable[[str], str]) -> None:
    """The theme's `nav_external_links` into the contents' outer list, as web links, after
    its first `at` entries (where the sidebar shows them)."""
    for n, link in enumerate(links):
        li = etree.Element(tag("li"))
        a = etree.SubElement(li, tag("a"), {"href": link.url, "class": "kb-external"})
        a.text = link.title
        li.tail = "\n"
        lists.insert(at + n, li)
