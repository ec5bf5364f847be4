# bcda-rs: `make run` to serve BCDA locally, `make test` to check everything.

SHELL := /bin/bash
export CARGO_TARGET_DIR ?= $(HOME)/.cache/bcda/target
BCDA := $(CARGO_TARGET_DIR)/release/bcda
NEXTEST_PROFILE ?= $(if $(CI),ci,default)

# Local development defaults: readable logs, files under ./var.
run: export BCDA_LOG_FORMAT ?= pretty

.PHONY: run test bench faults fmt lint hygiene build build-tools services migrate validators deploy-check help

help:
	@echo "make run    serve BCDA on http://127.0.0.1:3000 (starts Postgres and RabbitMQ)"
	@echo "make test   rustfmt, clippy and every test against real services"
	@echo "make bench  benchmarks against real services"
	@echo "make faults the fault-injection suite (stops Postgres and RabbitMQ)"

## Serve every service on one origin, after migrating the database.
run: services build
	$(BCDA) migrate
	$(BCDA) seed
	@echo
	@echo "BCDA is starting on http://127.0.0.1:3000   (Ctrl-C stops it)"
	@echo "  curl http://127.0.0.1:3000/api/v1/metadata"
	@echo
	$(BCDA) serve all

build: build-tools
	cargo build --release --bin bcda

## nasm, autotools and make, which the ISA-L compressor's build needs (Debian's packages).
build-tools:
	@scripts/ensure-build-tools.sh

services:
	@scripts/ensure-services.sh

migrate: services build
	$(BCDA) migrate

## What CI runs: formatting, lints, then every test against the real services.
test: services build-tools fmt lint hygiene validators deploy-check
	cargo nextest run --workspace --profile $(NEXTEST_PROFILE)

## The independent FHIR validators and the OpenAPI fuzzer (schemathesis) the tests use
## (cached in ~/.cache/bcda), and headless Chromium for the Swagger UI test (Debian's
## package).
validators:
	@scripts/fhir-validators.sh >/dev/null
	@scripts/schemathesis.sh >/dev/null
	@scripts/ensure-chromium.sh >/dev/null

## Kubernetes manifests, docker-compose.yml and the Dockerfile against their schemas and
## linters (validators cached in ~/.cache/bcda).
deploy-check:
	@scripts/check-deploy.sh

## Benchmarks against the real services; results go to stdout, and the export table
## into docs/benchmarks.md.
bench: services build-tools
	cargo bench -p bcda-auth --bench tokens
	cargo bench -p bcda-synth --bench render
	cargo bench -p bcda-cli --bench export
	cargo bench -p bcda-cli --bench download

## The fault-injection suite: an XL export while workers are killed and RabbitMQ,
## Postgres and the object store go away (about 15 minutes; stops the local Postgres
## and RabbitMQ, so run nothing else). Writes its table into docs/benchmarks.md.
faults: services build-tools
	cargo bench -p bcda-cli --bench faults

fmt:
	cargo fmt --all -- --check

lint: build-tools
	cargo clippy --workspace --all-targets -- -D warnings

## Dependency and documentation hygiene: no unused or misplaced dependency (cargo-shear),
## only permissive licences, crates.io alone, no wildcard versions (cargo-deny; the
## advisory database needs the network, so advisories are left to a connected job), and
## docs that build without a warning.
hygiene: build-tools
	@tools=$$(scripts/lint-tools.sh) && \
	  "$$tools/cargo-shear" && \
	  "$$tools/cargo-deny" --offline --log-level error check licenses bans sources
	RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet
