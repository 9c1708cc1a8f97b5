"""The part of Jekyll's Liquid pass that a just-the-docs page needs, run on the Markdown source.

Every replacement keeps the number of newlines, so markdown-it's line numbers stay the
lines of the file. Jekyll runs Liquid inside code fences too (hence `{% raw %}`): so do we.
Unsupported tags and unknown variables are removed with a warning naming file and line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..errors import Diagnostics
from .files import site_file
from .links import LinkResolver
from .pages import Page

_MARKUP = re.compile(
    r"\{%-?\s*(?P<tag>.*?)\s*-?%\}|\{\{-?\s*(?P<out>.*?)\s*-?\}\}|(?P<open>\{%|\{\{)", re.DOTALL
)
_END = {"raw": re.compile(r"\{%-?\s*endraw\s*-?%\}"),
        "comment": re.compile(r"\{%-?\s*endcomment\s*-?%\}")}
_FILTER_SPLIT = re.compile(r"""\|(?=(?:[^"']|"[^"]*"|'[^']*')*$)""")
_STRING = re.compile(r"""^(?:"([^"]*)"|'([^']*)')$""")
_PATH = re.compile(r"^[A-Za-z_][\w-]*(?:\.[\w-]+|\[\d+\])*$")


class LiquidPass:
    """Expands the Liquid of one page; `run` returns the new Markdown source."""

    def __init__(self, page: Page, resolver: LinkResolver, diagnostics: Diagnostics) -> None:
        self.page = page
        self.resolver = resolver
        self.config = resolver.config
        self.diagnostics = diagnostics
        self.text = page.body

    def line(self, pos: int) -> int:
        return self.page.body_line + self.text.count("\n", 0, pos)

    def warn(self, pos: int, message: str) -> None:
        self.diagnostics.warning(self.page.rel, self.line(pos), "liquid", message)

    def run(self) -> str:
        text = self.text
        if "{%" not in text and "{{" not in text:
            return text
        out: list[str] = []
        pos = 0
        while True:
            m = _MARKUP.search(text, pos)
            if m is None:
                break
            out.append(text[pos : m.start()])
            pos = m.end()
            source = m.group(0)
            keep_lines = "\n" * source.count("\n")
            if m.group("open"):
                self.warn(m.start(), f"'{source}' opens a Liquid tag that is never closed; "
                          "kept as text")
                out.append(source)
            elif m.group("out") is not None:
                out.append(self.output(m.group("out"), m.start()) + keep_lines)
            else:
                name, _, args = m.group("tag").partition(" ")
                if name in _END:
                    end = _END[name].search(text, pos)
                    stop = end.start() if end else len(text)
                    if end is None:
                        self.warn(m.start(), f"{{% {name} %}} is never closed with "
                                  f"{{% end{name} %}}; it runs to the end of the page")
                    body = text[pos:stop]
                    out.append(keep_lines + (body if name == "raw" else "\n" * body.count("\n")))
                    if end is not None:
                        out.append("\n" * end.group(0).count("\n"))
                    pos = end.end() if end else len(text)
                else:
                    out.append(self.tag(name, args.strip(), m) + keep_lines)
        out.append(text[pos:])
        return "".join(out)

    # -- tags ------------------------------------------------------------------------------

    def tag(self, name: str, args: str, m: re.Match[str]) -> str:
        if name == "link":
            return self.link(args, m.start())
        if name in ("highlight", "endhighlight") and self._alone_on_line(m):
            lang = args.split()[0] if args.split() else ""
            return "~~~" + (lang if name == "highlight" else "")
        if not (name.startswith("end") or name in ("else", "elsif", "when")):
            # (the tag that opens a block is reported; its else and end go quietly)
            self.warn(m.start(), f"Liquid tag '{{% {m.group('tag')} %}}' is not supported "
                      "by kbbook; removed")
        return ""

    def _alone_on_line(self, m: re.Match[str]) -> bool:
        start = self.text.rfind("\n", 0, m.start()) + 1
        end = self.text.find("\n", m.end())
        end = len(self.text) if end < 0 else end
        return not self.text[start : m.start()].strip() and not self.text[m.end() : end].strip()

    def link(self, args: str, pos: int) -> str:
        path = args.strip().strip("'\"").strip()
        page = self.resolver.page_for_source(path)
        if page is not None:
            return self.resolver.site_url(page)
        rel = path.lstrip("/")
        if rel and site_file(self.config.root, rel) is not None:
            return self.config.baseurl + "/" + rel  # `link` also accepts static files
        self.warn(pos, f"{{% link {path} %}} names no file of the site; the path is kept "
                  "as written")
        return "/" + rel

    # -- output ----------------------------------------------------------------------------

    def output(self, expression: str, pos: int) -> str:
        parts = [p.strip() for p in _FILTER_SPLIT.split(expression)]
        found, value = self.value(parts[0])
        has_default = any(p.split(":", 1)[0].strip() == "default" for p in parts[1:])
        if not found and not has_default:
            self.warn(pos, f"'{{{{ {expression} }}}}': {parts[0] or 'nothing'} is not known "
                      "to kbbook; removed")
            value = None
        for spec in parts[1:]:
            value = self.apply_filter(spec, value, pos)
        # a value's own newlines would shift every line below it
        return _to_text(value).replace("\r", " ").replace("\n", " ")

    def value(self, expression: str) -> tuple[bool, Any]:
        string = _STRING.match(expression)
        if string:
            return True, string.group(1) if string.group(1) is not None else string.group(2)
        if re.fullmatch(r"-?\d+(?:\.\d+)?", expression):
            return True, expression
        if expression in ("true", "false", "nil", "empty"):
            return True, {"true": True, "false": False}.get(expression)
        if not _PATH.match(expression):
            return False, None
        root, _, rest = expression.partition(".")
        if root == "site":
            special = {"baseurl": self.config.baseurl, "url": self.config.url}
            if rest in special:
                return True, special[rest]
            return _lookup(self.config.variables, rest)
        if root == "page":
            page = self.page
            special = {"title": page.title, "url": page.url, "path": page.rel}
            if rest in special:
                return True, special[rest]
            return _lookup(page.meta, rest)
        if expression == "jekyll.environment":
            return True, "production"
        return False, None

    def apply_filter(self, spec: str, value: Any, pos: int) -> Any:
        name, _, arg_text = spec.partition(":")
        name = name.strip()
        arg = None
        if arg_text.strip():
            ok, arg = self.value(arg_text.strip())
            if not ok:
                arg = None
        text = _to_text(value)
        if name == "relative_url":
            return self.relative_url(text)
        if name == "absolute_url":
            rel = self.relative_url(text)
            return rel if "://" in rel or not self.config.url else self.config.url + rel
        simple = {
            "upcase": str.upper, "downcase": str.lower, "capitalize": str.capitalize,
            "strip": str.strip, "escape": _escape, "xml_escape": _escape,
        }
        if name in simple:
            return simple[name](text)
        if name == "default":
            return value if value not in (None, "", False, [], {}) else arg
        if name == "append":
            return text + _to_text(arg)
        if name == "prepend":
            return _to_text(arg) + text
        self.warn(pos, f"Liquid filter '{name}' is not supported by kbbook; ignored")
        return value

    def relative_url(self, path: str) -> str:
        if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", path):
            return path
        return self.config.baseurl + "/" + path.lstrip("/") if path else self.config.baseurl


def _lookup(mapping: Mapping[str, Any], dotted: str) -> tuple[bool, Any]:
    current: Any = mapping
    for key in re.findall(r"[\w-]+", dotted):
        if isinstance(current, Mapping) and key in current:
            current = current[key]
        elif isinstance(current, list) and key.isdigit() and int(key) < len(current):
            current = current[int(key)]
        else:
            return False, None
    return True, current


def _to_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "".join(_to_text(v) for v in value)
    return str(value)


def _escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


def expand_liquid(page: Page, resolver: LinkResolver, diagnostics: Diagnostics) -> str:
    """The page's Markdown with its Liquid expanded; line count unchanged."""
    return LiquidPass(page, resolver, diagnostics).run()
