# ruff: noqa: E501  (news copy is kept as published: one paragraph per line)
"""A hand-made news set for story timelines: a Reuters wire story (tests/syndicated.py) carried by
three other outlets, a Reuters update of it two days later, an AFP story on another port strike,
an undated explainer, and an unrelated hurricane story with its AP copies.

Dated 2024, far before any reference date a test uses, so a "latest" question answered from it
gets its "as of" note.
"""

from __future__ import annotations

from index.articles import Article
from tests.syndicated import (
    OTHER_PORT_STRIKE,
    PORT_STRIKE,
    PORT_STRIKE_VARIANTS,
    STORM,
    STORM_VARIANTS,
)

PORT_UPDATE = """ROTTERDAM (Reuters) - Dockworkers at the port of Rotterdam returned to work on Wednesday after the FNV union and terminal operators agreed on a job guarantee for the workers affected by automation, ending a strike that had left container ships waiting at anchor in the North Sea.

Under the deal, no dockworker will be laid off because of the new automated cranes before 2030, and every affected worker will be offered retraining on full pay, union negotiator Niek Stam said.

The port authority said the backlog of waiting ships would take about five days to clear. Shipping lines that had diverted vessels to Antwerp and Hamburg said they would return to Rotterdam from next week."""

PORT_EXPLAINER = """Why Rotterdam's dockworkers fear the automated cranes

The port of Rotterdam has been automating its container terminals for two decades. Remote-controlled cranes and driverless vehicles move boxes at the Maasvlakte terminals, and the FNV union says each new generation of machines cuts the number of dockworkers needed on a shift.

Terminal operators say automation keeps the port competitive with Antwerp and Hamburg, and that retraining can move workers into maintenance and control-room jobs."""

URL = "https://news.example/{}"


def story_articles() -> list[Article]:
    """The set, as ``Assistant.add_articles`` takes it (its order is not the timeline's)."""
    def article(slug: str, title: str, text: str, source: str, published: str | None) -> Article:
        return Article(title=title, text=text, url=URL.format(slug), source=source,
                       published=published)

    return [
        article("port-strike", "Rotterdam dockworkers strike over automation", PORT_STRIKE,
                "Reuters", "2024-03-04"),
        article("port-strike-dutch", "Port of Rotterdam halted as dockers walk out",
                PORT_STRIKE_VARIANTS["trimmed"], "Dutch Daily", "2024-03-04"),
        article("port-strike-maritime", "Ships wait at anchor as Rotterdam strike begins",
                PORT_STRIKE_VARIANTS["edited"], "Maritime Wire", "2024-03-05"),
        article("port-strike-europe", "Europe's largest port hit by dockworker walkout",
                PORT_STRIKE_VARIANTS["reordered"], "Europe Today", "2024-03-05"),
        article("port-deal", "Rotterdam dockworkers end strike after job guarantee", PORT_UPDATE,
                "Reuters", "2024-03-06"),
        article("antwerp-strike", "Antwerp port workers strike against pension reform",
                OTHER_PORT_STRIKE, "AFP", "2024-03-14"),
        article("cranes-explainer", "Why Rotterdam's dockworkers fear the automated cranes",
                PORT_EXPLAINER, "Harbour Notes", None),
        article("hurricane", "Hurricane Delia strengthens to Category 3", STORM, "AP",
                "2024-08-21"),
        article("hurricane-copy", "Delia heads for Florida", STORM_VARIANTS["edited"],
                "Sun Coast News", "2024-08-21"),
    ]
