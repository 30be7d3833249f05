"""Typed sentences in the words people write, read by general rules (assistant/intents/
sentences.yaml and the Russian one): a mention of the bot, synonyms of the command's verbs and
nouns, polite plural Russian, a sentence to learn or classify, several sentences on one line.
And lines of chat that share words with commands, which must stay chat."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.app import Assistant
from tests.consoles import TypedConsole
from tests.corpus import write_folder_dataset
from transports.console import GUILD, ConsoleTransport

ENGLISH: list[tuple[str, str, dict[str, Any]]] = [
    ("@trainer what can you do?", "help", {}),
    ("hey @bot, join us", "join", {}),
    ("heyyy", "hi", {}),
    ("yo bot are you alive?", "hi", {}),
    ("alright, we're done, leave the vc", "leave", {}),
    ("you may disconnect now", "leave", {}),
    ("save the sentence 'Truly a masterpiece' as positive", "train",
     {"data": '"Truly a masterpiece"', "label": "positive"}),
    ("teach the model that 'Awful acting' is negative", "train",
     {"data": '"Awful acting"', "label": "negative"}),
    ("benchmark the classifier", "test", {}),
    ("assess the network on the validation set", "test", {}),
    ("how reliable is the classifier now?", "test", {}),
    ("bot test kaggle tweets", "test", {"dataset": "kaggle_tweets"}),
    ("can you run an evaluation on the movie reviews dataset?", "test",
     {"dataset": "movie_reviews"}),
    ("predict 'The soup was cold'", "test", {"json": '"The soup was cold"'}),
    ("what's the sentiment of 'meh, it was fine'?", "test", {"json": '"meh, it was fine"'}),
    ("back up the kaggle tweets corpus", "archive", {"dir": "kaggle_tweets"}),
    ("bundle up my data", "archive", {}),
    ("load the corpus movie reviews", "select_dataset", {"dir": "movie_reviews"}),
    ("how should I organize my files for training?", "instruction", {}),
    ("walk me through how training works", "instruction", {}),
    ("flip it to positive", "correct", {"text": "positive"}),
    ("nope, it's obviously negative", "correct", {"text": "negative"}),
    ("I'm disappointed with the bot, answers take forever", "feedback",
     {"text": "I'm disappointed with the bot, answers take forever"}),
    ("it would be great if you supported CSV uploads", "feedback",
     {"text": "it would be great if you supported CSV uploads"}),
    ("need report.txt right now", "getfile", {"path": "report.txt"}),
    ("fetch me report.txt from the data folder", "getfile", {"path": "report.txt"}),
    ("list everything you can do", "help", {}),
    ("what exactly are you for?", "help", {}),
    ("which data set is active right now?", "status", {}),
    ("are you still at it?", "status", {}),
    ("interrupt the current run", "cancel", {}),
    ("status of the job?", "status", {}),
    ("morning trainer!", "hi", {}),
    ("what can I do here", "help", {}),
    ("how do I use this thing", "instruction", {}),
    ("what are the steps to train a model", "instruction", {}),
    ("eta on the model?", "status", {}),
    ("bug: the progress bar froze", "feedback", {"text": "the progress bar froze"}),
    ("Please stop the training. It was the wrong data.", "cancel", {}),
    # the bot's name before a command's name, and the frames a request is put in
    ("@Trainer cancel", "cancel", {"text": ""}),
    ("trainer, archive movie reviews", "archive", {"dir": "movie_reviews"}),
    ("bot archive", "archive", {"text": ""}),
    ("Would you mind leaving the voice channel?", "leave", {}),
    ("Would it be possible to select kaggle tweets as the dataset?", "select_dataset",
     {"dir": "kaggle_tweets"}),
    # feedback after a head that names it and a colon, taken as written
    ("leave feedback: voice join is buggy", "feedback", {"text": "voice join is buggy"}),
    ("Hey bot, some feedback: the new test command is really useful!", "feedback",
     {"text": "the new test command is really useful!"}),
    # emoji around the bot's name, chat preambles, a head naming the maintainers
    ("go away bot 😤", "leave", {}),
    # a command and a reason in one sentence, a clause each
    ("could you stop the training job, it's taking forever", "cancel", {}),
    ("ok so quick question, what is the status?", "status", {}),
    ("sorry to bother you, could you list the commands", "help", {}),
    ("i was wondering if you could archive the kaggle tweets folder", "archive",
     {"dir": "kaggle_tweets"}),
    ("Please forward this to the developers: the reports are hard to read", "feedback",
     {"text": "the reports are hard to read"}),
    # families from fresh9's tuning half (bench/phrasings_fresh9.json), in lines of our own
    ("could you list all the available datasets", "select_dataset", {}),
    ("give me a list of the data sets", "select_dataset", {}),
    ("hows it looking with the training", "status", {}),
    ("what is the active model and dataset", "status", {}),
    ("can you come into the voice chat", "join", {}),
    ("prepare a zip of the kaggle tweets folder", "archive", {"dir": "kaggle_tweets"}),
    ("how are we supposed to use this bot", "instruction", {}),
    ("you labelled it positive but the tweet was actually negative", "correct",
     {"text": "negative"}),
    ("solid bot 9/10", "feedback", {"text": "solid bot 9/10"}),
    ("hola trainer", "hi", {}),
    ("trainer, head out of the voice channel, we are done", "leave", {}),
    ("we'd like you to leave the voice call", "leave", {}),
    ("run a test of the model on the kaggle tweets dataset", "test", {"dataset": "kaggle_tweets"}),
    ("try it against movie reviews", "test", {"dataset": "movie_reviews"}),
    ("use kaggle tweets as our dataset from now on", "select_dataset", {"dir": "kaggle_tweets"}),
    ("no, the last one should have been negative", "correct", {"text": "negative"}),
    ("the prediction was off, it should be positive", "correct", {"text": "positive"}),
    ("can you dm me the file", "getfile", {}),
    ("send me the file please", "getfile", {}),  # politeness had been the file's name
    ("give me the file now pls", "getfile", {}),
    ("when will the training be finished", "status", {}),
    # "check {json}" wants its sentence in quotes; without them another sentence says it
    ("check status", "status", {}),
    ("check these: 'a lovely film', 'dull'", "test", {"json": "'a lovely film', 'dull'"}),
    ("is it done yet or still running", "status", {}),
]  # fmt: skip

RUSSIAN: list[tuple[str, str, dict[str, Any]]] = [
    ("@бот покажи команды", "help", {}),
    ("приветики", "hi", {}),
    ("ты на связи?", "hi", {}),
    ("подключитесь к звонку", "join", {}),
    ("добавьте 'Скучное кино' как негатив", "train",
     {"data": '"Скучное кино"', "label": "negative"}),
    ("оцените классификатор", "test", {}),
    ("оцени модель на movie reviews пожалуйста", "test", {"dataset": "movie_reviews"}),
    ("определи тональность текста: обожаю этот сериал", "test", {"json": '"обожаю этот сериал"'}),
    ("упакуйте корпус kaggle tweets", "archive", {"dir": "kaggle_tweets"}),
    ("поменяйте метку на позитивная", "correct", {"text": "positive"}),
    ("остановите текущую задачу", "cancel", {}),
    ("вышлите файл report.txt", "getfile", {"path": "report.txt"}),
    ("на каком шаге сейчас обучение?", "status", {}),
    ("бот реально тупит", "feedback", {"text": "бот реально тупит"}),
    ("расскажите подробно как подготовить данные", "instruction", {}),
    ("фидбек: бот классный, спасибо!", "feedback", {"text": "бот классный, спасибо!"}),
    ("слушай, покажи список команд", "help", {}),
    ("передайте разработчикам: нужен прогресс-бар", "feedback", {"text": "нужен прогресс-бар"}),
    # по fresh9 (его половина настройки), своими фразами
    ("что за команды у вас бывают", "help", {}),
    ("какой датасет сейчас выбран?", "status", {}),
    ("ну ливни давай", "leave", {}),
    ("ок, го запусти обучение", "train", {}),
    ("кэнсел", "cancel", {}),
    ("гайд есть?", "instruction", {}),
    ("можно ли поменять набор данных", "select_dataset", {}),
    ("скинь report.txt сюда", "getfile", {"path": "report.txt"}),
    ("зипани датасет kaggle tweets", "archive", {"dir": "kaggle_tweets"}),
    ("обучение уже завершилось или нет", "status", {}),
    ("сделай kaggle tweets активным", "select_dataset", {"dir": "kaggle_tweets"}),
    ("протестируй модель на датасете movie reviews", "test", {"dataset": "movie_reviews"}),
    ("прогони оценку модели", "test", {}),
    ("прогони тест", "test", {}),
    ("классифицируй: фильм был скучный", "test", {"json": '"фильм был скучный"'}),
    ("правильно было бы негативный", "correct", {"text": "negative"}),
    ("можете выйти из голосового канала", "leave", {}),
    ("скинь файл мне", "getfile", {}),
    # a file asked for without its name, and when
    ("пришли файл сейчас", "getfile", {}),
    # a sentence to classify after a colon, unquoted; a correction of the last prediction
    ("classify this: great food", "test", {"json": '"great food"'}),
    ("проверь эту фразу: ужасный фильм", "test", {"json": '"ужасный фильм"'}),
    ("проверь модель на фразе 'ну такое'", "test", {"json": '"ну такое"'}),
    ("последнее предсказание должно быть negative", "correct", {"text": "negative"}),
    ("спасибо команде, всё работает", "feedback", {"text": "спасибо команде, всё работает"}),
    # a file's name not in the list (misspelt): one word with an extension
    ("send me reprot.txt", "getfile", {"path": "reprot.txt"}),
    ("скинь мне reprot.txt", "getfile", {"path": "reprot.txt"}),
    # a score out of five or ten, alone or first: a rating of the bot, kept whole
    ("rate: 4/5, ui could be better", "feedback", {"text": "rate: 4/5, ui could be better"}),
    ("7/10 would train again", "feedback", {"text": "7/10 would train again"}),
    ("оценка 4/5, интерфейс так себе", "feedback", {"text": "оценка 4/5, интерфейс так себе"}),
    # the sentence to learn after a colon, unquoted
    ("add this as positive: best pizza in town", "train",
     {"data": '"best pizza in town"', "label": "positive"}),
    ("добавь это как негатив: холодная картошка", "train",
     {"data": '"холодная картошка"', "label": "negative"}),
]  # fmt: skip

CHAT = {
    "en": [
        # said to someone else by name, first or last
        "Tom, could you train the model on the new data tomorrow?",
        "send me that file when you can, Anna",
        "hey Priya: did the training finish?",
        "what do you predict for the match tonight?",
        "my feedback on your essay is in the doc",
        "the network is down at my office",
        "my train is late again",
        "I need to test my new keyboard",
        "did you see the status of the flight?",
        "I'll archive those emails later",
        "send me the pics from the party",
        "send me a joke",
        "send me that meme.",
        "how do I prepare for the interview?",
        "I'm done. Going to bed.",
        "give me a break",
        "is the movie positive or negative for kids? Probably fine.",
        "would you mind passing the salt?",
        "my feedback on the essay is in the doc: see page two",
        # misspelt chat stays chat once respelled (assistant/intents/spelling.py)
        "the rain is heavy today",
        "u coming to the gym tmrw?",
        "teh cat is on my keybaord",
        # an order in the passive about something else stays chat (assistant/intents/passive.py)
        "the meeting should be cancelled",
        "the train should be on time",
        "yes the train was late",
    ],
    "ru": [
        "Дим, запусти обучение, как придёшь",
        "отправь мне файл вечером, Оля",
        "мне не нравится эта погода",
        "что ты думаешь про матч?",
        "скинь фотки с вечеринки",
        "я всё, иду спать.",
        "оставь кота в покое",
        "мне нужно отдохнуть",
        "тебе пора спать",
    ],
}


def read(app: Assistant, line: str) -> tuple[str, dict[str, Any]] | None:
    """What a line typed at the console becomes, as the console reads it: a sentence, else the
    command its first word names, else free text; None when it is no command."""
    console = ConsoleTransport(app, json_mode=True)
    request = app.reading.as_sentence(console.request_for(line))
    if request.options is not None:
        return request.command, request.options
    if app.find_command(request.command) is not None:
        return request.command, {"text": request.text}
    understood = app.reading.understand(line, user=console.user, guild_id=GUILD, channel_id="c")
    return None if understood is None else (understood.command, understood.options or {})


def with_names(app: Assistant) -> None:
    """The data folder people name in these lines: two datasets and a file."""
    root = Path(app.config.data_root)
    for name in ("movie_reviews", "kaggle_tweets"):
        (root / name).mkdir(parents=True, exist_ok=True)
    (root / "report.txt").write_text("accuracy 0.91\n", encoding="utf-8")


def misread(app: Assistant, lines: list[tuple[str, str, dict[str, Any]]]) -> list[Any]:
    return [(line, got) for line, *want in lines if (got := read(app, line)) != tuple(want)]


def misread_crowds(
    app: Assistant,
    lines: dict[str, list[tuple[str, str, dict[str, Any]]]],
    chat: dict[str, list[str]],
) -> dict[str, tuple[list[Any], list[Any]]]:
    """Per language (the guild set to it): the lines read as something else than their command,
    and the chat lines read as a command."""
    found = {}
    for language, said in lines.items():
        app.store.set_guild_language(GUILD, language)
        chat_read = [(line, got) for line in chat[language] if (got := read(app, line))]
        found[language] = (misread(app, said), chat_read)
    return found


def assert_crowds_read(
    app: Assistant,
    lines: dict[str, list[tuple[str, str, dict[str, Any]]]],
    chat: dict[str, list[str]],
) -> None:
    """Every line of `lines` read as its command and options, and no chat line as a command,
    per language (with the names the lines use in the data folder)."""
    with_names(app)
    for language, (misread_lines, chat_read) in misread_crowds(app, lines, chat).items():
        assert (misread_lines, chat_read) == ([], []), (language, misread_lines, chat_read)


async def test_english_phrasings_are_read_as_their_commands(app: Assistant) -> None:
    with_names(app)
    assert misread(app, ENGLISH) == []


async def test_russian_phrasings_are_read_as_their_commands(app: Assistant) -> None:
    with_names(app)
    app.store.set_guild_language(GUILD, "ru")
    assert misread(app, RUSSIAN) == []


async def test_chat_that_shares_words_with_commands_does_nothing(app: Assistant) -> None:
    with_names(app)
    for language, lines in CHAT.items():
        app.store.set_guild_language(GUILD, language)
        assert [(line, got) for line in lines if (got := read(app, line)) is not None] == []


async def test_a_sentence_to_learn_is_added_as_written_and_trained(app: Assistant) -> None:
    """ "add 'What a dull plot' as negative and train on it": the example, in the writer's
    case, joins the dataset with its label and a model trains; a phrase in quotes asked about
    is classified by it."""
    write_folder_dataset(Path(app.config.data_root))
    console = TypedConsole(app)
    assert (await console.send("select_dataset reviews"))["ok"]
    added = await console.send("add 'What a dull plot' as negative and train on it")
    assert added["ok"] and added["command"] == "train", added
    await console.wait()
    dataset = app.store.active_dataset(GUILD)
    assert dataset is not None and ("What a dull plot", "negative") in app.store.examples(dataset)
    asked = await console.send("is 'what a lovely, warm film' positive or negative?")
    assert asked["ok"] and asked["command"] == "test", asked
    assert "what a lovely, warm film" in asked["text"], asked["text"]


async def test_a_word_pointing_at_something_is_no_sentence_to_learn(app: Assistant) -> None:
    """ "save this as negative", "take that as a positive" name no sentence: they added the
    example "this" (or "that", "file") to the active dataset and started a training run. A
    sentence to learn is the one in quotes; nothing is added or trained."""
    write_folder_dataset(Path(app.config.data_root))
    console = TypedConsole(app)
    assert (await console.send("select_dataset reviews"))["ok"]
    dataset = app.store.active_dataset(GUILD)
    assert dataset is not None
    for line in (
        "save this as negative",
        "take that as a positive",
        "remember this as positive",
        "save the file as negative",
        "label that as positive and train",
        "tell you that it is positive",
    ):
        reply = await console.send(line)
        assert reply.get("command") != "train", (line, reply)
    app.store.set_guild_language(GUILD, "ru")
    for line in ("запомни это как позитив", "обучи модель это как негатив"):
        reply = await console.send(line)
        assert reply.get("command") != "train", (line, reply)
    assert app.store.examples(dataset) == []
    assert app.store.jobs(GUILD) == []


async def test_a_command_taken_back_in_the_next_sentence_does_nothing(app: Assistant) -> None:
    """ "Please stop the training. No wait." asked for nothing: it cancelled the job, as if the
    second sentence were a reason."""
    with_names(app)
    for line in (
        "Please stop the training. No wait.",
        "could you halt the training? actually no, keep going",
        "could you back up the kaggle tweets corpus? Never mind.",
        "please stop the training, no wait",
        "could you test the model, then archive the kaggle tweets folder",
    ):
        assert read(app, line) is None, line
    assert read(app, "Please stop the training. It was the wrong data.") == ("cancel", {})
    app.store.set_guild_language(GUILD, "ru")
    assert read(app, "остановите текущую задачу. Нет, подождите.") is None


async def test_feedback_is_not_taken_from_a_line_that_asks_for_another_command(
    app: Assistant,
) -> None:
    """ "The bot is not working. Please cancel the training." was kept whole as feedback (the
    opinion's words take the rest of the line): the training went on, and the request was
    stored as a note. Feedback alone is still feedback."""
    with_names(app)
    assert read(app, "the bot is not working. please cancel the training.") is None
    assert read(app, "the bot is too slow. it takes forever.") == (
        "feedback",
        {"text": "the bot is too slow. it takes forever."},
    )


async def test_a_near_sentence_with_another_word_in_place_of_its_own_is_not_taken(
    app: Assistant,
) -> None:
    """The nearest template sentence letter by letter may say another thing: "make the dataset
    active" is near "make an archive of the dataset", "test the model on movie reviews" near
    "train the model on movie reviews". A typo keeps most letters of its word; a different
    word is not taken for one, so these start no training and make no archive."""
    with_names(app)
    for language, line, wrong in (
        ("ru", "сделай активным датасет movie reviews", "archive"),
        ("en", "Please test the model on the movie reviews dataset.", "train"),
        ("ru", "@Trainer оцени модель на movie reviews", "train"),
    ):
        app.store.set_guild_language(GUILD, language)
        got = read(app, line)
        assert got is None or got[0] != wrong, (line, got)
    # a typo is still a typo
    app.store.set_guild_language(GUILD, "en")
    assert read(app, "swich to the movie reviews dataset") == (
        "select_dataset",
        {"dir": "movie_reviews"},
    )
