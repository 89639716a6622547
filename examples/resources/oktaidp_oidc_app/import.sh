# Import by Okta app ID. The state gets the newest active client secret and the current group
# assignments (group_ids).
terraform import oktaidp_oidc_app.pomerium 0oa1b2c3d4e5f6g7h8i9
