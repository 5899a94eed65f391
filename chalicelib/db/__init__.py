"""The single DynamoDB table: keys, item models and tenant-scoped repositories."""
