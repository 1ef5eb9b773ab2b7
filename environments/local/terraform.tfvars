# local: the ministack emulator on AWS_ENDPOINT_URL (default http://127.0.0.1:4566), fake credentials, local
# state. Same composition as dev and prod.
environment         = "local"
account_id          = "000000000000"
aws_region          = "us-east-1"
emulator            = true
log_level           = "DEBUG"
log_retention_days  = 1
tracing_mode        = "PassThrough" # no X-Ray daemon in the emulator
deletion_protection = false
demo_inventory      = true

# No environment key: the emulator keeps the key id on queues, tables and log groups but encrypts nothing with it,
# and its CloudFormation drops DurableConfig (docs/security.md). dev and prod turn it on.
environment_key = {
  enabled = false
}

durable_retention_days = 1

order_processing = {
  orchestrator_concurrency = null
}

data_pipeline = {
  # The emulator's SQS poller invokes functions the plain way, which a durable handler rejects: the mapping is
  # created disabled (its settings stay readable through the Lambda API) and a local consumer drives the queue.
  event_source_mapping_enabled = false
  maximum_concurrency          = 2
  record_concurrency           = 3
}

alarms = {
  enabled = false
}

# The durable alarms exist locally too: the local engine publishes the durable metrics (AWS/Lambda
# DurableExecution*, local/durable_metrics.py) to the emulator's CloudWatch, which evaluates alarms as data arrives.
# Thresholds for local traffic: one failed or timed-out execution in a minute fires. No dashboard.
durable_monitoring = {
  alarms_enabled      = true
  dashboard_enabled   = false
  failed_threshold    = 0
  timed_out_threshold = 0
  period_seconds      = 60
  evaluation_periods  = 1
}

# Release strategy per durable function (docs/releases.md); all-at-once unless set. For example a canary of the
# order processor judged by its orders (`make canary ENV=local FN=order-processor` after `make apply ENV=local`):
# releases = {
#   order-processor = { strategy = "canary", canary_share = 0.5, bake_seconds = 60, max_failure_rate = 0.2,
#                       min_executions = 4, outcome_field = "success" }
# }

# Durable handlers send checkpoints to the local front, which hands them to the local durable engine.
local_durable_endpoint = "http://127.0.0.1:4566"

# Fault switch (local only; Terraform refuses it elsewhere): make one order worker fail its first N calls per order
# or every call, or answer late, to watch the orchestrator's retries, the saga and an engine restart under a worker
# call in flight (docs/reliability.md). Off by default. Modes: transient (failures), permanent, slow (delay_seconds).
# fault_injection = { worker = "payment", mode = "transient", failures = 2 }
