"""Problems found in a site, and the one exception the CLI turns into a message."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem, always tied to a file of the site."""

    path: str
    """The source file, relative to the site folder (POSIX separators)."""
    line: int | None
    """1-based line in that file, when there is one."""
    severity: Severity
    """Whether the problem stops a build (error) or only deserves attention (warning)."""
    code: str
    """A short stable identifier such as ``front-matter`` or ``broken-link``."""
    message: str
    """What is wrong and, where possible, what to do about it."""

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.severity}: {self.message}"


@dataclass
class Diagnostics:
    """Collects every problem of a run so `check` can list them all at once."""

    items: list[Diagnostic] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _seen: set[Diagnostic] = field(default_factory=set, repr=False)

    def add(self, diagnostic: Diagnostic) -> None:
        with self._lock:
            if diagnostic not in self._seen:
                self._seen.add(diagnostic)
                self.items.append(diagnostic)

    def error(self, path: str, line: int | None, code: str, message: str) -> None:
        self.add(Diagnostic(path, line, Severity.ERROR, code, message))

    def warning(self, path: str, line: int | None, code: str, message: str) -> None:
        self.add(Diagnostic(path, line, Severity.WARNING, code, message))

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.WARNING]

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.items, key=lambda d: (d.path, d.line or 0, d.code, d.message))


class KbbookError(Exception):
    """A failure the user can fix; the CLI prints it as one line and exits with `exit_code`."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
