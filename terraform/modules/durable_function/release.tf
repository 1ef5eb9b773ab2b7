# How a new version of this function reaches new executions (docs/releases.md).
#
# all-at-once: the alias points at the version this configuration publishes.
# canary:      the alias keeps pointing at the stable version and routes `canary_share` of new executions to the new
#              one (RoutingConfig.AdditionalVersionWeights); the release controller (releases/) judges the new
#              version by its own executions and decides. Executions never move: each replays on the version it
#              started on, so only the choice for *new* executions changes.
#
# A release is identified by its release id: the Version's logical id (the function's definition) and the digest of
# the stack parameters (role, layers, the pinned worker versions), i.e. everything that publishes a new version. The
# id is unknown at plan time exactly when a parameter changes, i.e. when a new version will be published.
#
# The controller's decision lives in an SSM parameter this module creates and never overwrites (ignore_changes):
# {"stable": {"version", "release_id"}, "withdrawn": [release_id, ...]}. The controller moves the alias at once (UpdateAlias)
# and writes the record; the next plan reads the record and renders the alias exactly as the controller left it,
# so the stack's template states the truth and a re-plan after the reconciling apply shows no change.

resource "aws_ssm_parameter" "release" {
  #checkov:skip=CKV2_AWS_34:The record holds version numbers and configuration digests, no secret; Terraform reads it as plain text.
  name        = "/durable-deploy/${var.function.name}/release"
  description = "Release record of ${var.function.name}: stable version and withdrawn configurations (written by the release controller)."
  type        = "String"
  # An empty record: nothing judged yet. The controller writes it after every release; Terraform only reads it.
  insecure_value = jsonencode({ stable = null, withdrawn = [] })
  tags           = var.function.tags

  lifecycle {
    ignore_changes = [insecure_value]
  }
}

locals {
  release_id = "${local.version_logical_id}/${local.config_digest}"
  # Terraform refreshes the parameter at every plan, so this is the value the controller wrote last (ignore_changes
  # keeps Terraform from writing it back). A data source would defer the read, and with it the whole template, to
  # the apply that creates the parameter.
  release_record = try(jsondecode(aws_ssm_parameter.release.insecure_value), {})
  # The version the controller last promoted (or found serving), and the release id it was published from.
  stable_release = try(local.release_record.stable.version, null) == null ? null : {
    version    = tostring(local.release_record.stable.version)
    release_id = tostring(local.release_record.stable.release_id)
  }
  # Conditionals, not && and ||: they stay known when the release id is not (new stack parameters), whenever the
  # answer does not depend on it (all-at-once, or nothing recorded yet), so such plans show the whole template.
  canary_strategy = var.release.strategy == "canary" && local.stable_release != null
  # This release was judged unhealthy: it stays published, the alias stays on the stable version.
  release_withdrawn = !local.canary_strategy ? false : contains(
    try([for d in local.release_record.withdrawn : tostring(d)], []), local.release_id
  )
  # A canary is in progress when this release differs from the stable one and has not been withdrawn.
  canary_in_progress = !local.canary_strategy ? false : (
    local.release_withdrawn ? false : try(local.stable_release.release_id, "") != local.release_id
  )

  # jsonencode on both sides: a version number and a GetAtt are values of different types in Terraform.
  alias_function_version = jsondecode(local.canary_strategy && (local.canary_in_progress || local.release_withdrawn)
    ? jsonencode(try(local.stable_release.version, ""))
  : jsonencode({ "Fn::GetAtt" = [local.version_logical_id, "Version"] }))
  alias_routing = jsondecode(local.canary_in_progress ? jsonencode({
    RoutingConfig = {
      AdditionalVersionWeights = [{
        FunctionVersion = { "Fn::GetAtt" = [local.version_logical_id, "Version"] }
        FunctionWeight  = var.release.canary_share
      }]
    }
  }) : "{}")
}
