"""Memory handed back to the system between the stages of a big print."""

from __future__ import annotations

import contextlib


def release_memory() -> None:
    """Give what Python freed back to the system (glibc keeps it otherwise), so a process's
    memory follows what it holds now, not the largest thing it ever held."""
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(OSError, AttributeError, TypeError):
        ctypes.CDLL(None).malloc_trim(0)  # glibc's, already in the process; elsewhere none
