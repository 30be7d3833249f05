"""`python bot.py diagram out.png`: the conversation machine as an image.

The DOT source is written here from the machine's own states and transitions (no pydot needed)
and rendered by Graphviz `dot` (Debian package `graphviz`). Without `dot`, a simpler circular
layout is drawn with matplotlib, so the command always produces an image.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

from statemachine.callbacks import CallbackGroup

from assistant import i18n
from assistant.errors import PathRefused

from .conversation import Conversation

_COLOURS = {
    "idle": "#e8e8e8",
    "listening": "#cde8ff",
    "transcribing": "#fff1c2",
    "acting": "#ffd9b3",
    "speaking": "#d4f5d4",
}


def edges() -> list[tuple[str, str, str]]:
    """(source, target, label) for every transition; labels show the event and its guards."""
    out: list[tuple[str, str, str]] = []
    for state in Conversation.states:
        for t in state.transitions:
            names = [str(e) for e in t.events if "." not in str(e)]  # skip SCXML dotted aliases
            event = " ".join(names) or "(when free)"
            # is_current (drop late results of an abandoned stage) guards every stage result;
            # the title says so instead of every label.
            guards = [
                str(s)
                for s in t.cond.list
                if s.group == CallbackGroup.COND and str(s) != "is_current"
            ]
            label = event + (f" [{' & '.join(guards)}]" if guards else "")
            out.append((t.source.id, t.target.id, label))
    return out


def dot_source() -> str:
    merged: dict[tuple[str, str], list[str]] = defaultdict(list)
    for source, target, label in edges():
        merged[(source, target)].append(label)
    lines = [
        "digraph Conversation {",
        '  rankdir=LR; nodesep=0.6; ranksep=1.1; fontname="Helvetica";',
        '  label="Trainer: the conversation of one guild (states/conversation.py). '
        "Stage results (transcript_ready, action_done, playback_done, error, timeout) "
        'count only for the state entry that started them."; labelloc=t;',
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=12];',
        '  edge [fontname="Helvetica", fontsize=8];',
        "  start [shape=point, width=0.15]; start -> idle;",
    ]
    for state in Conversation.states:
        lines.append(f'  {state.id} [fillcolor="{_COLOURS.get(state.id, "#ffffff")}"];')
    for (source, target), labels in merged.items():
        joined = "\\n".join(labels)
        lines.append(f'  {source} -> {target} [label="{joined}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


FORMATS = ("png", "svg", "pdf", "dot", "gv")
"""What the image may be, by its suffix: both renderers write these (no suffix is png)."""


def write_diagram(out: Path) -> str:
    """Write the diagram (format from the suffix: `FORMATS`); returns the renderer. A suffix
    of no such format, or a path where no file can be written (a folder, `/proc/x.png`), is
    refused in one line (`PathRefused`), not with a traceback after the drawing."""
    out = Path(out)
    fmt = out.suffix.lstrip(".").lower() or "png"
    if fmt not in FORMATS:
        formats = ", ".join(f".{name}" for name in FORMATS)
        raise PathRefused(i18n.tr("diagram.bad_format", path=out, formats=formats))
    try:
        return _write(out, fmt)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise PathRefused(i18n.tr("diagram.cannot_write", path=out, reason=reason)) from None


def _write(out: Path, fmt: str) -> str:
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.is_dir():
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(out))
    source = dot_source()
    if fmt in ("dot", "gv"):
        out.write_text(source, encoding="utf-8")
        return "dot source"
    dot = shutil.which("dot")
    if dot is not None:
        image = subprocess.run(
            [dot, f"-T{fmt}", "-Gdpi=110"], input=source.encode(), capture_output=True, check=True
        ).stdout
        out.write_bytes(image)
        return "graphviz"
    _draw_with_matplotlib(out)
    return "matplotlib"


def _draw_with_matplotlib(out: Path) -> None:
    import math

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [s.id for s in Conversation.states]
    pos = {
        n: (math.cos(2 * math.pi * i / len(names)), math.sin(2 * math.pi * i / len(names)))
        for i, n in enumerate(names)
    }
    fig, ax = plt.subplots(figsize=(12, 10))
    merged: dict[tuple[str, str], list[str]] = defaultdict(list)
    for source, target, label in edges():
        merged[(source, target)].append(label.replace("\\n", " "))
    for (source, target), labels in merged.items():
        (x1, y1), (x2, y2) = pos[source], pos[target]
        if source == target:
            ax.annotate("\n".join(labels), (x1 * 1.25, y1 * 1.25), fontsize=6, ha="center")
            continue
        ax.annotate(
            "",
            (x2, y2),
            (x1, y1),
            arrowprops={"arrowstyle": "->", "connectionstyle": "arc3,rad=0.15"},
        )
        ax.annotate("\n".join(labels), ((x1 + x2) / 2, (y1 + y2) / 2), fontsize=6, ha="center")
    for n, (x, y) in pos.items():
        ax.text(
            x,
            y,
            n,
            ha="center",
            va="center",
            fontsize=12,
            bbox={"boxstyle": "round", "facecolor": _COLOURS.get(n, "white")},
        )
    ax.set_xlim(-1.6, 1.6)
    ax.set_ylim(-1.6, 1.6)
    ax.axis("off")
    fig.savefig(out, dpi=110, bbox_inches="tight")
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    """Entry point for `python bot.py diagram OUT` (and `python -m states.diagram OUT`)."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0] if args else "docs/state-machine.png")
    how = write_diagram(out)
    print(f"wrote {out} ({how})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
