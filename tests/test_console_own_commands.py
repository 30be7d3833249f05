"""The console's own commands take only their own lines: "wait, cancel that" waited for jobs
and said nothing, and "say hi" looked for an audio file called `hi`. `wait` alone and `say`
with files are the console's; other lines that begin with those words are for the bot."""

from __future__ import annotations

from assistant.app import Assistant
from tests.consoles import TypedConsole


async def test_lines_that_begin_with_wait_or_say_reach_the_bot(app: Assistant) -> None:
    console = TypedConsole(app)
    greeted = await console.send("say hi")
    assert greeted["command"] == "hi" and greeted["ok"], greeted
    cancelled = await console.send("wait, cancel that")
    assert cancelled["command"] == "cancel", cancelled
    assert cancelled["text"] == "No training job is running.", cancelled
    missing = await console.send("say nothing.wav")
    assert missing["text"] == "No such file: nothing.wav", missing
