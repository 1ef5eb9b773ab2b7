# Order processing: a durable orchestrator fanning out to four worker functions; stock in the inventory table.

locals {
  order_worker_names = { for w in ["inventory", "payment", "shipping", "tax"] : w => "${local.prefix}-${w}-worker" }

  # Local-only fault switch (var.fault_injection): FAULT_INJECTION on the chosen worker, which counts its calls per
  # order in the inventory table (functions/common/faults.py). Empty for every worker when the switch is off.
  fault_environment = {
    for w in keys(local.order_worker_names) : w => var.fault_injection == null ? {} : var.fault_injection.worker != w ? {} : {
      FAULT_INJECTION = jsonencode(merge(var.fault_injection, { table = aws_dynamodb_table.this["inventory"].name }))
    }
  }
  fault_policy = {
    for w, env in local.fault_environment : w => length(env) == 0 ? [] : [{
      sid       = "FaultInjectionCounter"
      actions   = ["dynamodb:UpdateItem"]
      resources = [aws_dynamodb_table.this["inventory"].arn]
    }]
  }

  order_workers = {
    inventory-worker = {
      description = "Reserves and releases stock for an order (all or nothing, idempotent per order)"
      workload    = "order_processing"
      service     = "order-processing"
      handler     = "order_processing.workers.inventory.handler"
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
      description           = "Authorises an order's payment"
      workload              = "order_processing"
      service               = "order-processing"
      handler               = "order_processing.workers.payment.handler"
      environment_variables = merge({ PAYMENT_AMOUNT_LIMIT = var.order_processing.payment_amount_limit }, local.fault_environment["payment"])
      policy_statements     = local.fault_policy["payment"]
    }
    shipping-worker = {
      description           = "Computes shipping cost, carrier and delivery days"
      workload              = "order_processing"
      service               = "order-processing"
      handler               = "order_processing.workers.shipping.handler"
      environment_variables = local.fault_environment["shipping"]
      policy_statements     = local.fault_policy["shipping"]
    }
    tax-worker = {
      description           = "Computes sales tax by state"
      workload              = "order_processing"
      service               = "order-processing"
      handler               = "order_processing.workers.tax.handler"
      environment_variables = local.fault_environment["tax"]
      policy_statements     = local.fault_policy["tax"]
    }
  }

  order_durable = {
    order-processor = {
      description          = "Durable order orchestrator: validate, parallel worker checks, wait, confirm"
      workload             = "order_processing"
      service              = "order-processing"
      handler              = "order_processing.orchestrator.handler"
      timeout              = 60
      execution_timeout    = var.order_processing.orchestrator_exec_timeout_s
      reserved_concurrency = var.order_processing.orchestrator_concurrency
      # Environment variable => worker; main.tf sets each to the worker version of this release (pinned).
      chained_workers = {
        INVENTORY_FUNCTION = "inventory-worker"
        PAYMENT_FUNCTION   = "payment-worker"
        SHIPPING_FUNCTION  = "shipping-worker"
        TAX_FUNCTION       = "tax-worker"
      }
      environment_variables = { CONFIRMATION_DELAY_SECONDS = tostring(var.order_processing.confirmation_delay_seconds) }
    }
  }

  demo_products = var.seed_demo_inventory ? toset(["PROD-001", "PROD-002", "PROD-003"]) : toset([])
}

# Demo stock for local and dev. Orders change `stock` afterwards; that is data, not drift, so Terraform creates
# the rows once and ignores their content from then on.
resource "aws_dynamodb_table_item" "demo_stock" {
  for_each = local.demo_products

  table_name = aws_dynamodb_table.this["inventory"].name
  hash_key   = aws_dynamodb_table.this["inventory"].hash_key
  item = jsonencode({
    pk        = { S = "PRODUCT#${each.key}" }
    productId = { S = each.key }
    stock     = { N = "1000" }
  })

  lifecycle {
    ignore_changes = [item]
  }
}
