"""Small labelled text corpora generated from word templates with a fixed seed: the one source
of generated training and test text for every test."""

from __future__ import annotations

import random
from pathlib import Path

from assistant.training.base import Example

SUBJECTS = [
    "the film",
    "this phone",
    "our hotel",
    "the service",
    "my new laptop",
    "the meal",
    "that concert",
    "the update",
    "this book",
    "the staff",
    "the story",
    "the plot",
]
ADJECTIVES = {
    "positive": [
        "wonderful",
        "excellent",
        "great",
        "delightful",
        "superb",
        "fantastic",
        "lovely",
        "brilliant",
        "pleasant",
        "amazing",
        "charming",
    ],
    "negative": [
        "terrible",
        "awful",
        "horrible",
        "dreadful",
        "disappointing",
        "poor",
        "broken",
        "useless",
        "annoying",
        "miserable",
        "dull",
        "tedious",
    ],
}
TEMPLATES = [
    "{s} was {a}",
    "honestly {s} is {a}",
    "I think {s} was really {a}",
    "{s} felt {a} today",
    "everyone said {s} is {a}",
    "{s} turned out {a} again",
    "what a {a} time, {s} was {b}",
]


def sentences(label: str, count: int, seed: int = 7) -> list[str]:
    """`count` sentences of one label ("positive" or "negative")."""
    rng = random.Random(f"{seed}-{label}")
    words = ADJECTIVES[label]
    return [
        rng.choice(TEMPLATES).format(
            s=rng.choice(SUBJECTS), a=rng.choice(words), b=rng.choice(words)
        )
        for _ in range(count)
    ]


def sentiment_examples(n: int = 300, seed: int = 7) -> list[Example]:
    """`n` examples, alternating positive and negative."""
    pos, neg = sentences("positive", (n + 1) // 2, seed), sentences("negative", n // 2, seed)
    mixed = [Example(t, "positive") for t in pos] + [Example(t, "negative") for t in neg]
    rng = random.Random(seed)
    rng.shuffle(mixed)
    return mixed


def write_folder_dataset(root: Path, name: str = "reviews", per_label: int = 150) -> Path:
    """`root/name/positive/N.txt` and `root/name/negative/N.txt`, one sentence per file."""
    for label in ("positive", "negative"):
        folder = root / name / label
        folder.mkdir(parents=True, exist_ok=True)
        for index, sentence in enumerate(sentences(label, per_label)):
            (folder / f"{index:04d}.txt").write_text(sentence, encoding="utf-8")
    return root / name
