"""Trainer's entry point.

    python bot.py                 Discord when DISCORD_TOKEN is set, else the local console
    python bot.py console [--json]
    python bot.py simulate FILE.wav [...] [--act] [--json] [--one-session] [--speak-to DIR]
    python bot.py diagram OUT.png
    python bot.py speech-server [--uri tcp://127.0.0.1:10300] [--recognizers N]
    python bot.py worker [--concurrency N]     (training jobs; needs a postgresql storage_url)

`--config PATH` (or TRAINER_CONFIG) chooses another config.yaml; without either, ./config.yaml
if the current folder has one, else the checkout's.
`--shards 0,1 --shard-count 4` runs those Discord shards of four in this process
(config keys discord.shard_ids and discord.shard_count); other processes run the rest.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import faulthandler
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from assistant.config import Config, ConfigError, load_config
from assistant.errors import CannotStart
from assistant.logs import setup_logging
from assistant.startup import check_start

log = logging.getLogger("trainer")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="trainer", description="Trainer voice assistant")
    parser.add_argument(
        "--config",
        help="path to config.yaml (default: TRAINER_CONFIG, else ./config.yaml, else the "
        "checkout's)",
    )
    parser.add_argument(
        "--shards",
        type=shard_list,
        metavar="IDS",
        help="Discord shards this process runs, e.g. 0,1 (needs --shard-count)",
    )
    parser.add_argument(
        "--shard-count", type=int, metavar="N", help="Discord shards across all processes"
    )
    sub = parser.add_subparsers(dest="mode")
    sub.add_parser("run", help="Discord when DISCORD_TOKEN is set, else the console")
    console = sub.add_parser("console", help="the local console, a guild of its own")
    console.add_argument("--json", action="store_true", help="one JSON object per reply")
    console.add_argument("--speak", nargs="+", metavar="FILE", help="feed WAV files as speech")
    simulate = sub.add_parser("simulate", help="what the bot hears in audio files (dry run)")
    simulate.add_argument("files", nargs="+")
    from audio.simulate import add_options

    add_options(simulate)
    diagram = sub.add_parser("diagram", help="draw the conversation state machine")
    diagram.add_argument("out", help="image path, e.g. state-machine.png")
    speech = sub.add_parser("speech-server", help="serve recognition and speech over Wyoming")
    speech.add_argument(
        "--uri", default="tcp://127.0.0.1:10300", help="where to listen (no authentication)"
    )
    speech.add_argument("--recognizers", type=int, default=2, help="recognizer processes")
    worker = sub.add_parser("worker", help="run queued training jobs (PostgreSQL storage)")
    worker.add_argument("--concurrency", type=int, default=1, help="jobs at a time")
    return parser.parse_args(argv)


def shard_list(text: str) -> list[int]:
    """`0,1` -> [0, 1]."""
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a list like 0,1") from None


def with_shards(config: Config, shards: list[int] | None, shard_count: int | None) -> Config:
    """The command line's shards over config.yaml's, checked like config.yaml's."""
    if shards is None and shard_count is None:
        return config
    from pydantic import ValidationError

    from assistant.config import DiscordSettings

    settings = config.discord.model_dump()
    if shards is not None:
        settings["shard_ids"] = shards
    if shard_count is not None:
        settings["shard_count"] = shard_count
    try:
        discord = DiscordSettings.model_validate(settings)
    except ValidationError as exc:
        message = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"--shards/--shard-count: {message}") from None
    return config.model_copy(update={"discord": discord})


async def run_console(config: Config, json_mode: bool, speak: list[str] | None) -> None:
    from assistant.app import Assistant
    from transports.console_loop import run_console as console_loop

    app = Assistant(config)
    main = asyncio.current_task()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGHUP):
        # a service manager stopping us, or the terminal closing: stop cleanly, exit 0
        if main is not None:
            loop.add_signal_handler(sig, main.cancel)
    interrupted = False
    try:
        await app.start()
        await console_loop(app, json_mode=json_mode, speak=speak)
    except asyncio.CancelledError:
        interrupted = True
        log.info("stopping: signal received")
    finally:
        # the running job ends as interrupted, its worker and staging folder are removed;
        # stopped by a signal or Ctrl-C, it does not wait for a first start's learning either
        await app.close(wait_for_learning=not interrupted)


def cannot_start(reason: object) -> int:
    """The one line a start-up problem prints (the log, if open, has the details)."""
    print(f"Trainer cannot start: {reason}", file=sys.stderr)
    return 2


def stacks_on_sigusr1() -> None:
    """`kill -USR1 <pid>` writes every thread's stack to stderr: a hang can be diagnosed
    without stopping the process. Not where stderr is no file (the bot run inside another
    program that captures it)."""
    if not hasattr(signal, "SIGUSR1"):
        return
    with contextlib.suppress(AttributeError, ValueError, OSError):
        faulthandler.register(signal.SIGUSR1, file=sys.stderr.fileno(), all_threads=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    stacks_on_sigusr1()
    try:
        config = with_shards(load_config(args.config), args.shards, args.shard_count)
    except ConfigError as exc:
        return cannot_start(exc)
    mode = args.mode or "run"
    try:
        return run_mode(args, config, mode)
    except CannotStart as exc:
        return cannot_start(exc)
    except Exception:
        # Never a traceback on the terminal: it goes to the log, the terminal gets one line.
        logging.getLogger("trainer").exception("Trainer stopped because of an internal error")
        # a dry run on a fresh folder keeps no log file (it creates nothing)
        logged = any(isinstance(h, logging.FileHandler) for h in logging.getLogger().handlers)
        where = "; the log has the details" if logged else ""
        print(f"Trainer stopped because of an internal error{where}.", file=sys.stderr)
        return 1


def run_mode(args: argparse.Namespace, config: Config, mode: str) -> int:
    token = os.environ.get("DISCORD_TOKEN", "").strip()
    if mode == "diagram":
        from assistant import i18n
        from assistant.errors import PathRefused
        from states.diagram import write_diagram

        with i18n.speaking(config.language):
            try:
                how = write_diagram(Path(args.out))
            except PathRefused as exc:
                print(f"diagram: {exc}", file=sys.stderr)
                return 2
        print(f"wrote {args.out} ({how})")
        return 0
    if mode == "simulate":
        from audio.simulate import main as simulate

        # The log has the details of a failure; the terminal gets one line (`main`).
        setup_logging(config, quiet_console=True, make_folder=args.act)  # a dry run makes none
        return simulate(config=config, options=args)
    if mode == "speech-server":
        from assistant.startup import check_temp_folder

        check_temp_folder()  # its recognizers are worker processes too
        setup_logging(config, quiet_console=False)
        from transports.speech_server import serve

        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve(config, args.uri, args.recognizers))
        return 0
    if mode == "worker":
        setup_logging(config, quiet_console=False)
        from assistant.errors import UserError
        from assistant.training.queue import run_worker

        try:
            asyncio.run(run_worker(config, args.concurrency))
        except UserError as exc:
            print(f"Trainer cannot start the worker: {exc}", file=sys.stderr)
            return 2
        return 0
    lock = check_start(config)
    try:
        if mode == "run" and token:
            setup_logging(config, quiet_console=False)
            from transports.discord.run import run_discord

            return run_discord(config, token)
        setup_logging(config, quiet_console=True)
        json_mode, speak = getattr(args, "json", False), getattr(args, "speak", None)
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(run_console(config, json_mode, speak))
        return 0
    finally:
        lock.release()


if __name__ == "__main__":
    sys.exit(main())
