"""kramdown's typography, as the site shows it: curly quotes, dashes, ellipses, guillemets.

kramdown (Jekyll's Markdown) turns `---`, `--`, `...`, `<<` and `>>` into typographic
symbols and straight quotes into the four quotes of its `smart_quotes` setting. kbbook does
the same with markdown-it's own smart-quote rule and a rule of its own for the symbols (its
`replacements` rule would also turn `(c)` and `+-` into symbols, which kramdown does not).
Code, raw HTML and link addresses are never touched.
"""

from __future__ import annotations

from collections.abc import Mapping
from html.entities import html5
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

# (opening double, closing double, opening single, closing single), as markdown-it wants them.
Quotes = tuple[str, str, str, str]
ENGLISH: Quotes = ("\u201c", "\u201d", "\u2018", "\u2019")
NBSP, NNBSP = "\u00a0", "\u202f"
# The quotes each language prints (CLDR), for sites that do not set kramdown's smart_quotes.
LANGUAGE_QUOTES: dict[str, Quotes] = {
    "en": ENGLISH, "nl": ENGLISH, "ko": ENGLISH, "tr": ENGLISH, "zh": ENGLISH,
    "pt-br": ENGLISH,
    "de": ("\u201e", "\u201c", "\u201a", "\u2018"),
    "cs": ("\u201e", "\u201c", "\u201a", "\u2018"),
    "fr": ("\u00ab" + NNBSP, NNBSP + "\u00bb", "\u201c", "\u201d"),
    "es": ("\u00ab", "\u00bb", "\u201c", "\u201d"),
    "it": ("\u00ab", "\u00bb", "\u201c", "\u201d"),
    "pt": ("\u00ab", "\u00bb", "\u201c", "\u201d"),
    "ru": ("\u00ab", "\u00bb", "\u201e", "\u201c"),
    "uk": ("\u00ab", "\u00bb", "\u201e", "\u201c"),
    "pl": ("\u201e", "\u201d", "\u00ab", "\u00bb"),
    "no": ("\u00ab", "\u00bb", "\u2018", "\u2019"),
    "nb": ("\u00ab", "\u00bb", "\u2018", "\u2019"),
    "nn": ("\u00ab", "\u00bb", "\u2018", "\u2019"),
    "da": ("\u00bb", "\u00ab", "\u203a", "\u2039"),
    "sv": ("\u201d", "\u201d", "\u2019", "\u2019"),
    "fi": ("\u201d", "\u201d", "\u2019", "\u2019"),
    "ja": ("\u300c", "\u300d", "\u300e", "\u300f"),
    "zh-hant": ("\u300c", "\u300d", "\u300e", "\u300f"),
    "zh-tw": ("\u300c", "\u300d", "\u300e", "\u300f"),
}
# kramdown's typographic symbols, longest first (parser/kramdown/typographic_symbol.rb).
SYMBOLS = (("---", "\u2014"), ("--", "\u2013"), ("...", "\u2026"),
           ("<< ", "\u00ab" + NBSP), (" >>", NBSP + "\u00bb"), ("<<", "\u00ab"),
           (">>", "\u00bb"))


def _quote(name: str) -> str | None:
    """One item of kramdown's smart_quotes: an entity name (`lsquo`) or a code point."""
    name = name.strip()
    if name.isdigit():
        return chr(int(name)) if int(name) < 0x110000 else None
    return html5.get(name.removesuffix(";") + ";")


def site_quotes(kramdown: Any, lang: str) -> Quotes:
    """The quotes of `kramdown: smart_quotes` in `_config.yml` (single left, single right,
    double left, double right, as kramdown lists them), else the language's."""
    setting = kramdown.get("smart_quotes") if isinstance(kramdown, Mapping) else None
    if isinstance(setting, str):
        parts = [_quote(p) for p in setting.split(",")]
        if len(parts) == 4 and all(parts):
            lsquo, rsquo, ldquo, rdquo = parts
            return (ldquo, rdquo, lsquo, rsquo)  # type: ignore[return-value]
    tag = lang.lower()
    while tag:
        if tag in LANGUAGE_QUOTES:
            return LANGUAGE_QUOTES[tag]
        tag = tag.rpartition("-")[0]
    return ENGLISH


def _symbols(state: StateCore) -> None:
    """`---` to an em dash and the rest of kramdown's symbols, in text outside links' own
    addresses (an autolink's text is its address: left alone)."""
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        autolink = False
        for child in token.children:
            if child.type == "link_open" and child.info == "auto":
                autolink = True
            elif child.type == "link_close":
                autolink = False
            elif child.type == "text" and not autolink:
                text = child.content
                for plain, symbol in SYMBOLS:
                    if plain in text:
                        text = text.replace(plain, symbol)
                child.content = text


def typography_plugin(md: MarkdownIt, quotes: Quotes = ENGLISH) -> None:
    """Curly quotes (markdown-it's smartquotes rule, with `quotes`) and kramdown's symbols."""
    md.options["typographer"] = True
    md.options["quotes"] = list(quotes)
    md.enable("smartquotes")
    md.disable("replacements", ignoreInvalid=True)
    md.core.ruler.before("smartquotes", "kramdown_symbols", _symbols)
