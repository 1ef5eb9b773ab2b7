"""ministack with IAM enforced, plus the one service the local front needs from its evaluator.

``python -m local.emulator`` (run by the emulator's own interpreter, .venv-emulator: ministack pins an older botocore)
starts ministack exactly as its ``ministack`` command does (GATEWAY_PORT, BIND_HOST, AUTH from the environment) and
adds two routes to its ASGI app:

* ``POST /_local/authorize``: the front hands over a request it received as it arrived (method, target, headers,
  body) and the IAM checks the Lambda service would make for it (``[[action, resource ARN], …]``). ministack
  verifies the request's signature with the caller's secret, resolves the principal (IAM user, assumed-role
  session, a function's execution-role session, or the account root) and evaluates every check with its own
  evaluator, ``ministack.core.iam_evaluator.enforce``: the same code that authorizes every request ministack serves
  itself. Answer: ``{"allowed": true}``, or the first denial with AWS's code and message.
* ``GET /_local/authorization``: how many policy evaluations of a non-root principal ministack made since it
  started (its own requests and the front's), how many were denied, by action.

Some of ministack's request-to-IAM mappings differ from AWS's and are corrected here, so that policies written for
AWS are evaluated as AWS evaluates them: reading a layer version is ``lambda:GetLayerVersion`` (ministack says
``lambda:ListLayers``); ``CreateFunction`` is evaluated on the function it creates, and a DynamoDB call naming its
table by ``ResourceArn`` (the tagging calls) on that table (ministack evaluates both on ``*``); a KMS call naming
its key by alias on the key, with ``kms:RequestAlias`` (ministack: on the alias); a CloudWatch call naming one alarm
in ``AlarmNames`` (DescribeAlarms, DeleteAlarms) or a resource in ``ResourceARN`` (the tagging calls) on it
(ministack: on ``*``). Its query-protocol ``DescribeAlarms`` answers with every field of an alarm
(``local/emulator_alarms.py``).

Why glue: ministack evaluates only the requests it serves, and the durable-execution APIs (checkpoints, state,
executions, a durable ``Invoke``) are served by AWS's durable engine behind the front, which has no IAM. Asking
ministack's evaluator keeps one evaluator and one set of credentials; ``iam:SimulatePrincipalPolicy`` would evaluate
too, but cannot say who signed a request.
"""

import base64
import json
import logging
import re
import sys
import threading
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ministack import app as ministack_app  # type: ignore[import-not-found]
from ministack.core import iam_actions, iam_evaluator  # type: ignore[import-not-found]
from ministack.core.responses import set_request_account_id, set_request_region  # type: ignore[import-not-found]
from ministack.core.router import extract_access_key_id, extract_region  # type: ignore[import-not-found]
from ministack.services import kms as ministack_kms  # type: ignore[import-not-found]

from local import emulator_alarms

LOG = logging.getLogger("ministack.local-iam")
AUTHORIZE_PATH = "/_local/authorize"
STATS_PATH = "/_local/authorization"

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class Evaluations:
    """Counts of the policy evaluations ministack makes for principals that are not the account root."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.allowed: Counter[str] = Counter()
        self.denied: Counter[str] = Counter()

    def record(self, action: str, denied: bool) -> None:
        with self._lock:
            (self.denied if denied else self.allowed)[action] += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "evaluated": sum(self.allowed.values()) + sum(self.denied.values()),
                "denied": sum(self.denied.values()),
                "allowed_by_action": dict(sorted(self.allowed.items())),
                "denied_by_action": dict(sorted(self.denied.items())),
            }


EVALUATIONS = Evaluations()
_enforce = iam_evaluator.enforce
_extract_iam_action = iam_actions.extract_iam_action
_dynamodb_resource_arns = iam_actions.dynamodb_resource_arns
_extract_resource_arn = iam_actions.extract_resource_arn
FUNCTIONS_PATH = re.compile(r"^/\d{4}-\d{2}-\d{2}/functions/?$")
LAYER_VERSION_PATH = re.compile(r"^/\d{4}-\d{2}-\d{2}/layers/[^/]+/versions/\d+$")
KMS_ALIAS_ACTIONS = frozenset({"kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"})


def aws_iam_action(service: str, method: str, path: str, *args: Any) -> Any:
    """ministack's IAM action of a request, with AWS's name where ministack's differs."""
    action = _extract_iam_action(service, method, path, *args)
    if service == "lambda" and method == "GET" and LAYER_VERSION_PATH.match(path):
        return "lambda:GetLayerVersion"
    return action


def json_field(body: bytes, name: str) -> Any:
    """A top-level field of a JSON request body; None when the body is not a JSON object (another protocol)."""
    try:
        return json.loads(body or b"{}").get(name)
    except (ValueError, AttributeError):
        return None


def aws_resource_arn(service: str, method: str, path: str, headers: Any, body: bytes, *rest: Any) -> Any:
    """ministack's resource ARN of a request; for CreateFunction the function it creates, as AWS evaluates it."""
    if service == "lambda" and method == "POST" and FUNCTIONS_PATH.match(path):
        name = json_field(body, "FunctionName")
        region, account = rest[-2], rest[-1]
        if isinstance(name, str) and name:
            return name if name.startswith("arn:") else f"arn:aws:lambda:{region}:{account}:function:{name}"
    arn = _extract_resource_arn(service, method, path, headers, body, *rest)
    if service == "monitoring" and arn == "*":
        return named_alarm(body, rest[0], rest[-2], rest[-1]) or tagged_resource(body, rest[0]) or arn
    return arn


def tagged_resource(body: bytes, form: dict[str, Any]) -> str | None:
    """The resource a CloudWatch tagging call names (``ResourceARN``), on which AWS authorizes it (ministack: ``*``)."""
    arn = json_field(body, "ResourceARN")  # JSON protocol
    if not isinstance(arn, str):
        arn = form.get("ResourceARN")
        arn = arn[0] if isinstance(arn, list) and arn else arn
    return arn if isinstance(arn, str) and arn.startswith("arn:") else None


def named_alarm(body: bytes, form: dict[str, Any], region: str, account: str) -> str | None:
    """The alarm a CloudWatch request names in ``AlarmNames`` when it names exactly one (how the provider reads and
    deletes an alarm): AWS authorizes DescribeAlarms and DeleteAlarms on the alarms, ministack on ``*``."""
    names = json_field(body, "AlarmNames")  # JSON protocol
    if not isinstance(names, list):  # query protocol: AlarmNames.member.N
        names = [v for k in ("AlarmNames.member.1", "AlarmNames.member.2") if (v := form.get(k))]
        names = [v[0] if isinstance(v, list) else v for v in names]
    if len(names) != 1 or not isinstance(names[0], str) or not names[0]:
        return None
    return f"arn:aws:cloudwatch:{region}:{account}:alarm:{names[0]}"


def aws_dynamodb_resource_arns(body: bytes, region: str, account_id: str) -> list[str]:
    """The tables a DynamoDB request names, its ResourceArn included (ministack reads TableName/RequestItems)."""
    found: list[str] = _dynamodb_resource_arns(body, region, account_id)
    if found:
        return found
    try:
        arn = json.loads(body or b"{}").get("ResourceArn")
    except (ValueError, AttributeError):
        return found
    return [arn] if isinstance(arn, str) and arn.startswith("arn:") else found


def aws_kms_target(iam_action: str, resource_arn: str, context: dict[str, Any] | None) -> tuple[str, dict[str, Any]]:
    """A KMS request naming its key by alias, as AWS authorizes it: on the key the alias names, with
    ``kms:RequestAlias`` (ministack evaluates it on the alias ARN, which AWS uses for the alias operations only).
    An AWS managed alias ministack never creates (``alias/aws/dynamodb``, which the provider looks up whenever it
    reads a table) names a key of the account whose id is unknown: ``key/*``."""
    prefix, _, alias = resource_arn.partition(":alias/")
    if not alias or iam_action in KMS_ALIAS_ACTIONS:
        return resource_arn, context or {}
    key = ministack_kms._resolve_key(resource_arn)
    target = key["Arn"] if key and key.get("Arn") else f"{prefix}:key/*"
    return target, {**(context or {}), "kms:RequestAlias": f"alias/{alias}"}


def counted_enforce(access_key_id: str, iam_action: str, *args: Any, **kwargs: Any) -> Any:
    """ministack's ``enforce``, counted (ministack looks it up on its module at every request)."""
    if args and args[0] == "kms" and ":alias/" in str(kwargs.get("resource_arn", "")):
        kwargs["resource_arn"], kwargs["service_context"] = aws_kms_target(
            iam_action, kwargs["resource_arn"], kwargs.get("service_context")
        )
    outcome = _enforce(access_key_id, iam_action, *args, **kwargs)
    if not iam_evaluator.is_root_access_key(access_key_id or ""):
        EVALUATIONS.record(iam_action, outcome is not None)
        if isinstance(outcome, iam_evaluator.AuthError):
            LOG.warning(
                "refused (%s): %s %s on %s", outcome.code, access_key_id, iam_action, kwargs.get("resource_arn")
            )
        elif outcome is not None:
            LOG.warning(
                "AccessDenied (%s): %s %s on %s",
                outcome.decision,
                outcome.principal_arn,
                iam_action,
                kwargs.get("resource_arn", "*"),
            )
    return outcome


def denial_message(action: str, principal: str, resource: str, explicit: bool) -> str:
    """Lambda's AccessDeniedException message: action, principal and resource."""
    reason = (
        "with an explicit deny in an identity-based policy"
        if explicit
        else f"because no identity-based policy allows the {action} action"
    )
    return f"User: {principal} is not authorized to perform: {action} on resource: {resource} {reason}"


def authorize(request: dict[str, Any]) -> dict[str, Any]:
    """Authenticate the request as it arrived at the front and evaluate each of its checks (nothing without AUTH)."""
    if not ministack_app.AUTH:
        return {"allowed": True}
    target = urlsplit(request["target"])
    query = parse_qs(target.query, keep_blank_values=True)
    raw_headers = [(str(k).lower().encode("latin-1"), str(v).encode("latin-1")) for k, v in request["headers"]]
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in raw_headers}
    body = base64.b64decode(request.get("body") or "")
    access_key = extract_access_key_id(headers, query) or ""
    if access_key:
        set_request_account_id(ministack_app._request_account_scope(access_key))
    region = extract_region(headers, query)
    set_request_region(region)
    iam_evaluator.pin_signed_request(request["method"], target.path, query, raw_headers)
    iam_evaluator.pin_signed_body(body)
    for action, resource in request["checks"]:
        outcome = iam_evaluator.enforce(access_key, action, "lambda", region, resource_arn=resource)
        if outcome is None:
            continue
        if isinstance(outcome, iam_evaluator.AuthError):
            return {"allowed": False, "status": 403, "code": outcome.code, "message": outcome.message}
        message = denial_message(action, outcome.principal_arn, resource, outcome.decision == "Deny")
        return {"allowed": False, "status": 403, "code": "AccessDeniedException", "message": message}
    return {"allowed": True}


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _answer(send: Send, status: int, document: dict[str, Any]) -> None:
    body = json.dumps(document).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def with_local_routes(upstream: Callable[[Scope, Receive, Send], Awaitable[None]]) -> Any:
    """ministack's ASGI app with the two local routes in front of it."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path") if scope.get("type") == "http" else None
        if path == AUTHORIZE_PATH and scope["method"] == "POST":
            try:
                answer = authorize(json.loads(await _read_body(receive)))
            except (ValueError, KeyError, TypeError) as error:
                await _answer(send, 400, {"message": f"bad authorize request: {error}"})
                return
            await _answer(send, 200, answer)
            return
        if path == STATS_PATH and scope["method"] == "GET":
            await _answer(send, 200, {"auth": bool(ministack_app.AUTH), **EVALUATIONS.snapshot()})
            return
        await upstream(scope, receive, send)

    return app


def main() -> int:
    # ministack imports these from their modules at every request: the replacements apply to everything it serves.
    iam_evaluator.enforce = counted_enforce
    iam_actions.extract_iam_action = aws_iam_action
    iam_actions.dynamodb_resource_arns = aws_dynamodb_resource_arns
    iam_actions.extract_resource_arn = aws_resource_arn
    emulator_alarms.install()
    ministack_app.app = with_local_routes(ministack_app.app)  # main() serves the module's `app`
    sys.argv = sys.argv[:1]
    ministack_app.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
