# prod: customer traffic. Compare with ../dev/terraform.tfvars: that diff is every difference between the two.
environment         = "prod"
account_id          = "222222222222"
aws_region          = "us-east-1"
log_level           = "INFO"
log_retention_days  = 365
tracing_mode        = "Active"
deletion_protection = true
demo_inventory      = false

# The environment's own KMS key encrypts durable payloads, queues, tables and log groups (docs/security.md).
environment_key = {
  enabled              = true
  deletion_window_days = 30
}

durable_retention_days = 30

order_processing = {
  orchestrator_concurrency = 50
}

data_pipeline = {
  maximum_concurrency = 20
  record_concurrency  = 5
}

alarms = {
  enabled = true
}

durable_monitoring = {
  alarms_enabled      = true
  dashboard_enabled   = true
  failed_threshold    = 0
  timed_out_threshold = 0
  evaluation_periods  = 1
}

# Canary releases (docs/releases.md): 10 % of new executions for 15 minutes; withdrawn when its failure rate exceeds
# the stable version's by more than 5 points, when its alarms fire, or when it finished fewer than 20 executions.
releases = {
  order-processor = {
    strategy         = "canary"
    canary_share     = 0.1
    bake_seconds     = 900
    max_failure_rate = 0.05
    min_executions   = 20
    outcome_field    = "success"
  }
  durable-data-pipeline = {
    strategy         = "canary"
    canary_share     = 0.1
    bake_seconds     = 900
    max_failure_rate = 0.05
    min_executions   = 20
  }
}
