"""Validation worker: a record needs a non-empty ``data_source`` and ``processing_type``."""

from typing import Any, TypedDict

from common.faults import inject
from common.observability import observability, worker_handler
from common.payload import field, require_object

REQUIRED_FIELDS = ("data_source", "processing_type")

obs = observability("data-pipeline")


class Verdict(TypedDict):
    valid: bool
    errors: list[str]
    execution_id: str


def problems(data: dict[str, Any]) -> list[str]:
    """Why ``data`` is invalid; empty when it is valid."""
    return [
        f"{name} is required and must be a non-empty string"
        for name in REQUIRED_FIELDS
        if not isinstance(data.get(name), str) or not data[name].strip()
    ]


@worker_handler(obs, correlation_id_path="execution_id")
def handler(event: Any, context: Any) -> Verdict:
    inject("validator", event)  # local-only fault switch (FAULT_INJECTION); a no-op when unset
    payload = require_object(event)
    errors = problems(field(payload, "data", dict))
    obs.logger.info("record validated", extra={"valid": not errors, "errors": errors})
    return {"valid": not errors, "errors": errors, "execution_id": field(payload, "execution_id", str)}
