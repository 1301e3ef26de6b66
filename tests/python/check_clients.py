#!/usr/bin/env python3
"""Check that the venv has the independent clients the tests use; print their versions.

    confluent_kafka   (PyPI confluent-kafka)  Kafka client on librdkafka
    kafka             (PyPI kafka-python)     pure Python Kafka client
    kafka_connect     (PyPI kafka-connect-py) Kafka Connect REST client: KafkaConnect(url)

Exit status 1 if one is missing. Run by scripts/setup-test-env.sh and the testkit tests.
"""

import importlib
import sys
from importlib import metadata

MODULES = {
    "confluent_kafka": "confluent-kafka",
    "kafka": "kafka-python",
    "kafka_connect": "kafka-connect-py",
}


def main():
    ok = True
    for module, dist in MODULES.items():
        try:
            importlib.import_module(module)
            print(f"{module} ({dist}) {metadata.version(dist)}")
        except Exception as e:  # noqa: BLE001 - report every missing client
            print(f"{module} ({dist}) MISSING: {e}", file=sys.stderr)
            ok = False
    if not ok:
        return 1
    from kafka_connect import KafkaConnect

    KafkaConnect(url="http://127.0.0.1:1")  # constructing it does no I/O
    return 0


if __name__ == "__main__":
    sys.exit(main())
