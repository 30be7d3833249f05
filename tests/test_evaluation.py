"""What a model is measured with, before any job runs: metrics, the confusion matrix picture,
the train/test split and the data's fingerprint."""

from __future__ import annotations

import pytest

from assistant.evaluation import confusion_matrix_figure, confusion_matrix_png, evaluate
from assistant.i18n import speaking
from assistant.training.base import data_hash, split_examples
from tests.corpus import sentiment_examples

# -- evaluation -------------------------------------------------------------------------------


def test_evaluate_known_case() -> None:
    y_true = ["cat", "cat", "cat", "dog", "dog"]
    y_pred = ["cat", "cat", "dog", "dog", "cat"]
    m = evaluate(y_true, y_pred, ["cat", "dog"])
    assert m["accuracy"] == pytest.approx(3 / 5)
    assert m["confusion_matrix"] == [[2, 1], [1, 1]]
    assert m["per_label"]["cat"]["precision"] == pytest.approx(2 / 3)
    assert m["per_label"]["cat"]["recall"] == pytest.approx(2 / 3)
    assert m["per_label"]["dog"]["precision"] == pytest.approx(1 / 2)
    assert m["per_label"]["dog"]["f1"] == pytest.approx(1 / 2)
    assert m["per_label"]["dog"]["support"] == 2
    assert m["precision"] == pytest.approx((2 / 3 + 1 / 2) / 2)
    assert m["f1"] == pytest.approx((2 / 3 + 1 / 2) / 2)
    assert m["labels"] == ["cat", "dog"]


def test_evaluate_keeps_unexpected_predictions() -> None:
    m = evaluate(["a", "b"], ["a", "zebra"], ["a", "b"])
    assert m["labels"] == ["a", "b", "zebra"]
    assert m["confusion_matrix"] == [[1, 0, 0], [0, 0, 1], [0, 0, 0]]
    assert m["per_label"]["b"]["recall"] == 0.0


def test_confusion_matrix_png_is_a_png() -> None:
    png = confusion_matrix_png([[40, 3], [5, 52]], ["negative", "positive"], "Model v0001")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width = int.from_bytes(png[16:20], "big")
    height = int.from_bytes(png[20:24], "big")
    assert width >= 300 and height >= 250


# -- splitting and hashing --------------------------------------------------------------------


def test_split_is_stratified_and_deterministic() -> None:
    examples = sentiment_examples(100)
    train, test = split_examples(examples, 0.2, seed=3)
    assert sorted(train + test) == list(range(100))
    assert len(test) == 20
    assert sum(examples[i].label == "positive" for i in test) == 10
    assert split_examples(examples, 0.2, seed=3) == (train, test)


def test_data_hash_ignores_order() -> None:
    examples = sentiment_examples(20)
    assert data_hash(examples) == data_hash(list(reversed(examples)))
    assert data_hash(examples) != data_hash(examples[:-1])


def test_a_label_neither_given_nor_predicted_has_no_scores_in_the_table() -> None:
    """The macro average leaves such a label out; the table must not show it at 0.0%."""
    from assistant.evaluation import evaluate, metrics_table

    metrics = evaluate(["pos", "pos"], ["pos", "neg"], ["pos", "neg", "neutral"])
    rows = {line.split()[0]: line.split()[1:] for line in metrics_table(metrics).splitlines()[1:6]}
    assert rows["neutral"] == ["—", "—", "—", "0"]
    assert rows["neg"] == ["0.0%", "0.0%", "0.0%", "0"]  # predicted once, wrongly: a real 0
    assert metrics["macro"]["recall"] == 0.25  # (100% + 0%) / 2: neutral left out


def test_the_confusion_matrix_is_written_in_the_replys_language() -> None:
    """The picture's percentages were English ("93%") and its axes English words in a
    Russian server's `test`; every other percentage there reads "93 %"."""
    matrix, labels = [[40, 3], [5, 52]], ["негатив", "позитив"]
    with speaking("ru"):
        axes = confusion_matrix_figure(matrix, labels, "v0001 на отзывы").axes[0]
    assert [t.get_text() for t in axes.texts] == [
        "40\n93\u00a0%",
        "3\n7\u00a0%",
        "5\n9\u00a0%",
        "52\n91\u00a0%",
    ]
    assert (axes.get_xlabel(), axes.get_ylabel()) == ("Предсказанная метка", "Истинная метка")
    assert (
        axes.get_title()
        == "v0001 на отзывы\n(число и его доля в строке истинной метки, в процентах)"
    )
    english = confusion_matrix_figure(matrix, labels, "v0001 on reviews").axes[0]
    assert [t.get_text() for t in english.texts][:2] == ["40\n93%", "3\n7%"]
    assert english.get_xlabel() == "Predicted label"
