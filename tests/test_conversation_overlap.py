"""Several people and background work: never merge speakers, never talk over itself."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from assistant.app import Assistant
from assistant.config import Config
from assistant.config.conversation import ConversationSettings
from assistant.messages import Request
from states.diagram import write_diagram
from states.output import MemoryOutput
from states.registry import SessionRegistry
from tests.conversation_kit import (
    ALICE,
    BOB,
    SessionMaker,
    Track,
    build_parts,
    describe,
    heard,
    say,
    stream,
    wait_for_state,
)
from tests.corpus import write_folder_dataset
from tests.speech import write_wav
from transports.console_voice import ConsoleVoice

pytestmark = pytest.mark.timeout(60)


async def test_two_people_talking_at_once_are_answered_one_after_the_other(
    voice_session: SessionMaker, config: Config, app: Assistant
) -> None:
    settings = ConversationSettings(follow_up_seconds=0.5)
    session, out = await voice_session(settings, realtime_playback=True)
    await stream(
        session,
        [
            Track(ALICE, say("hey trainer, what is the status")),
            Track(BOB, say("hey trainer, what can you do", voice="en-gb"), at_s=0.4),
        ],
        speed=4,
    )
    assert await session.settle(30, idle=True)

    # Each person's words were recognised from their own stream, whole and unmixed.
    assert heard(session.trace) == [
        (ALICE.id, "what is the status", True),
        (BOB.id, "what can you do", True),
    ], describe(session.trace)
    status = (await app.handle(Request(command="status", guild_id="g1"))).spoken
    help_ = (await app.handle(Request(command="help", guild_id="g1"))).spoken
    assert out.said == [status, help_], describe(session.trace)
    first_, second = out.played
    assert second.started_at >= first_.started_at + first_.played_s - 0.05
    await session.close()


async def test_a_training_job_ending_while_the_bot_speaks_is_announced_after(
    config: Config, app: Assistant
) -> None:
    write_folder_dataset(config.data_root, "reviews", per_label=12)
    registry = SessionRegistry(
        await build_parts(config, app),
        app.handle,
        ConversationSettings(follow_up_seconds=0.5),
        jobs=app.jobs,
    )
    out = MemoryOutput()
    session = await registry.join("g1", voice=out, text=out, text_channel_id="text-1")
    try:
        await stream(session, [Track(ALICE, say("hey trainer, what can you do"))], speed=6)
        await wait_for_state(session, "speaking")
        # Someone typed `train reviews` in the text channel; the job finishes mid-answer.
        train = Request(command="train", options={"data_dir": "reviews"}, guild_id="g1", user=ALICE)
        reply = await app.handle(train)
        assert reply.ok and reply.job_id is not None
        await app.jobs.wait(reply.job_id)
        await asyncio.sleep(0.1)
        assert session.machine.state == "speaking"
        posted_at = next(p.at for p in out.posted if "Training job" in p.text)
        assert await session.settle(30, idle=True)

        answer, announcement = out.played
        assert answer.completed  # the announcement did not cut the answer
        assert announcement.text.startswith("Training on ") and "finished" in announcement.text
        assert announcement.started_at >= answer.started_at + answer.played_s - 0.05
        assert posted_at < announcement.started_at  # written at once, spoken when free
    finally:
        await registry.close()


async def test_console_voice_feeds_files_as_speakers_and_writes_the_answers(
    config: Config, app: Assistant, tmp_path: Path
) -> None:
    registry = SessionRegistry(await build_parts(config, app, guild_id="console"), app.handle)
    voice = ConsoleVoice(registry, tmp_path / "answers", realtime=0, print_text=False)
    a = write_wav(tmp_path / "a.wav", say("hey trainer, what is the status"))
    b = write_wav(tmp_path / "b.wav", say("hey trainer, what can you do", voice="en-gb"))
    trace = await voice.say([a, b])

    said = [e.text for e in trace if e.kind == "said"]
    assert len(said) == 2
    assert sorted(p.name for p in (tmp_path / "answers").iterdir()) == [
        "001-answer.wav",
        "002-answer.wav",
    ]
    assert {e.speaker for e in trace if e.kind == "heard"} == {"console", "console-2"}
    await registry.close()


def test_the_diagram_is_exported_as_an_image(tmp_path: Path) -> None:
    out = tmp_path / "machine.png"
    how = write_diagram(out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and how in ("graphviz", "matplotlib")
