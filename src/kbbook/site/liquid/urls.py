"""URL helpers that behave like Jekyll's (Addressable::URI.normalize, URL.escape_path)."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

_PCT = re.compile(r"%[0-9A-Fa-f]{2}")
# RFC 3986 characters Addressable leaves alone in a path; '%' handled separately
_PATH_SAFE = "/!$&'()*+,;=:@-._~"


def encode_path(path: str) -> str:
    """Percent-encode what a URL path may not hold (spaces, non-ASCII), keeping valid
    %XX escapes: `/my page.html` -> `/my%20page.html`, `/é` -> `/%C3%A9`."""
    out = []
    pos = 0
    for m in _PCT.finditer(path):
        out.append(quote(path[pos:m.start()], safe=_PATH_SAFE))
        out.append(m.group().upper())
        pos = m.end()
    out.append(quote(path[pos:], safe=_PATH_SAFE))
    return "".join(out)


def normalize_url(url: str) -> str:
    """Roughly Addressable::URI.parse(url).normalize.to_s for the URLs Liquid builds."""
    parts = urlsplit(url)
    path = encode_path(parts.path)
    query = ("?" + encode_path(parts.query).replace("/", "/")) if parts.query else ""
    fragment = ("#" + encode_path(parts.fragment)) if parts.fragment else ""
    if parts.scheme or parts.netloc:
        scheme = parts.scheme.lower()
        netloc = parts.netloc.lower()
        if (scheme, netloc.rsplit(":", 1)[-1]) in (("http", "80"), ("https", "443")):
            netloc = netloc.rsplit(":", 1)[0]
        return f"{scheme}://{netloc}{path or '/'}{query}{fragment}"
    return path + query + fragment


def is_absolute(url: str) -> bool:
    """Addressable's `absolute?`: the URL has a scheme."""
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", url))


def ensure_leading_slash(part: str) -> str:
    return part if not part or part.startswith("/") else "/" + part


def relative_url(value: str, baseurl: str) -> str:
    """Jekyll 4 `relative_url`: baseurl + value, leading slashes ensured, normalized."""
    if is_absolute(value):
        return value
    base = (baseurl or "").rstrip("/")
    return normalize_url(ensure_leading_slash(base) + ensure_leading_slash(value))


def absolute_url(value: str, site_url: str, baseurl: str) -> str:
    if is_absolute(value):
        return value
    rel = relative_url(value, baseurl)
    if not site_url:
        return rel
    return normalize_url(site_url + rel)
