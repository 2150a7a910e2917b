.PHONY: run test lint bench

run:  ## set up and run web + worker + beat with demo data
	scripts/run.sh

test:  ## install test needs and run every gate and the whole suite (PostgreSQL + Redis)
	scripts/test.sh

bench:  ## run the benchmarks in benchmarks/ (PostgreSQL)
	scripts/bench.sh
