"""Book-specific rewrites of one page's tree: the nav-buttons block, images and figures,
callouts and footnote labels. Ids and the TOC are in `ids.py`, links in `links.py`."""

from __future__ import annotations

import re
from collections.abc import Mapping

from lxml.html import HtmlElement

from ..site import TargetKind
from ..site.config import Callout
from .context import PageContext
from .html import (
    add_class,
    classes,
    element,
    missing_image,
    plain_text,
    remove,
    replace,
    valid_web_url,
)
from .images import image_problem
from .model import IMAGE_ATTR, ImageRef, NavLink
from .sanitise import FLOW_ONLY, in_phrasing

# -- nav buttons ---------------------------------------------------------------------------


def _nav_label(a: HtmlElement, index: int, count: int) -> str:
    text = plain_text(a).lower()
    if "next" in text:
        return "next"
    if any(word in text for word in ("previous", "prev", "back")):
        return "previous"
    if "btn-primary" in classes(a):
        return "next"
    if "btn-secondary" in classes(a):
        return "previous"
    return "next" if index == count - 1 else "previous"


def remove_nav_buttons(root: HtmlElement, ctx: PageContext) -> tuple[NavLink, ...]:
    """Remove every `<div class="nav-buttons">` (the book's contents replace it) and return
    its links. A horizontal rule left last on the page by the removal goes too."""
    found: list[NavLink] = []
    for div in list(root.iter("div")):
        if "nav-buttons" not in classes(div):
            continue
        links = [a for a in div.iter("a") if a.get("href") is not None]
        for index, a in enumerate(links):
            href = a.get("href") or ""
            target = ctx.resolver.resolve_link(href, ctx.page)
            page = target.page if target.kind is TargetKind.PAGE else None
            if page is None:
                ctx.warn(a, "broken-link", f"navigation button '{plain_text(a)}' links to "
                         f"'{href}', which leads to no page of the site")
            line = ctx.line(a) or ctx.page.body_line
            found.append(NavLink(_nav_label(a, index, len(links)), page, href, line))
        was_last = div.getnext() is None and not (div.tail or "").strip()
        parent = div.getparent()
        remove(div)
        if was_last and parent is not None and len(parent):
            last = parent[-1]
            if last.tag == "hr" and not (last.tail or "").strip():
                remove(last)
    return tuple(found)


# -- images --------------------------------------------------------------------------------


def resolve_images(root: HtmlElement, ctx: PageContext) -> tuple[ImageRef, ...]:
    """Point every `<img>` at its file (site-relative path) and number it (`data-kb-image`),
    or replace it by its alt text with a warning; return the images, by index."""
    found: list[ImageRef] = []
    allow_remote = ctx.resolver.config.allow_remote
    for img in list(root.iter("img")):
        src = (img.get("src") or "").strip()
        alt = img.get("alt") or ""
        if not src:
            ctx.warn(img, "missing-image", "image without a source; its alt text is shown")
            missing_image(img)
            continue
        image: ImageRef | None = None
        link = ""  # a remote image left out: the reader can still open it
        target = ctx.resolver.resolve_image(src, ctx.page)
        if target.kind is TargetKind.FILE and target.path is not None:
            problem = image_problem(target.path)
            if problem is None:
                image = ImageRef(target.rel, target.path, "", alt, ctx.line(img))
                if ctx.on_image is not None:
                    ctx.on_image(target.path)
            else:
                ctx.warn(img, "bad-image", f"image '{target.rel}' {problem}; its alt text is "
                         "shown instead")
        elif target.kind is TargetKind.EXTERNAL and not valid_web_url(target.url):
            ctx.warn(img, "bad-url", f"image source '{src[:80]}' is not a valid web address; "
                     "its alt text is shown instead")
        elif target.kind is TargetKind.EXTERNAL:
            if allow_remote:
                image = ImageRef("", None, target.url, alt, ctx.line(img))
            else:
                ctx.warn(img, "remote-image", f"remote image '{target.url}' not fetched; pass "
                         "--allow-remote to include it (its alt text is shown instead, as "
                         "a link to it)")
                link = target.url
        elif target.kind is TargetKind.UNSAFE:
            ctx.warn(img, "unsafe-image", f"image source '{src[:80]}' uses a scheme a book "
                     "never includes; its alt text is shown instead")
        elif target.outside:
            ctx.warn(img, "outside-site", f"image '{src}' lies outside the site folder, and "
                     "kbbook reads only files inside it; its alt text is shown instead")
        else:
            ctx.warn(img, "missing-image", f"image '{target.rel}' not found (written as "
                     f"'{src}'); its alt text is shown instead")
        if image is None:
            missing_image(img, src, link)
            continue
        img.set("src", image.rel or image.url)
        img.set(IMAGE_ATTR, str(len(found)))
        found.append(image)
    return tuple(found)


def title_icon(ctx: PageContext) -> ImageRef | None:
    """The image of an HTML title, when it is a usable file inside the site (a warning
    otherwise: the book shows the title's text only)."""
    src = ctx.page.title_image
    if not src:
        return None
    line = ctx.page.lines.get("title")
    target = ctx.resolver.resolve_image(src, ctx.page)
    problem = None
    if target.kind is TargetKind.FILE and target.path is not None:
        problem = image_problem(target.path)
        if problem is None:
            if ctx.on_image is not None:
                ctx.on_image(target.path)
            return ImageRef(target.rel, target.path, "", "", line)
    where = problem or ("is not a file inside the site" if target.kind is not TargetKind.FILE
                        else "cannot be used")
    ctx.diagnostics.warning(ctx.page.rel, line, "title", f"the title's image '{src[:80]}' "
                            f"{where}; the book shows the title's text only")
    return None


def _only(el: HtmlElement, tags: set[str]) -> bool:
    """`el` holds only elements of `tags` (and whitespace)."""
    if (el.text or "").strip():
        return False
    return len(el) > 0 and all(c.tag in tags and not (c.tail or "").strip() for c in el)


def make_figures(root: HtmlElement) -> None:
    """An image alone in its paragraph and followed by emphasised lines (in the same
    paragraph or the next one) is a figure with a caption."""
    for p in list(root.iter("p")):
        if p.getparent() is None or (p.text or "").strip() or not len(p) or p[0].tag != "img":
            continue
        img = p[0]
        rest = list(p)[1:]
        if (img.tail or "").strip():
            continue
        caption: list[HtmlElement] = []
        source: HtmlElement | None = None
        if rest and all(c.tag in ("br", "em") and not (c.tail or "").strip() for c in rest) \
                and any(c.tag == "em" for c in rest):
            caption = rest[1:] if rest[0].tag == "br" else rest
        elif not rest:
            nxt = p.getnext()
            if nxt is not None and nxt.tag == "p" and _only(nxt, {"em", "br"}) \
                    and not (p.tail or "").strip():
                caption, source = list(nxt), nxt
        if not caption:
            continue
        figure = element("figure")
        for name in ("id", "class", "data-kb-line"):
            if p.get(name) is not None:
                figure.set(name, p.get(name) or "")
        replace(p, figure)
        img.tail = None
        figure.append(img)
        figcaption = element("figcaption")
        figure.append(figcaption)
        for child in caption:
            figcaption.append(child)
        if len(figcaption) and figcaption[-1].tag == "br":
            figcaption.remove(figcaption[-1])
        if source is not None:
            figure.tail = source.tail
            source.getparent().remove(source)  # type: ignore[union-attr]


# -- callouts ------------------------------------------------------------------------------


_OWN_CLASSES = ("kb-", "footnote", "task-list", "contains-task-list", "align-", "language-",
                "callout")


def apply_callouts(root: HtmlElement, callouts: Mapping[str, Callout]) -> None:
    """Blocks with a callout class of `_config.yml` become
    `<div class="callout callout-NAME [callout-color-COLOR]">`, whose first child is
    `<p class="callout-title">` when there is a title: the callout's configured title, or
    for the `NAME-title` form the first paragraph or heading of the blockquote."""
    if not callouts:
        return
    for el in list(root.iter()):
        for cls in classes(el):
            if cls.startswith(_OWN_CLASSES) or (el.tag == "pre" and cls == "highlight"):
                continue  # kbbook's own classes; a `highlight` callout is common
            name, titled = cls, False
            if cls not in callouts and cls.endswith("-title") and cls[:-6] in callouts:
                name, titled = cls[:-6], True
            if name in callouts and el.tag in FLOW_ONLY and not in_phrasing(el):
                _wrap_callout(el, cls, name, titled, callouts[name])
                break


def _wrap_callout(el: HtmlElement, cls: str, name: str, titled: bool, spec: Callout) -> None:
    box = element("div", class_=f"callout callout-{name}")
    if spec.color:
        add_class(box, "callout-color-" + spec.color)
    rest = [c for c in classes(el) if c != cls]
    container = el.tag in ("blockquote", "div")
    for attr in ("id", "data-kb-line"):
        if el.get(attr) is not None and (container or attr == "data-kb-line"):
            box.set(attr, el.get(attr) or "")
    title: HtmlElement | None = None
    first = el[0] if container and len(el) and not (el.text or "").strip() else None
    if titled and first is not None and first.tag in ("p", "h1", "h2", "h3", "h4", "h5", "h6"):
        title = element("p", first.text, class_="callout-title")
        for child in list(first):
            title.append(child)
        el.text = (el.text or "") + (first.tail or "")
        el.remove(first)
    elif spec.title:
        title = element("p", spec.title, class_="callout-title")
    replace(el, box)
    if title is not None:
        box.append(title)
    if container:
        add_class(box, *rest)
        if title is not None:
            title.tail = el.text
        else:
            box.text = el.text
        for child in list(el):
            box.append(child)
    else:
        if rest:
            el.set("class", " ".join(rest))
        else:
            del el.attrib["class"]
        box.append(el)


# -- long paths and names in tables ----------------------------------------------------------

_LONG = re.compile(r"\S{16,}")
# After a slash, or between a lower-case letter and a capital (`Multipart|Upload`).
_SOFT = re.compile(r"(?<=/)(?=[^/\s])|(?<=[a-z])(?=[A-Z])")
_WHOLE = frozenset({"code", "pre", "a", "kbd", "samp"})  # break anywhere already (the CSS)


def _soft_pieces(text: str) -> list[str]:
    """`text` cut where a long path or name may break: after its slashes, between the words
    of a CamelCase name."""
    out: list[str] = []
    last = 0
    for word in _LONG.finditer(text):
        for cut in _SOFT.finditer(text, word.start(), word.end()):
            if cut.start() > word.start():
                out.append(text[last:cut.start()])
                last = cut.start()
    out.append(text[last:])
    return out


def _with_breaks(parent: HtmlElement, text: str | None, index: int) -> str | None:
    """`text` (standing at child `index` of `parent`) with <wbr/> elements put in at its
    soft breaks; returns the part that stays before the first of them."""
    if not text or len(text) < 16:
        return text
    pieces = _soft_pieces(text)
    for offset, piece in enumerate(pieces[1:]):
        wbr = element("wbr")
        wbr.tail = piece
        parent.insert(index + offset, wbr)
    return pieces[0]


def soft_breaks(root: HtmlElement) -> None:
    """A path (`/repositories/{id}/branches`) or a long name (`AbortMultipartUpload`) in a
    table cell may break where a printed book breaks it (<wbr/>), rather than push the table
    off the screen; ordinary words stay whole."""
    for cell in list(root.iter("td", "th")):
        for el in [cell, *cell.iterdescendants()]:
            if not isinstance(el.tag, str) or el.tag in _WHOLE or any(
                    a.tag in _WHOLE for a in el.iterancestors() if a is not cell):
                continue
            for child in reversed(list(el)):  # tails first: inserting shifts what follows
                if child.tag != "wbr":
                    child.tail = _with_breaks(el, child.tail, el.index(child) + 1)
            el.text = _with_breaks(el, el.text, 0)


# -- details -------------------------------------------------------------------------------


def open_details(root: HtmlElement) -> None:
    """A book has no click: every `<details>` is shown open, as a block whose summary is a
    heading over its content. Plain blocks, not `<details>` set open: a summary is a
    control, and the links it often holds would be controls inside a control (Ace: nested
    interactive); no reader hides their content either."""
    for details in list(root.iter("details")):
        for summary in details.iter("summary"):
            summary.tag = "div"
            add_class(summary, "kb-summary")
        details.tag = "div"
        details.attrib.pop("open", None)
        add_class(details, "kb-details")


# -- footnotes -----------------------------------------------------------------------------


def label_footnotes(root: HtmlElement) -> None:
    """Give each footnote its number (`<span class="footnote-label">1.</span>`), which the
    notes lose when they become asides rather than list items."""
    for aside in root.iter("aside"):
        ident = aside.get("id") or ""
        if aside.get("data-kb-fn") is None or not ident.startswith("fn:"):
            continue
        label = element("span", ident[3:] + ".", class_="footnote-label")
        first = aside[0] if len(aside) and not (aside.text or "").strip() else None
        if first is not None and first.tag == "p":
            label.tail = " " + (first.text or "")
            first.text = None
            first.insert(0, label)
        else:
            holder = element("p")
            holder.append(label)
            holder.tail = aside.text
            aside.text = None
            aside.insert(0, holder)
