"""Infrastructure: the CDK app (AWS) and the embedded local stack (`make run`)."""
