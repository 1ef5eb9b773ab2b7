output "queue_url" {
  description = "URL of the source queue."
  value       = aws_sqs_queue.this.id
}

output "queue_arn" {
  description = "ARN of the source queue."
  value       = aws_sqs_queue.this.arn
}

output "queue_name" {
  description = "Name of the source queue."
  value       = aws_sqs_queue.this.name
}

output "queue_visibility_timeout_seconds" {
  description = "Visibility timeout derived from the function and execution timeouts."
  value       = aws_sqs_queue.this.visibility_timeout_seconds
}

output "dead_letter_queue_url" {
  description = "URL of the dead-letter queue."
  value       = aws_sqs_queue.dlq.id
}

output "dead_letter_queue_arn" {
  description = "ARN of the dead-letter queue."
  value       = aws_sqs_queue.dlq.arn
}

output "dead_letter_queue_name" {
  description = "Name of the dead-letter queue."
  value       = aws_sqs_queue.dlq.name
}

output "event_source_mapping_uuid" {
  description = "UUID of the event source mapping."
  value       = aws_lambda_event_source_mapping.this.uuid
}

output "event_source_mapping_arn" {
  description = "ARN of the event source mapping."
  value       = aws_lambda_event_source_mapping.this.arn
}

output "dlq_alarm_arn" {
  description = "ARN of the DLQ depth alarm, or null when alarm_enabled is false."
  value       = var.alarm_enabled ? aws_cloudwatch_metric_alarm.dlq_depth[0].arn : null
}
