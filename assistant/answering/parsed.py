"""A parse as plain data: the part of spaCy's ``Doc`` / ``Token`` / ``Span`` the answerer reads.

The English pipeline (``language.py``) hands the answerer this read-only copy of its parse, not
spaCy's own objects, so that the parse can come from another process: a one-shot ``assistant
ask`` loads spaCy in a helper process while it opens the index (``language_worker.py``), and the
copy crosses the pipe as JSON (``to_data`` / ``from_data``). In a server the copy is made in the
same process. Either way the answerer reads one kind of object.

What is kept: the text; per token its text, offset, lower case, lemma, part of speech (coarse and
fine), dependency label and head, entity type, a few lexical flags (``like_num``, ``is_punct``,
``is_stop``, ``is_sent_start``) and the edges of its subtree; the entities, noun chunks and
sentences. A span's ``root`` is worked out as spaCy's is (the sentence root when the span holds
it, else the token nearest the root whose head lies outside the span).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

_FIELDS = ("text", "idx", "lower", "lemma", "pos", "tag", "dep", "head", "ent", "flags",
           "left", "right")
_FLAGS = ("like_num", "is_punct", "is_stop", "is_sent_start", "is_space")


def to_data(doc: Any) -> dict[str, Any]:
    """A spaCy ``Doc`` as JSON-ready lists (what ``from_data`` reads back)."""
    tokens = [[t.text, t.idx, t.lower_, t.lemma_, t.pos_, t.tag_, t.dep_, t.head.i,
               t.ent_type_, sum(1 << n for n, f in enumerate(_FLAGS) if getattr(t, f)),
               t.left_edge.i, t.right_edge.i] for t in doc]
    return {"text": doc.text, "tokens": tokens,
            "ents": [[e.start, e.end, e.label_] for e in doc.ents],
            "chunks": [[c.start, c.end] for c in doc.noun_chunks],
            "sents": [[s.start, s.end] for s in doc.sents]}


def from_data(data: dict[str, Any]) -> Doc:
    """The :class:`Doc` of ``to_data``'s output."""
    return Doc(data)


class Token:
    """A word of the parse (spaCy's ``Token`` attributes the answerer reads)."""

    __slots__ = ("doc", "i", "text", "idx", "lower_", "lemma_", "pos_", "tag_", "dep_",
                 "_head", "ent_type_", "like_num", "is_punct", "is_stop", "is_sent_start",
                 "is_space", "_left", "_right")

    def __init__(self, doc: Doc, i: int, row: list[Any]) -> None:
        values = dict(zip(_FIELDS, row, strict=True))
        self.doc, self.i = doc, i
        self.text, self.idx = values["text"], values["idx"]
        self.lower_, self.lemma_ = values["lower"], values["lemma"]
        self.pos_, self.tag_, self.dep_ = values["pos"], values["tag"], values["dep"]
        self._head, self.ent_type_ = values["head"], values["ent"]
        self.like_num, self.is_punct, self.is_stop, self.is_sent_start, self.is_space = (
            bool(values["flags"] & (1 << n)) for n in range(len(_FLAGS)))
        self._left, self._right = values["left"], values["right"]

    @property
    def head(self) -> Token:
        return self.doc[self._head]

    @property
    def children(self) -> Iterator[Token]:
        return iter(self.doc._children[self.i])

    @property
    def lefts(self) -> Iterator[Token]:
        return (c for c in self.doc._children[self.i] if c.i < self.i)

    @property
    def rights(self) -> Iterator[Token]:
        return (c for c in self.doc._children[self.i] if c.i > self.i)

    @property
    def left_edge(self) -> Token:
        return self.doc[self._left]

    @property
    def right_edge(self) -> Token:
        return self.doc[self._right]

    def nbor(self, i: int = 1) -> Token:
        if not 0 <= self.i + i < len(self.doc):
            raise IndexError("Token index out of bounds")
        return self.doc[self.i + i]

    def __len__(self) -> int:
        return len(self.text)

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__


class Span:
    """A stretch of tokens: a slice, an entity (``label_``), a noun chunk or a sentence."""

    __slots__ = ("doc", "start", "end", "label_")

    def __init__(self, doc: Doc, start: int, end: int, label: str = "") -> None:
        self.doc, self.start, self.end, self.label_ = doc, start, end, label

    @property
    def start_char(self) -> int:
        return self.doc[self.start].idx if self.start < self.end else self._edge_char()

    @property
    def end_char(self) -> int:
        if self.start == self.end:
            return self._edge_char()
        last = self.doc[self.end - 1]
        return last.idx + len(last.text)

    def _edge_char(self) -> int:
        return self.doc[self.start].idx if self.start < len(self.doc) else len(self.doc.text)

    @property
    def text(self) -> str:
        return self.doc.text[self.start_char:self.end_char]

    @property
    def root(self) -> Token:
        """The sentence root when the span holds one, else the token with the fewest steps to the
        root among those whose head lies outside the span (the first on a tie), as spaCy's."""
        tokens = self.doc.tokens[self.start:self.end]
        for token in tokens:
            if token._head == token.i:
                return token
        best, found = len(self.doc), None
        for token in tokens:
            if self.start <= token._head < self.end:
                continue
            steps = self.doc._depth(token)
            if steps < best:
                best, found = steps, token
        return found if found is not None else self.doc[self.start]

    def as_doc(self) -> Doc:
        """The span as a parse of its own, as spaCy's ``Span.as_doc``: a head outside the span is
        replaced by the highest ancestor inside it (else the token becomes a root, one per
        sentence root outside) and labelled ``dep``; entities cut by the span's edges are dropped;
        subtrees, sentences and noun chunks are worked out again."""
        tokens = self.doc.tokens[self.start:self.end]
        inside = range(len(tokens))
        heads, deps, roots = [], [], {}
        for i, token in enumerate(tokens):
            head, dep = token._head - self.start, token.dep_
            if head not in inside:
                dep, top = "dep", head
                for ancestor in self.doc._ancestors(token):
                    top = ancestor.i - self.start
                    if top in inside:
                        head = top
                if head not in inside:  # one new root for the tokens under one outside root
                    head = roots.setdefault(top, i)
            heads.append(head)
            deps.append(dep)
        cut = {i for e in self.doc.ents if not (self.start <= e.start and e.end <= self.end)
               for i in range(e.start, e.end)}
        rows = [[t.text, t.idx - self.start_char, t.lower_, t.lemma_, t.pos_, t.tag_, dep, head,
                 "" if t.i in cut else t.ent_type_, 0, 0, 0]
                for t, dep, head in zip(tokens, deps, heads, strict=True)]
        left, right, starts = _edges(heads)
        for i, (row, token) in enumerate(zip(rows, tokens, strict=True)):
            flags = [token.like_num, token.is_punct, token.is_stop, i in starts, token.is_space]
            row[9:] = [sum(1 << n for n, f in enumerate(flags) if f), left[i], right[i]]
        ends = sorted(starts)[1:] + [len(tokens)]
        ents = [[e.start - self.start, e.end - self.start, e.label_] for e in self.doc.ents
                if self.start <= e.start and e.end <= self.end]
        tail = " " if self.doc.text[self.end_char:self.end_char + 1] == " " and tokens else ""
        doc = Doc({"text": self.text + tail, "tokens": rows, "ents": ents, "chunks": [],
                   "sents": [[a, b] for a, b in zip(sorted(starts), ends, strict=True)]})
        doc.noun_chunks = tuple(Span(doc, a, b, "NP") for a, b in noun_chunks(doc))
        return doc

    def __iter__(self) -> Iterator[Token]:
        return iter(self.doc.tokens[self.start:self.end])

    def __len__(self) -> int:
        return self.end - self.start

    def __getitem__(self, key: int | slice) -> Any:
        if isinstance(key, slice):
            start, stop, _ = key.indices(len(self))
            return Span(self.doc, self.start + start, self.start + max(start, stop))
        return self.doc.tokens[self.start:self.end][key]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Span) and other.doc is self.doc and \
            (other.start, other.end, other.label_) == (self.start, self.end, self.label_)

    def __hash__(self) -> int:
        return hash((id(self.doc), self.start, self.end, self.label_))

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__


class Doc:
    """A parsed text: its tokens, entities, noun chunks and sentences."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.text: str = data["text"]
        self.tokens = tuple(Token(self, i, row) for i, row in enumerate(data["tokens"]))
        self._children: list[list[Token]] = [[] for _ in self.tokens]
        for token in self.tokens:
            if token._head != token.i:
                self._children[token._head].append(token)
        self.ents = tuple(Span(self, s, e, label) for s, e, label in data["ents"])
        self.noun_chunks = tuple(Span(self, s, e, "NP") for s, e in data["chunks"])
        self.sents = tuple(Span(self, s, e) for s, e in data["sents"])

    def _ancestors(self, token: Token) -> Iterator[Token]:
        i, steps = token.i, 0
        while self.tokens[i]._head != i and steps < len(self.tokens):
            i, steps = self.tokens[i]._head, steps + 1
            yield self.tokens[i]

    def _depth(self, token: Token) -> int:
        """Steps from ``token`` up to its sentence root; a childless space or punctuation mark
        counts as far as can be (spaCy's rule: never a span's root if another token can be)."""
        if (token.is_space or token.is_punct) and not self._children[token.i]:
            return len(self.tokens) - 1
        i, steps = token.i, 0
        while self.tokens[i]._head != i and steps < len(self.tokens):
            i, steps = self.tokens[i]._head, steps + 1
        return steps

    def __iter__(self) -> Iterator[Token]:
        return iter(self.tokens)

    def __len__(self) -> int:
        return len(self.tokens)

    def __getitem__(self, key: int | slice) -> Any:
        if isinstance(key, slice):
            start, stop, _ = key.indices(len(self.tokens))
            return Span(self, start, max(start, stop))
        return self.tokens[key]

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__


def _edges(heads: list[int]) -> tuple[list[int], list[int], set[int]]:
    """Each token's subtree's first and last token, and where sentences start (each root's
    subtree's first token), from the heads."""
    left, right = list(range(len(heads))), list(range(len(heads)))
    for i in range(len(heads)):
        j, steps = i, 0
        while heads[j] != j and steps < len(heads):
            j, steps = heads[j], steps + 1
            left[j], right[j] = min(left[j], i), max(right[j], i)
    return left, right, {left[i] for i, h in enumerate(heads) if h == i} | ({0} if heads else set())


_CHUNK_DEPS = frozenset({"oprd", "nsubj", "dobj", "nsubjpass", "pcomp", "pobj", "dative", "appos",
                         "attr", "ROOT"})


def noun_chunks(doc: Doc) -> Iterator[tuple[int, int]]:
    """Base noun phrases from the parse: spaCy's English noun-chunk rule (``spacy/lang/en/
    syntax_iterators.py``, MIT), for a parse worked out here (``Span.as_doc``)."""
    prev_end = -1
    for word in doc:
        if word.pos_ not in {"NOUN", "PROPN", "PRON"} or word.left_edge.i <= prev_end:
            continue
        if word.dep_ in _CHUNK_DEPS:
            prev_end = word.i
            yield word.left_edge.i, word.i + 1
        elif word.dep_ == "conj":
            head = word.head
            while head.dep_ == "conj" and head.head.i < head.i:
                head = head.head
            if head.dep_ in _CHUNK_DEPS:
                prev_end = word.i
                yield word.left_edge.i, word.i + 1
