#!/usr/bin/env python3
"""Read a Kafka topic from the beginning with an independent client and print its records.

Used by connect-testkit (`PythonEnv::consume_with_python`) to check what Tributary wrote
with a client that is not ours. Partitions are *assigned* from the beginning: no consumer
group is joined and no offsets are committed.

Prints one JSON object per record on stdout, in arrival order (offset order per partition):

    {"topic", "partition", "offset", "timestamp", "timestamp_type",
     "key", "key_encoding", "value", "value_encoding",
     "headers": [{"key", "value", "encoding"}]}

Bytes (key, value, header values) are UTF-8 text when they decode as UTF-8
("encoding": "utf-8"), else base64 ("encoding": "base64"); null stays null.

Exit status: 0 when `--expected` records were read, 2 on timeout (the records read so far
are still printed), 1 on other errors. Diagnostics go to stderr.

Clients (`--client`): `confluent` (confluent-kafka) and `kafka-python`.
"""

import argparse
import base64
import json
import sys
import time


def encode_bytes(data):
    if data is None:
        return None, None
    if isinstance(data, str):
        return data, "utf-8"
    data = bytes(data)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return base64.b64encode(data).decode("ascii"), "base64"


def record_json(topic, partition, offset, ts, ts_type, key, value, headers):
    k, k_enc = encode_bytes(key)
    v, v_enc = encode_bytes(value)
    hs = []
    for hk, hv in headers or []:
        enc_v, enc = encode_bytes(hv)
        hs.append({"key": hk, "value": enc_v, "encoding": enc})
    return json.dumps(
        {
            "topic": topic,
            "partition": partition,
            "offset": offset,
            "timestamp": ts,
            "timestamp_type": ts_type,
            "key": k,
            "key_encoding": k_enc,
            "value": v,
            "value_encoding": v_enc,
            "headers": hs,
        },
        separators=(",", ":"),
    )


def emit(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def consume_confluent(args, deadline):
    from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, TopicPartition
    from confluent_kafka import TIMESTAMP_CREATE_TIME, TIMESTAMP_LOG_APPEND_TIME

    consumer = Consumer(
        {
            "bootstrap.servers": args.bootstrap_servers,
            # Required by the Python binding; never used: we assign and never commit.
            "group.id": "tributary-verify-unused",
            "enable.auto.commit": False,
            "enable.auto.offset.store": False,
            "auto.offset.reset": "earliest",
            "allow.auto.create.topics": False,
        }
    )
    try:
        partitions = None
        while partitions is None:
            try:
                md = consumer.list_topics(args.topic, timeout=5)
                t = md.topics.get(args.topic)
                if t is not None and t.error is None and t.partitions:
                    partitions = sorted(t.partitions)
                    break
                print(f"waiting for topic {args.topic}: {t.error if t else 'absent'}", file=sys.stderr)
            except KafkaException as e:
                print(f"metadata: {e}", file=sys.stderr)
            if time.monotonic() >= deadline:
                return 0
            time.sleep(0.2)
        consumer.assign([TopicPartition(args.topic, p, OFFSET_BEGINNING) for p in partitions])
        count = 0
        while count < args.expected:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            msg = consumer.poll(min(remaining, 0.5))
            if msg is None:
                continue
            if msg.error():
                print(f"consume error: {msg.error()}", file=sys.stderr)
                continue
            ts_kind, ts = msg.timestamp()
            ts_type = {
                TIMESTAMP_CREATE_TIME: "CreateTime",
                TIMESTAMP_LOG_APPEND_TIME: "LogAppendTime",
            }.get(ts_kind, "NotAvailable")
            emit(
                record_json(
                    msg.topic(),
                    msg.partition(),
                    msg.offset(),
                    ts if ts_type != "NotAvailable" else None,
                    ts_type,
                    msg.key(),
                    msg.value(),
                    msg.headers(),
                )
            )
            count += 1
        return count
    finally:
        consumer.close()


def consume_kafka_python(args, deadline):
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(
        bootstrap_servers=args.bootstrap_servers.split(","),
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        client_id="tributary-verify",
    )
    try:
        partitions = None
        while True:
            try:
                partitions = consumer.partitions_for_topic(args.topic)
            except Exception as e:  # noqa: BLE001 - report and retry until the deadline
                print(f"metadata: {e}", file=sys.stderr)
            if partitions:
                break
            if time.monotonic() >= deadline:
                return 0
            consumer.poll(timeout_ms=200)  # lets the client refresh metadata
            time.sleep(0.2)
        tps = [TopicPartition(args.topic, p) for p in sorted(partitions)]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        count = 0
        while count < args.expected:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            batches = consumer.poll(
                timeout_ms=int(min(remaining, 0.5) * 1000), max_records=args.expected - count
            )
            for _tp, msgs in sorted(batches.items(), key=lambda kv: kv[0].partition):
                for msg in msgs:
                    ts_type = {0: "CreateTime", 1: "LogAppendTime"}.get(
                        msg.timestamp_type, "NotAvailable"
                    )
                    emit(
                        record_json(
                            msg.topic,
                            msg.partition,
                            msg.offset,
                            msg.timestamp if ts_type != "NotAvailable" else None,
                            ts_type,
                            msg.key,
                            msg.value,
                            msg.headers,
                        )
                    )
                    count += 1
        return count
    finally:
        consumer.close(autocommit=False)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bootstrap-servers", required=True)
    p.add_argument("--topic", required=True)
    p.add_argument("--expected", type=int, required=True, help="stop after this many records")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds")
    p.add_argument("--client", choices=["confluent", "kafka-python"], default="confluent")
    args = p.parse_args()
    deadline = time.monotonic() + args.timeout
    consume = consume_confluent if args.client == "confluent" else consume_kafka_python
    count = consume(args, deadline)
    if count < args.expected:
        print(
            f"timeout: read {count} of {args.expected} records from {args.topic} "
            f"within {args.timeout}s",
            file=sys.stderr,
        )
        return 2
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as e:  # noqa: BLE001 - exit 1 with the error on stderr
        import traceback

        traceback.print_exc()
        print(f"error: {e}", file=sys.stderr)
        sys.exit(1)
