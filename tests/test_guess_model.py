"""The command guesser's model is kept as plain numbers (assistant/intents/guess_model.py): a
start that loads it answers "Did you mean" with the same chances, without importing
scikit-learn (1.5 s of CPU a start)."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np

from assistant.intents.guess import _learn
from assistant.intents.guess_model import CompiledGuesser, compiled
from tests.consoles import ROOT

TAUGHT = {
    "status": ["show me the status", "what is the status", "how is the training going"],
    "train": ["train the model", "start training on movie reviews", "learn from the dataset"],
    "test": ["test the model", "how good is the model", "check the accuracy of it"],
    "help": ["what can you do", "help me", "show the commands"],
}
LINES = [
    "does the model work well for me",
    "",
    "?!",
    "a",
    "what's   the\tstatus,  please?!",
    "TRAIN THE MODEL on movie_reviews",
    "покажи статус обучения, пожалуйста",
    "déjà vu: naïve café",
    "train train train the the model model",
    "x" * 300,
    "how good how good is it",
]


def _fitted() -> object:
    texts = [text for texts in TAUGHT.values() for text in texts]
    return _learn(texts, [command for command, texts in TAUGHT.items() for _ in texts])


def test_the_kept_model_gives_the_fitted_pipelines_chances(tmp_path: Path) -> None:
    pipeline = _fitted()
    model = pickle.loads(pickle.dumps(compiled(pipeline)))  # as kept and loaded
    assert isinstance(model, CompiledGuesser)
    assert list(model.classes_) == list(pipeline.classes_)  # type: ignore[attr-defined]
    expected = pipeline.predict_proba(LINES)  # type: ignore[attr-defined]
    assert np.abs(model.predict_proba(LINES) - expected).max() < 1e-12


def test_a_kept_model_is_loaded_and_used_without_scikit_learn(tmp_path: Path) -> None:
    """In a process of its own, as a start loads it from the cache."""
    path = tmp_path / "guesser.pickle"
    path.write_bytes(pickle.dumps(compiled(_fitted())))
    program = (
        "import pickle, sys\n"
        f"model = pickle.loads(open({str(path)!r}, 'rb').read())\n"
        "chances = model.predict_proba(['what is the status'])[0]\n"
        "print(model.classes_[chances.argmax()])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'scipy')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["status", "[]"], done.stdout


def test_the_sentences_learned_from_are_normalized_as_one_line_is() -> None:
    """A cold start learns from 2.8 million template sentences; `normalize_many` reads them in
    under half the CPU that one `normalize` call each took, and must give the very strings
    (the sample, so the model and its "Did you mean", stays the same): ends of texts, dots,
    punctuation, white space of every kind, and a line break inside a text."""
    from itertools import islice

    from hassil.sample import sample_intents

    from assistant.intents.guess import _PLACEHOLDERS
    from assistant.intents.matcher import IntentMatcher
    from assistant.intents.normalize import normalize, normalize_many

    tricky = [
        *LINES,
        "Okay, trader. Okay, trader.",
        "...",
        " - .",
        "show data.csv. then",
        "it’s ΟΔΟΣ",
        "tabs\tand\u00a0no-break\u2003spaces\x1c",
        "",
        "end dot.",
        ". lead dot",
        "line\nbreak",
        "carriage\rreturn",
        "weird \u2028 separator",
    ]
    assert normalize_many(tricky) == [normalize(text) for text in tricky]
    assert normalize_many(tricky[:-3]) == [normalize(text) for text in tricky[:-3]]
    assert normalize_many([]) == []
    matcher = IntentMatcher()
    said = sample_intents(matcher.intents, slot_lists=matcher.lists_with(_PLACEHOLDERS))
    texts = [text for _, text in islice(said, 50_000)]
    assert normalize_many(texts) == [normalize(text) for text in texts]


_TEMPLATES = {
    "language": "en",
    "intents": {
        "first": {
            "data": [
                {
                    "sentences": [
                        "Okay, trader. [please] (show|SHOW!|show  ) data.csv[.] then",
                        "(pack;zip!;the  files) [.](zip|tar)  now",
                        " - lead {item} <polite> <the> end.",
                        "count {n} items[,] ok...",
                        "skip {anything} here",
                        "-[-] it’s\tall (done|finished)[!] -",
                    ],
                    "expansion_rules": {"polite": "[please|kindly,]"},
                }
            ]
        },
        "second": {"data": [{"sentences": ["<the> {item}[?]", "[.]{item}.{item}"]}]},
    },
    "lists": {
        "item": {"values": ["movie reviews", {"in": "(the|a) file[s]!", "out": "f"}, "r.txt"]},
        "n": {"range": {"from": 1, "to": 3}},
        "anything": {"wildcard": True},
    },
    "expansion_rules": {"the": "[the|a|the ]"},
}


def test_the_sentences_learned_from_are_hassils_sample_normalized() -> None:
    """`_said` joins template parts normalized once; it must give what hassil's sample of
    every sentence, each normalized, gives, in the same order: else the model's sample,
    its "Did you mean" and its kept name's meaning change. Punctuation and white space at the
    parts' ends, dots before and after a part, permutations, ranges, lists, rules, a skipped
    wildcard sentence; and the real Russian templates."""
    from hassil import Intents

    from assistant import i18n
    from assistant.intents.guess import _PLACEHOLDERS, _said, _sampled
    from assistant.intents.matcher import IntentMatcher

    intents = Intents.from_dict(_TEMPLATES)
    found = _said(intents, {})
    assert [(k, list(v)) for k, v in found.items()] == [
        (k, list(v)) for k, v in _sampled(intents, {}).items()
    ]
    assert "okay trader please show data.csv then" in found["first"]
    assert "pack zip the files zip now" in found["first"]
    assert not any("here" in said for said in found["first"])
    russian = IntentMatcher(is_word=lambda _: True, sentences=i18n.sentences_file("ru"))
    lists = russian.lists_with(_PLACEHOLDERS)
    intents = Intents.from_dict(russian.data)
    found = _said(intents, lists)
    assert sum(map(len, found.values())) > 10_000
    assert [(k, list(v)) for k, v in found.items()] == [
        (k, list(v)) for k, v in _sampled(intents, lists).items()
    ]


def test_a_capital_sigma_is_sampled_by_hassil() -> None:
    """Python lower-cases Σ by the letter after it, which may be in the next part."""
    import pytest
    from hassil import Intents

    from assistant.intents.guess import _examples, _said, _sampled, _Unsure

    templates = {"language": "el", "intents": {"x": {"data": [{"sentences": ["ΟΔΟ(Σ|ΣΑ)"]}]}}}
    intents = Intents.from_dict(templates)
    with pytest.raises(_Unsure):
        _said(intents, {})
    assert list(_sampled(intents, {})["x"]) == ["οδος", "οδοσα"]
    assert _examples(intents, {}) == (["οδος", "οδοσα"], ["x", "x"])
