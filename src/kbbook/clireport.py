"""How the commands report: every problem one a line, a failure as one line and an exit
code (never a traceback), what was written and its size, the outline as JSON."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import typer

from .book import Book, Node, fold
from .errors import Diagnostics, KbbookError
from .pipeline import BookNotWritten, Built
from .writers.common import human_size

F = TypeVar("F", bound=Callable[..., Any])


def report(diagnostics: Diagnostics, strict: bool, stream: Any = None) -> int:
    """Print every problem, one a line; return the exit code they imply."""
    stream = stream or sys.stderr
    for d in diagnostics.sorted():
        print(d, file=stream)
    failed = bool(diagnostics.errors) or (strict and bool(diagnostics.warnings))
    return 1 if failed else 0


def friendly(func: F) -> F:
    """Turn KbbookError, Ctrl-C and anything unexpected into one line and an exit code."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except KbbookError as exc:
            print(f"kbbook: error: {exc.message}", file=sys.stderr)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            print("kbbook: interrupted; no file was changed", file=sys.stderr)
            raise typer.Exit(130) from None
        except RecursionError:
            print("kbbook: error: the site nests too deeply to be read (over 1,000 levels of "
                  "lists, quotes or parents); simplify the deepest page", file=sys.stderr)
            raise typer.Exit(1) from None
        except BrokenPipeError:
            # `kbbook toc | head`: the reader has what it wanted; no message, no error.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(0) from None
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            print(f"kbbook: error: {where}{exc.strerror or exc}", file=sys.stderr)
            raise typer.Exit(1) from None
        except (typer.Exit, typer.Abort, typer.BadParameter, SystemExit):
            raise
        except Exception as exc:
            # A bug of ours, not the user's: one line, unless they ask for the details.
            if os.environ.get("KBBOOK_DEBUG"):
                raise
            print(f"kbbook: internal error: {type(exc).__name__}: {exc} (run again with "
                  "KBBOOK_DEBUG=1 for details, and report it)", file=sys.stderr)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def tree_json(roots: tuple[Node, ...]) -> str:
    """The tree as JSON: depth is unlimited, so it is built with `fold` (no recursion)."""
    depth = [0]

    def entry(node: Node, level: int, children: list[dict[str, Any]]) -> dict[str, Any]:
        depth[0] = max(depth[0], level)
        return {"title": node.page.title, "source": node.page.rel, "url": node.page.url,
                "kind": node.page.kind.value, "children": children}

    top = fold(roots, entry)
    # The encoder itself recurses once or twice per level.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 4 * depth[0] + 1000))
    try:
        return json.dumps(top, indent=2, ensure_ascii=False)
    finally:
        sys.setrecursionlimit(limit)


def hidden_text(book: Book) -> str:
    groups: dict[str, list[str]] = {}
    for hidden in book.hidden:
        label = hidden.page.title or "(untitled)"
        groups.setdefault(hidden.reason, []).append(f"  {label}  <- {hidden.page.rel}")
    lines = []
    for reason, entries in groups.items():
        lines.append(f"Left out of the book: {reason}")
        lines.extend(entries)
    return "\n".join(lines)


def written(build: Callable[[], Built | tuple[Built, ...]]) -> tuple[Built, ...]:
    """Build, list what was found, say where each book is; over errors, say why not."""
    try:
        result = build()
    except BookNotWritten as exc:
        report(exc.diagnostics, False)
        raise
    built = result if isinstance(result, tuple) else (result,)
    if built:
        report(built[0].diagnostics, False)
    for book in built:
        print(f"wrote {book.output} ({human_size(book.output.stat().st_size)})",
              file=sys.stderr)
    return built


def largest_files(epub: Path, count: int = 10) -> list[str]:
    """What takes the room in an EPUB: its largest files, as lines."""
    import zipfile

    with zipfile.ZipFile(epub) as book:
        entries = sorted(book.infolist(), key=lambda i: -i.compress_size)
    lines = [f"{epub}: largest files:"]
    lines += [f"  {human_size(i.compress_size):>9}  {i.filename}" for i in entries[:count]]
    return lines
