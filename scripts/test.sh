#!/usr/bin/env bash
# The project's test command: prepares the test environment (idempotent; see
# scripts/setup-test-env.sh), then runs every test of the workspace with cargo-nextest
# (config: .config/nextest.toml), then the doc tests (nextest does not run those).
#
#   scripts/test.sh                      # everything
#   scripts/test.sh -p connect-testkit   # arguments replace `--workspace` in
#                                        # `cargo nextest run`; doc tests are then skipped
#
# Integration tests share one Apache Kafka broker per run, which the test kit starts from the
# jars the setup fetched and stops when the run ends; set TRIBUTARY_TEST_BOOTSTRAP_SERVERS to
# run them against an existing cluster instead (see the connect-testkit crate docs).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { printf '[test %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

start=$SECONDS
"$ROOT/scripts/setup-test-env.sh"
log "setup: $((SECONDS - start))s"

CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
[ -d "$CARGO_BIN" ] && export PATH="$CARGO_BIN:$PATH"

# Doc tests first (nextest does not run them), so that nextest's summary is the closing
# line of the run.
doc_status=0
if [ $# -eq 0 ]; then
	t=$SECONDS
	cargo test --workspace --doc || doc_status=$?
	log "doc tests: $((SECONDS - t))s (exit $doc_status)"
fi

t=$SECONDS
status=0
if [ $# -eq 0 ]; then
	cargo nextest run --workspace --no-fail-fast || status=$?
else
	cargo nextest run --no-fail-fast "$@" || status=$?
fi
log "cargo nextest run: $((SECONDS - t))s (exit $status)"
[ "$status" -ne 0 ] || status=$doc_status

log "total: $((SECONDS - start))s"
exit "$status"
