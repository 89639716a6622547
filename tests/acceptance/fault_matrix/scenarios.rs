//! The operations the fault matrix drives: every resource's create, read, updates, delete and
//! import, the data sources, and the late-landing case (many resources writing one app).
//! Configurations use `var.app_id`, `var.group_id` and `var.sync_token`, which the seed fills.

/// What Terraform does for the operation, once the pre-state (`before`) is in place.
#[derive(Debug, Clone)]
pub enum Action {
    /// `terraform apply` of this configuration body.
    Apply(String),
    /// `terraform plan` of the `before` configuration: a refresh, i.e. every read.
    Plan,
    /// `terraform import` of this address, removed from state after `before` was applied.
    Import(&'static str),
}

#[derive(Debug, Clone)]
pub struct Scenario {
    /// Section of the report: a resource type, a data source, or a combination.
    pub subject: &'static str,
    pub op: String,
    /// Configuration body applied (without faults) to reach the pre-state.
    pub before: Option<String>,
    pub action: Action,
}

impl Scenario {
    /// The configuration body the operation ends with (what convergence is measured against).
    pub fn final_body(&self) -> String {
        match &self.action {
            Action::Apply(body) => body.clone(),
            Action::Plan | Action::Import(_) => self.before.clone().unwrap_or_default(),
        }
    }
}

/// The provider block: small timeouts and waits so that every fault resolves in seconds.
pub const REQUEST_TIMEOUT_SECS: u64 = 2;

pub fn provider_header() -> String {
    format!(
        r#"terraform {{
  required_providers {{
    oktaidp = {{ source = "oktaidp/oktaidp" }}
  }}
}}
variable "org_url" {{ type = string }}
variable "app_id" {{ type = string }}
variable "group_id" {{ type = string }}
variable "sync_token" {{
  type      = string
  sensitive = true
}}
provider "oktaidp" {{
  org_url          = var.org_url
  request_timeout  = {REQUEST_TIMEOUT_SECS}
  max_retries      = 3
  min_wait_seconds = 0
  max_wait_seconds = 1
}}
"#
    )
}

fn app(extra: &str) -> String {
    format!(
        r#"resource "oktaidp_oidc_app" "app" {{
  label         = "fm-app"
  redirect_uris = ["https://authenticate.example.com/oauth2/callback"]
  group_ids     = [var.group_id]
{extra}}}
"#
    )
}

fn app_with(label: &str, extra: &str) -> String {
    app(extra).replace("\"fm-app\"", &format!("\"{label}\""))
}

const URI: &str = r#"resource "oktaidp_oidc_app_redirect_uri" "cb" {
  app_id = var.app_id
  uri    = "https://authenticate.team-a.example.org/oauth2/callback"
}
"#;

fn grant(extra: &str) -> String {
    format!("resource \"oktaidp_oidc_app_refresh_grant\" \"grant\" {{\n  app_id = var.app_id\n{extra}}}\n")
}

fn token(extra: &str) -> String {
    format!(
        "resource \"oktaidp_api_token\" \"sync\" {{\n  token = var.sync_token\n  name  = \"pomerium-directory-sync\"\n{extra}}}\n"
    )
}

fn claim(target: &str, extra: &str) -> String {
    format!("resource \"oktaidp_groups_claim\" \"claim\" {{\n  {target}\n{extra}}}\n")
}

/// Ten sign-in URIs and the refresh grant on one app, all written concurrently.
fn many_parts() -> String {
    let mut body = String::from(
        r#"resource "oktaidp_oidc_app_redirect_uri" "many" {
  count  = 10
  app_id = var.app_id
  uri    = "https://authenticate-${count.index}.example.org/oauth2/callback"
}
"#,
    );
    body.push_str(&grant("  rotation = \"ROTATE\"\n  leeway   = 30\n"));
    body
}

/// create, read, the given updates, delete and import of one resource whose pre-state is `base`.
fn lifecycle(
    subject: &'static str,
    address: &'static str,
    base: &str,
    updates: &[(&str, String)],
) -> Vec<Scenario> {
    let mut list = vec![
        Scenario {
            subject,
            op: "create".into(),
            before: None,
            action: Action::Apply(base.to_string()),
        },
        Scenario {
            subject,
            op: "read".into(),
            before: Some(base.to_string()),
            action: Action::Plan,
        },
    ];
    for (attr, body) in updates {
        list.push(Scenario {
            subject,
            op: format!("update {attr}"),
            before: Some(base.to_string()),
            action: Action::Apply(body.clone()),
        });
    }
    list.push(Scenario {
        subject,
        op: "delete".into(),
        before: Some(base.to_string()),
        action: Action::Apply(String::new()),
    });
    list.push(Scenario {
        subject,
        op: "import".into(),
        before: Some(base.to_string()),
        action: Action::Import(address),
    });
    list
}

pub fn all() -> Vec<Scenario> {
    let mut list = lifecycle(
        "oktaidp_oidc_app",
        "oktaidp_oidc_app.app",
        &app(""),
        &[
            ("label", app_with("fm-app-renamed", "")),
            (
                "redirect_uris",
                app("").replace(
                    "[\"https://authenticate.example.com/oauth2/callback\"]",
                    "[\"https://authenticate.example.com/oauth2/callback\", \"https://authenticate.example.net/oauth2/callback\"]",
                ),
            ),
            (
                "group_ids",
                app("").replace("[var.group_id]", "[]"),
            ),
            (
                "refresh_token_rotation",
                app("  refresh_token_rotation = \"ROTATE\"\n"),
            ),
            ("status", app("  status = \"INACTIVE\"\n")),
            (
                "client_secret_version",
                app("  client_secret_version = 2\n"),
            ),
        ],
    );
    list.extend(lifecycle(
        "oktaidp_oidc_app_redirect_uri",
        "oktaidp_oidc_app_redirect_uri.cb",
        URI,
        &[],
    ));
    list.extend(lifecycle(
        "oktaidp_oidc_app_refresh_grant",
        "oktaidp_oidc_app_refresh_grant.grant",
        &grant(""),
        &[(
            "rotation, leeway",
            grant("  rotation = \"ROTATE\"\n  leeway   = 30\n"),
        )],
    ));
    list.extend(lifecycle(
        "oktaidp_api_token",
        "oktaidp_api_token.sync",
        &token("  revoke_on_destroy = true\n"),
        &[(
            "network_connection",
            token("  revoke_on_destroy = true\n  network_connection = \"ZONE\"\n  network_include = [\"nzo1a2b3c4d5e6f7g8h9\"]\n"),
        )],
    ));
    list.extend(lifecycle(
        "oktaidp_groups_claim (org server)",
        "oktaidp_groups_claim.claim",
        &claim("app_id = var.app_id", ""),
        &[(
            "filter",
            claim(
                "app_id = var.app_id",
                "  filter_type = \"STARTS_WITH\"\n  filter = \"eng-\"\n",
            ),
        )],
    ));
    list.extend(lifecycle(
        "oktaidp_groups_claim (custom server)",
        "oktaidp_groups_claim.claim",
        &claim("authorization_server_id = \"default\"", ""),
        &[(
            "filter",
            claim(
                "authorization_server_id = \"default\"",
                "  filter_type = \"STARTS_WITH\"\n  filter = \"eng-\"\n",
            ),
        )],
    ));
    list.push(Scenario {
        subject: "data sources",
        op: "read oktaidp_group".into(),
        before: None,
        action: Action::Apply(
            "data \"oktaidp_group\" \"eng\" {\n  name = \"Engineering\"\n}\noutput \"group\" {\n  value = data.oktaidp_group.eng.id\n}\n"
                .into(),
        ),
    });
    // The data source checks the app's wiring, which needs the refresh grant.
    list.push(Scenario {
        subject: "data sources",
        op: "read oktaidp_pomerium_idp".into(),
        before: Some(grant("")),
        action: Action::Apply(format!(
            r#"{}data "oktaidp_pomerium_idp" "idp" {{
  authenticate_service_url = "https://authenticate.example.com"
  app_id                   = oktaidp_oidc_app_refresh_grant.grant.app_id
  # Not checked against Okta; the data source never reads the secret (its outputs are state).
  client_secret            = "fault-matrix-client-secret"
  api_token                = var.sync_token
}}
output "idp_url" {{
  value = data.oktaidp_pomerium_idp.idp.idp_provider_url
}}
"#,
            grant("")
        )),
    });
    list.push(Scenario {
        subject: "late-landing writes: 10 oktaidp_oidc_app_redirect_uri + oktaidp_oidc_app_refresh_grant on one app",
        op: "create together".into(),
        before: None,
        action: Action::Apply(many_parts()),
    });
    list.push(Scenario {
        subject: "late-landing writes: 10 oktaidp_oidc_app_redirect_uri + oktaidp_oidc_app_refresh_grant on one app",
        op: "delete together".into(),
        before: Some(many_parts()),
        action: Action::Apply(String::new()),
    });
    list
}
