"""One rule: text from data never reaches Markdown (or a chart's HTML) as markup.

Checked three ways: the escaping functions against a CommonMark parser (markdown-it,
the parser family Streamlit's own renderer follows), the messages and charts built
with them, and an AST check that pages and UI modules never hand Streamlit's
Markdown elements a message rendered without escaping or a data name as is.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
from pathlib import Path

import pytest
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from ilp_core import markup
from ilp_core.data.dataset import load_sample
from ilp_core.errors import IlpInputError, Message
from ilp_core.figures import _style

HOSTILE = (
    "![beacon](https://evil.example/t.png?who=me)",
    "[click](https://evil.example)",
    '=HYPERLINK("https://evil.example","click")',
    "<script>alert(1)</script>",
    '<img src="https://evil.example/x.png">',
    "https://evil.example and www.evil.example",
    "**bold** _it_ `code` # heading\n---\n> quote",
    ":material/warning: :red[red] $x^2$ <https://evil.example>",
    "&lt;a href=x&gt; &amp; \\*",
    "mailto:someone@evil.example HTTPS://EVIL.EXAMPLE/X",
)
_PARSER = MarkdownIt("commonmark")
#: GFM's autolink literals as Streamlit's renderer finds them in the decoded text
#: (mdast-util-gfm-autolink-literal's two expressions).
_GFM_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)([^ \t\r\n]*)", re.IGNORECASE)
_GFM_EMAIL = re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)")
JOINER = "\u2060"  # markup.markdown's invisible break of autolink literals


def _inline_tokens(source: str) -> list:
    tokens = _PARSER.parseInline(source)
    return [child for token in tokens for child in token.children or ()]


@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_text_reads_as_written_and_makes_no_markup(text):
    children = _inline_tokens(markup.markdown(text))
    assert {c.type for c in children} <= {"text"}, [c.type for c in children]
    shown = "".join(c.content for c in children)
    assert shown.replace(JOINER, "") == text.replace("\n", " ")
    assert not _GFM_URL.search(shown) and not _GFM_EMAIL.search(shown)  # no autolink


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"))))
def test_any_text_escaped_is_only_text(text):
    children = _inline_tokens(markup.markdown(text))
    assert {c.type for c in children} <= {"text"}
    shown = "".join(c.content for c in children)
    assert shown.replace(JOINER, "").strip() == text.replace(JOINER, "").strip()
    assert not _GFM_URL.search(shown) and not _GFM_EMAIL.search(shown)


def test_autolinks_and_streamlit_shortcodes_lose_their_trigger():
    # GFM autolinks start at "://" or "www." and Streamlit's shortcodes at ":": all escaped.
    out = markup.markdown(HOSTILE[5] + HOSTILE[7])
    assert "https://" not in out and "www." not in out and not re.search(r"(?<!\\)\$", out)
    assert "\\:red\\[" in out and "\\:material\\/" in out


def test_html_escaping_and_chart_labels():
    assert markup.html('<a href="x">') == "&lt;a href=&quot;x&quot;&gt;"
    assert markup.label("x" * 700).endswith("…") and len(markup.label("x" * 700)) == 60


def test_message_escapes_its_data_and_keeps_its_template():
    message = Message("data.classes_missing", {"offences": HOSTILE[0]})
    text = message.render("en", escape=markup.markdown)
    assert HOSTILE[0] not in text and markup.markdown(HOSTILE[0]) in text
    assert message.render("en").count(HOSTILE[0]) == 1  # the library's text is unchanged
    error = IlpInputError("ingest.mapping.column_twice", column=HOSTILE[1])
    types = {c.type for c in _inline_tokens(error.render("fr", escape=markup.markdown))}
    assert "link_open" not in types


# -- charts ---------------------------------------------------------------------------------


def test_chart_text_keeps_formatting_and_loses_links():
    text = '<a href="https://evil.example">x</a><br><b>y</b><extra></extra><IMG src=z>'
    assert _style.inert_text(text) == (
        '&lt;a href="https://evil.example">x&lt;/a><br><b>y</b><extra></extra>&lt;IMG src=z>'
    )


def test_library_charts_show_a_linked_offence_name_as_text():
    from ilp_core.analysis import temporal
    from ilp_core.figures import when

    link = '<a href="https://evil.example">Burglary</a>'
    incidents = load_sample().incidents
    incidents = incidents.assign(
        offence=incidents["offence"].astype(str).replace({"Residential burglary": link})
    )
    heat = when.hour_weekday_heatmap(temporal.hour_weekday(incidents).table, offence=link)
    spec = json.dumps(heat.to_plotly_json(), default=str)
    assert "<a href" not in spec and "&lt;a href" in spec
    result = temporal.compare_periods(
        incidents,
        (dt.date(2025, 1, 1), dt.date(2025, 3, 31)),
        (dt.date(2025, 4, 1), dt.date(2025, 6, 30)),
        by="offence",
    )
    spec = json.dumps(when.comparison_chart(result).to_plotly_json(), default=str)
    assert "<a href" not in spec and "&lt;a href" in spec


# -- pages and UI modules: no unescaped data handed to Streamlit's Markdown -------------------

#: Streamlit elements whose text is rendered as Markdown.
_MARKDOWN_ELEMENTS = {
    "markdown", "caption", "info", "warning", "error", "success", "toast",
    "title", "header", "subheader", "write",
}  # fmt: skip
#: Calls that make their text safe, or that return text written by us (catalog, numbers).
_SAFE_CALLS = {
    "tr", "plain", "as_markdown", "markdown", "label", "number", "percent", "date",
    "fmt_int", "metres", "step_text", "len", "int", "float", "round", "reminder",
    "coverage_caption", "preset_label", "criterion_label",
    "_custom_text",  # ui.priorities: escapes the names it lists
}  # fmt: skip
#: Names that hold text from data when passed as they are.
_DATA_NAMES = {
    "name", "dataset", "offence", "offences", "names", "column", "columns", "problem",
    "problems", "series", "district", "reason", "evidence", "line", "filename",
    "value", "summary", "note", "notes", "area",
}  # fmt: skip


def _call_name(node: ast.AST) -> str:
    if isinstance(node, ast.Call):
        func = node.func
        return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return ""


def _last_name(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Subscript):
        key = node.slice
        return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else ""
    return ""


#: Calls whose result is escaped whatever went in.
_ESCAPING = {"plain", "as_markdown", "markdown", "label"}


def _problems(node: ast.AST) -> list[str]:
    """Why ``node`` (the text handed to a Markdown element) may carry unescaped data."""
    name = _call_name(node)
    if name in _ESCAPING:
        return []
    found = []
    if name == "render" and not any(k.arg == "escape" for k in node.keywords):
        found.append("a message rendered without escape= (use widgets.say/as_markdown)")
    # tr, and t (ui.room: tr in the room's language): the key (even an f-string) is
    # ours; the parameters may be data
    if name in ("tr", "t"):
        for keyword in node.keywords:
            if _last_name(keyword.value) in _DATA_NAMES:
                found.append(f"tr(..., {keyword.arg}={ast.unparse(keyword.value)}) is data")
            found += _problems(keyword.value)
        return found
    if isinstance(node, ast.FormattedValue):
        value = node.value
        if not (isinstance(value, ast.Constant) or _call_name(value) in _SAFE_CALLS):
            found.append(f"f-string value {ast.unparse(value)!r} is not escaped")
    for child in ast.iter_child_nodes(node):
        found += _problems(child)
    return found


def _markdown_calls(tree: ast.AST):
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _MARKDOWN_ELEMENTS
            and node.args
        ):
            yield node


def _sources() -> list[Path]:
    return sorted((ROOT / "pages").glob("*.py")) + sorted((ROOT / "ui").glob("*.py"))


def test_pages_never_pass_unescaped_data_to_markdown():
    wrong = []
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in _markdown_calls(tree):
            for problem in _problems(call.args[0]):
                wrong.append(f"{path.relative_to(ROOT)}:{call.lineno}: {problem}")
    assert not wrong, "\n".join(wrong)


def test_the_check_catches_the_mistakes_it_is_for():
    bad = (
        'st.warning(message.render(lang()))\n'
        'st.success(tr("strategy.restored", dataset=st.session_state["dataset"]))\n'
        'st.markdown(f"- {line}")\n'
        'left.markdown(f"**{spec[\'name\']}**: {text}")\n'
    )  # fmt: skip
    found = [p for call in _markdown_calls(ast.parse(bad)) for p in _problems(call.args[0])]
    assert len(found) == 5, found
    good = (
        'st.warning(message.render(lang(), escape=markup.markdown))\nst.markdown(f"- {plain(x)}")'
    )
    assert not [p for c in _markdown_calls(ast.parse(good)) for p in _problems(c.args[0])]


def test_say_is_the_path_of_messages_with_data():
    text = (ROOT / "ui" / "widgets.py").read_text(encoding="utf-8")
    assert re.search(r"def say\(", text) and re.search(r"def as_markdown\(", text)
