"""Page titles as the sidebar shows them: the heading jekyll-titles-from-headings takes, the
slug Jekyll makes a document's title from, and the text of a title written as HTML."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from lxml import etree
from lxml import html as lxml_html
from markdown_it import MarkdownIt

# JekyllTitlesFromHeadings::Generator::TITLE_REGEX, in Python: the heading must come first
# (after blank space); an ATX heading of level 1 to 3 keeps its closing #s, as the plugin's
# greedy group does; or a setext heading.
_TITLE = re.compile(r"\A\s*(?:#{1,3}[ \t\r\n\f\v]+(.*)(?:\s+#{1,3})?|(.*)\r?\n[-=]+\s*)$",
                    re.MULTILINE)
_FOOTNOTE_REF = re.compile(r"\[\^[^\]]*\]")
_TAG = re.compile(r"<[^>]*>")
_INLINE = MarkdownIt("commonmark")
_ANY_ATX = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class HeadingTitle:
    """A title taken from the page's first heading."""

    title: str
    """The heading's text."""
    start: int
    """Where the heading's text starts in the body (for `strip_title`)."""
    end: int
    """Where it ends."""


def title_from_heading(body: str) -> HeadingTitle | None:
    """The title jekyll-titles-from-headings gives a page: its first heading's text when the
    page starts with a level 1 to 3 heading, with the Markdown removed (the plugin runs it
    through markdownify, strip_html and normalize_whitespace)."""
    m = _TITLE.match(body)
    if m is None:
        return None
    raw = m.group(1) if m.group(1) is not None else m.group(2)
    return HeadingTitle(_plain(raw), m.start(), m.end())


def _plain(markdown: str) -> str:
    text = html.unescape(_TAG.sub("", _INLINE.renderInline(markdown)))
    return _FOOTNOTE_REF.sub("", " ".join(text.split()))


def first_heading(body: str) -> str | None:
    """The text of the body's first ATX heading of any level, wherever it stands."""
    m = _ANY_ATX.search(body)
    return (_plain(m.group(1)) or None) if m else None


def titleize_slug(name: str) -> str:
    """Jekyll's title for a collection document without one: its file name, words
    capitalised (`soup-stock.md` -> `Soup Stock`)."""
    slug = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    slug = slug.rstrip(".")
    return " ".join(word[:1].upper() + word[1:].lower() for word in slug.split("-"))


@dataclass(frozen=True)
class HtmlTitle:
    """A title that holds HTML, as the sidebar (which prints it unescaped) shows it."""

    text: str
    """Its text, markup removed and entities decoded."""
    image: str | None
    """The `src` of its first image, if any."""


def title_text(title: str) -> HtmlTitle:
    """The text (and image) the sidebar shows for `title`: the theme writes the title into
    its HTML as it is, so `<img src=x> Name` shows an icon and the word, and `&amp;` an &."""
    if "<" not in title and "&" not in title:
        return HtmlTitle(" ".join(title.split()), None)
    try:
        fragment = lxml_html.fragment_fromstring(title, create_parent="span")
    except (etree.ParserError, ValueError):
        return HtmlTitle(" ".join(html.unescape(_TAG.sub(" ", title)).split()), None)
    images = fragment.xpath(".//img[@src]")
    image = images[0].get("src") if images else None
    for el in fragment.xpath(".//script|.//style"):
        el.drop_tree()
    return HtmlTitle(" ".join(fragment.text_content().split()), image)
