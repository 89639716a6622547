# The switch, in one apply (Terraform 1.7 or later, OpenTofu 1.10 or later). Delete this file
# once the apply is done.

# The app okta_app_oauth.pomerium manages: its id is in `terraform state show okta_app_oauth.pomerium`.
import {
  to = oktaidp_oidc_app.pomerium
  id = "0oa1b2c3d4e5f6g7h8i9"
}

# Forget the old resources without deleting anything in Okta.
removed {
  from = okta_app_oauth.pomerium

  lifecycle {
    destroy = false
  }
}

removed {
  from = okta_app_group_assignments.pomerium

  lifecycle {
    destroy = false
  }
}
