# labkit: two commands.
#   make lab    set everything up and open JupyterLab on the first notebook
#   make test   set everything up and run the whole test suite (what CI runs)
# and for instructors:
#   make dashboard   the Cluster Administrator as a Voila dashboard (a projector in class;
#                    DASHBOARD_PORT=8866, CLUSTER=examples/exchange_two_node.yaml for another cluster)
#   make hub-check   a real JupyterHub on 127.0.0.1 with two learners (also part of make test)
#   make site        the course website (Jupyter Book 2) in _build/html, checked for broken links;
#                    open it with python3 -m http.server -d _build/html 8000 (docs/site.md)
#   make release     the learner release a graded class gets (RELEASE=../labkit-release): no solutions
.PHONY: setup lab test bench dashboard hub-check site release clean

PYTEST_ARGS ?=
# Extras the set-up installs for a target (see scripts/setup.sh --help); a target-specific
# value also holds for its prerequisite `setup`.
SETUP_ARGS ?=
DASHBOARD_PORT ?= 8866
CLUSTER ?=
RELEASE ?= ../labkit-release

setup:
	@scripts/setup.sh $(SETUP_ARGS)

lab: setup
	@scripts/lab.sh

test: SETUP_ARGS = --test
test: setup
	.venv/bin/python -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

bench: setup
	.venv/bin/python benchmarks/run.py

dashboard: SETUP_ARGS = --dashboard
dashboard: setup
	@DASHBOARD_PORT=$(DASHBOARD_PORT) LABKIT_CLUSTER_FILE=$(CLUSTER) scripts/dashboard.sh

hub-check: SETUP_ARGS = --hub
hub-check: setup
	.venv/bin/python -m pytest -p no:randomly -v tests/test_jupyterhub.py

site: SETUP_ARGS = --site
site: setup
	.venv/bin/python scripts/site.py
release: setup
	.venv/bin/labkit release $(RELEASE)

clean:
	rm -rf .venv .pytest_cache .hypothesis _build docs/_generated
