"""The chunked print: chunks laid out in parallel, page numbers made global, chunks merged.

1. Each chunk is rendered once, with the numbers the best layouts known so far give: the
   chunks already rendered, the last build of the same chunk (a guess), or an estimate
   from its size. A number's digits are stamped after the merge (`slots.py`), so a render
   depends only on how many digits each number has, not on the numbers.
2. From the renders' layouts: the first page of each chunk, the page of every anchor. A
   chunk rendered with a digit count these numbers do not have (an estimate was off by a
   digit) is rendered again, until nothing changes, or the book is written with a warning.
3. The chunk PDFs are merged and the numbers stamped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ...errors import Diagnostics
from .cache import BuildCache, Rendered, digest, file_hash, versions
from .chunkrender import Job, Layout
from .chunks import Chunk, number_css, page_css, uses_numbers
from .memory import release_memory
from .merge import merge
from .palette import Palettes
from .policy import FetchPolicy
from .slots import counters_css, digits, page_value
from .weasy import Stylesheet
from .workers import Workers

MAX_ROUNDS = 5
"""Rounds of renders at most before giving up on digit counts that keep changing each
other."""
_PAGES_COUNTER = re.compile(r"counter\(\s*pages\b", re.IGNORECASE)
_STYLED_COUNTER = re.compile(r"counters?\(\s*pages?\s*,(?!\s*decimal\s*\))", re.IGNORECASE)
"""A page number in another style than decimal (roman numerals): not stamped, so printed
as laid out."""
_SIDED = re.compile(r":(?:left|right|recto|verso)\b|\bbreak-(?:before|after)\s*:\s*"
                    r"(?:left|right|recto|verso)\b|\bpage-break-(?:before|after)\s*:\s*"
                    r"(?:left|right)\b", re.IGNORECASE)
_TAG = re.compile(r"<(/?)([a-zA-Z0-9]*)[^>]*>")
_TAG_ID = re.compile(r'\sid="([^"]+)"')
_TAG_WEIGHT = {"img": 550, "h1": 80, "h2": 80, "h3": 80, "h4": 80, "h5": 80, "h6": 80,
               "li": 25}
"""What a tag adds to the room its text takes, in characters of text (fitted on real sites:
a picture, a heading's space around it, a list item's line)."""
_IMG_SRC = re.compile(r'<img\b[^>]*?\bsrc="([^"]+)"', re.IGNORECASE)
CHARS_PER_PAGE = 2170
"""About how many characters of text fill a page (`_weigh`): a first estimate of the page
count, made good by the chunks rendered."""
SPREAD = 0.12
"""How far off (a fraction) the page count of a chunk estimated from its text may be (its
standard deviation: about 9% on the sites kbbook is tried on, 23% at most)."""
PREDICTED_SPREAD = 0.05
"""How far off the page count the last build of a chunk had may be."""

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
        self.layouts = layouts
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


def _weigh(template: str) -> tuple[int, dict[str, int]]:
    """The room a chunk's HTML takes, in characters of text (`_TAG_WEIGHT`), and how much
    of it comes before each id."""
    weight, last, before = 0, 0, {}
    for tag in _TAG.finditer(template):
        weight += tag.start() - last + (0 if tag[1] else _TAG_WEIGHT.get(tag[2].lower(), 0))
        last = tag.end()
        if not tag[1] and 'id="' in tag[0]:
            found = _TAG_ID.search(tag[0])
            if found is not None:
                before.setdefault(found[1], weight)
    return weight + len(template) - last, before


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
        self.sheets = tuple(Stylesheet(counters_css(number_css(s.text)), s.base_url, s.source)
                            for s in settings.sheets)
        self.numbered = any(uses_numbers(s.text) for s in settings.sheets)
        self.counts_pages = any(_PAGES_COUNTER.search(s.text) for s in settings.sheets)
        self.styled = any(_STYLED_COUNTER.search(s.text) for s in settings.sheets)
        self.sided = any(_SIDED.search(s.text) for s in settings.sheets)
        """Whether a page's side (left or right) changes the layout: else a chunk's render
        does not depend on where in the book it starts."""
        base = digest(versions(), settings.base_url, str(settings.dpi), settings.options,
                      *(part for s in self.sheets for part in (s.text, s.base_url or "")))
        hashes: dict[str, str] = {}
        self.source_keys = {c.index: digest(base, c.template, *_image_hashes(
            c, settings.base_url, hashes)) for c in chunks}
        self.identities = {c.index: digest(base, "identity", c.identity) for c in chunks}
        self.names = {c.index: c.name for c in chunks}
        self.weights = {c.index: _weigh(c.template) for c in chunks}
        self.layouts: dict[int, Layout] = {}
        """The best layout known of each chunk: its render's, else the last build's."""
        self.rendered: set[int] = set()
        """The chunks whose layout comes from a render of this build (or its cache)."""
        self.owner = {anchor: c.index for c in chunks for anchor in c.owned}
        self.results: dict[int, Rendered] = {}
        self.keys: dict[int, str] = {}
        """The render key of each chunk's result."""
        self.renders = 0

    # -- numbers ----------------------------------------------------------------------------

    def _chars_per_page(self) -> float:
        """From the chapters laid out (the front matter is denser)."""
        known = [c.index for c in self.chunks if c.index in self.layouts and c.index]
        pages = sum(self.layouts[i].pages for i in known)
        chars = sum(self.weights[i][0] for i in known)
        return chars / pages if pages and chars else CHARS_PER_PAGE

    def _layout(self, chunk: Chunk, per_page: float) -> Layout:
        """The chunk's layout as far as it is known, else estimated from its text."""
        known = self.layouts.get(chunk.index)
        if known is not None:
            return known
        weight, before = self.weights[chunk.index]
        pages = max(1, round(weight / per_page))
        return Layout(pages, {anchor: min(int(offset / per_page), pages - 1)
                              for anchor, offset in before.items()})

    def plan(self) -> Plan:
        """The book's numbers from what is known of every chunk's layout."""
        per_page = self._chars_per_page()
        return Plan(self.chunks, {c.index: self._layout(c, per_page) for c in self.chunks})

    def estimate(self) -> int:
        """About how many pages the book has (exact once every chunk is rendered)."""
        return self.plan().total

    def _spread(self, index: int, pages: float) -> float:
        """How many pages off a count of `pages` of chunk `index` may be."""
        if index in self.rendered:
            return 0.0
        # (a layout known but not rendered in this build is the last build's)
        return (PREDICTED_SPREAD if index in self.layouts else SPREAD) * pages

    def _unsure(self, chunk: Chunk, plan: Plan, before: dict[int, float]) -> int:
        """How many of the numbers the chunk shows may still gain or lose a digit, as far
        as the layouts not known yet may be off (`before`: the variance, in pages², of
        where each chunk starts)."""
        def unsure(page: float, variance: float) -> bool:
            if variance <= 0:
                return False
            off = 2 * math.sqrt(variance)
            return digits(max(1, int(page - off))) != digits(int(page + off) + 1)

        count = 0
        if self.numbered:
            for target in chunk.targets:
                page, owner = plan.pages.get(target), self.owner.get(target)
                if page is not None and owner is not None:
                    inside = self._spread(owner, plan.layouts[owner].anchors.get(target, 0))
                    count += unsure(page, before[owner] + inside ** 2)
        first, pages = plan.first[chunk.index], plan.layouts[chunk.index].pages
        own = self._spread(chunk.index, pages)
        count += unsure(first, before[chunk.index]) \
            or unsure(first + pages, before[chunk.index] + own ** 2)
        return count

    def _next(self, todo: list[Chunk], plan: Plan) -> Chunk:
        """The chunk to render next: the first whose numbers are sure to keep their digit
        counts, else the one with the fewest that may not (it may be rendered again)."""
        before, variance = {}, 0.0
        for chunk in self.chunks:
            before[chunk.index] = variance
            variance += self._spread(chunk.index, plan.layouts[chunk.index].pages) ** 2
        return min(todo, key=lambda c: self._unsure(c, plan, before))

    def _render_key(self, chunk: Chunk, plan: Plan) -> str:
        """What the chunk's render depends on: its source, and how many digits each number
        it shows has (its own pages' too: where they reach another digit)."""
        first, pages = plan.first[chunk.index], plan.layouts[chunk.index].pages
        room = digits(first)
        longer = 10 ** room - first  # (the first of its pages with a digit more)
        shape = [",".join(str(digits(n)) for n in chunk.numbers(plan.pages))
                 if self.numbered else "", f"{room}:{longer if longer < pages else ''}"]
        if self.counts_pages:
            shape.append(str(digits(plan.total)))
        if self.sided:
            shape.append(str(first % 2))
        if self.styled:  # (the numbers themselves, as they are printed as laid out)
            shape.append(f"{first}/{plan.total}")
        return digest(self.source_keys[chunk.index], *shape)

    def _job(self, chunk: Chunk, plan: Plan, out: Path) -> Job:
        first = plan.first[chunk.index]
        extra = Stylesheet(page_css(first, left=self.sided and first % 2 == 0),
                           None, self.sheets[0].source if self.sheets else "kbbook")
        pages = {t: plan.pages[t] for t in chunk.targets if t in plan.pages}
        return Job(chunk.index, chunk.fill(pages), (*self.sheets, extra),
                   self.settings.base_url, self.settings.policy, plan.total, str(out),
                   self.settings.dpi, self.settings.variant)

    # -- the rounds -------------------------------------------------------------------------

    def _take(self, index: int, rendered: Rendered, key: str) -> None:
        self.results[index] = rendered
        self.keys[index] = key
        self.layouts[index] = rendered.layout
        self.rendered.add(index)

    def _jobs(self, todo: Sequence[Chunk], keys: dict[int, str]) -> Iterator[Job]:
        """A job for each chunk of `todo` not in the cache, made when a worker is free for
        it, so that its numbers come from every render done by then."""
        left = list(todo)
        while left:
            plan = self.plan()
            # The front matter first: every chunk's first page follows from its page count
            # (its contents numbers may gain a digit: it is short to render again).
            chunk = left[0] if left[0].index == 0 and not self.rendered \
                else self._next(left, plan)
            left.remove(chunk)
            key = self._render_key(chunk, plan)
            found = self.cache.rendered(key)
            if found is not None:
                self._take(chunk.index, found, key)
                continue
            keys[chunk.index] = key
            yield self._job(chunk, plan, self.cache.scratch(f"{key}.pdf"))

    def _stale(self) -> list[Chunk]:
        """The chunks without a render of the digit counts the book's layouts now give."""
        plan = self.plan()
        return [c for c in self.chunks if c.index not in self.results
                or self.keys.get(c.index) != self._render_key(c, plan)]

    def _round(self, todo: Sequence[Chunk], first: bool) -> None:
        for chunk in self.chunks:  # the last build's layout of each chunk: a good guess
            if chunk.index not in self.rendered:
                guess = self.cache.predicted(self.identities[chunk.index])
                if guess is not None:
                    self.layouts[chunk.index] = guess
        keys: dict[int, str] = {}
        if first:
            self.say(f"rendering {len(todo)} chunks", len(todo), self.estimate())
        else:  # (every chunk has been rendered: its layout is known)
            self.say(f"rendering {len(todo)} of {len(self.chunks)} chunks again (a page "
                     "number gained or lost a digit)", len(todo),
                     sum(self.layouts[c.index].pages for c in todo))
        for result in self.workers.run(self._jobs(todo, keys), self.names):
            self.renders += 1
            key = keys[result.index]
            rendered = Rendered(self.cache.scratch(f"{key}.pdf"), result.layout,
                                result.problems, result.refused)
            self._take(result.index, self.cache.store(key, rendered), key)
            self.cache.remember(self.identities[result.index], result.layout)

    def render(self) -> list[Rendered]:
        """Render what is needed: each chunk's render, in order (its messages are the
        caller's to report)."""
        todo: list[Chunk] = list(self.chunks)
        for round_number in range(MAX_ROUNDS):
            self._round(todo, round_number == 0)
            todo = self._stale()
            if not todo:
                break
        else:
            self.diagnostics.warning(
                "(PDF)", None, "pdf-numbers",
                f"page numbers still gained or lost a digit after {MAX_ROUNDS} rounds of "
                "renders (a number's width moves a line to another page and back); some "
                "contents or cross-reference numbers may be printed a little off their place")
        return [self.results[c.index] for c in self.chunks]

    def merge(self, out: Path, palettes: Palettes | None = None, *,
              interpolate: bool = True) -> None:
        """The chunk renders (`render` first) merged into the book at `out`, with their
        numbers; its images in 256 colours where no difference shows (`palettes`), none
        smoothed when not `interpolate` (PDF/A)."""
        self.say(f"merging {len(self.chunks)} chunks", 0, 0)
        release_memory()  # (what the passes held: the merge holds the whole book)
        plan = self.plan()
        misfits: list[int] = []
        merge([self.results[c.index].pdf for c in self.chunks], [c.owned for c in self.chunks],
              out, [c.ghosts for c in self.chunks],
              stamps=lambda page: page_value(page, plan.total, plan.pages), misfits=misfits,
              palettes=palettes, interpolate=interpolate)
        if misfits:
            self.diagnostics.warning(
                "(PDF)", None, "pdf-numbers",
                f"{len(misfits)} page numbers had more or fewer digits than the room laid out "
                f"for them (first on page {misfits[0]}): they are printed, a little off "
                "their place")
