"""What the tests share: where the sample and the real sites are, and the network guard's
record (conftest.py installs the guard)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
# The real sites beside the checkout ($KBBOOK_CORPORA names another place for them).
CORPORA = Path(os.environ.get("KBBOOK_CORPORA") or ROOT.parent / "shared" / "corpora")
PRODUCTBRAIN = CORPORA / "productbrain"
PRODUCTBRAIN_OUTLINE = CORPORA / "productbrain.outline.txt"
LAKEFS = CORPORA / "lakefs"
MPTCP = CORPORA / "mptcp"


def _needs(site: Path) -> pytest.MarkDecorator:
    return pytest.mark.skipif(not site.is_dir(),
                              reason=f"../shared/corpora/{site.name} is not beside the checkout")


needs_productbrain = _needs(PRODUCTBRAIN)
needs_lakefs = _needs(LAKEFS)
needs_mptcp = _needs(MPTCP)


class NetworkBlocked(RuntimeError):
    pass


ATTEMPTS: list[str] = []
"""Every attempt to reach the network in this session."""


def refuse(*args: object, **kwargs: object) -> None:
    ATTEMPTS.append(repr(args[1:3] or args[:1]))
    raise NetworkBlocked(f"network access attempted: {args!r}")
