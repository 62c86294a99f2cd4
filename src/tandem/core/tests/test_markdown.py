from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.utils.safestring import SafeString
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.core.markdown import MAX_INPUT_CHARS, render_markdown
from tandem.core.tests.hostile_markdown import HOSTILE_MARKDOWN
from tandem.core.text import strip_invisible_characters

# Written out again rather than imported, so widening the renderer's allow-list fails a test.
ALLOWED_TAGS = {
    "p", "br", "strong", "em", "del", "blockquote", "ul", "ol", "li", "code", "pre",
    "h3", "h4", "h5", "a", "hr", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "rel"}, "ol": {"start"}}
SAFE_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"
INVISIBLE = re.compile("[\u202a-\u202e\u2066-\u2069\u200b-\u200d\ufeff]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_C0_AND_SPACE = "".join(chr(code) for code in range(0x21))


def url_scheme(href: str) -> str | None:
    """Return the scheme a browser would see in ``href``, or None for a relative URL."""
    # The WHATWG URL parser strips outer C0 controls and spaces and drops tabs and newlines
    # anywhere, which is how "jav\tascript:" still runs script in a browser.
    cleaned = re.sub(r"[\t\n\r]", "", href.strip(_C0_AND_SPACE))
    match = _SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


class MarkupAudit(HTMLParser):
    """Collect every way an HTML fragment steps outside the allow-list."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.tags: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
        allowed = ALLOWED_ATTRIBUTES.get(tag, set())
        names = {name for name, _ in attrs}
        for name, value in attrs:
            if name not in allowed or name.startswith("on") or name == "style":
                self.problems.append(f"attribute {name} on <{tag}>")
            if name == "href":
                href = value or ""
                self.hrefs.append(href)
                scheme = url_scheme(href)
                if scheme is not None and scheme not in SAFE_SCHEMES:
                    self.problems.append(f"href scheme {scheme!r}")
            if name == "rel" and value != LINK_REL:
                self.problems.append(f"rel {value!r}")
        if tag == "a" and "rel" not in names:
            self.problems.append("link without rel")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"end tag </{tag}>")

    def handle_comment(self, data: str) -> None:
        self.problems.append("comment")

    def handle_decl(self, decl: str) -> None:
        self.problems.append("declaration")

    def handle_pi(self, data: str) -> None:
        self.problems.append("processing instruction")

    def unknown_decl(self, data: str) -> None:
        self.problems.append("unknown declaration")


def audit(html: str) -> MarkupAudit:
    checker = MarkupAudit()
    checker.feed(html)
    checker.close()
    return checker


def assert_harmless(html: str) -> None:
    result = audit(html)
    assert result.problems == []
    assert "img" not in result.tags
    assert not INVISIBLE.search(html)


@pytest.mark.parametrize(
    "text", [text for _, text in HOSTILE_MARKDOWN], ids=[name for name, _ in HOSTILE_MARKDOWN]
)
def test_hostile_input_renders_without_executable_markup(text: str) -> None:
    assert_harmless(render_markdown(text))


def test_hostile_corpus_is_large_and_uniquely_named() -> None:
    names = [name for name, _ in HOSTILE_MARKDOWN]
    assert len(names) >= 50
    assert len(set(names)) == len(names)


def test_the_audit_itself_catches_executable_markup() -> None:
    # Guards the guard: a checker that saw nothing would pass every hostile case.
    assert audit('<a href="jav\tascript:alert(1)" rel="nofollow ugc noopener">x</a>').problems
    assert audit("<img src=x onerror=alert(1)>").problems
    assert audit('<p style="color:red">x</p>').problems
    assert audit("<script>alert(1)</script>").problems
    assert audit('<a href="https://ok.example">x</a>').problems == ["link without rel"]


def test_raw_html_is_shown_as_text() -> None:
    html = render_markdown("Hello <script>alert(1)</script>")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html


@pytest.mark.parametrize(
    "text",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](jav&#x09;ascript:alert(1))",
        "[click](vbscript:msgbox(1))",
        "[click](data:text/html,x)",
    ],
)
def test_dangerous_link_never_gets_a_scriptable_href(text: str) -> None:
    hrefs = audit(render_markdown(text)).hrefs
    assert all(url_scheme(href) is None for href in hrefs)


def test_result_is_a_safe_string() -> None:
    assert isinstance(render_markdown("hi"), SafeString)


def test_emphasis_strong_and_strikethrough() -> None:
    html = render_markdown("*soft* **loud** ~~gone~~")
    assert "<em>soft</em>" in html
    assert "<strong>loud</strong>" in html
    assert "<del>gone</del>" in html


def test_lists_keep_their_start_number() -> None:
    html = render_markdown("- one\n- two\n\n3. three\n4. four\n")
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    assert '<ol start="3">' in html


def test_links_get_rel_and_keep_title() -> None:
    html = render_markdown('[help](https://help.example/ "Help page")')
    assert html == (
        '<p><a href="https://help.example/" title="Help page" rel="nofollow ugc noopener">'
        "help</a></p>\n"
    )


def test_mailto_and_relative_links_are_kept() -> None:
    html = render_markdown("[mail](mailto:team@tandem.example) [page](/forum/topics/1/)")
    assert 'href="mailto:team@tandem.example"' in html
    assert 'href="/forum/topics/1/"' in html


def test_headings_are_demoted_below_the_page_heading() -> None:
    html = render_markdown("# One\n## Two\n### Three\n#### Four\n###### Six\nSetext\n===\n")
    assert "<h3>One</h3>" in html
    assert "<h4>Two</h4>" in html
    assert "<h5>Three</h5>" in html
    assert "<h5>Four</h5>" in html
    assert "<h5>Six</h5>" in html
    assert "<h3>Setext</h3>" in html
    assert not re.search(r"<h[126]", html)


def test_image_becomes_a_link_labelled_with_its_alt_text() -> None:
    html = render_markdown('![a *calm* lake](https://photos.example/lake.jpg "Lake")')
    assert "<img" not in html
    assert (
        '<a href="https://photos.example/lake.jpg" title="Lake" rel="nofollow ugc noopener">'
        "a calm lake</a>"
    ) in html


def test_image_without_alt_text_is_labelled_with_its_address() -> None:
    html = render_markdown("![](https://photos.example/lake.jpg)")
    assert ">https://photos.example/lake.jpg</a>" in html


def test_image_inside_a_link_becomes_plain_alt_text() -> None:
    html = render_markdown("[![badge](https://img.example/b.png)](https://site.example/)")
    assert html == '<p><a href="https://site.example/" rel="nofollow ugc noopener">badge</a></p>\n'


def test_data_image_link_loses_its_href() -> None:
    html = render_markdown("![dot](data:image/png;base64,iVBORw0KGgo=)")
    assert "data:" not in html
    assert "dot" in html


def test_tables_render_without_alignment_styles() -> None:
    html = render_markdown("| a | b |\n|:--|--:|\n| 1 | 2 |\n")
    assert "<table>" in html
    assert "<th>a</th>" in html
    assert "<td>2</td>" in html
    assert "style" not in html


def test_code_is_escaped() -> None:
    html = render_markdown("```html\n<b>x</b>\n```\n\nand `<i>`")
    assert "<pre><code>&lt;b&gt;x&lt;/b&gt;\n</code></pre>" in html
    assert "<code>&lt;i&gt;</code>" in html


def test_invisible_characters_are_removed() -> None:
    text = "a\u202eb\u2066c\u2069d\u200be\u200df\ufeffg"
    assert strip_invisible_characters(text) == "abcdefg"
    assert render_markdown(text) == "<p>abcdefg</p>\n"


def test_right_to_left_text_itself_is_kept() -> None:
    assert "שלום" in render_markdown("שלום")


def test_long_input_is_cut_with_a_note() -> None:
    html = render_markdown("word " * 40_000)
    assert "too long to show in full" in html
    assert html.count("word") <= MAX_INPUT_CHARS // len("word ") + 1


def test_input_at_the_limit_is_not_cut() -> None:
    html = render_markdown("a" * MAX_INPUT_CHARS)
    assert "too long" not in html


def test_deep_nesting_is_cut_off_rather_than_recursing() -> None:
    html = render_markdown(">" * 10_000 + " deep")
    assert html.count("<blockquote>") <= 20


def test_realistic_post_of_the_maximum_size_renders() -> None:
    paragraph = "I *tried* the [breathing exercise](https://help.example/) again today.\n\n"
    text = (paragraph * (MAX_INPUT_CHARS // len(paragraph) + 1))[:MAX_INPUT_CHARS]
    html = render_markdown(text)
    assert html.count("<em>tried</em>") > 1000


_FRAGMENTS = [
    "<script>", "</script>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>",
    "javascript:", "JaVaScRiPt:", "jav&#x09;ascript:", "data:text/html,", "vbscript:",
    "[", "]", "(", ")", "![", "](", "<", ">", "&", "&#", "x3A;", "#", "*", "_", "`", "~~",
    "|", "-", ">", "\n", "\n\n", " ", "\t", '"', "'", "=", "on", "style=", "<a href=",
    "https://ok.example", "mailto:", "\u202e", "\u200b", "\ufeff", "1. ", "- ", "```",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS) | st.text(max_size=8), max_size=60).map("".join))
def test_random_markdown_never_yields_disallowed_markup(text: str) -> None:
    assert_harmless(render_markdown(text))


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_random_unicode_never_yields_disallowed_markup(text: str) -> None:
    assert_harmless(render_markdown(text))


def test_mentions_become_links_outside_links_and_code_longest_name_first() -> None:
    html = render_markdown(
        "@ann lee, @Ann; `@Ann` [@Ann](https://example.org) ann@Ann @Annie",
        mentions={"ann": "/p/1/", "ann lee": "/p/2/"},
    )
    assert '<a href="/p/2/" class="mention" rel="nofollow ugc noopener">@ann lee</a>' in html
    assert '<a href="/p/1/" class="mention" rel="nofollow ugc noopener">@Ann</a>;' in html
    assert html.count('class="mention"') == 2
    assert "<code>@Ann</code>" in html
    assert "ann@Ann @Annie" in html


def test_a_mention_address_passes_the_sanitiser() -> None:
    html = render_markdown("@Ann", mentions={"ann": "javascript:alert(1)"})
    assert "javascript" not in html
