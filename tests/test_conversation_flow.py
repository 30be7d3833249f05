"""The happy paths: wake phrase, command, answer aloud and in text, follow-up window, idle."""

from __future__ import annotations

import asyncio

import pytest

from assistant.app import Assistant
from assistant.config import Config
from assistant.config.conversation import ConversationSettings
from assistant.messages import Reply, Request
from states.output import MemoryOutput
from states.registry import SessionRegistry
from states.sayings import LISTENING, STILL_WORKING
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
    transitions,
)
from tests.corpus import write_folder_dataset

pytestmark = pytest.mark.timeout(60)

FAST = ConversationSettings(follow_up_seconds=0.8)


async def test_wake_phrase_and_command_are_answered_aloud_and_in_text(
    voice_session: SessionMaker, config: Config, app: Assistant
) -> None:
    session, out = await voice_session(FAST)
    await stream(session, [Track(ALICE, say("hey trainer, what is the status"))], speed=6)
    assert await session.settle(20, idle=True)

    status = await app.handle(Request(command="status", guild_id="g1"))
    assert heard(session.trace) == [(ALICE.id, "what is the status", True)]
    assert out.texts == [status.text]  # the whole answer in the text channel
    assert out.said == [status.spoken] and out.played[0].completed  # its short form aloud
    assert transitions(session.trace) == [
        ("speech_started", "idle -> listening"),
        ("speech_ended", "listening -> transcribing"),
        ("transcript_ready", "transcribing -> transcribing"),
        ("intent_found", "transcribing -> acting"),
        ("action_done", "acting -> speaking"),
        ("playback_done", "speaking -> listening"),  # the follow-up window
        ("timeout", "listening -> idle"),
    ]
    await session.close()


async def test_wake_phrase_alone_opens_a_follow_up_window_for_that_person_only(
    voice_session: SessionMaker, config: Config, app: Assistant
) -> None:
    session, out = await voice_session(ConversationSettings(follow_up_seconds=4))
    await stream(
        session,
        [
            Track(ALICE, say("hey trainer!")),
            Track(BOB, say("what is the status", voice="en-gb"), at_s=1.8),
        ],
        speed=1.5,
    )
    # Alice answers once "Yes? I'm listening." is said, however long hearing takes under load
    # (begun while it was still being synthesized, her speech would rightly have cut it)
    for _ in range(600):
        if LISTENING in out.said:
            break
        await asyncio.sleep(0.05)
    await stream(session, [Track(ALICE, say("how is the training going"))], speed=1.5)
    assert await session.settle(20, idle=True)

    said = heard(session.trace)
    assert said[0] == (ALICE.id, "", True), describe(session.trace)  # the wake phrase alone
    # Bob's line and Alice's follow-up are heard in the order their hearing ends: with both
    # cores busy, Bob's may end after Alice's
    assert sorted(said[1:]) == sorted(
        [(BOB.id, "what is the status", False), (ALICE.id, "how is the training going", False)]
    ), describe(session.trace)
    events = [event for event, _ in transitions(session.trace)]
    assert events.count("wake_heard") == 1
    assert events.count("not_addressed") == 1, describe(session.trace)  # Bob needs the wake
    status = await app.handle(Request(command="status", guild_id="g1"))
    assert out.said == [LISTENING, status.spoken]  # only Alice was answered
    assert len(out.texts) == 1
    await session.close()


async def test_speech_without_the_wake_phrase_is_left_alone(
    voice_session: SessionMaker, config: Config, app: Assistant
) -> None:
    session, out = await voice_session(FAST)
    await stream(session, [Track(ALICE, say("what is the status"))], speed=6)
    assert await session.settle(10, idle=True)
    assert heard(session.trace) == [(ALICE.id, "what is the status", False)]
    assert out.said == [] and out.texts == []
    assert ("not_addressed", "transcribing -> idle") in transitions(session.trace)
    await session.close()


async def test_a_slow_action_says_it_is_still_working_then_answers(
    voice_session: SessionMaker, config: Config, app: Assistant
) -> None:
    async def slow_core(request: Request) -> Reply:  # the real core, behind a slow link
        await asyncio.sleep(0.8)
        return await app.handle(request)

    settings = ConversationSettings(follow_up_seconds=0.8, still_working_seconds=0.3)
    session, out = await voice_session(settings, realtime_playback=True)
    session.handle = slow_core
    await stream(session, [Track(ALICE, say("hey trainer, what is the status"))], speed=6)
    assert await session.settle(20, idle=True)

    assert out.said[0] == STILL_WORKING
    assert len(out.said) == 2 and len(out.texts) == 1
    notice, answer = out.played
    assert notice.completed and answer.started_at >= notice.started_at + notice.played_s - 0.05
    assert ("timeout", "acting -> acting") in transitions(session.trace)
    await session.close()


async def test_training_is_acknowledged_at_once_and_announced_when_it_ends(
    config: Config, app: Assistant
) -> None:
    write_folder_dataset(config.data_root, "reviews", per_label=12)
    registry = SessionRegistry(await build_parts(config, app), app.handle, FAST, jobs=app.jobs)
    out = MemoryOutput(realtime=False)
    session = await registry.join("g1", voice=out, text=out, text_channel_id="text-1")
    assert registry.get("g1") is session and len(registry) == 1
    try:
        await stream(
            session, [Track(ALICE, say("hey trainer, train the model on reviews"))], speed=6
        )
        assert await session.settle(30, idle=True)
        reply = session.machine.reply
        assert reply is not None and reply.job_id is not None, describe(session.trace)
        assert session.machine.state == "idle"  # acknowledged; not held in acting by the job
        await app.jobs.wait(reply.job_id)
        assert await session.settle(30, idle=True)
    finally:
        await registry.close()

    ack, result = out.said
    assert ack.startswith("Training started on ")  # the core's acknowledgement, at once
    dataset = ack.removeprefix("Training started on ").split(",")[0]
    assert result.startswith(f"Training on {dataset} finished. Accuracy")
    assert any("Training job" in t and dataset in t for t in out.texts)
    assert registry.get("g1") is None


@pytest.mark.parametrize(
    ("engine_heard", "answered"),
    [("Hey, trainer. What's the status?", True), ("Hey Rainer, what's the status?", False)],
)
async def test_an_open_vocabulary_engine_is_heard_through_the_same_gate(
    voice_session: SessionMaker, config: Config, app: Assistant, engine_heard: str, answered: bool
) -> None:
    """A transcription service writes the wake phrase inside its text: the session snaps it
    to the grammar and gates it like any other (it used to go idle without a word)."""
    from tests.fakes.openai_audio import AudioServer

    with AudioServer(transcript=engine_heard) as server:
        config.voice.asr.engine = "openai"
        config.voice.asr.openai_base_url = server.base_url
        session, out = await voice_session(FAST)
        await stream(session, [Track(ALICE, say("hey trainer, what is the status"))], speed=6)
        assert await session.settle(20, idle=True)
    status = await app.handle(Request(command="status", guild_id="g1"))
    assert out.said == ([status.spoken] if answered else []), describe(session.trace)
    (entry,) = [e for e in session.trace if e.kind == "heard"]
    assert entry.data["hearing"].stages[0].stage == "openai"


async def test_the_session_says_its_own_words_in_the_guild_language(
    voice_session: SessionMaker, app: Assistant
) -> None:
    from assistant import i18n
    from states.sayings import APOLOGY, NOT_UNDERSTOOD

    # The machine names its sentences in English; the English catalog says exactly those.
    english = {key: i18n.message("en", f"voice.{key}") for key in ("listening", "apology")}
    assert english == {"listening": LISTENING, "apology": APOLOGY}
    assert i18n.message("en", "voice.not_understood") == NOT_UNDERSTOOD
    assert i18n.message("en", "voice.still_working") == STILL_WORKING

    app.store.set_guild_language("g1", "ru")
    session, out = await voice_session(ConversationSettings(follow_up_seconds=2))
    await stream(session, [Track(ALICE, say("hey trainer!"))], speed=1.5)
    assert await session.settle(20, idle=True)
    assert out.said == ["Да? Я слушаю."], describe(session.trace)
    await session.close()


async def test_a_spoken_cancel_is_answered_once(
    config: Config, app: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "hey trainer, cancel the training" was answered "Training cancelled.", then the job's
    announcement said "Training on default was cancelled." too. The job fine-tunes on a fake
    OpenAI that never finishes, so it is still running when the spoken cancel arrives."""
    from tests.fakes.openai_server import FakeOpenAI

    write_folder_dataset(config.data_root, "reviews", per_label=12)
    with FakeOpenAI(polls_to_finish=10_000) as server:
        monkeypatch.setenv("OPENAI_API_KEY", server.api_key)
        config.trainer.backend = "openai"
        config.trainer.openai.base_url = server.base_url
        config.trainer.openai.poll_seconds = 0.05
        registry = SessionRegistry(await build_parts(config, app), app.handle, FAST, jobs=app.jobs)
        out = MemoryOutput(realtime=False)
        session = await registry.join("g1", voice=out, text=out, text_channel_id="text-1")
        try:
            started = await app.handle(
                Request(command="train", text="folder:reviews", guild_id="g1")
            )
            assert started.job_id is not None, started.text
            await stream(session, [Track(ALICE, say("hey trainer, cancel the training"))], speed=6)
            assert await session.settle(30, idle=True)
            assert (await app.jobs.wait(started.job_id)).status == "cancelled"
            assert await session.settle(30, idle=True)
        finally:
            await registry.close()
    assert out.said == ["Training cancelled."], describe(session.trace)
    assert out.texts == [f"Cancelled training job #{started.job_id} on **default**."]
