"""Helpers shared by the rendering tests: build a site's book, render it, parse fragments."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from kbbook.book import build_book
from kbbook.errors import Diagnostics
from kbbook.render import RenderedPage, render_book, render_pages
from kbbook.render.xhtml import fragment_text
from kbbook.site import LinkResolver, Page, load_config, load_pages

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = FIXTURES / "markdown"
XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"


def parse_fragment(html: str) -> etree._Element:
    """Parse a fragment as the writers embed it: inside an element declaring the XHTML and
    epub namespaces. Raises if it is not well-formed."""
    wrapped = f'<div xmlns="{XHTML_NS}" xmlns:epub="{EPUB_NS}">{html}</div>'
    return etree.fromstring(wrapped.encode("utf-8"))


def html_of(rendered: RenderedPage) -> str:
    """The page's body as XHTML text (`data-kb-link`/`data-kb-image` numbers included)."""
    return fragment_text(rendered.body)


def load_site(root: Path, **options: bool) -> tuple[list[Page], LinkResolver, Diagnostics]:
    d = Diagnostics()
    cfg = load_config(root, d, **options)
    pages = load_pages(cfg, d)
    return pages, LinkResolver(cfg, pages), d


def render_site(root: Path, **options: bool) -> tuple[tuple[RenderedPage, ...], Diagnostics]:
    d = Diagnostics()
    cfg = load_config(root, d, **options)
    pages = load_pages(cfg, d)
    book = build_book(cfg, pages, d)
    return render_book(book, d).pages, d


def render_one(root: Path, rel: str, **options: bool) -> tuple[RenderedPage, Diagnostics]:
    """Render the page `rel` of the site as a book of its own (other pages are not in it)."""
    pages, resolver, d = load_site(root, **options)
    page = next(p for p in pages if p.rel == rel)
    before = len(d)
    (rendered,) = render_pages([page], resolver, d)
    d.items[:] = d.items[before:]
    return rendered, d


def write_site(root: Path, files: dict[str, str]) -> Path:
    """Write `files` (site-relative path -> text) under `root`."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def md_page(title: str, body: str, **front: object) -> str:
    """A page's source: front matter (title and `front`), then `body`."""
    lines = ["---", f"title: {title}", *(f"{k}: {v}" for k, v in front.items()), "---"]
    return "\n".join(lines) + "\n" + body


def render_text(tmp_path: Path, body: str, config: str = "title: T\n",
                **options: bool) -> tuple[RenderedPage, Diagnostics]:
    """Render one page whose body is `body` (front matter is lines 1-3, so body line 1 is
    line 4 of the file)."""
    write_site(tmp_path, {"_config.yml": config, "page.md": md_page("Page", body)})
    return render_one(tmp_path, "page.md", **options)
