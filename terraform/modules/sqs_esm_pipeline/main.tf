# An SQS source queue with its dead-letter queue, driving a durable function's alias through an event source
# mapping that reports partial batch failures.

locals {
  # The poller keeps a batch in flight for the whole durable execution (up to durable_execution_timeout) plus the
  # batching window; AWS recommends at least 6 x the function timeout. SQS caps visibility at 12 hours.
  visibility_timeout_seconds = min(43200, max(
    6 * var.function_timeout,
    var.durable_execution_timeout + var.maximum_batching_window_in_seconds + 30,
  ))
  sqs_managed_sse = var.kms_master_key_id == null
}

resource "aws_sqs_queue" "dlq" {
  name                      = var.dead_letter_queue_name
  message_retention_seconds = var.dead_letter_queue_message_retention_seconds
  sqs_managed_sse_enabled   = local.sqs_managed_sse ? true : null
  kms_master_key_id         = var.kms_master_key_id
  tags                      = var.tags
}

resource "aws_sqs_queue" "this" {
  name                       = var.queue_name
  message_retention_seconds  = var.message_retention_seconds
  visibility_timeout_seconds = local.visibility_timeout_seconds
  sqs_managed_sse_enabled    = local.sqs_managed_sse ? true : null
  kms_master_key_id          = var.kms_master_key_id
  tags                       = var.tags
}

resource "aws_sqs_queue_redrive_policy" "this" {
  queue_url = aws_sqs_queue.this.id
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = var.max_receive_count
  })
}

# Only the source queue may use the DLQ as its dead-letter target.
resource "aws_sqs_queue_redrive_allow_policy" "dlq" {
  queue_url = aws_sqs_queue.dlq.id
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.this.arn]
  })
}

resource "aws_iam_role_policy" "poller" {
  name = "${var.queue_name}-poller"
  role = var.function_role_name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [{
        Sid      = "PollSourceQueue"
        Effect   = "Allow"
        Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
        Resource = [aws_sqs_queue.this.arn]
      }],
      var.kms_master_key_id == null ? [] : [{
        Sid      = "DecryptSourceQueue"
        Effect   = "Allow"
        Action   = ["kms:Decrypt"]
        Resource = [var.kms_master_key_id]
      }],
    )
  })
}

resource "aws_lambda_event_source_mapping" "this" {
  event_source_arn                   = aws_sqs_queue.this.arn
  function_name                      = var.function_alias_arn
  enabled                            = var.event_source_mapping_enabled
  batch_size                         = var.batch_size
  maximum_batching_window_in_seconds = var.maximum_batching_window_in_seconds
  function_response_types            = ["ReportBatchItemFailures"]

  dynamic "scaling_config" {
    for_each = var.maximum_concurrency == null ? [] : [var.maximum_concurrency]
    content {
      maximum_concurrency = scaling_config.value
    }
  }

  tags = var.tags

  # Lambda checks the role's SQS permissions when the mapping is created.
  depends_on = [aws_iam_role_policy.poller, aws_sqs_queue_redrive_policy.this]
}

resource "aws_cloudwatch_metric_alarm" "dlq_depth" {
  count = var.alarm_enabled ? 1 : 0

  alarm_name          = "${var.dead_letter_queue_name}-depth"
  alarm_description   = "Messages in ${var.dead_letter_queue_name}: records of ${var.queue_name} failed ${var.max_receive_count} times. Runbook: ${var.runbook_url}#pipeline-dlq-not-empty."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.dlq.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.alarm_threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
  tags                = var.tags
}
