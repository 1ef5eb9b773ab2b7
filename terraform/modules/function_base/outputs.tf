output "role_arn" {
  description = "ARN of the execution role."
  value       = aws_iam_role.this.arn
}

output "role_name" {
  description = "Name of the execution role."
  value       = aws_iam_role.this.name
}

output "account_id" {
  description = "Account of the role (from its ARN)."
  value       = local.role_arn_parts[4]
}

output "partition" {
  description = "Partition of the role (from its ARN)."
  value       = local.role_arn_parts[1]
}

output "policy_json" {
  description = "The role's inline policy document."
  value       = aws_iam_role_policy.this.policy
}

output "policy_name" {
  description = "Name of the role's inline policy (depend on it before the function's first invocation)."
  value       = aws_iam_role_policy.this.name
}

output "log_group_name" {
  description = "Name of the function's log group."
  value       = aws_cloudwatch_log_group.this.name
}

output "log_group_retention_in_days" {
  description = "Retention of the function's log group."
  value       = aws_cloudwatch_log_group.this.retention_in_days
}

output "s3_bucket" {
  description = "Bucket of the code object."
  value       = aws_s3_object.package.bucket
}

output "s3_key" {
  description = "Key of the code object."
  value       = aws_s3_object.package.key
}

output "package_sha256" {
  description = "Hex sha256 of the code zip."
  value       = local.package_sha256
}

output "environment_variables" {
  description = "The function's environment: the caller's variables plus ENVIRONMENT and POWERTOOLS_*."
  value       = local.environment_variables
}

output "log_group_kms_key_id" {
  description = "KMS key encrypting the function's log group, or null (CloudWatch Logs' own encryption)."
  value       = aws_cloudwatch_log_group.this.kms_key_id
}
