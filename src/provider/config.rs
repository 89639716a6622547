//! The provider block: where the Okta org is, how the provider signs in (an SSWS API token, or
//! an OAuth 2.0 service app), and how hard to retry.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde::Deserialize;
use url::Url;

use crate::okta::oauth::{parse_scopes, OAuthSettings, SigningKey, DEFAULT_SCOPES};
use crate::okta::{ClientConfig, Credentials, OktaClient, Origin};

use super::validate::{self, HttpRule};
use crate::tfplugin::diag::{AttrPath, Diagnostics};
use crate::tfplugin::framework;
use crate::tfplugin::model::{self, Field};
use crate::tfplugin::schema::{Attribute, Block, Schema};
use crate::tfplugin::value::{Type, Value};

pub fn schema() -> Schema {
    Schema::new(
        0,
        Block::new(
            "Manages what the Pomerium identity-aware proxy needs from an Okta org: the OIDC web \
             application Pomerium signs in with (`oktaidp_oidc_app`), redirect URIs and the refresh \
             grant on apps owned elsewhere (`oktaidp_oidc_app_redirect_uri`, \
             `oktaidp_oidc_app_refresh_grant`), the API token for directory sync (`oktaidp_api_token`), \
             and Pomerium's rendered settings (`oktaidp_pomerium_idp`).\n\n\
             The provider block configures access to one Okta org. Every setting can also come from the \
             environment variables of the official Okta provider (`OKTA_ORG_NAME`, `OKTA_BASE_URL`, \
             `OKTA_API_TOKEN`, `OKTA_API_CLIENT_ID`, `OKTA_API_PRIVATE_KEY`, `OKTA_API_PRIVATE_KEY_ID`, \
             `OKTA_API_SCOPES`), plus `OKTA_ORG_URL`, so existing CI secrets keep working.\n\n\
             **Where each setting comes from.** A setting written in the provider block always wins \
             over the environment, so a plan never runs against another org than the block names:\n\n\
             - The org: `org_url` in the block; else `org_name` and/or `base_url` in the block (then \
             `OKTA_ORG_URL` is ignored, and whichever of the two the block leaves out comes from \
             `OKTA_ORG_NAME` / `OKTA_BASE_URL`); else `OKTA_ORG_URL`; else `OKTA_ORG_NAME` with \
             `OKTA_BASE_URL`. `org_url` with `org_name` or `base_url` in the block is an error.\n\
             - Signing in: `api_token` in the block ignores `OKTA_API_CLIENT_ID`, `OKTA_API_PRIVATE_KEY` \
             and `OKTA_API_PRIVATE_KEY_ID`; any of `client_id`, `private_key`, `private_key_id` in the \
             block ignores `OKTA_API_TOKEN`, and each of the three the block leaves out comes from its \
             variable. With none of them in the block, set only one of `OKTA_API_TOKEN` and \
             `OKTA_API_CLIENT_ID`.\n\
             - `scopes` in the block ignores `OKTA_API_SCOPES`. The retry and rate-limit settings have \
             no environment variables.\n\n\
             An org host that does not resolve, and a token Okta refuses (401), are reported naming the \
             setting or variable the value came from; a host that does not resolve is not retried.\n\n\
             **Signing in.** Either with an API token (`api_token`, sent as `SSWS`), or, as Okta \
             recommends, as an OAuth 2.0 service app (`client_id`, `private_key`, `private_key_id`, \
             `scopes`): the provider gets an access token with `client_credentials` and a \
             `private_key_jwt` client assertion, uses DPoP proofs when the app requires them, keeps one \
             token per run and renews it before it expires. Configure exactly one of the two (see above for \
             the environment). Each resource's page \
             names the OAuth scopes it needs.\n\n\
             **Setting up the service app** (Admin Console, as a super administrator):\n\n\
             1. Applications > Applications > Create App Integration > API Services; name it (e.g. \
             `terraform-oktaidp`) and save. Its client ID is `client_id`.\n\
             2. On its General tab, Client Credentials > Edit: choose Public key / Private key, then Add \
             key: paste the public key of a key pair you made (e.g. `openssl genpkey -algorithm RSA \
             -pkeyopt rsa_keygen_bits:2048 -out oktaidp.pem`, public part with `openssl pkey -in \
             oktaidp.pem -pubout`) or let Okta generate one and keep the private key it shows once. \
             The key's KID is `private_key_id`, the PEM private key (or its path) is `private_key`. \
             Leave \"Require Demonstrating Proof of Possession (DPoP) header in token requests\" on if \
             you like: the provider then sends DPoP proofs.\n\
             3. Okta API Scopes tab: Grant the scopes the configuration needs (each resource's page names \
             them; the default `scopes` are `okta.apps.manage`, `okta.groups.read`, \
             `okta.apiTokens.manage`, `okta.authorizationServers.manage`).\n\
             4. Admin roles tab: Edit assignments > Add assignment, and assign a role that may manage \
             apps, groups and API tokens (Super Administrator, or a custom role with those permissions). \
             Scopes say what the token may ask for; the role says what the app may do.\n\n\
             A missing scope shows as an error naming it; grant it on the Okta API Scopes tab and add it \
             to `scopes`.\n\n\
             ```terraform\n\
             provider \"oktaidp\" {\n\
             \x20 org_url        = \"https://dev-123456.okta.com\"\n\
             \x20 client_id      = \"0oa1service2app3id4x7\"\n\
             \x20 private_key    = \"${path.module}/oktaidp.pem\" # or the PEM text, e.g. from a secret\n\
             \x20 private_key_id = \"kid-from-the-general-tab\"\n\
             }\n\
             ```\n\n\
             **Rate limits.** The provider reads Okta's `X-Rate-Limit-*` headers on every response and \
             paces itself per rate-limit bucket, so large applies at `-parallelism=10` do not run into \
             429s; a 429 that happens anyway (another client of the org) waits until the bucket resets. \
             `max_api_capacity` leaves part of each bucket to other clients. 502/503/504, timeouts and \
             dropped connections are retried with exponential backoff for requests that are safe to repeat.\n\n\
             **Testing without an org.** `okta-emulator`, shipped with the provider, is a local Okta \
             Management API: point `org_url` (or `OKTA_ORG_URL`) at it (`http://127.0.0.1:8089`; plain http is accepted for \
             loopback hosts only).\n\n\
             **Versions.** Every resource and data source works on Terraform 1.0 and later and on OpenTofu. \
             Newer features need newer versions; older ones never see them, and configuring a write-only \
             attribute on them is an error at plan rather than a secret in state. Tested on every commit: \
             Terraform 1.0.3, the newest Terraform on the machine (1.11), and the newest OpenTofu (1.12).\n\n\
             | feature | Terraform | OpenTofu |\n\
             |---|---|---|\n\
             | resources, data sources | 1.0 | 1.6 |\n\
             | functions (`provider::oktaidp::callback_url`, `idp_service_account`) | 1.8 | 1.7 |\n\
             | ephemeral resources (`oktaidp_oidc_app_client_secret`, `oktaidp_pomerium_idp`), ephemeral `api_token` | 1.10 | 1.11 |\n\
             | write-only `token_wo` on `oktaidp_api_token` | 1.11 | 1.11 |\n\n\
             ## From okta-emulator to a real org\n\n\
             1. **Org URL.** `https://<org>.okta.com` (or `.oktapreview.com`, `.okta-emea.com`, a custom \
             domain): https, the org's own host, not the Admin Console's `<org>-admin` host. Plain http \
             is for loopback only. Set it in the block or in `OKTA_ORG_URL`; a value in the block wins, \
             so remove an `org_url = \"http://127.0.0.1:8089\"` left from emulator runs.\n\
             2. **Credentials**, one of:\n\
             \x20  - an API token (Admin Console: Security > API > Tokens > Create Token), as `api_token` \
             or `OKTA_API_TOKEN`, the token alone without `SSWS `. It acts with the permissions of the \
             admin who made it: that admin needs a role that may manage apps, groups and API tokens \
             (Super Administrator, or a custom role with those permissions);\n\
             \x20  - or a service app (the steps above): its public key registered, the scopes the \
             configuration needs granted on its Okta API Scopes tab and listed in `scopes` (or left to \
             the default), and an admin role assigned on its Admin roles tab.\n\
             3. **Calls that need an API token.** `oktaidp_groups_claim` with `app_id` writes the app's \
             groups claim through Okta's internal `/api/v1/internal/apps/...` API, which refuses OAuth \
             access tokens. With a service app, use `authorization_server_id` (a custom authorization \
             server) instead, or give that resource a second provider block (`alias`) with an \
             `api_token`. Everything else works with either.\n\
             4. **Names and URLs.** `oktaidp_group` names must match the real org's groups exactly (the \
             error names close ones); redirect URIs and `authenticate_service_url` must be Pomerium's \
             public https URLs.\n\
             5. **First run.** `terraform plan` shows what would change; a 401 names the setting that \
             holds the refused credentials, a host that does not resolve names the setting it came from.",
        )
        .attr(Attribute::string("org_url").optional().check(|raw| org_url(raw).map(drop)).describe(
            "Okta org URL, for example `https://dev-123456.okta.com` (the org's own host, not the \
             Admin Console's `-admin` host, which is refused). Environment: `OKTA_ORG_URL`. \
             Must be https, except for loopback hosts (for `okta-emulator`, e.g. `http://127.0.0.1:8089`). \
             Conflicts with `org_name` and `base_url`.",
        ))
        .attr(Attribute::string("org_name").optional().check(org_name).describe(
            "Okta org name, the first label of the org URL (`dev-123456`); used with `base_url` when `org_url` is not set. \
             Environment: `OKTA_ORG_NAME`.",
        ))
        .attr(Attribute::string("base_url").optional().check(base_url).describe(
            "The domain after `org_name` in the org's host (the org URL is `https://<org_name>.<base_url>`): `okta.com` (default), `oktapreview.com`, `okta-emea.com`, `okta-gov.com` or `okta.mil`. Any domain name is accepted (a URL or a path is not). Environment: `OKTA_BASE_URL`.",
        ))
        .attr(
            Attribute::string("api_token")
                .optional()
                .sensitive()
                .check(|v| api_token_check("api_token", v))
                .describe(
                    "Okta API token the provider authenticates with: the token alone (`00...`), without the `SSWS ` prefix the provider adds. Environment: `OKTA_API_TOKEN`. Never logged. Conflicts with `client_id`, `private_key` and `private_key_id`.",
                ),
        )
        .attr(
            Attribute::string("client_id")
                .optional()
                .check(|v| validate::credential("client_id", v))
                .describe(
                    "Client ID of the Okta API Services app the provider signs in as with OAuth 2.0 (`client_credentials` with a `private_key_jwt` assertion), instead of `api_token`. Environment: `OKTA_API_CLIENT_ID`. Needs `private_key`.",
                ),
        )
        .attr(
            Attribute::string("private_key")
                .optional()
                .sensitive()
                .describe(
                    "The service app's private key, PEM (RSA as PKCS#8 or PKCS#1, EC P-256 as PKCS#8 or SEC1), or the path of a file holding it. Its public key must be registered on the app. Environment: `OKTA_API_PRIVATE_KEY`. Never logged.",
                ),
        )
        .attr(
            Attribute::string("private_key_id")
                .optional()
                .check(|v| validate::credential("private_key_id", v))
                .describe(
                    "The `kid` (Key ID) of that public key on the app, sent in the client assertion. Environment: `OKTA_API_PRIVATE_KEY_ID`.",
                ),
        )
        .attr(
            Attribute::new("scopes", Type::Set(Box::new(Type::String)))
                .optional()
                .describe(
                    "OAuth scopes to request; each must be granted to the service app. Environment: `OKTA_API_SCOPES` (comma-separated). Default: what all resources and data sources of this provider need, `okta.apps.manage`, `okta.groups.read`, `okta.apiTokens.manage` and `okta.authorizationServers.manage`; list fewer if your configuration needs fewer (each resource's page names its scopes).",
                ),
        )
        .attr(Attribute::number("max_retries").optional().whole_number(0, Some(100)).describe(
            "How many times a request that failed with a rate limit (429), 502/503/504, a timeout or a reset connection is retried. Default 5.",
        ))
        .attr(Attribute::number("min_wait_seconds").optional().whole_number(0, Some(3600)).describe(
            "Shortest wait before a retry, in seconds. Default 1.",
        ))
        .attr(Attribute::number("max_wait_seconds").optional().whole_number(0, Some(3600)).describe(
            "Longest wait before a retry, in seconds; a rate-limit reset further away than this fails the request. Default 300.",
        ))
        .attr(Attribute::number("request_timeout").optional().whole_number(1, Some(3600)).describe(
            "Timeout of one HTTP request attempt, in seconds. Default 30.",
        ))
        .attr(Attribute::number("max_api_capacity").optional().whole_number(1, Some(100)).describe(
            "Percentage (1-100) of each Okta rate-limit bucket this provider may use, leaving the rest to other clients of the org. Default 100.",
        )),
    )
}

/// The provider configuration after environment defaults.
#[derive(Clone)]
pub struct ProviderSettings {
    /// `None` when not configured at all.
    pub org_url: Option<Url>,
    /// The settings `org_url` came from (`org_url`, `OKTA_ORG_URL`, `org_name and base_url`, ...).
    pub org_origin: Option<String>,
    /// Part of the configuration was unknown (it depends on resources not yet created).
    pub unknown: bool,
    pub api_token: Option<String>,
    /// The service app the provider signs in as (instead of `api_token`).
    pub oauth: Option<OAuthSettings>,
    pub max_retries: u32,
    pub min_wait_seconds: u64,
    pub max_wait_seconds: u64,
    pub request_timeout_seconds: u64,
    pub max_api_capacity: u8,
    /// Ready when the org URL and token are known.
    pub client: Option<OktaClient>,
}

impl std::fmt::Debug for ProviderSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderSettings")
            .field("org_url", &self.org_url.as_ref().map(Url::as_str))
            .field("unknown", &self.unknown)
            .field("api_token", &self.api_token.as_ref().map(|_| "(sensitive)"))
            .field("oauth", &self.oauth)
            .field("max_retries", &self.max_retries)
            .field("min_wait_seconds", &self.min_wait_seconds)
            .field("max_wait_seconds", &self.max_wait_seconds)
            .field("request_timeout_seconds", &self.request_timeout_seconds)
            .field("max_api_capacity", &self.max_api_capacity)
            .finish()
    }
}

impl ProviderSettings {
    /// The org URL without a trailing slash.
    pub fn org_base(&self) -> Option<String> {
        self.org_url.as_ref().map(validate::without_trailing_slash)
    }
}

/// The provider block's attributes. No `Debug`: it holds the API token.
#[derive(Default, Deserialize)]
pub struct ProviderConfig {
    org_url: Field<String>,
    org_name: Field<String>,
    base_url: Field<String>,
    api_token: Field<String>,
    client_id: Field<String>,
    private_key: Field<String>,
    private_key_id: Field<String>,
    scopes: Field<BTreeSet<String>>,
    max_retries: Field<u32>,
    min_wait_seconds: Field<u64>,
    max_wait_seconds: Field<u64>,
    request_timeout: Field<u64>,
    max_api_capacity: Field<u8>,
}

/// Checks what can be checked without the environment (known values only): the schema's checks,
/// then the configuration as a model. `None` when it does not fit the model; a value a check
/// already reported is not reported again.
pub fn validate(config: &Value, diags: &mut Diagnostics) -> Option<ProviderConfig> {
    let mut checked = Diagnostics::new();
    framework::run_checks(&schema().block, config, &mut checked);
    let clean = !checked.has_errors();
    diags.extend(checked);
    // No configuration at all (an empty request) reads as every attribute null.
    let model = match model::from_value::<Option<ProviderConfig>>(config) {
        Ok(model) => model.unwrap_or_default(),
        Err(e) => {
            if clean {
                e.report("Invalid provider configuration", diags);
            }
            return None;
        }
    };
    if !model.org_url.is_null() {
        for (attr, field) in [("org_name", &model.org_name), ("base_url", &model.base_url)] {
            if !field.is_null() {
                diags.attr_error(
                    AttrPath::root(attr),
                    "Conflicting org settings",
                    "Set either org_url, or org_name with base_url, not both.",
                );
            }
        }
    }
    if !model.api_token.is_null() {
        let oauth = [
            ("client_id", &model.client_id),
            ("private_key", &model.private_key),
            ("private_key_id", &model.private_key_id),
        ];
        if let Some((attr, _)) = oauth.iter().find(|(_, f)| !f.is_null()) {
            diags.attr_error(
                AttrPath::root(attr),
                "Conflicting credentials",
                BOTH_CREDENTIALS,
            );
        }
    }
    if let Field::Known(scopes) = &model.scopes {
        if scopes
            .iter()
            .any(|s| s.is_empty() || s.chars().any(char::is_whitespace))
        {
            diags.attr_error(
                AttrPath::root("scopes"),
                "Invalid scopes",
                "Each scope is one name such as okta.apps.manage, without spaces.",
            );
        }
    }
    Some(model)
}

const BOTH_CREDENTIALS: &str = "Set either api_token (an SSWS API token) or client_id with private_key (an OAuth 2.0 service app), not both.";

/// The key from PEM text or from the file `value` names. Errors never quote `value`: it may be
/// key material that is not PEM.
fn load_private_key(value: &str) -> Result<SigningKey, String> {
    let text = if value.contains("-----BEGIN") {
        value.to_owned()
    } else {
        std::fs::read_to_string(value.trim()).map_err(|e| {
            format!(
                "private_key is neither PEM text (-----BEGIN PRIVATE KEY-----) nor the path of a readable file ({}).",
                e.kind()
            )
        })?
    };
    SigningKey::from_pem(&text).map_err(|e| format!("{e}."))
}

/// Okta's own domains. The Admin Console of org `dev-1` is served on `dev-1-admin.<domain>`,
/// which does not serve the Management API.
const OKTA_DOMAINS: &[&str] = &[
    "okta.com",
    "oktapreview.com",
    "okta-emea.com",
    "okta-gov.com",
    "okta.mil",
];

fn org_name(name: &str) -> Result<(), String> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err("org_name is the first label of the org host (letters, digits and dashes), e.g. dev-123456.".into());
    }
    if let Some(org) = name.strip_suffix("-admin").filter(|o| !o.is_empty()) {
        return Err(format!(
            "\"{name}\" names the Admin Console (the -admin host); the org name is \"{org}\": drop -admin."
        ));
    }
    Ok(())
}

/// `base_url` is a domain name: what follows `org_name.` in the org's host.
fn base_url(raw: &str) -> Result<(), String> {
    if raw.contains("://") || raw.contains('/') {
        return Err(format!(
            "\"{raw}\" is a URL; base_url is only the domain after the org name, e.g. okta.com. \
             To give the whole URL, set org_url instead of org_name and base_url."
        ));
    }
    let domain = raw.strip_prefix('.').unwrap_or(raw);
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 || !labels.iter().all(|l| label_ok(l)) {
        return Err(format!(
            "\"{raw}\" is not a domain name; base_url is the domain after the org name: okta.com \
             (the default), oktapreview.com, okta-emea.com, okta-gov.com or okta.mil."
        ));
    }
    Ok(())
}

fn org_url(raw: &str) -> Result<Url, String> {
    let url = validate::absolute_url(raw, HttpRule::HttpsOrLoopback)?;
    if url.path() != "/" && !url.path().is_empty() {
        return Err(format!(
            "\"{raw}\" has a path; the org URL is just scheme and host, e.g. https://dev-123456.okta.com."
        ));
    }
    if let Some(org_host) = admin_host(&url) {
        return Err(format!(
            "\"{raw}\" is the Admin Console's host, which does not serve the Okta API; the org URL \
             is {}://{org_host}: drop -admin.",
            url.scheme()
        ));
    }
    Ok(url)
}

/// The org's own host when `url` is the Admin Console's (`<org>-admin.<Okta domain>`).
fn admin_host(url: &Url) -> Option<String> {
    let host = url.host_str()?.to_ascii_lowercase();
    let (first, domain) = host.split_once('.')?;
    let org = first.strip_suffix("-admin").filter(|o| !o.is_empty())?;
    OKTA_DOMAINS
        .contains(&domain)
        .then(|| format!("{org}.{domain}"))
}

/// An API token: a credential, without the `SSWS ` scheme the provider adds itself.
fn api_token_check(what: &str, token: &str) -> Result<(), String> {
    let scheme = token
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("SSWS"))
        && token[4..].starts_with(char::is_whitespace);
    if scheme {
        return Err(format!(
            "{what} starts with \"SSWS \": drop the SSWS prefix, the provider adds it. Set just the token (00...)."
        ));
    }
    validate::credential(what, token)
}

/// `OKTAIDP_READ_CACHE`: `off` (or `0`, `false`) makes every refresh read ask Okta; anything
/// else keeps the default sharing of refresh reads within the provider process.
fn read_cache_ttl(setting: Option<&str>) -> Option<std::time::Duration> {
    match setting.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
        Some("off" | "0" | "false" | "no") => None,
        _ => Some(crate::okta::config::DEFAULT_READ_CACHE_TTL),
    }
}

/// A setting's value and where it came from: its attribute in the block, or its environment
/// variable (named in messages, so the user knows which to fix).
type Picked = Option<(String, &'static str)>;

fn from_env(source: &str) -> bool {
    source.starts_with("OKTA_")
}

/// "`a`, `b` and `c`" for messages.
fn join_names(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The org URL from `org_name` and `base_url`, and the settings it came from. Block values were
/// checked by the schema; values from the environment are checked here.
fn url_from_name(
    name: Picked,
    base: Picked,
    unknown: bool,
    diags: &mut Diagnostics,
) -> Option<(String, String)> {
    let Some((name, name_src)) = name else {
        if let (Some((_, base_src)), false) = (&base, unknown) {
            diags.attr_error(
                AttrPath::root("base_url"),
                "Missing org_name",
                format!("{base_src} is the domain after the org name and needs org_name (or OKTA_ORG_NAME); or set org_url instead."),
            );
        }
        return None;
    };
    let mut ok = true;
    if from_env(name_src) {
        if let Err(e) = org_name(&name) {
            diags.attr_error(
                AttrPath::root("org_name"),
                "Invalid OKTA_ORG_NAME",
                format!("OKTA_ORG_NAME: {e}"),
            );
            ok = false;
        }
    }
    if let Some((base, base_src)) = base.as_ref().filter(|(_, src)| from_env(src)) {
        if let Err(e) = base_url(base) {
            diags.attr_error(
                AttrPath::root("base_url"),
                "Invalid OKTA_BASE_URL",
                format!("{base_src}: {e}"),
            );
            ok = false;
        }
    }
    if !ok {
        return None;
    }
    let (domain, origin) = match &base {
        Some((b, src)) => (
            b.trim_start_matches('.').to_owned(),
            join_names(&[name_src, src]),
        ),
        None => ("okta.com".to_owned(), name_src.to_owned()),
    };
    Some((format!("https://{name}.{domain}"), origin))
}

/// Resolves the configuration against the environment. A setting in the block always wins over
/// the environment (see the provider description); the org is one choice: `org_url` in the
/// block, else `org_name`/`base_url` in the block, else `OKTA_ORG_URL`, else `OKTA_ORG_NAME`.
/// Unknown values are not errors: Terraform configures providers during plan with whatever is
/// known.
pub fn resolve(
    config: &Value,
    env: &(dyn Fn(&str) -> Option<String> + Send + Sync),
    stop: &tokio_util::sync::CancellationToken,
    diags: &mut Diagnostics,
) -> ProviderSettings {
    // On errors the settings are discarded, so a configuration that does not fit is left out.
    let config = validate(config, diags).unwrap_or_default();
    let env_value = |key: &str| env(key).filter(|v| !v.trim().is_empty());
    // Set when part of the configuration is not known yet.
    let unknown = std::cell::Cell::new(false);
    let pick = |field: Field<String>, attr: &'static str, env_key: &'static str| -> Picked {
        match field {
            Field::Known(v) => Some((v, attr)),
            Field::Unknown => {
                unknown.set(true);
                None
            }
            Field::Null => env_value(env_key).map(|v| (v, env_key)),
        }
    };

    // The org. Settings of one kind in the block hide the environment's of the other kind.
    let block_org_url = !config.org_url.is_null();
    let block_org_name = !config.org_name.is_null() || !config.base_url.is_null();
    let org = if block_org_url {
        pick(config.org_url, "org_url", "OKTA_ORG_URL").map(|(t, src)| (t, src.to_owned()))
    } else if block_org_name {
        let name = pick(config.org_name, "org_name", "OKTA_ORG_NAME");
        let base = pick(config.base_url, "base_url", "OKTA_BASE_URL");
        url_from_name(name, base, unknown.get(), diags)
    } else if let Some(url) = env_value("OKTA_ORG_URL") {
        Some((url, "OKTA_ORG_URL".to_owned()))
    } else {
        let name = env_value("OKTA_ORG_NAME").map(|v| (v, "OKTA_ORG_NAME"));
        let base = env_value("OKTA_BASE_URL").map(|v| (v, "OKTA_BASE_URL"));
        url_from_name(name, base, unknown.get(), diags)
    };

    // Signing in: a credential of either kind in the block hides the environment's of the other.
    let block_token = !config.api_token.is_null();
    let block_oauth = !config.client_id.is_null()
        || !config.private_key.is_null()
        || !config.private_key_id.is_null();
    let api_token = match block_oauth && !block_token {
        true => None,
        false => pick(config.api_token, "api_token", "OKTA_API_TOKEN"),
    };
    let (client_id, private_key, private_key_id) = match block_token && !block_oauth {
        true => (None, None, None),
        false => (
            pick(config.client_id, "client_id", "OKTA_API_CLIENT_ID"),
            pick(config.private_key, "private_key", "OKTA_API_PRIVATE_KEY"),
            pick(
                config.private_key_id,
                "private_key_id",
                "OKTA_API_PRIVATE_KEY_ID",
            ),
        ),
    };
    let scopes = match config.scopes {
        Field::Known(set) => set.into_iter().collect(),
        Field::Unknown => {
            unknown.set(true);
            Vec::new()
        }
        Field::Null => env_value("OKTA_API_SCOPES")
            .map(|v| parse_scopes(&v))
            .unwrap_or_default(),
    };

    let org_url = org.and_then(|(text, origin)| match org_url(&text) {
        Ok(url) => Some((url, origin)),
        Err(e) => {
            // A block org_url was checked by the schema already.
            if origin != "org_url" {
                diags.attr_error(
                    AttrPath::root("org_url"),
                    "Invalid Okta org URL",
                    format!("{origin}: {e}"),
                );
            }
            None
        }
    });
    if let Some((token, src)) = &api_token {
        if from_env(src) {
            if let Err(e) = api_token_check(src, token) {
                diags.attr_error(AttrPath::root("api_token"), "Invalid OKTA_API_TOKEN", e);
            }
        }
    }
    // Both from the block is already reported by `validate`.
    if api_token.is_some() && client_id.is_some() && !(block_token && block_oauth) {
        diags.attr_error(
            AttrPath::root("client_id"),
            "Conflicting credentials",
            format!("{BOTH_CREDENTIALS} Both OKTA_API_TOKEN and OKTA_API_CLIENT_ID are set in the environment: unset one, or set the one to use in the provider block."),
        );
    }
    let oauth_names: Vec<&str> = [&client_id, &private_key, &private_key_id]
        .iter()
        .filter_map(|p| p.as_ref().map(|(_, src)| *src))
        .collect();
    let oauth = match (&client_id, private_key) {
        (Some((client_id, _)), Some((pem, _))) => match load_private_key(&pem) {
            Ok(key) => Some(OAuthSettings {
                client_id: client_id.clone(),
                key: Arc::new(key),
                key_id: private_key_id.map(|(v, _)| v),
                scopes: if scopes.is_empty() {
                    DEFAULT_SCOPES.iter().map(|s| (*s).to_owned()).collect()
                } else {
                    scopes
                },
            }),
            Err(e) => {
                diags.attr_error(AttrPath::root("private_key"), "Invalid private_key", e);
                None
            }
        },
        (Some(_), None) if !unknown.get() => {
            diags.attr_error(
                AttrPath::root("private_key"),
                "Missing private_key",
                "client_id signs in as an OAuth 2.0 service app and needs the app's private key: set private_key (PEM text or a file path) or OKTA_API_PRIVATE_KEY.",
            );
            None
        }
        (None, _) if block_oauth && !unknown.get() => {
            diags.attr_error(
                AttrPath::root("client_id"),
                "Missing client_id",
                "private_key and private_key_id belong to an OAuth 2.0 service app: set its client_id (or OKTA_API_CLIENT_ID) too, or sign in with api_token instead.",
            );
            None
        }
        _ => None,
    };
    let credentials_origin = match &api_token {
        Some((_, src)) => (*src).to_owned(),
        None => join_names(&oauth_names),
    };
    // Values out of range are already errors; clamped, they add no client setup error.
    let mut settings = ProviderSettings {
        org_url: org_url.as_ref().map(|(url, _)| url.clone()),
        org_origin: org_url.as_ref().map(|(_, origin)| origin.clone()),
        unknown: unknown.get(),
        api_token: api_token.map(|(v, _)| v),
        oauth,
        max_retries: config.max_retries.known().unwrap_or(5).min(100),
        min_wait_seconds: config.min_wait_seconds.known().unwrap_or(1).min(3600),
        max_wait_seconds: config.max_wait_seconds.known().unwrap_or(300).min(3600),
        request_timeout_seconds: config.request_timeout.known().unwrap_or(30).clamp(1, 3600),
        max_api_capacity: config.max_api_capacity.known().unwrap_or(100).clamp(1, 100),
        client: None,
    };
    let conflict = settings.api_token.is_some() && client_id.is_some();
    let credentials = match (&settings.api_token, &settings.oauth) {
        _ if conflict => None,
        (Some(token), None) => Some(Credentials::ApiToken(token.clone().into())),
        (None, Some(oauth)) => Some(Credentials::OAuth(oauth.clone())),
        _ => None,
    };
    if let (Some((url, org_origin)), Some(credentials)) = (&org_url, credentials) {
        let client_config = ClientConfig {
            max_retries: settings.max_retries,
            min_wait_seconds: settings.min_wait_seconds,
            max_wait_seconds: settings.max_wait_seconds.max(settings.min_wait_seconds),
            request_timeout: std::time::Duration::from_secs(settings.request_timeout_seconds),
            max_api_capacity: settings.max_api_capacity,
            read_cache_ttl: read_cache_ttl(env_value("OKTAIDP_READ_CACHE").as_deref()),
            ..ClientConfig::default()
        };
        let origin = Origin {
            org: org_origin.clone(),
            credentials: credentials_origin,
        };
        match OktaClient::builder_with(url.clone(), credentials)
            .config(client_config)
            .cancellation(stop.clone())
            .origin(origin)
            .build()
        {
            Ok(client) => settings.client = Some(client),
            Err(e) => diags.error("Cannot set up the Okta client", e.to_string()),
        }
    }
    settings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_cache_can_be_switched_off_by_environment() {
        let on = Some(crate::okta::config::DEFAULT_READ_CACHE_TTL);
        assert_eq!(read_cache_ttl(None), on);
        assert_eq!(read_cache_ttl(Some("on")), on);
        for off in ["off", "OFF", " 0 ", "false"] {
            assert_eq!(read_cache_ttl(Some(off)), None, "{off}");
        }
    }

    fn config(pairs: &[(&str, Value)]) -> Value {
        let ty = schema().implied_type();
        let crate::tfplugin::value::Type::Object(attrs) = ty else {
            panic!("object")
        };
        Value::object(attrs.keys().map(|k| {
            let v = pairs
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .unwrap_or(Value::Null);
            (k.clone(), v)
        }))
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn org_url_from_config_or_env_or_name() {
        let mut d = Diagnostics::new();
        let s = resolve(
            &config(&[("org_url", Value::string("https://dev-1.okta.com/"))]),
            &no_env,
            &tokio_util::sync::CancellationToken::new(),
            &mut d,
        );
        assert_eq!(s.org_base().as_deref(), Some("https://dev-1.okta.com"));
        let env = |k: &str| (k == "OKTA_ORG_NAME").then(|| "dev-2".to_string());
        let s = resolve(
            &config(&[]),
            &env,
            &tokio_util::sync::CancellationToken::new(),
            &mut d,
        );
        assert_eq!(s.org_base().as_deref(), Some("https://dev-2.okta.com"));
        let s = resolve(
            &config(&[
                ("org_name", Value::string("acme")),
                ("base_url", Value::string("oktapreview.com")),
            ]),
            &no_env,
            &tokio_util::sync::CancellationToken::new(),
            &mut d,
        );
        assert_eq!(
            s.org_base().as_deref(),
            Some("https://acme.oktapreview.com")
        );
        let env = |k: &str| (k == "OKTA_ORG_URL").then(|| "http://127.0.0.1:8089".to_string());
        let s = resolve(
            &config(&[]),
            &env,
            &tokio_util::sync::CancellationToken::new(),
            &mut d,
        );
        assert_eq!(s.org_base().as_deref(), Some("http://127.0.0.1:8089"));
        assert!(d.is_empty(), "{d:?}");
    }

    #[test]
    fn unknown_config_is_not_an_error() {
        let mut d = Diagnostics::new();
        let s = resolve(
            &config(&[("org_url", Value::Unknown)]),
            &no_env,
            &tokio_util::sync::CancellationToken::new(),
            &mut d,
        );
        assert!(s.unknown);
        assert!(s.org_url.is_none());
        assert!(!d.has_errors());
    }

    #[test]
    fn bad_values_point_at_their_attribute() {
        let mut d = Diagnostics::new();
        validate(
            &config(&[
                ("org_url", Value::string("http://dev-1.okta.com")),
                ("org_name", Value::string("x")),
                ("api_token", Value::string("tok en")),
                (
                    "max_api_capacity",
                    Value::Number(crate::tfplugin::value::Number::from_i64(0)),
                ),
            ]),
            &mut d,
        );
        let paths: Vec<String> = d
            .iter()
            .filter_map(|x| x.path.as_ref().map(ToString::to_string))
            .collect();
        assert_eq!(
            paths,
            vec!["org_url", "api_token", "max_api_capacity", "org_name"]
        );
        assert!(d.iter().all(|x| !x.detail.contains("tok en")));
    }

    #[test]
    fn absent_configuration_reads_as_all_null() {
        let mut d = Diagnostics::new();
        assert!(validate(&Value::Null, &mut d).is_some());
        assert!(d.is_empty(), "{d:?}");
    }

    #[test]
    fn debug_output_hides_the_token() {
        let mut d = Diagnostics::new();
        let s = resolve(
            &config(&[("api_token", Value::string("00SECRETVALUE"))]),
            &no_env,
            &tokio_util::sync::CancellationToken::new(),
            &mut d,
        );
        assert!(!format!("{s:?}").contains("00SECRETVALUE"));
    }

    fn resolve_with(
        pairs: &[(&str, Value)],
        env: &(dyn Fn(&str) -> Option<String> + Send + Sync),
    ) -> (ProviderSettings, Diagnostics) {
        let mut d = Diagnostics::new();
        let s = resolve(
            &config(pairs),
            env,
            &tokio_util::sync::CancellationToken::new(),
            &mut d,
        );
        (s, d)
    }

    fn url() -> (&'static str, Value) {
        ("org_url", Value::string("https://dev-1.okta.com"))
    }

    #[test]
    fn oauth_from_block_from_env_and_from_a_key_file() {
        let pem = crate::okta::testing::ec_pkcs8_pem();
        let (s, d) = resolve_with(
            &[
                url(),
                ("client_id", Value::string("0oaSVC")),
                ("private_key", Value::string(&pem)),
                ("private_key_id", Value::string("kid-1")),
            ],
            &no_env,
        );
        assert!(d.is_empty(), "{d:?}");
        let oauth = s.oauth.as_ref().unwrap();
        assert_eq!(oauth.client_id, "0oaSVC");
        assert_eq!(oauth.key_id.as_deref(), Some("kid-1"));
        assert_eq!(oauth.scopes, DEFAULT_SCOPES);
        assert!(s.client.as_ref().unwrap().token_source().is_some());
        assert!(
            !format!("{s:?}").contains(&pem[30..60]),
            "no key material in Debug"
        );

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key.pem");
        std::fs::write(&path, &pem).unwrap();
        let path = path.to_string_lossy().into_owned();
        let env = move |k: &str| match k {
            "OKTA_API_CLIENT_ID" => Some("0oaENV".to_owned()),
            "OKTA_API_PRIVATE_KEY" => Some(path.clone()),
            "OKTA_API_SCOPES" => Some("okta.apps.manage, okta.groups.read".to_owned()),
            // Ignored: the block sets no api_token, and the env sets client_id... see below.
            _ => None,
        };
        let (s, d) = resolve_with(&[url()], &env);
        assert!(d.is_empty(), "{d:?}");
        let oauth = s.oauth.unwrap();
        assert_eq!(oauth.client_id, "0oaENV");
        assert_eq!(oauth.scopes, vec!["okta.apps.manage", "okta.groups.read"]);
        assert!(s.api_token.is_none());
    }

    #[test]
    fn exactly_one_way_to_sign_in() {
        // Both in the block: an error at validation, on client_id.
        let mut d = Diagnostics::new();
        validate(
            &config(&[
                ("api_token", Value::string("00tok")),
                ("client_id", Value::string("0oaSVC")),
            ]),
            &mut d,
        );
        assert!(d.has_errors());
        assert!(d.iter().any(|x| x.summary == "Conflicting credentials"
            && x.path.as_ref().map(ToString::to_string).as_deref() == Some("client_id")));
        // Both in the environment: an error naming both variables.
        let env = |k: &str| match k {
            "OKTA_API_TOKEN" => Some("00tok".to_owned()),
            "OKTA_API_CLIENT_ID" => Some("0oaSVC".to_owned()),
            _ => None,
        };
        let (s, d) = resolve_with(&[url()], &env);
        assert!(s.client.is_none());
        assert!(d
            .iter()
            .any(|x| x.detail.contains("OKTA_API_TOKEN and OKTA_API_CLIENT_ID")));
        assert!(d.iter().all(|x| !x.detail.contains("00tok")));
        // One in the block wins over the other in the environment.
        let (s, d) = resolve_with(&[url(), ("api_token", Value::string("00blk"))], &env);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(s.api_token.as_deref(), Some("00blk"));
        assert!(s.oauth.is_none());
        // Neither: no client, and using one says how to configure either way.
        let (s, d) = resolve_with(&[url()], &no_env);
        assert!(d.is_empty() && s.client.is_none());
        let provider = crate::provider::OktaIdpProvider::with_env(no_env);
        *provider.data().settings.write() = Some(std::sync::Arc::new(s));
        let mut d = Diagnostics::new();
        assert!(provider.data().client(&mut d).is_none());
        let detail = &d.iter().next().unwrap().detail;
        assert!(
            detail.contains("api_token") && detail.contains("client_id"),
            "{detail}"
        );
    }

    #[test]
    fn key_errors_are_clear_and_quote_nothing() {
        let (s, d) = resolve_with(&[url(), ("client_id", Value::string("0oaSVC"))], &no_env);
        assert!(s.client.is_none());
        assert!(d.iter().any(|x| x.summary == "Missing private_key"));
        for bad in [
            "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7SECRETSECRET",
            "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANSECRETSECRET\n-----END PRIVATE KEY-----\n",
        ] {
            let (s, d) = resolve_with(
                &[
                    url(),
                    ("client_id", Value::string("0oaSVC")),
                    ("private_key", Value::string(bad)),
                ],
                &no_env,
            );
            assert!(s.client.is_none());
            let x = d
                .iter()
                .find(|x| x.summary == "Invalid private_key")
                .unwrap();
            assert!(!x.detail.contains("SECRET"), "{}", x.detail);
            assert!(x.detail.contains("private_key"), "{}", x.detail);
        }
    }

    /// Every environment variable set, each to a value that differs from the block's.
    fn full_env(pem: String) -> impl Fn(&str) -> Option<String> + Send + Sync {
        move |k: &str| {
            Some(match k {
                "OKTA_ORG_URL" => "https://env-url.okta.com".to_owned(),
                "OKTA_ORG_NAME" => "env-name".to_owned(),
                "OKTA_BASE_URL" => "oktapreview.com".to_owned(),
                "OKTA_API_TOKEN" => "00envToken".to_owned(),
                "OKTA_API_CLIENT_ID" => "0oaENV".to_owned(),
                "OKTA_API_PRIVATE_KEY" => pem.clone(),
                "OKTA_API_PRIVATE_KEY_ID" => "kid-env".to_owned(),
                "OKTA_API_SCOPES" => "okta.groups.read".to_owned(),
                _ => return None,
            })
        }
    }

    fn origin(s: &ProviderSettings) -> crate::okta::Origin {
        s.client.as_ref().expect("client").origin().clone()
    }

    /// #20 item 6: the org named in the block is the org used, whatever the environment says.
    #[test]
    fn the_block_wins_over_the_environment_for_the_org() {
        let pem = crate::okta::testing::ec_pkcs8_pem();
        let token = ("api_token", Value::string("00blockToken"));
        // (block settings, org URL used, the settings it came from)
        type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
        let cases: &[Case] = &[
            (
                &[("org_url", "https://blk.okta.com")],
                "https://blk.okta.com",
                "org_url",
            ),
            (
                &[("org_name", "blk")],
                "https://blk.oktapreview.com",
                "org_name and OKTA_BASE_URL",
            ),
            (
                &[("org_name", "blk"), ("base_url", "okta-emea.com")],
                "https://blk.okta-emea.com",
                "org_name and base_url",
            ),
            (
                &[("base_url", "okta-emea.com")],
                "https://env-name.okta-emea.com",
                "OKTA_ORG_NAME and base_url",
            ),
            (&[], "https://env-url.okta.com", "OKTA_ORG_URL"),
        ];
        for (block, want, from) in cases {
            let mut pairs: Vec<(&str, Value)> =
                block.iter().map(|(k, v)| (*k, Value::string(*v))).collect();
            pairs.push(token.clone());
            let (s, d) = resolve_with(&pairs, &full_env(pem.clone()));
            assert!(d.is_empty(), "{block:?}: {d:?}");
            assert_eq!(s.org_base().as_deref(), Some(*want), "{block:?}");
            assert_eq!(origin(&s).org, *from, "{block:?}");
            assert_eq!(s.org_origin.as_deref(), Some(*from));
        }
        // Without OKTA_ORG_URL, the environment's name and domain.
        let env = |k: &str| match k {
            "OKTA_ORG_NAME" => Some("env-name".to_owned()),
            "OKTA_BASE_URL" => Some("okta-emea.com".to_owned()),
            _ => None,
        };
        let (s, d) = resolve_with(std::slice::from_ref(&token), &env);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(
            s.org_base().as_deref(),
            Some("https://env-name.okta-emea.com")
        );
        // base_url in the block without any org name: an error, not OKTA_ORG_URL.
        let env = |k: &str| (k == "OKTA_ORG_URL").then(|| "https://env-url.okta.com".to_owned());
        let (s, d) = resolve_with(&[token, ("base_url", Value::string("okta.com"))], &env);
        assert!(s.client.is_none() && s.org_url.is_none());
        let x = d
            .iter()
            .find(|x| x.summary == "Missing org_name")
            .expect("error");
        assert_eq!(
            x.path.as_ref().map(ToString::to_string).as_deref(),
            Some("base_url")
        );
    }

    /// #20 item 6: credentials written in the block are the ones used.
    #[test]
    fn the_block_wins_over_the_environment_for_credentials() {
        let pem = crate::okta::testing::ec_pkcs8_pem();
        let env = full_env(pem.clone());
        // api_token in the block: none of OKTA_API_* is used.
        let (s, d) = resolve_with(&[url(), ("api_token", Value::string("00blockToken"))], &env);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(s.api_token.as_deref(), Some("00blockToken"));
        assert!(s.oauth.is_none());
        assert_eq!(origin(&s).credentials, "api_token");
        // client_id and private_key in the block: OKTA_API_TOKEN is ignored; the key id and the
        // scopes the block leaves out come from the environment.
        let (s, d) = resolve_with(
            &[
                url(),
                ("client_id", Value::string("0oaBLK")),
                ("private_key", Value::string(&pem)),
            ],
            &env,
        );
        assert!(d.is_empty(), "{d:?}");
        assert!(s.api_token.is_none());
        let oauth = s.oauth.clone().unwrap();
        assert_eq!(oauth.client_id, "0oaBLK");
        assert_eq!(oauth.key_id.as_deref(), Some("kid-env"));
        assert_eq!(oauth.scopes, vec!["okta.groups.read"]);
        assert_eq!(
            origin(&s).credentials,
            "client_id, private_key and OKTA_API_PRIVATE_KEY_ID"
        );
        // Only private_key_id and scopes in the block: still the OAuth app, with the block's values.
        let scopes = Value::set([Value::string("okta.apps.manage")]);
        let (s, d) = resolve_with(
            &[
                url(),
                ("private_key_id", Value::string("kid-blk")),
                ("scopes", scopes),
            ],
            &env,
        );
        assert!(d.is_empty(), "{d:?}");
        assert!(s.api_token.is_none());
        let oauth = s.oauth.unwrap();
        assert_eq!(
            (oauth.client_id.as_str(), oauth.key_id.as_deref()),
            ("0oaENV", Some("kid-blk"))
        );
        assert_eq!(oauth.scopes, vec!["okta.apps.manage"]);
        // Nothing in the block: the environment, naming the variable.
        let env = |k: &str| (k == "OKTA_API_TOKEN").then(|| "00envToken".to_owned());
        let (s, d) = resolve_with(&[url()], &env);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(origin(&s).credentials, "OKTA_API_TOKEN");
        // A private key in the block without any client ID: an error, not OKTA_API_TOKEN.
        let (s, d) = resolve_with(&[url(), ("private_key", Value::string(&pem))], &env);
        assert!(s.client.is_none());
        assert!(d.iter().any(|x| x.summary == "Missing client_id"), "{d:?}");
        // Both kinds in the block: an error at the OAuth attribute.
        let mut d = Diagnostics::new();
        validate(
            &config(&[
                ("api_token", Value::string("00t")),
                ("private_key_id", Value::string("k")),
            ]),
            &mut d,
        );
        assert!(d.iter().any(|x| x.summary == "Conflicting credentials"
            && x.path.as_ref().map(ToString::to_string).as_deref() == Some("private_key_id")));
    }

    /// #20 item 7: the Admin Console's host is refused at org_url, with the host to use.
    #[test]
    fn the_admin_console_host_is_refused() {
        for (admin, org) in [
            ("https://dev-123-admin.okta.com", "https://dev-123.okta.com"),
            (
                "https://acme-admin.oktapreview.com/",
                "https://acme.oktapreview.com",
            ),
            (
                "https://acme-admin.okta-emea.com",
                "https://acme.okta-emea.com",
            ),
            (
                "https://ACME-admin.okta-gov.com",
                "https://acme.okta-gov.com",
            ),
        ] {
            let e = org_url(admin).unwrap_err();
            assert!(e.contains(org) && e.contains("drop -admin"), "{e}");
            let mut d = Diagnostics::new();
            validate(&config(&[("org_url", Value::string(admin))]), &mut d);
            assert_eq!(
                d.iter()
                    .next()
                    .and_then(|x| x.path.as_ref())
                    .map(ToString::to_string)
                    .as_deref(),
                Some("org_url")
            );
        }
        // A custom domain may well have -admin in its name; the org's own hosts are fine.
        for ok in [
            "https://sso-admin.example.com",
            "https://dev-123.okta.com",
            "https://admin.okta.com",
        ] {
            assert!(org_url(ok).is_ok(), "{ok}");
        }
        let e = org_name("dev-123-admin").unwrap_err();
        assert!(
            e.contains("\"dev-123\"") && e.contains("drop -admin"),
            "{e}"
        );
        // From the environment, the error names the variable.
        let env = |k: &str| match k {
            "OKTA_ORG_URL" => Some("https://dev-9-admin.okta.com".to_owned()),
            "OKTA_API_TOKEN" => Some("00t".to_owned()),
            _ => None,
        };
        let (s, d) = resolve_with(&[], &env);
        assert!(s.client.is_none());
        let x = d.iter().next().expect("error");
        assert!(
            x.detail.starts_with("OKTA_ORG_URL: ") && x.detail.contains("https://dev-9.okta.com"),
            "{}",
            x.detail
        );
    }

    /// #20 item 9: base_url is a domain name; a URL is refused with what to write instead.
    #[test]
    fn base_url_is_a_domain_name() {
        for ok in [
            "okta.com",
            "oktapreview.com",
            "okta-emea.com",
            "okta-gov.com",
            "okta.mil",
            ".okta.com",
            "okta.example.org",
        ] {
            assert!(base_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "https://okta.com",
            "okta.com/",
            "okta",
            "okta..com",
            "-okta.com",
            "okta com",
            "",
        ] {
            let e = base_url(bad).unwrap_err();
            assert!(e.contains("okta.com"), "{bad}: {e}");
        }
        let mut d = Diagnostics::new();
        validate(
            &config(&[
                ("org_name", Value::string("acme")),
                ("base_url", Value::string("https://oktapreview.com")),
            ]),
            &mut d,
        );
        assert_eq!(
            d.iter()
                .next()
                .and_then(|x| x.path.as_ref())
                .map(ToString::to_string)
                .as_deref(),
            Some("base_url")
        );
        let env = |k: &str| match k {
            "OKTA_ORG_NAME" => Some("acme".to_owned()),
            "OKTA_BASE_URL" => Some("https://okta.com".to_owned()),
            _ => None,
        };
        let (s, d) = resolve_with(&[], &env);
        assert!(s.org_url.is_none());
        assert!(
            d.iter().any(|x| x.summary == "Invalid OKTA_BASE_URL"),
            "{d:?}"
        );
    }

    /// #20 item 9: an API token pasted with its `SSWS ` scheme says to drop it, before any call.
    #[test]
    fn an_ssws_prefix_is_named() {
        for bad in ["SSWS 00abcSECRET", "ssws\t00abcSECRET"] {
            let mut d = Diagnostics::new();
            validate(&config(&[url(), ("api_token", Value::string(bad))]), &mut d);
            let x = d.iter().next().expect("error");
            assert_eq!(
                x.path.as_ref().map(ToString::to_string).as_deref(),
                Some("api_token")
            );
            assert!(
                x.detail.contains("drop the SSWS prefix") && !x.detail.contains("SECRET"),
                "{}",
                x.detail
            );
        }
        assert!(
            api_token_check("api_token", "SSWSabc").is_ok(),
            "a token may start with those letters"
        );
        let env = |k: &str| (k == "OKTA_API_TOKEN").then(|| "SSWS 00abcSECRET".to_owned());
        let (s, d) = resolve_with(&[url()], &env);
        assert!(s.client.is_some() || d.has_errors());
        let x = d
            .iter()
            .find(|x| x.summary == "Invalid OKTA_API_TOKEN")
            .expect("error");
        assert!(
            x.detail.starts_with("OKTA_API_TOKEN starts with") && !x.detail.contains("SECRET"),
            "{}",
            x.detail
        );
    }

    /// #20 item 7: a host that does not resolve fails at once (no six attempts over ~33 s), and
    /// the error names the host and the setting it came from.
    #[tokio::test]
    async fn an_unresolvable_org_host_is_not_retried_and_names_its_setting() {
        for (pairs, env_url, from) in [
            (vec![url_of("https://dev-1.okta.invalid")], None, "org_url"),
            (vec![], Some("https://dev-1.okta.invalid"), "OKTA_ORG_URL"),
        ] {
            let env = move |k: &str| match k {
                "OKTA_ORG_URL" => env_url.map(str::to_owned),
                "OKTA_API_TOKEN" => Some("00t".to_owned()),
                _ => None,
            };
            let (s, d) = resolve_with(&pairs, &env);
            assert!(d.is_empty(), "{d:?}");
            let e = s.client.unwrap().groups().list(None).await.unwrap_err();
            assert_unresolved_once(&e, "dev-1.okta.invalid", from);
        }
    }

    /// One attempt (not retried), and the error names the host and the setting to check.
    fn assert_unresolved_once(e: &crate::okta::OktaError, host: &str, from: &str) {
        let crate::okta::OktaError::Transport(t) = e else {
            panic!("{e}")
        };
        assert_eq!(
            (t.kind, t.attempts),
            (crate::okta::TransportKind::Resolve, 1)
        );
        let text = e.to_string();
        assert!(
            text.contains(host) && text.contains(&format!("Check {from}:")),
            "{text}"
        );
    }

    /// The same when signing in as a service app: the token request is the first call.
    #[tokio::test]
    async fn an_unresolvable_org_host_fails_the_token_request_at_once() {
        let pem = crate::okta::testing::ec_pkcs8_pem();
        let env = move |k: &str| match k {
            "OKTA_ORG_URL" => Some("https://dev-2.okta.invalid".to_owned()),
            "OKTA_API_CLIENT_ID" => Some("0oaSVC".to_owned()),
            "OKTA_API_PRIVATE_KEY" => Some(pem.clone()),
            _ => None,
        };
        let (s, d) = resolve_with(&[], &env);
        assert!(d.is_empty(), "{d:?}");
        let e = s.client.unwrap().groups().list(None).await.unwrap_err();
        assert_unresolved_once(&e, "dev-2.okta.invalid", "OKTA_ORG_URL");
    }

    fn url_of(u: &str) -> (&'static str, Value) {
        ("org_url", Value::string(u))
    }

    /// #20 item 9: a 401 to the provider's own credentials names the setting that holds them.
    #[tokio::test]
    async fn a_refused_token_names_its_setting() {
        let emu = okta_emulator::spawn(
            okta_emulator::EmulatorConfig::ephemeral().with_api_token("00theRightToken"),
        )
        .await
        .expect("emulator");
        let base = emu.base_url().to_owned();
        for (pairs, env_token, from) in [
            (
                vec![("api_token", Value::string("00aWrongToken"))],
                None,
                "check api_token",
            ),
            (vec![], Some("00aWrongToken"), "check OKTA_API_TOKEN"),
        ] {
            let base = base.clone();
            let env = move |k: &str| match k {
                "OKTA_ORG_URL" => Some(base.clone()),
                "OKTA_API_TOKEN" => env_token.map(str::to_owned),
                _ => None,
            };
            let (s, d) = resolve_with(&pairs, &env);
            assert!(d.is_empty(), "{d:?}");
            let e = s.client.unwrap().groups().list(None).await.unwrap_err();
            assert!(e.is_unauthorized(), "{e}");
            let text = e.to_string();
            assert!(
                text.contains(from) && text.contains("OKTA_ORG_URL"),
                "{text}"
            );
            assert!(!text.contains("00aWrongToken"), "{text}");
        }
    }
}
