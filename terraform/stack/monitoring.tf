# "Where are the durable alarms?" Here: terraform/modules/durable_monitoring, per durable function the four alarms
# of AWS's durable-functions guidance and its DLQ's depth, plus one dashboard per environment. Enablement,
# thresholds and extra alarm actions come from `durable_monitoring` in environments/<env>/terraform.tfvars.

module "durable_monitoring" {
  source = "../modules/durable_monitoring"

  name_prefix = local.prefix
  durable_functions = {
    for k, m in module.durable : k => {
      function_name          = "${local.prefix}-${k}" # as module.durable names it; known at plan time, unlike the stack's output
      dead_letter_queue_name = m.dead_letter_queue_name
    }
  }
  # Canary-released functions: alarms on the newest published version (the canary while one is in progress).
  canary_versions               = { for k, m in module.durable : k => m.function_version if local.releases[k].strategy == "canary" }
  worker_function_names         = [for m in module.worker : m.function_name]
  source_queue_names            = [module.data_processing_queue.queue_name]
  dead_letter_queue_names       = [module.data_processing_queue.dead_letter_queue_name]
  alarms_enabled                = var.durable_monitoring.alarms_enabled
  dashboard_enabled             = var.durable_monitoring.dashboard_enabled
  failed_threshold              = var.durable_monitoring.failed_threshold
  timed_out_threshold           = var.durable_monitoring.timed_out_threshold
  storage_bytes_threshold_ratio = var.durable_monitoring.storage_bytes_threshold_ratio
  utilization_threshold_percent = var.durable_monitoring.utilization_threshold_percent
  dead_letter_queue_threshold   = var.durable_monitoring.dead_letter_queue_threshold
  period_seconds                = var.durable_monitoring.period_seconds
  evaluation_periods            = var.durable_monitoring.evaluation_periods
  alarm_actions                 = concat(aws_sns_topic.alarms[*].arn, var.durable_monitoring.alarm_actions)
  runbook_url                   = var.runbook_url
  tags                          = local.tags
}
