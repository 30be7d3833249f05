"""Classification metrics and a confusion-matrix picture, for training reports and `test`.

Pure Python for the numbers, so the bot's process need not import scikit-learn to score a test;
matplotlib (Agg, no display) only when a picture is asked for.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .i18n import number_text, percent_text, tr

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def evaluate(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    """Accuracy, macro and weighted precision/recall/F1, per-label scores, confusion matrix.

    `precision`, `recall` and `f1` at the top level are the macro averages (kept for older
    records); `macro` and `weighted` hold both kinds under their names.

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

    def weighted(key: str) -> float:
        total = sum(int(per_label[label]["support"]) for label in order)
        return (
            sum(float(per_label[lb][key]) * int(per_label[lb]["support"]) for lb in order) / total
            if total
            else 0.0
        )

    correct = sum(matrix[i][i] for i in range(len(order)))
    return {
        "accuracy": correct / len(y_true) if y_true else 0.0,
        "correct": correct,
        "precision": macro("precision"),
        "recall": macro("recall"),
        "f1": macro("f1"),
        "macro": {key: macro(key) for key in ("precision", "recall", "f1")},
        "weighted": {key: weighted(key) for key in ("precision", "recall", "f1")},
        "n": len(y_true),
        "per_label": per_label,
        "labels": order,
        "confusion_matrix": matrix,
    }


SCORES = ("precision", "recall", "f1")


def _unseen(metrics: dict[str, Any]) -> set[str]:
    """Labels of the model that no item had and no prediction gave."""
    labels, matrix = metrics.get("labels") or [], metrics.get("confusion_matrix") or []
    if len(matrix) != len(labels):
        return set()
    return {
        label
        for i, label in enumerate(labels)
        if not sum(matrix[i]) and not sum(row[i] for row in matrix)
    }


def metrics_table(metrics: dict[str, Any]) -> str:
    """The per-label table practitioners expect (as scikit-learn's classification_report), in a
    code block so the columns line up in Discord and on a terminal."""
    per_label: dict[str, dict[str, float]] = metrics.get("per_label", {})
    width = max([12, *(len(label) for label in per_label)])
    width = min(width, 30)

    def pct(value: float) -> str:
        return f"{percent_text(value, 1):>10}"

    lines = [f"{'label':<{width}} {'precision':>10} {'recall':>10} {'F1':>10} {'support':>8}"]
    unseen = _unseen(metrics)
    for label, row in per_label.items():
        shown = label if len(label) <= width else label[: width - 1] + "…"
        # a label neither given nor predicted has no scores (the averages leave it out too)
        cells = [f"{'—':>10}"] * 3 if label in unseen else [pct(row[k]) for k in SCORES]
        lines.append(f"{shown:<{width}} {' '.join(cells)} {number_text(int(row['support'])):>8}")
    n = int(metrics.get("n", 0))
    macro = metrics.get("macro") or {k: metrics.get(k, 0.0) for k in ("precision", "recall", "f1")}
    rows = [("macro avg", macro)]
    if metrics.get("weighted"):
        rows.append(("weighted avg", metrics["weighted"]))
    for name, values in rows:
        lines.append(
            f"{name:<{width}} {pct(values['precision'])} {pct(values['recall'])} "
            f"{pct(values['f1'])} {number_text(n):>8}"
        )
    correct = metrics.get("correct")
    of = (
        " " + tr("metrics.correct_of", correct=number_text(correct), n=number_text(n))
        if correct is not None
        else " " + tr("metrics.of", n=number_text(n))
    )
    lines.append(f"{'accuracy':<{width}} {pct(metrics.get('accuracy', 0.0))}{of}")
    return "```\n" + "\n".join(lines) + "\n```\n" + tr("metrics.averages")


def confusion_matrix_png(
    matrix: Sequence[Sequence[int]], labels: Sequence[str], title: str
) -> bytes:
    """A PNG of the matrix (`confusion_matrix_figure`)."""
    buffer = io.BytesIO()
    figure = confusion_matrix_figure(matrix, labels, title)
    figure.savefig(buffer, format="png", bbox_inches="tight", pad_inches=0.2)
    return buffer.getvalue()


def confusion_matrix_figure(
    matrix: Sequence[Sequence[int]], labels: Sequence[str], title: str
) -> Figure:
    """The matrix drawn: in every cell the count and its share of the true label's row (rows:
    true label, columns: predicted), so recall per label reads along the diagonal. Its words
    and percentages are the reply's language's ("12\n96 %" in Russian)."""
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
    axes.set_xlabel(tr("matrix.predicted"))
    axes.set_ylabel(tr("matrix.true"))
    axes.set_title(f"{title}\n{tr('matrix.note')}", fontsize=10)
    highest = max((max(row) for row in matrix if row), default=0)
    font = max(6, 14 - n // 2)
    for i, row in enumerate(matrix):
        total = sum(row)
        for j, count in enumerate(row):
            # White on dark cells, black on light ones, so every count stays readable.
            colour = "white" if highest and count > highest / 2 else "black"
            share = f"\n{percent_text(count / total)}" if total else ""
            axes.text(
                j, i, f"{count}{share}", ha="center", va="center", color=colour, fontsize=font
            )
    figure.tight_layout()
    return figure
