"""The command tests again, with the assistant's store on a real PostgreSQL server.

The test functions are imported, so pytest runs them here with this module's `config` fixture.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assistant.config import Config
from assistant.storage import open_store
from tests.postgres import PostgresServer
from tests.test_commands import (  # noqa: F401 (collected by pytest)
    test_correct_needs_a_known_reply,
    test_feedback_is_stored_and_listed_for_admins,
    test_select_dataset_lists_and_selects,
    test_status_and_cancel,
    test_train_on_a_folder_keeps_its_labels_and_skips_repeats,
    test_train_test_correct_cycle,
)
from tests.test_guide import test_every_form_in_the_guide_works  # noqa: F401 (collected by pytest)


@pytest.fixture
def config(make_config: Callable[..., Config], postgres: PostgresServer) -> Config:
    return make_config(storage_url=postgres.new_database())


async def test_the_assistant_keeps_its_records_in_postgresql(
    ask: Any, config: Config, reviews: Path
) -> None:
    assert config.database_url.startswith("postgresql://")
    assert (await ask("select_dataset", "reviews")).ok
    elsewhere = open_store(config.database_url)  # as another bot process would
    try:
        active = elsewhere.active_dataset("g1")
        assert active is not None and active.name == "reviews"
    finally:
        elsewhere.close()
