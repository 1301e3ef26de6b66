#!/usr/bin/env bash
# Installs what the test suite needs and a fresh machine lacks. Idempotent: every step
# checks first and does nothing when its tool is already there, so it is cheap to re-run.
#
#   1. C build tools for rdkafka-sys (librdkafka is built from source by cargo): gcc, g++,
#      make, pkg-config, zlib headers; and Python with venv. apt-get only if one is missing.
#   2. Apache Kafka and Kafka Connect (version pinned in tests/kafka/pom.xml) from Maven
#      Central into <workspace>/.cache/kafka/<version>/ (git-ignored): the broker of the
#      integration tests and benchmarks, and Kafka Connect as the reference that the
#      differential tests compare with. Needs Java 17+ and Maven (apt-get only if missing).
#      Skipped when the cache was filled from the same pom.xml.
#   3. The Kafka oracle (tests/kafka/oracle/*.java: Kafka Connect's converters and
#      transformations behind a JSON-lines protocol), compiled with javac against those jars
#      into .cache/kafka/<version>/oracle/; skipped when the sources did not change.
#   4. <workspace>/.venv (git-ignored) with tests/python/requirements.txt: confluent-kafka,
#      kafka-python, kafka-connect-py.
#   5. cargo-nextest, if `cargo nextest --version` fails.
#
# Env: PYTHON (interpreter used to create the venv, default python3), JAVA_HOME (the JDK
# to use; default: java on PATH).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

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

# --- 2. Apache Kafka ----------------------------------------------------------------------
KAFKA_POM="$ROOT/tests/kafka/pom.xml"
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$KAFKA_POM")"
KAFKA_HOME="$ROOT/.cache/kafka/$KAFKA_VERSION"
MVN_DEP=org.apache.maven.plugins:maven-dependency-plugin:3.8.1

java_bin() {
	if [ -n "${JAVA_HOME:-}" ]; then echo "$JAVA_HOME/bin/java"; else echo java; fi
}

java_major() {
	"$(java_bin)" -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p'
}

ensure_java_maven() {
	local missing=() major
	major="$(java_major 2>/dev/null || true)"
	if [ -z "$major" ] || [ "$major" -lt 17 ] || ! command -v javac >/dev/null 2>&1; then
		missing+=(openjdk-17-jdk-headless)
	fi
	command -v mvn >/dev/null 2>&1 || missing+=(maven)
	if [ ${#missing[@]} -eq 0 ]; then
		log "java $major, $(mvn -v 2>/dev/null | head -n1 | sed 's/\x1b\[[0-9;]*m//g')"
		return 0
	fi
	if ! command -v apt-get >/dev/null 2>&1; then
		log "missing ${missing[*]} (Kafka needs Java 17+) and no apt-get: install them by hand" >&2
		return 1
	fi
	log "installing ${missing[*]}"
	as_root apt-get update -q
	DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q --no-install-recommends "${missing[@]}"
}

ensure_kafka() {
	[ -n "$KAFKA_VERSION" ] || {
		log "no <kafka.version> in $KAFKA_POM" >&2
		return 1
	}
	local want stamp="$KAFKA_HOME/.pom.sha256"
	want="$(sha256sum "$KAFKA_POM" | awk '{print $1}')"
	if [ "$(cat "$stamp" 2>/dev/null || true)" = "$want" ] && [ -n "$(ls "$KAFKA_HOME/lib" 2>/dev/null)" ]; then
		log "Apache Kafka $KAFKA_VERSION: $KAFKA_HOME"
		return 0
	fi
	log "fetching Apache Kafka $KAFKA_VERSION with Maven into $KAFKA_HOME"
	mkdir -p "$ROOT/.cache/kafka"
	local tmp
	tmp="$(mktemp -d "$ROOT/.cache/kafka/.fetch-XXXXXX")"
	cp "$KAFKA_POM" "$tmp/pom.xml"
	(
		cd "$tmp"
		mvn -B -q -Dstyle.color=never "$MVN_DEP:copy-dependencies" -DoutputDirectory=lib -DincludeScope=runtime \
			-DexcludeArtifactIds=connect-file,connect-test-plugins
		mvn -B -q -Dstyle.color=never "$MVN_DEP:copy-dependencies" -DoutputDirectory=plugins/connect-file \
			-DincludeArtifactIds=connect-file -DexcludeTransitive=true
		mvn -B -q -Dstyle.color=never "$MVN_DEP:copy-dependencies" -DoutputDirectory=plugins/test-plugins \
			-DincludeArtifactIds=connect-test-plugins -DexcludeTransitive=true
	) || {
		rm -rf "$tmp"
		return 1
	}
	rm -f "$tmp/pom.xml"
	rm -rf "$KAFKA_HOME"
	mv "$tmp" "$KAFKA_HOME"
	echo "$want" >"$stamp"
	log "Apache Kafka $KAFKA_VERSION: $(ls "$KAFKA_HOME/lib" | wc -l) jars"
}

# --- 3. the Kafka oracle ------------------------------------------------------------------
ensure_oracle() {
	local src="$ROOT/tests/kafka/oracle" out="$KAFKA_HOME/oracle"
	if [ -z "$(find "$src" -name '*.java' 2>/dev/null)" ]; then
		log "Kafka oracle: no sources in $src" >&2
		return 1
	fi
	local want
	want="$( (cd "$src" && find . -name '*.java' -print0 | sort -z | xargs -0 sha256sum) | sha256sum | awk '{print $1}')"
	if [ "$(cat "$out/.sources.sha256" 2>/dev/null || true)" = "$want" ]; then
		log "Kafka oracle: up to date"
		return 0
	fi
	log "compiling the Kafka oracle"
	rm -rf "$out"
	mkdir -p "$out/classes"
	local javac=javac
	[ -z "${JAVA_HOME:-}" ] || javac="$JAVA_HOME/bin/javac"
	find "$src" -name '*.java' -print0 | xargs -0 "$javac" -nowarn -encoding UTF-8 --release 17 \
		-cp "$KAFKA_HOME/lib/*" -d "$out/classes"
	echo "$want" >"$out/.sources.sha256"
}

# --- 4. python venv ---------------------------------------------------------------------
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

# --- 5. cargo-nextest -------------------------------------------------------------------
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
step "java and maven" ensure_java_maven
step "apache kafka" ensure_kafka
step "kafka oracle" ensure_oracle
step "python venv" ensure_python_venv
step "cargo-nextest" ensure_nextest
log "test environment ready in $((SECONDS - total))s"
