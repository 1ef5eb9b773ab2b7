# Order processing (functions/order_processing/workload.json): stock lives in the inventory table; local only, a
# fault switch on one worker.

locals {
  order_worker_names = ["inventory", "payment", "shipping", "tax"]

  # Local-only fault switch (var.fault_injection): FAULT_INJECTION on the chosen worker, which counts its calls per
  # order in the inventory table (functions/common/faults.py). Empty for every worker when the switch is off.
  fault_environment = {
    for w in local.order_worker_names : w => var.fault_injection == null ? {} : var.fault_injection.worker != w ? {} : {
      FAULT_INJECTION = jsonencode(merge(var.fault_injection, { table = aws_dynamodb_table.this["inventory"].name }))
    }
  }
  fault_table_access = {
    for w in local.order_worker_names : w => try(var.fault_injection.worker, null) != w ? [] : [{
      sid     = "FaultInjectionCounter"
      table   = "inventory"
      actions = ["dynamodb:UpdateItem"]
    }]
  }

  demo_products = var.demo_inventory ? toset(["PROD-001", "PROD-002", "PROD-003"]) : toset([])
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
