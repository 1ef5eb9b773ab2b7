# Where the durable functions' alarms and dashboard live. Per durable function, the alarms AWS's durable-functions
# monitoring guidance recommends (failed, timed out, storage written near the per-execution limit, running
# executions' quota utilization) plus the depth of its dead-letter queue; one dashboard per environment.

data "aws_region" "current" {}

locals {
  # Per-execution limits of a durable execution.
  storage_limit_bytes  = 100 * 1000 * 1000 # 100 MB, read as decimal MB: the lower reading fires earlier, never later
  operations_limit     = 3000
  storage_threshold    = floor(var.storage_bytes_threshold_ratio * local.storage_limit_bytes)
  lambda_namespace     = "AWS/Lambda"
  sqs_namespace        = "AWS/SQS"
  dashboard_name       = "${var.name_prefix}-durable-functions"
  execution_outcomes   = ["DurableExecutionStarted", "DurableExecutionSucceeded", "DurableExecutionFailed", "DurableExecutionTimedOut", "DurableExecutionStopped"]
  durable_dlq_names    = [for f in values(var.durable_functions) : f.dead_letter_queue_name]
  durable_function_ids = sort(keys(var.durable_functions))

  # One entry per alarm, keyed "<function key>/<kind>".
  alarm_kinds = {
    failed = {
      runbook     = "executions-failed"
      namespace   = local.lambda_namespace
      metric_name = "DurableExecutionFailed"
      statistic   = "Sum"
      operator    = "GreaterThanThreshold"
      threshold   = var.failed_threshold
      what        = "more than ${var.failed_threshold} durable executions ended FAILED"
    }
    timed-out = {
      runbook     = "executions-timed-out"
      namespace   = local.lambda_namespace
      metric_name = "DurableExecutionTimedOut"
      statistic   = "Sum"
      operator    = "GreaterThanThreshold"
      threshold   = var.timed_out_threshold
      what        = "more than ${var.timed_out_threshold} durable executions exceeded their execution timeout"
    }
    storage = {
      runbook     = "storage-written-near-the-limit"
      namespace   = local.lambda_namespace
      metric_name = "DurableExecutionStorageWrittenBytes"
      statistic   = "Maximum"
      operator    = "GreaterThanOrEqualToThreshold"
      threshold   = local.storage_threshold
      what        = "an execution has written ${local.storage_threshold} bytes, ${var.storage_bytes_threshold_ratio * 100} % of the 100 MB per-execution limit"
    }
    utilization = {
      runbook     = "running-executions-near-the-quota"
      namespace   = local.lambda_namespace
      metric_name = "ApproximateRunningDurableExecutionsUtilization"
      statistic   = "Maximum"
      operator    = "GreaterThanThreshold"
      threshold   = var.utilization_threshold_percent
      what        = "running durable executions use more than ${var.utilization_threshold_percent} % of the account's quota"
    }
  }

  alarms = var.alarms_enabled ? merge(
    {
      for pair in setproduct(keys(var.durable_functions), keys(local.alarm_kinds)) : "${pair[0]}/${pair[1]}" => merge(local.alarm_kinds[pair[1]], {
        name       = "${var.durable_functions[pair[0]].function_name}-durable-${pair[1]}"
        dimensions = { FunctionName = var.durable_functions[pair[0]].function_name }
        what       = "${var.durable_functions[pair[0]].function_name}: ${local.alarm_kinds[pair[1]].what}"
      })
    },
    {
      for key, f in var.durable_functions : "${key}/dlq-depth" => {
        name        = "${f.dead_letter_queue_name}-depth"
        runbook     = "durable-function-dlq-not-empty"
        namespace   = local.sqs_namespace
        metric_name = "ApproximateNumberOfMessagesVisible"
        statistic   = "Maximum"
        operator    = "GreaterThanOrEqualToThreshold"
        threshold   = var.dead_letter_queue_threshold
        dimensions  = { QueueName = f.dead_letter_queue_name }
        what        = "${f.dead_letter_queue_name}: asynchronous invocations of ${f.function_name} ended FAILED, TIMED_OUT or STOPPED"
      }
    },
    # A canary version's own failures (release.tf of durable_function, docs/releases.md): the same metrics narrowed to
    # the version by Lambda's Resource dimension (function:version). The release controller reads their state.
    {
      for pair in setproduct(keys(var.canary_versions), ["failed", "timed-out"]) : "${pair[0]}/canary-${pair[1]}" => merge(local.alarm_kinds[pair[1]], {
        name = "${var.durable_functions[pair[0]].function_name}-durable-canary-${pair[1]}"
        dimensions = {
          FunctionName = var.durable_functions[pair[0]].function_name
          Resource     = "${var.durable_functions[pair[0]].function_name}:${var.canary_versions[pair[0]]}"
        }
        # The version is in the Resource dimension; the description stays known at plan time, before it is published.
        what = "${var.durable_functions[pair[0]].function_name} canary (the version in the Resource dimension): ${local.alarm_kinds[pair[1]].what}"
      })
    },
  ) : {}
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name          = each.value.name
  alarm_description   = "${each.value.what} (${var.evaluation_periods} x ${var.period_seconds} s). Runbook: ${var.runbook_url}#${each.value.runbook}. Managed by Terraform: terraform/modules/durable_monitoring."
  namespace           = each.value.namespace
  metric_name         = each.value.metric_name
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  period              = var.period_seconds
  evaluation_periods  = var.evaluation_periods
  threshold           = each.value.threshold
  comparison_operator = each.value.operator
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
  tags                = var.tags
}

locals {
  region = data.aws_region.current.name
  running_metrics = {
    ApproximateRunningDurableExecutions            = "running"
    ApproximateRunningDurableExecutionsUtilization = "% of quota"
  }

  # Metric-widget rows: [namespace, metric, dimension, value, {options}].
  widgets = concat(
    [for key in local.durable_function_ids : {
      title   = "${var.durable_functions[key].function_name}: executions started, succeeded, failed, timed out, stopped"
      metrics = [for m in local.execution_outcomes : [local.lambda_namespace, m, "FunctionName", var.durable_functions[key].function_name, { stat = "Sum", label = trimprefix(m, "DurableExecution") }]]
    }],
    [
      {
        title   = "Durable execution duration (ms, p50 / p99)"
        metrics = flatten([for key in local.durable_function_ids : [for s in ["p50", "p99"] : [[local.lambda_namespace, "DurableExecutionDuration", "FunctionName", var.durable_functions[key].function_name, { stat = s, label = "${key} ${s}" }]]]])
      },
      {
        title   = "Operations per execution (max; limit ${local.operations_limit})"
        metrics = [for key in local.durable_function_ids : [local.lambda_namespace, "DurableExecutionOperations", "FunctionName", var.durable_functions[key].function_name, { stat = "Maximum", label = key }]]
      },
      {
        title   = "Storage written per execution (bytes, max; limit 100 MB)"
        metrics = [for key in local.durable_function_ids : [local.lambda_namespace, "DurableExecutionStorageWrittenBytes", "FunctionName", var.durable_functions[key].function_name, { stat = "Maximum", label = key }]]
      },
      {
        title   = "Running durable executions (count, and % of the account quota)"
        metrics = flatten([for key in local.durable_function_ids : [for m, label in local.running_metrics : [[local.lambda_namespace, m, "FunctionName", var.durable_functions[key].function_name, { stat = "Maximum", label = "${key} ${label}" }]]]])
      },
      {
        title   = "Queue depth (visible messages)"
        metrics = [for q in var.source_queue_names : [local.sqs_namespace, "ApproximateNumberOfMessagesVisible", "QueueName", q, { stat = "Maximum", label = q }]]
      },
      {
        title   = "Dead-letter queue depth (visible messages)"
        metrics = [for q in concat(local.durable_dlq_names, var.dead_letter_queue_names) : [local.sqs_namespace, "ApproximateNumberOfMessagesVisible", "QueueName", q, { stat = "Maximum", label = q }]]
      },
      {
        title   = "Worker errors"
        metrics = [for w in var.worker_function_names : [local.lambda_namespace, "Errors", "FunctionName", w, { stat = "Sum", label = w }]]
      },
    ],
  )

  dashboard_body = {
    widgets = [for i, w in [for w in local.widgets : w if length(w.metrics) > 0] : {
      type   = "metric"
      x      = (i % 2) * 12
      y      = floor(i / 2) * 6
      width  = 12
      height = 6
      properties = {
        title   = w.title
        region  = local.region
        view    = "timeSeries"
        stacked = false
        period  = var.period_seconds
        metrics = w.metrics
      }
    }]
  }
}

resource "aws_cloudwatch_dashboard" "this" {
  count = var.dashboard_enabled ? 1 : 0

  dashboard_name = local.dashboard_name
  dashboard_body = jsonencode(local.dashboard_body)
}
