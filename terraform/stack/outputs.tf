# Other tooling (scripts, the e2e tests, the local environment) reads these names: keep them stable.

output "environment" {
  description = "Environment name."
  value       = var.environment
}

output "order_processor_alias_arn" {
  description = "Qualified ARN (alias live) of the durable order processor."
  value       = module.durable["order-processor"].alias_arn
}

output "parallel_math_alias_arn" {
  description = "Qualified ARN (alias live) of the durable parallel math function."
  value       = module.durable["parallel-math"].alias_arn
}

output "data_pipeline_alias_arn" {
  description = "Qualified ARN (alias live) of the durable data pipeline."
  value       = module.durable["durable-data-pipeline"].alias_arn
}

output "workloads" {
  description = "Every declared durable function by its FN name (make invoke FN=...): function_name, alias_arn (qualified, alias live), handler."
  value = {
    for key, d in local.durable_functions : d.fn => {
      function_name = module.durable[key].function_name
      alias_arn     = module.durable[key].alias_arn
      handler       = d.handler
    }
  }
}

output "data_processing_queue_url" {
  description = "URL of the pipeline's source queue."
  value       = module.data_processing_queue.queue_url
}

output "data_processing_dlq_url" {
  description = "URL of the pipeline's dead-letter queue."
  value       = module.data_processing_queue.dead_letter_queue_url
}

output "processed_data_table_name" {
  description = "Name of the processed-data table."
  value       = aws_dynamodb_table.this["processed-data"].name
}

output "inventory_table_name" {
  description = "Name of the inventory table."
  value       = aws_dynamodb_table.this["inventory"].name
}

output "function_names" {
  description = "Every function's name, keyed by its role (order-processor, inventory-worker, ...)."
  value = merge(
    { for k, m in module.durable : k => m.function_name },
    { for k, m in module.worker : k => m.function_name },
  )
}

output "durable_function_versions" {
  description = "Version each durable function's alias points at."
  value       = { for k, m in module.durable : k => m.function_version }
}

output "artifact_bucket_name" {
  description = "Name of the artifact bucket."
  value       = aws_s3_bucket.artifacts.id
}

output "dependency_layer_arn" {
  description = "ARN of the shared dependency layer version."
  value       = aws_lambda_layer_version.dependencies.arn
}

output "data_processing_event_source_mapping_uuid" {
  description = "UUID of the pipeline's event source mapping."
  value       = module.data_processing_queue.event_source_mapping_uuid
}

output "durable_dead_letter_queue_urls" {
  description = "URL of each durable function's dead-letter queue (asynchronous invocations that ended FAILED, TIMED_OUT or STOPPED), keyed like function_names."
  value       = { for k, m in module.durable : k => m.dead_letter_queue_url }
}

output "durable_alarm_names" {
  description = "Names of the durable functions' alarms, keyed \"<function>/<failed|timed-out|storage|utilization|dlq-depth>\"."
  value       = module.durable_monitoring.alarm_names
}

output "durable_dashboard_name" {
  description = "Name of the environment's durable-functions dashboard, or null when disabled."
  value       = module.durable_monitoring.dashboard_name
}

output "durable_releases" {
  description = "Per durable function, what the release controller (releases/) needs: names, the version this configuration published and its release id, the strategy and success criteria, whether a canary is in progress, the SSM parameter of the release record and the canary's alarms."
  value = {
    for k, m in module.durable : k => merge(m.release, {
      function_name      = m.function_name
      alias_name         = m.alias_name
      candidate_version  = m.function_version
      bake_seconds       = local.releases[k].bake_seconds
      max_failure_rate   = local.releases[k].max_failure_rate
      min_executions     = local.releases[k].min_executions
      outcome_field      = local.releases[k].outcome_field
      canary_alarm_names = module.durable_monitoring.canary_alarm_names[k]
    })
  }
}
