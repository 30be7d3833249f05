"""Text as the templates are compared with it: lower case, punctuation other than
apostrophes and name characters removed, one space between words. One sentence at a time
(`normalize`), many at once (`normalize_many`), or parts of sentences normalized once and
joined (`normalize_part`, `joined_parts`, `finish_parts`: the command guesser's examples,
intents/guess.py)."""

from __future__ import annotations

import re
from itertools import repeat

_PUNCT = re.compile(r"[^\w\s'_./-]+")
_SPACES = re.compile(r"\s+")
_SENTENCE_DOT = re.compile(r"\.+(?!\w)")


def normalize(text: str) -> str:
    """Lower case, punctuation other than apostrophes and name characters removed. A dot is
    a name character only inside a name ("data.csv"); one that ends a word ends a sentence
    ("Okay, trader. Okay, trader." is "okay trader okay trader")."""
    text = _PUNCT.sub(" ", text.lower().replace("’", "'"))
    text = _SENTENCE_DOT.sub(" ", text)
    return _SPACES.sub(" ", text).strip(" .-")


def normalize_many(texts: list[str]) -> list[str]:
    """`normalize` of each of `texts`, the same strings, in under half the CPU for many
    (the classifier reads 2.8 million template sentences, intents/guess.py): the substitutions
    run once over the texts joined by line breaks, which each keeps apart as the end of a text
    would (white space that `_PUNCT` keeps, that no dot or word runs across)."""
    joined = "\n".join(texts)
    if not texts or joined.count("\n") != len(texts) - 1:  # none, or one holds a line break
        return [normalize(text) for text in texts]
    joined = _PUNCT.sub(" ", joined.lower().replace("’", "'"))
    joined = _SENTENCE_DOT.sub(" ", joined)
    return [" ".join(line.split()).strip(" .-") for line in joined.split("\n")]


def normalize_part(text: str) -> str:
    """What `normalize` does to each character of `text` (lower case, punctuation to spaces),
    with runs of white space made one space. Parts joined (`joined_parts`) and finished
    (`finish_parts`) give what `normalize` gives for the texts joined: none of these steps
    reads a character's neighbours, and white space's length changes nothing. Not for a text
    with a capital sigma, which lower-cases by what follows it."""
    return _SPACES.sub(" ", _PUNCT.sub(" ", text.lower().replace("’", "'")))


def joined_parts(heads: list[str], tails: list[str]) -> list[str]:
    """Each of `heads` followed by each of `tails` (`normalize_part`s, in the order of
    `itertools.product`), one space where two meet."""
    bare = [tail[1:] if tail[:1] == " " else tail for tail in tails]
    return [head + tail for head in heads for tail in (bare if head[-1:] == " " else tails)]


def finish_parts(texts: list[str]) -> list[str]:
    """`normalize` of the texts that the joined `normalize_part`s in `texts` came from: the
    steps that read what comes next (a sentence's dot) or the ends."""
    joined = "\n".join(texts)
    if "." not in joined:
        return list(map(str.strip, texts, repeat(" .-", len(texts))))
    joined = _SENTENCE_DOT.sub(" ", joined)
    return [" ".join(line.split()).strip(" .-") for line in joined.split("\n")]
