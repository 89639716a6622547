//! The provider signed in as an OAuth 2.0 service app (no SSWS token anywhere in its
//! configuration or environment): `examples/pomerium` end to end (DPoP-bound app), the errors a
//! missing scope and a wrong key give, and an access token expiring in the middle of an apply.
//! The service app, its public key, its scope grants and its admin role are set up through the
//! emulator's Management API with the admin token, as an administrator would in the console.

use std::path::PathBuf;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{EcdsaKeyPair, KeyPair, RsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::{json, Value};

use crate::emulator::{Emulator, ADMIN_TOKEN};
use crate::pomerium_module;
use crate::terraform::{Kind, Run, Terraform, Workspace, SKIPPED};

/// Every case runs on every binary; `short` keeps the cases that apply for a while (about 10 s
/// each per binary) to Terraform 1.0 for quick local runs. The quick error cases always run.
const MATRIX: &str = "OKTAIDP_OAUTH_MATRIX";

fn short_matrix() -> bool {
    std::env::var(MATRIX).is_ok_and(|v| v == "short")
}

fn heavy_case(tf: &Terraform) -> Result<(), String> {
    if !short_matrix() || (tf.kind == Kind::Terraform && tf.version.starts_with("1.0.")) {
        Ok(())
    } else {
        Err(format!(
            "{SKIPPED}runs on Terraform 1.0 only with {MATRIX}=short"
        ))
    }
}

/// Every scope the provider asks for by default.
const ALL_SCOPES: &[&str] = &[
    "okta.apps.manage",
    "okta.groups.read",
    "okta.apiTokens.manage",
    "okta.authorizationServers.manage",
];

#[derive(Clone, Copy)]
enum Alg {
    Rs256,
    Es256,
}

/// A private key as PEM and its public JWK.
struct KeyMaterial {
    pem: String,
    jwk: Value,
}

fn pem(der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let lines: Vec<String> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        lines.join("\n")
    )
}

fn key(alg: Alg, kid: &str) -> Result<KeyMaterial, String> {
    match alg {
        Alg::Rs256 => {
            let pair = RsaKeyPair::generate(KeySize::Rsa2048).map_err(|e| e.to_string())?;
            let der = pair.as_der().map_err(|e| e.to_string())?;
            let pk = pair.public_key();
            Ok(KeyMaterial {
                pem: pem(der.as_ref()),
                jwk: json!({
                    "kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
                    "e": URL_SAFE_NO_PAD.encode(pk.exponent().big_endian_without_leading_zero()),
                    "n": URL_SAFE_NO_PAD.encode(pk.modulus().big_endian_without_leading_zero()),
                }),
            })
        }
        Alg::Es256 => {
            let doc = EcdsaKeyPair::generate_pkcs8(
                &ECDSA_P256_SHA256_FIXED_SIGNING,
                &SystemRandom::new(),
            )
            .map_err(|e| e.to_string())?;
            let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, doc.as_ref())
                .map_err(|e| e.to_string())?;
            let point = pair.public_key().as_ref().to_vec();
            Ok(KeyMaterial {
                pem: pem(doc.as_ref()),
                jwk: json!({
                    "kty": "EC", "kid": kid, "use": "sig", "alg": "ES256", "crv": "P-256",
                    "x": URL_SAFE_NO_PAD.encode(&point[1..33]),
                    "y": URL_SAFE_NO_PAD.encode(&point[33..65]),
                }),
            })
        }
    }
}

/// A service app the provider can sign in as: its client ID, the private key in a file, and
/// the key's `kid`.
struct ServiceApp {
    client_id: String,
    kid: String,
    key_file: PathBuf,
    key_pem: String,
    _dir: tempfile::TempDir,
}

impl ServiceApp {
    /// The provider's sign-in environment: no SSWS token.
    fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("OKTA_API_CLIENT_ID", self.client_id.clone()),
            ("OKTA_API_PRIVATE_KEY", self.key_file.display().to_string()),
            ("OKTA_API_PRIVATE_KEY_ID", self.kid.clone()),
        ]
    }

    /// Secrets that must never show in output or logs: the key's base64 lines.
    fn secret_fragments(&self) -> Vec<String> {
        self.key_pem
            .lines()
            .filter(|l| !l.starts_with("-----") && l.len() > 20)
            .map(str::to_string)
            .collect()
    }
}

/// Creates an API Services app with `private_key_jwt` and the public key, grants `scopes` and
/// assigns the Super Administrator role. `signing` replaces the private key the provider gets
/// (a wrong key).
fn service_app(
    emu: &Emulator,
    alg: Alg,
    dpop: bool,
    scopes: &[&str],
    signing: Option<Alg>,
) -> Result<ServiceApp, String> {
    let kid = format!("acc-{}", rand::random::<u32>());
    let registered = key(alg, &kid)?;
    let app = emu.ok(
        "POST",
        "/api/v1/apps",
        Some(&json!({
            "name": "oidc_client",
            "label": format!("terraform-oktaidp {kid}"),
            "signOnMode": "OPENID_CONNECT",
            "credentials": {"oauthClient": {"token_endpoint_auth_method": "private_key_jwt"}},
            "settings": {"oauthClient": {
                "application_type": "service",
                "grant_types": ["client_credentials"],
                "response_types": ["token"],
                "jwks": {"keys": [registered.jwk]},
                "dpop_bound_access_tokens": dpop,
            }},
        })),
    )?;
    let app_id = app["id"]
        .as_str()
        .ok_or("service app without id")?
        .to_string();
    let client_id = app["credentials"]["oauthClient"]["client_id"]
        .as_str()
        .unwrap_or(&app_id)
        .to_string();
    for scope in scopes {
        emu.ok(
            "POST",
            &format!("/api/v1/apps/{app_id}/grants"),
            Some(&json!({"scopeId": scope, "issuer": emu.url})),
        )?;
    }
    emu.ok(
        "POST",
        &format!("/api/v1/apps/{app_id}/roles"),
        Some(&json!({"type": "SUPER_ADMIN"})),
    )?;
    let key_pem = match signing {
        Some(other) => key(other, &kid)?.pem,
        None => registered.pem,
    };
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let key_file = dir.path().join("service-app.pem");
    std::fs::write(&key_file, &key_pem).map_err(|e| e.to_string())?;
    Ok(ServiceApp {
        client_id,
        kid,
        key_file,
        key_pem,
        _dir: dir,
    })
}

/// The provider's own TRACE log and the command output hold no JWT (client assertion, access
/// token, DPoP proof: all start `eyJ`), no part of the private key and not the admin token.
fn nothing_secret(ws: &Workspace, runs: &[&Run], app: &ServiceApp) -> Result<(), String> {
    let lines = ws.provider_log_lines();
    if !lines.iter().any(|l| l.contains("okta oauth token issued")) {
        return Err(
            "the provider's TRACE log shows no token being issued: logs not captured".into(),
        );
    }
    let mut secrets = app.secret_fragments();
    secrets.push(ADMIN_TOKEN.to_string());
    secrets.push("eyJ".to_string());
    let texts = lines
        .iter()
        .map(|l| ("provider log", l.clone()))
        .chain(runs.iter().map(|r| ("terraform output", r.text())));
    for (what, text) in texts {
        for (i, s) in secrets.iter().enumerate() {
            if text.contains(s.as_str()) {
                return Err(format!("{what} holds secret #{i} of {}", secrets.len()));
            }
        }
    }
    Ok(())
}

fn workspace(
    tf: &Terraform,
    emu: &Emulator,
    app: &ServiceApp,
    main_tf: &str,
) -> Result<Workspace, String> {
    let mut ws = Workspace::new(tf, &[("main.tf", main_tf.to_string())])?;
    ws.set_env("OKTA_ORG_URL", &emu.url);
    for (k, v) in app.env() {
        ws.set_env(k, &v);
    }
    Ok(ws)
}

const HEADER: &str = r#"terraform {
  required_providers {
    oktaidp = {
      source = "oktaidp/oktaidp"
    }
  }
}
"#;

/// (a) `examples/pomerium` applied, planned empty and destroyed by a DPoP-bound service app with
/// an EC key, the provider configured only through OKTA_API_CLIENT_ID / _PRIVATE_KEY / _KEY_ID.
pub fn pomerium_module_as_dpop_service_app(tf: &Terraform) -> Result<(), String> {
    heavy_case(tf)?;
    let emu = Emulator::start(&[])?;
    let app = service_app(&emu, Alg::Es256, true, ALL_SCOPES, None)?;
    let mut ws = Workspace::new(tf, &pomerium_module::files()?)?;
    let env = app.env();
    let sign_in: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    pomerium_module::exercise_as(&emu, &mut ws, &sign_in, &[app.client_id.as_str()])?;
    nothing_secret(&ws, &[], &app)?;
    let log = emu.admin("GET", "/__emulator/requests", None)?;
    let issued = log
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|e| e["path"] == "/oauth2/v1/token" && e["status"] == 200)
                .count()
        })
        .unwrap_or(0);
    if issued == 0 {
        return Err("no access token was issued".into());
    }
    Ok(())
}

/// (a') The same with a plain Bearer service app and an RSA key.
pub fn pomerium_module_as_bearer_service_app(tf: &Terraform) -> Result<(), String> {
    heavy_case(tf)?;
    let emu = Emulator::start(&[])?;
    let app = service_app(&emu, Alg::Rs256, false, ALL_SCOPES, None)?;
    let mut ws = Workspace::new(tf, &pomerium_module::files()?)?;
    let env = app.env();
    let sign_in: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    pomerium_module::exercise_as(&emu, &mut ws, &sign_in, &[app.client_id.as_str()])?;
    nothing_secret(&ws, &[], &app)
}

/// The error output of a plan that must fail.
fn failing_plan(ws: &Workspace) -> Result<Run, String> {
    let run = ws.plan(&[])?;
    if run.code != 1 {
        return Err(format!(
            "expected the plan to fail, got exit {}:\n{}",
            run.code,
            run.text()
        ));
    }
    Ok(run)
}

const GROUP_LOOKUP: &str = r#"
data "oktaidp_group" "engineering" {
  name = "Engineering"
}
"#;

/// (b) A token without `okta.groups.read`: the group lookup fails with a diagnostic naming the
/// scope and where to grant it. Asking for scopes the app was not granted names them too.
pub fn missing_scope_is_named(tf: &Terraform) -> Result<(), String> {
    let emu = Emulator::start(&[])?;
    emu.create_group("Engineering")?;
    let app = service_app(&emu, Alg::Rs256, false, &["okta.apps.manage"], None)?;
    let mut ws = workspace(tf, &emu, &app, &format!("{HEADER}{GROUP_LOOKUP}"))?;
    ws.set_env("OKTA_API_SCOPES", "okta.apps.manage");
    let run = failing_plan(&ws)?;
    let text = run.text().split_whitespace().collect::<Vec<_>>().join(" ");
    for want in ["okta.groups.read", "Okta API Scopes", "/grants", "scopes"] {
        if !text.contains(want) {
            return Err(format!(
                "the diagnostic does not mention {want:?}:\n{}",
                run.text()
            ));
        }
    }
    // The default scopes include ones this app was not granted: the token request says which.
    ws.set_env("OKTA_API_SCOPES", "");
    let denied = failing_plan(&ws)?;
    let text = denied
        .text()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if !(text.contains("invalid_scope") && text.contains("okta.groups.read")) {
        return Err(format!(
            "unclear error for ungranted scopes:\n{}",
            denied.text()
        ));
    }
    nothing_secret(&ws, &[&run, &denied], &app)
}

/// (c) A private key that does not match the registered public key: a clear `invalid_client`
/// error, without the assertion or key material.
pub fn wrong_key_is_a_clear_error(tf: &Terraform) -> Result<(), String> {
    let emu = Emulator::start(&[])?;
    let app = service_app(&emu, Alg::Rs256, false, ALL_SCOPES, Some(Alg::Rs256))?;
    let ws = workspace(tf, &emu, &app, &format!("{HEADER}{GROUP_LOOKUP}"))?;
    let run = failing_plan(&ws)?;
    let text = run.text().split_whitespace().collect::<Vec<_>>().join(" ");
    for want in [
        "invalid_client",
        "private_key",
        "private_key_id",
        &app.client_id,
    ] {
        if !text.contains(want) {
            return Err(format!(
                "the error does not mention {want:?}:\n{}",
                run.text()
            ));
        }
    }
    if ws.provider_log_lines().iter().any(|l| l.contains("eyJ")) || text.contains("eyJ") {
        return Err("a JWT appears in the output or the provider log".into());
    }
    for s in app.secret_fragments() {
        if text.contains(&s) {
            return Err("key material appears in the output".into());
        }
    }
    Ok(())
}

/// (d) Access tokens live 2 s; the apply takes longer (a provisioner waits 3 s between two
/// apps), so the token expires in the middle of it: the provider renews it and the apply
/// succeeds, with more than one token request in the apply alone and no request refused.
pub fn token_expiring_mid_apply_is_renewed(tf: &Terraform) -> Result<(), String> {
    heavy_case(tf)?;
    let emu = Emulator::start(&["--access-token-lifetime-secs", "2"])?;
    let app = service_app(&emu, Alg::Rs256, false, ALL_SCOPES, None)?;
    let main_tf = format!(
        r#"{HEADER}
resource "oktaidp_oidc_app" "first" {{
  label         = "expiry first"
  redirect_uris = ["https://first.example.com/oauth2/callback"]
  provisioner "local-exec" {{
    command = "sleep 3"
  }}
}}

resource "oktaidp_oidc_app" "second" {{
  label         = "expiry second after ${{oktaidp_oidc_app.first.id}}"
  redirect_uris = ["https://second.example.com/oauth2/callback"]
}}
"#
    );
    let ws = workspace(tf, &emu, &app, &main_tf)?;
    let plan = ws
        .run(&["plan", "-out=tfplan", "-no-color"])?
        .ok("terraform plan")?;
    emu.admin("DELETE", "/__emulator/requests", None)?;
    let apply = ws
        .run(&["apply", "-no-color", "tfplan"])?
        .ok("terraform apply tfplan")?;
    let log = emu.admin("GET", "/__emulator/requests", None)?;
    let entries = log.as_array().cloned().unwrap_or_default();
    let token_requests = entries
        .iter()
        .filter(|e| e["path"] == "/oauth2/v1/token")
        .count();
    if token_requests < 2 {
        return Err(format!(
            "{token_requests} token request(s) during a 3 s apply with 2 s tokens: not renewed"
        ));
    }
    if let Some(bad) = entries
        .iter()
        .find(|e| e["status"].as_u64().is_some_and(|s| s >= 400))
    {
        return Err(format!("a request was refused during the apply: {bad}"));
    }
    if emu.apps()?.len() != 3 {
        return Err("both apps should exist next to the service app".into());
    }
    ws.expect_empty_plan(&[])?;
    let destroy = ws.destroy(&[])?;
    nothing_secret(&ws, &[&plan, &apply, &destroy], &app)?;
    ws.check_log()
}

/// (#17) `oktaidp_pomerium_idp` with `app_id` on the org authorization server, the provider
/// signed in as a service app: Okta refuses service apps on the internal API that holds the
/// app's groups claim, so the data source does not call it and does not fail the plan; a
/// warning says how to get `groups` into `idp_scopes`, and goes once `scopes` is set.
pub fn pomerium_idp_as_service_app(tf: &Terraform) -> Result<(), String> {
    let emu = Emulator::start(&[])?;
    let service = service_app(&emu, Alg::Es256, false, ALL_SCOPES, None)?;
    let app = emu.ok(
        "POST",
        "/api/v1/apps",
        Some(&json!({
            "name": "oidc_client",
            "label": "pomerium",
            "signOnMode": "OPENID_CONNECT",
            "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
            "settings": {"oauthClient": {
                "application_type": "web",
                "redirect_uris": ["https://authenticate.example.com/oauth2/callback"],
                "post_logout_redirect_uris": ["https://authenticate.example.com/.pomerium/signed_out"],
                "response_types": ["code"],
                "grant_types": ["authorization_code", "refresh_token"],
                "refresh_token": {"rotation_type": "STATIC"}
            }}
        })),
    )?;
    let app_id = app["id"].as_str().ok_or("no app id")?.to_string();
    let main = |scopes: &str| {
        format!(
            r#"{HEADER}
variable "client_secret" {{
  type      = string
  sensitive = true
}}
data "oktaidp_pomerium_idp" "x" {{
  authenticate_service_url = "https://authenticate.example.com"
  app_id                   = "{app_id}"
  client_secret            = var.client_secret
  {scopes}
}}
output "scopes" {{
  value = data.oktaidp_pomerium_idp.x.idp_scopes
}}
"#
        )
    };
    let mut ws = Workspace::new(tf, &[("main.tf", main(""))])?;
    ws.set_env("OKTA_ORG_URL", &emu.url);
    for (k, v) in service.env() {
        ws.set_env(k, &v);
    }
    ws.set_env("TF_VAR_client_secret", "not-checked-by-the-data-source");
    let apply = ws.apply(&[])?;
    let text = apply.text().replace('\n', " ");
    for needle in [
        "cannot be read with a service app",
        "Invalid session",
        "authorization_server_id",
    ] {
        if !text.contains(needle) {
            return Err(format!(
                "no service-app warning ({needle:?}):\n{}",
                apply.text()
            ));
        }
    }
    let log = emu.admin("GET", "/__emulator/requests", None)?;
    let internal = log
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| {
            e["path"]
                .as_str()
                .is_some_and(|p| p.starts_with("/api/v1/internal/"))
        })
        .count();
    if internal != 0 {
        return Err(format!(
            "the data source called Okta's internal API {internal} times"
        ));
    }
    if ws.outputs()?["scopes"]["value"] != json!(["openid", "profile", "email", "offline_access"]) {
        return Err("idp_scopes are not Pomerium's defaults".into());
    }
    ws.write(
        "main.tf",
        &main(r#"scopes = ["openid", "profile", "email", "groups", "offline_access"]"#),
    )?;
    let apply = ws.apply(&[])?;
    if apply.text().contains("cannot be read with a service app") {
        return Err("the warning stays though scopes are set".into());
    }
    ws.destroy(&[])?;
    nothing_secret(&ws, &[], &service)
}
