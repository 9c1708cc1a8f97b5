"""The EPUB 3 writer (with an EPUB 2 NCX for older readers), assembled with ebooklib.

`write_epub` is a list of steps, as sphinx's `builders/epub3.py` is: metadata, page documents,
links, images, cover, contents, navigation, package, reproducible zip. kbbook renders every
XHTML document itself (Jinja2 templates, then lxml for the link and image rewriting); ebooklib
writes the package document and the container. The pages arrive sanitised by the renderer
(xhtml.py's allowlist), so no script or obsolete markup is looked for here.
With SOURCE_DATE_EPOCH set, two builds of the same site are byte-identical: no random ids,
fixed dates, fixed zip order and timestamps.
"""

from __future__ import annotations

import html
import io
import os
import re
import uuid
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from html.entities import html5
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
from ebooklib import epub
from lxml import etree
from markupsafe import Markup

from . import __version__
from .assets import (
    ImageError,
    ImagePreparer,
    ImageStore,
    PreparedImage,
    embed_images,
    prepare_image,
)
from .cover import generate_cover
from .errors import Diagnostics
from .links import SAFE_EXTERNAL_SCHEMES, TargetKind
from .usercss import read_user_css
from .xhtml import url_fragment

if TYPE_CHECKING:
    from .build import RenderedBook
    from .config import SiteConfig
    from .links import LinkResolver
    from .markdown import RenderedPage
    from .nav import Book, Node

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
SVG_NS = "http://www.w3.org/2000/svg"
MATHML_NS = "http://www.w3.org/1998/Math/MathML"
XHTML = "application/xhtml+xml"
COVER_FILE, CONTENTS_FILE = "cover.xhtml", "contents.xhtml"
NAV_FILE, NCX_FILE = "nav.xhtml", "toc.ncx"
STYLE_FILE = "styles/epub.css"
_COMPRESSED = (".png", ".jpg", ".jpeg", ".gif")
COVER_SIZE = 2560  # a cover may be larger than the images in the text
_SLUG = re.compile(r"[^a-z0-9]+")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_NAMED_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*;)")
_XML_ENTITIES = frozenset({"amp;", "lt;", "gt;", "quot;", "apos;"})
# Pygments rules that would fight the reader's colours: fills, and plain black text (which
# vanishes in night mode and is the default colour anyway).
_FIGHTS_READER = re.compile(r"background(?:-color)?\s*:[^;}]*;?|(?<![-\w])color\s*:\s*"
                            r"(?:#000|#000000|black)\s*(?:;|(?=\}))", re.IGNORECASE)
_EMPTY_RULE = re.compile(r"^[^{}\n]+\{\s*\}[^\n]*\n?", re.MULTILINE)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True,
                          load_dtd=False)


def _h(tag: str) -> str:
    return f"{{{XHTML_NS}}}{tag}"


# -- records --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metadata:
    """What the package document says about the book."""

    identifier: str
    """dc:identifier, stable across builds."""
    title: str
    """dc:title."""
    lang: str
    """dc:language, and `lang`/`xml:lang` of every document."""
    authors: tuple[str, ...]
    """dc:creator, one each."""
    description: str
    """dc:description ('' for none)."""
    publisher: str
    """dc:publisher ('' for none)."""
    modified: datetime
    """dcterms:modified and the zip timestamps (UTC)."""


@dataclass(frozen=True)
class Document:
    """One XHTML document of the spine, parsed so links and images can be rewritten."""

    item_id: str
    """Manifest id."""
    file_name: str
    """Path inside the content folder (all documents sit side by side)."""
    tree: etree._ElementTree
    """The whole document; rewritten in place by the steps below."""
    rendered: RenderedPage | None = None
    """The page it shows; None for the cover and the contents page."""


@dataclass(frozen=True)
class NavPoint:
    """One entry of the navigation: the nav document, the NCX and the contents page."""

    title: str
    """The page title."""
    href: str
    """Its document."""
    order: int
    """1-based position in reading order (the NCX playOrder)."""
    children: tuple[NavPoint, ...]
    """Entries nested under it, exactly as in the book tree."""


@dataclass(frozen=True)
class Landmark:
    """An entry of the nav's landmarks (and of the EPUB 2 guide)."""

    type: str
    """EPUB 3 structural semantics: cover, toc, bodymatter."""
    guide_type: str
    """The EPUB 2 guide's name for it."""
    href: str
    """Target document."""
    title: str
    """Label."""


# -- the steps ------------------------------------------------------------------------------


def write_epub(rendered: RenderedBook, out: Path, *, css: Sequence[Path] = (),
               diagnostics: Diagnostics | None = None) -> None:
    """Write `rendered` as an EPUB 3 file at `out`."""
    diagnostics = diagnostics if diagnostics is not None else Diagnostics()
    max_size = rendered.book.config.book.image_max_size
    # Images may already be in preparation (`render_book(..., images=...)`); start the rest
    # now, so they are scaled and encoded on other threads while the documents are built.
    with rendered.images or ImagePreparer(max_size) as preparer:
        store = ImageStore(rendered.resolver, max_size, diagnostics,
                           reserved=("cover.png", "cover.jpg", "cover.gif", "cover.svg"),
                           preparer=preparer)
        store.prefetch(rel for r in rendered.pages for rel in r.images)
        _write_epub(rendered, out, store, css, diagnostics)


def _write_epub(rendered: RenderedBook, out: Path, images: ImageStore, css: Sequence[Path],
                diagnostics: Diagnostics) -> None:
    config = rendered.book.config
    meta = book_metadata(config, diagnostics)
    stylesheets = stylesheet_items(css, diagnostics)
    sheet_hrefs = tuple(item.file_name for item in stylesheets)

    pages = page_documents(rendered.pages, meta.lang, sheet_hrefs, diagnostics)
    rewrite_links(pages, rendered.resolver, diagnostics)
    all_alt = embed_images(((d.tree.getroot(), d.rendered.page) for d in pages
                            if d.rendered is not None), images, diagnostics)

    cover = cover_image(rendered, images, diagnostics)
    points = nav_points(rendered.book, {d.rendered.page.rel: d.file_name for d in pages
                                        if d.rendered is not None})
    landmarks = (
        Landmark("cover", "cover", COVER_FILE, "Cover"),
        Landmark("toc", "toc", CONTENTS_FILE, "Contents"),
        Landmark("bodymatter", "text", pages[0].file_name, "Start of the text"),
    )
    front = (
        render_document("epub_cover.xhtml", "cover", COVER_FILE, lang=meta.lang,
                        doc_title="Cover", stylesheets=sheet_hrefs, body_type="cover",
                        image_href=cover.file_name, alt=f"Cover: {meta.title}"),
        render_document("epub_contents.xhtml", "contents", CONTENTS_FILE, lang=meta.lang,
                        doc_title="Contents", stylesheets=sheet_hrefs, body_type="frontmatter",
                        heading="Contents",
                        toc_entries=nav_entries(points, config.book.toc_depth,
                                                CONTENTS_NESTING)),
    )
    every_entry = nav_entries(points, 1 << 31)
    nav = render_text("epub_nav.xhtml", lang=meta.lang, doc_title=meta.title,
                      stylesheets=sheet_hrefs, body_type="", heading="Contents",
                      landmarks_heading="Landmarks", toc_entries=every_entry, landmarks=landmarks)
    ncx = render_text("epub_toc.ncx.j2", lang=meta.lang, identifier=meta.identifier,
                      title=meta.title, authors=meta.authors, toc_entries=every_entry,
                      depth=max((e.depth for e in every_entry), default=1))

    book = epub.EpubBook()
    set_metadata(book, meta, cover, has_images=bool(images.images), all_alt=all_alt)
    for item in stylesheets:
        book.add_item(item)
    book.add_item(cover)
    for image in images.images:
        book.add_item(epub.EpubImage(uid=image.item_id, file_name=image.href,
                                     media_type=image.image.media_type,
                                     content=image.image.data))
    spine = [*front, *pages]
    for doc in spine:
        book.add_item(document_item(doc))
    nav_item = epub.EpubItem(uid="nav", file_name=NAV_FILE, media_type=XHTML,
                             content=nav.encode("utf-8"))
    nav_item.properties = ["nav"]  # type: ignore[attr-defined]
    book.add_item(nav_item)
    book.add_item(epub.EpubItem(uid="ncx", file_name=NCX_FILE,
                                media_type="application/x-dtbncx+xml",
                                content=ncx.encode("utf-8")))
    book.spine = [doc.item_id for doc in spine]
    book.guide = [{"type": lm.guide_type, "href": lm.href, "title": lm.title}
                  for lm in landmarks]
    write_reproducible(book, out, meta.modified)


# -- metadata -------------------------------------------------------------------------------


def build_time(diagnostics: Diagnostics | None = None) -> datetime:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else now; UTC, whole seconds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), UTC)
        except (ValueError, OverflowError, OSError):
            if diagnostics is not None:
                diagnostics.warning("_config.yml", None, "source-date-epoch",
                                    f"SOURCE_DATE_EPOCH={epoch!r} is not a whole number of "
                                    "seconds; the current time is used")
    return datetime.now(UTC).replace(microsecond=0)


def book_identifier(config: SiteConfig) -> str:
    """`kbbook.identifier`, else a UUID derived from the site's URL and title."""
    if config.book.identifier:
        return config.book.identifier
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{config.site_url}|{config.title}')}"


def book_metadata(config: SiteConfig, diagnostics: Diagnostics) -> Metadata:
    return Metadata(
        identifier=book_identifier(config),
        title=config.title,
        lang=(config.lang or "en").replace("_", "-"),
        authors=config.authors,
        description=config.description,
        publisher=config.book.publisher or "",
        modified=build_time(diagnostics),
    )


def accessibility(has_images: bool, all_alt: bool) -> list[tuple[str, str]]:
    """EPUB Accessibility 1.1 metadata claiming only what kbbook guarantees."""
    modes = [("schema:accessMode", "textual")]
    if has_images:
        modes.append(("schema:accessMode", "visual"))
    sufficient = []
    if not has_images or all_alt:
        sufficient.append(("schema:accessModeSufficient", "textual"))
    if has_images:
        sufficient.append(("schema:accessModeSufficient", "textual,visual"))
    features = ["tableOfContents", "readingOrder", "structuralNavigation",
                "displayTransformability"]
    if has_images and all_alt:
        features.append("alternativeText")
    summary = ("The pages of the site in reading order, with a table of contents, a contents "
               "page and headings for navigation. Text size, font and colours follow the "
               "reading system's settings.")
    if has_images:
        summary += (" Every image has a text alternative." if all_alt else
                    " Some images have no text alternative.")
    return [
        *modes,
        *sufficient,
        *(("schema:accessibilityFeature", f) for f in features),
        ("schema:accessibilityHazard", "none"),
        ("schema:accessibilitySummary", summary),
    ]


def set_metadata(book: epub.EpubBook, meta: Metadata, cover: epub.EpubItem, *,
                 has_images: bool, all_alt: bool) -> None:
    # Name the tool that made the book (ebooklib puts its own name there by default).
    book.metadata[epub.NAMESPACES["OPF"]]["generator"] = [
        ("", {"name": "generator", "content": f"kbbook {__version__}"})]
    book.set_identifier(meta.identifier)
    book.set_title(meta.title)
    book.set_language(meta.lang)
    for i, author in enumerate(meta.authors, 1):
        book.add_author(author, uid=f"creator-{i}")  # ebooklib's default id repeats
    if meta.description:
        book.add_metadata("DC", "description", meta.description)
    if meta.publisher:
        book.add_metadata("DC", "publisher", meta.publisher)
    book.add_metadata(None, "meta", "", {"name": "cover", "content": cover.id})  # EPUB 2 readers
    for prop, value in accessibility(has_images, all_alt):
        book.add_metadata(None, "meta", value, {"property": prop})


# -- documents --------------------------------------------------------------------------------


@cache
def _templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def render_text(template: str, **context: object) -> str:
    return _templates().get_template(template).render(**context)


def _xml_entities(text: str) -> str:
    """HTML named entities (&nbsp;) as numeric references, which XML understands."""

    def numeric(m: re.Match[str]) -> str:
        name = m.group(1)
        chars = html5.get(name)
        if name in _XML_ENTITIES or chars is None:
            return m.group(0)
        return "".join(f"&#{ord(c)};" for c in chars)

    return _NAMED_ENTITY.sub(numeric, text)


def render_document(template: str, item_id: str, file_name: str,
                    rendered: RenderedPage | None = None, **context: object) -> Document:
    text = render_text(template, **context)
    return Document(item_id, file_name, etree.ElementTree(etree.fromstring(text.encode(),
                                                                            _PARSER)), rendered)


def _html_fallback(fragment: str) -> str:
    """A fragment that is not well-formed XML, repaired by the HTML parser."""
    from lxml import html as lxml_html

    wrapper = lxml_html.fragment_fromstring(fragment, create_parent="div")
    parts = [html.escape(wrapper.text or "", quote=False)]
    for child in wrapper:
        if isinstance(child.tag, str):
            for el in child.iter():
                if isinstance(el.tag, str) and el.tag.startswith("{"):
                    el.tag = etree.QName(el).localname
            parts.append(etree.tostring(child, method="xml", encoding="unicode"))
    return "".join(parts)


def page_file_names(pages: Sequence[RenderedPage]) -> list[str]:
    """`docs/a/index.md` -> `docs-a-index.xhtml`: readable, unique, ASCII."""
    used = {COVER_FILE, CONTENTS_FILE, NAV_FILE}
    names = []
    for rp in pages:
        stem = _SLUG.sub("-", rp.page.rel.rsplit(".", 1)[0].lower()).strip("-") or "page"
        name, n = f"{stem}.xhtml", 1
        while name in used:
            n += 1
            name = f"{stem}-{n}.xhtml"
        used.add(name)
        names.append(name)
    return names


def page_documents(pages: Sequence[RenderedPage], lang: str, stylesheets: tuple[str, ...],
                   diagnostics: Diagnostics) -> list[Document]:
    """Step 1: one parsed XHTML document per page, in reading order."""
    docs = []
    for rp, name in zip(pages, page_file_names(pages), strict=True):
        context = {"lang": lang, "doc_title": rp.page.title or "", "stylesheets": stylesheets,
                   "body_type": "bodymatter", "page_id": rp.page_id,
                   "add_title": not rp.title_heading}
        item_id = "page-" + name.removesuffix(".xhtml")
        try:
            doc = render_document("epub_page.xhtml", item_id, name, rp,
                                  body=Markup(_xml_entities(rp.html)), **context)
        except etree.XMLSyntaxError as exc:
            diagnostics.warning(rp.page.rel, None, "xhtml",
                                f"the rendered page is not well-formed XHTML ({exc.msg}); "
                                "repaired with the HTML parser, check how it looks")
            doc = render_document("epub_page.xhtml", item_id, name, rp,
                                  body=Markup(_html_fallback(_xml_entities(rp.html))),
                                  **context)
        docs.append(doc)
    return docs


def document_item(doc: Document) -> epub.EpubItem:
    root = doc.tree.getroot()
    properties = []
    if root.find(f".//{{{MATHML_NS}}}math") is not None:
        properties.append("mathml")
    if root.find(f".//{{{SVG_NS}}}svg") is not None:
        properties.append("svg")
    content = etree.tostring(doc.tree, xml_declaration=True, encoding="utf-8",
                             doctype="<!DOCTYPE html>")
    item = epub.EpubItem(uid=doc.item_id, file_name=doc.file_name, media_type=XHTML,
                         content=content)
    item.properties = properties  # type: ignore[attr-defined]
    return item


# -- links ------------------------------------------------------------------------------------


def _unwrap(a: etree._Element) -> None:
    """Keep the link's text, drop the link."""
    a.tag = _h("span")
    for name in list(a.attrib):
        if name not in ("id", "class", "lang", "dir", "title"):
            del a.attrib[name]


def rewrite_links(docs: Sequence[Document], resolver: LinkResolver,
                  diagnostics: Diagnostics) -> None:
    """Step 2: `#ID` -> `FILE.xhtml#ID` across documents; every href then resolves."""
    ids = {doc.file_name: set(doc.tree.xpath("//@id")) for doc in docs}
    by_source = {doc.rendered.page.rel: doc for doc in docs if doc.rendered is not None}
    owners: dict[str, list[Document]] = {}
    for doc in docs:
        for i in ids[doc.file_name]:
            owners.setdefault(i, []).append(doc)

    for doc in docs:
        assert doc.rendered is not None
        page = doc.rendered.page
        for a in doc.tree.iter(_h("a")):
            source = a.attrib.pop("data-kb-page", None)
            site_fragment = a.attrib.pop("data-kb-fragment", None)
            href = a.get("href")
            if href is None:
                continue
            if href.startswith("#"):
                fragment = href[1:]
                if fragment in ids[doc.file_name]:
                    continue  # same document: footnotes stay local for pop-up notes
                target = by_source.get(source) if source else None
                if target is None or fragment not in ids[target.file_name]:
                    found = owners.get(fragment, [])
                    target = found[0] if len(found) == 1 else target
                if target is not None:
                    start = target.rendered is not None and fragment == target.rendered.page_id
                    if fragment not in ids[target.file_name]:
                        where = target.rendered.page.rel if target.rendered else target.file_name
                        diagnostics.warning(page.rel, None, "broken-link",
                                            f"link to #{fragment}: no such anchor in {where}; "
                                            "it leads to the page's start instead")
                        start = True
                    a.set("href", target.file_name if start else f"{target.file_name}#{fragment}")
                    continue
                _outside_link(a, source, fragment, site_fragment, doc, resolver, diagnostics)
            elif _SCHEME.match(href) or href.startswith("//"):
                scheme = _SCHEME.match(href)
                if scheme is None or scheme.group(1).lower() not in SAFE_EXTERNAL_SCHEMES:
                    _unwrap(a)
            else:
                _relative_link(a, href, doc, by_source, resolver, diagnostics)


def _web(a: etree._Element, url: str) -> None:
    a.set("href", url)
    classes = (a.get("class") or "").split()
    if "kb-external" not in classes:
        a.set("class", " ".join([*classes, "kb-external"]))


def _outside_link(a: etree._Element, source: str | None, fragment: str,
                  site_fragment: str | None, doc: Document, resolver: LinkResolver,
                  diagnostics: Diagnostics) -> None:
    """A link to a page left out of the book goes to the web (to the anchor's id there),
    else it becomes text."""
    assert doc.rendered is not None
    target = resolver.page_for_source(source) if source else None
    url = resolver.web_url(target) if target is not None else None
    if url is not None:
        _web(a, url + url_fragment(site_fragment))
        return
    what = f"page {source}" if source else f"#{fragment}"
    diagnostics.warning(doc.rendered.page.rel, None, "broken-link",
                        f"the link to {what} leads to nothing in the book; its text is kept "
                        "without the link")
    _unwrap(a)


def _relative_link(a: etree._Element, href: str, doc: Document, by_source: dict[str, Document],
                   resolver: LinkResolver, diagnostics: Diagnostics) -> None:
    """A link the renderer left relative (a download, say): into the book, or to the web."""
    assert doc.rendered is not None
    target = resolver.resolve_link(href, doc.rendered.page)
    if target.kind is TargetKind.PAGE and target.page is not None:
        inside = by_source.get(target.page.rel)
        if inside is not None:
            a.set("href", inside.file_name)
            return
        url = resolver.web_url(target.page)
    elif target.kind is TargetKind.FILE and resolver.config.site_url:
        url = f"{resolver.config.site_url}/{target.rel}"
    else:
        url = None
    if url is not None:
        _web(a, url)
        return
    diagnostics.warning(doc.rendered.page.rel, None, "broken-link",
                        f"the link to {href} cannot be followed inside an EPUB; its text is "
                        "kept without the link")
    _unwrap(a)


# -- cover, stylesheets, navigation --------------------------------------------------------------


def cover_image(rendered: RenderedBook, images: ImageStore,
                diagnostics: Diagnostics) -> epub.EpubItem:
    """Step 5: the site's cover image (`kbbook.cover`), else a generated one."""
    config = rendered.book.config
    prepared: PreparedImage | None = None
    if config.book.cover:
        target = rendered.resolver.site_file(config.book.cover)
        if target.kind is TargetKind.FILE and target.path is not None:
            try:
                prepared = prepare_image(target.path, max(COVER_SIZE,
                                                          config.book.image_max_size))
            except ImageError as exc:
                diagnostics.warning("_config.yml", None, "cover",
                                    f"cover image {target.rel} {exc}; a cover is generated "
                                    "instead")
        else:
            diagnostics.warning("_config.yml", None, "cover",
                                f"kbbook.cover {config.book.cover!r} is not a file inside the "
                                "site; a cover is generated instead")
    if prepared is None:
        prepared = PreparedImage(generate_cover(config.title, config.description,
                                                config.authors), "png", "image/png")
    item = epub.EpubImage(uid="cover-image", file_name=f"images/cover.{prepared.extension}",
                          media_type=prepared.media_type, content=prepared.data)
    item.properties = ["cover-image"]  # type: ignore[attr-defined]
    return item


def _style_folder() -> Path:
    """`styles/` inside the installed package (wheel), else the checkout's top-level one."""
    here = Path(__file__).resolve().parent
    for folder in (here / "styles", here.parents[1] / "styles"):
        if (folder / "epub.css").is_file():
            return folder
    raise FileNotFoundError(here / "styles" / "epub.css")


def _pygments_css() -> str:
    try:
        from .markdown import pygments_css
    except ModuleNotFoundError as exc:  # only while markdown.py is being written
        if exc.name != "kbbook.markdown":
            raise
        return ""
    return _EMPTY_RULE.sub("", _FIGHTS_READER.sub("", pygments_css()))


def stylesheet_items(user_css: Iterable[Path], diagnostics: Diagnostics
                     ) -> list[epub.EpubItem]:
    """kbbook's stylesheet with the Pygments rules, then the user's, in the order given,
    without the `@import`s and `url()`s that would reach outside the book (usercss.py)."""
    ours = (_style_folder() / "epub.css").read_text(encoding="utf-8")
    ours += "\n/* Code highlighting (Pygments) */\n" + _pygments_css()
    items = [epub.EpubItem(uid="style", file_name=STYLE_FILE, media_type="text/css",
                           content=ours.encode("utf-8"))]
    for i, path in enumerate(user_css, 1):
        css = read_user_css(path, diagnostics)
        items.append(epub.EpubItem(uid=f"user-style-{i}", file_name=f"styles/user-{i}.css",
                                   media_type="text/css", content=css.encode("utf-8")))
    return items


def nav_points(book: Book, files: dict[str, str]) -> tuple[NavPoint, ...]:
    """Step 6: the book tree as NavPoints, numbered in reading order (built with a stack of
    our own, so any depth of pages can be followed)."""
    top: list[NavPoint] = []
    order = 0
    for root in book.roots:
        order += 1
        # (node, its number, its children left, its NavPoint children so far)
        stack: list[tuple[Node, int, Iterator[Node], list[NavPoint]]] = [
            (root, order, iter(root.children), [])]
        while stack:
            node, number, children, done = stack[-1]
            child = next(children, None)
            if child is not None:
                order += 1
                stack.append((child, order, iter(child.children), []))
                continue
            stack.pop()
            point = NavPoint(node.page.title or "", files[node.page.rel], number, tuple(done))
            (stack[-1][3] if stack else top).append(point)
    return tuple(top)


CONTENTS_NESTING = 12
"""The contents page's lists nest no deeper (deeper entries join the deepest list): each
level indents, and past a thousand levels the page could not even be parsed."""


@dataclass
class NavEntry:
    """One line of a nested list of NavPoints, for templates that cannot recurse deeply: the
    entry, whether its own list of children opens after it, and how many lists close after it
    (each the children of an entry above)."""

    point: NavPoint
    depth: int
    """1 for the top level."""
    opens: bool = False
    closes: int = 0


def nav_entries(points: Sequence[NavPoint], max_depth: int,
                nesting: int | None = None) -> list[NavEntry]:
    """`points` and their children down to `max_depth` levels, in reading order; with
    `nesting`, lists nest that deep at most and deeper entries join the deepest list."""
    entries: list[NavEntry] = []
    # (entries left, whether they have a list of their own)
    stack: list[tuple[Iterator[NavPoint], bool]] = [(iter(points), True)]
    lists = 1
    while stack:
        points_left, own_list = stack[-1]
        point = next(points_left, None)
        if point is None:
            stack.pop()
            if own_list and stack:  # a list of children ends, and the entry that holds it
                entries[-1].closes += 1
                lists -= 1
            continue
        depth = len(stack)
        children = bool(point.children) and depth < max_depth
        entry = NavEntry(point, depth, opens=children and (nesting is None or lists < nesting))
        entries.append(entry)
        if children:
            stack.append((iter(point.children), entry.opens))
            lists += entry.opens
    return entries


# -- the file ----------------------------------------------------------------------------------


def write_reproducible(book: epub.EpubBook, out: Path, when: datetime) -> None:
    """Step 7: ebooklib writes the package; the zip is rewritten with fixed timestamps and
    attributes, `mimetype` first and stored, so the same input gives the same bytes."""
    raw = io.BytesIO()
    # ebooklib's own compression is thrown away below: level 0 keeps it cheap.
    writer = epub.EpubWriter(raw, book, {"epub3_landmark": False, "epub3_pages": False,
                                         "mtime": when.replace(tzinfo=None),
                                         "compresslevel": 0})
    writer.process()
    writer.write()
    stamp = max(when.replace(tzinfo=None), datetime(1980, 1, 1)).timetuple()[:6]
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src, zipfile.ZipFile(out, "w") as dst:
        names = src.namelist()
        for name in ["mimetype", *(n for n in names if n != "mimetype")]:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = 3
            info.external_attr = 0o644 << 16
            # PNG, JPEG and GIF are compressed already: deflating them again costs time only.
            stored = name == "mimetype" or name.lower().endswith(_COMPRESSED)
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            dst.writestr(info, src.read(name), compresslevel=None if stored else 9)
