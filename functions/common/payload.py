"""Reading worker payloads: a missing or mistyped field is a clear ValueError naming it.

A chained-invoke target that raises fails the invoke, so the durable caller sees the message as the error.
"""

from typing import Any, TypeVar

T = TypeVar("T")


class PayloadError(ValueError):
    """The payload a worker received does not have the documented shape."""


def require_object(event: Any) -> dict[str, Any]:
    if not isinstance(event, dict):
        msg = f"payload must be a JSON object, got {type(event).__name__}"
        raise PayloadError(msg)
    return event


def field(event: dict[str, Any], name: str, kind: type[T]) -> T:
    """``event[name]`` checked to be a ``kind`` (bool never counts as a number)."""
    value = event.get(name)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        msg = f"payload field {name!r} must be a {kind.__name__}, got {value!r}"
        raise PayloadError(msg)
    return value
