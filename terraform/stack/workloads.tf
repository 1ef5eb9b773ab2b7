# The workloads, read from their declarations: functions/<package>/workload.json (format: scripts/manifests.py).
# Every durable function and worker below comes from them; settings.tf adds what an environment's tfvars decide.

locals {
  manifests = {
    for path in fileset(var.workloads_dir, "*/workload.json") :
    dirname(path) => jsondecode(file("${var.workloads_dir}/${path}"))
  }

  # Durable functions of every workload, keyed by function name suffix (the function is <env>-<key>).
  durable_functions = merge([
    for package, manifest in local.manifests : {
      for key, d in manifest.durable_functions : key => {
        fn                    = try(d.fn, key)
        workload              = package
        description           = try(d.description, "")
        handler               = d.handler
        timeout               = try(local.durable_settings[key].timeout, d.timeout, null)
        execution_timeout     = try(local.durable_settings[key].execution_timeout, d.execution_timeout)
        reserved_concurrency  = try(local.durable_settings[key].reserved_concurrency, null)
        environment_variables = try(local.durable_settings[key].environment_variables, {})
        chained_workers       = try(d.chained_workers, {})
      }
    }
  ]...)

  # Workers of every workload, keyed by function name suffix.
  workers = merge([
    for package, manifest in local.manifests : {
      for key, w in try(manifest.workers, {}) : key => {
        workload              = package
        description           = try(w.description, "")
        handler               = w.handler
        environment_variables = try(local.worker_settings[key].environment_variables, {})
        policy_statements     = try(local.table_statements[key], [])
      }
    }
  ]...)
}
