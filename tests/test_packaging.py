"""What installs kbbook elsewhere: the wheel that pip and pipx build from a checkout, and the
Dockerfile (read, not built: the tests need no Docker)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import kbbook

from shared import ROOT

PACKAGE = ROOT / "src" / "kbbook"


def _instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions, continuation lines joined, comments left out."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1].strip())
            for line in joined.splitlines() if line.strip()]


def test_the_image_is_debian_slim_with_the_runtime_packages_and_kbbook() -> None:
    steps = _instructions()
    kinds = [kind for kind, _ in steps]
    assert steps[0][0] == "FROM"
    # The Debian releases .ci/setup's packages are named for.
    assert re.fullmatch(r"debian:(bookworm|trixie)-slim", steps[0][1])
    runs = [value for kind, value in steps if kind == "RUN"]
    assert any(".ci/system-packages --runtime" in run for run in runs)
    copied = [value.split()[0] for kind, value in steps if kind == "COPY"]
    assert ".ci/system-packages" in copied and "." in copied
    (install,) = (run for run in runs if "pip install" in run)
    venv = re.search(r"python3 -m venv (\S+)", install)
    assert venv is not None
    prefix = venv.group(1)
    assert re.search(rf"{re.escape(prefix)}/bin/pip install .*/tmp/kbbook\b", install)
    assert f".ci/install-diagrams {prefix}/share/kbbook" in install
    env = " ".join(value for kind, value in steps if kind == "ENV")
    assert f"PATH={prefix}/bin:" in env
    # A user of its own, after everything that needs root; the site is mounted at /site.
    user = kinds.index("USER")
    assert dict(steps)["USER"] not in ("root", "0")
    assert user > max(i for i, kind in enumerate(kinds) if kind == "RUN")
    assert dict(steps)["WORKDIR"] == "/site"
    assert json.loads(dict(steps)["ENTRYPOINT"]) == ["kbbook"]


def _ignored(path: str, patterns: list[str]) -> bool:
    """Whether .dockerignore's patterns leave `path` out of the build context: the last
    pattern matching it or a folder above it decides, `!` bringing it back."""
    parts = path.split("/")
    ignored = False
    for pattern in patterns:
        keep = pattern.startswith("!")
        glob = pattern.removeprefix("!").strip("/")
        regex = re.escape(glob).replace(r"\*\*/", "(?:.*/)?").replace(r"\*", "[^/]*")
        if any(re.fullmatch(regex, "/".join(parts[:n])) for n in range(1, len(parts) + 1)):
            ignored = not keep
    return ignored


def test_the_build_context_has_the_package_and_none_of_the_environments() -> None:
    text = (ROOT / ".dockerignore").read_text(encoding="utf-8")
    patterns = [line.strip() for line in text.splitlines()
                if line.strip() and not line.startswith("#")]
    for path in (".git", ".venv/bin/python", ".tools/ace", "src/kbbook/__pycache__/x.pyc",
                 "books/The kbbook Handbook.pdf", "The kbbook Handbook.epub",
                 ".pytest_cache/v", "tests/test_cli.py"):
        assert _ignored(path, patterns), path
    needed = ["pyproject.toml", "README.md", ".ci/system-packages", ".ci/install-diagrams",
              *(str(p.relative_to(ROOT)) for p in (ROOT / "styles").iterdir()),
              *(str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*.py"))]
    assert not [path for path in needed if _ignored(path, patterns)]


def test_the_wheel_holds_the_style_files_themselves(tmp_path: Path) -> None:
    pytest.importorskip("hatchling", reason="the build backend, hatchling, is not installed "
                        "(pip install -e '.[test]')")
    # As pip and pipx build it from a checkout; the backend is the one installed here, so
    # nothing is fetched.
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "-w", str(tmp_path),
                    "--no-deps", "--no-build-isolation", "--no-index",
                    "--disable-pip-version-check", "-q"], check=True, timeout=120)
    (wheel,) = tmp_path.glob("kbbook-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        entries = {info.filename: info for info in archive.infolist()}
        # src/kbbook/styles is a link to styles/: the wheel must hold files, not the link.
        styles = sorted(p.name for p in (ROOT / "styles").glob("*.css"))
        assert styles and sorted(
            Path(name).name for name in entries if name.startswith("kbbook/styles/")) == styles
        for info in entries.values():
            assert (info.external_attr >> 16) & 0o170000 != 0o120000, info.filename
        # Every file of the package, data files included, as they are in the checkout.
        # (os.walk, unlike rglob, goes through the link.)
        files = [Path(folder, name) for folder, dirs, names in os.walk(PACKAGE, followlinks=True)
                 if "__pycache__" not in folder for name in names]
        assert len(files) > len(styles)
        for path in files:
            name = "kbbook/" + path.relative_to(PACKAGE).as_posix()
            assert archive.read(name) == path.read_bytes(), name
        info = f"kbbook-{kbbook.__version__}.dist-info"
        points = archive.read(f"{info}/entry_points.txt").decode()
        assert re.search(r"^kbbook = kbbook\.cli:main$", points, re.MULTILINE)
        assert f"Version: {kbbook.__version__}\n" in archive.read(f"{info}/METADATA").decode()
