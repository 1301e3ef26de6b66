#!/usr/bin/env python3
"""Drive a Tributary worker's REST API with kafka-connect-py, a client we did not write.

    rest_client_check.py --url http://127.0.0.1:PORT --topic T --file /path/in.txt

Creates a FileStreamSource, reads it back, validates configs (a PASSWORD-free plugin and a
broken one), pauses, resumes, stops, restarts and deletes it, asserting what a user sees at
each step. Prints "ok" and exits 0 on success; any failed assertion exits non-zero.
"""

import argparse
import sys
import time

import requests
from kafka_connect import KafkaConnect


def wait_for(predicate, what, timeout=30.0):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--file", required=True)
    args = parser.parse_args()
    kc = KafkaConnect(url=args.url)

    info = kc.get_cluster_info()
    assert "version" in info and "commit" in info, info

    plugins = kc.list_connector_plugins()
    classes = {p["class"] for p in plugins}
    assert "org.apache.kafka.connect.file.FileStreamSourceConnector" in classes, plugins
    assert all(p["type"] in ("source", "sink") for p in plugins), plugins

    config = {
        "connector.class": "FileStreamSource",
        "tasks.max": "1",
        "file": args.file,
        "topic": args.topic,
    }
    validation = kc.validate_connector_config("FileStreamSourceConnector", dict(config, name="py-source"))
    assert validation["error_count"] == 0, validation
    # Kafka Connect names the class as the config gives it.
    assert validation["name"] == "FileStreamSource", validation

    broken = kc.validate_connector_config("FileStreamSourceConnector", {"connector.class": "FileStreamSource", "tasks.max": "0"})
    errors = {c["value"]["name"]: c["value"]["errors"] for c in broken["configs"] if c["value"]["errors"]}
    assert broken["error_count"] == len([e for es in errors.values() for e in es]), broken
    assert "topic" in errors and "tasks.max" in errors and "name" in errors, errors

    created = kc.create_connector({"name": "py-source", "config": config})
    assert created["name"] == "py-source", created
    assert created["type"] == "source", created
    assert created["config"]["topic"] == args.topic, created

    try:
        kc.create_connector({"name": "py-source", "config": config})
        raise AssertionError("a duplicate create must fail")
    except requests.HTTPError as e:
        assert e.response.status_code == 409, e.response.text
        assert e.response.json()["error_code"] == 409, e.response.text

    assert "py-source" in kc.list_connectors(), kc.list_connectors()
    assert kc.get_connector_config("py-source")["file"] == args.file

    def state_is(wanted):
        status = kc.get_connector_status("py-source")
        tasks = status.get("tasks", [])
        return status if tasks and all(t["state"] == wanted for t in tasks) else None

    status = wait_for(lambda: state_is("RUNNING"), "RUNNING")
    assert status["connector"]["state"] == "RUNNING", status

    tasks = kc.list_connector_tasks("py-source")
    assert tasks[0]["id"] == {"connector": "py-source", "task": 0}, tasks

    kc.pause_connector("py-source")
    status = wait_for(lambda: state_is("PAUSED"), "PAUSED")
    assert status["connector"]["state"] == "PAUSED", status
    kc.resume_connector("py-source")
    wait_for(lambda: state_is("RUNNING"), "RUNNING after resume")

    kc.restart_connector("py-source", include_tasks=True)
    wait_for(lambda: state_is("RUNNING"), "RUNNING after restart")

    topics = kc.list_connector_topics("py-source")
    assert topics == {"py-source": {"topics": [args.topic]}}, topics

    kc.stop_connector("py-source")
    wait_for(lambda: kc.get_connector_status("py-source")["connector"]["state"] == "STOPPED", "STOPPED")
    offsets = requests.get(f"{args.url}/connectors/py-source/offsets").json()
    assert offsets["offsets"][0]["partition"] == {"filename": args.file}, offsets

    kc.delete_connector("py-source")
    assert "py-source" not in kc.list_connectors()
    try:
        kc.get_connector("py-source")
        raise AssertionError("a deleted connector must be gone")
    except requests.HTTPError as e:
        assert e.response.status_code == 404, e.response.text
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
