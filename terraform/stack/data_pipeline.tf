# SQS data pipeline: the queue drives the durable pipeline's alias through an event source mapping; the pipeline
# chains validator, transformer and storage workers and stores results in the processed-data table.

locals {
  pipeline_workers = {
    data-validator = {
      description           = "Validates a pipeline record"
      workload              = "data_pipeline"
      service               = "data-pipeline"
      handler               = "data_pipeline.workers.validator.handler"
      environment_variables = {}
      policy_statements     = []
    }
    data-transformer = {
      description           = "Transforms a validated pipeline record"
      workload              = "data_pipeline"
      service               = "data-pipeline"
      handler               = "data_pipeline.workers.transformer.handler"
      environment_variables = {}
      policy_statements     = []
    }
    data-storage = {
      description = "Stores a transformed record once per execution id"
      workload    = "data_pipeline"
      service     = "data-pipeline"
      handler     = "data_pipeline.workers.storage.handler"
      environment_variables = {
        PROCESSED_DATA_TABLE_NAME = aws_dynamodb_table.this["processed-data"].name
      }
      policy_statements = [{
        sid       = "ProcessedDataTable"
        actions   = ["dynamodb:PutItem"]
        resources = [aws_dynamodb_table.this["processed-data"].arn]
      }]
    }
  }

  pipeline_durable = {
    durable-data-pipeline = {
      description          = "Durable SQS batch pipeline: validate, transform, store each record"
      workload             = "data_pipeline"
      service              = "data-pipeline"
      handler              = "data_pipeline.pipeline.handler"
      timeout              = var.data_pipeline.function_timeout_s
      execution_timeout    = var.data_pipeline.execution_timeout_s
      reserved_concurrency = null
      # Environment variable => worker; main.tf sets each to the worker version of this release (pinned).
      chained_workers = {
        VALIDATOR_FUNCTION   = "data-validator"
        TRANSFORMER_FUNCTION = "data-transformer"
        STORAGE_FUNCTION     = "data-storage"
      }
      environment_variables = {
        RECORD_CONCURRENCY = tostring(var.data_pipeline.record_concurrency)
      }
    }
  }
}

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
  alarm_enabled                      = var.alarms.enabled
  alarm_actions                      = aws_sns_topic.alarms[*].arn
  runbook_url                        = var.runbook_url
  tags                               = local.tags
}
