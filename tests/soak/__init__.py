"""Reliability soak (docs/reliability.md): contention, message storm, faults and engine restart, bad-input fuzz.

Every scenario drives the deployed local environment through its public APIs only (Lambda Invoke of the aliases,
SQS, DynamoDB and CloudWatch Logs on the local endpoint) and is usable at two sizes: ``make soak`` runs the full
size and writes a table and build/soak.json (tests/soak/__main__.py); tests/e2e/test_soak.py runs a small size
inside ``make test``. A scenario returns its figures and a list of violations; an empty list is the proof.
"""
