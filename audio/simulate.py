"""`python bot.py simulate FILE [FILE ...] [--act] [--json] [--one-session] [--speed X]
[--speak-to DIR]`.

Plays audio files to a real conversation session (states/session.py: the VAD per speaker, the
conversation machine, the one hearing path `audio.hearing.Hearer`, speech output), as the
console's owner speaking in a voice channel, and shows what the bot heard, decided and said,
one record per utterance.

- One fresh session per file (no follow-up window carries over from one file to the next);
  `--one-session` keeps one session across all the files, in order.
- A dry run by default: commands are decided but not executed (nothing is trained, written or
  deleted; the reply says what would have run), and the data and state folders are left as
  they were, neither made nor changed: the records are an in-memory copy of the database
  (`Assistant(dry_run=True)`). `--act` executes them with the real core.
- `--json` prints one JSON object per utterance with the debug view: what each stage heard,
  its score, the gate's decision and why, and the time of each step.
- `--speak-to DIR` writes each spoken reply there as a WAV file; the folder is made and tried
  before any engine loads, so a file of that name is one line, not a traceback.
- Files are fed at `--speed` times real time (1 by default, so follow-up windows behave as in
  a room; 0 is as fast as possible, when an utterance that arrives while the bot is busy with
  another is queued and only the speaker's latest one is kept, as in a room).

Transcripts shown are words only: the grammar recognizer's internal tokens (out-of-grammar
words, near names) are shown as "…".
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from assistant import i18n
from assistant.errors import PathRefused, UserError

from .decision import sure_words, timing_words
from .decode import AudioError

GUILD = "console"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bot.py simulate", description=__doc__.split("\n")[0])
    parser.add_argument(
        "files", nargs="+", type=Path, help="audio files (wav, ogg, mp3, m4a, webm)"
    )
    parser.add_argument("--config", type=Path, default=None, help="config.yaml to use")
    add_options(parser)
    return parser.parse_args(argv)


def add_options(parser: argparse.ArgumentParser) -> None:
    """The options `bot.py simulate` shares with `python -m audio.simulate`."""
    parser.add_argument("--speak-to", type=Path, default=None, help="write spoken replies here")
    parser.add_argument("--act", action="store_true", help="execute the commands (not a dry run)")
    parser.add_argument("--json", action="store_true", help="one JSON debug record per utterance")
    parser.add_argument(
        "--one-session", action="store_true", help="keep one conversation across the files"
    )
    parser.add_argument(
        "--speed", type=float, default=1.0, help="times real time (0: as fast as possible)"
    )


def speak_folder(path: Path) -> Path:
    """`--speak-to`'s folder, made and tried with a file now: a file of that name, or a place
    where no folder can be made or written (`/proc/answers`), is refused in one line before
    the speech engines load, not with a traceback at the first spoken reply."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except FileExistsError:
        raise PathRefused(i18n.tr("simulate.speak_to_file", path=path)) from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise PathRefused(i18n.tr("simulate.speak_to_unusable", path=path, reason=reason)) from None
    return path


def dry_run_reply(request: Any, language: str) -> Any:
    """What the bot answers in a dry run: the command it would have run, nothing executed; in
    the language of the console's server (the dry run's copy of the database says which)."""
    from assistant.messages import Reply

    name = i18n.command_name(language, request.command)
    options = ", ".join(f"{k}={v}" for k, v in request.options.items())
    what = name + (f" ({options})" if options else "")
    return Reply(
        text=i18n.message(language, "simulate.dry_run", what=what),
        speech=i18n.message(language, "simulate.dry_run_said", command=name),
    )


def records(trace: list[Any], name: str) -> list[dict[str, Any]]:
    """One record per utterance heard, from a session's trace: the decision, the debug view,
    and what the bot then wrote and said; after any note on the file (`cut`: only its
    beginning was played)."""
    notes: list[dict[str, Any]] = []
    out: list[dict[str, Any]] = []
    for entry in trace:
        if entry.kind == "cut":
            notes.append({"file": name, "note": entry.text})
        elif entry.kind == "heard":
            hearing = entry.data["hearing"]
            intent = hearing.intent
            out.append(
                {
                    "file": name,
                    "start_s": entry.data.get("start_s"),
                    "end_s": entry.data.get("end_s"),
                    "heard": hearing.heard,
                    "wake": hearing.wake,
                    "in_window": entry.data.get("in_window", False),
                    "intent": intent.name if intent is not None else None,
                    "slots": dict(intent.slots) if intent is not None else {},
                    "decided_by": hearing.decided_by,
                    "pieces": entry.data.get("pieces", 1),
                    "reply": None,
                    "said": [],
                    "debug": hearing.debug(),
                }
            )
        elif out and entry.kind == "reply":
            out[-1]["reply"] = entry.text
        elif out and entry.kind == "speaking":
            out[-1]["said"].append(entry.text)
            since = entry.data.get("since_speech_end_s")
            if since is not None:
                out[-1]["debug"]["timings_ms"]["end_of_speech_to_reply"] = round(since * 1000, 1)
        elif out and entry.kind == "said" and entry.text not in out[-1]["said"]:
            out[-1]["said"].append(entry.text)  # no voice output: nothing was "speaking"
    return notes + out


def show(record: dict[str, Any]) -> str:
    """A record for people: what was heard, what it meant, what the bot said; then the stages."""
    # no words, as the console's trace says it ("(no words I could make out)"), unquoted
    heard = repr(record["heard"]) if record["heard"] else i18n.tr("console.no_words")
    what = record["intent"] or i18n.tr("simulate.no_command")
    if record["slots"]:
        what += " " + json.dumps(record["slots"], ensure_ascii=False)
    start = f"{record['start_s'] or 0:.1f}"
    lines = [i18n.tr("simulate.heard", file=record["file"], start=start, heard=heard, what=what)]
    if record.get("pieces", 1) > 1:
        lines.append(f"    {i18n.tr('simulate.pieces', pieces=record['pieces'])}")
    for stage in record["debug"]["stages"]:
        score = "" if stage["score"] is None else f" {stage['score']:.2f}"
        lines.append(
            f"    {stage['stage']}: {stage['heard']!r}{score} {stage['verdict']} "
            f"({stage['why']}), {stage['ms']:.0f} ms{sure_words(stage.get('sure'))}"
        )
    lines += [f"    time: {words}" for words in timing_words(record["debug"]["timings_ms"])]
    for said in record["said"]:
        lines.append(f"    {i18n.tr('simulate.said', text=said)}")
    return "\n".join(lines)


async def run(
    files: list[Path],
    config: Any,
    *,
    speak_to: Path | None = None,
    act: bool = False,
    as_json: bool = False,
    one_session: bool = False,
    speed: float = 1.0,
) -> int:
    from assistant.app import Assistant
    from assistant.loop_threads import start_loop_threads
    from states.output import MemoryOutput, WavFolderOutput
    from states.parts import build_parts
    from states.session import GuildVoiceSession
    from transports.console_voice import say

    await start_loop_threads()
    assistant = Assistant(config, dry_run=not act)
    await assistant.start()
    parts = await build_parts(config, assistant, [GUILD], processes=False)

    async def dry_run(request: Any) -> Any:
        return dry_run_reply(request, assistant.language(GUILD))

    if not one_session:  # each file a new conversation: no voice is fitted from another
        parts.hearer.fit = None

    def new_session() -> GuildVoiceSession:
        output = (
            WavFolderOutput(speak_to, realtime=False, print_text=False)
            if speak_to is not None
            else MemoryOutput(realtime=False, keep_audio=False)
        )
        return GuildVoiceSession(
            GUILD,
            parts,
            assistant.handle if act else dry_run,
            voice=output,
            text=output,
            text_channel_id=GUILD,
            settings=config.conversation,
        )

    status = 0
    session: GuildVoiceSession | None = None
    try:
        for path in files:
            if session is None or not one_session:
                if session is not None:
                    await session.close()
                session = new_session()
            try:
                trace = await say(
                    [path], session, realtime=speed, max_seconds=config.voice.max_file_seconds
                )
            except AudioError as exc:
                status = 1
                _print({"file": str(path), "error": str(exc)}, as_json)
                continue
            found = records(trace, str(path))
            if not any("heard" in record for record in found):  # else the file shows nothing
                note = f"{path.name}: {i18n.tr('simulate.no_speech')}"
                found.append({"file": str(path), "note": note})
            for record in found:
                _print(record, as_json)
    finally:
        if session is not None:
            await session.close()
        parts.close()
        await assistant.close()
    return status


def _print(record: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(record, ensure_ascii=False, default=str), flush=True)
    elif "error" in record or "note" in record:
        # the message begins with the file's name already: say the path once
        message = str(record.get("error", record.get("note")))
        message = message.removeprefix(f"{Path(record['file']).name}: ")
        print(f"{record['file']}: {message}", flush=True)
    else:
        print(show(record), flush=True)


def main(
    argv: list[str] | None = None,
    *,
    config: Any = None,
    options: argparse.Namespace | None = None,
) -> int:
    """Entry point; `bot.py simulate` passes its parsed config and options."""
    args = options or parse_args([str(a) for a in (sys.argv[1:] if argv is None else argv)])
    if config is None:
        from assistant.config import ConfigError, load_config

        try:
            config = load_config(getattr(args, "config", None))
        except ConfigError as exc:
            print(f"simulate: {exc}", file=sys.stderr)
            return 2
    with i18n.speaking(config.language):  # its own words: refusals and notes on files
        speak_to = None
        if args.speak_to:
            try:
                speak_to = speak_folder(Path(args.speak_to))
            except UserError as exc:
                print(f"simulate: {exc}", file=sys.stderr)
                return 2
        return asyncio.run(
            run(
                [Path(f) for f in args.files],
                config,
                speak_to=speak_to,
                act=args.act,
                as_json=args.json,
                one_session=args.one_session,
                speed=args.speed,
            )
        )


if __name__ == "__main__":
    sys.exit(main())
