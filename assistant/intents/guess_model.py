"""The command guesser's learned model as plain numbers, so a start that loads it from the
cache (assistant/kept.py) never imports scikit-learn.

Loading the fitted scikit-learn pipeline imported scikit-learn and, through it, scipy.stats:
about 1.5 s of CPU at every start whose first line (or first spoken call) needed a guess,
where predicting one line takes a millisecond. `compiled` keeps what the pipeline computes
for `predict_proba` (two TF-IDF vectorizers, word 1-2-grams and char_wb n-grams, joined, then
multinomial logistic regression) as vocabularies and numpy arrays; `CompiledGuesser` computes
it the same way (tests/test_guess_model.py holds the two to the same numbers). A pipeline of
another shape is kept as it is.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Any

import numpy as np

_TOKENS = r"(?u)\b\w\w+\b"
"""scikit-learn's default `token_pattern`, the only one `compiled` takes."""
_WHITE_SPACES = re.compile(r"\s\s+")
"""How scikit-learn's char_wb analyzer folds runs of white space."""


class _Vectorizer:
    """One fitted TF-IDF vectorizer: sublinear counts, times idf, scaled to unit length."""

    def __init__(self, analyzer: str, ngram_range: tuple[int, int], vocabulary: dict[str, int],
                 idf: np.ndarray, offset: int) -> None:  # fmt: skip
        self.analyzer = analyzer
        self.ngram_range = ngram_range
        self.vocabulary = vocabulary
        self.idf = idf
        self.offset = offset
        self._tokens = re.compile(_TOKENS)

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_tokens"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._tokens = re.compile(_TOKENS)

    def terms(self, text: str) -> list[str]:
        text = text.lower()
        low, high = self.ngram_range
        if self.analyzer == "word":
            words = self._tokens.findall(text)
            return [
                " ".join(words[i : i + n])
                for n in range(low, min(high, len(words)) + 1)
                for i in range(len(words) - n + 1)
            ]
        terms = []
        for word in _WHITE_SPACES.sub(" ", text).split():
            word = f" {word} "
            for n in range(low, high + 1):
                offset = 0
                terms.append(word[offset : offset + n])
                while offset + n < len(word):
                    offset += 1
                    terms.append(word[offset : offset + n])
                if offset == 0:  # a word shorter than n is counted once
                    break
        return terms

    def add(self, text: str, row: np.ndarray) -> None:
        """Write this vectorizer's features of `text` into `row` (the joined feature row)."""
        counts = Counter(t for t in self.terms(text) if t in self.vocabulary)
        if not counts:
            return
        columns = np.fromiter((self.vocabulary[t] for t in counts), np.intp, len(counts))
        values = np.fromiter((math.log(c) + 1 for c in counts.values()), np.float64, len(counts))
        values *= self.idf[columns]
        values /= math.sqrt(float(np.dot(values, values)))
        row[self.offset + columns] = values


class CompiledGuesser:
    """`predict_proba` and `classes_` of a fitted pipeline, on numpy alone."""

    def __init__(self, vectorizers: list[_Vectorizer], coef: np.ndarray, intercept: np.ndarray,
                 classes: np.ndarray) -> None:  # fmt: skip
        self.vectorizers = vectorizers
        self.coef = coef
        self.intercept = intercept
        self.classes_ = classes

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        rows = np.zeros((len(texts), self.coef.shape[1]))
        for row, text in zip(rows, texts, strict=True):
            for vectorizer in self.vectorizers:
                vectorizer.add(text, row)
        decision = rows @ self.coef.T + self.intercept
        decision -= decision.max(axis=1, keepdims=True)
        chances = np.exp(decision)
        chances /= chances.sum(axis=1, keepdims=True)
        return chances


def compiled(pipeline: Any) -> Any:
    """`pipeline` as a `CompiledGuesser` when it has the shape `guess._learn` fits (else as
    it is)."""
    try:
        (_, union), (_, regression) = pipeline.steps
        coef, classes = regression.coef_, regression.classes_
        if union.transformer_weights is not None:
            return pipeline
        if coef.shape[0] != len(classes) or len(classes) < 3:
            return pipeline  # binary: one row of coefficients, a logistic, not a softmax
        vectorizers, offset = [], 0
        for _, part in union.transformer_list:
            if not _plain(part.get_params()):
                return pipeline
            vocabulary = {str(term): int(index) for term, index in part.vocabulary_.items()}
            vectorizers.append(_Vectorizer(part.analyzer, tuple(part.ngram_range), vocabulary,
                                           np.asarray(part.idf_, np.float64), offset))  # fmt: skip
            offset += len(vocabulary)
    except (AttributeError, TypeError, ValueError):
        return pipeline
    if offset != coef.shape[1]:
        return pipeline
    return CompiledGuesser(
        vectorizers,
        np.asarray(coef, np.float64),
        np.asarray(regression.intercept_, np.float64),
        np.asarray(classes),
    )


def _plain(params: dict[str, Any]) -> bool:
    """A vectorizer set up as `guess._learn` sets its two up (what `_Vectorizer` computes)."""
    return (
        params["analyzer"] in ("word", "char_wb")
        and params["lowercase"] is True
        and params["token_pattern"] == _TOKENS
        and params["preprocessor"] is None
        and params["tokenizer"] is None
        and params["strip_accents"] is None
        and params["stop_words"] is None
        and params["binary"] is False
        and params["use_idf"] is True
        and params["sublinear_tf"] is True
        and params["norm"] == "l2"
        and params["input"] == "content"
        and params["decode_error"] == "strict"
    )
