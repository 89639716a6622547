# Import ID: <app_id>/<kind>/<uri>, kind being sign_in or post_logout. The URI may contain
# slashes; only the first two separate the parts.
terraform import 'oktaidp_oidc_app_redirect_uri.callback["authenticate.example.com"]' 0oa1b2c3d4e5f6g7h8i9/sign_in/https://authenticate.example.com/oauth2/callback
terraform import oktaidp_oidc_app_redirect_uri.signed_out 0oa1b2c3d4e5f6g7h8i9/post_logout/https://www.example.com/signed-out
