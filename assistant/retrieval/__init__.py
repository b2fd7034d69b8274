"""Retrieval: the passages for a question.

``hybrid.HybridRetriever`` composes the stages, each in its own module: dense and lexical
candidates, ``fusion``, optional ``rerank``, ``diversity`` (MMR, duplicate collapsing, per-article
caps and merging), under ``filters`` and the ``dates`` a question names.
"""
