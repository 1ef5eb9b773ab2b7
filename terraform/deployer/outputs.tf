output "plan_role_arn" {
  description = "The plan role (GitHub variable AWS_PLAN_ROLE_ARN_<ENV>)."
  value       = aws_iam_role.deployer["plan"].arn
}

output "apply_role_arn" {
  description = "The apply role (GitHub variable AWS_APPLY_ROLE_ARN_<ENV>)."
  value       = aws_iam_role.deployer["apply"].arn
}

output "oidc_subjects" {
  description = "The GitHub OIDC subjects each role trusts."
  value       = local.subjects
}

output "action_counts" {
  description = "How many actions each role's policy grants."
  value       = { for role, statements in local.statements : role => length(distinct(flatten([for s in statements : s.Action]))) }
}
