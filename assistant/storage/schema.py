"""Versioned schema. Each entry upgrades the database by one version; never edit a shipped one.

One copy for both engines: write SQL that SQLite and PostgreSQL both accept. Spell ids
`INTEGER PRIMARY KEY` and times `REAL`; the PostgreSQL adapter (database.py) maps those two to an
identity column and a double. Every migration runs against both engines in tests/test_store.py.
"""

MIGRATIONS: list[str] = [
    # 1: the first schema
    """
    CREATE TABLE guilds (
        guild_id TEXT PRIMARY KEY,
        active_dataset TEXT,
        updated_at REAL NOT NULL
    );
    CREATE TABLE datasets (
        id INTEGER PRIMARY KEY,
        guild_id TEXT NOT NULL,
        name TEXT NOT NULL,
        created_at REAL NOT NULL,
        UNIQUE (guild_id, name)
    );
    CREATE TABLE dataset_folders (
        dataset_id INTEGER NOT NULL REFERENCES datasets(id),
        folder TEXT NOT NULL,
        label TEXT,
        PRIMARY KEY (dataset_id, folder)
    );
    CREATE TABLE examples (
        id INTEGER PRIMARY KEY,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id),
        text TEXT NOT NULL,
        label TEXT NOT NULL,
        source TEXT NOT NULL,
        author_id TEXT,
        created_at REAL NOT NULL
    );
    CREATE UNIQUE INDEX examples_unique ON examples(dataset_id, text, label);
    CREATE TABLE jobs (
        id INTEGER PRIMARY KEY,
        guild_id TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        dataset TEXT NOT NULL,
        backend TEXT NOT NULL,
        status TEXT NOT NULL,
        progress REAL NOT NULL DEFAULT 0,
        message TEXT NOT NULL DEFAULT '',
        requested_by TEXT,
        n_examples INTEGER NOT NULL DEFAULT 0,
        model_version TEXT,
        external_id TEXT,
        error TEXT,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE INDEX jobs_guild ON jobs(guild_id, status);
    CREATE TABLE models (
        version TEXT PRIMARY KEY,
        guild_id TEXT NOT NULL,
        dataset TEXT NOT NULL,
        backend TEXT NOT NULL,
        job_id INTEGER,
        path TEXT,
        external_model TEXT,
        labels_json TEXT NOT NULL,
        metrics_json TEXT NOT NULL,
        n_examples INTEGER NOT NULL,
        data_hash TEXT NOT NULL,
        created_at REAL NOT NULL
    );
    CREATE INDEX models_guild ON models(guild_id, created_at);
    CREATE TABLE replies (
        message_id TEXT PRIMARY KEY,
        guild_id TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        text TEXT NOT NULL,
        data_json TEXT,
        created_at REAL NOT NULL
    );
    CREATE TABLE corrections (
        id INTEGER PRIMARY KEY,
        guild_id TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        message_id TEXT NOT NULL,
        author_id TEXT NOT NULL,
        author_name TEXT NOT NULL,
        kind TEXT NOT NULL,
        original TEXT NOT NULL,
        correction TEXT NOT NULL,
        created_at REAL NOT NULL
    );
    CREATE TABLE feedback (
        id INTEGER PRIMARY KEY,
        guild_id TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        author_id TEXT NOT NULL,
        author_name TEXT NOT NULL,
        text TEXT NOT NULL,
        created_at REAL NOT NULL
    );
    CREATE TABLE voice_optouts (
        guild_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        created_at REAL NOT NULL,
        PRIMARY KEY (guild_id, user_id)
    );
    """,
    # 2: datasets own their model choice, additions (undo), corrections; ids that survive restarts
    """
    ALTER TABLE datasets ADD COLUMN model_version TEXT;
    ALTER TABLE examples ADD COLUMN addition_id INTEGER;
    ALTER TABLE corrections ADD COLUMN dataset_id INTEGER;
    CREATE INDEX corrections_dataset ON corrections(dataset_id, kind);
    CREATE INDEX models_dataset ON models(guild_id, dataset, created_at);
    CREATE TABLE counters (
        name TEXT PRIMARY KEY,
        value INTEGER NOT NULL
    );
    """,
    # 3: each server's language (`language` command); NULL means config.yaml's default
    """
    ALTER TABLE guilds ADD COLUMN language TEXT;
    """,
    # 4: per-user command rate limits shared by every bot process (Discord shards)
    """
    CREATE TABLE rate_limit_hits (
        id INTEGER PRIMARY KEY,
        user_id TEXT NOT NULL,
        at REAL NOT NULL
    );
    CREATE INDEX rate_limit_hits_user ON rate_limit_hits(user_id, at);
    """,
    # 5: a folder `select_dataset FOLDER true/false` gave a dataset, and what it changed, so
    # that `undo` can restore the dataset's folders (and the dataset it started) exactly
    """
    CREATE TABLE folder_changes (
        id INTEGER PRIMARY KEY,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id),
        addition_id INTEGER NOT NULL,
        folder TEXT NOT NULL,
        label TEXT,
        folders_before TEXT NOT NULL,
        started_dataset INTEGER NOT NULL,
        active_before TEXT,
        created_at REAL NOT NULL
    );
    CREATE INDEX folder_changes_dataset ON folder_changes(dataset_id, addition_id);
    """,
    # 6: a channel's newest reply of a kind (`correct` with no message id: my last prediction
    # there) is read by this index, not by scanning every reply of the guild
    """
    CREATE INDEX replies_channel ON replies(guild_id, channel_id, kind, created_at);
    """,
]
