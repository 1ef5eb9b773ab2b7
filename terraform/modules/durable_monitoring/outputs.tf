output "alarm_names" {
  description = "Names of the alarms, keyed \"<durable function key>/<failed|timed-out|storage|utilization|dlq-depth|canary-failed|canary-timed-out>\" (empty when alarms_enabled is false)."
  value       = { for k, a in aws_cloudwatch_metric_alarm.this : k => a.alarm_name }
}

output "alarm_arns" {
  description = "ARNs of the alarms, keyed like alarm_names."
  value       = { for k, a in aws_cloudwatch_metric_alarm.this : k => a.arn }
}

output "dashboard_name" {
  description = "Name of the dashboard, or null when dashboard_enabled is false."
  value       = var.dashboard_enabled ? aws_cloudwatch_dashboard.this[0].dashboard_name : null
}

output "storage_threshold_bytes" {
  description = "Bytes written by one execution at which the storage alarm fires."
  value       = local.storage_threshold
}

output "canary_alarm_names" {
  description = "Per durable function key, the names of the alarms of its canary version (empty for all-at-once releases or without alarms)."
  value       = { for k in keys(var.durable_functions) : k => [for kind in ["failed", "timed-out"] : aws_cloudwatch_metric_alarm.this["${k}/canary-${kind}"].alarm_name if contains(keys(aws_cloudwatch_metric_alarm.this), "${k}/canary-${kind}")] }
}
