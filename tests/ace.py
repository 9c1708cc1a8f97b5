"""Ace by DAISY, the EPUB accessibility checker, run on a book: its findings by impact.

`.ci/setup` installs Ace into .tools/ace and it runs with Debian's Chromium (it has no
browser of its own here), with no network (Chromium's proxy points nowhere).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ACE = ROOT / ".tools" / "ace" / "node_modules" / ".bin" / "ace-cli"
CHROMIUM = shutil.which("chromium")
needs_ace = pytest.mark.skipif(
    not ACE.exists() or CHROMIUM is None,
    reason="Ace by DAISY (.tools/ace, installed by .ci/setup) or chromium is not installed")


@dataclass(frozen=True)
class AceReport:
    """What Ace found in one book."""

    outcome: str
    """`pass` or `fail`."""
    findings: tuple[tuple[str, str, str], ...]
    """(impact, rule, document) of each finding."""

    def impacts(self) -> Counter[str]:
        return Counter(impact for impact, _, _ in self.findings)

    def serious(self) -> list[tuple[str, str, str]]:
        return [f for f in self.findings if f[0] in ("serious", "critical")]


def run_ace(epub: Path) -> AceReport:
    with tempfile.TemporaryDirectory(prefix="kbbook-ace-") as tmp:
        env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": str(CHROMIUM),
               "PUPPETEER_SKIP_DOWNLOAD": "1", "HOME": tmp}
        result = subprocess.run([str(ACE), "--silent", "--force", "--outdir", tmp,
                                 "--tempdir", str(Path(tmp) / "work"), str(epub)],
                                capture_output=True, text=True, timeout=900, env=env,
                                check=False)
        report_file = Path(tmp) / "report.json"
        if not report_file.exists():
            raise AssertionError(f"Ace wrote no report: {result.stderr[-2000:]}")
        report = json.loads(report_file.read_text(encoding="utf-8"))
    findings = []
    for document in report.get("assertions", []):
        where = document.get("earl:testSubject", {}).get("url", "")
        for check in document.get("assertions", []):
            test = check.get("earl:test", {})
            findings.append((test.get("earl:impact", ""), test.get("dct:title", ""), where))
    return AceReport(report.get("earl:result", {}).get("earl:outcome", ""), tuple(findings))
