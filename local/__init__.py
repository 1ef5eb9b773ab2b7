"""The local environment's own processes: the Lambda API front, the durable-function registry, the SQS poller.

See local/README.md. Nothing here is deployed or used against AWS.
"""
