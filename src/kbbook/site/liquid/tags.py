"""Jekyll's tags for python-liquid: include, include_relative, link, post_url, highlight.

(`raw` and `comment` are python-liquid's own, and so are `if`, `unless`, `case`, `for`,
`assign`, `capture`, `increment`, `decrement`, `cycle`, `tablerow`, `ifchanged`, `break`
and `continue`.)

A tag is a `liquid.tag.Tag` with `name`, `block`, `end` and `parse(stream) -> Node`.
`stream.current` is the tag's token (its `start_index` points at the tag *name*); the
markup is the next token, whose `.value` is the raw text between the name and `%}`, so
Jekyll's own regular expressions can read it. `parse` leaves the stream on the tag's last
token.
"""

from __future__ import annotations

import re
from io import StringIO
from posixpath import dirname
from typing import Any

from liquid.ast import BlockNode, Node
from liquid.builtin.expressions import parse_primitive, tokenize
from liquid.context import RenderContext
from liquid.exceptions import LiquidSyntaxError, TemplateNotFoundError
from liquid.expression import Expression
from liquid.parser import get_parser
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.token import TOKEN_EXPRESSION, TOKEN_TAG, Token

from . import limits
from .nodes import mark_generated
from .urls import encode_path

# lib/jekyll/tags/include.rb (Jekyll 4.3; 3.10 is the same but for the file name chars)
VALID_SYNTAX = (r"""([\w-]+)\s*=\s*(?:"([^"\\]*(?:\\.[^"\\]*)*)"|'([^'\\]*(?:\\.[^'\\]*)*)'"""
                r"""|([\w.-]+))""")
VALID_SYNTAX_RE = re.compile(VALID_SYNTAX)
FULL_VALID_SYNTAX = re.compile(rf"\A\s*(?:{VALID_SYNTAX}(?=\s|\Z)\s*)*\Z")
VARIABLE_SYNTAX = re.compile(
    r"(?P<variable>[^{]*(\{\{\s*[\w\-.]+\s*(\|.*)?\}\}[^\s{}]*)+)(?P<params>.*)", re.DOTALL)


def _markup(stream: TokenStream, tag: Token, *, required: bool = True) -> Token | None:
    """The expression token after `tag` (left current), or None."""
    if stream.peek.kind == TOKEN_EXPRESSION:
        next(stream)
        return stream.current
    if required:
        raise LiquidSyntaxError(f"'{{% {tag.value} %}}' needs an argument", token=tag)
    return None


def _sub_token(markup: Token, start: int, text: str) -> Token:
    """A token for `text`, found at `start` inside `markup`'s value (for exact lines)."""
    return Token(TOKEN_EXPRESSION, text, markup.start_index + start, markup.source)


def _render_liquid(env: Any, text: str, context: RenderContext) -> str:
    """Render a small Liquid string (a tag's markup) in the current context."""
    template = env.from_string(text)
    buf = StringIO()
    template.render_with_context(context, buf, partial=True)
    return buf.getvalue()


# -- include / include_relative -------------------------------------------------------------


class IncludeNode(Node):
    __slots__ = ("file", "file_template", "params", "tag")

    def __init__(self, token: Token, tag: str, file: str, file_template: bool,
                 params: list[tuple[str, str, Any]] | None) -> None:
        super().__init__(token)
        self.tag = tag
        self.file = file
        self.file_template = file_template
        self.params = params  # None, or list of (key, kind, value-or-expression)
        self.blank = False

    def __str__(self) -> str:
        return f"{{% {self.tag} {self.file} %}}"

    def render_to_output(self, context: RenderContext, buffer: Any) -> int:
        env = context.env
        run = limits.current()
        name = (_render_liquid(env, self.file, context) if self.file_template
                else self.file)
        base = dirname(run.page_file) if run is not None else ""
        try:
            template = env.get_template(name, context=context, tag=self.tag, base=base)
        except TemplateNotFoundError as err:
            where = "_includes/" if self.tag == "include" else f"{base or 'the site'}/"
            raise TemplateNotFoundError(
                f"{{% {self.tag} {name} %}}: {err.message}"
                + (f" (looked in {where})" if "exist" in str(err.message) else ""),
                token=self.token) from None
        namespace: dict[str, object] = {}
        if self.params is not None:  # Jekyll sets include.* only when there are params
            include: dict[str, object] = {}
            for key, kind, value in self.params:
                include[key] = value.evaluate(context) if kind == "var" else value
            namespace["include"] = include
        callsite: list[tuple[int, int]] = run.callsite if run is not None else []
        callsite.append((id(self.token.source), self.token.start_index))
        try:
            if run is not None:
                for code, line, message in getattr(template, "kb_problems", ()):
                    run.warn_line(code, message, str(template.path), line)
            with context.extend(namespace, template=template):
                template.render_with_context(context, buffer, partial=True)
        finally:
            callsite.pop()
        mark_generated(buffer, self.token)  # text after the include: the tag's line again
        return 1


class IncludeTag(Tag):
    name = "include"
    block = False

    def parse(self, stream: TokenStream) -> Node:
        token = stream.current
        markup_token = _markup(stream, token)
        assert markup_token is not None
        markup = markup_token.value
        m = VARIABLE_SYNTAX.search(markup.strip())
        if m:
            file, params_text = m.group("variable").strip(), m.group("params").strip()
            dynamic = True
        else:
            parts = markup.strip().split(None, 1)
            file, params_text = parts[0], (parts[1] if len(parts) > 1 else None)
            dynamic = False
        params = None
        if params_text is not None:
            if not FULL_VALID_SYNTAX.match(params_text):
                raise LiquidSyntaxError(
                    f"invalid syntax for {self.name}: '{params_text}'; valid syntax is "
                    f"{{% {self.name} file.ext param='value' param2=\"value\" %}}",
                    token=markup_token)
            params: list[tuple[str, str, Any]] | None = []
            base = markup.find(params_text)
            for pm in VALID_SYNTAX_RE.finditer(params_text):
                assert params is not None
                key, dq, sq, var = pm.groups()
                if dq is not None:
                    params.append((key, "str", dq.replace('\\"', '"')))
                elif sq is not None:
                    params.append((key, "str", sq.replace("\\'", "'")))
                else:
                    sub = _sub_token(markup_token, base + pm.start(4), var)
                    expr: Expression = parse_primitive(self.env,
                                                       TokenStream(tokenize(var, sub)))
                    params.append((key, "var", expr))
        return IncludeNode(token, self.name, file, dynamic, params)


class IncludeRelativeTag(IncludeTag):
    name = "include_relative"


# -- link / post_url ----------------------------------------------------------------------------


class LinkNode(Node):
    __slots__ = ("dynamic", "markup")

    def __init__(self, token: Token, markup: str) -> None:
        super().__init__(token)
        self.markup = markup
        self.dynamic = "{{" in markup or "{%" in markup
        self.blank = False

    def render_to_output(self, context: RenderContext, buffer: Any) -> int:
        env = context.env
        rel = (_render_liquid(env, self.markup, context) if self.dynamic
               else self.markup).strip()
        site = env.site
        url = site.url_of_file(rel)
        if url is None:
            run = limits.current()
            if run is not None:
                run.warn("liquid-link", f"{{% link {rel} %}} names no file of the site; "
                         "the path is kept as written (Jekyll stops the build here)",
                         self.token.source, self.token.start_index)
            url = "/" + rel.lstrip("/")
        # Jekyll 4 runs the URL through relative_url (adds baseurl); Jekyll 3 does not
        out = (site.baseurl if env.jekyll_major >= 4 else "") + encode_path(url)
        mark_generated(buffer, self.token)
        return int(buffer.write(out))


class LinkTag(Tag):
    name = "link"
    block = False

    def parse(self, stream: TokenStream) -> Node:
        token = stream.current
        markup = _markup(stream, token)
        assert markup is not None
        return LinkNode(token, markup.value)


POST_NAME = re.compile(r"^(.+/)*(\d+-\d+-\d+)-(.*)$")


class PostUrlNode(LinkNode):
    __slots__ = ()

    def render_to_output(self, context: RenderContext, buffer: Any) -> int:
        env = context.env
        url = env.site.url_of_post(self.markup)
        if url is None:
            run = limits.current()
            if run is not None:
                run.warn("liquid-link", f"{{% post_url {self.markup} %}}: no such post; "
                         "nothing is inserted (Jekyll stops the build here)",
                         self.token.source, self.token.start_index)
            return 0
        out = (env.site.baseurl if env.jekyll_major >= 4 else "") + encode_path(url)
        mark_generated(buffer, self.token)
        return int(buffer.write(out))


class PostUrlTag(Tag):
    name = "post_url"
    block = False

    def parse(self, stream: TokenStream) -> Node:
        token = stream.current
        markup = _markup(stream, token)
        assert markup is not None
        name = markup.value.strip()
        if not POST_NAME.match(name.lstrip("/")):
            raise LiquidSyntaxError(f"post_url: '{name}' is not YYYY-MM-DD-title",
                                    token=markup)
        return PostUrlNode(token, name)


# -- highlight ------------------------------------------------------------------------------


HIGHLIGHT_SYNTAX = re.compile(
    r'^([a-zA-Z0-9.+#_-]+)((\s+\w+(=(\w+|"([0-9]+\s)*[0-9]+"))?)*)$')


def _indent_before(source: str, name_index: int) -> tuple[str, bool]:
    """(whitespace before the tag on its line, whether only whitespace precedes it)."""
    start = source.rfind("{%", 0, name_index + 1)
    line_start = source.rfind("\n", 0, start) + 1
    before = source[line_start:start]
    return (before if not before.strip() else ""), not before.strip()


class HighlightNode(Node):
    """Renders as a fenced code block of the Markdown source, so kbbook's highlighter
    (and markdown-it) see a normal code block; Jekyll itself emits Rouge's HTML."""

    __slots__ = ("at_line_start", "block", "end_indent", "end_token", "ends_line", "lang")

    def __init__(self, token: Token, lang: str, block: BlockNode, end_indent: str,
                 at_line_start: bool, ends_line: bool, end_token: Token) -> None:
        super().__init__(token)
        self.end_token = end_token
        self.lang = lang
        self.block = block
        self.end_indent = end_indent
        self.at_line_start = at_line_start
        self.ends_line = ends_line
        self.blank = False

    def render_to_output(self, context: RenderContext, buffer: Any) -> int:
        child = buffer.child() if hasattr(buffer, "child") else StringIO()
        self.block.render(context, child)
        code = child.getvalue()
        start = len(code) - len(code.lstrip())  # Jekyll: `super.to_s.strip`
        end = len(code.rstrip())
        longest = max((len(r) for r in re.findall(r"`+", code)), default=0)
        fence = "`" * max(3, longest + 1)
        mark_generated(buffer, self.token)
        head = ("" if self.at_line_start else "\n") + fence + self.lang + "\n"
        buffer.write(head)
        if hasattr(buffer, "splice"):
            buffer.splice(child, start, end)
        else:
            buffer.write(code[start:end])
        mark_generated(buffer, self.end_token)  # the fence is on {% endhighlight %}'s line
        # a closing fence must be alone on its line
        buffer.write("\n" + self.end_indent + fence + ("" if self.ends_line else "\n"))
        return 1


class HighlightTag(Tag):
    name = "highlight"
    end = "endhighlight"
    block = True

    def parse(self, stream: TokenStream) -> Node:
        token = stream.current
        markup = _markup(stream, token)
        assert markup is not None
        m = HIGHLIGHT_SYNTAX.match(markup.value.strip())
        if not m:
            raise LiquidSyntaxError(
                f"highlight: '{markup.value}' is not '<lang> [linenos]'", token=markup)
        next(stream)
        block: BlockNode = get_parser(self.env).parse_block(stream, (self.end,))
        stream.expect(TOKEN_TAG, value=self.end)
        source, end_at = token.source, stream.current.start_index
        end_indent, _ = _indent_before(source, end_at)
        _, at_line_start = _indent_before(source, token.start_index)
        close = source.find("%}", end_at) + 2
        eol = source.find("\n", close)
        ends_line = not source[close:eol if eol >= 0 else len(source)].strip()
        return HighlightNode(token, m.group(1).lower(), block, end_indent, at_line_start,
                             ends_line, stream.current)


JEKYLL_TAGS = (IncludeTag, IncludeRelativeTag, LinkTag, PostUrlTag, HighlightTag)
