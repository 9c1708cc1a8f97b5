"""Jekyll's filters on text and URLs (lib/jekyll/filters.rb, filters/url_filters.rb), for
python-liquid, which has every standard Liquid filter already."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

from liquid.exceptions import FilterArgumentError
from liquid.filter import with_context
from liquid.undefined import Undefined

from ..slug import slugify as jekyll_slugify
from . import limits
from .ruby import BoundedText, SizeExceeded, to_s
from .ruby import inspect as ruby_inspect
from .urls import absolute_url as _absolute_url
from .urls import relative_url as _relative_url


def nil(value: object) -> bool:
    return value is None or isinstance(value, Undefined)


def _value_limit() -> int:
    run = limits.current()
    return run.limits.value_size if run is not None else 4_000_000


# -- URLs ------------------------------------------------------------------------------------


@with_context
def relative_url(value: Any, *, context: Any) -> str | None:
    if nil(value):
        return None
    if isinstance(value, Mapping) and "url" in value:
        value = value["url"]
    return _relative_url(to_s(value), context.env.site.baseurl)


@with_context
def absolute_url(value: Any, *, context: Any) -> str | None:
    if nil(value):
        return None
    if isinstance(value, Mapping) and "url" in value:
        value = value["url"]
    site = context.env.site
    return _absolute_url(to_s(value), site.url, site.baseurl)


# -- converters ------------------------------------------------------------------------------


@with_context
def markdownify(value: Any, *, context: Any) -> str:
    convert: Callable[[str], str] | None = context.env.markdownify
    if convert is None:
        from markdown_it import MarkdownIt

        convert = MarkdownIt("commonmark").enable("table").render
    return convert(to_s(value))


_SMART = [
    (re.compile(r"---"), "\u2014"), (re.compile(r"--"), "\u2013"),
    (re.compile(r"\.\.\."), "\u2026"),
    (re.compile(r"(^|[\s(\[{\u2014\u2013-])\""), "\\1\u201c"), (re.compile(r"\""), "\u201d"),
    (re.compile(r"(^|[\s(\[{\u2014\u2013-])'"), "\\1\u2018"), (re.compile(r"'"), "\u2019"),
]


def smartify(value: Any) -> str:
    """SmartyPants as Jekyll's smartify does it (quotes, dashes, ellipses), as characters."""
    text = to_s(value)
    for pattern, repl in _SMART:
        text = pattern.sub(repl, text)
    return text


def sassify(value: Any) -> Any:
    run = limits.current()
    if run is not None:
        run.warn("liquid-filter", "sassify and scssify are not supported by kbbook; the "
                 "text is kept as it is")
    return value


# -- strings -----------------------------------------------------------------------------------


def slugify(value: Any, mode: Any = None) -> str | None:
    """Jekyll::Utils.slugify: modes none, raw, default, pretty, ascii, latin."""
    if nil(value):
        return None
    return jekyll_slugify(to_s(value), "default" if nil(mode) else to_s(mode))


def xml_escape(value: Any) -> str:
    return (to_s(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def cgi_escape(value: Any) -> str:
    return quote_plus(to_s(value), safe="~")


def uri_escape(value: Any) -> str:
    # Addressable::URI.normalize_component: keeps reserved characters and %XX
    return quote(to_s(value), safe="!#$&'()*+,/:;=?@[]~%")


def normalize_whitespace(value: Any) -> str:
    return re.sub(r"\s+", " ", to_s(value)).strip()


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def number_of_words(value: Any, mode: Any = None) -> int:
    text = to_s(value)
    cjk = len(_CJK.findall(text))
    if to_s(mode) == "cjk" or (to_s(mode) == "auto" and cjk):
        return cjk + len(_CJK.sub(" ", text).split())
    return len(text.split())


def _items(value: Any) -> list[Any]:
    if isinstance(value, Mapping):
        return list(value.values())
    return list(value) if isinstance(value, list | tuple | range) else []


def array_to_sentence_string(value: Any, connector: Any = "and") -> str:
    items = _items(value)
    word = to_s(connector)
    if not items:
        return ""
    if len(items) == 1:
        return to_s(items[0])
    if len(items) == 2:
        return f"{to_s(items[0])} {word} {to_s(items[1])}"
    return ", ".join(to_s(i) for i in items[:-1]) + f", {word} {to_s(items[-1])}"


def _json(value: object, limit: int) -> str:
    out = BoundedText(limit, "jsonify")
    emit = out.emit
    # (an explicit stack: data may nest deeply)
    stack: list[object] = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, _Raw):
            emit(v.text)
        elif nil(v):
            emit("null")
        elif isinstance(v, bool):
            emit("true" if v else "false")
        elif isinstance(v, int | float):
            emit(json.dumps(v))
        elif isinstance(v, str):
            emit(json.dumps(v, ensure_ascii=False))
        elif isinstance(v, dt.date):  # (a Time as Ruby prints it, a Date as ISO)
            emit(json.dumps(to_s(v) if isinstance(v, dt.datetime) else v.isoformat()))
        elif isinstance(v, Mapping):
            todo: list[object] = [_Raw("{")]
            for i, (k, item) in enumerate(v.items()):
                todo += [_Raw(("," if i else "") + json.dumps(to_s(k), ensure_ascii=False)
                              + ":"), item]
            stack.extend(reversed([*todo, _Raw("}")]))
        elif isinstance(v, list | tuple | range):
            todo = [_Raw("[")]
            for i, item in enumerate(v):
                todo += [_Raw(","), item] if i else [item]
            stack.extend(reversed([*todo, _Raw("]")]))
        else:
            emit(json.dumps(to_s(v), ensure_ascii=False))
    return out.text()


class _Raw:
    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def jsonify(value: Any) -> str:
    try:
        return _json(value, _value_limit())
    except SizeExceeded as exc:
        raise FilterArgumentError(str(exc), token=None) from None


def inspect(value: Any) -> str:
    try:
        return xml_escape(ruby_inspect(value, _value_limit()))
    except SizeExceeded as exc:
        raise FilterArgumentError(str(exc), token=None) from None


def to_integer(value: Any) -> int:
    if value is True:
        return 1
    if value is False:
        return 0
    m = re.match(r"\s*[-+]?\d+", to_s(value))
    return int(m.group()) if m else 0


FILTERS: dict[str, Callable[..., Any]] = {
    "relative_url": relative_url, "absolute_url": absolute_url,
    "markdownify": markdownify, "smartify": smartify, "sassify": sassify, "scssify": sassify,
    "slugify": slugify, "xml_escape": xml_escape, "cgi_escape": cgi_escape,
    "uri_escape": uri_escape, "normalize_whitespace": normalize_whitespace,
    "number_of_words": number_of_words, "array_to_sentence_string": array_to_sentence_string,
    "jsonify": jsonify, "inspect": inspect, "to_integer": to_integer,
}
