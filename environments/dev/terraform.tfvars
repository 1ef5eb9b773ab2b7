# dev: the team's shared AWS test environment. Compare with ../prod/terraform.tfvars: that diff is every
# difference between the two.
environment         = "dev"
account_id          = "111111111111"
aws_region          = "us-east-1"
log_level           = "DEBUG"
log_retention_days  = 14
tracing_mode        = "Active"
deletion_protection = false
demo_inventory      = true

# The environment's own KMS key encrypts durable payloads, queues, tables and log groups (docs/security.md).
environment_key = {
  enabled              = true
  deletion_window_days = 7
}

durable_retention_days = 7

order_processing = {
  orchestrator_concurrency = null
}

data_pipeline = {
  maximum_concurrency = 2
  record_concurrency  = 3
}

alarms = {
  enabled = false
}

durable_monitoring = {
  alarms_enabled      = true
  dashboard_enabled   = true
  failed_threshold    = 5
  timed_out_threshold = 1
  evaluation_periods  = 1
}

# Canary releases (docs/releases.md): half of new orders go to a new order processor for five minutes. dev has no
# steady traffic, so a canary that saw no orders is promoted (min_executions = 0); any failed order withdraws it.
releases = {
  order-processor = {
    strategy         = "canary"
    canary_share     = 0.5
    bake_seconds     = 300
    max_failure_rate = 0
    min_executions   = 0
    outcome_field    = "success"
  }
}
