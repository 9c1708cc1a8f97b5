"""Jekyll::Utils.slugify, which URLs and the `slugify` filter share."""

from __future__ import annotations

import re
import unicodedata

MODES = ("raw", "default", "pretty", "ascii", "latin")
_PRETTY_EXTRA = frozenset("._~!$&'()+,;=@")


def _letter_mark_digit(ch: str) -> bool:  # [\p{M}\p{L}\p{Nd}]
    cat = unicodedata.category(ch)
    return cat[0] in "LM" or cat == "Nd"


def _replace_runs(text: str, keep: object) -> str:
    out: list[str] = []
    in_run = False
    for ch in text:
        if keep(ch):  # type: ignore[operator]
            out.append(ch)
            in_run = False
        elif not in_run:
            out.append("-")
            in_run = True
    return "".join(out)


def slugify(text: str, mode: str = "default", cased: bool = False) -> str:
    """The modes none, raw, default, pretty, ascii and latin; lower case unless `cased`."""
    if mode not in MODES:
        return text if cased else text.lower()
    if mode == "latin":
        text = "".join(c for c in unicodedata.normalize("NFKD", text)
                       if not unicodedata.combining(c))
        text = "".join(c if ord(c) < 128 else "?" for c in text)
    if mode == "raw":
        slug = re.sub(r"\s+", "-", text)
    elif mode == "pretty":
        slug = _replace_runs(text, lambda c: _letter_mark_digit(c) or c in _PRETTY_EXTRA)
    elif mode in ("ascii", "latin"):
        slug = re.sub(r"[^A-Za-z0-9]+", "-", text)
    else:
        slug = _replace_runs(text, _letter_mark_digit)
    slug = re.sub(r"^-|-$", "", slug, flags=re.MULTILINE)
    return slug if cased else slug.lower()
