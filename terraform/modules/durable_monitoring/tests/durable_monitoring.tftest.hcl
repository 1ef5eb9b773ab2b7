# Offline tests of the durable_monitoring module (mock provider: nothing reaches AWS).

mock_provider "aws" {
  mock_data "aws_region" {
    defaults = {
      name = "us-east-1"
    }
  }
}

variables {
  name_prefix = "dev"
  durable_functions = {
    order-processor = { function_name = "dev-order-processor", dead_letter_queue_name = "dev-order-processor-dlq" }
    parallel-math   = { function_name = "dev-parallel-math", dead_letter_queue_name = "dev-parallel-math-dlq" }
  }
  worker_function_names   = ["dev-tax-worker"]
  source_queue_names      = ["dev-data-processing-queue"]
  dead_letter_queue_names = ["dev-data-processing-dlq"]
  alarm_actions           = ["arn:aws:sns:us-east-1:123456789012:dev-durable-deploy-alarms"]
}

run "four_durable_alarms_and_a_dlq_alarm_per_function" {
  command = plan

  assert {
    condition = toset(keys(aws_cloudwatch_metric_alarm.this)) == toset(flatten([
      for f in ["order-processor", "parallel-math"] : [for k in ["failed", "timed-out", "storage", "utilization", "dlq-depth"] : "${f}/${k}"]
    ]))
    error_message = "Every durable function needs the failed, timed-out, storage, utilization and DLQ-depth alarms."
  }

  assert {
    condition = {
      for k, a in aws_cloudwatch_metric_alarm.this : k => [a.namespace, a.metric_name, a.statistic, a.comparison_operator, a.threshold]
      if startswith(k, "order-processor/")
      } == {
      "order-processor/failed"      = ["AWS/Lambda", "DurableExecutionFailed", "Sum", "GreaterThanThreshold", 0]
      "order-processor/timed-out"   = ["AWS/Lambda", "DurableExecutionTimedOut", "Sum", "GreaterThanThreshold", 0]
      "order-processor/storage"     = ["AWS/Lambda", "DurableExecutionStorageWrittenBytes", "Maximum", "GreaterThanOrEqualToThreshold", 80000000]
      "order-processor/utilization" = ["AWS/Lambda", "ApproximateRunningDurableExecutionsUtilization", "Maximum", "GreaterThanThreshold", 80]
      "order-processor/dlq-depth"   = ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "Maximum", "GreaterThanOrEqualToThreshold", 1]
    }
    error_message = "The alarms must follow AWS's guidance: failed and timed out above the threshold, storage near 100 MB, utilization above 80 %, any DLQ message."
  }

  assert {
    condition = alltrue([
      for k, a in aws_cloudwatch_metric_alarm.this : a.dimensions == (endswith(k, "/dlq-depth")
        ? { QueueName = "${var.durable_functions[split("/", k)[0]].function_name}-dlq" }
      : { FunctionName = var.durable_functions[split("/", k)[0]].function_name })
    ])
    error_message = "Each alarm must watch its own function (FunctionName) or its own DLQ (QueueName)."
  }

  assert {
    condition = alltrue([
      for a in aws_cloudwatch_metric_alarm.this : a.alarm_actions == toset(var.alarm_actions) && a.ok_actions == toset(var.alarm_actions) && a.treat_missing_data == "notBreaching" && a.period == 300 && a.evaluation_periods == 1
    ])
    error_message = "Every alarm notifies alarm_actions on firing and recovery, and treats no data as fine."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["parallel-math/failed"].alarm_name == "dev-parallel-math-durable-failed"
    error_message = "Alarm names must start with the function's name."
  }

  assert {
    condition = {
      for k, a in aws_cloudwatch_metric_alarm.this : k => regex("Runbook: ([^ ]+)\\. ", a.alarm_description)[0]
      if startswith(k, "order-processor/")
      } == {
      "order-processor/failed"      = "docs/runbook.md#executions-failed"
      "order-processor/timed-out"   = "docs/runbook.md#executions-timed-out"
      "order-processor/storage"     = "docs/runbook.md#storage-written-near-the-limit"
      "order-processor/utilization" = "docs/runbook.md#running-executions-near-the-quota"
      "order-processor/dlq-depth"   = "docs/runbook.md#durable-function-dlq-not-empty"
    }
    error_message = "Each alarm's description must link to its section of the runbook."
  }
}

run "dashboard_shows_executions_queues_and_workers" {
  command = plan

  assert {
    condition     = aws_cloudwatch_dashboard.this[0].dashboard_name == "dev-durable-functions"
    error_message = "One dashboard per environment, named <environment>-durable-functions."
  }

  assert {
    condition = alltrue([
      for needle in [
        "DurableExecutionStarted", "DurableExecutionSucceeded", "DurableExecutionFailed", "DurableExecutionTimedOut",
        "DurableExecutionDuration", "DurableExecutionOperations", "ApproximateNumberOfMessagesVisible",
        "dev-data-processing-queue", "dev-data-processing-dlq", "dev-order-processor-dlq", "dev-parallel-math-dlq",
        "\"Errors\"", "dev-tax-worker",
      ] : strcontains(aws_cloudwatch_dashboard.this[0].dashboard_body, needle)
    ])
    error_message = "The dashboard must show executions started/succeeded/failed/timed out, duration, operations, queue and DLQ depth and worker errors."
  }

  assert {
    condition     = alltrue([for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : w.properties.region == "us-east-1" && w.x + w.width <= 24])
    error_message = "Widgets must name the region and fit the 24-column grid."
  }
}

run "thresholds_follow_the_inputs" {
  command = plan

  variables {
    failed_threshold              = 5
    timed_out_threshold           = 2
    storage_bytes_threshold_ratio = 0.5
    utilization_threshold_percent = 90
    dead_letter_queue_threshold   = 10
    period_seconds                = 60
    evaluation_periods            = 3
    alarm_actions                 = []
  }

  assert {
    condition     = [for k in ["failed", "timed-out", "storage", "utilization", "dlq-depth"] : aws_cloudwatch_metric_alarm.this["order-processor/${k}"].threshold] == [5, 2, 50000000, 90, 10]
    error_message = "Thresholds must come from the inputs (storage as a fraction of 100 MB)."
  }

  assert {
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.this : a.period == 60 && a.evaluation_periods == 3 && length(a.alarm_actions) == 0])
    error_message = "Period, evaluation periods and (no) actions must come from the inputs."
  }
}

run "disabled_creates_nothing" {
  command = plan

  variables {
    alarms_enabled    = false
    dashboard_enabled = false
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.this) == 0 && length(aws_cloudwatch_dashboard.this) == 0 && output.dashboard_name == null
    error_message = "alarms_enabled and dashboard_enabled = false must create no alarm and no dashboard."
  }
}

run "rejects_negative_thresholds" {
  command = plan
  variables {
    failed_threshold    = -1
    timed_out_threshold = 0.5
  }
  expect_failures = [var.failed_threshold, var.timed_out_threshold]
}

run "rejects_storage_ratio_outside_zero_to_one" {
  command = plan
  variables {
    storage_bytes_threshold_ratio = 1.2
  }
  expect_failures = [var.storage_bytes_threshold_ratio]
}

run "rejects_zero_storage_ratio" {
  command = plan
  variables {
    storage_bytes_threshold_ratio = 0
  }
  expect_failures = [var.storage_bytes_threshold_ratio]
}

run "rejects_utilization_outside_percent" {
  command = plan
  variables {
    utilization_threshold_percent = 101
  }
  expect_failures = [var.utilization_threshold_percent]
}

run "rejects_zero_utilization" {
  command = plan
  variables {
    utilization_threshold_percent = 0
  }
  expect_failures = [var.utilization_threshold_percent]
}

run "rejects_empty_dlq_threshold" {
  command = plan
  variables {
    dead_letter_queue_threshold = 0
  }
  expect_failures = [var.dead_letter_queue_threshold]
}

run "rejects_periods_cloudwatch_does_not_allow" {
  command = plan
  variables {
    period_seconds = 90
  }
  expect_failures = [var.period_seconds]
}

run "rejects_evaluation_longer_than_a_day" {
  command = plan
  variables {
    period_seconds     = 3600
    evaluation_periods = 25
  }
  expect_failures = [var.evaluation_periods]
}

run "rejects_non_arn_and_too_many_actions" {
  command = plan
  variables {
    alarm_actions = ["dev-durable-deploy-alarms"]
  }
  expect_failures = [var.alarm_actions]
}

run "rejects_no_durable_function" {
  command = plan
  variables {
    durable_functions = {}
  }
  expect_failures = [var.durable_functions]
}
