"""A small dataset's model measured on one held-out example: its report said "on 1 held-out
examples" and "measured on 1 examples held out of training" (in `status`, `test` and the job's
result), and `models` said aloud "t has 1 models"."""

from __future__ import annotations

from assistant.app import Assistant
from tests.consoles import TypedConsole

SEVEN = (
    'train ["a good film", "a great film", "a fine film", "a nice film", "a lovely film",'
    ' "a superb film", {"text": "a bad film", "label": "negative"}]'
)


async def test_one_held_out_example_is_one_example(app: Assistant) -> None:
    console = TypedConsole(app)
    assert (await console.send("create_dataset t"))["ok"]
    assert (await console.send(SEVEN))["ok"]
    await console.wait()
    model = app.store.current_model(app.store.active_dataset("console"))
    assert model is not None and model.metrics["n"] == 1, model
    announced = console.out.getvalue()
    status = (await console.send("status"))["text"]
    measured = (await console.send("test"))["text"]
    for text in (announced, status, measured):
        assert "1 examples" not in text, text
    assert "on 1 held-out example." in announced, announced
    assert "on 1 held-out example ·" in status, status
    assert "These numbers were measured on 1 example held out of training" in measured, measured
    assert (await console.send("models"))["speech"] == "t has 1 model."
    # and in Russian, whose one form serves 21 too
    assert (await console.send("language ru"))["ok"]
    russian = (await console.send("status"))["text"]
    assert "на 1 отложенном примере ·" in russian, russian
    assert (await console.send("models"))["speech"] == "У набора t 1 модель."
