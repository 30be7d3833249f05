"""Train the wake-word verifier (audio/wake_verifier.py) on speech synthesized here and now.

    .venv/bin/python scripts/train_wake_verifier.py [--wake trainer] [--out FILE]

Voices: espeak-ng variants that neither the tests nor the voice bench speak with, and Flite's
four voices (Debian package flite), at random speeds and pitches, in the bench's four
conditions (faint floor, noise, reverb, Opus at 48 kHz), reverberant speech filtered as the
hearing path filters it (audio/dereverb.py).
Each voice says the wake word before commands of the grammar (and alone), and as many times
another name or a near word in its place ("hey drainer, stop"); half of either with a pause after
the name (a comma), half without. None of the names the voice
bench calls is among them (checked below): the bench measures the verifier on names it never
saw. A fifth of the voices is held out of the fit and reported on, then the verifier is fitted
on all of them. Takes about twelve minutes on two cores.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.config.voice import DereverbSettings, SecondOpinionSettings, VoiceSettings  # noqa: E402
from assistant.intents.matcher import IntentMatcher  # noqa: E402
from assistant.intents.snap import GrammarSnapper  # noqa: E402
from audio.asr.factory import load_second_opinion  # noqa: E402
from audio.dereverb import dereverb  # noqa: E402
from audio.wake_verifier import BUNDLED, WakeVerifier, features  # noqa: E402
from bench.voice_corpus import CONDITIONS, OTHER_NAMES, render  # noqa: E402

OTHER_WORDS = [
    "anna",
    "peter",
    "sarah",
    "michael",
    "james",
    "emma",
    "oliver",
    "sophia",
    "daniel",
    "laura",
    "thomas",
    "rachel",
    "kevin",
    "nina",
    "steven",
    "claire",
    "brian",
    "helen",
    "george",
    "megan",
    "victor",
    "diana",
    "edward",
    "fiona",
    "gary",
    "hannah",
    "ivan",
    "julia",
    "kyle",
    "linda",
    "mark",
    "nora",
    "oscar",
    "paula",
    "simon",
    "tara",
    "vera",
    "walter",
    "zoe",
    "jenny",
    "alexa",
    "siri",
    "google",
    "jarvis",
    "cortana",
    "drainer",
    "strainer",
    "trailer",
    "crane",
    "craner",
    "trainman",
    "trane",
    "training",
    "traitor",
    "rayna",
    "reina",
    "grainger",
    "granger",
    "draper",
    "taylor",
    "trey",
    "trimmer",
    "tremor",
    "brainer",
    "planner",
    "scanner",
    "banner",
    "manner",
    "trainers",
    "trigger",
    "treasure",
    "tracy",
    "travis",
    "dreamer",
    "tanager",
    "train",
    "tray",
    "raider",
    "raven",
    "rena",
    "renner",
    "jenner",
    "gainer",
    "kramer",
    "stainer",
    "retainer",
    "container",
    "tainer",
    "trainy",
    "drayton",
    "gaynor",
    "plainer",
    "brenner",
    "crayon",
    "saner",
    "tracker",
    "treat her",
    "tame her",
    "drain her",
    "strain her",
]
"""Names and near words said in the wake word's place (none of the voice bench's)."""
ESPEAK_VARIANTS = (
    "m1 m2 m4 m6 m7 f1 f4 f5 klatt klatt3 david john Andy steph max robert linda belinda paul "
    "edward Alex Annie aunty benjamin caleb ed iven Lee Mike norbert quincy rob travis zac "
    "grandpa croak"
)
VOICES = [
    *(
        f"{('en-us', 'en-gb', 'en-gb-x-gbclan')[i % 3]}+{variant}"
        for i, variant in enumerate(ESPEAK_VARIANTS.split())
    ),
    *(f"flite:{name}" for name in ("slt", "rms", "awb", "kal16")),
]
"""espeak-ng voices (languages and variants the tests and the voice bench do not use), then
Flite's four English voices, whose synthesis is unlike espeak-ng's formants."""
PER_VOICE = 60
"""Utterances per voice (twice as many for a Flite voice: there are fewer of them): two fifths
with the wake word, the rest with another name."""
C = 0.1
"""Inverse strength of the logistic regression's L2 penalty (chosen on held-out voices)."""


def bench_names() -> set[str]:
    return {re.split(r"[ ,]", text)[1] for text in OTHER_NAMES}


def command_tails(count: int, rng: random.Random) -> list[str]:
    """Commands of the grammar as said after the wake phrase."""
    matcher = IntentMatcher.from_settings(VoiceSettings())
    matcher.update_lists({"dataset": ["movie reviews", "kaggle tweets"]})
    snapper = GrammarSnapper(matcher)
    snapper.rebuild()
    tails = [s for s in snapper.sentences if 1 < len(s.split()) <= 8]
    return rng.sample(tails, min(count, len(tails)))


def corpus(wake: str, voices: list[str], per_voice: int, seed: int = 0) -> list[dict[str, object]]:
    rng = random.Random(seed)
    names = [n for n in OTHER_WORDS if n != wake]
    tails = command_tails(400, rng)
    items: list[dict[str, object]] = []
    for voice in voices:
        count = per_voice * (2 if voice.startswith("flite:") else 1)
        for k in range(count):
            said = wake if k < count * 2 // 5 else rng.choice(names)
            lead = "hey" if rng.random() < 0.8 else "okay"
            # A pause after the name (the comma), or none, for the wake word as for the others:
            # with commas only after other names, the pause itself would tell them apart.
            comma = "," if rng.random() < 0.5 else ""
            text = (
                f"{lead} {said}"
                if rng.random() < 0.15
                else f"{lead} {said}{comma} {rng.choice(tails)}"
            )
            items.append(
                {
                    "text": text,
                    "voice": voice,
                    "speed": rng.randint(130, 200),
                    "pitch": rng.randint(30, 70),
                    "condition": rng.choice(CONDITIONS),
                    "seed": rng.randint(0, 10**6),
                    "lead": lead,
                    "label": int(said == wake),
                }
            )
    return items


def fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    model = LogisticRegression(C=C, max_iter=5000).fit((x - mean) / scale, y)
    return mean, scale, model.coef_[0], float(model.intercept_[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wake", default="trainer", help="the wake word (default trainer)")
    parser.add_argument("--out", type=Path, default=BUNDLED, help="where to write it")
    parser.add_argument("--voices", type=int, default=len(VOICES), help="how many voices")
    parser.add_argument("--per-voice", type=int, default=PER_VOICE, help="utterances each")
    args = parser.parse_args()
    wake = args.wake.lower()
    assert not bench_names() & set(OTHER_WORDS), "a voice-bench name is among the training names"
    settings = SecondOpinionSettings()
    model = load_second_opinion(settings)
    if model is None or model.sha256 is None:
        print("the neural model is not available", file=sys.stderr)
        return 2
    room = DereverbSettings()
    voices = VOICES[: args.voices]
    items = corpus(wake, voices, args.per_voice)
    rows, kept = [], []
    started = time.perf_counter()
    for i, item in enumerate(items):
        pcm = render(
            str(item["text"]), str(item["voice"]), int(item["speed"]),  # type: ignore[call-overload]
            int(item["pitch"]), str(item["condition"]), int(item["seed"]),  # type: ignore[call-overload]
        )  # fmt: skip
        # The model hears what the hearing path hands it: reverberant speech filtered first.
        pcm = dereverb(pcm, room.min_removed_db).pcm if room.enabled else pcm
        found = features(model, model.transcribe(pcm), str(item["lead"]), wake)
        if found is not None:
            rows.append(found)
            kept.append(item)
        if i % 100 == 0:
            print(f"{i}/{len(items)} {time.perf_counter() - started:.0f} s", flush=True)
    x = np.stack(rows)
    y = np.array([int(item["label"]) for item in kept])  # type: ignore[call-overload]
    said_by = np.array([str(item["voice"]) for item in kept])
    held = np.isin(said_by, voices[::5])
    mean, scale, weights, bias = fit(x[~held], y[~held])
    p = 1 / (1 + np.exp(-(((x[held] - mean) / scale) @ weights + bias)))
    yes, no = p[y[held] == 1], p[y[held] == 0]
    report = (
        f"held-out voices ({', '.join(voices[::5])}): wake word said {len(yes)} times, lowest "
        f"probability {yes.min():.3f}; other names {len(no)}, under 0.02: "
        f"{int((no < 0.02).sum())}, under 0.05: {int((no < 0.05).sum())}"
    )
    print(report)
    mean, scale, weights, bias = fit(x, y)
    about = (
        f"'{wake}': {len(voices)} voices (espeak-ng, Flite), {int(y.sum())} utterances with "
        f"the wake word and {int((1 - y).sum())} with {len(OTHER_WORDS)} other names, "
        f"C={C}; {report}"
    )
    verifier = WakeVerifier(
        wake, model.sha256, settings.window_s, mean.astype(np.float32),
        scale.astype(np.float32), weights.astype(np.float32), bias, about,
    )  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    verifier.save(args.out)
    print(f"wrote {args.out}: {about}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
