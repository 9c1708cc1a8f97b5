"""The book's language when `_config.yml` does not give one: read from the pages' text.

A German site without `lang` would otherwise be labelled English in every document, and a
hyphenating reader then breaks its words the English way. kbbook identifies the language of
a sample of the pages' prose (py3langid: a model of 97 languages, on this machine, no
network) and says which one it used and how to set it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from functools import cache
from typing import Any

from ..errors import Diagnostics
from .config import SiteConfig
from .pages import Page

SAMPLE = 30_000
"""Characters of prose read, from the first pages in source order: plenty to tell a
language, and quick."""
CONFIDENCE = 0.9
"""Below this the guess is not used: the pages may mix languages or be mostly code."""
_NOT_PROSE = re.compile(
    r"^ {0,3}(`{3,}|~{3,})[^\n]*\n.*?^ {0,3}\1[ \t]*$"  # fenced code
    r"|`[^`\n]*`"  # inline code
    r"|\{%.*?%\}|\{\{.*?\}\}"  # Liquid
    r"|<[^>\n]*>"  # tags
    r"|\]\([^)\n]*\)|https?://\S+",  # link addresses
    re.MULTILINE | re.DOTALL)


_KEEP = [True]


def keep_model(keep: bool) -> None:
    """Whether the model stays loaded once used: it takes a second to load and some 75 MB
    to hold, which a process that reads one site (a command, not a watch) has better uses
    for while it writes the book."""
    _KEEP[0] = keep
    if not keep:
        _identifier.cache_clear()


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def prose(pages: Sequence[Page], limit: int = SAMPLE) -> str:
    """The pages' text without code, markup and addresses, up to `limit` characters."""
    parts: list[str] = []
    size = 0
    for page in sorted(pages, key=lambda p: p.rel):
        text = " ".join(_NOT_PROSE.sub(" ", page.body).split())
        parts.append(text)
        size += len(text)
        if size >= limit:
            break
    return " ".join(parts)[:limit]


def identify(text: str) -> tuple[str, float]:
    """The language of `text` (an ISO 639-1 code) and how sure that is (0 to 1)."""
    lang, probability = _identifier().classify(text)
    if not _KEEP[0]:
        _identifier.cache_clear()
    return str(lang), float(probability)


def with_language(config: SiteConfig, pages: Sequence[Page],
                  diagnostics: Diagnostics) -> SiteConfig:
    """`config` with the language of its pages when `_config.yml` sets none (a warning says
    which and how to set it); unchanged when it does."""
    if config.lang_given:
        return config
    text = prose(pages)
    if len(text) < 200:
        return config  # too little prose to tell: English, as before
    lang, probability = identify(text)
    if lang == "zxx":  # "no linguistic content": numbers, names, code
        return config
    if probability < CONFIDENCE:
        diagnostics.warning("_config.yml", None, "lang", "no lang: set in _config.yml, and "
                            "the pages' language is not clear; the book is labelled English "
                            "(en). Add for example 'lang: de' to say which it is")
        return config
    if lang == config.lang:
        return config  # English, as the book would be labelled anyway: nothing to say
    diagnostics.warning("_config.yml", None, "lang", f"no lang: set in _config.yml; the "
                        f"pages read as '{lang}', so the book is labelled '{lang}'. Add "
                        f"'lang: {lang}' to _config.yml to say so (or the language you mean)")
    return dataclasses.replace(config, lang=lang)
