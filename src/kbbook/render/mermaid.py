"""Mermaid diagrams drawn as SVG by the real mermaid-js, in one headless Chromium run per
build, offline, cached by what was drawn.

Why a browser: Mermaid lays out text by measuring it, which only a browser engine does as
the website's readers see it. mermaid-rs draws visibly wrong layouts; mermaidx (QuickJS) is
right only with HTML labels off, takes seconds a diagram and leaves icons as text (see
benchmarks/bench_diagrams.py and the README).

How: the Mermaid bundle (`mermaid.min.js`) and the Font Awesome Free icon data are read
from disk (`.ci/install-diagrams` puts them beside the virtual environment); Chromium gets
a page in a temporary folder with every source, draws them with HTML labels off (all text is
SVG `<text>`, no `foreignObject`), replaces each `fa:fa-NAME` icon by its outline, and
prints the result. It cannot reach the network: it runs in a network namespace of its own
where the system allows (`unshare -rn`), every request goes to a proxy that does not
exist, no host name resolves, and the page's Content-Security-Policy allows local files
only.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .cache import DrawingCache

DRAWING_VERSION = "1"
"""Changes when kbbook draws differently: old cached drawings are then not used."""
FONT = "DejaVu Sans"
"""The label font, pinned: what Chromium measures is what the PDF and readers draw."""
TIMEOUT = 120.0
"""Seconds for Chromium to start, plus `PER_DIAGRAM` for each diagram."""
PER_DIAGRAM = 10.0
_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_GLOBAL_MODULES = (Path("/usr/local/lib/node_modules"), Path("/usr/lib/node_modules"))
# Flags for a browser that draws and nothing else: no sandbox (it may run as root), no GPU,
# no first-run work, no background fetches, and no way out: every connection goes to a
# proxy on a closed local port and every host name fails to resolve.
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--disable-default-apps", "--disable-domain-reliability",
    "--disable-breakpad", "--no-default-browser-check", "--metrics-recording-only",
    "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
    "--host-resolver-rules=MAP * ~NOTFOUND", "--allow-file-access-from-files",
)
_TAGS = re.compile(r"</?(?:div|span|font|p|center|small|big|i|b|em|strong|u|sup|sub)\b[^>]*>",
                   re.IGNORECASE)
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_ICON = re.compile(r"\bfa[brs]?:fa-([a-z0-9-]+)")


class DiagramError(Exception):
    """A diagram that could not be drawn; the message says why and what to do."""


@dataclass(frozen=True)
class Drawn:
    """One diagram drawn."""

    svg: str
    """The SVG, as Mermaid wrote it (`finish.py` makes it fit for a book)."""
    icons: bool
    """It shows Font Awesome icons (the book then credits them)."""


@dataclass(frozen=True)
class Tools:
    """What drawing needs, found on this machine."""

    chromium: str
    mermaid_js: Path
    mermaid_version: str
    fontawesome: Path | None
    """The Font Awesome Free folder (metadata/, webfonts/), when there is one."""


def _version(folder: Path) -> str:
    for name in ("VERSION", "package.json"):
        path = folder / name
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            if name == "VERSION":
                return text.strip()
            try:
                return str(json.loads(text).get("version", ""))
            except json.JSONDecodeError:
                return ""
    return ""


def _candidates(env: str, share: str, module: str) -> list[Path]:
    found = [Path(os.environ[env])] if os.environ.get(env) else []
    found.append(Path(sys.prefix) / "share" / "kbbook" / share)
    found += [base / module for base in _GLOBAL_MODULES]
    return found


@lru_cache(maxsize=1)
def find_tools() -> Tools | DiagramError:
    """Chromium, the Mermaid bundle and (optionally) Font Awesome, or why they are missing."""
    browser = os.environ.get("KBBOOK_CHROMIUM") or next(
        (found for name in _BROWSERS if (found := shutil.which(name))), None)
    js = None
    for folder in _candidates("KBBOOK_MERMAID_JS", "mermaid", "mermaid"):
        path = folder if folder.suffix == ".js" else folder / "dist" / "mermaid.min.js"
        if path.is_file():
            js = path
            break
    missing = []
    if browser is None:
        missing.append("Chromium (apt-get install chromium)")
    if js is None:
        missing.append("the Mermaid bundle (bash .ci/install-diagrams, or npm install -g "
                       "mermaid@11; or set KBBOOK_MERMAID_JS)")
    if missing:
        return DiagramError("drawing diagrams needs " + " and ".join(missing))
    fontawesome = next((folder for folder in _candidates(
        "KBBOOK_FONTAWESOME", "fontawesome", "@fortawesome/fontawesome-free")
        if (folder / "metadata" / "icon-families.json").is_file()), None)
    assert browser is not None and js is not None
    root = js.parent.parent if js.parent.name == "dist" else js.parent
    return Tools(browser, js, _version(root) or "unknown", fontawesome)


def config(tools: Tools) -> dict[str, object]:
    """Mermaid's settings: text labels in the pinned font, strict security."""
    families = f"'{FONT}', FA6S, FA6R, FA6B"
    return {
        "startOnLoad": False, "theme": "default", "securityLevel": "strict",
        "htmlLabels": False, "fontFamily": families,
        "themeVariables": {"fontFamily": families},
        "flowchart": {"htmlLabels": False}, "class": {"htmlLabels": False},
        "state": {"htmlLabels": False},
        "journey": {"textPlacement": "tspan"}, "timeline": {"textPlacement": "tspan"},
        # A diagram's own %%{init}%% may not turn HTML labels or scripts back on.
        "secure": ["secure", "securityLevel", "startOnLoad", "maxTextSize", "htmlLabels",
                   "fontFamily", "flowchart", "class", "state"],
    }


@lru_cache(maxsize=2)
def _icon_data(folder: Path) -> dict[str, dict[str, object]]:
    raw = json.loads((folder / "metadata" / "icon-families.json").read_text(encoding="utf-8"))
    icons: dict[str, dict[str, object]] = {}
    for name, data in raw.items():
        svgs = data.get("svgs", {}).get("classic", {})
        for style in ("solid", "regular", "brands"):
            svg = svgs.get(style)
            if svg:
                path = svg["path"] if isinstance(svg["path"], str) else " ".join(svg["path"])
                icons[name] = {"cp": int(data["unicode"], 16), "vb": svg["viewBox"],
                               "path": path}
                break
    return icons


def prepare(source: str, tools: Tools) -> tuple[str, dict[str, dict[str, object]]]:
    """The source as Mermaid draws it with text labels: line breaks kept, HTML tags in
    labels removed, each `fa:fa-NAME` turned into the icon's character (drawn later as its
    outline). Also the icons used, by character."""
    text = _TAGS.sub("", _BREAK.sub("<br>", source))
    used: dict[str, dict[str, object]] = {}
    if tools.fontawesome is None:
        return text, used
    icons = _icon_data(tools.fontawesome)

    def icon(m: re.Match[str]) -> str:
        data = icons.get(m.group(1))
        if data is None:
            return m.group(0)
        char = chr(int(str(data["cp"])))
        used[char] = data
        return char

    return _ICON.sub(icon, text), used


def cache_key(source: str, tools: Tools) -> str:
    fa = _version(tools.fontawesome) if tools.fontawesome else ""
    blob = json.dumps([DRAWING_VERSION, tools.mermaid_version, fa, config(tools), source],
                      sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _json_for_script(value: object) -> str:
    """JSON that cannot end the `<script>` element it stands in."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e")


# The page may load only local files and inline code: nothing from the network.
_CSP = ("default-src 'none'; script-src 'unsafe-inline' file:; style-src 'unsafe-inline'; "
        "font-src file:; img-src data:")
_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<style>{fonts}</style>
<script src="{mermaid}"></script></head><body><div id="work"></div><div id="outs"></div>
<script>
const SOURCES = {sources};
const ICONS = {icons};
const SVGNS = "http://www.w3.org/2000/svg";
mermaid.initialize({config});
function iconsToPaths(svg) {{
  for (const t of Array.from(svg.querySelectorAll("text"))) {{
    const chars = Array.from(t.textContent);
    if (!chars.some(c => ICONS[c])) continue;
    const toRoot = svg.getScreenCTM().inverse().multiply(t.getScreenCTM());
    const size = parseFloat(getComputedStyle(t).fontSize) || 16;
    let index = 0; const places = [];
    for (const c of chars) {{
      if (ICONS[c]) {{ const p = t.getStartPositionOfChar(index); places.push([c, p.x, p.y]); }}
      index += c.length;
    }}
    for (const [c, x, y] of places) {{
      const icon = ICONS[c], scale = size / 512;
      const path = document.createElementNS(SVGNS, "path");
      path.setAttribute("d", icon.path);
      const m = toRoot;
      path.setAttribute("transform", `matrix(${{m.a}},${{m.b}},${{m.c}},${{m.d}},${{m.e}},${{m.f}})`
                        + ` translate(${{x}},${{y - 448 * scale}}) scale(${{scale}})`);
      path.setAttribute("fill", getComputedStyle(t).fill || "#333");
      path.setAttribute("class", "kb-icon");
      svg.appendChild(path);
    }}
    const walker = document.createTreeWalker(t, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {{
      node.nodeValue = Array.from(node.nodeValue).map(c => {{
        const icon = ICONS[c]; if (!icon) return c;
        let width = icon.vb[2] / 512, out = "";  // the icon's advance, in em, as spaces
        for (const [s, w] of [["\\u2003", 1], ["\\u2002", 0.5], ["\\u2009", 0.2], ["\\u200A", 0.1]])
          while (width >= w - 0.04) {{ out += s; width -= w; }}
        return out;
      }}).join("");
    }}
  }}
}}
(async () => {{
  try {{
    await Promise.all(["FA6S", "FA6R", "FA6B"].map(f => document.fonts.load("16px " + f)));
  }} catch (e) {{}}
  const outs = document.getElementById("outs"), work = document.getElementById("work");
  for (let i = 0; i < SOURCES.length; i++) {{
    const pre = document.createElement("pre"); pre.id = "out-" + i;
    try {{
      const result = await mermaid.render("kbmmd" + i, SOURCES[i]);
      work.innerHTML = result.svg;
      const svg = work.querySelector("svg");
      iconsToPaths(svg);
      // The same drawing whatever its place in this run (it is cached by its source).
      const text = new XMLSerializer().serializeToString(svg);
      pre.textContent = "SVG:" + text.split("kbmmd" + i).join("kbmmd");
    }} catch (e) {{
      pre.textContent = "ERROR:" + ((e && e.message) || e);
    }}
    work.innerHTML = "";
    outs.appendChild(pre);
  }}
  document.title = "done";
}})();
</script></body></html>
"""


def _page(sources: Sequence[str], icons: dict[str, dict[str, object]], tools: Tools) -> str:
    fonts = ""
    if tools.fontawesome is not None:
        webfonts = tools.fontawesome / "webfonts"
        fonts = "".join(
            f'@font-face {{ font-family: {family}; src: url("{(webfonts / name).as_uri()}"); }}'
            for family, name in (("FA6S", "fa-solid-900.ttf"), ("FA6R", "fa-regular-400.ttf"),
                                 ("FA6B", "fa-brands-400.ttf")) if (webfonts / name).is_file())
    return _PAGE.format(csp=_CSP, fonts=fonts, mermaid=html.escape(tools.mermaid_js.as_uri()),
                        sources=_json_for_script(list(sources)),
                        icons=_json_for_script(icons), config=_json_for_script(config(tools)))


@lru_cache(maxsize=1)
def isolation() -> tuple[str, ...]:
    """`unshare -rn` where the system allows it: Chromium then runs in a network namespace
    of its own, which has no network at all (the flags above close the rest)."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return ()
    try:
        probe = subprocess.run([unshare, "-rn", "true"], capture_output=True, timeout=10,
                               check=False, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return ()
    return (unshare, "-rn") if probe.returncode == 0 else ()


def chromium_command(tools: Tools, profile: Path, page: Path, count: int) -> list[str]:
    budget = int((TIMEOUT + PER_DIAGRAM * count) * 1000)
    return [*isolation(), tools.chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
            f"--virtual-time-budget={budget}", "--dump-dom", page.as_uri()]


def _run(sources: Sequence[str], tools: Tools) -> list[str | DiagramError]:
    """Draw `sources` (already prepared) in one Chromium run."""
    icons: dict[str, dict[str, object]] = {}
    prepared = []
    for source in sources:
        text, used = prepare(source, tools)
        prepared.append(text)
        icons.update(used)
    with tempfile.TemporaryDirectory(prefix="kbbook-mermaid-") as tmp:
        folder = Path(tmp)
        page = folder / "draw.html"
        page.write_text(_page(prepared, icons, tools), encoding="utf-8")
        command = chromium_command(tools, folder / "profile", page, len(sources))
        try:
            done = subprocess.run(command, capture_output=True, timeout=TIMEOUT + PER_DIAGRAM
                                  * len(sources), check=False, stdin=subprocess.DEVNULL,
                                  env={**os.environ, "HOME": tmp})
        except (OSError, subprocess.TimeoutExpired) as exc:
            error = DiagramError(f"Chromium could not draw it ({type(exc).__name__}: {exc})")
            return [error for _ in sources]
    out = done.stdout.decode("utf-8", errors="replace")
    results: list[str | DiagramError] = []
    for i in range(len(sources)):
        m = re.search(rf'<pre id="out-{i}">(.*?)</pre>', out, re.DOTALL)
        if m is None:
            tail = done.stderr.decode("utf-8", errors="replace").strip().splitlines()[-1:]
            results.append(DiagramError("Chromium gave no drawing (exit "
                                        f"{done.returncode}{': ' + tail[0] if tail else ''})"))
            continue
        text = html.unescape(m.group(1))
        if text.startswith("SVG:"):
            results.append(text[4:])
        else:
            message = " ".join(text.removeprefix("ERROR:").split())
            results.append(DiagramError(f"Mermaid cannot draw it: {message[:200]}"))
    return results


def draw(sources: Sequence[str], cache: DrawingCache | None = None
         ) -> list[Drawn | DiagramError]:
    """Every diagram of `sources` drawn (from the cache when it was drawn before), in one
    Chromium run for those that were not."""
    tools = find_tools()
    if isinstance(tools, DiagramError):
        return [tools for _ in sources]
    keys = [cache_key(source, tools) for source in sources]
    found: dict[str, str] = {}
    if cache is not None:
        for key in dict.fromkeys(keys):
            svg = cache.get(key)
            if svg is not None:
                found[key] = svg
    todo = list(dict.fromkeys(k for k in keys if k not in found))
    errors: dict[str, DiagramError] = {}
    if todo:
        by_key = dict(zip(keys, sources, strict=True))
        for key, result in zip(todo, _run([by_key[k] for k in todo], tools), strict=True):
            if isinstance(result, DiagramError):
                errors[key] = result
            else:
                found[key] = result
                if cache is not None:
                    cache.put(key, result)
    out: list[Drawn | DiagramError] = []
    for key, source in zip(keys, sources, strict=True):
        if key in errors:
            out.append(errors[key])
        else:
            out.append(Drawn(found[key], bool(prepare(source, tools)[1])))
    return out
