"""EPUB pages laid out by a real reading engine: headless Chromium, at an e-reader's width.

The EPUB is unzipped into a folder; a small page of ours loads each document in turn into an
`<iframe>` of the given width (Chromium's own window is never narrower than 500 px) and runs
a script over its layout. Virtual time only runs while nothing is loading, so the long
budget costs nothing once the last document is checked. Chromium starts with no network at
all (its proxy points nowhere and background services are off). Tests that use it skip,
with a reason, where Debian's `chromium` is not installed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
         "--allow-file-access-from-files", "--virtual-time-budget=600000")

# Our page loads each document in turn into a frame of the given size, and runs
# `check(doc, win)` on it once it has loaded; the answers are written into our page's DOM.
_PAGE = """<!DOCTYPE html><html><body>
<script>
const check = {check};
const documents = {documents};
async function run() {{
  const results = {{}};
  for (const name of documents) {{
    const frame = document.createElement("iframe");
    frame.width = {width};
    frame.height = {height};
    frame.style.border = "0";
    const loaded = new Promise(done => frame.addEventListener("load", done, {{once: true}}));
    frame.src = "book/EPUB/" + name;
    document.body.appendChild(frame);
    await loaded;
    try {{ results[name] = check(frame.contentDocument, frame.contentWindow); }}
    catch (e) {{ results[name] = {{error: String(e)}}; }}
    frame.remove();
  }}
  const out = document.createElement("pre");
  out.id = "kb-results";
  out.textContent = JSON.stringify(results);
  document.body.appendChild(out);
}}
run();
</script></body></html>"""


def lay_out(epub: Path, documents: list[str], check: str, width: int = 480,
            height: int = 800) -> dict[str, object]:
    """`check` (a JavaScript function of the document and its window) run on each of the
    EPUB's `documents` (paths inside EPUB/), laid out `width` px wide."""
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory(prefix="kbbook-reader-") as tmp:
        folder = Path(tmp)
        with zipfile.ZipFile(epub) as z:
            z.extractall(folder / "book")
        page = folder / "reader.html"
        page.write_text(_PAGE.format(check=check, documents=json.dumps(documents),
                                     width=width, height=height), encoding="utf-8")
        result = subprocess.run(
            [CHROMIUM, *FLAGS, f"--user-data-dir={folder / 'profile'}", "--dump-dom",
             page.as_uri()], capture_output=True, text=True, timeout=120, check=False)
    marker = '<pre id="kb-results">'
    if marker not in result.stdout:
        raise AssertionError(f"Chromium gave no result: {result.stderr[-2000:]}")
    text = result.stdout.split(marker, 1)[1].split("</pre>", 1)[0]
    return json.loads(text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
                      .replace("&amp;", "&"))


# Words of the text (split at spaces and hyphens; code and links may break anywhere) laid
# out on more than one line inside table cells, and tables wider than the screen.
BROKEN_WORDS = """(doc, win) => {
  const broken = [];
  for (const cell of doc.querySelectorAll("td, th")) {
    const walker = doc.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest("code, a, kbd, samp")) continue;  // may break anywhere
      const words = /[^\\s\\-\\u2010-\\u2014/]+/g;
      for (let m = words.exec(node.data); m; m = words.exec(node.data)) {
        const range = doc.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()].filter(r => r.width > 0)
                              .map(r => Math.round(r.bottom)));
        if (lines.size > 1) broken.push(m[0]);
      }
    }
  }
  const wide = [...doc.querySelectorAll("table")]
    .filter(t => t.getBoundingClientRect().right > win.innerWidth + 1).length;
  return {broken, wide, tables: doc.querySelectorAll("table").length};
}"""
