# This module's tests, run with `terraform test` (Terraform >= 1.6) against okta-emulator instead
# of a real Okta org. Start the emulator with a group named Engineering and point the provider at
# it before running them:
#
#   okta-emulator --api-token 00dev-token &
#   curl -s -H 'Authorization: SSWS 00dev-token' -H 'Content-Type: application/json' \
#     -d '{"profile":{"name":"Engineering"}}' http://127.0.0.1:8089/api/v1/groups
#   OKTA_ORG_URL=http://127.0.0.1:8089 OKTA_API_TOKEN=00dev-token terraform test

variables {
  authenticate_host = "authenticate.example.com"
  allowed_groups    = ["Engineering"]
}

run "wires_the_app_and_renders_the_settings" {
  command = apply

  assert {
    condition     = output.callback_url == "https://authenticate.example.com/oauth2/callback"
    error_message = "The callback URL is not Pomerium's /oauth2/callback on the authenticate host."
  }

  assert {
    condition     = oktaidp_oidc_app.pomerium.redirect_uris == tolist([output.callback_url])
    error_message = "The app's sign-in redirect URIs are not exactly the callback URL."
  }

  assert {
    condition     = contains(oktaidp_oidc_app.pomerium.grant_types, "refresh_token")
    error_message = "The app has no refresh token grant; Pomerium needs it to keep sessions."
  }

  assert {
    condition     = length(oktaidp_oidc_app.pomerium.group_ids) == 1 && contains(oktaidp_oidc_app.pomerium.group_ids, data.oktaidp_group.allowed["Engineering"].id)
    error_message = "Engineering is not the one group allowed to sign in."
  }

  assert {
    condition     = nonsensitive(output.pomerium_env["IDP_CLIENT_ID"]) == oktaidp_oidc_app.pomerium.client_id
    error_message = "The rendered IDP_CLIENT_ID is not the app's client ID."
  }

  assert {
    condition     = nonsensitive(output.pomerium_env["IDP_PROVIDER"]) == "okta"
    error_message = "The rendered IDP_PROVIDER is not okta."
  }

  assert {
    condition     = oktaidp_oidc_app.pomerium.post_logout_redirect_uris == tolist([output.post_logout_redirect_uri]) && output.post_logout_redirect_uri == "https://authenticate.example.com/.pomerium/signed_out"
    error_message = "The app does not allow the post-logout URI Pomerium 0.32 sends to Okta's /logout."
  }

  assert {
    condition     = oktaidp_groups_claim.pomerium.name == "groups" && contains(split(",", nonsensitive(output.pomerium_env["IDP_SCOPES"])), "groups")
    error_message = "The app has no groups claim, or Pomerium would not request the groups scope that brings it."
  }
}

run "refuses_a_url_as_authenticate_host" {
  command = plan

  variables {
    authenticate_host = "https://authenticate.example.com/"
  }

  expect_failures = [var.authenticate_host]
}
