"""Sanitising and the XHTML tree: whatever the author wrote, the page is safe EPUB 3 XHTML
and well-formed XML."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from lxml.html import HtmlElement

from kbbook.errors import Diagnostics
from kbbook.render import render_pages
from kbbook.render.html import element, is_ncname, ncname, parse_fragment, prepare_raw_html
from kbbook.render.sanitise import MAX_DEPTH, sanitise
from kbbook.render.xhtml import fragment_text, to_xhtml
from kbbook.site import Page, SourceFile

from markdown_util import GOLDEN, load_site


def serialise(root: HtmlElement) -> str:
    """The working tree as the XHTML text of the tree a page carries."""
    return fragment_text(to_xhtml(root))


def clean(html: str) -> tuple[str, list[str]]:
    """Sanitised and serialised `html`, with the warning codes."""
    root, _ = parse_fragment(html)
    codes: list[str] = []
    sanitise(root, lambda el, code, message: codes.append(code))
    return serialise(root), codes


@pytest.mark.parametrize(("raw", "expected"), [
    ("<script>alert(1)</script><p>x</p>", "<p>x</p>"),
    ("<style>p{}</style><p>x</p>", "<p>x</p>"),
    ('<p onclick="a()" style="color:red" class="k">x</p>', '<p class="k">x</p>'),
    ('<P CLASS="k">X<BR>y</P>', '<p class="k">X<br/>y</p>'),
    ("<p>a&nbsp;b &copy; &amp; &lt;</p>", "<p>a\u00a0b © &amp; &lt;</p>"),
    ("<center><font color=red>old</font></center>", "old"),
    ("<x-widget>custom <b>bold</b></x-widget>", "custom <b>bold</b>"),
    ("<strike>s</strike><tt>t</tt>", "<s>s</s><code>t</code>"),
    ('<a name="n">x</a>', '<a id="n">x</a>'),
    ('<div align="center" style="text-align: right">x</div>', '<div class="align-right">x</div>'),
    ('<td colspan="2" rowspan="x">c</td>', "c"),  # a cell outside a table is unwrapped
    ('<table><tr><td colspan="2" rowspan="x" width="9">c</td></tr></table>',
     '<table><tr><td colspan="2">c</td></tr></table>'),
    ('<img src="a.png" width="50%" height="20" border="0">',
     '<img src="a.png" height="20" alt=""/>'),
    ('<ol start="3" type="a" reversed><li value="7">x</li></ol>',
     '<ol start="3" type="a" reversed="reversed"><li value="7">x</li></ol>'),
    ('<details open><summary>s</summary>d</details>',
     '<details open="open"><summary>s</summary>d</details>'),
    ('<blockquote cite="javascript:x">q</blockquote>', "<blockquote>q</blockquote>"),
    ('<q cite="https://example.com/">q</q>', '<q cite="https://example.com/">q</q>'),
    ('<input type="checkbox" checked> done',
     '<span class="task-list-item-checkbox checked">☑</span> done'),
    ("<form><input name=x><textarea>t</textarea><button>Go</button></form>", "Go"),
    # An author's SVG is kept (in its namespace); one that draws nothing goes.
    ("<p>a<svg><circle/></svg></p><p><svg/></p><p>b</p>",
     '<p>a<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
     "<circle/></svg></p><p>b</p>"),
    ("<li>stray</li><dd>d</dd><summary>s</summary>", "strayds"),
    ("<p>x<!-- hidden --><?pi stuff?>y</p>", "<p>xy</p>"),
    ("<p>nul\x00 and \x0b and \ufffe</p>", "<p>nul\ufffd and \ufffd and \ufffd</p>"),
    ('<span aria-label="L" role="note" lang="pt-PT" dir="rtl" data-x="1">s</span>',
     '<span aria-label="L" role="note" lang="pt-PT" dir="rtl">s</span>'),
    ('<span aria-labelledby="x" aria-hidden="true" data-kb-page="a.md">s</span>',
     '<span aria-hidden="true">s</span>'),
])
def test_sanitise(raw: str, expected: str) -> None:
    assert clean(raw)[0] == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("<ul>text<li>a</li>tail<b>b</b></ul>",
     "<ul><li>text</li><li>a</li><li>tail<b>b</b></li></ul>"),
    ("<ol>\u00a0<li>a</li></ol>", "<ol><li>\u00a0</li><li>a</li></ol>"),
    ("<dl><dd>d</dd><b>x</b><dt>t</dt></dl>",
     "<dl><dt/><dd>d</dd><dd><b>x</b></dd><dt>t</dt><dd/></dl>"),
    ("<table>stray<tr><td>1</td>more<b>b</b></tr></table>",
     "straymore<b>b</b><table><tr><td>1</td></tr></table>"),
    ("<table><col><tr><td>1</td></tr><thead><tr><th>h</th></tr></thead><caption>c</caption>"
     "</table>",
     "<table><caption>c</caption><thead><tr><th>h</th></tr></thead><tbody><tr><td>1</td></tr>"
     "</tbody></table>"),
    ("<details>text<p>p</p></details>",
     "<details><summary>Details</summary>text<p>p</p></details>"),
    ("<details><p>p</p><summary>s</summary></details>",
     "<details><summary>s</summary><p>p</p></details>"),
    ("<figure><img src=a.png><figcaption>c</figcaption><p>p</p></figure>",
     '<figure><img src="a.png" alt=""/><p>p</p><figcaption>c</figcaption></figure>'),
    ("<span><div>block in span</div><p>p</p></span>", "<span>block in spanp</span>"),
    ('<a href="x">one <a href="y">two</a></a>', '<a href="x">one </a><a href="y">two</a>'),
    ("<header><header>h</header><address><footer>f</footer></address></header>",
     "<header>h<address>f</address></header>"),
    ("<ruby>漢<rt>kan</rt></ruby>", "漢kan"),
    ('<p><a href="x"><iframe src="https://v.example/1"></iframe></a></p>',
     '<p><a href="x"><span class="kb-embed">Embedded content: https://v.example/1</span></a></p>'),
])
def test_content_models(raw: str, expected: str) -> None:
    assert clean(raw)[0] == expected


def test_embeds_become_links_to_their_source() -> None:
    out, codes = clean('<div><iframe src="https://v.example/1"></iframe></div>'
                       '<p>in <video><source src="https://v.example/2.mp4"></video> text</p>'
                       '<object data="file:///etc/passwd"></object>')
    assert out == ('<div><p class="kb-embed">Embedded content: <a href="https://v.example/1">'
                   'https://v.example/1</a></p></div><p>in <span class="kb-embed">Embedded '
                   'content: <a href="https://v.example/2.mp4">https://v.example/2.mp4</a>'
                   "</span> text</p>")
    assert codes == ["embed"]


def test_embed_does_not_swallow_what_follows() -> None:
    raw = prepare_raw_html('<embed src="x.swf"><p>after</p><wbr>z', 1)
    out, _ = clean(raw)
    assert out.endswith("<p>after</p><wbr/>z")


def test_prepare_raw_html_marks_lines_and_drops_document_tags() -> None:
    raw = '<div>\n<a href="x"\n   title="a>b">t</a>\n</body></html><body class=x>after</div>'
    assert prepare_raw_html(raw, 10) == (
        '<div data-kb-line="10">\n<a data-kb-line="11" href="x"\n   title="a>b">t</a>\n'
        "after</div>")


def test_deep_trees_are_flattened_and_reported() -> None:
    out, codes = clean("<div>" * 300 + "<b>deep</b>" + "</div>" * 300 + "<p>after</p>")
    assert codes == ["too-deep"]
    assert out.count("<div>") == MAX_DEPTH and "deep" in out and out.endswith("<p>after</p>")


def test_xhtml_escapes_and_closes() -> None:
    root = element("body")
    p = element("p", 'a < b & "c"', title='say "hi" <now>\n')
    p.append(element("br"))
    p.append(element("span"))
    p[-1].tail = "]]> tail"
    root.append(p)
    assert serialise(root) == ('<p title="say &quot;hi&quot; &lt;now&gt;&#10;">a &lt; b &amp; '
                               '"c"<br/><span/>]]&gt; tail</p>')


def test_xhtml_keeps_only_valid_names_and_kbbooks_numbers() -> None:
    root = element("body")
    p = element("p", "x", data_kb_line="3", data_kb_link="0")
    p.set("epub:type", "note")
    root.append(p)
    tree = to_xhtml(root)
    (copy,) = tree
    assert copy.tag == "{http://www.w3.org/1999/xhtml}p"
    assert dict(copy.attrib) == {"data-kb-link": "0",
                                 "{http://www.idpf.org/2007/ops}type": "note"}


def test_xhtml_handles_any_depth_without_recursion() -> None:
    root = element("body")
    el: HtmlElement = root
    for _ in range(5000):
        el.append(element("span"))
        el = el[0]
    assert serialise(root).count("<span>") == 4999  # (the deepest is empty: <span/>)


@pytest.mark.parametrize(("value", "expected"), [
    ("intro", "intro"), ("1-intro", "id-1-intro"), ("über", "über"), ("a:b c", "a-b-c"),
    ("", "id-"), ("-x", "id--x"), ("_ok", "_ok"),
])
def test_ncname(value: str, expected: str) -> None:
    assert ncname(value) == expected and is_ncname(expected)


# -- property: anything renders to well-formed XHTML ---------------------------------------

PAGES, RESOLVER, _ = load_site(GOLDEN)
_PIECES = st.sampled_from([
    "#", "## ", "*", "**", "_", "~~", ">", "> ", "<", "&", "&nbsp;", "&#0;", "&bogus;", "[",
    "](", ")", "![", "`", "```", "```python\n", "~~~", "{:", "{: .note}", "{:toc}", "}", "{%",
    "%}", "{{", "}}", "{% raw %}", "{% endraw %}", "{{ site.url }}", "{% link docs/guide.md %}",
    "<div>", "</div>", '<div markdown="1">', "<p>", "</p>", "<b>", "</b>", "<br>", "<img src=x>",
    '<a href="javascript:x">', "</a>", "<script>", "</script>", "<iframe src=http://e/>",
    "<embed>", "<svg>", "</body>", "<html>", "<details>", "<summary>", "<!--", "-->", "<?",
    "<![CDATA[", "]]>", '"', "'", "=", "|", "|-|", "- ", "1. ", "- [ ] ", "[^1]", "[^1]: ",
    ": ", "---", "\n", "\n\n", "    ", " ", "\t", "é", "👋", "\x00", "\x0b", "\ud800",
    "\ufffe", "(#x)", "(sibling)", "(../x.md#y)", "(data:x)", "<nav-buttons>",
    '<div class="nav-buttons"><a href="x">Next</a>',
])
_MARKDOWNISH = st.lists(_PIECES | st.text(max_size=3), max_size=60).map("".join)


def _page(body: str) -> Page:
    return Page(SourceFile(GOLDEN / "h.md", "h.md"), "/h.html", "H", False, None, None, None,
                None, False, None, None, MappingProxyType({}), body, 4)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_MARKDOWNISH)
def test_any_markdownish_text_renders_to_well_formed_xhtml(body: str) -> None:
    (rendered,) = render_pages([_page(body)], RESOLVER, Diagnostics())
    tree = etree.fromstring(etree.tostring(rendered.body))
    for el in tree.iter():
        name = etree.QName(el)
        assert name.localname not in ("script", "iframe", "embed", "object", "form",
                                      "foreignObject")
        # An author's SVG stays, in its own namespace, without its scripts or styles' files.
        assert name.localname != "style" or name.namespace == "http://www.w3.org/2000/svg"
        assert name.localname != "svg" or name.namespace == "http://www.w3.org/2000/svg"
        for name, value in el.attrib.items():
            assert not name.startswith("on")
            if name in ("href", "src"):
                assert not value.lower().lstrip().startswith(("javascript:", "data:", "vbscript:"))
    ids = [el.get("id") for el in tree.iter() if el.get("id")]
    assert len(ids) == len(set(ids)) and all(is_ncname(i) for i in ids)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_at_all_renders(body: str) -> None:
    (rendered,) = render_pages([_page(body)], RESOLVER, Diagnostics())
    etree.fromstring(etree.tostring(rendered.body))


def test_golden_fixture_site_exists() -> None:
    assert Path(GOLDEN, "_config.yml").is_file() and PAGES
