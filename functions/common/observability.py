"""Powertools Logger and Metrics for one workload, configured the same way everywhere.

The service name comes from POWERTOOLS_SERVICE_NAME when Terraform sets it, otherwise from the workload; the
metrics namespace from POWERTOOLS_METRICS_NAMESPACE (default ``DurableDeploy``).

No tracing SDK is loaded: Lambda's active tracing (Terraform ``tracing_mode``) records each invocation without
one, while the X-Ray SDK behind Powertools' Tracer made a worker's cold import about 9 times its Logger's and is in
maintenance mode (docs/workloads.md, "Observability": what a trace still shows, and how to add OpenTelemetry
subsegments).
"""

import functools
import os
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

DEFAULT_NAMESPACE = "DurableDeploy"

Handler = Callable[[Any, Any], Any]


class Observability:
    """Logger and Metrics of one service."""

    def __init__(self, service: str, namespace: str) -> None:
        self.service = service
        self.logger = Logger(service=service)
        self.metrics = Metrics(namespace=namespace, service=service)

    def count(self, name: str, value: int = 1) -> None:
        """Publish one count metric right away (used by durable handlers, which have no log_metrics wrapper).

        Callers in durable code check ``context.is_replaying()`` first so a replay does not count twice.
        """
        if value <= 0:
            return
        self.metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
        self.metrics.flush_metrics()


def observability(service: str) -> Observability:
    """Logger (JSON) and Metrics for ``service``."""
    service = os.environ.get("POWERTOOLS_SERVICE_NAME") or service
    namespace = os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or DEFAULT_NAMESPACE
    return Observability(service, namespace)


# The payload field in which a durable orchestrator passes its execution's ARN to the workers it invokes. Every log
# line of the execution carries it under this key: the orchestrator's through the durable SDK's logger (which names
# it ``executionArn`` too), the workers' through :func:`worker_handler`. `make logs` filters on it.
EXECUTION_ARN_KEY = "executionArn"


def execution_arn_of(event: Any) -> str | None:
    """The calling durable execution's ARN, when the payload carries one."""
    value = event.get(EXECUTION_ARN_KEY) if isinstance(event, dict) else None
    return value if isinstance(value, str) and value else None


def worker_handler(obs: Observability, correlation_id_path: str) -> Callable[[Handler], Handler]:
    """The decorator stack every plain worker Lambda wears: JSON logs with a correlation id and the calling
    execution's ARN, an error line (with that ARN) for any exception the worker raises, and metrics."""

    def decorate(func: Handler) -> Handler:
        @functools.wraps(func)
        def correlated(event: Any, context: Any) -> Any:
            # Set on every invocation (None drops the key), so a warm worker never carries another call's ARN.
            obs.logger.append_keys(**{EXECUTION_ARN_KEY: execution_arn_of(event)})
            try:
                return func(event, context)
            except Exception:
                obs.logger.exception("worker failed")
                raise

        logged = obs.logger.inject_lambda_context(correlation_id_path=correlation_id_path)(correlated)
        return obs.metrics.log_metrics(logged)

    return decorate
