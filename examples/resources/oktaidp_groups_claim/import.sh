# The org authorization server's groups claim of an app: app/<app_id>.
terraform import oktaidp_groups_claim.org app/0oa1b2c3d4e5f6g7h8i9

# A claim of a custom authorization server: <authorization_server_id>/<claim_id>.
terraform import oktaidp_groups_claim.default_server default/ocl1b2c3d4e5f6g7h8i9
