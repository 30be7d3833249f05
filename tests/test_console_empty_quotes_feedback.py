"""`feedback ""`, `feedback "   "` and `feedback «»` each stored a feedback of nothing but quotes
(the admins' listing showed `#2 console: " "`), and `correct #N ""` a correction of a reply of
mine that said nothing: refused with the usage, and nothing stored."""

from __future__ import annotations

from assistant.app import Assistant
from tests.consoles import TypedConsole
from tests.test_console_commands import refused_and_unchanged


async def test_quotes_around_nothing_are_no_feedback(app: Assistant) -> None:
    console = TypedConsole(app)
    for line in ('feedback ""', 'feedback "   "', "feedback «»", "feedback ' '"):
        text = await refused_and_unchanged(app, console, line)
        assert text == "Usage: `feedback <your text>`.", (line, text)
    assert app.store.feedback("console", limit=10) == []
    hello = await console.send("hi")
    text = await refused_and_unchanged(app, console, f'correct #{hello["id"]} ""')
    assert text.startswith("Usage: `correct"), text
    assert app.store.corrections("console") == []
    # quoted words are feedback as written, quotes and all
    assert (await console.send('feedback "the bot is slow"'))["ok"]
    assert [f.text for f in app.store.feedback("console", limit=10)] == ['"the bot is slow"']
