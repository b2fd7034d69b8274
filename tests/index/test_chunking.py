from __future__ import annotations

from pathlib import Path

from index import Article, chunk_article, load_file, split_sentences
from index.chunking import WHOLE_TOKENS, count_tokens

SAMPLE = Path(__file__).parents[2] / "samples" / "deneuve-letter-reuters-afp.txt"


def long_article(sentences: int = 60) -> Article:
    body = " ".join(f"Sentence number {i} tells the reader about event {i} in some detail, "
                    f"with a few more words." for i in range(sentences))
    return Article(title="Long story", text=body)


def test_offsets_point_into_the_article():
    [article] = load_file(SAMPLE)
    chunks = chunk_article(article)
    assert len(chunks) >= 2
    for c in chunks:
        assert article.text[c.start:c.end] == c.text
        assert c.id == f"{article.id}:{c.n}"


def test_chunks_hold_about_150_to_200_tokens_with_one_sentence_overlap():
    article = long_article()
    chunks = chunk_article(article)
    sizes = [count_tokens(c.text) for c in chunks]
    assert all(s <= 200 for s in sizes)
    assert all(s >= 120 for s in sizes[:-1])
    for a, b in zip(chunks, chunks[1:], strict=False):
        last = split_sentences(a.text)[-1]
        assert b.text.startswith(a.text[last[0]:last[1]])  # the overlapping sentence
        assert b.start > a.start


def test_embedded_text_carries_the_title():
    chunk = chunk_article(long_article())[1]
    assert chunk.embed_text.startswith("Long story\n") and chunk.embed_text.endswith(chunk.text)


def test_sentences_respect_abbreviations_and_quotes():
    text = ('Mr. Smith met Dr. Jones in the U.S. on Jan. 5. "It went well," he said. '
            "Then they left!\n\nA new paragraph")
    sentences = [text[s:e] for s, e in split_sentences(text)]
    assert sentences == ['Mr. Smith met Dr. Jones in the U.S. on Jan. 5.',
                         '"It went well," he said.', "Then they left!", "A new paragraph"]


def test_one_huge_sentence_is_cut_to_size():
    article = Article(title="t", text=" ".join(["word"] * 1000))
    chunks = chunk_article(article)
    assert len(chunks) == 5
    assert all(count_tokens(c.text) <= 200 for c in chunks)
    assert all(article.text[c.start:c.end] == c.text for c in chunks)


def test_short_article_is_one_chunk():
    article = Article(title="t", text="Just one sentence.")
    [chunk] = chunk_article(article)
    assert (chunk.start, chunk.end) == (0, len(article.text))


def test_a_short_article_is_one_passage_and_a_longer_one_is_cut():
    # 21 sentences of 19 tokens: 399 tokens, up to ``WHOLE_TOKENS`` (400): one passage.
    whole = long_article(21)
    assert count_tokens(whole.text) <= WHOLE_TOKENS
    [chunk] = chunk_article(whole)
    assert (chunk.start, chunk.end) == (0, len(whole.text))
    # One sentence more and it is cut at the target size, as any longer article.
    cut = chunk_article(long_article(22))
    assert len(cut) == 3 and all(count_tokens(c.text) <= 200 for c in cut)
