# The two commands a user needs: `make run` starts the bot, `make test` runs every check.
# Both set up the machine first (system packages, .venv, Python packages); see scripts/setup.sh.
PY := .venv/bin/python
ARGS ?=

.PHONY: setup run console test lint typecheck pytest bench diagram format

setup:
	@scripts/setup.sh

run: setup
	$(PY) bot.py $(ARGS)

console: setup
	$(PY) bot.py console $(ARGS)

test: setup lint typecheck pytest

lint:
	$(PY) -m ruff format --check .
	$(PY) -m ruff check .

typecheck:
	$(PY) -m mypy assistant states audio transports bot.py

# Five workers on two cores: most tests wait on real-time audio and subprocesses, so the
# cores sat partly idle with fewer (two: 22.9 min; three: 19.0 min, 6 Dec 2026; on 7 Dec,
# three: 14.5 min at 1.35 cores busy, four with the longest tests first: 13.3 min at 1.55;
# 14.6 min with tests/conftest.py's memory clean-up, one run each). With the neural model
# loaded once a process and CTranslate2's threads waiting passively: 1,220 s of CPU against
# 1,352 (user+sys, children included; beside other sessions' work, one run each), and
# 786 s idle for 1,161 tests (09:09), against 878 s for 1,142 before.
# Six ran a worker out of memory (24 GiB) before tests/conftest.py `_no_frozen_leftovers`;
# with it a worker peaked near 2.9-3.1 GB, and near 1.8 GB with the model loaded once.
# Five (7 Dec, 17:43, with the tests' CPU recorded): 946 s and 25.7 min of CPU against four's
# 955 s and 23.5 min at 16:29: no faster, so four. On 8 Dec, with the grammar's sentences and
# search trie no longer made again for every hearer (19.3 min of CPU against 24.4), four took
# 13.4 min and five 12.9 min (the machine's memory in use peaked at 9.7 GB): five, as the cores
# now wait more than they work.
# The tests hold under load, which the extra workers add.
# Bytecode kept for the run even where the environment turns it off (PYTHONDONTWRITEBYTECODE):
# the tests start the bot, the console and workers as processes hundreds of times, and each
# compiled the product's 150 modules again (0.3 s of CPU a start). __pycache__ is ignored by git.
# --dist loadgroup: tests marked with one `xdist_group` run on one worker, so a module's shared
# console (a module-scoped fixture) is started once, not once per worker; others as `load`.
# --no-loadscope-reorder: the order tests/conftest.py gives (the longest recorded work first).
pytest:
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -q -n 5 --dist loadgroup --no-loadscope-reorder $(ARGS)

bench: setup
	$(PY) -m pip install -q -e ".[dev,bench]"
	$(PY) -m bench

diagram: setup
	$(PY) bot.py diagram docs/state-machine.png

format: setup
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .
