"""The local endpoint (http://127.0.0.1:4566): AWS's Lambda API shapes in front of the emulator and the engine.

Two local processes together do what the Lambda service does for durable functions:

* ministack hosts every function, queue, table, bucket, role and stack, but cannot run a durable execution;
* ``dex-local-runner`` (AWS's durable-execution engine, from aws-durable-execution-sdk-python-testing) runs
  durable executions, serves the durable-execution APIs and invokes each replay of the handler in ministack,
  but has no ``Invoke`` route.

This front routes each request the way the Lambda service would:

* ``Invoke`` of a durable function (known from the deployed CloudFormation templates, local/durable_functions.py)
  by alias or version starts a durable execution on the engine, pinned to the version the alias names now (for a
  weighted alias, the additional version with its weight's probability, as Lambda routes a canary).
  ``RequestResponse`` waits and answers with the result, or ``X-Amz-Function-Error`` and the error;
  ``Event`` answers 202 with ``X-Amz-Durable-Execution-Arn``. ``X-Amz-Durable-Execution-Name`` is an idempotency
  key as on AWS: the same name and payload attaches to the existing execution, another payload is a 409
  ``DurableExecutionAlreadyStartedException``. An unqualified (or ``$LATEST``) Invoke of a durable function fails.
* the durable-execution APIs (``/2025-12-01/durable-executions…``, callbacks, ``ListDurableExecutionsByFunction``,
  the handlers' checkpoints) go to the engine;
* everything else, and the engine's own handler invocations (header ``X-Dex-Handler-Invoke``), goes to ministack
  unchanged, ``Host`` header included, so the URLs ministack builds name this endpoint.

Why hand-written: no package on PyPI puts a Lambda ``Invoke`` in front of a durable engine (SAM CLI does it inside
its Docker-based ``sam local``); the routing is ~200 lines of the standard library's HTTP server and client.
"""

import argparse
import http.client
import json
import logging
import random
import re
import sys
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from botocore.exceptions import ClientError

from local.authorization import Authorizer, function_arn
from local.aws import REGION, client
from local.durable_functions import DurableConfig, durable_functions

LOG = logging.getLogger("lambda-front")

INVOKE_PATH = re.compile(r"^/2015-03-31/functions/(?P<function>[^/]+)/invocations$")
ENGINE_PATH = re.compile(r"^/2025-12-01/(durable-execution|functions/[^/]+/durable-executions)")
HANDLER_INVOKE_HEADER = "x-dex-handler-invoke"  # the engine invoking a replay of the handler
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "content-length"}
FUNCTION_REF = re.compile(
    r"^(?:arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:|\d{12}:function:)?(?P<name>[A-Za-z0-9_-]+)"
    r"(?::(?P<qualifier>[A-Za-z0-9_$.-]+))?$"
)
TERMINAL = {"SUCCEEDED", "FAILED", "TIMED_OUT", "STOPPED"}
REGISTRY_REFRESH_SECONDS = 2.0
SYNC_INVOKE_LIMIT_SECONDS = 900  # a synchronous Invoke waits at most 15 minutes, as on AWS
NAME_LOCKS = 64


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def error(cls, status: int, code: str, message: str) -> "Reply":
        body = json.dumps({"Type": "User", "message": message, "Message": message}).encode()
        return cls(status, body, {"Content-Type": "application/json", "X-Amzn-ErrorType": code})


class DurableRegistry:
    """The durable functions deployed now, re-read from CloudFormation at most every two seconds on a miss."""

    def __init__(self, cfn: Any) -> None:
        self._cfn = cfn
        self._functions: dict[str, DurableConfig] = {}
        self._read_at = 0.0
        self._lock = threading.Lock()

    def get(self, name: str) -> DurableConfig | None:
        with self._lock:
            if name not in self._functions and time.monotonic() - self._read_at > REGISTRY_REFRESH_SECONDS:
                try:
                    self._functions = durable_functions(self._cfn)
                except ClientError as error:  # emulator still empty or starting: nothing is durable yet
                    LOG.warning("cannot read deployed stacks: %s", error)
                self._read_at = time.monotonic()
            return self._functions.get(name)


class Front:
    """The routing and the durable ``Invoke``; the HTTP plumbing is in :class:`Handler`."""

    def __init__(self, emulator_url: str, engine_url: str) -> None:
        self.emulator = urllib.parse.urlsplit(emulator_url)
        self.engine = urllib.parse.urlsplit(engine_url)
        self.registry = DurableRegistry(client("cloudformation", emulator_url))
        self.functions = client("lambda", emulator_url)
        self.executions = client("lambda", engine_url)
        self.authorizer = Authorizer(emulator_url, self.execution_function, REGION)
        self._account = client("sts", emulator_url).get_caller_identity()["Account"]
        # Starts under one execution name are serialised; a fixed set of locks, so nothing grows per name.
        self._name_locks = [threading.Lock() for _ in range(NAME_LOCKS)]

    # -- routing ----------------------------------------------------------------------------------------------
    def route(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Reply:
        url = urllib.parse.urlsplit(target)
        invoke = INVOKE_PATH.match(url.path)
        if invoke and method == "POST" and HANDLER_INVOKE_HEADER not in {k.lower() for k in headers}:
            ref = FUNCTION_REF.match(urllib.parse.unquote(invoke["function"]))
            query = urllib.parse.parse_qs(url.query)
            if ref and (config := self.registry.get(ref["name"])) is not None:
                qualifier = query.get("Qualifier", [ref["qualifier"]])[0]
                return self.invoke_durable(ref["name"], qualifier, config, target, headers, body)
        if not ENGINE_PATH.match(url.path):
            return forward(self.emulator, method, target, headers, body)
        try:
            checks = self.authorizer.checks(method, url.path, urllib.parse.parse_qs(url.query), body, self._account)
        except ClientError as error:  # the execution named does not exist
            return client_error(error)
        denial = self.authorizer.authorize(method, target, headers, body, checks)
        if denial is not None:
            return Reply.error(denial.status, denial.code, denial.message)
        return forward(self.engine, method, target, headers, body)

    def execution_function(self, engine_arn: str) -> tuple[str, str]:
        """(qualified function ARN, execution name) of an execution of the engine."""
        details = self.executions.get_durable_execution(DurableExecutionArn=engine_arn)
        return str(details["FunctionArn"]), str(details["DurableExecutionName"])

    # -- durable Invoke -----------------------------------------------------------------------------------------
    def invoke_durable(  # noqa: PLR0917 - the request's parts
        self,
        name: str,
        qualifier: str | None,
        config: DurableConfig,
        target: str,
        headers: dict[str, str],
        payload: bytes,
    ) -> Reply:
        lowered = {k.lower(): v for k, v in headers.items()}
        invocation_type = lowered.get("x-amz-invocation-type", "RequestResponse")
        try:
            version, account = self.version_of(name, qualifier)
            invoked = function_arn(REGION, account, f"{name}:{qualifier}")
            denial = self.authorizer.authorize("POST", target, headers, payload, [("lambda:InvokeFunction", invoked)])
            if denial is not None:
                return Reply.error(denial.status, denial.code, denial.message)
            if invocation_type == "DryRun":
                return Reply(204, headers={"X-Amz-Executed-Version": version})
            text = json_payload(payload)
            execution_name = lowered.get("x-amz-durable-execution-name")
            if execution_name:
                arn = self.start_or_attach(name, version, account, execution_name, text, config)
            else:  # a new name: nothing to attach to
                arn = self.start(name, version, account, str(uuid.uuid4()), text, config)
        except ClientError as error:
            return client_error(error)
        except Refusal as refusal:
            return refusal.reply
        answer = {"X-Amz-Durable-Execution-Arn": arn, "X-Amz-Executed-Version": version}
        if invocation_type == "Event":
            return Reply(202, headers=answer)
        return self.outcome(arn, answer)

    def version_of(self, name: str, qualifier: str | None) -> tuple[str, str]:
        """The version an execution started through ``qualifier`` runs on, for all of its replays, and the account
        the function belongs to."""
        if qualifier in (None, "$LATEST"):
            raise Refusal(
                400,
                "InvalidParameterValueException",
                f"{name} is a durable function: invoke it with a qualified ARN (a version or an alias), "
                "not unqualified or $LATEST.",
            )
        assert qualifier is not None
        if qualifier.isdigit():
            arn = self.functions.get_function_configuration(FunctionName=name, Qualifier=qualifier)["FunctionArn"]
            return qualifier, arn.split(":")[4]
        alias = self.functions.get_alias(FunctionName=name, Name=qualifier)
        return weighted_version(alias), alias["AliasArn"].split(":")[4]

    def start_or_attach(  # noqa: PLR0917 - the start request's fields
        self, name: str, version: str, account: str, execution_name: str, payload: str, config: DurableConfig
    ) -> str:
        """The ARN of the execution named ``execution_name``: the existing one when the payload is the same."""
        with self._name_locks[hash((name, execution_name)) % NAME_LOCKS]:
            existing = self.executions.list_durable_executions_by_function(
                FunctionName=name, DurableExecutionName=execution_name
            )["DurableExecutions"]
            for execution in existing:
                arn: str = execution["DurableExecutionArn"]
                details = self.executions.get_durable_execution(DurableExecutionArn=arn)
                if json.loads(details.get("InputPayload") or "null") != json.loads(payload):
                    msg = f"execution {execution_name!r} of {name} already exists with another payload ({arn})"
                    raise Refusal(409, "DurableExecutionAlreadyStartedException", msg)
                return arn
            return self.start(name, version, account, execution_name, payload, config)

    def start(  # noqa: PLR0917 - the start request's fields
        self, name: str, version: str, account: str, execution_name: str, payload: str, config: DurableConfig
    ) -> str:
        """Start a new execution of ``name`` pinned to ``version``; its ARN."""
        started = engine_start(
            self.engine,
            {
                "AccountId": account,
                "FunctionName": name,
                "FunctionQualifier": version,
                "ExecutionName": execution_name,
                "ExecutionTimeoutSeconds": config.execution_timeout,
                "ExecutionRetentionPeriodDays": config.retention_period_days,
                "Input": payload,
            },
        )
        LOG.info("started %s of %s:%s as %s", execution_name, name, version, started)
        return started

    def outcome(self, arn: str, headers: dict[str, str]) -> Reply:
        """Wait for the execution to end; answer as Lambda answers a synchronous Invoke."""
        deadline = time.monotonic() + SYNC_INVOKE_LIMIT_SECONDS
        pause = 0.05
        while True:
            details = self.executions.get_durable_execution(DurableExecutionArn=arn)
            if details["Status"] in TERMINAL:
                break
            if time.monotonic() > deadline:
                return Reply.error(
                    500, "ServiceException", f"durable execution {arn} still running after the synchronous limit"
                )
            time.sleep(pause)
            pause = min(0.5, pause * 1.5)
        if details["Status"] == "SUCCEEDED":
            return Reply(200, (details.get("Result") or "null").encode(), headers)
        error = details.get("Error") or {}
        body = {
            "errorType": error.get("ErrorType") or f"DurableExecution{details['Status'].title().replace('_', '')}",
            "errorMessage": error.get("ErrorMessage") or f"durable execution {details['Status']}",
        }
        return Reply(200, json.dumps(body).encode(), {**headers, "X-Amz-Function-Error": "Unhandled"})


class Refusal(Exception):
    """The durable Invoke is refused with an AWS error reply."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.reply = Reply.error(status, code, message)


def weighted_version(alias: dict[str, Any], draw: float | None = None) -> str:
    """The version an Invoke of ``alias`` runs, as Lambda picks it for a weighted alias: each additional version
    with its weight's probability (``RoutingConfig.AdditionalVersionWeights``), the primary version otherwise."""
    point = random.random() if draw is None else draw  # noqa: S311 - traffic splitting, not cryptography
    for version, weight in ((alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}).items():
        if point < float(weight):
            return str(version)
        point -= float(weight)
    return str(alias["FunctionVersion"])


def json_payload(payload: bytes) -> str:
    """The Invoke payload as JSON text (``{}`` when empty); Lambda refuses anything that is not JSON."""
    try:
        text = payload.decode() if payload else "{}"
        json.loads(text)
    except (UnicodeDecodeError, ValueError):
        raise Refusal(400, "InvalidRequestContentException", "Could not parse request body into json") from None
    return text


def client_error(error: ClientError) -> Reply:
    info = error.response.get("Error", {})
    status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 400))
    return Reply.error(status, str(info.get("Code", "ServiceException")), str(info.get("Message", error)))


def engine_start(engine: urllib.parse.SplitResult, request: dict[str, Any]) -> str:
    """The engine's own start call (``POST /start-durable-execution``, not an AWS API)."""
    reply = forward(
        engine, "POST", "/start-durable-execution", {"Content-Type": "application/json"}, json.dumps(request).encode()
    )
    answer = json.loads(reply.body or b"{}")
    if reply.status >= 300:
        raise ClientError(
            {
                "Error": {
                    "Code": answer.get("Type", "ServiceException"),
                    "Message": answer.get("message", str(answer)),
                },
                "ResponseMetadata": {"HTTPStatusCode": reply.status},
            },
            "StartDurableExecution",
        )
    return str(answer["ExecutionArn"])


def forward(
    upstream: urllib.parse.SplitResult, method: str, target: str, headers: dict[str, str], body: bytes
) -> Reply:
    """Send the request on unchanged (Host included) and return the upstream's answer."""
    connection = http.client.HTTPConnection(
        upstream.hostname or "127.0.0.1", upstream.port, timeout=SYNC_INVOKE_LIMIT_SECONDS + 60
    )
    try:
        sent = {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP}
        connection.request(method, target, body=body if body or method not in ("GET", "HEAD") else None, headers=sent)
        response = connection.getresponse()
        data = response.read()
        kept = {k: v for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP}
        return Reply(response.status, data, kept)
    finally:
        connection.close()


class Handler(BaseHTTPRequestHandler):
    """HTTP/1.1 plumbing: read the whole request, let the Front answer, write the whole reply."""

    protocol_version = "HTTP/1.1"
    front: Front

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _serve(self) -> None:
        body = self._read_body()
        try:
            reply = self.front.route(self.command, self.path, dict(self.headers.items()), body)
        except (OSError, http.client.HTTPException) as error:
            LOG.exception("upstream unreachable for %s %s", self.command, self.path)
            reply = Reply.error(502, "ServiceException", f"local upstream unreachable: {error}")
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            # As on AWS, what the upstream did stays done (e.g. messages received stay in flight until their
            # visibility timeout); only the answer is lost.
            LOG.warning("the client of %s %s went away before its answer", self.command, self.path)
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _serve

    def log_message(self, format: str, *args: Any) -> None:
        LOG.debug(format, *args)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--port", type=int, default=4566)
    parser.add_argument("--emulator", required=True, help="ministack's URL, e.g. http://127.0.0.1:4666")
    parser.add_argument("--engine", required=True, help="dex-local-runner's URL, e.g. http://127.0.0.1:4766")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    Handler.front = Front(args.emulator, args.engine)
    ThreadingHTTPServer.request_queue_size = 128  # bursts of concurrent clients (the default backlog is 5)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    LOG.info("Lambda API front on 127.0.0.1:%d (emulator %s, engine %s)", args.port, args.emulator, args.engine)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
