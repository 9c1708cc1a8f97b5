"""What Ruby would print: to_s, inspect, strftime, and Liquid's to_date."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping

from dateutil import parser as dateparser
from liquid.undefined import Undefined


class SizeExceeded(Exception):
    pass


class BoundedText:
    """Text made piece by piece that stops (SizeExceeded) once it passes `limit`
    characters: aliases in YAML data can make a few lines stand for a huge tree."""

    def __init__(self, limit: int, what: str) -> None:
        self.limit, self.what = limit, what
        self.parts: list[str] = []
        self.size = 0

    def emit(self, s: str) -> None:
        self.size += len(s)
        if self.size > self.limit:
            raise SizeExceeded(f"{self.what} made more than {self.limit:,} characters")
        self.parts.append(s)

    def text(self) -> str:
        return "".join(self.parts)


def to_s(value: object) -> str:
    if value is None or isinstance(value, Undefined):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return float_to_s(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S ") + (
            value.strftime("%z") if value.tzinfo else "+0000")
    if isinstance(value, (list, tuple, Mapping)):
        return inspect(value)
    return str(value)


def float_to_s(f: float) -> str:
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "Infinity" if f > 0 else "-Infinity"
    if f == int(f) and abs(f) < 1e16:
        return f"{int(f)}.0"
    r = repr(f)
    if "e" in r:
        mant, exp = r.split("e")
        if "." not in mant:
            mant += ".0"
        return f"{mant}e{'+' if not exp.startswith('-') else '-'}{exp.lstrip('+-').zfill(2)}"
    return r


def _str_inspect(s: str) -> str:
    out = ['"']
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "#":
            out.append("#")  # Ruby escapes only "#{", "#$", "#@"
        elif ord(ch) < 32:
            out.append(f"\\x{ord(ch):02X}" if ch not in "\r\x1b" else
                       {"\r": "\\r", "\x1b": "\\e"}[ch])
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def inspect(value: object, limit: int = 4_000_000) -> str:
    """Ruby's #inspect (what Jekyll's `inspect` filter and Array#to_s print), stopping
    once more than `limit` characters were made (aliases in YAML data can make a few lines
    stand for an exponentially large tree)."""
    out = BoundedText(limit, "inspect")
    emit = out.emit

    def walk(v: object, depth: int) -> None:
        if depth > 100:
            emit("[...]")
            return
        if v is None or isinstance(v, Undefined):
            emit("nil")
        elif isinstance(v, bool):
            emit("true" if v else "false")
        elif isinstance(v, str):
            emit(_str_inspect(v))
        elif isinstance(v, float):
            emit(float_to_s(v))
        elif isinstance(v, dt.datetime):
            emit(to_s(v))
        elif isinstance(v, dt.date):
            emit(f"#<Date: {v.isoformat()}>")
        elif isinstance(v, Mapping):
            emit("{")
            for i, (k, item) in enumerate(v.items()):
                if i:
                    emit(", ")
                walk(k, depth + 1)
                emit("=>")
                walk(item, depth + 1)
            emit("}")
        elif isinstance(v, (list, tuple, range)):
            emit("[")
            for i, item in enumerate(v):
                if i:
                    emit(", ")
                walk(item, depth + 1)
            emit("]")
        else:
            emit(str(v))

    walk(value, 0)
    return out.text()


# -- dates -------------------------------------------------------------------------------------


def to_date(value: object, tz: dt.tzinfo, localtime: bool = True) -> dt.datetime | None:
    """Liquid::Utils.to_date; times without an offset are in the site's `timezone:` (Jekyll
    sets TZ from it; UTC when absent, as on GitHub Pages, rather than this machine's).
    `localtime`: convert to that zone too (Jekyll's date_to_* filters do, Liquid's `date`
    keeps the offset the text gave)."""
    if isinstance(value, dt.datetime):
        d = value
    elif isinstance(value, dt.date):
        d = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return dt.datetime.fromtimestamp(value, tz)
        except (OverflowError, OSError, ValueError):
            return None
    elif isinstance(value, str):
        s = value.strip()
        if not s:
            return None
        if s in ("now", "today"):
            return dt.datetime.now(tz)
        if s.isdigit():
            try:
                return dt.datetime.fromtimestamp(int(s), tz)
            except (OverflowError, OSError, ValueError):
                return None
        try:
            d = dateparser.parse(s)
        except (ValueError, OverflowError):
            return None
    else:
        return None
    if d.tzinfo is None:
        return d.replace(tzinfo=tz)
    return d.astimezone(tz) if localtime else d


_DIRECTIVE = re.compile(r"%([-_0^#]*)(\d*)(:{0,2}[a-zA-Z%+])")
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]


def _offset(d: dt.datetime, colons: int) -> str:
    off = d.utcoffset() or dt.timedelta(0)
    sign = "-" if off < dt.timedelta(0) else "+"
    secs = abs(int(off.total_seconds()))
    h, m, s = secs // 3600, secs % 3600 // 60, secs % 60
    if colons == 0:
        return f"{sign}{h:02d}{m:02d}"
    if colons == 1:
        return f"{sign}{h:02d}:{m:02d}"
    return f"{sign}{h:02d}:{m:02d}:{s:02d}"


def strftime(d: dt.datetime, fmt: str) -> str:
    """Ruby's Time#strftime (flags - _ 0 ^ #, widths, %L %N %:z %s %P %-d ...), the same on
    every platform (Python's strftime hands most directives to the C library)."""

    def one(m: re.Match) -> str:
        flags, width, conv = m.group(1), m.group(2), m.group(3)
        colons = conv.count(":")
        c = conv[-1]
        num: int | None = None
        pad, default_width = "0", 2
        text: str | None = None
        if c == "Y":
            num, default_width = d.year, 1
        elif c == "C":
            num = d.year // 100
        elif c == "y":
            num = d.year % 100
        elif c == "m":
            num = d.month
        elif c == "d":
            num = d.day
        elif c == "e":
            num, pad = d.day, " "
        elif c == "j":
            num, default_width = d.timetuple().tm_yday, 3
        elif c == "H":
            num = d.hour
        elif c == "k":
            num, pad = d.hour, " "
        elif c == "I":
            num = (d.hour % 12) or 12
        elif c == "l":
            num, pad = (d.hour % 12) or 12, " "
        elif c == "M":
            num = d.minute
        elif c == "S":
            num = d.second
        elif c == "L":
            w = int(width) if width else 3
            return f"{d.microsecond:06d}{'0' * 12}"[:w]
        elif c == "N":
            w = int(width) if width else 9
            return f"{d.microsecond:06d}{'0' * 12}"[:w]
        elif c == "s":
            return str(int(d.timestamp()))
        elif c == "u":
            num, default_width = d.isoweekday(), 1
        elif c == "w":
            num, default_width = d.isoweekday() % 7, 1
        elif c == "U":
            num = int(d.strftime("%U"))
        elif c == "W":
            num = int(d.strftime("%W"))
        elif c == "G":
            num, default_width = d.isocalendar()[0], 1
        elif c == "g":
            num = d.isocalendar()[0] % 100
        elif c == "V":
            num = d.isocalendar()[1]
        elif c == "A":
            text = _DAYS[d.weekday()]
        elif c == "a":
            text = _DAYS[d.weekday()][:3]
        elif c == "B":
            text = _MONTHS[d.month - 1]
        elif c in "bh":
            text = _MONTHS[d.month - 1][:3]
        elif c == "p":
            text = "PM" if d.hour >= 12 else "AM"
            if "#" in flags:
                text = text.lower()
        elif c == "P":
            text = "pm" if d.hour >= 12 else "am"
        elif c == "z":
            text = _offset(d, colons)
        elif c == "Z":
            text = d.tzname() or ""
        elif c == "n":
            text = "\n"
        elif c == "t":
            text = "\t"
        elif c == "%":
            text = "%"
        elif c == "F":
            text = strftime(d, "%Y-%m-%d")
        elif c == "D" or c == "x":
            text = strftime(d, "%m/%d/%y")
        elif c == "T" or c == "X":
            text = strftime(d, "%H:%M:%S")
        elif c == "R":
            text = strftime(d, "%H:%M")
        elif c == "r":
            text = strftime(d, "%I:%M:%S %p")
        elif c == "c":
            text = strftime(d, "%a %b %e %H:%M:%S %Y")
        elif c == "v":
            text = strftime(d, "%e-%^b-%Y")
        elif c == "+":
            text = strftime(d, "%a %b %e %H:%M:%S %Z %Y")
        else:
            return m.group(0)  # unknown: Ruby prints it as written
        if text is not None:
            if "^" in flags or ("#" in flags and c not in "p"):
                text = text.upper() if "^" in flags or not text.isupper() else text.lower()
            if width:
                text = text.rjust(int(width), "0" if "0" in flags else " ")
            return text
        if "-" in flags:
            return str(num)
        if "_" in flags:
            pad = " "
        elif "0" in flags:
            pad = "0"
        w = int(width) if width else default_width
        s = str(abs(num))
        s = s.rjust(w - (1 if num < 0 else 0), pad)
        return ("-" if num < 0 else "") + s

    return _DIRECTIVE.sub(one, fmt)
