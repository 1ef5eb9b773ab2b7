"""Environment-variable configuration, read in one place.

Terraform sets these variables on each function; a missing or malformed one is a deployment error, so it fails
the function's initialisation with a message naming the variable instead of surfacing later as a KeyError.
"""

import os
from decimal import Decimal, InvalidOperation


class ConfigurationError(RuntimeError):
    """A required environment variable is missing or malformed."""


def require_env(name: str) -> str:
    """Return the non-empty value of ``name`` or raise ConfigurationError."""
    value = os.environ.get(name, "").strip()
    if not value:
        msg = f"environment variable {name} is required but not set"
        raise ConfigurationError(msg)
    return value


def int_env(name: str, default: int, *, minimum: int = 1) -> int:
    """Return ``name`` as an integer >= ``minimum`` (``default`` when unset)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        msg = f"environment variable {name} must be an integer >= {minimum}, got {raw!r}"
        raise ConfigurationError(msg)
    return value


def decimal_env(name: str, default: str) -> Decimal:
    """Return ``name`` as a positive Decimal (``default`` when unset)."""
    raw = os.environ.get(name, "").strip() or default
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = Decimal(0)
    if not value.is_finite() or value <= 0:
        msg = f"environment variable {name} must be a positive number, got {raw!r}"
        raise ConfigurationError(msg)
    return value


def environment() -> str:
    """The deployment environment (``local``, ``dev``, ``prod``): the one place ENVIRONMENT is read."""
    return require_env("ENVIRONMENT")
