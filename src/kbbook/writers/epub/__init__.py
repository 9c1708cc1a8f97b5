"""The EPUB 3 writer (with an EPUB 2 NCX for older readers).

`write_epub` is a list of steps, as sphinx's `builders/epub3.py` is: metadata, stylesheets,
page documents (links mapped), images, cover, contents, navigation, package. Every document
is an lxml tree (`documents.py`); ebooklib writes the package (`package.py`). With
SOURCE_DATE_EPOCH set, two builds of the same site are byte-identical.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ebooklib import epub

from ...book import contents
from ...errors import Diagnostics
from ...render import RenderedBook
from ...render.diagrams import ICON_CREDIT, uses_icons
from ...words import direction, words
from ..common import human_size
from .cover import generate_cover
from .devices import DEVICES, Device, device_named, image_target
from .documents import (
    CONTENTS_FILE,
    COVER_FILE,
    NAV_FILE,
    NCX_FILE,
    Document,
    contents_document,
    cover_document,
    nav_document,
    ncx_document,
    page_documents,
)
from .fonts import font_items
from .images import (
    ImageError,
    ImagePreparer,
    ImageStore,
    ImageTarget,
    PreparedImage,
    embed_images,
    prepare_image,
)
from .kobo import add_kobo_spans
from .mathimages import math_pictures
from .metadata import book_metadata, set_metadata
from .package import write_reproducible
from .stylesheets import stylesheet_items

__all__ = ["CONTENTS_NESTING", "DEVICES", "Device", "ImagePreparer", "image_target",
           "write_epub"]

XHTML = "application/xhtml+xml"
COVER_SIZE = 2560  # a cover may be larger than the images in the text
CONTENTS_NESTING = 12
"""The contents page's lists nest no deeper (deeper entries join the deepest list): each
level indents, and past a thousand levels the page could not even be parsed."""


def write_epub(rendered: RenderedBook, out: Path, diagnostics: Diagnostics, *,
               css: Sequence[Path] = (), device: str | Device = "default",
               preparer: ImagePreparer | None = None) -> None:
    """Write `rendered` as an EPUB 3 file at `out`, for the reader `device` names (see
    `devices.py`). `preparer` may already be preparing the book's images (started while
    rendering); the rest start now, on other threads, while the documents are built."""
    target = device_named(device)
    images = image_target(rendered.book.config, target)
    with preparer or ImagePreparer(images) as running:
        store = ImageStore(images, diagnostics,
                           reserved=("cover.png", "cover.jpg", "cover.gif", "cover.svg"),
                           preparer=running)
        store.prefetch(image for rp in rendered.pages for image in rp.images)
        _write(rendered, out, store, css, target, diagnostics)
    if target.book_limit is not None:
        report_size(out, target, store, diagnostics)


def _write(rendered: RenderedBook, out: Path, images: ImageStore, css: Sequence[Path],
           device: Device, diagnostics: Diagnostics) -> None:
    config = rendered.book.config
    meta = book_metadata(config, diagnostics)
    stylesheets = stylesheet_items(css, diagnostics, greyscale=device.greyscale)
    extras = font_items(rendered.pages)
    hrefs = tuple(item.file_name for item in [*stylesheets, *extras]
                  if item.media_type == "text/css")

    pages = page_documents(rendered.pages, meta.lang, hrefs)
    extras += math_pictures(d.root for d in pages)
    all_alt = embed_images(((d.root, d.rendered) for d in pages if d.rendered is not None),
                           images, diagnostics, config.site_url)
    cover = cover_item(rendered, images.target, diagnostics)

    files = {d.rendered.page.rel: d.file_name for d in pages if d.rendered is not None}
    every = contents(rendered.book.roots)
    said = words(meta.lang)
    landmarks = (("cover", "cover", COVER_FILE, said.cover),
                 ("toc", "toc", CONTENTS_FILE, said.contents),
                 ("bodymatter", "text", pages[0].file_name, said.start))
    front = (
        cover_document(meta.lang, hrefs, cover.file_name, f"{said.cover}: {meta.title}",
                       said.cover),
        contents_document(meta.lang, hrefs, said.contents,
                          contents(rendered.book.roots, config.book.toc_depth,
                                   CONTENTS_NESTING), files,
                          [ICON_CREDIT] if uses_icons(rp.body for rp in rendered.pages)
                          else [],
                          (rendered.book.external_links, rendered.book.external_at)),
    )
    nav = nav_document(meta.lang, meta.title, hrefs, said.contents, every, files,
                       [(kind, href, label) for kind, _, href, label in landmarks],
                       said.landmarks)
    ncx = ncx_document(meta.lang, meta.identifier, meta.title, meta.authors, every, files)

    book = epub.EpubBook()
    set_metadata(book, meta, cover, has_images=bool(images.images), all_alt=all_alt)
    for item in [*stylesheets, *extras]:
        book.add_item(item)
    book.add_item(cover)
    for image in images.images:
        book.add_item(epub.EpubImage(uid=image.item_id, file_name=image.href,
                                     media_type=image.image.media_type,
                                     content=image.image.data))
    spine: list[Document] = [*front, *pages]
    if device.kepub:
        for doc in spine:
            add_kobo_spans(doc.root)
    for doc in spine:
        item = epub.EpubItem(uid=doc.item_id, file_name=doc.file_name, media_type=XHTML,
                             content=doc.content())
        item.properties = list(doc.properties)  # type: ignore[attr-defined]
        book.add_item(item)
    nav_item = epub.EpubItem(uid="nav", file_name=NAV_FILE, media_type=XHTML, content=nav)
    nav_item.properties = ["nav"]  # type: ignore[attr-defined]
    book.add_item(nav_item)
    book.add_item(epub.EpubItem(uid="ncx", file_name=NCX_FILE,
                                media_type="application/x-dtbncx+xml", content=ncx))
    book.spine = [doc.item_id for doc in spine]
    if direction(meta.lang) == "rtl":
        book.set_direction("rtl")  # the spine's page-progression-direction
    book.guide = [{"type": guide, "href": href, "title": label}
                  for _, guide, href, label in landmarks]
    write_reproducible(book, out, meta.modified, meta.lang)


def cover_item(rendered: RenderedBook, images: ImageTarget,
               diagnostics: Diagnostics) -> epub.EpubItem:
    """The site's cover image (`kbbook.cover`), else one drawn from the title."""
    config = rendered.book.config
    prepared: PreparedImage | None = None
    cover = rendered.cover
    if cover is not None and cover.path is not None:
        try:
            # (a cover may be larger than the images in the text, but is in greys on e-ink)
            prepared = prepare_image(cover.path, max(COVER_SIZE, images.max_size),
                                     greyscale=images.greyscale, palette=images.palette)
        except ImageError as exc:
            diagnostics.warning("_config.yml", cover.line, "cover",
                                f"cover image {cover.rel} {exc}; a cover is drawn from the "
                                "title instead")
    if prepared is None:
        prepared = PreparedImage(generate_cover(config.title, config.description,
                                                config.authors), "png", "image/png")
    item = epub.EpubImage(uid="cover-image", file_name=f"images/cover.{prepared.extension}",
                          media_type=prepared.media_type, content=prepared.data)
    item.properties = ["cover-image"]  # type: ignore[attr-defined]
    return item


def report_size(out: Path, device: Device, store: ImageStore, diagnostics: Diagnostics) -> None:
    """A book over the device's limit is reported, with its biggest images and what to do."""
    assert device.book_limit is not None
    size = out.stat().st_size
    if size <= device.book_limit:
        return
    biggest = sorted(store.images, key=lambda image: -len(image.image.data))[:5]
    names = ", ".join(f"{image.site_rel} ({human_size(len(image.image.data))})"
                      for image in biggest)
    diagnostics.warning("_config.yml", None, "book-size",
                        f"the book is {human_size(size)}, over the {device.name} limit of "
                        f"{human_size(device.book_limit)}; its biggest images are {names}. "
                        "Set kbbook.image_max_size lower, or leave some pages out")
