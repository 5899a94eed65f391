"""The embedded local stack behind `make run`: moto, the Lambda glue, Chalice, a scheduler."""
