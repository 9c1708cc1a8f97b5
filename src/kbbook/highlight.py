"""Code highlighting with Pygments: class-based spans, so one stylesheet serves EPUB and PDF."""

from __future__ import annotations

from functools import lru_cache
from html import escape

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

STYLE = "xcode"
"""Light style whose every colour keeps a contrast of at least 5:1 on white, so it stays
readable when an e-ink screen turns colours into greys."""
CSS_CLASS = "highlight"
_PLAIN = frozenset({"", "text", "plain", "plaintext", "txt", "none", "nohighlight"})
_FORMATTER = HtmlFormatter(nowrap=True, cssclass=CSS_CLASS)


@lru_cache(maxsize=128)
def _lexer(lang: str) -> Lexer | None:
    if lang in _PLAIN:
        return None
    try:
        return get_lexer_by_name(lang, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


def language(info: str) -> str:
    """The language named by a fence's info string (`ruby {.x}`, `{.python}` → python)."""
    word = info.strip().split(maxsplit=1)[0] if info.strip() else ""
    return word.strip("{}.").lower()


def highlight_code(code: str, info: str) -> str:
    """A `<pre>` block for fenced code: highlighted when Pygments knows the language,
    otherwise plain and escaped."""
    lang = language(info)
    lexer = _lexer(lang)
    if lexer is None:
        return f"<pre><code>{escape(code, quote=False)}</code></pre>\n"
    body = highlight(code, lexer, _FORMATTER)
    if body.endswith("\n") and not code.endswith("\n"):
        body = body[:-1]
    cls = "language-" + "".join(c if c.isalnum() or c in "-_+" else "-" for c in lang)
    return f'<pre class="{CSS_CLASS}"><code class="{cls}">{body}</code></pre>\n'


def pygments_css(style: str = STYLE) -> str:
    """Stylesheet for the highlighted code (selectors under `.highlight`)."""
    css = HtmlFormatter(style=style, cssclass=CSS_CLASS).get_style_defs("." + CSS_CLASS)
    # Pygments adds unscoped rules for `pre` and line numbers; keep only `.highlight` ones.
    lines = [line for line in css.splitlines() if line.startswith("." + CSS_CLASS)]
    return "\n".join(lines) + "\n"
