"""Plain-Python domain: entities, value objects and rules. No boto3, PynamoDB or Chalice here."""
