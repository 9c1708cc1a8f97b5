"""The EPUB file: ebooklib writes the package document (metadata, manifest, spine, guide)
and the container; kbbook hands it finished items. ebooklib stamps every zip entry with the
current time, so the zip is then rewritten with fixed timestamps and attributes, `mimetype`
first and stored: the same input gives the same bytes."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

from ebooklib import epub
from lxml import etree

_COMPRESSED = (".png", ".jpg", ".jpeg", ".gif")


_OPF = "EPUB/content.opf"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _with_language(opf: bytes, lang: str) -> bytes:
    """The package document with `xml:lang` on `<package>`, which ebooklib does not write:
    the language of the metadata (the title, the description) for reading systems and
    accessibility checkers."""
    root = etree.fromstring(opf, etree.XMLParser(resolve_entities=False, no_network=True))
    root.set(XML_LANG, lang)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def write_reproducible(book: epub.EpubBook, out: Path, when: datetime, lang: str) -> None:
    """Write `book` to `out`, reproducibly, its package document in `lang`."""
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
            data = src.read(name)
            if name == _OPF:
                data = _with_language(data, lang)
            dst.writestr(info, data, compresslevel=None if stored else 9)
