"""A big knowledge base for the benchmarks: a real site three times over, under other titles.

The first copy stays where it is; the second and third go to `copy2/` and `copy3/`, each
page's `title`, `parent` and `grand_parent` prefixed ("Copy 2 - ..."), so the sidebar has three
times the chapters (and its own images: a site never reads files outside it, so nothing is
linked).

    .venv/bin/python benchmarks/bigsite.py [SITE] OUT  # default SITE: ../shared/corpora/lakefs
"""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SITE = ROOT.parent / "shared" / "corpora" / "lakefs"
_TITLE = re.compile(r"^(title|parent|grand_parent):[ \t]*(.*?)[ \t]*$", re.MULTILINE)


def _prefixed(text: str, prefix: str) -> str:
    """The page with its sidebar titles prefixed (front matter only)."""
    if not text.startswith("---"):
        return text
    end = text.find("\n---", 3)
    if end < 0:
        return text

    def rename(m: re.Match[str]) -> str:
        value = m[2]
        if len(value) >= 2 and value[0] in "'\"" and value[-1] == value[0]:
            return f"{m[1]}: {value[0]}{prefix}{value[1:]}"
        return f"{m[1]}: {prefix}{value}" if value else m[0]

    return _TITLE.sub(rename, text[:end]) + text[end:]


def _shared(path: Path) -> bool:
    return path.name.startswith(("_", "."))


def make_big_site(site: Path, out: Path, copies: int = 3) -> Path:
    """`site` `copies` times over in `out` (made anew)."""
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(site, out)
    for n in range(2, copies + 1):
        copy = out / f"copy{n}"
        copy.mkdir()
        for item in site.iterdir():
            if _shared(item) or item.name in ("Gemfile", "Gemfile.lock", "LICENSE"):
                continue
            if item.is_dir():
                shutil.copytree(item, copy / item.name)
            elif item.suffix in (".md", ".markdown"):
                shutil.copy2(item, copy / item.name)
        for page in [*copy.rglob("*.md"), *copy.rglob("*.markdown")]:
            page.write_text(_prefixed(page.read_text(encoding="utf-8"), f"Copy {n} - "),
                            encoding="utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", nargs="?", type=Path, default=DEFAULT_SITE)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    print(make_big_site(args.site, args.out))


if __name__ == "__main__":
    main()
