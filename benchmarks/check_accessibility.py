"""Ace by DAISY on the books of the handbook and the shared sites: findings by impact.

    .venv/bin/python benchmarks/check_accessibility.py [SITE ...] [--device NAME]

Needs Ace (`.ci/setup` installs it into .tools/ace) and Debian's Chromium. The tests run it
on the handbook and mptcp; this script covers the bigger sites too, which take minutes each.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import kbbook

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from ace import ACE, run_ace  # noqa: E402

CORPORA = ROOT.parent / "shared" / "corpora"
SITES = [ROOT / "content", *(CORPORA / name for name in ("productbrain", "lakefs", "mptcp"))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sites", nargs="*", type=Path, default=SITES)
    parser.add_argument("--device", default="default")
    args = parser.parse_args()
    if not ACE.exists():
        raise SystemExit(f"{ACE}: not installed; run bash .ci/setup")
    with tempfile.TemporaryDirectory() as tmp:
        for site in args.sites:
            book = kbbook.build_epub(site, Path(tmp) / f"{site.name}.epub",
                                     device=args.device).output
            start = time.perf_counter()
            report = run_ace(book)
            impacts = dict(report.impacts())
            print(f"{site.name}: {report.outcome}, {len(report.findings)} findings {impacts} "
                  f"({time.perf_counter() - start:.0f} s)")
            for impact, rule, document in report.findings:
                print(f"  {impact}: {rule} in {document}")


if __name__ == "__main__":
    main()
