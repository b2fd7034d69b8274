"""The typed results every stage and interface shares.

``Passage`` (a retrieved chunk), ``RetrievalResult`` (passages with what shaped them),
``Citation`` and ``Answer`` (an answer with its numbered sources), and the events of a streamed
answer: ``Delta`` (a piece of text as it arrives) then one ``Final`` (the verified Answer).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from assistant.retrieval.dates import DateRange
from assistant.retrieval.filters import Filters

if TYPE_CHECKING:
    from langchain_core.documents import Document

    from index.catalog import ArticleRow
    from index.store import StoredChunk

Mode = Literal["hybrid", "dense", "lexical"]
MODES: tuple[Mode, ...] = ("hybrid", "dense", "lexical")
# The most passages one question may read or return, at every door (CLI -k, HTTP ask and
# retrieve, gradio /ask, the UI's slider, ASSISTANT_K): more only slows the answer down.
MAX_K = 50

__all__ = [
    "ABSTAIN_TEXT", "MAX_K", "MODES", "Answer", "ArticleRow", "Citation", "Conflict", "Delta",
    "Final", "Mode", "Passage", "RetrievalResult", "Source", "StatedFigure", "Stats", "StreamEvent",
    "text_deltas",
]


def __getattr__(name: str) -> Any:
    # ArticleRow lives in the catalog (SQLAlchemy), imported only when someone asks for it.
    if name == "ArticleRow":
        from index.catalog import ArticleRow

        return ArticleRow
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


ABSTAIN_TEXT = "The indexed articles don't appear to contain an answer to this question."


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk of an article, with where it sits in the article text."""

    article_id: str
    chunk_id: str
    title: str
    url: str | None
    published: str | None
    source: str | None
    text: str
    start: int
    end: int
    score: float
    authors: tuple[str, ...] = ()
    place: str | None = None  # from the dateline: "PARIS (Reuters) - …"
    agencies: tuple[str, ...] = ()
    canonical_id: str | None = None  # set when the article near-duplicates another one

    @classmethod
    def from_stored(cls, chunk: StoredChunk) -> Passage:
        meta = chunk.metadata
        return cls(
            authors=_split(meta.get("authors")),
            place=meta.get("place"),
            agencies=_split(meta.get("agencies")),
            canonical_id=meta.get("canonical_id"),
            article_id=str(meta.get("article_id", "")),
            chunk_id=chunk.id,
            title=str(meta.get("title", "")),
            url=meta.get("url"),
            published=meta.get("published"),
            source=meta.get("source"),
            text=chunk.text,
            start=int(meta.get("start", 0)),
            end=int(meta.get("end", 0)),
            score=round(chunk.score, 4),
        )

    def to_document(self) -> Document:
        from langchain_core.documents import Document  # langchain-core: not at CLI start-up

        meta = {k: v for k, v in asdict(self).items() if k != "text"}
        return Document(page_content=self.text, metadata=meta, id=self.chunk_id)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RetrievalResult:
    """Passages for a question, with what shaped them (so a UI can show the date range used)."""

    question: str
    passages: list[Passage]
    mode: Mode
    filters: Filters
    date_range: DateRange | None = None
    date_filter_applied: bool = False
    # The date range ranked its articles first without excluding others.
    dates_preferred: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question, "mode": self.mode, "filters": self.filters.to_dict(),
            "date_range": self.date_range.to_dict() if self.date_range else None,
            "date_filter_applied": self.date_filter_applied,
            "dates_preferred": self.dates_preferred,
            "passages": [p.to_dict() for p in self.passages],
        }


@dataclass(frozen=True)
class Citation:
    """A numbered source of an answer: ``[n]`` in the answer text points here.

    ``start``/``end`` locate the cited passage in the article text; ``sentences`` locates the
    sentences of the passage that support the answer.
    """

    n: int
    article_id: str
    title: str
    url: str | None
    published: str | None
    source: str | None
    passage: str
    start: int
    end: int
    score: float
    sentences: tuple[tuple[int, int], ...] = ()
    authors: tuple[str, ...] = ()
    place: str | None = None
    agencies: tuple[str, ...] = ()
    canonical_id: str | None = None  # the story this article copies, when it is a copy

    @classmethod
    def of(
        cls, passage: Passage, *, n: int, score: float, sentences: Iterable[tuple[int, int]]
    ) -> Citation:
        """Citation ``n`` of a retrieved passage, with its supporting sentences' offsets."""
        return cls(
            n=n, article_id=passage.article_id, title=passage.title, url=passage.url,
            published=passage.published, source=passage.source, passage=passage.text,
            start=passage.start, end=passage.end, score=round(float(score), 4),
            sentences=tuple(sentences), authors=passage.authors, place=passage.place,
            agencies=passage.agencies, canonical_id=passage.canonical_id,
        )

    @property
    def story_id(self) -> str:
        """The story this citation reports: its canonical article, or itself."""
        return self.canonical_id or self.article_id

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["sentences"] = [list(s) for s in self.sentences]
        return data


@dataclass(frozen=True)
class Source:
    """One independent source: a wire agency or an outlet's own reporting, the citations
    ``[n]`` that rest on it, and the outlets that carried what is cited from it."""

    name: str
    citations: tuple[int, ...]
    outlets: tuple[str, ...] = ()
    agency: bool = False  # the name is a wire agency's (from a dateline)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["citations"] = list(self.citations)
        data["outlets"] = list(self.outlets)
        return data


def describe_sources(sources: Sequence[Source]) -> str:
    """"3 sources: Reuters, AFP, BBC" or "1 source (Reuters), carried by 4 outlets"."""
    if not sources:
        return ""
    if len(sources) == 1:
        only = sources[0]
        carried = len(only.outlets)
        if carried > 1:
            return f"1 source ({only.name}), carried by {carried} outlets"
        return f"1 source: {only.name}"
    names = ", ".join(s.name + (f" (carried by {len(s.outlets)} outlets)"
                                if len(s.outlets) > 1 else "") for s in sources)
    return f"{len(sources)} sources: {names}"


@dataclass(frozen=True)
class StatedFigure:
    """A figure as one cited report states it: "3 million journeys" in citation ``n``."""

    text: str
    n: int
    source: str | None = None
    published: str | None = None


@dataclass(frozen=True)
class Conflict:
    """Cited reports that state different figures for one fact: ``differ`` (sources disagree)
    or ``updated`` (a newer report changed it; ``figures`` newest first, the rest superseded)."""

    kind: Literal["differ", "updated"]
    figures: tuple[StatedFigure, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "figures": [asdict(f) for f in self.figures]}


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    citations: tuple[Citation, ...] = ()
    abstained: bool = False
    passages: tuple[Passage, ...] = field(default=(), repr=False)
    # The standalone question retrieval used, when a follow-up was rewritten from the history.
    rewritten_question: str | None = None
    # Sentences a backend wrote that no cited passage supports; removed from ``text``.
    unsupported: tuple[str, ...] = ()
    # The publication dates a date in the question resolved to ("last week"), and whether
    # retrieval was limited to them (it is not when no article falls in the range).
    date_range: DateRange | None = None
    date_filter_applied: bool = False
    dates_preferred: bool = False
    # Where in ``text`` the asked-for phrase is (a number, a date, a name): (start, end) offsets.
    answer_spans: tuple[tuple[int, int], ...] = ()
    # When it abstains: passages that look related to the question, shown as such (never as an
    # answer), so a "not found" still points somewhere.
    related: tuple[Passage, ...] = ()
    # "factoid", "list", "digest" (answering/forms.py) or "parts" (answering/layout.py).
    form: str = "factoid"
    # The independent sources the citations rest on (syndicated copies count once), the
    # newest publication date among the cited articles, and notes for the reader (an answer
    # to a "latest"/"now" question that rests on older articles says so).
    sources: tuple[Source, ...] = ()
    as_of: str | None = None
    notes: tuple[str, ...] = ()
    conflicts: tuple[Conflict, ...] = ()

    @property
    def sources_summary(self) -> str:
        """"3 sources: Reuters, AFP, BBC" or "1 source (Reuters), carried by 4 outlets"."""
        return describe_sources(self.sources)

    @property
    def provenance(self) -> str:
        """The sources summary and the date the answer is as of, on one line ("" if neither)."""
        return " · ".join(x for x in (self.sources_summary,
                                      f"as of {self.as_of}" if self.as_of else "") if x)

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "text": self.text,
            "abstained": self.abstained,
            "citations": [c.to_dict() for c in self.citations],
            "rewritten_question": self.rewritten_question,
            "unsupported": list(self.unsupported),
            "date_range": self.date_range.to_dict() if self.date_range else None,
            "date_filter_applied": self.date_filter_applied,
            "dates_preferred": self.dates_preferred,
            "answer_spans": [list(s) for s in self.answer_spans],
            "related": [p.to_dict() for p in self.related],
            "form": self.form,
            "sources": [s.to_dict() for s in self.sources],
            "sources_summary": self.sources_summary,
            "as_of": self.as_of,
            "notes": list(self.notes),
            "conflicts": [c.to_dict() for c in self.conflicts],
        }

    @classmethod
    def abstaining(cls, question: str, passages: Sequence[Passage] = (), *,
                   related: Sequence[Passage] = (), text: str = ABSTAIN_TEXT) -> Answer:
        """The answer that says the articles hold none (the passages are kept for display)."""
        return cls(question=question, text=text, abstained=True, passages=tuple(passages),
                   related=tuple(related))


@dataclass(frozen=True)
class Stats:
    data_dir: str
    articles: int
    chunks: int
    embedding_model: str
    embedding_dimension: int

    @classmethod
    def of(cls, catalog: Any, embeddings: Any, data_dir: object | None) -> Stats:
        """The catalog's counts and the model the vectors were made with."""
        articles, chunks = catalog.counts()
        return cls(data_dir=str(data_dir or ""), articles=articles, chunks=chunks,
                   embedding_model=embeddings.name, embedding_dimension=embeddings.dimension)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Delta:
    """A piece of the answer's text, as a streaming backend produces it."""

    text: str


@dataclass(frozen=True)
class Final:
    """The end of a stream: the complete Answer, with its verified citations."""

    answer: Answer


StreamEvent = Delta | Final


def text_deltas(text: str, *, size: int = 12) -> Iterator[Delta]:
    """Word-sized deltas (with their trailing space) of a finished text, as a streaming LLM
    would send them."""
    start = 0
    for i, ch in enumerate(text):
        if ch == " " and i + 1 - start >= size:
            yield Delta(text[start: i + 1])
            start = i + 1
    if start < len(text):
        yield Delta(text[start:])


def _split(value: object) -> tuple[str, ...]:
    """Chroma keeps scalars only: lists are stored as "a; b"."""
    if not value:
        return ()
    return tuple(part.strip() for part in str(value).split(";") if part.strip())
