"""Replay-compatibility gate: recorded durable executions replayed against the current handlers (replay/README.md)."""
