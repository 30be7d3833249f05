"""`test` of a file labelled with thousands of labels the model never learnt (a column of ids
taken for labels): the reply named every one of them, 3,000 labels in 26,000 characters of one
message (on Discord, pages of them), to say that those items were left out."""

from __future__ import annotations

from pathlib import Path

from assistant.app import Assistant
from tests.test_console_data_fixes import trained


async def test_labels_never_learnt_are_named_a_few_and_counted(
    app: Assistant, reviews: Path, tmp_path: Path
) -> None:
    console, model = await trained(app)
    rows = "".join(f"text number {i},lab{i}\n" for i in range(3000))
    labelled = tmp_path / "ids.csv"
    labelled.write_text("text,label\n" + rows + "a lovely film,positive\n", encoding="utf-8")
    reply = await console.send(f"test +attach {labelled}")
    assert reply["ok"], reply["text"]
    named = ", ".join(f"lab{i}" for i in range(10))
    assert (
        f"Labels model **{model}** was never trained on (it knows negative, positive): {named}"
        " and 2,990 more. It cannot predict them, so the 3,000 items labelled with them are left"
        " out of the figures."
    ) in reply["text"], reply["text"][-600:]
    assert "lab10," not in reply["text"] and len(reply["text"]) < 4000, len(reply["text"])
    # every one is still in the reply's data, for scripts, and each item in predictions.json
    assert len(reply["data"]["unknown_labels"]) == 3000
    assert (await console.send("language ru"))["ok"]
    russian = await console.send(f"test +attach {labelled}")
    assert f"(её метки: negative, positive): {named} и ещё 2\u00a0990." in russian["text"], russian[
        "text"
    ][-600:]
    # a few are named all
    few = await console.send('test [{"text": "x", "label": "a"}, {"text": "y", "label": "b"}]')
    assert "): a, b. " in few["text"], few["text"]
