"""The UI's renderers, without a browser: escaping, citation links, highlights, reports."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from assistant.interfaces.ui_render import (
    CSS,
    escape_md,
    render_answer,
    render_citation,
    render_dates,
    render_rewritten,
    report_text,
)
from assistant.results import ABSTAIN_TEXT, Answer, Citation, Source
from assistant.retrieval.dates import DateRange
from index.errors import BadArticle
from index.indexer import ReindexReport

PASSAGE = "The storm closed roads. Crews <b>worked</b> all night."
CITATION = Citation(n=1, article_id="a", title="Storm <script>x</script>",
                    url="javascript:alert(1)", published="2018-01-09", source="Herald",
                    passage=PASSAGE, start=100, end=100 + len(PASSAGE), score=0.9,
                    sentences=((124, 100 + len(PASSAGE)),), agencies=("AFP",))


def test_markdown_and_html_are_escaped():
    assert escape_md("*bold* <i>") == "\\*bold\\* &lt;i&gt;"
    html = render_citation(CITATION, "src-1")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "javascript:" not in html  # only http(s) links are kept
    assert "&lt;b&gt;worked&lt;/b&gt;" in html and "<b>" not in html


def test_a_web_address_is_shown_as_typed_without_escapes():
    # Escaped like prose, the page's autolinking showed "http://127\\.0\\.0\\.1/…".
    assert escape_md("http://127.0.0.1:9/a_b-1.html: refused, *twice*.") == \
        "`http://127.0.0.1:9/a_b-1.html`: refused, \\*twice\\*\\."
    assert escape_md("odd http://a`b.c/ end") == "odd `` http://a`b.c/ `` end"


def test_supporting_sentence_is_marked_in_the_passage():
    html = render_citation(CITATION, "src-1")
    assert "<mark>Crews &lt;b&gt;worked&lt;/b&gt; all night.</mark>" in html
    assert 'id="src-1"' in html and meta(html) == "Herald · 2018-01-09 · AFP"


def meta(html: str) -> str:
    """The text of a source's meta line (source · date · agencies · link)."""
    found = re.search(r'<span class="meta">(.*?)</span></summary>', html)
    assert found, html
    return re.sub(r"<[^>]+>", "", found.group(1))


def test_answer_links_its_citations_to_the_sources():
    answer = Answer(question="q", text="Roads closed [1] and [7].", citations=(CITATION,))
    md = render_answer(answer)
    head, sources = md.split("**Sources**")
    assert head.count('class="cite"') == 1 and "\\[7\\]" in head  # no source 7: left as text
    link = head.split('href="#')[1].split('"')[0]
    assert f'id="{link}"' in sources


def test_an_article_cited_twice_is_listed_once_with_both_passages():
    second = replace(CITATION, n=2, passage="Schools reopened on Friday.", start=300, end=327,
                     sentences=())
    other = replace(CITATION, n=3, article_id="b", title="Other story")
    answer = Answer(question="q", text="Roads closed [1]. Schools opened [2]. Also [3].",
                    citations=(CITATION, second, other))
    head, sources = render_answer(answer).split("**Sources**")
    assert sources.count("<details") == 2 and sources.count("Storm &lt;script") == 1
    assert "<strong>[1] [2] Storm" in sources and "<strong>[3] Other story" in sources
    # Each [n] still leads to its own passage, the second one inside the article's block.
    for link in re.findall(r'href="#([^"]+)"', head):
        assert f'id="{link}"' in sources
    assert re.search(r'<blockquote id="src-\w+-2">Schools reopened on Friday\.</blockquote>'
                     r"</details>", sources), sources


def test_sources_count_date_and_notes_follow_the_sources_heading():
    answer = Answer(question="q", text="Roads closed [1].", citations=(CITATION,),
                    sources=(Source("AFP", (1,), ("Herald", "Gazette"), agency=True),),
                    as_of="2018-01-09", notes=("Old *news*.",))
    head, sources = render_answer(answer).split("**Sources**")
    assert "AFP" not in head and "as of" not in head  # a follow-up never reads them as said
    assert sources.startswith(' <span class="provenance">· 1 source \\(AFP\\), carried by 2 '
                              "outlets · as of 2018\\-01\\-09</span>\n\n> ⚠️ Old \\*news\\*\\.")


def test_abstention_and_notes():
    assert render_answer(Answer(question="q", text=ABSTAIN_TEXT, abstained=True)) == \
        f"_{escape_md(ABSTAIN_TEXT)}_"
    follow = Answer(question="q", text="t", rewritten_question="Who is *she*?")
    assert render_rewritten(follow) == "_Understood as: Who is \\*she\\*?_\n\n"
    assert render_rewritten(Answer(question="q", text="t")) == ""
    dated = Answer(question="q", text="t", date_range=DateRange(date(2018, 1, 1),
                   date(2018, 1, 7), "last week"), date_filter_applied=False)
    assert "no article was published then" in render_dates(dated)
    assert "2018\\-01\\-01 – 2018\\-01\\-07" in render_dates(dated)


def test_report_text_lists_what_was_not_indexed():
    report = ReindexReport(added=("a",), chunks_embedded=3,
                           failed=(BadArticle("bad_1.json", "invalid JSON"),))
    assert report_text(report) == ("Added 1, updated 0, unchanged 0, failed 1 \\(3 chunks "
                                   "embedded\\)\n\nNot indexed:\n- bad\\_1\\.json: invalid JSON")


def test_an_agency_that_is_the_source_is_not_named_twice():
    from dataclasses import replace

    html = render_citation(replace(CITATION, source="Reuters", agencies=("Reuters", "AFP")), "s")
    assert meta(html) == "Reuters · 2018-01-09 · AFP" and html.count("Reuters") == 1
    # A source naming several agencies, or in other letters, is not followed by them again.
    for source, agencies in (("Reuters/AFP", ("Reuters", "AFP")), ("REUTERS", ("Reuters",)),
                             ("Reuters", ("reuters", "Reuters"))):
        html = render_citation(replace(CITATION, source=source, agencies=agencies), "s")
        assert meta(html) == f"{source} · 2018-01-09", meta(html)
    html = render_citation(replace(CITATION, source="Herald", agencies=("AFP", "afp")), "s")
    assert meta(html) == "Herald · 2018-01-09 · AFP"


def test_a_date_is_kept_on_one_line():
    """The date sits in a span the page's CSS keeps unbroken (a phone would split it at "-")."""
    html = render_citation(CITATION, "s")
    assert '<span class="date">2018-01-09</span>' in html
    assert ".date" in CSS and "white-space: nowrap" in CSS
