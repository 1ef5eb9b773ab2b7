output "function_name" {
  description = "Name of the durable function."
  value       = aws_cloudformation_stack.this.outputs["FunctionName"]
}

output "function_arn" {
  description = "Unqualified ARN of the function (grant invoke on [arn, arn:*]; invoke durable functions by alias only)."
  value       = aws_cloudformation_stack.this.outputs["FunctionArn"]
}

output "alias_arn" {
  description = "Qualified ARN of the alias (live) - what callers and event source mappings target."
  value       = aws_cloudformation_stack.this.outputs["AliasArn"]
}

output "alias_name" {
  description = "Name of the alias."
  value       = var.alias_name
}

output "function_version" {
  description = "Version the alias points at (a new one is published whenever code or configuration changes)."
  value       = aws_cloudformation_stack.this.outputs["Version"]
}

output "role_arn" {
  description = "ARN of the execution role."
  value       = module.base.role_arn
}

output "role_name" {
  description = "Name of the execution role (attach further policies, e.g. an event source poller's, to it)."
  value       = module.base.role_name
}

output "log_group_name" {
  description = "Name of the function's CloudWatch log group."
  value       = module.base.log_group_name
}

output "stack_name" {
  description = "Name of the CloudFormation stack that holds the function, its versions and alias."
  value       = aws_cloudformation_stack.this.name
}

output "package_sha256" {
  description = "Hex sha256 of the deployed code zip."
  value       = module.base.package_sha256
}

output "cloudformation_template" {
  description = "Template of the function's stack (JSON), for review tooling and tests."
  value       = aws_cloudformation_stack.this.template_body
}

output "chained_function_qualified_arns" {
  description = "Environment variable => version-qualified ARN of each chained function this release calls."
  value       = { for p, c in local.chained_parameters : c.env_var => c.qualified_arn }
}

output "dead_letter_queue_arn" {
  description = "ARN of the dead-letter queue of asynchronous invocations whose execution failed, timed out or was stopped."
  value       = aws_sqs_queue.dead_letter.arn
}

output "dead_letter_queue_name" {
  description = "Name of the function's dead-letter queue."
  value       = aws_sqs_queue.dead_letter.name
}

output "dead_letter_queue_url" {
  description = "URL of the function's dead-letter queue."
  value       = aws_sqs_queue.dead_letter.id
}

output "stack_parameters" {
  description = "Parameters of the function's stack (the values the template refers to), for review tooling and tests."
  value       = aws_cloudformation_stack.this.parameters
}

output "release" {
  description = "Release state for the release controller: strategy, share, the release id of this configuration, whether a canary is in progress, and the SSM parameter holding the controller's record."
  value = {
    strategy           = var.release.strategy
    canary_share       = var.release.canary_share
    release_id         = local.release_id
    canary_in_progress = local.canary_in_progress
    withdrawn          = local.release_withdrawn
    stable_version     = try(local.stable_release.version, null)
    record_parameter   = aws_ssm_parameter.release.name
  }
}
