"""ministack's ``DescribeAlarms`` in the query protocol, answered with every field of a metric alarm, as AWS answers.

The Terraform AWS provider reads alarms through the query protocol. ministack answers it (1.5.33,
``services/cloudwatch.py``) with the alarm's name, state, metric, threshold and comparison only, while its JSON and
CBOR answers carry the whole stored alarm. Without the missing fields (period, statistic, dimensions, description,
actions, missing-data treatment) every plan after an apply would show each alarm changing. This module asks
ministack for the same page through its JSON path (the same filters, paging and store) and writes that page as the
query protocol's XML.

Why glue: the fault is in ministack's XML serializer and no newer release has another; the fix is a serializer,
installed by ``local/emulator.py`` the way its IAM corrections are.
"""

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

from ministack.services import cloudwatch  # type: ignore[import-not-found]

Handler = Callable[..., tuple[int, dict[str, str], bytes]]
LIST_FIELDS = ("OKActions", "AlarmActions", "InsufficientDataActions")
SCALAR_FIELDS = (
    "AlarmName",
    "AlarmArn",
    "AlarmDescription",
    "AlarmConfigurationUpdatedTimestamp",
    "ActionsEnabled",
    "StateValue",
    "StateReason",
    "StateUpdatedTimestamp",
    "MetricName",
    "Namespace",
    "Statistic",
    "ExtendedStatistic",
    "Period",
    "Unit",
    "EvaluationPeriods",
    "DatapointsToAlarm",
    "Threshold",
    "ComparisonOperator",
    "TreatMissingData",
    "AlarmRule",
)


def _text(field: str, value: Any) -> str:
    if field.endswith("Timestamp") and isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(str(value))


def alarm_xml(alarm: dict[str, Any]) -> str:
    """One ``<member>`` of ``MetricAlarms`` or ``CompositeAlarms``, every field the alarm has."""
    parts = [f"<{f}>{_text(f, alarm[f])}</{f}>" for f in SCALAR_FIELDS if alarm.get(f) is not None]
    for field in LIST_FIELDS:
        members = "".join(f"<member>{escape(str(v))}</member>" for v in alarm.get(field) or [])
        parts.append(f"<{field}>{members}</{field}>")
    dimensions = "".join(
        f"<member><Name>{escape(str(d['Name']))}</Name><Value>{escape(str(d['Value']))}</Value></member>"
        for d in alarm.get("Dimensions") or []
    )
    if "MetricName" in alarm:
        parts.append(f"<Dimensions>{dimensions}</Dimensions>")
    return f"<member>{''.join(parts)}</member>"


def _request(params: dict[str, Any]) -> dict[str, Any]:
    """The query request's filters as the JSON request ministack's handler reads."""

    def listed(prefix: str, limit: int) -> list[str]:
        return [v for i in range(1, limit + 1) if (v := cloudwatch._p(params, f"{prefix}.member.{i}"))]

    request: dict[str, Any] = {"AlarmNames": listed("AlarmNames", 100), "AlarmTypes": listed("AlarmTypes", 10)}
    for field in ("AlarmNamePrefix", "StateValue", "MaxRecords", "NextToken"):
        if value := cloudwatch._p(params, field):
            request[field] = int(value) if field == "MaxRecords" else value
    return {k: v for k, v in request.items() if v}


def complete(describe_alarms: Handler) -> Handler:
    """``describe_alarms`` answering the query protocol from its own JSON answer."""

    def handler(params: dict[str, Any], cbor_data: Any, is_cbor: bool, is_json: bool = False) -> Any:
        if is_cbor or is_json:
            return describe_alarms(params, cbor_data, is_cbor, is_json)
        status, _headers, body = describe_alarms(params, _request(params), False, True)
        if status != 200:  # an error: ministack's own answer, in the query protocol
            return describe_alarms(params, cbor_data, is_cbor, is_json)
        page = json.loads(body)
        token = page.get("NextToken")
        return cloudwatch._xml(
            200,
            "DescribeAlarmsResponse",
            "<DescribeAlarmsResult>"
            f"<MetricAlarms>{''.join(alarm_xml(a) for a in page.get('MetricAlarms', []))}</MetricAlarms>"
            f"<CompositeAlarms>{''.join(alarm_xml(a) for a in page.get('CompositeAlarms', []))}</CompositeAlarms>"
            f"{f'<NextToken>{escape(token)}</NextToken>' if token else ''}"
            "</DescribeAlarmsResult>",
        )

    return handler


def install() -> None:
    """ministack looks its handlers up at every request: the replacement serves everything from then on."""
    cloudwatch._describe_alarms = complete(cloudwatch._describe_alarms)
