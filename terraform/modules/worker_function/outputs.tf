output "function_name" {
  description = "Name of the function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "Unqualified ARN of the function."
  value       = aws_lambda_function.this.arn
}

output "invoke_arn" {
  description = "ARN the callers should invoke: the alias when create_alias is true, else the unqualified function."
  value       = var.create_alias ? aws_lambda_alias.this[0].arn : aws_lambda_function.this.arn
}

output "alias_arn" {
  description = "Qualified ARN of the alias, or null without one."
  value       = var.create_alias ? aws_lambda_alias.this[0].arn : null
}

output "function_version" {
  description = "Newest published version (a number; $LATEST when publish is false)."
  value       = aws_lambda_function.this.version
}

output "qualified_arn" {
  description = "Version-qualified ARN of the newest published version (arn:...:function:NAME:N), what a durable caller pins; null when publish is false."
  value       = var.publish ? aws_lambda_function.this.qualified_arn : null
}

output "role_arn" {
  description = "ARN of the execution role."
  value       = module.base.role_arn
}

output "role_name" {
  description = "Name of the execution role."
  value       = module.base.role_name
}

output "log_group_name" {
  description = "Name of the function's CloudWatch log group."
  value       = module.base.log_group_name
}
