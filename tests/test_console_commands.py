"""Command lines typed at the console that once went wrong: what the user sees, and that a
refused line changes nothing in the database or the data root."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.app import Assistant
from tests.consoles import TypedConsole
from tests.test_refusals import snapshot

HUGE = "99999999999999999999999"
"""Larger than any integer SQLite stores (it raised OverflowError in the query)."""
LARGEST = "9,223,372,036,854,775,807"
NO_PREDICTIONS = "That reply made no predictions, so it has no items or labels to correct"


def kept(app: Assistant) -> dict[str, Any]:
    """What a command could change (tests/test_refusals.py), less the console's own count of
    the message numbers it gave out: every line typed takes numbers, refused or not."""
    rows = snapshot(app)
    rows["counters"] = [c for c in rows["counters"] if "console message" not in c]
    return rows


async def refused_and_unchanged(app: Assistant, console: TypedConsole, line: str) -> str:
    """Type a line that must be refused; its reply's text, once nothing changed."""
    before = kept(app)
    reply = await console.send(line)
    assert not reply["ok"], (line, reply)
    assert "went wrong" not in reply["text"], (line, reply)
    assert kept(app) == before, (line, reply["text"])
    return str(reply["text"])


async def refused_in_russian(app: Assistant, console: TypedConsole, line: str) -> str:
    """The console switched to Russian, then `line` refused there; the refusal's text."""
    assert (await console.send("language ru"))["ok"]
    return await refused_and_unchanged(app, console, line)


async def test_create_dataset_names_a_link_out_of_the_data_folder_as_one(
    app: Assistant, tmp_path: Path
) -> None:
    """`create_dataset escape`, where `escape` in the data root links outside it, said "`escape`
    is a folder in the data folder; `select_dataset escape` uses it", which then refused it;
    where the link's target was gone, the dataset was created beside it."""
    outside = tmp_path / "elsewhere"
    (outside / "positive").mkdir(parents=True)
    (outside / "positive" / "1.txt").write_text("not ours", encoding="utf-8")
    (app.root.root / "escape").symlink_to(outside, target_is_directory=True)
    console = TypedConsole(app)
    assert await refused_and_unchanged(app, console, "create_dataset escape") == (
        "`escape` in the data folder is a link to a place outside it, so it is neither a folder"
        " to select nor a name a dataset can take; nothing was created. Choose another name."
    )
    assert await refused_in_russian(app, console, "create_dataset escape") == (
        "`escape` в папке данных — ссылка на место за её пределами: это не папка, которую можно"
        " выбрать, и не имя, которое может взять набор; ничего не создано. Выберите другое имя."
    )
    (app.root.root / "gone").symlink_to(tmp_path / "removed", target_is_directory=True)
    before = sorted(p.name for p in app.root.root.iterdir())
    refused = await console.send("create_dataset gone")
    assert not refused["ok"] and refused["text"].startswith("`gone` в папке данных — ссылка")
    assert app.store.datasets("console") == [] and app.store.active_dataset("console") is None
    assert sorted(p.name for p in app.root.root.iterdir()) == before
    assert not (tmp_path / "removed").exists()


async def test_a_created_dataset_is_selected_by_name_once_folders_joined_it(
    app: Assistant, reviews: Path
) -> None:
    console = TypedConsole(app)
    assert (await console.send("create_dataset t1"))["ok"]
    joined = await console.send("select_dataset reviews false")
    assert joined["text"] == (
        "Active dataset: **t1**. Folder `reviews` as its **negative** examples: negative 300."
    )
    assert (await console.send("select_dataset reviews"))["ok"]
    chosen = await console.send("select_dataset t1")
    assert chosen["ok"], chosen
    assert (
        chosen["text"]
        == "Active dataset: **t1** (0 added examples).\nFolder `reviews` as **negative**."
    )
    assert app.store.active_dataset("console").name == "t1"
    assert "t1" in (await console.send("select_dataset"))["data"]["datasets"]
    # the refusal's hint, `select_dataset t1`, is what worked just above
    hint = await refused_and_unchanged(app, console, "create_dataset t1")
    assert hint == "There is already a dataset **t1**; `select_dataset t1` uses it."

    # a sub-folder as the positive examples, the same way
    assert (await console.send("create_dataset t2"))["ok"]
    assert (await console.send("select_dataset reviews/positive true"))["ok"]
    assert (await console.send("select_dataset reviews"))["ok"]
    chosen = await console.send("select_dataset t2")
    assert chosen["text"] == (
        "Active dataset: **t2** (0 added examples).\nFolder `reviews/positive` as **positive**."
    )

    # The stored dataset's name wins over a folder of that name made later: the folder does
    # not join it.
    (reviews.parent / "t1" / "positive").mkdir(parents=True)
    (reviews.parent / "t1" / "positive" / "1.txt").write_text("a lovely day", encoding="utf-8")
    chosen = await console.send("select_dataset t1")
    assert chosen["text"].startswith("Active dataset: **t1** (0 added examples).")
    assert app.store.dataset("console", "t1").folders == (("reviews", "negative"),)

    # A dataset made from a folder bears the folder's name: selecting it reads the folder again.
    again = await console.send("select_dataset reviews")
    assert again["text"] == (
        "Active dataset: **reviews**. Folder `reviews`: negative 150, positive 150."
    )


async def test_a_reply_that_predicted_nothing_takes_no_item_or_label(
    app: Assistant, reviews: Path
) -> None:
    """`correct` of a status or dataset reply is a note in words (the help: "Correct one of my
    replies"); an item number or a lone label can only be meant for a prediction."""
    console = TypedConsole(app)
    listing = await console.send("select_dataset")
    chosen = await console.send("select_dataset reviews")
    for line in (
        f"correct #{chosen['id']} 2 negative",
        f"correct #{chosen['id']} 5 negative",
        f"correct #{chosen['id']} 2",
        f"correct #{chosen['id']} 2=negative",
        f"correct #{listing['id']} negative",
    ):
        text = await refused_and_unchanged(app, console, line)
        assert text.startswith(NO_PREDICTIONS) and "replies of `test`" in text, (line, text)
    noted = await console.send(f"correct #{chosen['id']} it says negative 150 twice")
    assert noted["ok"] and noted["text"] == "Thanks! Your correction is saved."
    stored = [(c.message_id, c.kind, c.correction) for c in app.store.corrections("console")]
    assert stored == [(chosen["id"], "info", "it says negative 150 twice")]


async def test_an_item_number_is_never_read_as_part_of_a_label(
    app: Assistant, reviews: Path
) -> None:
    """Against real predictions: an item a reply does not have is refused, with one
    prediction too, and digits run together (`12`) are no item and label."""
    console = TypedConsole(app)
    await console.send("select_dataset reviews")
    assert (await console.send("train"))["ok"]
    await console.wait()
    two = await console.send('test ["a lovely film", "a dull film"]')
    one = await console.send('test ["what a film"]')
    assert two["kind"] == one["kind"] == "prediction", (two, one)
    cases = {
        f"correct #{two['id']} 5 negative": "That reply has items 1 to 2; there is no item 5.",
        f"correct #{one['id']} 5 negative": "That reply has items 1 to 1; there is no item 5.",
        f"correct #{two['id']} 12": (
            "That reply has 2 predictions; say which one, e.g. `2 negative`."
        ),
    }
    for line, expected in cases.items():
        assert await refused_and_unchanged(app, console, line) == expected
    fixed = await console.send(f"correct #{one['id']} 1 negative")
    assert fixed["ok"] and "“what a film” is **negative**" in fixed["text"], fixed
    fixes = app.store.corrections("console", "prediction")
    assert [(c.original, c.correction) for c in fixes] == [("what a film", "negative")]


async def test_numbers_too_large_for_the_database_are_refused_with_a_message(
    app: Assistant, reviews: Path
) -> None:
    console = TypedConsole(app)
    await console.send("create_dataset t1")
    added = await console.send('train "hello there"')  # one label: stored, no job yet
    assert added["ok"] and added["job_id"] is None, added
    for line, name, typed in [
        (f"examples {HUGE}", "page", HUGE),
        (f"cancel {HUGE}", "job", HUGE),
        (f"relabel #{HUGE} positive", "example", f"#{HUGE}"),
        (f"remove #{HUGE}", "example", f"#{HUGE}"),
    ]:
        text = await refused_and_unchanged(app, console, line)
        assert text == f"`{name}` must be a whole number from 1 to {LARGEST}, not `{typed}`."
    for line, name, typed in [("examples 0", "page", "0"), ("cancel -3", "job", "-3")]:
        text = await refused_and_unchanged(app, console, line)
        assert text == f"`{name}` must be a whole number of 1 or more, not `{typed}`."
    long = await refused_and_unchanged(app, console, "examples " + "9" * 5_000)
    assert long.startswith(f"`page` must be a whole number from 1 to {LARGEST}, not `999")
    assert len(long) < 200 and "…" in long, long  # the digits are not all repeated back
    # the largest number the database holds is looked up, and is simply not there
    largest = LARGEST.replace(",", "")
    assert await refused_and_unchanged(app, console, f"cancel {largest}") == (
        f"There is no job {largest}."
    )
    assert (await refused_and_unchanged(app, console, f"remove #{largest}")).startswith(
        f"**t1** has no added example #{largest};"
    )


async def test_a_page_past_the_last_is_refused_saying_how_many_there_are(
    app: Assistant, reviews: Path
) -> None:
    console = TypedConsole(app)
    await console.send("create_dataset t1")
    await console.send('train "hello there"')
    text = await refused_and_unchanged(app, console, "examples 2")
    assert text == (
        "There is no page 2: the added examples of **t1** fit on one page; `examples` shows it."
    )
    (reviews.parent / "many.txt").write_text(
        "\n".join(f"line {n}" for n in range(30)), encoding="utf-8"
    )
    assert (await console.send("train file:many.txt"))["ok"]
    text = await refused_and_unchanged(app, console, "examples 3")
    assert text == (
        "There is no page 3: the added examples of **t1** fill 2 pages;"
        " `examples 2` shows the last."
    )
    last = await console.send("examples 2")
    assert last["ok"] and "page 2 of 2 (31 in all)" in last["text"], last


async def test_a_folder_dataset_selected_again_keeps_the_label_it_was_given(
    app: Assistant, reviews: Path
) -> None:
    """`select_dataset reviews/positive true` makes a dataset of that folder as positive
    examples; selecting it again by its name must not drop the label."""
    console = TypedConsole(app)
    assert (await console.send("select_dataset reviews/positive true"))["ok"]
    assert (await console.send("select_dataset reviews"))["ok"]
    again = await console.send("select_dataset reviews/positive")
    assert again["ok"] and again["data"]["label"] == "positive", again
    dataset = app.store.active_dataset("console")
    assert dataset is not None and dataset.folders == (("reviews/positive", "positive"),)


async def test_a_folder_dataset_whose_folder_was_deleted_is_still_selected(
    app: Assistant, reviews: Path
) -> None:
    """Its added examples and models remain: selecting it by name must not answer that the
    folder is not there."""
    import shutil

    console = TypedConsole(app)
    assert (await console.send("select_dataset reviews"))["ok"]
    assert (await console.send('train "a film I will remember" true'))["ok"]
    assert (await console.send("create_dataset other"))["ok"]
    shutil.rmtree(reviews)
    again = await console.send("select_dataset reviews")
    assert again["ok"], again
    assert again["text"].startswith("Active dataset: **reviews** (1 added example)."), again
    assert app.store.active_dataset("console").name == "reviews"


async def test_a_dataset_named_in_a_sentence_is_looked_for_even_when_unknown(
    app: Assistant, reviews: Path
) -> None:
    """ "use dataset linkout" named no known dataset, so no template matched and its words
    went to `select_dataset` as arguments: the folder `dataset` selected as `linkout`."""
    console = TypedConsole(app)
    for line in (
        "use dataset linkout",
        "use the linkout dataset",
        "use dataset linkout as positive",
    ):
        text = await refused_and_unchanged(app, console, line)
        assert text == "There is no `linkout` in the data folder.", (line, text)
    chosen = await console.send("use the dataset reviews as positive")
    assert chosen["ok"] and chosen["data"]["label"] == "positive", chosen
    listed = await console.send("use a dataset")
    assert listed["ok"] and "reviews" in listed["data"]["datasets"], listed
    assert (await console.send("language ru"))["ok"]
    text = await refused_and_unchanged(app, console, "выбери датасет линкаут")
    assert text == "В папке данных нет `линкаут`.", text


async def test_cancel_answers_once(app: Assistant, reviews: Path) -> None:
    """`cancel` printed two answers: its own, then the job's "Training job #1 on `reviews` was
    cancelled." announcement saying the same again."""
    console = TypedConsole(app)
    assert (await console.send("select_dataset reviews"))["ok"]
    started = await console.send("train")
    before = len(console.out.getvalue())
    cancelled = await console.send("cancel")
    await console.wait()
    printed = [json.loads(line) for line in console.out.getvalue()[before:].splitlines()]
    job = started["job_id"]
    assert [p["text"] for p in printed] == [f"Cancelled training job #{job} on **reviews**."]
    assert cancelled["ok"] and app.store.job(job).status == "cancelled"


async def test_no_datasets_is_said_without_the_server_path(app: Assistant) -> None:
    """With no dataset yet, `select_dataset` named the data root's absolute path on the server
    ("Put folders of `.txt` files in `/srv/trainer/data`")."""
    console = TypedConsole(app)
    listed = await console.send("select_dataset")
    assert listed["ok"] and listed["data"] == {"datasets": []}, listed
    assert listed["text"] == (
        "The data folder has no datasets yet. Put folders of `.txt` files in it, or add"
        " examples with `train`."
    )
    assert (await console.send("language ru"))["ok"]
    listed = await console.send("select_dataset")
    assert listed["text"] == (
        "В папке данных пока нет наборов. Положите в неё папки с файлами `.txt` или добавьте"
        " примеры командой `train`."
    )


async def test_test_measures_the_model_on_a_named_dataset(app: Assistant, reviews: Path) -> None:
    """`test movie reviews` was "That is not valid JSON": `test` took only sentences. Now it
    measures the active dataset's model on another dataset's labelled examples."""
    from tests.corpus import write_folder_dataset

    write_folder_dataset(reviews.parent, name="movie reviews", per_label=4)
    console = TypedConsole(app)
    text = await refused_and_unchanged(app, console, "test movie reviews")
    assert text.startswith("There is no active dataset yet"), text
    assert (await console.send("select_dataset reviews"))["ok"]
    assert (await console.send("train"))["ok"]
    await console.wait()
    model = app.store.current_model(app.store.active_dataset("console")).version

    measured = await console.send("test movie reviews")
    assert measured["ok"] and measured["data"]["measured_on"] == "movie reviews", measured
    head, *lines = measured["text"].splitlines()
    last = next(line for line in lines if line.startswith("Measured on"))
    assert head.startswith(
        f"8 predictions with model **{model}** on **reviews**, for the examples of"
        " **movie reviews**: "
    ), head
    assert last.startswith("Measured on the 8 labelled examples of **movie reviews**;"), last
    assert measured["data"]["metrics"]["accuracy"] == 1.0, measured["text"]
    assert [Path(f).name.split("-", 1)[1] for f in measured["files"]] == [
        "confusion_matrix.png",
        "predictions.json",
    ]
    again = await console.send("test dataset:movie reviews please")
    assert again["data"]["predictions"] == measured["data"]["predictions"], again

    negative = await console.send("test reviews/negative")  # a label folder: its name labels
    assert {p["label"] for p in negative["data"]["predictions"]} == {"negative"}, negative

    own = await console.send("test reviews")
    assert own["text"].startswith(
        "**reviews** is the dataset this model learnt from: measured on its own examples it"
        " would look better than it is, so here are its figures on the examples held out"
        " from training.\nCurrent model"
    ), own
    assert own["data"]["metrics"]["evaluated_on"] == "held_out"

    text = await refused_and_unchanged(app, console, "test what a lovely film")
    assert text == (
        "There is no dataset or folder `what a lovely film`. `test <dataset>` measures the"
        " model on a dataset's labelled examples; to classify sentences, give them as a JSON"
        ' list: `test ["great film", "boring"]`.'
    ), text
    app.config.limits.test_items = 5
    text = await refused_and_unchanged(app, console, "test movie reviews")
    assert text == (
        "`movie reviews` has 8 examples; `test` measures at most 5 at once"
        " (`limits.test_items` in config.yaml)."
    ), text
    app.config.limits.test_items = 5000
    assert (await console.send('test ["a lovely film", "dull"]'))["ok"]

    assert (await console.send("language ru"))["ok"]
    russian = await console.send("test movie reviews")
    assert russian["text"].startswith(
        f"Предсказаний: 8, модель **{model}** на **reviews**, для примеров **movie reviews**: "
    ), russian
    text = await refused_and_unchanged(app, console, "test что-то непонятное")
    assert text.startswith("Нет набора или папки `что-то непонятное`."), text


async def test_test_on_another_dataset_says_how_many_of_its_examples_were_trained_on(
    app: Assistant,
) -> None:
    """`test <dataset>` gave its figures without a word that the other dataset held texts the
    model had learnt from: on those it was marked on its own homework, and the figure
    flattered it. The reply counts them (the held-out ones were not learnt from)."""
    from tests.corpus import write_folder_dataset

    write_folder_dataset(app.root.root, name="reviews", per_label=10)
    more = write_folder_dataset(app.root.root, name="more reviews", per_label=10)  # same texts
    fresh = ["an unseen and wonderful picture", "a dreadful evening at the cinema"]
    for label, text in zip(("positive", "negative"), fresh, strict=True):
        (more / label / "new.txt").write_text(text, encoding="utf-8")
        (app.root.root / "fresh" / label).mkdir(parents=True)
        (app.root.root / "fresh" / label / "1.txt").write_text(text, encoding="utf-8")
    console = TypedConsole(app)
    assert (await console.send("select_dataset reviews"))["ok"]
    assert (await console.send("train"))["ok"]
    await console.wait()
    model = app.store.current_model(app.store.active_dataset("console"))
    assert model.metrics["evaluated_on"] == "held_out", model.metrics
    held_out = sum(int(row["support"]) for row in model.metrics["per_label"].values())
    learnt = 20 - held_out  # every text of `reviews` is in `more reviews`
    assert 0 < learnt < 20, held_out

    measured = await console.send("test more reviews")
    assert measured["ok"] and measured["data"]["trained_on"] == learnt, measured
    assert measured["text"].splitlines()[-1] == (
        f"{learnt} of these 22 examples were also trained on (the same texts), so these"
        f" figures flatter model **{model.version}**."
    ), measured["text"]
    unseen = await console.send("test fresh")
    assert unseen["ok"] and unseen["data"]["trained_on"] == 0, unseen
    assert "trained on" not in unseen["text"], unseen["text"]
    assert (await console.send("language ru"))["ok"]
    russian = await console.send("test more reviews")
    assert russian["text"].splitlines()[-1] == (
        f"Из этих примеров (22) модель **{model.version}** уже видела при обучении: {learnt}"
        " (те же тексты), поэтому эти цифры её приукрашивают."
    ), russian["text"]


async def test_sentences_in_single_or_guillemet_quotes_are_classified(
    app: Assistant, reviews: Path
) -> None:
    """People quote a sentence as they write it, not as JSON: `test 'what a film'` was
    refused as "not valid JSON"."""
    console = TypedConsole(app)
    await console.send("select_dataset reviews")
    assert (await console.send("train"))["ok"]
    await console.wait()
    for line, sentences in (
        ("test 'a lovely film'", ["a lovely film"]),
        ("test 'don't watch it, a dull film'", ["don't watch it, a dull film"]),
        ("test 'a lovely film' 'a dull film'", ["a lovely film", "a dull film"]),
        ("test ‘what a film’", ["what a film"]),
        ("test «какой фильм»", ["какой фильм"]),
    ):
        reply = await console.send(line)
        assert reply["ok"] and reply["kind"] == "prediction", (line, reply)
        shown = [p["text"] for p in reply["data"]["predictions"]]
        assert shown == sentences, (line, reply["data"])
    # an unclosed quote is still refused, saying so
    refused = await console.send("test 'a lovely film")
    assert not refused["ok"] and "never closed" in refused["text"], refused
