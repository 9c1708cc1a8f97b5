"""Jekyll's filters on dates and lists (filters.rb, filters/date_filters.rb, grouping_filters.rb):
`date` with Ruby's strftime, and `where`, `sort`, `find` as Jekyll defines them (they differ
from Liquid's own)."""

from __future__ import annotations

import datetime as dt
import functools
import random
from collections.abc import Callable, Mapping
from typing import Any

from liquid.builtin.expressions import BooleanExpression, FilteredExpression, tokenize
from liquid.exceptions import FilterArgumentError
from liquid.filter import with_context
from liquid.stream import TokenStream
from liquid.token import TOKEN_EXPRESSION, Token

from . import limits
from .filters_text import nil
from .ruby import strftime, to_date, to_s


def _tz(context: Any) -> dt.tzinfo:
    return context.env.site.timezone  # type: ignore[no-any-return]


def _seq(value: Any) -> list[Any] | None:
    """What Jekyll's filters iterate: a hash's values, an array; None otherwise."""
    if isinstance(value, Mapping):
        return list(value.values())
    if isinstance(value, list | tuple | range):
        return list(value)
    return None


def item_property(item: object, prop: object) -> object:
    current = item
    for part in to_s(prop).split("."):
        if isinstance(current, Mapping):
            current = current.get(part)
        elif isinstance(current, list | tuple) and part.lstrip("-").isdigit():
            i = int(part)
            current = current[i] if -len(current) <= i < len(current) else None
        else:
            return None
    return current


# -- dates -----------------------------------------------------------------------------------


def _time(value: Any, context: Any) -> dt.datetime:
    d = to_date(value, _tz(context))
    if d is None:
        raise FilterArgumentError(f"Invalid Date: '{to_s(value)}' is not a valid datetime",
                                  token=None)
    return d


@with_context
def date(value: Any, fmt: Any = None, *, context: Any) -> Any:
    """Liquid's `date`, with Ruby's strftime; "now" is the build's time."""
    if nil(fmt) or not to_s(fmt):
        return value
    if isinstance(value, str) and value.strip() in ("now", "today"):
        value = context.env.site.time  # SOURCE_DATE_EPOCH, not the clock
    d = to_date(value, _tz(context), localtime=False)
    return value if d is None else strftime(d, to_s(fmt))


def _ordinal(n: int) -> str:
    if 11 <= n % 100 <= 13:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def _stringify_date(value: Any, month: str, kind: Any, style: Any, context: Any) -> Any:
    if not to_s(value):
        return value
    d = _time(value, context)
    if to_s(kind) == "ordinal":
        day = f"{d.day}{_ordinal(d.day)}"
        if to_s(style) == "US":
            return strftime(d, f"{month} {day}, %Y")
        return strftime(d, f"{day} {month} %Y")
    return strftime(d, f"%d {month} %Y")


@with_context
def date_to_string(value: Any, kind: Any = None, style: Any = None, *, context: Any) -> Any:
    return _stringify_date(value, "%b", kind, style, context)


@with_context
def date_to_long_string(value: Any, kind: Any = None, style: Any = None, *,
                        context: Any) -> Any:
    return _stringify_date(value, "%B", kind, style, context)


@with_context
def date_to_xmlschema(value: Any, *, context: Any) -> Any:
    return strftime(_time(value, context), "%Y-%m-%dT%H:%M:%S%:z") if to_s(value) else value


@with_context
def date_to_rfc822(value: Any, *, context: Any) -> Any:
    return strftime(_time(value, context), "%a, %d %b %Y %H:%M:%S %z") if to_s(value) else value


# -- arrays ----------------------------------------------------------------------------------


def _matches(prop: object, target: object) -> bool:
    """Jekyll's compare_property_vs_target."""
    if nil(target):
        return prop is None
    if type(target).__name__ in ("Empty", "Blank"):  # Liquid's `empty` and `blank`
        return prop == "" or (isinstance(prop, list) and "".join(map(to_s, prop)) == "")
    wanted = to_s(target)
    if isinstance(prop, str):
        return prop == wanted
    values = prop if isinstance(prop, list) else ([] if prop is None else [prop])
    return any(to_s(p) == wanted for p in values)


def where(value: Any, prop: Any = None, target: Any = None) -> Any:
    if nil(prop) or isinstance(target, list | Mapping):
        return value
    items = _seq(value)
    if items is None:
        return value
    return [o for o in items if _matches(item_property(o, prop), target)]


@functools.lru_cache(maxsize=256)
def _condition(env: Any, expression: str) -> BooleanExpression:
    token = Token(TOKEN_EXPRESSION, expression, 0, expression)
    return BooleanExpression.parse(env, TokenStream(tokenize(expression, token)))


@functools.lru_cache(maxsize=256)
def _expression(env: Any, expression: str) -> FilteredExpression:
    token = Token(TOKEN_EXPRESSION, expression, 0, expression)
    return FilteredExpression.parse(env, TokenStream(tokenize(expression, token)))


def _select(value: Any, variable: Any, expression: Any, context: Any,
            first: bool = False) -> Any:
    items = _seq(value)
    if items is None:
        return value
    cond = _condition(context.env, to_s(expression))
    name = to_s(variable)
    out = []
    for item in items:
        with context.extend({name: item}):
            ok = cond.evaluate(context)
        if ok:
            if first:
                return item
            out.append(item)
    return None if first else out


@with_context
def where_exp(value: Any, variable: Any, expression: Any, *, context: Any) -> Any:
    return _select(value, variable, expression, context)


@with_context
def find_exp(value: Any, variable: Any, expression: Any, *, context: Any) -> Any:
    return _select(value, variable, expression, context, first=True)


def find(value: Any, prop: Any, target: Any) -> Any:
    items = _seq(value) or []
    return next((o for o in items if _matches(item_property(o, prop), target)), None)


def _grouped(groups: dict[str, list[Any]]) -> list[dict[str, Any]]:
    return [{"name": k, "items": v, "size": len(v)} for k, v in groups.items()]


def group_by(value: Any, prop: Any) -> Any:
    items = _seq(value)
    if items is None:
        return value
    groups: dict[str, list[Any]] = {}
    for item in items:
        groups.setdefault(to_s(item_property(item, prop)), []).append(item)
    return _grouped(groups)


@with_context
def group_by_exp(value: Any, variable: Any, expression: Any, *, context: Any) -> Any:
    items = _seq(value)
    if items is None:
        return value
    expr = _expression(context.env, to_s(expression))
    groups: dict[str, list[Any]] = {}
    for item in items:
        with context.extend({to_s(variable): item}):
            key = expr.evaluate(context)
        groups.setdefault(to_s(key), []).append(item)
    return _grouped(groups)


def _cmp(a: Any, b: Any) -> int:
    try:
        return int((a > b) - (a < b))
    except TypeError:
        raise FilterArgumentError(f"comparison of {type(a).__name__} with "
                                  f"{type(b).__name__} failed", token=None) from None


def sort(value: Any, prop: Any = None, nils: Any = "first") -> Any:
    """Jekyll's sort: by a property, nils first or last; mixed types are an error."""
    if nil(value):
        raise FilterArgumentError("Cannot sort a null object.", token=None)
    items = _seq(value)
    if items is None:
        return value
    if nil(prop):
        return sorted(items, key=functools.cmp_to_key(_cmp))
    where_nils = to_s(nils)
    if where_nils not in ("first", "last"):
        raise FilterArgumentError(f"Invalid nils order: '{where_nils}' is not a valid nils "
                                  "order. It must be 'first' or 'last'.", token=None)
    order = -1 if where_nils == "first" else 1

    def compare(x: tuple[Any, Any], y: tuple[Any, Any]) -> int:
        a, b = x[0], y[0]
        if a is not None and b is None:
            return -order
        if a is None and b is not None:
            return order
        return _cmp(a, b)

    keyed = [(item_property(i, prop), i) for i in items]
    return [i for _, i in sorted(keyed, key=functools.cmp_to_key(compare))]


def _int(num: Any, default: int = 1) -> int:
    try:
        return int(num)
    except (TypeError, ValueError):
        return default


def pop(value: Any, num: Any = 1) -> Any:
    if not isinstance(value, list):
        return value
    n = _int(num)
    return value[:-n] if n > 0 else list(value)


def push(value: Any, item: Any) -> Any:
    return [*value, item] if isinstance(value, list) else value


def shift(value: Any, num: Any = 1) -> Any:
    return value[max(_int(num), 0):] if isinstance(value, list) else value


def unshift(value: Any, item: Any) -> Any:
    return [item, *value] if isinstance(value, list) else value


def sample(value: Any, num: Any = 1) -> Any:
    """Random, as in Jekyll, but seeded by the page: the same book every build."""
    items = _seq(value)
    if not items:
        return None if items is not None else value
    run = limits.current()
    rng = random.Random(run.page_file if run is not None else 0)
    n = _int(num)
    if n == 1:
        return rng.choice(items)
    return rng.sample(items, min(max(n, 0), len(items)))


FILTERS: dict[str, Callable[..., Any]] = {
    "date": date, "date_to_string": date_to_string, "date_to_long_string": date_to_long_string,
    "date_to_xmlschema": date_to_xmlschema, "date_to_rfc822": date_to_rfc822,
    "where": where, "where_exp": where_exp, "find": find, "find_exp": find_exp,
    "group_by": group_by, "group_by_exp": group_by_exp, "sort": sort,
    "pop": pop, "push": push, "shift": shift, "unshift": unshift, "sample": sample,
}
