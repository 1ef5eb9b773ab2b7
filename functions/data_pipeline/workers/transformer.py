"""Transformation worker: upper-cases ``data_source`` and stamps the record."""

from typing import Any

from common.clock import now_iso
from common.faults import inject
from common.observability import observability, worker_handler
from common.payload import field, require_object

TRANSFORMATION = "uppercase_data_source"

obs = observability("data-pipeline")


def transform(data: dict[str, Any], execution_id: str, processed_at: str) -> dict[str, Any]:
    """The original fields, ``data_source`` upper-cased, and where/when it was transformed."""
    return {
        **data,
        "data_source": str(data["data_source"]).upper(),
        "processing_type": data["processing_type"],
        "transformation_applied": TRANSFORMATION,
        "processed_at": processed_at,
        "execution_id": execution_id,
    }


@worker_handler(obs, correlation_id_path="execution_id")
def handler(event: Any, context: Any) -> dict[str, Any]:
    inject("transformer", event)  # local-only fault switch (FAULT_INJECTION); a no-op when unset
    payload = require_object(event)
    data = field(payload, "data", dict)
    for name in ("data_source", "processing_type"):
        field(data, name, str)
    return transform(data, field(payload, "execution_id", str), now_iso())
