"""Plain (non-durable) worker Lambdas the durable pipeline chain-invokes, one module per Lambda."""
