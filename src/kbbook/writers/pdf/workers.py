"""The worker processes that lay out chunks: WeasyPrint uses one core, so the book's chunks
go to one process per core (`--jobs`).

Workers come from a fork server that has imported WeasyPrint once, so each starts in a
moment; for a big book each lays out one chunk and ends, so that its memory goes with it
(a process that has laid out a big chunk keeps hundreds of megabytes it no longer uses).
They ignore Ctrl-C: the main process decides, stops them all and removes what they left.
A worker that dies (killed, out of memory) fails the build with a message saying so.
Workers lay out at the same time but write their chunk PDFs in turn (the heaviest moment).
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from ...errors import KbbookError
from .chunkrender import Job, Result, render, write_in_turn

OnPage = Callable[[int, int], None]
"""Told (chunk index, page number) as each page of a chunk is laid out."""

_QUEUE: list[Any] = []


def default_jobs() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@contextlib.contextmanager
def _main_unseen() -> Iterator[None]:
    """New workers would import the program's main module again, running a script without
    an `if __name__ == "__main__"` guard a second time: they need nothing from it."""
    main = sys.modules.get("__main__")
    if main is None:
        yield
        return
    saved = {name: getattr(main, name) for name in ("__file__", "__spec__")
             if hasattr(main, name)}
    if "__file__" in saved:
        delattr(main, "__file__")
    main.__spec__ = None  # type: ignore[assignment]
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(main, name, value)


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # still there, only not ours to signal
    try:  # a zombie (dead, not yet reaped) still answers
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def _watch(main: int) -> None:
    """End this worker when the main process is gone (killed, say): nobody wants its chunk."""
    while not _gone(main):
        time.sleep(1)
    os._exit(1)


@contextlib.contextmanager
def _no_interrupt() -> Iterator[None]:
    """Ctrl-C held back (it arrives when this ends), in the main thread only."""
    if threading.current_thread() is not threading.main_thread() or \
            not hasattr(signal, "pthread_sigmask"):
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


_PRELOAD = ["weasyprint", "kbbook.writers.pdf.chunkrender"]


def _context() -> Any:
    """A fork server that has imported WeasyPrint (else plain new processes)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    return context


def warm_up(jobs: int | None) -> None:
    """Start the fork server now, so that it imports WeasyPrint while the site is read."""
    if (jobs or default_jobs()) > 1 and "forkserver" in multiprocessing.get_all_start_methods():
        from multiprocessing import forkserver

        _context()
        with contextlib.suppress(OSError, ValueError), _main_unseen():
            forkserver.ensure_running()


def end_fork_server() -> None:
    """End the fork server (some 70 MB, WeasyPrint imported), once a big book's workers are
    done: the merge after them needs the memory, and the next build starts a new one."""
    from multiprocessing import forkserver

    server = getattr(forkserver, "_forkserver", None)
    with contextlib.suppress(Exception):  # (a private method: gone, the server just stays)
        server._stop()  # type: ignore[union-attr]


def _start_worker(pages: Any, main: int, turn: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process stops us
    _QUEUE.append(pages)
    write_in_turn(turn)
    threading.Thread(target=_watch, args=(main,), daemon=True,
                     name="kbbook-watch-main").start()


def _run(job: Job) -> Result:
    pages = _QUEUE[0] if _QUEUE else None

    def on_page(number: int) -> None:
        if pages is not None:
            with contextlib.suppress(Exception):  # progress is never worth failing for
                pages.put_nowait((job.index, number))

    return render(job, on_page)


class WorkerDied(KbbookError):
    """A worker process ended without finishing its chunk."""


class Workers:
    """Runs jobs in `jobs` worker processes, or in this one when `jobs` is 1."""

    def __init__(self, jobs: int, on_page: OnPage | None = None, *,
                 recycle: bool = True) -> None:
        self.jobs = max(1, jobs)
        self.on_page = on_page
        self.recycle = recycle
        """A fresh worker for each chunk (a new one costs about 0.2 s: a small book is
        quicker without)."""
        self._pool: ProcessPoolExecutor | None = None
        self._pages: Any = None

    def _start(self) -> ProcessPoolExecutor:
        if self._pool is None:
            context = _context()
            self._pages = context.Queue()
            self._pool = ProcessPoolExecutor(self.jobs, mp_context=context,
                                             initializer=_start_worker,
                                             initargs=(self._pages, os.getpid(),
                                                       context.Lock()),
                                             max_tasks_per_child=1 if self.recycle
                                             else None)
        return self._pool

    def _drain(self) -> None:
        if self._pages is None:
            return
        with contextlib.suppress(queue.Empty, OSError, ValueError):
            while True:
                index, number = self._pages.get_nowait()
                if self.on_page is not None:
                    self.on_page(index, number)

    def run(self, jobs: Iterable[Job], names: dict[int, str]) -> Iterator[Result]:
        """Each job's result, as they finish. A job is taken from `jobs` only when a worker
        is free for it, so that it can be made from the results before it."""
        source = iter(jobs)
        head = list(itertools.islice(source, 2))
        # A lone job of a small book is quicker here; a big book's is not, as this process
        # would keep what laying it out took (and WeasyPrint) to the end of the build.
        if self.jobs == 1 or (len(head) <= 1 and not self.recycle):
            for job in (*head, *source):
                yield render(job, None if self.on_page is None else
                             (lambda n, i=job.index: self.on_page(i, n)))  # type: ignore[misc]
            return
        pool = self._start()
        pending: dict[Future[Result], Job] = {}

        def submit(job: Job) -> None:
            # Workers start as jobs are submitted; a Ctrl-C waits until they have their
            # start (one stopped half-way through would leave a traceback on the terminal).
            try:
                with _main_unseen(), _no_interrupt():
                    pending[pool.submit(_run, job)] = job
            except BrokenProcessPool:  # one died between two passes
                self.stop()
                raise self._died(job, names) from None

        for job in head:
            submit(job)
        while True:
            # (after the results before are taken in: a job is made from them)
            while len(pending) < self.jobs and (job := next(source, None)) is not None:
                submit(job)
            if not pending:
                return
            done, _ = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            self._drain()
            for future in done:
                job = pending.pop(future)
                try:
                    result = future.result()
                except BrokenProcessPool:
                    self.stop()
                    raise self._died(job, names) from None
                yield result

    @staticmethod
    def _died(job: Job, names: dict[int, str]) -> WorkerDied:
        return WorkerDied(
            f"a PDF worker stopped while laying out {names.get(job.index, '?')!r} "
            f"(chunk {job.index + 1} of {len(names)}): it was killed, or ran out of memory; "
            "no book was written (an older one is untouched); try fewer workers with --jobs")

    def stop(self) -> None:
        """Stop every worker now (Ctrl-C, a failure): nothing they were doing is kept."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        processes = list(getattr(pool, "_processes", {}).values())
        for process in processes:
            with contextlib.suppress(Exception):
                process.terminate()
        for process in processes:  # gone before the queues they read are closed
            with contextlib.suppress(Exception):
                process.join(5)
        # The pool's thread sees its workers gone, fails what they had and ends. Waited for
        # before the pool is shut down: still running, it may replace a worker of a pool
        # already emptied, or close its wake-up pipe as Python's exit hook writes to it
        # (each a traceback on the terminal, Python 3.11).
        manager = getattr(pool, "_executor_manager_thread", None)
        if manager is not None:
            with contextlib.suppress(Exception):
                manager.join(5)
        pool.shutdown(wait=False, cancel_futures=True)
        self._close_queue()

    def _close_queue(self) -> None:
        if self._pages is not None:
            with contextlib.suppress(Exception):
                self._pages.close()
                self._pages.join_thread()
            self._pages = None

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)
        self._close_queue()

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, kind: object, exc: object, tb: object) -> None:
        if kind is None:
            self.close()
        else:
            self.stop()
