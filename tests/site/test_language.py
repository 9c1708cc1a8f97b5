"""The book's language when `_config.yml` gives none: read from the pages."""

from __future__ import annotations

from pathlib import Path

from kbbook import Diagnostics, load_book

from sitemaker import make_site, page

GERMAN = ("Dieses Handbuch beschreibt, wie die Seiten der Wissensdatenbank zu einem Buch "
          "werden. Jede Seite wird in der Reihenfolge der Seitenleiste gelesen, und die "
          "Navigation wird durch ein Inhaltsverzeichnis ersetzt. Die Bilder werden "
          "eingebettet, und die Verweise zwischen den Seiten führen an die richtige Stelle.\n")
ENGLISH = ("This handbook describes how the pages of the knowledge base become one book. "
           "Every page is read in the order of the sidebar, and the navigation is replaced "
           "by a table of contents. Images are embedded, and links between pages lead to the "
           "right place inside the book.\n")


def _book(tmp_path: Path, config: str, body: str) -> tuple[str, list[tuple[str, str]]]:
    make_site(tmp_path, {"_config.yml": config, "index.md": page("Start", body),
                         "code.md": page("Code", "```\n" + "def x(): pass\n" * 50 + "```\n")})
    diagnostics = Diagnostics()
    book = load_book(tmp_path, diagnostics)
    return book.config.lang, [(d.path, d.message) for d in diagnostics.warnings]


def test_a_german_site_without_lang_is_a_german_book(tmp_path: Path) -> None:
    lang, warnings = _book(tmp_path, "title: Handbuch\n", GERMAN)
    assert lang == "de"
    ((path, message),) = warnings
    assert path == "_config.yml" and "lang: de" in message


def test_lang_in_config_wins(tmp_path: Path) -> None:
    assert _book(tmp_path, "title: H\nlang: de-AT\n", ENGLISH) == ("de-AT", [])


def test_an_english_site_without_lang_needs_no_word(tmp_path: Path) -> None:
    assert _book(tmp_path, "title: H\n", ENGLISH) == ("en", [])


def test_too_little_prose_is_no_guess(tmp_path: Path) -> None:
    assert _book(tmp_path, "title: H\n", "Kurz.\n") == ("en", [])


def test_a_command_lets_the_model_go_once_the_site_is_read(tmp_path: Path) -> None:
    """The model holds some 75 MB that a one-site command needs for nothing else; a watch,
    which reads the site again and again, keeps it."""
    from typer.testing import CliRunner

    from kbbook.cli import app
    from kbbook.site import language

    make_site(tmp_path, {"_config.yml": "title: Handbuch\n", "index.md": page("Start", GERMAN)})
    try:
        language._identifier()  # (loaded by an earlier reading, say)
        result = CliRunner().invoke(app, ["toc", str(tmp_path)])
        assert result.exit_code == 0, result.output
        assert language._identifier.cache_info().currsize == 0
        language.keep_model(True)
        assert _book(tmp_path, "title: Handbuch\n", GERMAN)[0] == "de"
        assert language._identifier.cache_info().currsize == 1
    finally:
        language.keep_model(True)
