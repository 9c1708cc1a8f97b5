"""The chunked print against the single render, the build cache, and a worker that dies.

The single render (one WeasyPrint document, page numbers by `target-counter`) is the oracle:
the chunked book must have the same pages, texts, bookmarks and link targets."""

from __future__ import annotations

import itertools
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from kbbook.errors import Diagnostics
from kbbook.pipeline import SiteOptions, read_and_render
from kbbook.render import RenderedBook
from kbbook.writers.pdf import chunked as chunked_print
from kbbook.writers.pdf import chunks, document, write_pdf
from kbbook.writers.pdf.cache import BuildCache
from kbbook.writers.pdf.chunkrender import Job
from kbbook.writers.pdf.fetcher import FetchPolicy
from kbbook.writers.pdf.weasy import Stylesheet
from kbbook.writers.pdf.workers import Workers

from pdfcompare import marks, same_book
from shared import ROOT
from sitemaker import make_site, page


@pytest.fixture(autouse=True)
def _one_day(monkeypatch: pytest.MonkeyPatch) -> None:
    """Both renders of a comparison print the same day, even when midnight falls between."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


def _build_both(rendered: RenderedBook, tmp_path: Path, jobs: int) -> tuple[Path, Path, int]:
    chunked, single = tmp_path / "chunked.pdf", tmp_path / "single.pdf"
    stats = write_pdf(rendered, chunked, Diagnostics(), jobs=jobs, cache=False)
    write_pdf(rendered, single, Diagnostics(), chunked=False)
    return chunked, single, stats.chunks


def _many_chapters(root: Path, chapters: int = 6, paragraphs: int = 40) -> Path:
    """Chapters of several pages each (of one or two with 16 `paragraphs`), linking to each
    other across chunks."""
    files = {"_config.yml": "title: Chapters\nurl: https://example.org\n"}
    for n in range(1, chapters + 1):
        links = " ".join(f"See [chapter {m}](c{m}.md) and [its part](c{m}.md#part-{m})."
                         for m in range(1, chapters + 1) if m != n)
        text = "\n\n".join(f"Paragraph {i} of chapter {n}. " * 12 for i in range(paragraphs))
        files[f"c{n}.md"] = page(f"Chapter {n}", nav_order=n, body=(
            f"{links}\n\n{text}\n\n## Part {n}\n\nThe part of chapter {n}. {links}\n"))
    return make_site(root, files)


def test_chunked_is_the_single_render_across_many_chunks(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    monkeypatch.setattr(chunks, "MIN_CHUNK", 1000)  # a chunk per chapter
    rendered = read_and_render(SiteOptions(_many_chapters(tmp_path / "site")), Diagnostics())
    chunked, single, count = _build_both(rendered, tmp_path, jobs=2)
    assert count == 7  # the front matter and six chapters
    same_book(chunked, single)
    text = PdfReader(chunked).pages[-1].extract_text()
    assert "(p." in text  # cross-references into earlier chunks are numbered


def test_jobs_1_renders_in_this_process_the_same_book(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chunks, "MIN_CHUNK", 1000)
    rendered = read_and_render(SiteOptions(_many_chapters(tmp_path / "site", 3, 16)),
                               Diagnostics())
    one, two = tmp_path / "one.pdf", tmp_path / "two.pdf"
    write_pdf(rendered, one, Diagnostics(), jobs=1, cache=False)
    write_pdf(rendered, two, Diagnostics(), jobs=2, cache=False)
    assert one.read_bytes() == two.read_bytes()


def test_page_n_of_m_counts_the_whole_book(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chunks, "MIN_CHUNK", 1000)
    site = _many_chapters(tmp_path / "site", 3)
    css = tmp_path / "pages.css"
    css.write_text('@page { @bottom-center { content: "page " counter(page) " of " '
                   'counter(pages); } }\n')
    rendered = read_and_render(SiteOptions(site), Diagnostics())
    out = tmp_path / "book.pdf"
    assert write_pdf(rendered, out, Diagnostics(), css=[css], cache=False).chunks == 4
    reader = PdfReader(out)
    total = len(reader.pages)
    for number in (3, total):
        assert f"page {number} of {total}" in reader.pages[number - 1].extract_text()


def test_page_numbers_in_roman_numerals_are_the_single_render(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Not stamped (only decimal numbers are): each chunk is laid out with its own numbers.
    monkeypatch.setattr(chunks, "MIN_CHUNK", 1000)
    css = tmp_path / "roman.css"
    css.write_text("@page { @bottom-center { content: counter(page, lower-roman); } }\n")
    rendered = read_and_render(SiteOptions(_many_chapters(tmp_path / "site", 3, 16)),
                               Diagnostics())
    chunked, single = tmp_path / "chunked.pdf", tmp_path / "single.pdf"
    write_pdf(rendered, chunked, Diagnostics(), css=[css], cache=False)
    write_pdf(rendered, single, Diagnostics(), css=[css], chunked=False)
    same_book(chunked, single)
    assert "viii" in "".join(p.extract_text() for p in PdfReader(chunked).pages)


@pytest.mark.parametrize(("footer", "depends"), [("counter(page)", False),
                                                 ("counter(page, lower-roman)", True)])
def test_a_render_depends_on_its_first_page_only_when_not_stamped(
        tmp_path: Path, footer: str, depends: bool) -> None:
    rendered = read_and_render(SiteOptions(_many_chapters(tmp_path / "site", 2)),
                               Diagnostics())
    parts = chunks.split(document.build_print_tree(rendered), 2)
    sheet = Stylesheet(f"@page {{ @bottom-center {{ content: {footer}; }} }}", None, "t")
    settings = chunked_print.Settings((sheet,), "file:///", FetchPolicy.create([tmp_path], []),
                                      96, "")
    cache = BuildCache(None)
    printer = chunked_print.ChunkedPrint(parts, settings, cache, Workers(1), Diagnostics(),
                                         lambda *_: None)
    cache.close()
    layouts = {c.index: chunked_print.Layout(3) for c in parts}
    plan = chunked_print.Plan(parts, layouts)
    later = chunked_print.Plan(parts, {**layouts, 0: chunked_print.Layout(4)})  # a page more
    assert plan.first[1] + 1 == later.first[1]
    moved = printer._render_key(parts[1], plan) != printer._render_key(parts[1], later)
    assert moved is depends


def test_a_page_added_renders_only_its_chunk_again(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The numbers after it move, but keep their digit counts: stamped, not laid out."""
    monkeypatch.setattr(chunks, "MIN_CHUNK", 1000)
    files = {"_config.yml": "title: Short\n"}
    for n in range(1, 4):
        links = " ".join(f"See [chapter {m}](c{m}.md)." for m in range(1, 4) if m != n)
        files[f"c{n}.md"] = page(f"Chapter {n}", nav_order=n, body=f"{links}\n\n"
                                 + f"Words of chapter {n}. " * 150)
    site = make_site(tmp_path / "site", files)
    cache = tmp_path / "cache"

    def build(name: str) -> tuple[Path, int]:
        rendered = read_and_render(SiteOptions(site), Diagnostics())
        out = tmp_path / name
        write_pdf(rendered, tmp_path / f"single-{name}", Diagnostics(), chunked=False)
        return out, write_pdf(rendered, out, Diagnostics(), cache_dir=cache).renders

    first, renders = build("first.pdf")
    assert renders == 4
    _edit(site / "c1.md", "Words of chapter 1. ", "Words of chapter 1. " * 80)
    added, renders = build("added.pdf")
    assert len(PdfReader(added).pages) > len(PdfReader(first).pages)
    assert len(PdfReader(added).pages) < 10  # (every number keeps its one digit)
    assert renders == 1  # chapter 1's chunk: the others' numbers are stamped anew
    same_book(added, tmp_path / "single-added.pdf")


def _long_chapter(root: Path) -> Path:
    """One chapter of ten pages, long enough to be printed in parts, then a short one."""
    files = {"_config.yml": "title: Parts\n",
             "guide.md": page("Guide", nav_order=1, has_children="true",
                              body="The guide.\n"),
             "after.md": page("After", nav_order=2,
                              body="See [page 9](p9.md) and [page 2](p2.md).\n")}
    for n in range(1, 11):
        text = "\n\n".join(f"Sentence {i} of page {n} of the guide. " * 10 for i in range(12))
        files[f"p{n}.md"] = page(f"Page {n}", parent="Guide", nav_order=n,
                                 body=f"{text}\n\nOn to [page 1](p1.md). Read [the notes]"
                                 f"(https://example.org/notes/{n}).\n")
    return make_site(root, files)


def test_a_long_chapter_is_printed_in_parts_that_chunks_lay_out(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(document, "PART_SIZE", 12_000)
    monkeypatch.setattr(chunks, "MIN_CHUNK", 30_000)  # (chunks of two parts, too)
    monkeypatch.setattr(chunks, "MAX_CHUNK", 30_000)
    site = _long_chapter(tmp_path / "site")
    rendered = read_and_render(SiteOptions(site), Diagnostics())
    tree = document.build_print_tree(rendered)
    book = tree.html[1][-1]
    parts = [div for div in book if "kb-chapter-continued" in div.get("class", "")]
    assert len(parts) >= 2, "the guide was not cut"
    starts = [div[0].get("data-title") for div in parts]

    chunked, single, count = _build_both(rendered, tmp_path, jobs=2)
    assert 3 <= count < 2 + len(parts)  # the front matter, the guide's parts, After
    split = chunks.split(document.build_print_tree(rendered), 2)
    assert [c.ghosts for c in split if c.ghosts] == [1] * (len(split) - 2)  # parts 2 on
    same_book(chunked, single)
    reader = PdfReader(chunked)
    at = {title: number for _, title, number in marks(reader, reader.outline)}
    for title in starts:  # each part starts a page of its own, whose header names the chapter
        before = f"Page {int(title.split()[1]) - 1}"
        assert at[title] > at[before]
        text = reader.pages[at[title]].extract_text()
        assert f"\nGuide {title}\n" in text, text[-60:]  # (the header comes out last)

    # The notes at the pages' feet are numbered through the chapter, across its parts.
    for pdf in (chunked, single):
        text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
        notes = re.findall(r"(\d+)\.\W*https://example\.org/notes/(\d+)", text)
        assert [int(number) for number, _ in notes] == [int(n) for _, n in notes] \
            == list(range(1, 11)), notes

    # One sentence more in a page: no page moves to another part.
    _edit(site / "p3.md", "Sentence 3 of page 3", "A new sentence. Sentence 3 of page 3")
    again = document.build_print_tree(read_and_render(SiteOptions(site), Diagnostics()))
    assert [div[0].get("data-title") for div in again.html[1][-1]
            if "kb-chapter-continued" in div.get("class", "")] == starts


def test_each_chunk_is_laid_out_by_a_fresh_worker(tmp_path: Path) -> None:
    """A worker's memory goes with it: one that laid out a big chunk holds on to it."""
    policy = FetchPolicy.create([tmp_path], [])
    jobs = [Job(n, f"<p>Chunk {n}</p>", (), tmp_path.as_uri() + "/", policy, 0, None, 96)
            for n in range(4)]
    with Workers(2) as workers:
        pids = [result.pid for result in workers.run(jobs, {n: str(n) for n in range(4)})]
    assert len(set(pids)) == 4, pids
    assert os.getpid() not in pids
    with Workers(2, recycle=False) as workers:  # (a small book's: they stay)
        pids = [result.pid for result in workers.run(jobs, {n: str(n) for n in range(4)})]
    assert len(set(pids)) <= 2, pids



def test_workers_write_their_chunks_in_turn(tmp_path: Path) -> None:
    """Writing (each image decoded and scaled down) is a worker's heaviest moment: two at
    once would add up. Chunks of the same size reach it together, and take turns."""
    Image.merge("RGB", [Image.effect_noise((1800, 1800), 80) for _ in range(3)]).save(
        tmp_path / "photo.png")
    policy = FetchPolicy.create([tmp_path], [])
    html = '<img src="photo.png" style="width: 5cm">' * 3
    jobs = [Job(n, html, (), tmp_path.as_uri() + "/", policy, 0, str(tmp_path / f"{n}.pdf"), 96)
            for n in range(4)]
    with Workers(2) as workers:
        results = list(workers.run(jobs, {n: str(n) for n in range(4)}))
    wrote = sorted(result.wrote for result in results if result.wrote is not None)
    assert len(wrote) == 4 and all((tmp_path / f"{n}.pdf").exists() for n in range(4))
    for (_, end), (start, _) in itertools.pairwise(wrote):
        assert end <= start, wrote


@pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")
def test_stopped_workers_leave_no_thread_to_the_exit(tmp_path: Path) -> None:
    """Python's exit hook writes to a running pool thread's wake-up pipe, which that thread
    closes as it ends: a Ctrl-C whose stop left it running could print a traceback."""
    policy = FetchPolicy.create([tmp_path], [])
    jobs = [Job(n, f"<p>Chunk {n}</p>", (), tmp_path.as_uri() + "/", policy, 0, None, 96)
            for n in range(4)]
    workers = Workers(2)
    results = workers.run(jobs, {n: str(n) for n in range(4)})
    next(results)
    pool = workers._pool
    assert pool is not None
    manager = pool._executor_manager_thread  # type: ignore[attr-defined]
    workers.stop()  # as on Ctrl-C, with chunks still being laid out
    assert manager is not None and not manager.is_alive()


def _edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def test_cache_hit_miss_and_corrupt_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    monkeypatch.setattr(chunks, "MIN_CHUNK", 1000)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    site = _many_chapters(tmp_path / "site", 4)
    cache = tmp_path / "cache"

    def build(name: str) -> tuple[Path, int]:
        rendered = read_and_render(SiteOptions(site), Diagnostics())
        out = tmp_path / name
        return out, write_pdf(rendered, out, Diagnostics(), cache_dir=cache).renders

    first, renders = build("first.pdf")
    assert renders == 5  # each of the five chunks rendered once: no layout pass
    again, renders = build("again.pdf")
    assert renders == 0  # every chunk from the cache
    assert again.read_bytes() == first.read_bytes()

    # A sentence changed in chapter 3: its chunk alone is laid out again, once.
    _edit(site / "c3.md", "The part of chapter 3.", "The changed part of chapter 3.")
    edited, renders = build("edited.pdf")
    assert renders == 1
    assert "changed part of chapter 3" in "".join(p.extract_text()
                                                  for p in PdfReader(edited).pages)
    # A corrupt entry and a foreign one are rebuilt, never used.
    entries = sorted((cache / "pdf").glob("*.pdf"))
    assert entries
    for entry in entries[:2]:
        entry.write_bytes(b"%PDF-1.7 not what was stored")
    foreign = sorted((cache / "pdf").glob("*.json"))[-1]
    foreign.write_text(foreign.read_text().replace('"key": "', '"key": "x'))
    rebuilt, renders = build("rebuilt.pdf")
    assert 1 <= renders <= 3
    assert rebuilt.read_bytes() == edited.read_bytes()
    assert not list(cache.glob("build-*")), "a build's scratch folder was left"


def test_no_cache_keeps_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("KBBOOK_CACHE_DIR", str(cache))
    rendered = read_and_render(SiteOptions(_many_chapters(tmp_path / "site", 2)),
                               Diagnostics())
    write_pdf(rendered, tmp_path / "book.pdf", Diagnostics(), cache=False)
    assert not cache.exists()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                found.append(int(entry.name))
    return found


def _forked(pid: int) -> bool:
    """A copy of the fork server (not a program it runs while importing WeasyPrint)."""
    try:
        return b"forkserver" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _workers(pid: int) -> list[int]:
    """The processes laying out chunks: children of the fork server that `pid` started."""
    return [worker for child in _children(pid) if _forked(child)
            for worker in _children(child) if _forked(worker)]


def _state(pid: int) -> str:
    """R running, S sleeping, Z dead: '' when there is no such process."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return ""


def _start_build(site: Path, out: Path, cache: Path, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "KBBOOK_CACHE_DIR": str(cache)}
    # As from a terminal: Ctrl-C interrupts (a background job would start with it ignored).
    return subprocess.Popen([sys.executable, "-m", "kbbook", "pdf", str(site), "-o", str(out),
                             "--jobs", "2", *extra], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def _wait_for_workers(process: subprocess.Popen[str]) -> list[int]:
    deadline = time.monotonic() + 120
    seen: set[int] = set()
    while time.monotonic() < deadline and process.poll() is None:
        workers = [w for w in _workers(process.pid) if _state(w) == "R"]
        if set(workers) & seen:  # busy and still there: laying out a chunk
            return sorted(set(workers) & seen)
        seen.update(workers)
        time.sleep(0.2)
    pytest.fail("no worker started")


@pytest.mark.parametrize("how", ["killed worker", "ctrl-c"])
def test_a_stopped_build_keeps_the_older_book_and_leaves_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    site = _many_chapters(tmp_path / "site", 12)
    out = tmp_path / "out" / "book.pdf"
    out.parent.mkdir()
    out.write_bytes(b"the older book")
    cache = tmp_path / "cache"
    process = _start_build(site, out, cache, "--no-cache" if how == "ctrl-c" else "--quiet")
    workers = _wait_for_workers(process)
    if how == "killed worker":  # as the system does when memory runs out
        # The main process held still meanwhile, so the worker's chunk is still wanted.
        os.kill(process.pid, signal.SIGSTOP)
        os.kill(workers[0], signal.SIGKILL)
        os.kill(process.pid, signal.SIGCONT)
    else:
        os.kill(process.pid, signal.SIGINT)
    workers += _workers(process.pid)
    _, stderr = process.communicate(timeout=120)
    if how == "killed worker":
        assert process.returncode == 1, stderr
        assert "a PDF worker stopped" in stderr and "killed, or ran out of memory" in stderr
    else:
        assert process.returncode == 130, stderr
        assert "interrupted; no file was changed" in stderr
    assert "Traceback" not in stderr, stderr
    assert out.read_bytes() == b"the older book"
    assert sorted(p.name for p in out.parent.iterdir()) == ["book.pdf"]
    assert not list(cache.glob("build-*"))
    for worker in workers:  # every worker is gone
        assert _state(worker) in ("", "Z")


def test_the_main_process_of_a_big_chunked_print_never_loads_weasyprint(tmp_path: Path
                                                                        ) -> None:
    """Only the workers lay out, even a round of one chunk: WeasyPrint in the main process
    would be some 30 MB more while they do, on top of theirs (and a chunk laid out there
    hundreds more to the end of the build). The merge finds no other process of the build
    alive, not even the fork server the workers came from."""
    site = _many_chapters(tmp_path / "site", 3)
    script = ("import os, sys\nimport kbbook.writers.pdf as pdf\nimport kbbook.writers.pdf.merge"
              " as merge\nfrom kbbook import build_pdf\n"
              "pdf.RECYCLE_ABOVE = 0  # (a big book)\n"
              "original = merge.merge\n"
              "def merging(*args, **kwargs):\n"
              "    children = os.popen(f'ps -o args= --ppid {os.getpid()}').read()\n"
              "    print('fork server:', 'forkserver' in children)\n"
              "    return original(*args, **kwargs)\n"
              "pdf.chunked.merge = merging\n"
              f"build_pdf({str(site)!r}, {str(tmp_path / 'book.pdf')!r}, jobs=2, cache=False)\n"
              "print(sorted(m for m in sys.modules if m.split('.')[0] in "
              "('weasyprint', 'pydyf')))\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[-3:] == ["fork server: False", "[]", ""], done.stdout
    assert len(PdfReader(tmp_path / "book.pdf").pages) > 3
