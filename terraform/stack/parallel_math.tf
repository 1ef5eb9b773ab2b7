# Parallel math: one durable function running four arithmetic steps in parallel.

locals {
  math_durable = {
    parallel-math = {
      description           = "Durable parallel arithmetic (add, subtract, multiply, divide)"
      workload              = "parallel_math"
      service               = "parallel-math"
      handler               = "parallel_math.handler.handler"
      timeout               = 30
      execution_timeout     = 300
      reserved_concurrency  = null
      chained_workers       = {}
      environment_variables = {}
    }
  }
}
