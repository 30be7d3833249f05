"""`check ["great film"]`, the JSON list `help` shows after `test`, written after the word people
use: "I didn't find a command in that", though `check "great film"` and `classify ["great
film"]` classified it; in a Russian server `проверь ["классный фильм"]` likewise."""

from __future__ import annotations

from pathlib import Path

from assistant.app import Assistant
from tests.test_console_commands import refused_and_unchanged
from tests.test_console_data_fixes import trained


async def test_a_json_list_after_check_is_classified(app: Assistant, reviews: Path) -> None:
    console, _ = await trained(app)
    for line, texts in (
        ('check ["a lovely film"]', ["a lovely film"]),
        ('check ["a lovely film", "dull and slow"]', ["a lovely film", "dull and slow"]),
        ('score [{"text": "a lovely film", "label": "positive"}]', ["a lovely film"]),
    ):
        reply = await console.send(line)
        assert reply["ok"] and reply["command"] == "test", (line, reply["text"])
        assert [p["text"] for p in reply["data"]["predictions"]] == texts, (line, reply["data"])
    # brackets that hold no JSON list are no sentence to classify: "check status", as before
    assert (await console.send("check [status]"))["command"] == "status"
    text = await refused_and_unchanged(app, console, 'check ["a lovely film"')
    assert "Did you mean `test`?" in text, text
    assert (await console.send("language ru"))["ok"]
    russian = await console.send('проверь ["классный фильм"]')
    assert russian["ok"] and russian["command"] == "test", russian["text"]
    assert [p["text"] for p in russian["data"]["predictions"]] == ["классный фильм"]
