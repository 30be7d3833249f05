"""Typed lines of crowds the first templates did not hear: British, Irish and Australian idiom
("off you pop", "what's the craic with the training"), data scientists' jargon ("run a fit",
"eval on the holdout"), tags around a request ("..., ta", "be a love and ..."), Russian
diminutives and older people's ways of calling the bot ("упакуй, милок, эту папочку"), a
particle after a verb ("зайди-ка"), a question before a colon, and a command's name followed by
a sentence that says it. Lines of our own in the families bench/phrasings_fresh10.json's tuning
half showed; a second pass added the slash of slash commands, filler words, plain words of
people who are not technical, data scientists' status questions, English command names before
Russian words of the command, diminutives written out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.app import Assistant
from tests.consoles import TypedConsole
from tests.corpus import write_folder_dataset
from tests.test_typed_phrasings import misread, read, with_names
from transports.console import GUILD

ENGLISH: list[tuple[str, str, dict[str, Any]]] = [
    ("g'day trainer", "hi", {}),
    ("hello there, how's things", "hi", {}),
    ("be a dear and hop on the voice call", "join", {}),
    ("pop into the voice channel with us, ta", "join", {}),
    ("righto, off you go from the call", "leave", {}),
    ("you can head off out of the voice room now", "leave", {}),
    ("kick off a fresh fit on movie reviews", "train", {"data_dir": "movie_reviews"}),
    ("give the classifier a quick retrain tonight", "train", {}),
    ("evaluate the model on the held out split from movie_reviews", "test",
     {"dataset": "movie_reviews"}),
    ("give me a quick test of the classifier with kaggle tweets", "test",
     {"dataset": "kaggle_tweets"}),
    ("do inference on: the waiter ignored us all night", "test",
     {"json": '"the waiter ignored us all night"'}),
    ("what does the classifier think of 'a solid little thriller'", "test",
     {"json": '"a solid little thriller"'}),
    ("what sort of review is this: the pasta was divine", "test",
     {"json": '"the pasta was divine"'}),
    ("pack up my data into a zip file", "archive", {}),
    ("tuck kaggle tweets away in an archive for safekeeping", "archive", {"dir": "kaggle_tweets"}),
    ("set movie_reviews as the current dataset for the next training", "select_dataset",
     {"dir": "movie_reviews"}),
    ("switch over to the other folder please", "select_dataset", {}),
    ("switch the current dataset", "select_dataset", {}),
    ("could you make the dataset the active one", "select_dataset", {}),
    ("what commands do you support?", "help", {}),
    ("could i get a quick guide on how to use the bot", "instruction", {}),
    ("how should i go about testing the classifier", "instruction", {}),
    ("wrong prediction, the actual label is negative", "correct", {"text": "negative"}),
    # a dash inside a clause between commas ("the right answer — negative")
    ("the prediction was wrong, the correct label — negative", "correct", {"text": "negative"}),
    ("bung me report.txt there's a good lad", "getfile", {"path": "report.txt"}),
    ("what's the story with the training job", "status", {}),
    ("stop the run there, cheers", "cancel", {}),
    # no template says these, but they name the guild's data and their words say the command
    ("I'd love a zipped copy of the whole kaggle tweets directory", "archive",
     {"dir": "kaggle_tweets"}),
    ("please get report.txt over to me", "getfile", {"path": "report.txt"}),
    ("it's a really handy little bot", "feedback", {"text": "it's a really handy little bot"}),
    ("honestly the bot's replies are too long", "feedback",
     {"text": "honestly the bot's replies are too long"}),
    # the second pass over fresh10's tuning half: its families in lines of our own.
    # the slash of Discord's slash commands typed before a line
    ("/status", "status", {"text": ""}),
    ("/please join the voice channel", "join", {}),
    # filler words around the request
    ("like, can you just join voice real quick", "join", {}),
    ("um, basically, leave the voice chat", "leave", {}),
    ("you can hang up now", "leave", {}),
    # plain words of people who are not technical
    ("make the computer learn from my examples", "train", {}),
    ("teach the model again with the new data", "train", {}),
    ("what can this bot do", "help", {}),
    ("what are you good for then", "help", {}),
    ("How Do I Archive A Folder", "instruction", {}),
    # a guide on a task, asked with or without a command's mark
    ("!tutorial on training", "instruction", {}),
    ("any guide on how to upload data?", "instruction", {}),
    ("Give the model a quick test, would you", "test", {}),
    ("is this review good or bad: the staff were lovely", "test",
     {"json": '"the staff were lovely"'}),
    ("swap to kaggle tweets, ta", "select_dataset", {"dir": "kaggle_tweets"}),
    # data scientists' words
    ("ground truth is positive for that one", "correct", {"text": "positive"}),
    ("what epoch is it on", "status", {}),
    ("how long left on the training", "status", {}),
    ("what's the loss at now?", "status", {}),
    # opinions and reports of a command, kept whole
    ("love the bot but it crashes a lot", "feedback",
     {"text": "love the bot but it crashes a lot"}),
    ("I think the bot should show the loss curve", "feedback",
     {"text": "I think the bot should show the loss curve"}),
    ("the archive command is broken", "feedback", {"text": "the archive command is broken"}),
    ("Fair play to you, it's a grand little bot", "feedback",
     {"text": "Fair play to you, it's a grand little bot"}),
    ("dump report.txt in the channel", "getfile", {"path": "report.txt"}),
    # idioms for stopping
    ("knock the training on the head", "cancel", {}),
    ("pull the plug on the training", "cancel", {}),
    ("scrap that training run", "cancel", {}),
    # the model as people who are not technical call it, and what they say of it
    ("can you make the model smarter with my data", "train", {}),
    ("start the learning thing", "train", {}),
    ("can you check if the computer is any good", "test", {}),
    ("is the computer still learning?", "status", {}),
    ("how's the training coming along, mate", "status", {}),
    ("no, that one was a good review", "correct", {"text": "positive"}),
    ("I don't understand how this works, can you explain?", "instruction", {}),
    ("what sort of things can you do for me", "help", {}),
    ("I find the bot a bit confusing", "feedback", {"text": "I find the bot a bit confusing"}),
    ("I need to look at report.txt", "getfile", {"path": "report.txt"}),
    ("well hello there", "hi", {}),
    # a time said after the request
    ("run training on movie reviews in ten minutes", "train", {"data_dir": "movie_reviews"}),
]  # fmt: skip

RUSSIAN: list[tuple[str, str, dict[str, Any]]] = [
    ("привет-привет, как делишки", "hi", {}),
    ("зайди-ка в голосовой канал", "join", {}),
    ("выйди из голосового канальчика, спасибки", "leave", {}),
    ("научите, дружок, вашу модель заново", "train", {}),
    ("запустите переобучение модели на kaggle tweets", "train", {"data_dir": "kaggle_tweets"}),
    ("проверь модельку на фразе «суп остыл»", "test", {"json": '"суп остыл"'}),
    ("какой это текст, позитивный или негативный: курьер был вежлив", "test",
     {"json": '"курьер был вежлив"'}),
    ("упакуй, голубчик, эту папочку в архив", "archive", {}),
    ("назначьте movie_reviews основным датасетом", "select_dataset", {"dir": "movie_reviews"}),
    ("перейди на другой набор данных", "select_dataset", {}),
    ("назови все свои команды", "help", {}),
    ("где можно почитать руководство по обучению модели?", "instruction", {}),
    ("пришли мне этот файлик report.txt", "getfile", {"path": "report.txt"}),
    ("как там поживает обучение?", "status", {}),
    ("прекратите текущее обучение", "cancel", {}),
    ("предсказание неверное, правильный ответ — позитивный", "correct", {"text": "positive"}),
    # an English command's name in a Russian server: its words are that command's
    ("archive movie reviews", "archive", {"dir": "movie_reviews"}),
    # the second pass over fresh10's tuning half: its families in lines of our own.
    # diminutives written out even where a template has them ("модельку"); the bot as "ботик"
    ("Научи модельку заново, голубчик", "train", {}),
    ("Ботик хороший, но часто тормозит", "feedback", {"text": "Ботик хороший, но часто тормозит"}),
    # "нет" before the right label, pet names of older people, formal "Вы"
    ("Нет, это позитивный отзыв", "correct", {"text": "positive"}),
    ("Нет, милок, это плохой отзыв, негативный", "correct", {"text": "negative"}),
    ("Заходи-ка в голосовой чат, внучок", "join", {}),
    ("Как с Вами работать?", "instruction", {}),
    ("Сколько ещё осталось обучаться?", "status", {}),
    ("Остановите, пожалуйста, всё", "cancel", {}),
    # an English command's name, then Russian words of that command and a dataset's name
    ("train на movie reviews", "train", {"data_dir": "movie_reviews"}),
    ("test на kaggle tweets сделай", "test", {"dataset": "kaggle_tweets"}),
    ("cancel обучение", "cancel", {}),
    ("train на movie_reviews давай", "train", {"data_dir": "movie_reviews"}),
    ("Приветствую Вас", "hi", {}),
    ("Где Ваша инструкция?", "instruction", {}),
    ("Какие командочки есть?", "help", {}),
    ("Ботик работает медленно", "feedback", {"text": "Ботик работает медленно"}),
]  # fmt: skip

CHAT = {
    # a head that asks names no feedback; so is a line about the weather
    "en": [
        "what kind of feedback is this: the weather was awful",
        "give the dog a bath tonight",
        "hey guys, how's everyone doing?",  # greets others
        # names of the data in chat: "report" is no file's whole name
        "we read movie reviews before picking a film",
        "my boss wants the report by monday",
        # feedback for someone else; "give you" that gives no score; Discord's "/me"
        "my feedback for marketing: shorter emails please",
        "I'll give you a bell when the train gets in",
        "/me wants to train harder this year",
        "how do I train for a marathon",
        "the cancel button is broken on my phone",
        "like I said the train was late",
        # what the writer will do, said of themselves
        "sorry, I'll send the report later",
        "we'll test the model on kaggle tweets",
        "I'll archive the movie reviews folder later",
    ],
    "ru": [
        "какой отзыв ты оставил: не помню",
        "научи сына кататься на велосипеде",
        "Нет, это был хороший фильм",
        "пожелание для соседей: потише ночью",
        "я сам потом заархивирую папку movie_reviews",
    ],
}


async def test_english_lines_of_new_crowds_are_read_as_their_commands(app: Assistant) -> None:
    with_names(app)
    assert misread(app, ENGLISH) == []


async def test_russian_lines_of_new_crowds_are_read_as_their_commands(app: Assistant) -> None:
    with_names(app)
    app.store.set_guild_language(GUILD, "ru")
    assert misread(app, RUSSIAN) == []


async def test_their_chat_stays_chat(app: Assistant) -> None:
    with_names(app)
    for language, lines in CHAT.items():
        app.store.set_guild_language(GUILD, language)
        assert [(line, got) for line in lines if (got := read(app, line)) is not None] == []


async def test_a_commands_name_then_a_sentence_that_says_it_runs_it(app: Assistant) -> None:
    """ "cancel, stop the training" was answered "Did you mean `cancel`? Type `cancel` alone
    to run it."; the sentence after the name says the same command."""
    with_names(app)
    console = TypedConsole(app)
    reply = await console.send("cancel, stop the training")
    assert reply["command"] == "cancel" and reply["text"] == "No training job is running.", reply
    app.store.set_guild_language(GUILD, "ru")
    reply = await console.send("cancel, останови обучение")
    assert reply["text"] == "Сейчас не выполняется ни одна задача обучения.", reply
    # a sentence that says another command is still not run in its place
    reply = await console.send("cancel, train the model")
    assert reply["command"] != "train" and not reply["ok"], reply


async def test_a_bug_report_written_as_a_command_is_feedback(app: Assistant) -> None:
    """ "!bug status never updates" was "I don't know the command `bug`"."""
    console = TypedConsole(app)
    for line in ("bug status never updates during training", "suggest a dark theme"):
        reply = await console.send(line)
        assert reply["ok"] and reply["text"].startswith("Thank you for the feedback"), reply
    assert [row.text for row in app.store.feedback(GUILD)] == [
        "a dark theme",
        "status never updates during training",
    ]


async def test_a_greeting_to_everyone_greets(app: Assistant) -> None:
    """ "привет всем" and "hi all" were "Too many arguments. Usage: `hi`": `hi` takes no
    arguments, and the words after it only address the people there. A request after the
    greeting is still no greeting, and "undo all" (all of it?) is hinted, not run."""
    console = TypedConsole(app)
    for line in ("hi all", "hi everyone!", "hello there everyone", "hi, all 👋", "hi y'all"):
        reply = await console.send(line)
        assert reply["ok"] and reply["text"] == "HI! 👋 Hello, console.", (line, reply)
    reply = await console.send("leave, guys")  # `leave` itself, in no voice channel yet
    assert reply["text"] == "I'm not in a voice channel here.", reply
    reply = await console.send("hi, can you train the model on reviews")
    assert reply["text"] == "Did you mean `hi`? Type `hi` alone to run it.", reply
    reply = await console.send("undo all")
    assert reply["text"] == "Did you mean `undo`? Type `undo` alone to run it.", reply
    app.store.set_guild_language(GUILD, "ru")
    for line in ("привет всем", "hi всем", "привет, ребята!", "hello всем привет"):
        reply = await console.send(line)
        assert reply["ok"] and reply["text"] == "ПРИВЕТ! 👋 Здравствуйте, console.", (line, reply)


async def test_a_command_of_optional_arguments_to_everyone_is_hinted_or_run(app: Assistant) -> None:
    """ "status всем" said "`job` must be a whole number": the words only address people, so
    the hint to type the name alone; set off by a comma, the command runs."""
    console = TypedConsole(app)
    reply = await console.send("status everyone")
    assert reply["text"] == "Did you mean `status`? Type `status` alone to run it.", reply
    reply = await console.send("status, everyone")
    assert reply["ok"] and reply["text"].startswith("**Status**"), reply
    app.store.set_guild_language(GUILD, "ru")
    reply = await console.send("состояние всем")
    hint = "Может быть, `состояние`? Чтобы выполнить, напишите `состояние` без других слов."
    assert reply["text"] == hint, reply
    for line in ("help everyone", "help, guys", "помощь всем"):
        reply = await console.send(line)
        assert reply["ok"] and "`train" in reply["text"] and "guys" not in reply["text"], reply


async def test_free_words_that_only_address_people_are_no_argument(app: Assistant) -> None:
    """ "train everyone" added "everyone" as an example to learn, "archive guys" looked for a
    folder `guys`, "обучить всех" learnt "всех": the words only address people, so the hint
    to type the name alone, or, set off by a comma, the command with its defaults. Words
    that merely hold such a word are still the command's ("train everyone loved it")."""
    with_names(app)
    console = TypedConsole(app)
    for line in ("train everyone", "test everyone", "archive guys", "getfile everyone"):
        name = line.split()[0]
        reply = await console.send(line)
        assert reply["text"] == f"Did you mean `{name}`? Type `{name}` alone to run it.", reply
    reply = await console.send("examples")
    assert "everyone" not in reply["text"], reply
    reply = await console.send("archive, guys")
    assert reply["text"].startswith("Which folder? The data folder has `kaggle_tweets`"), reply
    reply = await console.send("train everyone loved it")
    assert reply["ok"] and "Added 1 example (positive 1)" in reply["text"], reply
    app.store.set_guild_language(GUILD, "ru")
    for line in ("обучить всех", "проверить всем", "архивировать ребята"):
        name = line.split()[0]
        hint = f"Может быть, `{name}`? Чтобы выполнить, напишите `{name}` без других слов."
        reply = await console.send(line)
        assert reply["text"] == hint, reply
    reply = await console.send("examples")
    assert "всех" not in reply["text"] and "everyone loved it" in reply["text"], reply


async def test_what_the_model_would_make_of_a_dataset_measures_it(
    app: Assistant, reviews: Path
) -> None:
    """ "what would the classifier make of kaggle tweets" was "I didn't find a command in
    that" (or, with examples in the folder, a suggestion to train on it): it asks what the
    model makes of that dataset, `test` on it, in English and Russian; a quoted sentence
    after "make of" is classified."""
    write_folder_dataset(Path(app.config.data_root), "kaggle_tweets", per_label=4)
    console = TypedConsole(app)
    await console.send("select_dataset reviews")
    assert (await console.send("train"))["ok"]
    await console.wait()
    for line in (
        "what would the classifier make of kaggle tweets",
        "how would the model do on the kaggle tweets dataset",
    ):
        reply = await console.send(line)
        assert reply["ok"] and reply["command"] == "test", (line, reply)
        assert "Measured on the 8 labelled examples of **kaggle_tweets**" in reply["text"], reply
    reply = await console.send("what does the model make of 'a lovely film'")
    assert reply["ok"] and reply["kind"] == "prediction", reply
    app.store.set_guild_language(GUILD, "ru")
    for line in ("что модель скажет про kaggle tweets", "как модель справится с kaggle tweets"):
        reply = await console.send(line)
        assert reply["ok"] and reply["command"] == "test", (line, reply)
        assert "Измерено на размеченных примерах **kaggle_tweets** (8)" in reply["text"], reply
    reply = await console.send("что модель скажет про «отличный фильм»")
    assert reply["ok"] and reply["kind"] == "prediction", reply


async def test_throw_me_the_report_sends_the_report(app: Assistant) -> None:
    """ "send me the report" sends `report.txt`; "кинь репорт" (throw me the report) found no
    command: Russian calls the file "отчёт" or "репорт", and "кинь" was no word of sending."""
    with_names(app)
    (Path(app.config.data_root) / "log.txt").write_text("all good\n", encoding="utf-8")
    console = TypedConsole(app)
    reply = await console.send("send me the report")
    assert reply["ok"] and reply["text"] == "Here is `report.txt` (14 bytes).", reply
    app.store.set_guild_language(GUILD, "ru")
    for line in ("кинь репорт", "скинь мне отчёт", "пришли отчет", "дай репорт", "киньте лог"):
        reply = await console.send(line)
        want = "Вот `log.txt` (9 байт)." if "лог" in line else "Вот `report.txt` (14 байт)."
        assert reply["ok"] and reply["command"] == "getfile" and reply["text"] == want, reply
