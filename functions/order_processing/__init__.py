"""Order processing: a durable orchestrator and four plain worker Lambdas.

orchestrator.py  the durable workflow: validate, subtotal, workers in parallel, check, totals, wait, finalize
validation.py    the input contract (ValidationError rows of contracts.md)
pricing.py       subtotal and totals, Decimal and half-up cents
worker_results.py  reading the parallel BatchResult: what each worker said, and why an order is rejected
workers/         inventory (DynamoDB reservation), payment, shipping, tax: one Lambda each
"""
