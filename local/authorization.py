"""IAM for the requests the front serves itself: the durable-execution APIs and a durable ``Invoke``.

ministack authorizes every request it serves (``AUTH=true``), but the durable-execution APIs are served by the
durable engine, which has none. For each such request the front asks which IAM checks the Lambda service makes
(:func:`checks`), and hands the request as it arrived, signature and all, to ministack's evaluator
(``POST /_local/authorize``, local/emulator.py), which authenticates the caller and evaluates each check against
the caller's policies. A denial is answered as Lambda answers it: 403 ``AccessDeniedException`` naming the action,
the principal and the resource.

The resources are the ones AWS evaluates (the Service Authorization Reference): ``function:NAME[:QUALIFIER]`` for
``InvokeFunction`` and ``ListDurableExecutionsByFunction``, and the execution's own ARN,
``function:NAME:VERSION/durable-execution/EXECUTION-NAME/ID``, for the APIs on one execution (checkpoints and state
reads included), so a role granted ``function:NAME:*`` reaches its own executions only. A checkpoint that starts a
chained invoke is also a ``lambda:InvokeFunction`` of the target exactly as the handler named it, by the durable
function's role: the engine makes that invoke for the function, as the service does.
"""

import base64
import json
import logging
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from aws_durable_execution_sdk_python_testing.token import CallbackToken

LOG = logging.getLogger("lambda-front.iam")
Check = tuple[str, str]  # (IAM action, resource ARN)
CALLBACK_ACTIONS = {
    "succeed": "lambda:SendDurableExecutionCallbackSuccess",
    "fail": "lambda:SendDurableExecutionCallbackFailure",
    "heartbeat": "lambda:SendDurableExecutionCallbackHeartbeat",
}
EXECUTION_ACTIONS = {  # (method, what follows the execution ARN in the path) -> action
    ("GET", ""): "lambda:GetDurableExecution",
    ("GET", "state"): "lambda:GetDurableExecutionState",
    ("GET", "history"): "lambda:GetDurableExecutionHistory",
    ("POST", "checkpoint"): "lambda:CheckpointDurableExecution",
    ("POST", "stop"): "lambda:StopDurableExecution",
}


@dataclass(frozen=True)
class Denial:
    status: int
    code: str
    message: str


def function_arn(region: str, account: str, reference: str) -> str:
    """The ARN IAM evaluates for a function named as a caller named it (name, name:qualifier or an ARN)."""
    if reference.startswith("arn:"):
        return reference
    if reference.count(":") >= 2:  # ACCOUNT:function:NAME[:QUALIFIER]
        return f"arn:aws:lambda:{region}:{reference}"
    return f"arn:aws:lambda:{region}:{account}:function:{reference}"


def chained_invoke_targets(body: bytes) -> list[str]:
    """The functions a checkpoint starts chained invokes of, as the handler named them."""
    try:
        updates = json.loads(body or b"{}").get("Updates") or []
    except (ValueError, AttributeError):
        return []
    return [
        str(update["ChainedInvokeOptions"]["FunctionName"])
        for update in updates
        if isinstance(update, dict)
        and update.get("Type") == "CHAINED_INVOKE"
        and update.get("Action") == "START"
        and isinstance(update.get("ChainedInvokeOptions"), dict)
    ]


class Authorizer:
    """Checks of one request, evaluated by the emulator's IAM."""

    def __init__(self, emulator_url: str, execution_function: Callable[[str], tuple[str, str]], region: str) -> None:
        """``execution_function(engine ARN)`` gives (qualified function ARN, execution name) of an execution."""
        self._authorize_url = emulator_url.rstrip("/") + "/_local/authorize"
        self._execution = lru_cache(maxsize=4096)(execution_function)
        self._region = region

    def execution_arn(self, engine_arn: str) -> str:
        """The ARN AWS gives the execution (the engine's own ARNs are ``<uuid>/<uuid>``)."""
        qualified_function, name = self._execution(engine_arn)
        return f"{qualified_function}/durable-execution/{name}/{engine_arn.rsplit('/', 1)[-1]}"

    def checks(self, method: str, path: str, query: dict[str, list[str]], body: bytes, account: str) -> list[Check]:
        """The IAM checks Lambda makes for a durable-execution API request (path without the query)."""
        parts = [urllib.parse.unquote(p) for p in path.split("/") if p]
        if parts[1:2] == ["durable-executions"] and len(parts) in (3, 4):
            action = EXECUTION_ACTIONS.get((method, parts[3] if len(parts) == 4 else ""))
            if action is None:
                return []
            found: list[Check] = [(action, self.execution_arn(parts[2]))]
            if action == "lambda:CheckpointDurableExecution":
                found += [
                    ("lambda:InvokeFunction", function_arn(self._region, account, target))
                    for target in chained_invoke_targets(body)
                ]
            return found
        if parts[1:2] == ["durable-execution-callbacks"] and len(parts) == 4 and parts[3] in CALLBACK_ACTIONS:
            return [(CALLBACK_ACTIONS[parts[3]], self.execution_arn(CallbackToken.from_str(parts[2]).execution_arn))]
        if parts[1:2] == ["functions"] and parts[3:] == ["durable-executions"]:
            qualifier = query.get("Qualifier", [""])[0]
            arn = function_arn(self._region, account, parts[2] + (f":{qualifier}" if qualifier else ""))
            return [("lambda:ListDurableExecutionsByFunction", arn)]
        return []

    def authorize(
        self, method: str, target: str, headers: dict[str, str], body: bytes, checks: list[Check]
    ) -> Denial | None:
        """None when the caller of this request may do every check; else the first denial."""
        if not checks:
            return None
        request = {
            "method": method,
            "target": target,
            "headers": list(headers.items()),
            "body": base64.b64encode(body).decode(),
            "checks": checks,
        }
        sent = urllib.request.Request(  # noqa: S310 - the local emulator's URL, from processes.sh
            self._authorize_url, data=json.dumps(request).encode(), method="POST"
        )
        with urllib.request.urlopen(sent, timeout=30) as answer:  # noqa: S310
            verdict: dict[str, Any] = json.loads(answer.read())
        if verdict.get("allowed"):
            return None
        LOG.warning("denied %s %s: %s", method, target.split("?", maxsplit=1)[0], verdict.get("message"))
        return Denial(int(verdict.get("status", 403)), str(verdict["code"]), str(verdict["message"]))
