# labkit: two commands.
#   make lab    set everything up and open JupyterLab on the first notebook
#   make test   set everything up and run the whole test suite (what CI runs)
.PHONY: setup lab test bench dashboard hub-check clean

PYTEST_ARGS ?=

setup:
	@scripts/setup.sh

lab: setup
	@scripts/lab.sh

test: setup
	.venv/bin/python -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

bench: setup
	.venv/bin/python benchmarks/run.py

clean:
	rm -rf .venv .pytest_cache .hypothesis
