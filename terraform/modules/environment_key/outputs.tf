output "key_arn" {
  description = "ARN of the key (what queues, tables, log groups and DurableConfig.KMSKeyArn name, and IAM policies grant on)."
  value       = aws_kms_key.this.arn
}

output "key_id" {
  description = "Id of the key."
  value       = aws_kms_key.this.key_id
}

output "alias_name" {
  description = "Name of the key's alias (alias/...)."
  value       = aws_kms_alias.this.name
}

output "policy_json" {
  description = "The key policy document."
  value       = aws_kms_key.this.policy
}
