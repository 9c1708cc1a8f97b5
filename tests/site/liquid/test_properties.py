"""Whatever a page holds, its Liquid never raises, every output line has an origin on a line
of the page, and a link to something unreadable is a warning on its line."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kbbook.cli import app

from liquid_util import expand, site_liquid

_PIECES = st.sampled_from([
    "{%", "%}", "{{", "}}", "{% raw %}", "{% endraw %}", "{% comment %}", "{% endcomment %}",
    "{% link a.md %}", "{% if x %}", "{% endif %}", "{% for i in (1..3) %}", "{% endfor %}",
    "{{ site.title }}", "{{ page.title | upcase }}", "{%- include inc.html -%}",
    "{% include_relative a.md %}", "{{ page.text }}", "|", "'", '"', "\n", "\n\n", " ", "x",
    "{", "}", "%", "{% highlight py %}", "{% endhighlight %}",
])


_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=4)
_HEALTH = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]


@settings(max_examples=150, deadline=None, suppress_health_check=_HEALTH)
@given(st.lists(_PIECES | _TEXT, max_size=40).map("".join))
def test_every_output_line_comes_from_a_line_of_the_page(tmp_path: Path, body: str) -> None:
    liquid, pages = site_liquid(tmp_path, {
        "page.md": "---\ntitle: T\ntext: \"one\\ntwo\"\n---\n" + body,
        "a.md": "---\n---\nA\n", "_includes/inc.html": "i1\ni2\n"})
    page = pages["page.md"]
    r = expand(liquid, page)
    text_lines = r.text.count("\n") + (0 if r.text.endswith("\n") or not r.text else 1)
    assert len(r.expanded.lines) == text_lines
    last = page.body_line + body.count("\n")
    for origin in r.expanded.lines:
        assert page.body_line <= origin.page_line <= last
        assert origin.file in ("page.md", "_includes/inc.html", "a.md")


@pytest.mark.parametrize("target", ["loop", "outside.md"])
def test_a_link_to_a_looping_or_outside_file_is_a_warning(tmp_path: Path, target: str) -> None:
    """`{% link %}` to a link that loops (or leads out of the site) reads nothing and says so
    on the tag's line; it never stops the book."""
    site = tmp_path / "site"
    site.mkdir()
    (tmp_path / "outside.txt").write_text("outside")
    (site / "loop").symlink_to(site / "loop")
    (site / "outside.md").symlink_to(tmp_path / "outside.txt")
    (site / "index.md").write_text(f"---\ntitle: Home\n---\nOne.\n\n[x]({{% link {target} %}})\n")
    result = CliRunner().invoke(app, ["check", str(site)])
    assert result.exit_code == 0, result.output
    assert f"index.md:6: warning: {{% link {target} %}} names no file of the site" in result.stdout
    assert "internal error" not in result.output
