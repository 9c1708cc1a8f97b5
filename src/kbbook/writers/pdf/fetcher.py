"""The only way WeasyPrint may read anything while it prints a book.

WeasyPrint's default fetcher opens any `file:` path and any URL a page names, so a page with
`<img src="/etc/passwd">` or a stylesheet with `url(http://tracker)` would leak. This one reads
only what a `FetchPolicy` allows (`policy.py`).
"""

from __future__ import annotations

import mimetypes

from weasyprint.urls import URLFetcher, URLFetcherResponse

from ...render.images import sanitize_svg
from .policy import FetchPolicy, RefusedURL

__all__ = ["FetchPolicy", "RefusedURL", "SafeFetcher"]


class SafeFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that obeys a `FetchPolicy` and remembers what it refused."""

    def __init__(self, policy: FetchPolicy, timeout: float = 10) -> None:
        super().__init__(timeout=timeout, allowed_protocols=("file", "http", "https"),
                         allow_redirects=policy.allow_remote)
        self.policy = policy
        self.refused: list[tuple[str, str]] = []
        """(URL, why) of each read refused, in order."""

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        try:
            kind = self.policy.check(url)
        except RefusedURL as exc:
            self.refused.append((url, str(exc)))
            raise
        if kind == "file":
            path = self.policy.local_path(url)
            mime, _ = mimetypes.guess_type(path.name)
            headers_out = {"Content-Type": mime} if mime else {}
            # Read now: the response owns no open file, so nothing leaks if WeasyPrint fails.
            data = path.read_bytes()
            if mime == "image/svg+xml":
                data = sanitize_svg(data)  # no entities, scripts or outside references
            return URLFetcherResponse(path.as_uri(), data, headers_out)
        # Permitted remote URLs use WeasyPrint's own handling; a remote redirect is
        # re-checked by urllib, which only follows http(s)/ftp targets.
        return super().fetch(url, headers)
