"""Powertools Logger and Metrics for one workload, configured the same way everywhere.

The service name comes from POWERTOOLS_SERVICE_NAME when Terraform sets it, otherwise from the workload; the
metrics namespace from POWERTOOLS_METRICS_NAMESPACE (default ``DurableDeploy``).

No tracing SDK is loaded: Lambda's active tracing (Terraform ``tracing_mode``) records each invocation without
one, while the X-Ray SDK behind Powertools' Tracer made a worker's cold import about 9 times its Logger's and is in
maintenance mode (docs/workloads.md, "Observability": what a trace still shows, and how to add OpenTelemetry
subsegments).
"""

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


def worker_handler(obs: Observability, correlation_id_path: str) -> Callable[[Handler], Handler]:
    """The decorator stack every plain worker Lambda wears: JSON logs with a correlation id, and metrics."""

    def decorate(func: Handler) -> Handler:
        logged = obs.logger.inject_lambda_context(correlation_id_path=correlation_id_path)(func)
        return obs.metrics.log_metrics(logged)

    return decorate
