# What an environment's tfvars decide for a declared function, merged over its declaration (workloads.tf):
# durable functions' timeout, execution_timeout, reserved_concurrency and environment_variables; workers'
# environment_variables and the tables they may use. A function without an entry runs on its declaration alone.

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
    }
    payment-worker = {
      environment_variables = merge({ PAYMENT_AMOUNT_LIMIT = var.order_processing.payment_amount_limit }, local.fault_environment["payment"])
    }
    shipping-worker = {
      environment_variables = local.fault_environment["shipping"]
    }
    tax-worker = {
      environment_variables = local.fault_environment["tax"]
    }
    data-storage = {
      environment_variables = { PROCESSED_DATA_TABLE_NAME = aws_dynamodb_table.this["processed-data"].name }
    }
  }

  # Which worker may use which table (local.tables), with which actions. The workers' table statements and the
  # environment key's table users (environment_key.tf) both come from here; it names tables by key, so it is known
  # without the tables themselves (which the key encrypts).
  table_access = {
    inventory-worker = concat([{
      sid     = "InventoryTable"
      table   = "inventory"
      actions = ["dynamodb:ConditionCheckItem", "dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:GetItem"]
    }], local.fault_table_access["inventory"])
    payment-worker  = local.fault_table_access["payment"]
    shipping-worker = local.fault_table_access["shipping"]
    tax-worker      = local.fault_table_access["tax"]
    data-storage = [{
      sid     = "ProcessedDataTable"
      table   = "processed-data"
      actions = ["dynamodb:PutItem"]
    }]
  }

  table_statements = {
    for w, grants in local.table_access : w => [
      for g in grants : { sid = g.sid, actions = g.actions, resources = [aws_dynamodb_table.this[g.table].arn] }
    ]
  }
}
