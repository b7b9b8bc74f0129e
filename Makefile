# The two commands of the README. Both install what is missing first (scripts/setup.sh).
.PHONY: setup demo test lint

setup:
	bash scripts/setup.sh

# The service on the local Neo4j with a synthetic demonstration register.
demo: setup
	bash scripts/demo.sh

# The whole test suite against a real Neo4j (each run starts its own on a free port).
test: setup
	.venv/bin/python -m pytest

lint:
	.venv/bin/python -m ruff check graphsvc loaders tests bench
