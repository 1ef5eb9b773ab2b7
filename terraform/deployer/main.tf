# The deployer roles of one environment: the GitHub OIDC provider of its account, a plan role (reads what the stack
# manages and the state; trusted by pull requests and main) and an apply role (manages what the stack manages;
# trusted only by jobs of the GitHub environment of the same name). Applied once per environment by an
# administrator (`make deployer ENV=<env>`); the workflows then assume these roles (vars AWS_PLAN_ROLE_ARN_<ENV>,
# AWS_APPLY_ROLE_ARN_<ENV>). Every ARN is scoped to the environment's name prefix in its own account.

data "aws_partition" "current" {}

locals {
  prefix   = var.environment
  arn      = "arn:${data.aws_partition.current.partition}"
  here     = "${var.aws_region}:${var.account_id}"
  issuer   = "token.actions.githubusercontent.com"
  provider = var.create_oidc_provider ? aws_iam_openid_connect_provider.github[0].arn : "${local.arn}:iam::${var.account_id}:oidc-provider/${local.issuer}"

  # The OIDC subjects each role trusts (GitHub's `sub` claim).
  subjects = {
    plan  = ["repo:${var.github_repository}:pull_request", "repo:${var.github_repository}:ref:refs/heads/main"]
    apply = ["repo:${var.github_repository}:environment:${var.environment}"]
  }

  # What the stack manages, per kind of resource: the ARNs, the actions that read them (plan and apply role) and
  # the actions that change them (apply role only). Names are the stack's: every resource starts with "<env>-".
  managed = {
    functions = {
      resources = ["${local.arn}:lambda:${local.here}:function:${local.prefix}-*"]
      read = [
        "lambda:GetAlias", "lambda:GetFunction", "lambda:GetFunctionCodeSigningConfig", "lambda:GetFunctionConcurrency",
        "lambda:GetFunctionConfiguration", "lambda:GetPolicy", "lambda:ListAliases", "lambda:ListTags",
        "lambda:ListVersionsByFunction",
      ]
      write = [
        "lambda:CreateAlias", "lambda:CreateFunction", "lambda:DeleteAlias", "lambda:DeleteFunction",
        "lambda:DeleteFunctionConcurrency", "lambda:PublishVersion", "lambda:PutFunctionConcurrency",
        "lambda:TagResource", "lambda:UntagResource", "lambda:UpdateAlias", "lambda:UpdateFunctionCode",
        "lambda:UpdateFunctionConfiguration",
      ]
    }
    layers = {
      resources = [
        "${local.arn}:lambda:${local.here}:layer:${local.prefix}-*",
        "${local.arn}:lambda:${local.here}:layer:${local.prefix}-*:*",
      ]
      read  = ["lambda:GetLayerVersion"]
      write = ["lambda:DeleteLayerVersion", "lambda:PublishLayerVersion"]
    }
    # A mapping's ARN ends in a UUID Lambda assigns at creation: the account's mappings are the narrowest ARN.
    event_source_mappings = {
      resources = ["${local.arn}:lambda:${local.here}:event-source-mapping:*"]
      read      = ["lambda:GetEventSourceMapping", "lambda:ListTags"]
      write     = ["lambda:DeleteEventSourceMapping", "lambda:TagResource", "lambda:UntagResource", "lambda:UpdateEventSourceMapping"]
    }
    roles = {
      resources = ["${local.arn}:iam::${var.account_id}:role/${local.prefix}-*"]
      read = [
        "iam:GetRole", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole",
        "iam:ListRolePolicies",
      ]
      write = [
        "iam:CreateRole", "iam:DeleteRole", "iam:DeleteRolePolicy", "iam:PutRolePolicy", "iam:TagRole",
        "iam:UntagRole", "iam:UpdateAssumeRolePolicy", "iam:UpdateRole",
      ]
    }
    queues = {
      resources = ["${local.arn}:sqs:${local.here}:${local.prefix}-*"]
      read      = ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ListQueueTags"]
      write     = ["sqs:CreateQueue", "sqs:DeleteQueue", "sqs:SetQueueAttributes", "sqs:TagQueue", "sqs:UntagQueue"]
    }
    tables = {
      resources = ["${local.arn}:dynamodb:${local.here}:table/${local.prefix}-*"]
      read = [
        "dynamodb:DescribeContinuousBackups", "dynamodb:DescribeTable", "dynamodb:DescribeTimeToLive",
        "dynamodb:GetItem", "dynamodb:ListTagsOfResource",
      ]
      write = [
        "dynamodb:CreateTable", "dynamodb:DeleteItem", "dynamodb:DeleteTable", "dynamodb:PutItem",
        "dynamodb:TagResource", "dynamodb:UntagResource", "dynamodb:UpdateContinuousBackups", "dynamodb:UpdateItem",
        "dynamodb:UpdateTable", "dynamodb:UpdateTimeToLive",
      ]
    }
    log_groups = {
      resources = [
        "${local.arn}:logs:${local.here}:log-group:/aws/lambda/${local.prefix}-*",
        "${local.arn}:logs:${local.here}:log-group:/aws/lambda/${local.prefix}-*:*",
      ]
      read = ["logs:ListTagsForResource", "logs:ListTagsLogGroup"]
      write = [
        "logs:AssociateKmsKey", "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:DeleteRetentionPolicy",
        "logs:DisassociateKmsKey", "logs:PutRetentionPolicy", "logs:TagLogGroup", "logs:TagResource",
        "logs:UntagLogGroup", "logs:UntagResource",
      ]
    }
    stacks = {
      resources = ["${local.arn}:cloudformation:${local.here}:stack/${local.prefix}-*/*"]
      read      = ["cloudformation:DescribeStackEvents", "cloudformation:DescribeStacks", "cloudformation:GetTemplate"]
      write = [
        "cloudformation:CreateStack", "cloudformation:DeleteStack", "cloudformation:TagResource",
        "cloudformation:UntagResource", "cloudformation:UpdateStack",
      ]
    }
    artifacts = {
      resources = [
        "${local.arn}:s3:::${local.prefix}-durable-deploy-artifacts-*",
        "${local.arn}:s3:::${local.prefix}-durable-deploy-artifacts-*/*",
      ]
      read = [
        "s3:GetAccelerateConfiguration", "s3:GetBucketAcl", "s3:GetBucketCORS", "s3:GetBucketLogging",
        "s3:GetBucketObjectLockConfiguration", "s3:GetBucketOwnershipControls", "s3:GetBucketPolicy",
        "s3:GetBucketPublicAccessBlock", "s3:GetBucketRequestPayment", "s3:GetBucketTagging",
        "s3:GetBucketVersioning", "s3:GetBucketWebsite", "s3:GetEncryptionConfiguration",
        "s3:GetLifecycleConfiguration", "s3:GetObject", "s3:GetObjectTagging", "s3:GetReplicationConfiguration",
        "s3:ListBucket", "s3:ListBucketVersions",
      ]
      write = [
        "s3:CreateBucket", "s3:DeleteBucket", "s3:DeleteObject", "s3:DeleteObjectVersion",
        "s3:PutBucketOwnershipControls", "s3:PutBucketPublicAccessBlock", "s3:PutBucketTagging",
        "s3:PutBucketVersioning", "s3:PutEncryptionConfiguration", "s3:PutLifecycleConfiguration", "s3:PutObject",
        "s3:PutObjectTagging",
      ]
    }
    alarms = {
      resources = [
        "${local.arn}:cloudwatch:${local.here}:alarm:${local.prefix}-*",
        "${local.arn}:cloudwatch::${var.account_id}:dashboard/${local.prefix}-*",
      ]
      read  = ["cloudwatch:DescribeAlarms", "cloudwatch:GetDashboard", "cloudwatch:ListTagsForResource"]
      write = ["cloudwatch:DeleteAlarms", "cloudwatch:DeleteDashboards", "cloudwatch:PutDashboard", "cloudwatch:PutMetricAlarm", "cloudwatch:TagResource", "cloudwatch:UntagResource"]
    }
    # The release records of the durable functions (modules/durable_function/release.tf), which the release
    # controller also reads and writes as the apply role (make canary, promote, abort).
    parameters = {
      resources = ["${local.arn}:ssm:${local.here}:parameter/durable-deploy/${local.prefix}-*"]
      read      = ["ssm:GetParameter", "ssm:ListTagsForResource"]
      write     = ["ssm:AddTagsToResource", "ssm:DeleteParameter", "ssm:PutParameter", "ssm:RemoveTagsFromResource"]
    }
    topics = {
      resources = ["${local.arn}:sns:${local.here}:${local.prefix}-*"]
      read      = ["sns:GetSubscriptionAttributes", "sns:GetTopicAttributes", "sns:ListTagsForResource"]
      write = [
        "sns:CreateTopic", "sns:DeleteTopic", "sns:SetTopicAttributes", "sns:Subscribe", "sns:TagResource",
        "sns:Unsubscribe", "sns:UntagResource",
      ]
    }
  }

  # Actions the Service Authorization Reference lists with no resource type: "*" is the narrowest resource.
  unscoped = {
    read = [
      "lambda:ListEventSourceMappings", # lists the mappings to find the one of a function; no resource type
      "logs:DescribeLogGroups",         # the provider reads a log group through this list call; no resource type
      "kms:ListAliases",                # the provider finds an alias through this list call; no resource type
      "ssm:DescribeParameters",         # the provider reads a parameter's description and tier through this list call
    ]
    write = [
      "lambda:CreateEventSourceMapping", # authorized on no resource (the function it names is checked separately)
    ]
  }

  # The environment's KMS key (terraform/stack/environment_key.tf, where enabled). A key's ARN ends in an id KMS
  # assigns, so the environment's key is the one carrying its Environment tag (the stack tags everything it creates);
  # its alias is found by name. The key policy lets the account administer the key through IAM, attach it to the
  # tables and functions being created, and use it through DynamoDB (tables, demo stock) and Lambda (the durable
  # functions), which is what these statements grant.
  key = {
    resources = ["${local.arn}:kms:${local.here}:key/*"]
    aliases   = ["${local.arn}:kms:${local.here}:alias/${local.prefix}-*"]
    tagged    = { StringEquals = { "aws:ResourceTag/Environment" = var.environment } }
    read      = ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"]
    write = [
      "kms:CreateAlias", "kms:DeleteAlias", "kms:DisableKeyRotation", "kms:EnableKeyRotation", "kms:PutKeyPolicy",
      "kms:ScheduleKeyDeletion", "kms:UntagResource", "kms:UpdateAlias", "kms:UpdateKeyDescription",
    ]
    alias_write = ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"]
    through     = { for role, services in { plan = ["dynamodb"], apply = ["dynamodb", "lambda"] } : role => [for s in services : "${s}.${var.aws_region}.amazonaws.com"] }
  }

  # The provider looks up DynamoDB's AWS managed key by its alias whenever it reads a table (to tell it from a
  # customer managed key); that key's policy leaves its metadata to the account's IAM policies.
  managed_key_lookup = {
    Sid       = "DescribeDynamoDbManagedKey"
    Effect    = "Allow"
    Action    = ["kms:DescribeKey"]
    Resource  = "${local.arn}:kms:${local.here}:key/*"
    Condition = { StringEquals = { "kms:RequestAlias" = "alias/aws/dynamodb" } }
  }

  # What `make canary|promote|abort` (releases/) reads beyond what Terraform manages, run by the apply role in the
  # pipeline: the canary version's executions and outcomes, and its alarms' state changes. The alias moves and the
  # release records are the functions' and parameters' own write actions above.
  release_controller = {
    Sid    = "JudgeCanaryReleases"
    Effect = "Allow"
    Action = ["cloudwatch:DescribeAlarmHistory", "lambda:GetDurableExecution", "lambda:ListDurableExecutionsByFunction"]
    Resource = [
      "${local.arn}:cloudwatch:${local.here}:alarm:${local.prefix}-*",
      "${local.arn}:lambda:${local.here}:function:${local.prefix}-*",
    ]
  }

  state = {
    bucket = "${local.arn}:s3:::${var.state_bucket}"
    object = "${local.arn}:s3:::${var.state_bucket}/${var.state_key}"
  }

  statements = {
    plan = concat(
      [for kind, m in local.managed : { Sid = "Read${replace(title(replace(kind, "_", " ")), " ", "")}", Effect = "Allow", Action = m.read, Resource = m.resources }],
      [
        { Sid = "ReadUnscoped", Effect = "Allow", Action = local.unscoped.read, Resource = "*" },
        { Sid = "ReadEnvironmentKey", Effect = "Allow", Action = local.key.read, Resource = local.key.resources, Condition = local.key.tagged },
        {
          # Refreshing the demo stock reads an item of a table the key encrypts.
          Sid       = "EnvironmentKeyThroughServices"
          Effect    = "Allow"
          Action    = ["kms:Decrypt"]
          Resource  = local.key.resources
          Condition = { StringEquals = merge(local.key.tagged.StringEquals, { "kms:ViaService" = local.key.through.plan }) }
        },
        local.managed_key_lookup,
        { Sid = "StateList", Effect = "Allow", Action = ["s3:ListBucket"], Resource = local.state.bucket },
        { Sid = "StateRead", Effect = "Allow", Action = ["s3:GetObject"], Resource = local.state.object },
      ],
    )
    apply = concat(
      [for kind, m in local.managed : { Sid = "Manage${replace(title(replace(kind, "_", " ")), " ", "")}", Effect = "Allow", Action = concat(m.read, m.write), Resource = m.resources }],
      [
        { Sid = "Unscoped", Effect = "Allow", Action = concat(local.unscoped.read, local.unscoped.write), Resource = "*" },
        local.managed_key_lookup,
        local.release_controller,
        {
          # CreateKey names no resource (the key does not exist yet): only a key tagged for this environment.
          Sid       = "CreateEnvironmentKey"
          Effect    = "Allow"
          Action    = ["kms:CreateKey"]
          Resource  = "*"
          Condition = { StringEquals = { "aws:RequestTag/Environment" = var.environment } }
        },
        { Sid = "ManageEnvironmentKey", Effect = "Allow", Action = concat(local.key.read, local.key.write), Resource = local.key.resources, Condition = local.key.tagged },
        {
          # Tags at creation (CreateKey's Tags) and later, only ever keeping the environment's own tag.
          Sid       = "TagEnvironmentKey"
          Effect    = "Allow"
          Action    = ["kms:TagResource"]
          Resource  = local.key.resources
          Condition = { StringEquals = { "aws:RequestTag/Environment" = var.environment } }
        },
        { Sid = "EnvironmentKeyAlias", Effect = "Allow", Action = local.key.alias_write, Resource = local.key.aliases },
        {
          # DynamoDB and Lambda attach the key to the table or function being created (grants for AWS resources).
          Sid       = "EnvironmentKeyGrantsForAWSResources"
          Effect    = "Allow"
          Action    = ["kms:CreateGrant"]
          Resource  = local.key.resources
          Condition = { StringEquals = local.key.tagged.StringEquals, Bool = { "kms:GrantIsForAWSResource" = "true" } }
        },
        {
          # Creating the tables and the demo stock (DynamoDB), the durable functions with DurableConfig.KMSKeyArn
          # (Lambda, called by CloudFormation with this role's credentials).
          Sid       = "EnvironmentKeyThroughServices"
          Effect    = "Allow"
          Action    = ["kms:Decrypt", "kms:GenerateDataKey"]
          Resource  = local.key.resources
          Condition = { StringEquals = merge(local.key.tagged.StringEquals, { "kms:ViaService" = local.key.through.apply }) }
        },
        {
          Sid       = "PassFunctionRoles"
          Effect    = "Allow"
          Action    = ["iam:PassRole"]
          Resource  = local.managed.roles.resources
          Condition = { StringEquals = { "iam:PassedToService" = "lambda.amazonaws.com" } }
        },
        { Sid = "StateList", Effect = "Allow", Action = ["s3:ListBucket"], Resource = local.state.bucket },
        {
          Sid      = "StateReadWrite"
          Effect   = "Allow"
          Action   = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
          Resource = [local.state.object, "${local.state.object}.tflock"]
        },
      ],
    )
  }
}

resource "aws_iam_openid_connect_provider" "github" {
  count          = var.create_oidc_provider ? 1 : 0
  url            = "https://${local.issuer}"
  client_id_list = ["sts.amazonaws.com"]
}

resource "aws_iam_role" "deployer" {
  for_each             = local.subjects
  name                 = "${local.prefix}-durable-deploy-${each.key}"
  description          = "Terraform ${each.key} of the ${var.environment} environment, assumed by GitHub Actions (OIDC)."
  max_session_duration = 3600
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = local.provider }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = { "${local.issuer}:aud" = "sts.amazonaws.com" }
        StringLike   = { "${local.issuer}:sub" = each.value }
      }
    }]
  })
}

resource "aws_iam_role_policy" "deployer" {
  for_each = local.statements
  name     = "${local.prefix}-durable-deploy-${each.key}"
  role     = aws_iam_role.deployer[each.key].id
  policy   = jsonencode({ Version = "2012-10-17", Statement = each.value })
}
