"""Code highlighting with Pygments: class-based spans, so one stylesheet serves EPUB and PDF."""

from __future__ import annotations

from functools import lru_cache
from html import escape

import tinycss2
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound
from tinycss2 import ast

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
    """Stylesheet for the highlighted code (selectors under `.highlight`), for print."""
    formatter = HtmlFormatter(style=style, cssclass=CSS_CLASS)
    selector = "." + CSS_CLASS
    rules = [*formatter.get_background_style_defs(selector),
             *formatter.get_token_style_defs(selector)]
    return "\n".join(rules) + "\n"


_BLACK = frozenset({"#000", "#000000", "black"})


def reader_css(style: str = STYLE) -> str:
    """The same for e-readers, without what would fight the reader's colours: fills, and
    plain black text (which vanishes in night mode and is the default colour anyway)."""
    formatter = HtmlFormatter(style=style, cssclass=CSS_CLASS)
    lines = []
    for line in formatter.get_token_style_defs("." + CSS_CLASS):  # one rule a line
        rule = next((r for r in tinycss2.parse_stylesheet(line)
                     if isinstance(r, ast.QualifiedRule)), None)
        if rule is None:
            continue
        declarations = [d for d in tinycss2.parse_blocks_contents(rule.content)
                        if isinstance(d, ast.Declaration)]
        kept = [d for d in declarations if not _fights_reader(d)]
        if len(kept) == len(declarations):
            lines.append(line)
        elif kept:
            body = "; ".join(f"{d.name}: {tinycss2.serialize(d.value).strip()}" for d in kept)
            lines.append(f"{tinycss2.serialize(rule.prelude).strip()} {{ {body} }}")
    return "\n".join(lines) + "\n"


def _fights_reader(declaration: ast.Declaration) -> bool:
    if declaration.lower_name.startswith("background"):
        return True
    value = tinycss2.serialize(declaration.value).strip().lower()
    return declaration.lower_name == "color" and value in _BLACK
