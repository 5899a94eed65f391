"""Non-HTTP Lambdas: thin entry points over chalicelib services (bundled by CDK)."""
