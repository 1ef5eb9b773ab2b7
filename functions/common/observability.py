"""Powertools Logger, Tracer and Metrics for one workload, configured the same way everywhere.

The service name comes from POWERTOOLS_SERVICE_NAME when Terraform sets it, otherwise from the workload; the
metrics namespace from POWERTOOLS_METRICS_NAMESPACE (default ``DurableDeploy``). Tracing is a no-op outside Lambda.
"""

import os
from collections.abc import Callable
from functools import cached_property
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

DEFAULT_NAMESPACE = "DurableDeploy"

Handler = Callable[[Any, Any], Any]


class Observability:
    """Logger, Metrics and (created on first use) Tracer of one service.

    The Tracer is lazy because it loads the X-Ray SDK, which builds boto clients at import: about 150 ms of cold
    start that the durable handlers, which never trace by hand, should not pay.
    """

    def __init__(self, service: str, namespace: str) -> None:
        self.service = service
        self.logger = Logger(service=service)
        self.metrics = Metrics(namespace=namespace, service=service)

    @cached_property
    def tracer(self) -> Tracer:
        return Tracer(service=self.service)

    def count(self, name: str, value: int = 1) -> None:
        """Publish one count metric right away (used by durable handlers, which have no log_metrics wrapper).

        Callers in durable code check ``context.is_replaying()`` first so a replay does not count twice.
        """
        if value <= 0:
            return
        self.metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
        self.metrics.flush_metrics()


def observability(service: str) -> Observability:
    """Logger (JSON), Tracer and Metrics for ``service``."""
    service = os.environ.get("POWERTOOLS_SERVICE_NAME") or service
    namespace = os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or DEFAULT_NAMESPACE
    return Observability(service, namespace)


def worker_handler(obs: Observability, correlation_id_path: str) -> Callable[[Handler], Handler]:
    """The decorator stack every plain worker Lambda wears: JSON logs with a correlation id, X-Ray, metrics."""

    def decorate(func: Handler) -> Handler:
        traced = obs.tracer.capture_lambda_handler(func)
        logged = obs.logger.inject_lambda_context(correlation_id_path=correlation_id_path)(traced)
        return obs.metrics.log_metrics(logged)

    return decorate
