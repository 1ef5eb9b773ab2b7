# SQS data pipeline (functions/data_pipeline/workload.json): the queue drives the durable pipeline's alias through
# an event source mapping; the pipeline stores results in the processed-data table.

module "data_processing_queue" {
  source = "../modules/sqs_esm_pipeline"

  queue_name                         = "${local.prefix}-data-processing-queue"
  dead_letter_queue_name             = "${local.prefix}-data-processing-dlq"
  function_alias_arn                 = module.durable["durable-data-pipeline"].alias_arn
  function_role_name                 = module.durable["durable-data-pipeline"].role_name
  function_timeout                   = var.data_pipeline.function_timeout_s
  durable_execution_timeout          = var.data_pipeline.execution_timeout_s
  batch_size                         = var.data_pipeline.batch_size
  maximum_batching_window_in_seconds = var.data_pipeline.batching_window_s
  maximum_concurrency                = var.data_pipeline.maximum_concurrency
  max_receive_count                  = var.data_pipeline.max_receive_count
  event_source_mapping_enabled       = var.data_pipeline.event_source_mapping_enabled
  kms_master_key_id                  = local.environment_key_arn
  alarm_enabled                      = var.alarms.enabled
  alarm_actions                      = aws_sns_topic.alarms[*].arn
  runbook_url                        = var.runbook_url
  tags                               = local.tags
}
