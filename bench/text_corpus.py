"""A harder text corpus for benchmarks: short texts whose labels overlap, with label noise.

The tests' template corpus is separable by one word, so every pipeline scores 100% on it and
it cannot choose between pipelines. Here each label prefers its own words (Zipf-distributed
over a shared vocabulary), texts mix in common words, and a share of labels is flipped, so a
good model lands well below 100% and better features show as better held-out accuracy.
"""

from __future__ import annotations

import random
from itertools import accumulate

from assistant.training.base import Example

_SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "ta", "so", "vi", "de", "pa", "go", "zu", "be", "ri"]


def _vocabulary(size: int, rng: random.Random) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 4))))
    return sorted(words)


def noisy_examples(
    n: int,
    *,
    labels: int = 4,
    seed: int = 1,
    noise: float = 0.1,
    vocabulary: int = 20_000,
    words: tuple[int, int] = (4, 14),
) -> list[Example]:
    """`n` short texts (`words` long) over `labels` labels, `noise` of them labelled at random."""
    rng = random.Random(seed)
    vocab = _vocabulary(vocabulary, rng)
    # cumulative once: `choices` with plain weights sums all of them on every call (20,000 per
    # text made 50,000 texts take over a minute); the draws are the same either way
    cum_weights = list(accumulate(1.0 / (rank + 1) for rank in range(len(vocab))))
    # each label ranks the shared vocabulary differently: its own favourite words
    orders = []
    for _ in range(labels):
        order = list(vocab)
        rng.shuffle(order)
        orders.append(order)
    names = [f"label{i}" for i in range(labels)]
    common = vocab[:200]
    examples = []
    for _ in range(n):
        label = rng.randrange(labels)
        length = rng.randint(*words)
        own = rng.choices(orders[label], cum_weights=cum_weights, k=length)
        text = [w if rng.random() < 0.6 else rng.choice(common) for w in own]
        shown = rng.randrange(labels) if rng.random() < noise else label
        examples.append(Example(" ".join(text), names[shown]))
    return examples
