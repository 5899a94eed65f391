"""Use cases. Each method scopes its work to one tenant and checks the caller's rights."""
