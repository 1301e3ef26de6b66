#!/usr/bin/env bash
# Installs what the test suite needs and a fresh machine lacks. Idempotent: every step
# checks first and does nothing when its tool is already there, so it is cheap to re-run.
#
#   1. C build tools for rdkafka-sys (librdkafka is built from source by cargo): gcc, g++,
#      make, pkg-config, zlib headers; and Python with venv. apt-get only if one is missing.
#   2. Tansu 0.6.0, the Kafka-protocol broker of the integration tests
#      (cargo install, ~10 min on 2 cores; skipped when `tansu --version` says 0.6.0).
#   3. <workspace>/.venv (git-ignored) with tests/python/requirements.txt: confluent-kafka,
#      kafka-python, kafka-connect-py.
#   4. cargo-nextest, if `cargo nextest --version` fails.
#
# Env: TANSU_BIN (use this tansu binary if it is 0.6.0), PYTHON (interpreter used to create
# the venv, default python3).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

TANSU_VERSION="0.6.0"
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
case ":$PATH:" in
*":$CARGO_BIN:"*) ;;
*) [ -d "$CARGO_BIN" ] && export PATH="$CARGO_BIN:$PATH" ;;
esac

log() { printf '[setup %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

step() {
	local name="$1"
	shift
	local start=$SECONDS
	"$@"
	log "$name: done in $((SECONDS - start))s"
}

as_root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		log "need root for: $*" >&2
		return 1
	fi
}

# --- 1. system packages -----------------------------------------------------------------
ensure_system_packages() {
	local missing=()
	command -v gcc >/dev/null 2>&1 || missing+=(gcc)
	command -v g++ >/dev/null 2>&1 || missing+=(g++)
	command -v make >/dev/null 2>&1 || missing+=(make)
	command -v perl >/dev/null 2>&1 || missing+=(perl)
	# Not strictly needed (libz-sys builds its bundled zlib without them) but cheaper.
	command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
	# The quickstart test runs the curl command the quickstart prints.
	command -v curl >/dev/null 2>&1 || missing+=(curl)
	[ -e /usr/include/zlib.h ] || missing+=(zlib1g-dev)
	local py="${PYTHON:-python3}"
	if ! command -v "$py" >/dev/null 2>&1; then
		missing+=(python3 python3-venv)
	elif ! "$py" -c 'import venv, ensurepip' >/dev/null 2>&1; then
		missing+=(python3-venv)
	fi
	if [ ${#missing[@]} -eq 0 ]; then
		log "system packages: all present"
		return 0
	fi
	if ! command -v apt-get >/dev/null 2>&1; then
		log "missing ${missing[*]} and no apt-get: install them by hand" >&2
		return 1
	fi
	log "installing ${missing[*]}"
	as_root apt-get update -q
	DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# --- 2. tansu ---------------------------------------------------------------------------
tansu_version() {
	local bin="$1"
	[ -x "$bin" ] || return 1
	"$bin" --version 2>/dev/null | awk '{print $2}'
}

find_tansu() {
	local c
	for c in "${TANSU_BIN:-}" "$(command -v tansu 2>/dev/null || true)" "$CARGO_BIN/tansu"; do
		if [ -n "$c" ] && [ "$(tansu_version "$c" || true)" = "$TANSU_VERSION" ]; then
			echo "$c"
			return 0
		fi
	done
	return 1
}

ensure_tansu() {
	local bin
	if bin="$(find_tansu)"; then
		log "tansu $TANSU_VERSION: $bin"
		return 0
	fi
	log "installing tansu $TANSU_VERSION (cargo install, ~10 min on 2 cores)"
	# libsql (sqlite engine, used by the tests) and dynostore (memory engine) are not in the
	# default features. Newer releases need a newer rustc: keep the pin.
	cargo install "tansu@$TANSU_VERSION" --locked --features libsql,dynostore
	bin="$(find_tansu)" || {
		log "tansu $TANSU_VERSION still not found after install" >&2
		return 1
	}
	log "tansu $TANSU_VERSION: $bin"
}

# --- 3. python venv ---------------------------------------------------------------------
ensure_python_venv() {
	local venv="$ROOT/.venv" req="$ROOT/tests/python/requirements.txt"
	local stamp="$venv/.tributary-requirements.sha256"
	if [ -e "$venv" ] && ! "$venv/bin/python" -c '' >/dev/null 2>&1; then
		log "recreating broken venv $venv"
		rm -rf "$venv"
	fi
	if [ ! -e "$venv/bin/python" ]; then
		log "creating $venv"
		"${PYTHON:-python3}" -m venv "$venv"
	fi
	local want
	want="$(sha256sum "$req" | awk '{print $1}')"
	if [ "$(cat "$stamp" 2>/dev/null || true)" = "$want" ] &&
		"$venv/bin/python" tests/python/check_clients.py >/dev/null 2>&1; then
		log "venv up to date"
		return 0
	fi
	log "installing Python test clients"
	"$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$req"
	"$venv/bin/python" tests/python/check_clients.py
	echo "$want" >"$stamp"
}

# --- 4. cargo-nextest -------------------------------------------------------------------
ensure_nextest() {
	if cargo nextest --version >/dev/null 2>&1; then
		log "$(cargo nextest --version 2>/dev/null | head -n1)"
		return 0
	fi
	log "installing cargo-nextest"
	cargo install cargo-nextest --locked
}

total=$SECONDS
step "system packages" ensure_system_packages
step "tansu" ensure_tansu
step "python venv" ensure_python_venv
step "cargo-nextest" ensure_nextest
log "test environment ready in $((SECONDS - total))s"
