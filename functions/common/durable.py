"""Durable-SDK settings shared by the workflows."""

from aws_durable_execution_sdk_python.config import CompletionConfig

# Parallel/map sections whose branches must all run to completion: the caller reads every branch's outcome from
# the BatchResult (which worker said no, which record failed) instead of stopping at the first failure.
ALL_COMPLETED: CompletionConfig = CompletionConfig.all_completed()  # type: ignore[no-untyped-call]
