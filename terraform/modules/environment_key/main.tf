# The environment's customer managed key: one symmetric KMS key (rotation on) with an alias, whose key policy says
# who may use it and through which service. Nothing in the account may use it unless a statement here allows it:
#
# - the account administers the key through IAM (the deployer's apply role), without any cryptographic action;
# - the account may let AWS services attach the key to resources they create for it (grants for AWS resources);
# - each `users` entry names the roles (by ARN, as aws:PrincipalArn, so they need not exist yet) that may run its
#   actions through its services only (kms:ViaService); the roles' own IAM policies grant them the same actions;
# - `operators` let IAM principals of the account (CI, people) decrypt and encrypt through the named services only,
#   where their own IAM policies allow it (sending to a queue, reading a durable execution), for the environment's
#   resources only when the service names them in the encryption context;
# - CloudWatch Logs encrypts the log groups whose ARNs match `log_group_arn_pattern` (encryption context).

locals {
  root      = "arn:${var.partition}:iam::${var.account_id}:root"
  here      = "${var.region}.amazonaws.com"
  principal = { AWS = local.root }
  caller    = { "kms:CallerAccount" = var.account_id }

  # What Terraform does to a key and its alias (read, create, change, schedule deletion): no cryptographic action.
  administration_actions = [
    "kms:CancelKeyDeletion", "kms:CreateAlias", "kms:DeleteAlias", "kms:DescribeKey", "kms:DisableKey",
    "kms:DisableKeyRotation", "kms:EnableKey", "kms:EnableKeyRotation", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus",
    "kms:ListGrants", "kms:ListResourceTags", "kms:PutKeyPolicy", "kms:RevokeGrant", "kms:ScheduleKeyDeletion",
    "kms:TagResource", "kms:UntagResource", "kms:UpdateAlias", "kms:UpdateKeyDescription",
  ]

  statements = concat(
    [
      {
        Sid       = "AccountAdministersTheKeyThroughIAM"
        Effect    = "Allow"
        Principal = local.principal
        Action    = local.administration_actions
        Resource  = "*"
      },
      {
        # DynamoDB and Lambda create grants on the key for the table or function being created (AWS's "allow
        # attachment of persistent resources" statement).
        Sid       = "AccountAttachesTheKeyToAWSResources"
        Effect    = "Allow"
        Principal = local.principal
        Action    = ["kms:CreateGrant"]
        Resource  = "*"
        Condition = { Bool = { "kms:GrantIsForAWSResource" = "true" } }
      },
      {
        Sid       = "CloudWatchLogsEncryptsTheLogGroups"
        Effect    = "Allow"
        Principal = { Service = "logs.${local.here}" }
        Action    = ["kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*"]
        Resource  = "*"
        Condition = { ArnLike = { "kms:EncryptionContext:aws:logs:arn" = var.log_group_arn_pattern } }
      },
    ],
    [for sid, u in var.users : {
      Sid       = sid
      Effect    = "Allow"
      Principal = local.principal
      Action    = sort(u.actions)
      Resource  = "*"
      Condition = {
        ArnEquals    = { "aws:PrincipalArn" = sort(u.role_arns) }
        StringEquals = merge(local.caller, { "kms:ViaService" = sort([for s in u.services : "${s}.${local.here}"]) })
      }
    }],
    [for sid, o in var.operators : {
      Sid       = sid
      Effect    = "Allow"
      Principal = local.principal
      Action    = sort(o.actions)
      Resource  = "*"
      Condition = merge(
        { StringEquals = merge(local.caller, { "kms:ViaService" = "${o.service}.${local.here}" }) },
        o.encryption_context == null ? {} : { StringLike = { "kms:EncryptionContext:${o.encryption_context.key}" = o.encryption_context.pattern } },
      )
    }],
  )
}

resource "aws_kms_key" "this" {
  description              = var.description
  key_usage                = "ENCRYPT_DECRYPT"
  customer_master_key_spec = "SYMMETRIC_DEFAULT"
  enable_key_rotation      = true
  rotation_period_in_days  = var.rotation_period_days
  deletion_window_in_days  = var.deletion_window_days
  policy                   = jsonencode({ Version = "2012-10-17", Statement = local.statements })
  tags                     = var.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.alias}"
  target_key_id = aws_kms_key.this.key_id
}
