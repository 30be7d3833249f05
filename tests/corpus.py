"""Small labelled text corpora generated from word templates, with a fixed seed."""

from __future__ import annotations

import random
from pathlib import Path

POSITIVE_WORDS = ["great", "lovely", "wonderful", "excellent", "brilliant", "superb", "charming"]
NEGATIVE_WORDS = ["awful", "boring", "terrible", "dull", "dreadful", "horrible", "tedious"]
NOUNS = ["film", "story", "acting", "plot", "ending", "music", "cast", "script", "pacing"]
FRAMES = [
    "a {a} {n} and a {b} {m}",
    "the {n} was {a} and the {m} {b}",
    "what a {a} {n}",
    "i found the {n} {a}, honestly {b}",
    "{a} {n}, {b} {m}",
]


def sentences(label: str, count: int, seed: int = 7) -> list[str]:
    words = POSITIVE_WORDS if label == "positive" else NEGATIVE_WORDS
    rng = random.Random(f"{seed}-{label}")
    return [
        rng.choice(FRAMES).format(
            a=rng.choice(words), b=rng.choice(words), n=rng.choice(NOUNS), m=rng.choice(NOUNS)
        )
        for _ in range(count)
    ]


def write_folder_dataset(root: Path, name: str = "reviews", per_label: int = 150) -> Path:
    """`root/name/positive/N.txt` and `root/name/negative/N.txt`, one sentence per file."""
    for label in ("positive", "negative"):
        folder = root / name / label
        folder.mkdir(parents=True, exist_ok=True)
        for index, sentence in enumerate(sentences(label, per_label)):
            (folder / f"{index:04d}.txt").write_text(sentence, encoding="utf-8")
    return root / name
