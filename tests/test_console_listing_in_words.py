"""The listing commands asked for in words: "show examples" and "show me the examples" found no
command, "list models" asked whether `help` was meant, and in a Russian server "покажи
примеры" suggested the guide (`руководство`)."""

from __future__ import annotations

from pathlib import Path

from assistant.app import Assistant
from tests.consoles import TypedConsole

ASKED = {
    "en": {
        "show examples": "examples",
        "show me the examples": "examples",
        "list models": "models",
        "show me the model versions": "models",
        "what models do we have": "models",
    },
    "ru": {
        "покажи примеры": "examples",
        "покажи модели": "models",
        "какие у нас модели": "models",
        "покажи статус": "status",  # other lines keep their commands
    },
}


async def test_examples_and_models_asked_for_in_words(app: Assistant, reviews: Path) -> None:
    console = TypedConsole(app)
    assert (await console.send("select_dataset reviews"))["ok"]
    for language, asked in ASKED.items():
        assert (await console.send(f"language {language}"))["ok"]
        said = {line: (await console.send(line))["command"] for line in asked}
        assert said == asked, said
    assert (await console.send("language en"))["ok"]
    assert (await console.send("show me an example of a command"))["command"] != "examples"
