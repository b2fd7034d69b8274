"""The UI's SVG charts, without a model or a browser: what they draw, and that article text and
links cannot become markup or script."""

from __future__ import annotations

from types import SimpleNamespace

from assistant.interfaces import ui_charts
from assistant.interfaces.ui_charts import per_day_svg, timeline_list, timeline_svg
from assistant.timeline import Timeline, TimelineEntry


def entry(article_id: str, published: str | None, *, origin: str = "Reuters",
          title: str = "Port strike", url: str | None = "https://x.example/a",
          outlets: tuple[str, ...] = ("Reuters",), story: str | None = None) -> TimelineEntry:
    return TimelineEntry(article_id=article_id, title=title, published=published,
                         source=outlets[0], url=url, story_id=story or article_id, origin=origin,
                         agency=True, outlets=outlets, score=1.0)


def test_points_sit_on_their_source_row_at_their_date_linked_with_a_tooltip():
    timeline = Timeline("q", (
        entry("a", "2024-03-04", outlets=("Reuters", "Dutch Daily", "Maritime Wire")),
        entry("b", "2024-03-14", origin="AFP", url="https://x.example/b"),
    ))
    svg = timeline_svg(timeline)
    left = ui_charts.LEFT + ui_charts.PAD
    right = ui_charts.WIDTH - ui_charts.RIGHT - ui_charts.PAD
    assert f'<a class="tl-point" href="https://x.example/a"><circle cx="{left:.1f}" cy="39.0" ' \
        'r="10"' in svg
    assert f'<a class="tl-point" href="https://x.example/b"><circle cx="{right:.1f}" cy="85.0" ' \
        'r="6"' in svg
    assert "<title>2024-03-04 — Port strike (Reuters; Reuters story, carried by 3 outlets)" \
        "</title>" in svg and "×3</text>" in svg
    assert ">2024-03-04</text>" in svg and ">2024-03-14</text>" in svg


def test_article_text_and_links_cannot_inject_markup():
    hostile = entry("x", "2024-03-04", title='<script>alert(1)</script>"><img onerror=x>',
                    url="javascript:alert(1)")
    svg, links = timeline_svg(Timeline("q", (hostile,))), timeline_list(Timeline("q", (hostile,)))
    for out in (svg, links):
        assert "<script>" not in out and "<img" not in out and "javascript:" not in out
        assert "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img onerror=x&gt;" in out
    assert '<g class="tl-point">' in svg  # drawn, not linked


def test_undated_articles_are_listed_apart_and_not_drawn():
    timeline = Timeline("q", (), (entry("u", None, title="Explainer"),))
    assert timeline_svg(timeline) == ""
    assert "<strong>Undated</strong>" in timeline_list(timeline)
    assert '<span class="date">undated</span>' in timeline_list(timeline)


def test_articles_per_day_stack_by_source_and_fold_the_smallest_sources():
    rows = [SimpleNamespace(published="2024-03-04T10:00:00", source=f"S{i}") for i in range(10)]
    rows += [SimpleNamespace(published="2024-03-04", source="S0"),
             SimpleNamespace(published="2024-03-05", source=None),
             SimpleNamespace(published=None, source="S1")]
    svg = per_day_svg(rows)
    assert "<title>2024-03-04 — S0: 2 articles</title>" in svg
    # Eight sources are named (the most articles first); S8, S9 and the unknown one are folded.
    assert "<title>2024-03-04 — S7: 1 article</title>" in svg
    assert "<title>2024-03-04 — other sources: 2 articles</title>" in svg
    assert "<title>2024-03-05 — other sources: 1 article</title>" in svg
    assert "other sources (3)" in svg and "S9" not in svg and "unknown" not in svg
    assert "2 days from 2024-03-04 to 2024-03-05. 1 undated article not shown." in svg
    assert per_day_svg([]) == ""


def test_days_are_placed_by_date_and_their_labels_never_overlap():
    import re

    days = ["2024-03-01", "2024-03-02", "2024-03-31"] + [f"2024-04-{d:02d}" for d in range(1, 31)]
    svg = per_day_svg([SimpleNamespace(published=d, source="AP") for d in days])
    bars = {t: float(x) + float(w) / 2 for x, w, t in re.findall(
        r'<rect class="day-bar" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"[^>]*><title>'
        r"(\d{4}-\d\d-\d\d)", svg)}
    per_day = (bars["2024-04-30"] - bars["2024-03-01"]) / 60
    # 1 March to 2 March is one day; 2 March to 31 March, 29: spaced by time, not by bar.
    assert abs(bars["2024-03-02"] - bars["2024-03-01"] - per_day) < 0.2
    assert abs(bars["2024-03-31"] - bars["2024-03-02"] - 29 * per_day) < 0.2
    labels = [float(x) for x in re.findall(r'<text class="day-label" x="([\d.]+)"', svg)]
    assert 4 <= len(labels) <= 8 and labels == sorted(labels)
    gaps = [b - a for a, b in zip(labels, labels[1:], strict=False)]
    assert min(gaps) >= 70  # a label is about 60 px wide
    assert ">2024-03-01</text>" in svg and ">2024-04-30</text>" in svg
