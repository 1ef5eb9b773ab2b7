"""Operating the deployed durable workflows: one execution's logs across functions (`make logs`), steering
(`make stop`, `make retry`, `make redrive`) and the read-only web console (`make console`). docs/operations.md."""
