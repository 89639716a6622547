# Import by token id (Security → API → Tokens in the Admin Console, or GET /api/v1/api-tokens).
# Okta never returns a token's value: run `terraform apply` once after importing so that the
# configured `token` is checked and stored; later plans are clean.
terraform import oktaidp_api_token.directory_sync 00T1gtr35t8ZbfBfV1d7
