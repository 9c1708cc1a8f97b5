"""The just-the-docs sidebar rules, one small site per rule, compared as outlines."""

from __future__ import annotations

from pathlib import Path

from kbbook.book import Book

from sitemaker import book_of, make_site, outline, page


def toc(book: Book) -> str:
    return str(book)


def test_numeric_nav_order_sorts_by_value(tmp_path: Path) -> None:
    make_site(tmp_path, {
        "a.md": page("Ten", nav_order=10),
        "b.md": page("Two", nav_order=2),
        "c.md": page("Minus", nav_order=-1),
        "d.md": page("Half", nav_order=2.5),
    })
    book, _ = book_of(tmp_path)
    assert toc(book) == outline("""
        Minus
        Two
        Half
        Ten
    """)


def test_string_nav_orders_follow_numbers_bytewise(tmp_path: Path) -> None:
    make_site(tmp_path, {
        "a.md": page("Lower b", nav_order='"b"'),
        "b.md": page("Upper B", nav_order='"B"'),
        "c.md": page("Quoted two", nav_order='"2"'),
        "d.md": page("Number", nav_order=100),
        "e.md": page("Date", nav_order="2024-01-02"),
    })
    book, _ = book_of(tmp_path)
    # Numbers first; then strings byte-wise: digits < uppercase < lowercase.
    assert toc(book) == outline("""
        Number
        Quoted two
        Date
        Upper B
        Lower b
    """)


def test_case_insensitive_nav_sort(tmp_path: Path) -> None:
    make_site(tmp_path, {
        "_config.yml": "nav_sort: case_insensitive\n",
        "a.md": page("apple"),
        "b.md": page("Banana"),
        "c.md": page("cherry"),
    })
    book, _ = book_of(tmp_path)
    assert toc(book) == outline("""
        apple
        Banana
        cherry
    """)


def test_case_sensitive_by_default(tmp_path: Path) -> None:
    make_site(tmp_path, {"a.md": page("apple"), "b.md": page("Banana"), "c.md": page("cherry")})
    book, _ = book_of(tmp_path)
    assert toc(book) == outline("""
        Banana
        apple
        cherry
    """)


def test_pages_without_nav_order_sort_by_title_numbers_first(tmp_path: Path) -> None:
    make_site(tmp_path, {
        "a.md": page("Zeta"),
        "b.md": page(10),
        "c.md": page(9),
        "d.md": page("Alpha"),
        "e.md": page("Ordered", nav_order=5),
    })
    book, _ = book_of(tmp_path)
    assert toc(book) == outline("""
        Ordered
        9
        10
        Alpha
        Zeta
    """)


def test_ties_follow_jekylls_order_file_name_then_folders_first(tmp_path: Path) -> None:
    """Equal keys keep Jekyll's order of site.pages: sorted by file name (not path), and
    where names repeat, a folder's subfolders before its own files (Jekyll's reader walks
    them first)."""
    make_site(tmp_path, {
        "z.md": page("First by title", nav_order=1),
        "a.md": page("Second by title", nav_order=1),
        "zulu/alpha.md": page("Tie", nav_order=2),
        "beta.md": page("Tie", nav_order=2),
        "guide/index.md": page("Same"),
        "guide/sub/index.md": page("Same"),
        "m.md": page("Same"),
    })
    book, _ = book_of(tmp_path)
    assert book.outline(paths=True) == outline("""
        Second by title  <- a.md
        First by title  <- z.md
        Tie  <- zulu/alpha.md
        Tie  <- beta.md
        Same  <- guide/sub/index.md
        Same  <- guide/index.md
        Same  <- m.md
    """)


def test_yaml_11_octal_and_leading_zero_strings(tmp_path: Path) -> None:
    make_site(tmp_path, {
        "a.md": page("Octal ten is eight", nav_order="010"),
        "b.md": page("Nine", nav_order=9),
        "c.md": page("Zero eighty is text", nav_order="080"),
        "d.md": page("Seven", nav_order=7),
    })
    book, _ = book_of(tmp_path)
    assert toc(book) == outline("""
        Seven
        Octal ten is eight
        Nine
        Zero eighty is text
    """)


def test_nav_exclude_hides_subtree_and_include_hidden_restores_it(tmp_path: Path) -> None:
    make_site(tmp_path, {
        "a.md": page("Shown", nav_order=1),
        "b.md": page("Secret", nav_order=2, nav_exclude="true"),
        "c.md": page("Under secret", parent="Secret"),
        "d.md": page("Last", nav_order=3),
    })
    book, diagnostics = book_of(tmp_path)
    assert toc(book) == outline("""
        Shown
        Last
    """)
    assert {h.page.rel for h in book.hidden} == {"b.md", "c.md"}
    assert not diagnostics.warnings  # excluded on purpose: nothing to warn about
    book, _ = book_of(tmp_path, include_hidden=True)
    assert toc(book) == outline("""
        Shown
        Secret
          Under secret
        Last
    """)


def test_has_children_false_refuses_children(tmp_path: Path) -> None:
    make_site(tmp_path, {
        "a.md": page("Leaf", has_children="false"),
        "b.md": page("Would be child", parent="Leaf"),
    })
    book, diagnostics = book_of(tmp_path)
    assert toc(book) == "Leaf"
    assert "has_children: false" in book.hidden[0].reason
    assert [d.code for d in diagnostics.warnings] == ["orphan"]


def test_grand_parent_disambiguates_duplicate_titles(tmp_path: Path) -> None:
    make_site(tmp_path, {
        "a/index.md": page("A", nav_order=1),
        "a/setup.md": page("Setup", parent="A"),
        "a/step.md": page("Step", parent="Setup", grand_parent="A"),
        "b/index.md": page("B", nav_order=2),
        "b/setup.md": page("Setup", parent="B"),
        "b/step.md": page("Other step", parent="Setup", grand_parent="B"),
    })
    book, diagnostics = book_of(tmp_path)
    assert book.outline(paths=True) == outline("""
        A  <- a/index.md
          Setup  <- a/setup.md
            Step  <- a/step.md
        B  <- b/index.md
          Setup  <- b/setup.md
            Other step  <- b/step.md
    """)
    assert not diagnostics.warnings


def test_ancestor_disambiguates_at_any_depth(tmp_path: Path) -> None:
    make_site(tmp_path, {
        "a.md": page("A", nav_order=1),
        "a1.md": page("Mid", parent="A"),
        "a2.md": page("Topic", parent="Mid", grand_parent="A"),
        "a3.md": page("Deep", parent="Topic", ancestor="A"),
        "b.md": page("B", nav_order=2),
        "b1.md": page("Mid", parent="B"),
        "b2.md": page("Topic", parent="Mid", grand_parent="B"),
        "b3.md": page("Deeper", parent="Topic", ancestor="B"),
    })
    book, _ = book_of(tmp_path)
    assert toc(book) == outline("""
        A
          Mid
            Topic
              Deep
        B
          Mid
            Topic
              Deeper
    """)


def test_top_level_node_refuses_child_naming_a_grand_parent(tmp_path: Path) -> None:
    make_site(tmp_path, {
        "a.md": page("Top"),
        "b.md": page("Child", parent="Top", grand_parent="Elsewhere"),
    })
    book, _ = book_of(tmp_path)
    assert toc(book) == "Top"
    assert "grand_parent" in book.hidden[0].reason


def test_second_level_page_is_not_also_third_level(tmp_path: Path) -> None:
    # "Guide" is a top-level title and also a child title; a page with parent: Guide and
    # no grand_parent belongs under the top-level Guide only (the theme's 3-level rule).
    make_site(tmp_path, {
        "guide.md": page("Guide", nav_order=1),
        "other.md": page("Other", nav_order=2),
        "other-guide.md": page("Guide", parent="Other"),
        "topic.md": page("Topic", parent="Guide"),
    })
    book, diagnostics = book_of(tmp_path)
    assert toc(book) == outline("""
        Guide
          Topic
        Other
          Guide
    """)
    assert not diagnostics.warnings


def test_child_nav_order_desc_reverses_children(tmp_path: Path) -> None:
    make_site(tmp_path, {
        "log.md": page("Changelog", child_nav_order="desc"),
        "v1.md": page("v1", parent="Changelog", nav_order=1),
        "v2.md": page("v2", parent="Changelog", nav_order=2),
        "v3.md": page("v3", parent="Changelog", nav_order=3),
    })
    book, _ = book_of(tmp_path)
    assert toc(book) == outline("""
        Changelog
          v3
          v2
          v1
    """)


def test_depth_is_unlimited_with_modern_rules(tmp_path: Path) -> None:
    files = {"l0.md": page("L0")}
    for i in range(1, 7):
        files[f"l{i}.md"] = page(f"L{i}", parent=f"L{i - 1}")
    make_site(tmp_path, files)
    book, _ = book_of(tmp_path)
    assert toc(book) == "\n".join("  " * i + f"L{i}" for i in range(7))


def test_legacy_rules_show_three_levels_under_has_children(tmp_path: Path) -> None:
    files = {
        "_config.yml": "remote_theme: just-the-docs/just-the-docs@v0.8.2\n",
        "a.md": page("A", nav_order=1, has_children="true"),
        "b.md": page("B", parent="A", has_children="true"),
        "c.md": page("C", parent="B", grand_parent="A"),
        "d.md": page("D", parent="C"),
        "e.md": page("E", nav_order=2),
        "f.md": page("F", parent="E"),
    }
    make_site(tmp_path, files)
    book, _ = book_of(tmp_path)
    assert book.config.nav_rules == "legacy"
    assert toc(book) == outline("""
        A
          B
            C
        E
    """)
    reasons = {h.page.rel: h.reason for h in book.hidden}
    assert set(reasons) == {"d.md", "f.md"}
    assert "before 0.10" in reasons["f.md"]
    # --nav-rules modern overrides the pinned version.
    book, _ = book_of(tmp_path, nav_rules="modern")
    assert toc(book) == outline("""
        A
          B
            C
              D
        E
          F
    """)


def test_legacy_version_pinned_in_gemfile_lock(tmp_path: Path) -> None:
    make_site(tmp_path, {
        "Gemfile.lock": "GEM\n  specs:\n    just-the-docs (0.9.0)\n      jekyll (>= 3.8.5)\n",
        "a.md": page("A"),
        "b.md": page("B", parent="A"),
    })
    book, _ = book_of(tmp_path)
    assert book.config.theme_version == (0, 9, 0)
    assert toc(book) == "A"  # no has_children: true, so no children in 0.9
    make_site(tmp_path, {"Gemfile.lock": "GEM\n  specs:\n    just-the-docs (0.10.1)\n"})
    book, _ = book_of(tmp_path)
    assert toc(book) == "A\n  B"


def test_parent_cycle_and_orphans_are_reported(tmp_path: Path) -> None:
    make_site(tmp_path, {
        "home.md": page("Home"),
        "x.md": page("X", parent="Y"),
        "y.md": page("Y", parent="Z"),
        "z.md": page("Z", parent="X"),
        "self.md": page("Self", parent="Self"),
        "lost.md": page("Lost", parent="Misspelled"),
        "untitled.md": "---\nnav_order: 3\n---\nNo heading here.\n",
    })
    book, diagnostics = book_of(tmp_path)
    assert toc(book) == "Home"
    reasons = {h.page.rel: h.reason for h in book.hidden}
    assert reasons["x.md"].startswith("its parents form a loop")
    assert reasons["self.md"] == "names itself as its parent"
    assert reasons["lost.md"] == "its parent 'Misspelled' is not the title of any page"
    assert reasons["untitled.md"] == "has no title"
    codes = sorted((d.path, d.code) for d in diagnostics.warnings)
    assert codes == [("lost.md", "orphan"), ("self.md", "parent-cycle"), ("x.md", "parent-cycle"),
                     ("y.md", "parent-cycle"), ("z.md", "parent-cycle")]


def test_duplicate_titles_place_each_page_once(tmp_path: Path) -> None:
    make_site(tmp_path, {
        "a.md": page("Twin", nav_order=1),
        "b.md": page("Twin", nav_order=2),
        "c.md": page("Child", parent="Twin"),
    })
    book, diagnostics = book_of(tmp_path)
    assert [p.rel for p in book.reading_order] == ["a.md", "c.md", "b.md"]
    assert [d.code for d in diagnostics.warnings] == ["duplicate-title"]


def test_two_hundred_levels_of_parents(tmp_path: Path) -> None:
    files = {"p0.md": page("P0")}
    for i in range(1, 200):
        files[f"p{i}.md"] = page(f"P{i}", parent=f"P{i - 1}")
    make_site(tmp_path, files)
    book, _ = book_of(tmp_path)
    assert len(book.reading_order) == 200
    assert str(book).splitlines()[-1] == "  " * 199 + "P199"


def test_an_empty_title_keeps_its_place_and_takes_no_top_level_pages(tmp_path: Path) -> None:
    """The sidebar shows a page titled "" as an empty link, in its place; the book calls it
    by its first heading. (The modern sidebar would also list every top-level page again
    under it: the book keeps each page once, in its own place.)"""
    make_site(tmp_path, {
        "a.md": page("Alpha", nav_order=1),
        "b.md": page("''", nav_order=2, body="# Its heading\n"),
        "c.md": page("Gamma", nav_order=3),
    })
    book, diagnostics = book_of(tmp_path, github_pages=False)
    assert book.outline() == "Alpha\nIts heading\nGamma"
    assert [d.code for d in diagnostics.warnings] == ["title"]
