"""SQS data pipeline: SQS -> event source mapping -> durable pipeline -> validator, transformer, storage.

pipeline.py   the durable handler: records of a batch in parallel (bounded), partial batch response
records.py    what happens to one record, and the outcome it reports
workers/      validator, transformer, storage (DynamoDB, at most once per execution_id): one Lambda each
"""
