# wiredesk developer commands. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
KAFKA_VERSION := 4.3.1
SIMULATOR ?= on
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install test run up down bench lint clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml deploy/kafka/pom.xml scripts/install-system-deps.sh
	bash scripts/install-system-deps.sh
	$(BIN)/pip install --quiet -e '.[dev]'
	WIREDESK_KAFKA_VERSION=$(KAFKA_VERSION) $(BIN)/wiredesk kafka fetch
	touch $@

install: $(VENV)/.installed ## Create .venv, install Python deps, Debian packages and the Kafka jars

test: install ## Run the whole suite against a throwaway real Kafka broker it starts and stops
	WIREDESK_REQUIRE_BROKER=1 $(BIN)/pytest $(PYTEST_ARGS)

run: install ## Local broker + every service as a process (+ simulator); Ctrl-C stops all
	$(BIN)/wiredesk run --simulator $(SIMULATOR)

up: ## Docker Compose: Kafka, every service, simulator, Prometheus, Grafana
	docker compose up -d --build --wait

down: ## Stop the Docker Compose stack
	docker compose down

bench: install ## Benchmarks; results go to BENCHMARKS.md
	bash scripts/install-system-deps.sh bench
	$(BIN)/python -m bench

lint: install ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check shared cli services tests bench
	$(BIN)/mypy shared cli services bench

clean: ## Remove local state (broker data, spool, service state); keeps .venv and the jar cache
	rm -rf var
