# What an environment's tfvars decide for a declared function, merged over its declaration (workloads.tf):
# durable functions' timeout, execution_timeout, reserved_concurrency and environment_variables; workers'
# environment_variables and policy_statements. A function without an entry runs on its declaration alone.

locals {
  durable_settings = {
    order-processor = {
      execution_timeout     = var.order_processing.orchestrator_exec_timeout_s
      reserved_concurrency  = var.order_processing.orchestrator_concurrency
      environment_variables = { CONFIRMATION_DELAY_SECONDS = tostring(var.order_processing.confirmation_delay_seconds) }
    }
    durable-data-pipeline = {
      timeout               = var.data_pipeline.function_timeout_s
      execution_timeout     = var.data_pipeline.execution_timeout_s
      environment_variables = { RECORD_CONCURRENCY = tostring(var.data_pipeline.record_concurrency) }
    }
  }

  worker_settings = {
    inventory-worker = {
      environment_variables = merge({
        INVENTORY_TABLE_NAME = aws_dynamodb_table.this["inventory"].name
      }, local.fault_environment["inventory"])
      policy_statements = [{
        sid       = "InventoryTable"
        actions   = ["dynamodb:ConditionCheckItem", "dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:GetItem"]
        resources = [aws_dynamodb_table.this["inventory"].arn]
      }]
    }
    payment-worker = {
      environment_variables = merge({ PAYMENT_AMOUNT_LIMIT = var.order_processing.payment_amount_limit }, local.fault_environment["payment"])
      policy_statements     = local.fault_policy["payment"]
    }
    shipping-worker = {
      environment_variables = local.fault_environment["shipping"]
      policy_statements     = local.fault_policy["shipping"]
    }
    tax-worker = {
      environment_variables = local.fault_environment["tax"]
      policy_statements     = local.fault_policy["tax"]
    }
    data-storage = {
      environment_variables = { PROCESSED_DATA_TABLE_NAME = aws_dynamodb_table.this["processed-data"].name }
      policy_statements = [{
        sid       = "ProcessedDataTable"
        actions   = ["dynamodb:PutItem"]
        resources = [aws_dynamodb_table.this["processed-data"].arn]
      }]
    }
  }
}
