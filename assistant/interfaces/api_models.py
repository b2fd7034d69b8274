"""The HTTP API's request and response models (the OpenAPI schema at /docs).

The library's result types (Citation, Passage, Source, Conflict, Stats, ArticleRow) double as
response schemas: one definition of each. A response model whose result has a ``to_dict`` has
exactly its keys (tests/assistant/interfaces/test_schemas.py), so a field added to a result
reaches the API, the CLI's ``--json`` and gradio_client alike.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from assistant.answering.forms import Kind
from assistant.errors import InvalidOption
from assistant.interfaces.options import (
    MAX_QUESTION_CHARS,
    URL_PATTERN,
    check_question,
    retrieval_options,
)
from assistant.results import MAX_K, Answer, ArticleRow, Citation, Conflict, Mode, Passage, Source


class ErrorOut(BaseModel):
    error: str = Field(description="What went wrong and what to do about it.")


class DateRangeOut(BaseModel):
    start: str | None
    end: str | None
    expression: str = Field(description="The words of the question it was read from.")


class AnswerOut(BaseModel):
    question: str
    text: str
    abstained: bool
    # The library's own result types double as the response schema: one definition of each.
    citations: list[Citation]
    rewritten_question: str | None = Field(
        None, description="The standalone question a follow-up was read as.")
    unsupported: list[str] = Field(
        default_factory=list, description="Sentences removed for lack of support.")
    date_range: DateRangeOut | None = Field(
        None, description="Publication dates a date in the question resolved to.")
    date_filter_applied: bool = False
    dates_preferred: bool = Field(
        False, description="The question's dates ranked that period's articles first.")
    form: Kind = Field(
        "factoid", description="One fact, several facts, a digest of stories, or the evidence "
                               "of each outlet the question names.")
    answer_spans: list[tuple[int, int]] = Field(
        default_factory=list, description="[start, end) offsets in text of the phrase asked "
                                          "for (a number, a date, a name).")
    related: list[Passage] = Field(
        default_factory=list, description="When it abstains: passages that look related, "
                                          "not an answer.")
    sources: list[Source] = Field(
        default_factory=list, description="The independent sources the citations rest on: "
        "syndicated copies of one wire story count once (outlets lists who carried it).")
    sources_summary: str = Field(
        "", description='"3 sources: Reuters, AFP, BBC" or "1 source (Reuters), carried by 4 '
                        'outlets"; empty when nothing is cited.')
    as_of: str | None = Field(
        None, description="The newest publication date among the cited articles.")
    notes: list[str] = Field(
        default_factory=list, description="Notes for the reader, e.g. that a question about "
                                          "the present rests on older news.")
    conflicts: list[Conflict] = Field(
        default_factory=list, description="Cited reports that state different figures for one "
        "fact: differ (sources disagree) or updated (a newer report changed it; newest first).")

    @classmethod
    def from_answer(cls, answer: Answer) -> AnswerOut:
        data = answer.to_dict()
        data["citations"] = list(answer.citations)
        data["related"] = list(answer.related)
        data["sources"] = list(answer.sources)
        data["conflicts"] = list(answer.conflicts)
        return cls.model_validate(data)


class RetrievalOptions(BaseModel):
    """Which passages may be used: retrieval mode and filters."""

    mode: Mode | None = Field(
        None, description="Default: the server's setting (hybrid).")
    sources: list[str] = Field(default_factory=list, max_length=20,
                               description="Only these sources (e.g. Reuters).")
    article_ids: list[str] = Field(default_factory=list, max_length=200)
    since: date | None = Field(None, description="Published on or after (YYYY-MM-DD).")
    until: date | None = Field(None, description="Published on or before (YYYY-MM-DD).")
    reference_date: date | None = Field(
        None, description='What "yesterday" or "last week" count from; default today.')

    def options(self) -> dict[str, Any]:
        """Keyword arguments of Assistant.search/ask (InvalidOption → 422)."""
        return retrieval_options(mode=self.mode, sources=self.sources,
                                 article_ids=self.article_ids, since=self.since,
                                 until=self.until, reference_date=self.reference_date)


class CitedIn(BaseModel):
    article_id: str = Field(max_length=500)


class TurnIn(BaseModel):
    role: Literal["user", "assistant"]
    content: str = Field(max_length=20_000)
    citations: list[CitedIn] = Field(
        default_factory=list, max_length=50,
        description="For an assistant turn, the citations its answer returned (only "
                    "article_id is read): a follow-up the collection answers weakly is looked "
                    "for in those articles first.")


class QuestionIn(RetrievalOptions):
    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS)

    @field_validator("question")
    @classmethod
    def _asked(cls, question: str) -> str:
        try:  # the check every door makes: not blank, not too long
            return check_question(question)
        except InvalidOption as exc:
            raise ValueError(str(exc)) from exc


class AskIn(QuestionIn):
    k: int | None = Field(None, ge=1, le=MAX_K, description="Passages to read.")
    history: list[TurnIn] = Field(
        default_factory=list, max_length=50,
        description="Earlier turns, oldest first; follow-ups are read in their context.")

    def turns(self) -> list[dict[str, str]]:
        return [t.model_dump() for t in self.history]


class RetrieveIn(QuestionIn):
    k: int | None = Field(None, ge=1, le=MAX_K, description="Passages to return.")


class FiltersOut(BaseModel):
    sources: list[str]
    article_ids: list[str]
    since: str | None
    until: str | None


class RetrieveOut(BaseModel):
    question: str
    mode: str
    filters: FiltersOut = Field(description="The filters the passages were limited by.")
    date_range: DateRangeOut | None
    date_filter_applied: bool
    dates_preferred: bool = False
    passages: list[Passage]


class UrlIn(BaseModel):
    url: str = Field(min_length=8, max_length=2000, pattern=URL_PATTERN,
                     description="A page to fetch; its article is extracted and indexed.")


class ArticleIn(BaseModel):
    title: str = Field("", max_length=1000)
    text: str = Field(min_length=1, max_length=5_000_000)
    url: str | None = Field(None, max_length=2000)
    source: str | None = Field(None, max_length=500)
    published: str | None = Field(None, max_length=40, description="A date, e.g. 2018-01-09.")
    authors: list[str] = Field(default_factory=list, max_length=50)
    metadata: dict[str, Any] = Field(default_factory=dict)


class ArticlePage(BaseModel):
    items: list[ArticleRow]
    total: int
    offset: int
    limit: int


class ReportOut(BaseModel):
    added: list[str]
    updated: list[str]
    unchanged: list[str]
    failed: list[dict[str, str]]
    chunks_embedded: int
    duplicates: list[dict[str, str]] = Field(
        default_factory=list, description="Exact copies skipped: {id, same_as}.")
    near_duplicates: list[dict[str, str]] = Field(
        default_factory=list, description="Linked syndicated copies: {id, canonical_id}.")


class DeletedOut(BaseModel):
    deleted: list[str]


class HealthOut(BaseModel):
    status: Literal["ok"]
    articles: int


class TimelineEntryOut(BaseModel):
    article_id: str
    title: str
    date: str | None = Field(description="Publication date, YYYY-MM-DD.")
    published: str | None = Field(description="Publication date as indexed (may have a time).")
    source: str | None = Field(description="The outlet that published this article.")
    url: str | None
    story_id: str = Field(description="The story (near-duplicate cluster): its canonical "
                                      "article's id, shared by syndicated copies.")
    origin: str = Field(description="The independent source: the wire agency of the dateline, "
                                    "else the outlet that published the story first.")
    agency: bool = Field(description="origin is a wire agency.")
    outlets: list[str] = Field(description="Every outlet that carried this story.")
    score: float = Field(description="Retrieval score of the article's best passage.")


class TimelineOut(BaseModel):
    query: str
    stories: int = Field(description="Distinct stories (near-duplicate clusters).")
    sources: list[str] = Field(description="Distinct independent sources.")
    entries: list[TimelineEntryOut] = Field(description="Dated articles, oldest first.")
    undated: list[TimelineEntryOut] = Field(description="Articles without a date, best first.")
