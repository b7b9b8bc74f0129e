"""Keys, roles and policy, redaction, the audit chain and rate limits."""
