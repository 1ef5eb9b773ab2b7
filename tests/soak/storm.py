"""Storm: good, duplicated and poison messages through SQS and the pipeline's event source mapping.

Proves: every good message is stored exactly once per message (a body sent twice is two messages, each stored
once); every poison message ends in the DLQ with its reason findable by messageId in the pipeline's logs;
``in = stored + dead-lettered`` exactly, and nothing is both; a redelivered message (the same messageId received
again) is never stored twice. Reports the drain time and messages/s.
"""

import json
import time
import uuid
from typing import Any

from tests.soak.env import SoakEnv, wait_until

SQS_BODY_LIMIT = 262_144


def poison_bodies(run_id: str) -> list[tuple[str, str]]:
    """(kind, body) of every kind of message that can never be stored."""
    return [
        ("not-json", f"not json {run_id}"),
        ("truncated-json", '{"data_source": "a.csv", "processing_type": '),
        ("json-array", json.dumps([run_id, 1])),
        ("json-string", json.dumps(f"just a string {run_id}")),
        ("json-number", "42"),
        ("json-null", "null"),
        ("empty-object", "{}"),
        ("missing-data_source", json.dumps({"processing_type": "standard", "run": run_id})),
        ("missing-processing_type", json.dumps({"data_source": f"{run_id}.csv"})),
        ("empty-data_source", json.dumps({"data_source": "", "processing_type": "standard"})),
        ("empty-processing_type", json.dumps({"data_source": f"{run_id}.csv", "processing_type": ""})),
        ("wrong-type-data_source", json.dumps({"data_source": 7, "processing_type": "standard"})),
        ("wrong-type-processing_type", json.dumps({"data_source": f"{run_id}.csv", "processing_type": ["x"]})),
        ("near-size-limit", "x" * (SQS_BODY_LIMIT - 1024)),
    ]


def plan_messages(total: int, run_id: str) -> list[tuple[str, str]]:
    """(kind, body) for ``total`` messages: ~70% good, ~10% good sent twice (two messages), ~20% poison."""
    poison = poison_bodies(run_id)
    poison_count = max(len(poison), total // 5)
    duplicate_pairs = max(1, total // 20)
    good_count = total - poison_count - 2 * duplicate_pairs
    messages: list[tuple[str, str]] = []
    for n in range(good_count):
        messages.append(("good", json.dumps({"data_source": f"soak-{run_id}-{n}.csv", "processing_type": "standard"})))
    for n in range(duplicate_pairs):
        body = json.dumps({"data_source": f"soak-{run_id}-dup-{n}.csv", "processing_type": "batch"})
        messages += [("good-twice", body), ("good-twice", body)]
    messages += [poison[n % len(poison)] for n in range(poison_count)]
    return messages


def send_all(sqs: Any, queue_url: str, messages: list[tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """SendMessageBatch (10 a call, big bodies alone); {messageId: (kind, body)}."""
    sent: dict[str, tuple[str, str]] = {}
    small = [m for m in messages if len(m[1]) < 20_000]
    big = [m for m in messages if len(m[1]) >= 20_000]
    for start in range(0, len(small), 10):
        chunk = small[start : start + 10]
        answer = sqs.send_message_batch(
            QueueUrl=queue_url, Entries=[{"Id": str(i), "MessageBody": body} for i, (_, body) in enumerate(chunk)]
        )
        if answer.get("Failed"):
            raise RuntimeError(f"SendMessageBatch failed: {answer['Failed']}")
        for entry in answer["Successful"]:
            sent[entry["MessageId"]] = chunk[int(entry["Id"])]
    for message in big:
        sent[sqs.send_message(QueueUrl=queue_url, MessageBody=message[1])["MessageId"]] = message
    return sent


def rejection_reasons(env: SoakEnv, message_ids: set[str], max_pages: int = 200) -> dict[str, str]:
    """{messageId: reason} from the pipeline's log lines "record rejected…" (CloudWatch Logs on the endpoint)."""
    logs = env.client("logs")
    group = f"/aws/lambda/{env.function('durable-data-pipeline')}"
    reasons: dict[str, str] = {}
    arguments: dict[str, Any] = {"logGroupName": group}
    for _ in range(max_pages):
        page = logs.filter_log_events(**arguments)
        for event in page.get("events", []):
            message = event.get("message", "")
            if "record rejected" not in message or not message.startswith("{"):
                continue
            line = json.loads(message)
            if line.get("messageId") in message_ids:
                reasons[line["messageId"]] = f"{line.get('stage')}: {line.get('reason')}"
        if not page.get("nextToken") or page["nextToken"] == arguments.get("nextToken"):
            break
        arguments["nextToken"] = page["nextToken"]
    return reasons


def redelivery(env: SoakEnv, stored_ids: list[str], sent: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """The same messageIds delivered again (as after a visibility timeout): crafted ESM events on the alias."""
    lam = env.client("lambda")
    table = env.client("dynamodb")
    records = [
        {"messageId": mid, "receiptHandle": f"redelivery-{mid}", "body": sent[mid][1], "eventSource": "aws:sqs"}
        for mid in stored_ids
    ]
    before = {mid: _stored_at(table, env, mid) for mid in stored_ids}
    response, body = env.invoke(lam, env.outputs["data_pipeline_alias_arn"], {"Records": records})
    after = {mid: _stored_at(table, env, mid) for mid in stored_ids}
    summary = body.get("summary", {}) if isinstance(body, dict) else {}
    return {
        "redelivered": len(records),
        "stored_again": int(summary.get("stored", -1)),
        "reported_duplicate": int(summary.get("duplicate", -1)),
        "items_unchanged": before == after,
        "function_error": response.get("FunctionError"),
    }


def _stored_at(table: Any, env: SoakEnv, message_id: str) -> str | None:
    key = {"execution_id": {"S": f"local-esm-{message_id}"}}
    item = table.get_item(TableName=env.outputs["processed_data_table_name"], Key=key, ConsistentRead=True).get("Item")
    return None if item is None else str(item["stored_at"]["S"])


def run(env: SoakEnv, messages: int = 1000, drain_timeout_s: float = 1500) -> dict[str, Any]:
    run_id = uuid.uuid4().hex[:8]
    sqs, dynamodb = env.client("sqs"), env.client("dynamodb")
    queue, dlq = env.outputs["data_processing_queue_url"], env.outputs["data_processing_dlq_url"]
    processed = env.outputs["processed_data_table_name"]

    started = time.monotonic()
    sent = send_all(sqs, queue, plan_messages(messages, run_id))
    send_seconds = time.monotonic() - started
    keys = {f"local-esm-{mid}": mid for mid in sent}
    stored: dict[str, dict[str, Any]] = {}
    dead: set[str] = set()
    foreign_dead = 0

    def drained() -> bool:
        nonlocal foreign_dead
        pages: dict[str, Any] = {"TableName": processed, "ProjectionExpression": "execution_id, original_data"}
        for _ in range(100):  # bounded scan
            page = dynamodb.scan(**pages)
            for item in page.get("Items", []):
                mid = keys.get(item["execution_id"]["S"])
                if mid is not None:
                    stored[mid] = item
            if "LastEvaluatedKey" not in page:
                break
            pages["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        for _ in range(20):  # the DLQ's messages stay there (received with a long visibility timeout)
            got = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, VisibilityTimeout=900).get("Messages", [])
            if not got:
                break
            for message in got:
                if message["MessageId"] in sent:
                    dead.add(message["MessageId"])
                else:
                    foreign_dead += 1
        return len(stored) + len(dead) >= len(sent)

    finished = wait_until(drained, drain_timeout_s, interval_s=3)
    drain_seconds = time.monotonic() - started

    violations: list[str] = []
    if not finished:
        violations.append(
            f"not drained in {drain_timeout_s:.0f} s: {len(stored)} stored + {len(dead)} dead of {len(sent)}"
        )
    good = {mid for mid, (kind, _) in sent.items() if kind.startswith("good")}
    poison = set(sent) - good
    if set(stored) & dead:
        violations.append(f"{len(set(stored) & dead)} messages both stored and dead-lettered")
    if set(stored) != good and finished:
        violations.append(f"good not stored: {len(good - set(stored))}; poison stored: {len(set(stored) & poison)}")
    if dead != poison and finished:
        violations.append(f"poison not dead-lettered: {len(poison - dead)}; good dead-lettered: {len(dead & good)}")
    if len(sent) != len(stored) + len(dead) and finished:
        violations.append(f"in {len(sent)} != stored {len(stored)} + dead-lettered {len(dead)}")
    for mid in set(stored) & good:
        original = stored[mid].get("original_data", {}).get("M", {}).get("data_source", {}).get("S")
        if original != json.loads(sent[mid][1])["data_source"]:
            violations.append(f"{mid}: stored data_source {original!r} is not the one sent")
            break

    reasons = rejection_reasons(env, dead)
    missing_reason = dead - set(reasons)
    if missing_reason:
        violations.append(
            f"{len(missing_reason)} dead-lettered messages without a logged reason, e.g. {sorted(missing_reason)[:2]}"
        )

    again = redelivery(env, sorted(set(stored) & good)[:5], sent)
    if again["stored_again"] != 0 or not again["items_unchanged"] or again["function_error"]:
        violations.append(f"a redelivered message was stored again: {again}")

    kinds: dict[str, int] = {}
    for kind, _ in sent.values():
        kinds[kind] = kinds.get(kind, 0) + 1
    return {
        "messages_in": len(sent),
        "kinds": kinds,
        "stored": len(stored),
        "dead_lettered": len(dead),
        "reasons_found": len(set(reasons) & dead),
        "example_reason": next(iter(sorted(reasons.items())), None),
        "send_seconds": round(send_seconds, 1),
        "drain_seconds": round(drain_seconds, 1),
        "messages_per_s": round(len(sent) / drain_seconds, 2) if drain_seconds else 0.0,
        "redelivery": again,
        "other_dlq_messages": foreign_dead,
        "violations": violations,
    }
