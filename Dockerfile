# syntax=docker/dockerfile:1
#
# The `tributary` worker as a small container image (see deploy/README.md).
#
#   docker build -t tributary .
#   docker run --rm -p 8083:8083 \
#     -e CONNECT_BOOTSTRAP_SERVERS=kafka:9092 \
#     -e CONNECT_KEY_CONVERTER=org.apache.kafka.connect.storage.StringConverter \
#     -e CONNECT_VALUE_CONVERTER=org.apache.kafka.connect.json.JsonConverter \
#     -e CONNECT_OFFSET_STORAGE_FILE_FILENAME=/var/lib/tributary/connect.offsets \
#     tributary
#
# Both stages use the same Debian suite, so the binary finds the glibc it was linked against.
ARG DEBIAN_SUITE=bookworm

# --- build ------------------------------------------------------------------------------
FROM rust:1.95-slim-${DEBIAN_SUITE} AS build
# librdkafka is compiled from source into the binary by rdkafka-sys (./configure && make);
# zlib comes from the system (libz-sys).
RUN apt-get update \
 && apt-get install -y --no-install-recommends make g++ pkg-config zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The toolchain is the image's (rust-toolchain.toml is left out by .dockerignore); --locked
# builds exactly the versions in Cargo.lock.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p tributary \
 && install -D -m 0755 target/release/tributary /out/tributary

# --- runtime ----------------------------------------------------------------------------
FROM debian:${DEBIAN_SUITE}-slim
# The binary needs only libc, libm, libgcc_s and libz (`ldd target/release/tributary`), all in
# debian-slim; no TLS roots are needed (the Google client carries its own, Kafka is plaintext).
RUN groupadd --system --gid 10001 tributary \
 && useradd --system --uid 10001 --gid tributary --home-dir /var/lib/tributary \
      --shell /usr/sbin/nologin tributary \
 && install -d -o tributary -g tributary -m 0750 /var/lib/tributary
COPY --from=build /out/tributary /usr/local/bin/tributary
USER 10001:10001
WORKDIR /var/lib/tributary
# Offsets and REST-created connector configs (offset.storage.file.filename and the
# .connectors.json beside it) belong here; a named volume mounted here keeps the ownership.
VOLUME ["/var/lib/tributary"]
EXPOSE 8083
# `tributary health` GETs http://127.0.0.1:<port>/health (port from CONNECT_LISTENERS or
# CONNECT_REST_PORT, 8083 by default) and exits 0 on 2xx: no curl in the image. The worker
# answers 503 while starting, hence the start period.
HEALTHCHECK --interval=15s --timeout=20s --start-period=30s --retries=3 \
  CMD ["tributary", "health"]
ENTRYPOINT ["tributary"]
# A standalone worker configured by CONNECT_* variables alone (Confluent's image convention).
# Tributary has no distributed mode yet: when it does, this becomes the distributed worker, as
# in cp-kafka-connect. Until then group.id and the *.storage.topic variables are not used, and
# CONNECT_OFFSET_STORAGE_FILE_FILENAME is required instead.
CMD ["standalone"]
