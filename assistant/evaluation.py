"""Classification metrics and a confusion-matrix picture, for training reports and `test`.

Pure Python for the numbers, so the bot's process need not import scikit-learn to score a test;
matplotlib (Agg, no display) only when a picture is asked for.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any


def evaluate(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    """Accuracy, macro precision/recall/F1, per-label scores and the confusion matrix.

    `labels` fixes the order of rows and columns; labels that occur in the data but not in
    `labels` are appended (sorted), so no prediction is silently dropped. Macro averages cover
    the labels that occur in `y_true` or `y_pred`; a score with a zero denominator counts as 0.
    Matrix rows are true labels, columns predicted labels.
    """
    if len(y_true) != len(y_pred):
        raise ValueError(f"{len(y_true)} true labels but {len(y_pred)} predictions")
    order = list(dict.fromkeys(labels))
    order += sorted({*y_true, *y_pred} - set(order))
    position = {label: i for i, label in enumerate(order)}
    matrix = [[0] * len(order) for _ in order]
    for true, pred in zip(y_true, y_pred, strict=True):
        matrix[position[true]][position[pred]] += 1

    per_label: dict[str, dict[str, float | int]] = {}
    for i, label in enumerate(order):
        tp = matrix[i][i]
        support = sum(matrix[i])
        predicted = sum(row[i] for row in matrix)
        precision = tp / predicted if predicted else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = {
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "support": support,
        }
    seen = [label for label in order if label in set(y_true) | set(y_pred)]

    def macro(key: str) -> float:
        return sum(float(per_label[label][key]) for label in seen) / len(seen) if seen else 0.0

    correct = sum(matrix[i][i] for i in range(len(order)))
    return {
        "accuracy": correct / len(y_true) if y_true else 0.0,
        "precision": macro("precision"),
        "recall": macro("recall"),
        "f1": macro("f1"),
        "n": len(y_true),
        "per_label": per_label,
        "labels": order,
        "confusion_matrix": matrix,
    }


def confusion_matrix_png(
    matrix: Sequence[Sequence[int]], labels: Sequence[str], title: str
) -> bytes:
    """A PNG of the matrix with the count in every cell (rows: true label, columns: predicted)."""
    # Figure + FigureCanvasAgg rather than pyplot: no global state, safe from any thread.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    n = len(labels)
    shown = [label if len(label) <= 20 else label[:19] + "…" for label in labels]
    side = min(3.0 + 0.6 * n, 14.0)
    figure = Figure(figsize=(side + 1.5, side), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    image = axes.imshow(matrix, cmap="Blues", vmin=0)
    figure.colorbar(image, ax=axes, fraction=0.046, pad=0.04)
    axes.set_xticks(range(n), shown, rotation=45 if n > 3 else 0, ha="right" if n > 3 else "center")
    axes.set_yticks(range(n), shown)
    axes.set_xlabel("Predicted label")
    axes.set_ylabel("True label")
    axes.set_title(title)
    highest = max((max(row) for row in matrix if row), default=0)
    font = max(6, 14 - n // 2)
    for i, row in enumerate(matrix):
        for j, count in enumerate(row):
            # White on dark cells, black on light ones, so every count stays readable.
            colour = "white" if highest and count > highest / 2 else "black"
            axes.text(j, i, str(count), ha="center", va="center", color=colour, fontsize=font)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight", pad_inches=0.2)
    return buffer.getvalue()
