"""Phrasings the templates were not written from, spoken: right, wrong, or not acted on.

The lines of `bench/phrasings.json` (English; written without sight of the templates; odd
positions held out of all tuning) are said after the wake phrase ("hey trainer check the
model's accuracy") in voices of the voice bench's held-out set, clean, and go through the one
hearing path (`audio.hearing.Hearer`) as in `bench/voice_bench.py`. A spoken line outside the
grammar should be refused ("Sorry, I didn't catch that"), not turned into another command:
the figure that matters most here is how often a line acted as the wrong command. The grammar
recognizer's own decision, from the same run, is the floor. A line the VAD cuts at a pause
(a comma said slowly) is heard as the live session hears it: a piece said to the bot that is
no command is joined to the next (audio/pieces.py, `--join-ms`); the rows also say how each
piece alone, and the longest alone, were heard.

Writes bench/results/spoken_phrasing.json and .md. `python -m bench.spoken_phrasing_bench`.
`--corpus fresh` says the lines of bench/phrasings_fresh.json instead, its lines that are no
command too ("hey trainer my train was late today": acting on one is a wrong command), and
writes spoken_phrasing_fresh.json and .md. `--corpus spoken1` says the lines of
bench/spoken_phrasings_fresh1.json, written to be said (not typed) by a session that saw no
file of the project (6 December 2026): 14 ways to say each command, sentences after the wake
phrase that are no command, and chatter said to each other inside a follow-up window (no wake
phrase: acting on one is wrong).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from pathlib import Path
from typing import Any

from assistant.config.voice import VadSettings, VoiceSettings
from audio.decision import Hearing
from audio.hearing import Hearer
from audio.pieces import Hear, hear_pieces
from audio.vad.base import UtteranceEnded
from bench.phrasing_bench import CORPORA, VALUES
from bench.typed_reader import typed_reader
from bench.voice_bench import vad_pieces
from bench.voice_corpus import DATASETS, HELD_OUT_VOICES, render

RESULTS = Path(__file__).resolve().parent / "results"
FILES = ["report.txt"]
"""The data root's files the corpora name (`VALUES`)."""
VOICES = [v for v in HELD_OUT_VOICES if v[0] in ("en-us-nyc+f2", "piper:joe")]
"""The held-out voices the hearing path heard best in the voice bench: unseen phrasings, not
a hard voice, are what this measures."""


def judged(
    text: str,
    intent: str | None,
    hearing: Hearing | None,
    values: dict[str, str] | None = None,
    in_window: bool = False,
) -> str:
    """ "right", "wrong" (acted as another command or value) or "none" (not acted on)."""
    if hearing is None or not hearing.accepted(in_window) or hearing.intent is None:
        return "none"
    if hearing.intent.name != intent:
        return "wrong"
    slots = " ".join(str(v) for v in hearing.intent.slots.values()).lower()
    named = (
        [VALUES.get(v, v) for v in values.values()]
        if values is not None
        else [v for k, v in VALUES.items() if k in text]
    )
    fits = all(v in slots or v.replace("_", " ") in slots for v in named)
    return "right" if fits else "wrong"


async def heard_as(
    pieces: list[UtteranceEnded], hear: Hear, in_window: bool, join_s: float
) -> tuple[Hearing | None, bool]:
    """What a line cut into `pieces` acts as in a live session that joins pieces within
    `join_s` (audio/pieces.py; 0: each heard alone), and whether that was heard inside a
    follow-up window: the first command run, else the longest piece's hearing."""
    decided = await hear_pieces(pieces, hear, in_window, join_s, VadSettings().max_utterance_s)
    acted = [h for h in decided if h.hearing.accepted(h.in_window)]
    shown = acted[0] if acted else max(decided, key=lambda h: len(h.utterance.pcm), default=None)
    return (shown.hearing, shown.in_window) if shown else (None, in_window)


def once(hearer: Hearer) -> Hear:
    """`hearer.hear`, each (audio, window) heard once: a line's pieces heard joined, apart and
    the longest alone are mostly the same audio."""
    heard: dict[tuple[bytes, bool], Hearing] = {}

    async def hear(pcm: bytes, window: bool) -> Hearing:
        if (pcm, window) not in heard:
            heard[pcm, window] = await hearer.hear(pcm, window)
        return heard[pcm, window]

    return hear


SPOKEN = {
    "spoken1": Path(__file__).resolve().parent / "spoken_phrasings_fresh1.json",
    "spoken2": Path(__file__).resolve().parent / "spoken_phrasings_fresh2.json",
}
"""Corpora written to be said: each command's values named, and chatter for a window."""


def lines_of(name: str) -> list[dict[str, Any]]:
    """The corpus's English lines, as {"text", "intent"} (and "values", "window" for spoken
    corpora); a line that is no command has the intent None."""
    if name in SPOKEN:
        data = json.loads(SPOKEN[name].read_text(encoding="utf-8"))
        return [
            *data["commands"],
            *({"text": t, "intent": None, "values": {}} for t in data["not_commands"]),
            *(
                {"text": t, "intent": None, "values": {}, "window": True}
                for t in data["window_chatter"]
            ),
        ]
    data = json.loads(CORPORA[name].read_text(encoding="utf-8"))
    return [*data["en"], *({"text": t, "intent": None} for t in data.get("not_commands", []))]


async def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.spoken_phrasing_bench")
    parser.add_argument("--corpus", choices=sorted([*CORPORA, *SPOKEN]), default="first")
    parser.add_argument(
        "--tuning-only",
        metavar="ROWS",
        help="say only the tuning lines (even positions) and write their rows to ROWS, not to "
        "bench/results: for tuning without hearing a held-out line",
    )
    parser.add_argument(
        "--join-ms",
        type=int,
        default=None,
        help="join a line's pieces as the session does within this many ms (default: "
        "voice.vad.join_pieces_ms)",
    )
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    started = time.perf_counter()
    corpus = lines_of(args.corpus)
    corpus_file = SPOKEN.get(args.corpus) or CORPORA[args.corpus]
    # The names the lines use, as the data root would list them: without the file, every
    # `getfile report.txt` line could only be refused or heard as another command. The model's
    # words are read as the bot reads typed lines (bench/typed_reader.py).
    closing = contextlib.AsyncExitStack()
    read_words = await closing.enter_async_context(typed_reader(DATASETS, FILES))
    hearer = await asyncio.to_thread(Hearer.local, VoiceSettings(), read_words)
    names = {"dataset": DATASETS, "folder": DATASETS, "file": FILES}
    await asyncio.to_thread(hearer.update_lists, names)
    rows = []
    join_s = VadSettings().join_pieces_ms / 1000 if args.join_ms is None else args.join_ms / 1000
    for voice, speed, pitch in VOICES:
        for index, item in enumerate(corpus):
            if args.tuning_only and index % 2 == 1:
                continue
            window = bool(item.get("window"))
            said = item["text"] if window else f"hey trainer {item['text']}"
            pcm = await asyncio.to_thread(render, said, voice, speed, pitch, "clean", index)
            pieces = vad_pieces(pcm)
            hear = once(hearer)  # the three ways share what they hear alike
            joined = await heard_as(pieces, hear, window, join_s)
            apart = await heard_as(pieces, hear, window, 0.0) if len(pieces) > 1 else joined
            longest = max(pieces, key=lambda p: len(p.pcm)) if len(pieces) > 1 else None
            alone = (await hear(longest.pcm, window), window) if longest else joined
            hearing, in_window = joined
            values = item.get("values")
            text, intent = item["text"], item["intent"]
            rows.append(
                {
                    "voice": voice,
                    "held_out": index % 2 == 1,
                    "intent": item["intent"],
                    "said": said,
                    "window": window,
                    "pieces": len(pieces),
                    "grammar": judged(
                        text,
                        intent,
                        hearing.grammar_alone if hearing else None,
                        values,
                        in_window,
                    ),
                    "hearing": judged(text, intent, hearing, values, in_window),
                    # the same pieces heard each alone, and only the longest (as this bench
                    # heard them before the session joined pieces)
                    "apart": judged(text, intent, apart[0], values, apart[1]),
                    "longest": judged(text, intent, alone[0], values, alone[1]),
                    "heard": hearing.debug() if hearing else None,
                }
            )
        print(f"  {voice} done", flush=True)
    hearer.close()
    await closing.aclose()
    result = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "seconds": round(time.perf_counter() - started),
        "voices": [v for v, _, _ in VOICES],
        "corpus": corpus_file.name,
        "join_ms": round(join_s * 1000),
        "rows": rows,
    }
    if args.tuning_only:
        Path(args.tuning_only).write_text(json.dumps(result, indent=1) + "\n")
        return 0
    text = markdown(result)
    RESULTS.mkdir(exist_ok=True)
    name = "spoken_phrasing" + ("" if args.corpus == "first" else f"_{args.corpus}")
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=1) + "\n")
    (RESULTS / f"{name}.md").write_text(text)
    print(text)
    return 0


STAGES = {
    "hearing": "hearing path, pieces joined",
    "grammar": "grammar alone",
    "apart": "hearing path, each piece alone",
    "longest": "hearing path, the longest piece only",
}
"""A line the VAD cut at a pause is heard as the session hears it (`hearing`: pieces said to
the bot that are no command joined to the next, audio/pieces.py); the two other ways show
what joining changes (`longest`: how this bench heard a line before 7 December)."""


def markdown(result: dict[str, Any]) -> str:
    rows = result["rows"]
    lines = [
        "# Spoken phrasings (bench/spoken_phrasing_bench.py)",
        "",
        f"{result['when']}; voices {', '.join(result['voices'])}; clean; "
        f"'hey trainer' + each line of bench/{result.get('corpus', 'phrasings.json')} (English; "
        "a line that is no command counts as wrong when it acts).",
        "",
        "| lines | stage | right | wrong command acted | not acted on |",
        "|---|---|---|---|---|",
    ]
    for held, name in ((True, "held out"), (False, "tuning")):
        chosen = [r for r in rows if r["held_out"] == held]
        for stage, label in STAGES.items():
            if any(stage not in r for r in chosen):
                continue  # rows written before the stage was measured
            counts = {k: sum(r[stage] == k for r in chosen) for k in ("right", "wrong", "none")}
            cells = " | ".join(f"{counts[k]}/{len(chosen)}" for k in ("right", "wrong", "none"))
            lines.append(f"| {name} | {label} | {cells} |")
    wrong = [r for r in rows if r["held_out"] and r["hearing"] == "wrong"]
    lines += ["", "Held-out lines that acted as the wrong command:", ""]
    for r in wrong:
        heard = r["heard"] or {}
        lines.append(
            f"- {r['voice']}: `{r['said']}` ({r['intent']}) acted as {heard.get('intent')} "
            f'{heard.get("slots")} (heard "{heard.get("heard")}", by {heard.get("decided_by")})'
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
