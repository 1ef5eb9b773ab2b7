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
  description = "Latest published version ($LATEST unless create_alias)."
  value       = aws_lambda_function.this.version
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
