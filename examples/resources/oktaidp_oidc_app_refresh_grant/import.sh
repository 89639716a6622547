# Import by Okta app ID. The app must already have the refresh_token grant.
terraform import oktaidp_oidc_app_refresh_grant.pomerium 0oa1b2c3d4e5f6g7h8i9
