"""The chunked print: chunks laid out in parallel, page numbers made global, chunks merged.

1. Each chunk's layout (its page count, the page of each anchor) comes from the cache, from
   the last build of the same chunk (a guess), or from a layout pass.
2. From the layouts: each chunk's first page, the page of every anchor in the book, so each
   chunk's contents numbers, cross-references and page numbers. A chunk already rendered
   with exactly these numbers is taken from the cache; the others are rendered.
3. A render whose layout differs from the one its numbers came from (a number changed a line
   break) changes the numbers of others: step 2 again, until nothing changes, or the book
   is written with a warning that some numbers may be off.
4. The chunk PDFs are merged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ...errors import Diagnostics
from .cache import BuildCache, Rendered, digest, file_hash, versions
from .chunkrender import Job, Layout, Result
from .chunks import Chunk, number_css, page_css, uses_numbers
from .fetcher import FetchPolicy
from .memory import release_memory
from .merge import merge
from .standins import StandIns
from .weasy import Stylesheet
from .workers import Workers

MAX_ROUNDS = 5
"""Renders of the whole book at most, after the layout pass, before giving up on numbers
that keep changing each other."""
_PAGES_COUNTER = re.compile(r"counter\(\s*pages\b", re.IGNORECASE)
_IMG_SRC = re.compile(r'<img\b[^>]*?\bsrc="([^"]+)"', re.IGNORECASE)
CHARS_PER_PAGE = 2500
"""About how much print HTML fills a page: for a first estimate of the page count."""

Say = Callable[[str, int, int], None]
"""Told of each stage: what it is, how many chunks of about how many pages it lays out."""


@dataclass(frozen=True)
class Settings:
    """What every chunk is rendered with."""

    sheets: tuple[Stylesheet, ...]
    base_url: str
    policy: FetchPolicy
    dpi: int
    options: str
    """The other options that change the output (paper, variant), for the cache keys."""
    variant: str | None = None
    """The PDF variant written."""


class Plan:
    """The numbers of the book from the chunks' layouts."""

    def __init__(self, chunks: Sequence[Chunk], layouts: dict[int, Layout]) -> None:
        self.chunks = chunks
        self.first: dict[int, int] = {}
        self.pages: dict[str, int] = {}
        page = 1
        for chunk in chunks:
            layout = layouts[chunk.index]
            self.first[chunk.index] = page
            for anchor, index in layout.anchors.items():
                if anchor in chunk.owned:
                    self.pages.setdefault(anchor, page + index)
            page += layout.pages
        self.total = page - 1


def _image_hashes(chunk: Chunk, base_url: str, hashes: dict[str, str]) -> list[str]:
    """The content hash of each local image the chunk shows."""
    from urllib.parse import unquote, urljoin, urlsplit

    out = []
    for src in sorted(set(_IMG_SRC.findall(chunk.template))):
        url = urljoin(base_url, src.replace("&amp;", "&"))
        if url not in hashes:
            parts = urlsplit(url)
            hashes[url] = file_hash(Path(unquote(parts.path))) if parts.scheme == "file" \
                else ""
        out.append(f"{src}={hashes[url]}")
    return out


class ChunkedPrint:
    """Renders the chunks of one book and merges them."""

    def __init__(self, chunks: Sequence[Chunk], settings: Settings, cache: BuildCache,
                 workers: Workers, diagnostics: Diagnostics, say: Say) -> None:
        self.chunks = chunks
        self.settings = settings
        self.cache = cache
        self.workers = workers
        self.diagnostics = diagnostics
        self.say = say
        self.sheets = tuple(Stylesheet(number_css(s.text), s.base_url, s.source)
                            for s in settings.sheets)
        self.numbered = any(uses_numbers(s.text) for s in settings.sheets)
        self.counts_pages = any(_PAGES_COUNTER.search(s.text) for s in settings.sheets)
        base = digest(versions(), settings.base_url, str(settings.dpi), settings.options,
                      *(part for s in self.sheets for part in (s.text, s.base_url or "")))
        hashes: dict[str, str] = {}
        self.source_keys = {c.index: digest(base, c.template, *_image_hashes(
            c, settings.base_url, hashes)) for c in chunks}
        self.identities = {c.index: digest(base, "identity", c.identity) for c in chunks}
        self.names = {c.index: c.name for c in chunks}
        self.layouts: dict[int, Layout] = {}
        self.results: dict[int, Rendered] = {}
        self.renders = 0

    # -- keys -----------------------------------------------------------------------------

    def _render_key(self, chunk: Chunk, plan: Plan) -> str:
        first = plan.first[chunk.index]
        numbers = ",".join("" if n is None else str(n) for n in chunk.numbers(plan.pages))
        return digest(self.source_keys[chunk.index], numbers, str(first),
                      str(plan.total if self.counts_pages else 0))

    def _job(self, chunk: Chunk, html: str, first: int, total: int, out: Path | None,
             policy: FetchPolicy | None = None) -> Job:
        extra = Stylesheet(page_css(first, total, left=first % 2 == 0), None,
                           self.sheets[0].source if self.sheets else "kbbook")
        return Job(chunk.index, html, (*self.sheets, extra), self.settings.base_url,
                   policy or self.settings.policy, total, None if out is None else str(out),
                   self.settings.dpi, self.settings.variant)

    # -- the passes -----------------------------------------------------------------------

    def estimate(self) -> int:
        """About how many pages the book has (exact once every layout is known)."""
        known = sum(layout.pages for layout in self.layouts.values())
        unknown = sum(len(c.template) for c in self.chunks if c.index not in self.layouts)
        return known + unknown // CHARS_PER_PAGE

    def _layout_pass(self) -> None:
        """A layout, without writing, of each chunk whose layout nothing predicts; numbers
        not known yet are shown with as many digits as the book will likely need."""
        for chunk in self.chunks:
            guess = self.cache.predicted(self.identities[chunk.index])
            if guess is not None:
                self.layouts[chunk.index] = guess
        todo = [c for c in self.chunks if c.index not in self.layouts]
        if not todo:
            return
        self.say(f"layout pass: {len(todo)} of {len(self.chunks)} chunks", len(todo),
                 sum(len(c.template) for c in todo) // CHARS_PER_PAGE)
        placeholder = "0" * len(str(max(self.estimate(), 10)))
        # Images are laid out as empty SVG files of their size: the final render decodes them.
        stand_ins = StandIns(self.cache.scratch("stand-ins"), self.settings.base_url)
        policy = self.settings.policy
        policy = FetchPolicy((*policy.roots, stand_ins.folder.resolve()), policy.files,
                             policy.allow_remote)
        jobs = []
        for chunk in sorted(todo, key=lambda c: -len(c.template)):  # longest first
            html = chunk.fill(dict.fromkeys(chunk.targets, placeholder)) if self.numbered \
                else chunk.fill({})
            jobs.append(self._job(chunk, stand_ins.apply(html), 1, 0, None, policy))
        for result in self.workers.run(jobs, self.names):
            self.layouts[result.index] = result.layout
            self.renders += 1
            self.cache.remember(self.identities[result.index], result.layout)

    def _final_round(self, plan: Plan) -> None:
        """Render every chunk not rendered yet with the numbers of `plan`."""
        jobs, keys = [], {}
        for chunk in self.chunks:
            key = self._render_key(chunk, plan)
            found = self.cache.rendered(key)
            if found is not None:
                self.results[chunk.index] = found
                if found.layout != self.layouts[chunk.index]:
                    self.layouts[chunk.index] = found.layout
                continue
            keys[chunk.index] = key
            pages = {t: str(plan.pages[t]) for t in chunk.targets if t in plan.pages}
            out = self.cache.scratch(f"{key}.pdf")
            jobs.append(self._job(chunk, chunk.fill(pages), plan.first[chunk.index],
                                  plan.total, out))
        if jobs:
            self.say(f"final pass: {len(jobs)} of {len(self.chunks)} chunks", len(jobs),
                     sum(self.layouts[job.index].pages for job in jobs))
        jobs.sort(key=lambda job: -len(job.html))
        for result in self.workers.run(jobs, self.names):
            self.renders += 1
            self._keep(result, keys[result.index])

    def _keep(self, result: Result, key: str) -> None:
        rendered = Rendered(self.cache.scratch(f"{key}.pdf"), result.layout, result.problems,
                            result.refused)
        self.results[result.index] = self.cache.store(key, rendered)
        self.layouts[result.index] = result.layout
        self.cache.remember(self.identities[result.index], result.layout)

    def render(self) -> list[Rendered]:
        """Render what is needed: each chunk's render, in order (its messages are the
        caller's to report)."""
        self._layout_pass()
        for _ in range(MAX_ROUNDS):
            self._final_round(Plan(self.chunks, self.layouts))
            # Settled when the layouts the renders gave imply the numbers they show.
            if self._all_current(Plan(self.chunks, self.layouts)):
                break
        else:
            self.diagnostics.warning(
                "(PDF)", None, "pdf-numbers",
                f"page numbers still changed after {MAX_ROUNDS} renders (a number's width "
                "moves a line to another page and back); some contents or cross-reference "
                "numbers may be one page off")
        return [self.results[c.index] for c in self.chunks]

    def merge(self, out: Path) -> None:
        """The chunk renders (`render` first) merged into the book at `out`."""
        self.say(f"merging {len(self.chunks)} chunks", 0, 0)
        release_memory()  # (what the passes held: the merge holds the whole book)
        merge([self.results[c.index].pdf for c in self.chunks], [c.owned for c in self.chunks],
              out, [c.ghosts for c in self.chunks])

    def _all_current(self, plan: Plan) -> bool:
        """Every chunk's render has the numbers the final layouts give."""
        return all(self.cache.rendered(self._render_key(c, plan)) is not None
                   for c in self.chunks)
