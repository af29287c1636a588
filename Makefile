# The two commands of the README, and a few conveniences.
.PHONY: run test lint bench

run:  ## bootstrap everything and run web + worker + beat in the foreground
	bash scripts/run.sh

test:  ## run every test
	bash scripts/test.sh

lint:
	.venv/bin/ruff check .

bench:
	.venv/bin/python bench/run_all.py
