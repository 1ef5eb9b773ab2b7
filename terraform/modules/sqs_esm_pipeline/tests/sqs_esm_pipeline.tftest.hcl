# Offline tests of the sqs_esm_pipeline module (mock provider: nothing reaches AWS).

mock_provider "aws" {
  mock_resource "aws_sqs_queue" {
    defaults = {
      arn = "arn:aws:sqs:us-east-1:123456789012:mocked-queue"
    }
  }
}

variables {
  queue_name                = "dev-data-processing-queue"
  dead_letter_queue_name    = "dev-data-processing-dlq"
  function_alias_arn        = "arn:aws:lambda:us-east-1:123456789012:function:dev-durable-data-pipeline:live"
  function_role_name        = "dev-durable-data-pipeline-role"
  function_timeout          = 120
  durable_execution_timeout = 900
  maximum_concurrency       = 5
}

run "esm_targets_alias_and_reports_batch_item_failures" {
  command = apply

  assert {
    condition     = aws_lambda_event_source_mapping.this.function_name == var.function_alias_arn
    error_message = "The event source mapping must target the durable function's alias, never the unqualified function."
  }

  assert {
    condition     = aws_lambda_event_source_mapping.this.function_response_types == toset(["ReportBatchItemFailures"])
    error_message = "ReportBatchItemFailures must be on, so only failed records return to the queue."
  }

  assert {
    condition     = aws_lambda_event_source_mapping.this.event_source_arn == aws_sqs_queue.this.arn
    error_message = "The mapping must poll the source queue."
  }

  assert {
    condition = (
      aws_lambda_event_source_mapping.this.batch_size == 5 &&
      aws_lambda_event_source_mapping.this.maximum_batching_window_in_seconds == 10 &&
      aws_lambda_event_source_mapping.this.scaling_config[0].maximum_concurrency == 5 &&
      aws_lambda_event_source_mapping.this.enabled
    )
    error_message = "Batch size, batching window and maximum concurrency must follow the inputs."
  }
}

run "dlq_wiring" {
  command = apply

  assert {
    condition = jsondecode(aws_sqs_queue_redrive_policy.this.redrive_policy) == {
      deadLetterTargetArn = aws_sqs_queue.dlq.arn
      maxReceiveCount     = 3
    }
    error_message = "The source queue must redrive to the DLQ after max_receive_count receives."
  }

  assert {
    condition     = aws_sqs_queue_redrive_policy.this.queue_url == aws_sqs_queue.this.id
    error_message = "The redrive policy belongs on the source queue."
  }

  assert {
    condition = jsondecode(aws_sqs_queue_redrive_allow_policy.dlq.redrive_allow_policy) == {
      redrivePermission = "byQueue"
      sourceQueueArns   = [aws_sqs_queue.this.arn]
    }
    error_message = "Only the source queue may use the DLQ."
  }

  assert {
    condition     = aws_sqs_queue.dlq.message_retention_seconds >= aws_sqs_queue.this.message_retention_seconds
    error_message = "DLQ retention must be at least the source's."
  }

  assert {
    condition     = aws_sqs_queue.this.sqs_managed_sse_enabled && aws_sqs_queue.dlq.sqs_managed_sse_enabled
    error_message = "Both queues must be encrypted at rest."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.dlq_depth[0].dimensions.QueueName == aws_sqs_queue.dlq.name && aws_cloudwatch_metric_alarm.dlq_depth[0].threshold == 1
    error_message = "An alarm must watch the DLQ's depth."
  }

  assert {
    condition     = endswith(aws_cloudwatch_metric_alarm.dlq_depth[0].alarm_description, "Runbook: docs/runbook.md#pipeline-dlq-not-empty.")
    error_message = "The DLQ alarm's description must link to its section of the runbook."
  }
}

run "visibility_timeout_covers_the_execution" {
  command = apply

  assert {
    condition     = aws_sqs_queue.this.visibility_timeout_seconds >= 6 * var.function_timeout
    error_message = "Visibility timeout must be at least 6 x the function timeout."
  }

  assert {
    condition     = aws_sqs_queue.this.visibility_timeout_seconds > var.durable_execution_timeout + var.maximum_batching_window_in_seconds
    error_message = "Visibility timeout must outlast the whole durable execution plus the batching window."
  }
}

run "poller_permissions_are_scoped_to_the_queue" {
  command = apply

  assert {
    condition     = aws_iam_role_policy.poller.role == var.function_role_name
    error_message = "Poller permissions go on the function's role."
  }

  assert {
    condition = jsondecode(aws_iam_role_policy.poller.policy).Statement == [{
      Sid      = "PollSourceQueue"
      Effect   = "Allow"
      Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
      Resource = [aws_sqs_queue.this.arn]
    }]
    error_message = "The poller needs exactly Receive/Delete/GetQueueAttributes on the source queue, no \"*\"."
  }
}

run "disabled_mapping_and_no_alarm" {
  command = apply

  variables {
    event_source_mapping_enabled = false
    alarm_enabled                = false
    maximum_concurrency          = null
  }

  assert {
    condition     = !aws_lambda_event_source_mapping.this.enabled && length(aws_lambda_event_source_mapping.this.scaling_config) == 0
    error_message = "The mapping must be creatable disabled (local emulator) and without a concurrency cap."
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.dlq_depth) == 0 && output.dlq_alarm_arn == null
    error_message = "alarm_enabled = false must not create the alarm."
  }
}

run "rejects_esm_execution_timeout_above_15_minutes" {
  command = plan
  variables {
    durable_execution_timeout = 901
  }
  expect_failures = [var.durable_execution_timeout]
}

run "rejects_unqualified_function_arn" {
  command = plan
  variables {
    function_alias_arn = "arn:aws:lambda:us-east-1:123456789012:function:dev-durable-data-pipeline"
  }
  expect_failures = [var.function_alias_arn]
}

run "rejects_dlq_retention_below_source" {
  command = plan
  variables {
    message_retention_seconds                   = 1209600
    dead_letter_queue_message_retention_seconds = 86400
  }
  expect_failures = [var.dead_letter_queue_message_retention_seconds]
}

run "rejects_large_batch_without_window" {
  command = plan
  variables {
    batch_size                         = 50
    maximum_batching_window_in_seconds = 0
  }
  expect_failures = [var.batch_size]
}

run "rejects_bad_counts" {
  command = plan
  variables {
    max_receive_count   = 0
    maximum_concurrency = 1
  }
  expect_failures = [var.max_receive_count, var.maximum_concurrency]
}
