"""`bot.py speech-server` against clients that ask too much: too many connections at once,
text to speak without end, names for the grammar without end. Each is told why in a Wyoming
`error` event, costs the server a bounded amount, and everyone else is served on."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import AsyncExitStack
from typing import Any

import pytest
from wyoming.asr import Transcribe, Transcript
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.client import AsyncTcpClient
from wyoming.error import Error
from wyoming.event import Event
from wyoming.info import Describe, Info
from wyoming.tts import Synthesize

from states.name_grammars import GrammarCache
from tests.test_speech_server import utterance
from tests.test_speech_server_clients import AUDIO, WAIT_S, Served, answers, serve

MOST = 3
"""Connections the server under test serves at once."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    settings = f"voice:\n  speech_server:\n    max_connections: {MOST}\n"
    yield from serve(tmp_path_factory.mktemp("limited-speech-server"), settings)


async def next_event(client: AsyncTcpClient) -> Event | None:
    return await asyncio.wait_for(client.read_event(), WAIT_S)


async def describes(client: AsyncTcpClient) -> bool:
    await client.write_event(Describe().event())
    event = await next_event(client)
    return event is not None and Info.is_type(event.type)


def refusal(event: Event | None, code: str) -> Error:
    assert event is not None and Error.is_type(event.type), event
    error = Error.from_event(event)
    assert error.code == code, error
    return error


async def test_connections_over_the_limit_are_told_and_closed(server: Served) -> None:
    """With MOST connections open and held, two more each get an `error` event and are
    closed; the log warns once. The held ones still answer, and once one closes a new
    connection is served."""
    async with AsyncExitStack() as stack:
        held = [
            await stack.enter_async_context(AsyncTcpClient(*server.address)) for _ in range(MOST)
        ]
        for client in held:
            assert await describes(client)
        for _ in range(2):
            async with AsyncTcpClient(*server.address) as extra:
                await extra.write_event(Describe().event())
                error = refusal(await next_event(extra), "too-many-connections")
                assert f"serves {MOST} at once" in error.text, error
                assert await next_event(extra) is None  # closed
        for client in held:
            assert await describes(client)
    assert await served_again(server)
    warnings = [line for line in server.terminal().splitlines() if "speech server full" in line]
    assert len(warnings) == 1 and warnings[0].startswith("WARNING "), warnings
    assert "refused 2 connections" in server.terminal()
    assert "Traceback" not in server.terminal()


async def served_again(server: Served) -> bool:
    """A new connection is served once the server has seen the held ones close (it may
    accept the next before it reads their end)."""
    for _ in range(int(WAIT_S * 10)):
        if await answers(server):
            return True
        await asyncio.sleep(0.1)
    return False


async def test_text_too_long_to_speak_is_refused_and_the_connection_serves_on(
    server: Served,
) -> None:
    """Twice what a bot of the server's config ever says (`tts.max_spoken_chars`, 300): text
    past it gets an `error` event and no audio; the same connection then has speech."""
    async with AsyncTcpClient(*server.address) as client:
        await client.write_event(Synthesize(text="Training finished. " * 40).event())
        error = refusal(await next_event(client), "text-too-long")
        assert "760 characters; at most 600" in error.text, error
        await client.write_event(Synthesize(text="Training started.").event())
        event = await next_event(client)  # the second request's: nothing came of the first
        assert event is not None and AudioStart.is_type(event.type), event
    assert "asked to speak over 600 characters: refused" in server.terminal()


async def request(client: AsyncTcpClient, names: Any, sentence: str) -> None:
    """A transcribe request with these names and the spoken sentence, up to its audio-stop."""
    await client.write_event(Transcribe(context={"trainer": {"lists": names}}).event())
    await client.write_event(AudioStart(**AUDIO).event())
    await client.write_event(AudioChunk(audio=utterance(sentence), **AUDIO).event())


async def heard(client: AsyncTcpClient) -> str:
    await client.write_event(AudioStop().event())
    event = await next_event(client)
    assert event is not None and Transcript.is_type(event.type), event
    return Transcript.from_event(event).text


TOO_MANY = {
    "names": ({"dataset": [f"set{n}" for n in range(201)]}, "too many names: 201"),
    "long name": ({"dataset": ["a" * 81]}, "longer than 80 characters"),
    "lists": ({f"list{n}": [] for n in range(9)}, "too many lists of names: 9"),
}


@pytest.mark.parametrize("names, why", TOO_MANY.values(), ids=TOO_MANY.keys())
async def test_too_many_names_are_refused_and_the_connection_serves_on(
    server: Served, names: Any, why: str
) -> None:
    """Names over the bounds: an `error` event, that utterance is not heard, and the same
    connection's next request is."""
    async with AsyncTcpClient(*server.address) as client:
        await request(client, names, "hey trainer train the model")
        assert why in refusal(await next_event(client), "too-many-names").text
        await client.write_event(AudioStop().event())  # the refused request ends: no answer
        await request(client, {"dataset": ["movie_reviews"]}, "hey trainer train the model")
        assert await heard(client) == "train the model"


async def test_each_client_is_heard_with_its_own_names(server: Served) -> None:
    """Two bots with different datasets, one's request inside the other's: each utterance is
    heard with the names its own request brought (one grammar for whoever asked last heard
    the first bot with the second's names)."""
    first, second = {"dataset": ["movie_reviews"]}, {"dataset": ["kaggle_tweets"]}
    async with AsyncTcpClient(*server.address) as one, AsyncTcpClient(*server.address) as two:
        for _ in range(2):
            await request(one, first, "hey trainer select dataset movie reviews")
            await request(two, second, "hey trainer select dataset kaggle tweets")
            assert await heard(two) == "select dataset kaggle tweets"
            assert await heard(one) == "select dataset movie reviews"


def test_names_sent_once_never_push_out_the_grammars_clients_come_back_for() -> None:
    """A client that sends new names with every request takes the spare grammar only; the
    grammars of the clients that come back are kept and not built again."""
    built: list[str] = []
    cache: GrammarCache[str] = GrammarCache(2)

    def get(key: str) -> str:
        return cache.get(key, lambda: built.append(key) or key)

    for _ in range(3):
        get("bot one")
        get("bot two")
    for n in range(100):
        get(f"new names {n}")
        assert (get("bot one"), get("bot two")) == ("bot one", "bot two")
    assert built.count("bot one") == built.count("bot two") == 1
    assert len(cache.kept) == 2 and cache.builds == 102
    get("new names 99")  # asked for again: kept now, the least recently used one goes
    assert list(cache.kept) == ["bot two", "new names 99"] and cache.builds == 102
