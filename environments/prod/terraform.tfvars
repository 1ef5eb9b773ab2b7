# prod: customer traffic. Compare with ../dev/terraform.tfvars: that diff is every difference between the two.
environment         = "prod"
account_id          = "222222222222"
aws_region          = "us-east-1"
log_level           = "INFO"
log_retention_days  = 365
tracing_mode        = "Active"
deletion_protection = true
demo_inventory      = false

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
