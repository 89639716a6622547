//! The provider block: where the Okta org is, the API token, and how hard to retry.

use serde::Deserialize;
use url::Url;

use crate::okta::{ClientConfig, OktaClient};

use super::validate::{self, HttpRule};
use crate::tfplugin::diag::{AttrPath, Diagnostics};
use crate::tfplugin::framework;
use crate::tfplugin::model::{self, Field};
use crate::tfplugin::schema::{Attribute, Block, Schema};
use crate::tfplugin::value::Value;

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
             `OKTA_API_TOKEN`), plus `OKTA_ORG_URL`, so existing CI secrets keep working.\n\n\
             **Rate limits.** The provider reads Okta's `X-Rate-Limit-*` headers on every response and \
             paces itself per rate-limit bucket, so large applies at `-parallelism=10` do not run into \
             429s; a 429 that happens anyway (another client of the org) waits until the bucket resets. \
             `max_api_capacity` leaves part of each bucket to other clients. 502/503/504, timeouts and \
             dropped connections are retried with exponential backoff for requests that are safe to repeat.\n\n\
             **Testing without an org.** `okta-emulator`, shipped with the provider, is a local Okta \
             Management API: point `org_url` at it (`http://127.0.0.1:8089`; plain http is accepted for \
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
             | write-only `token_wo` on `oktaidp_api_token` | 1.11 | 1.11 |",
        )
        .attr(Attribute::string("org_url").optional().check(|raw| org_url(raw).map(drop)).describe(
            "Okta org URL, for example `https://dev-123456.okta.com`. Environment: `OKTA_ORG_URL`. \
             Must be https, except for loopback hosts (for `okta-emulator`, e.g. `http://127.0.0.1:8089`). \
             Conflicts with `org_name`.",
        ))
        .attr(Attribute::string("org_name").optional().check(org_name).describe(
            "Okta org name, the first label of the org URL (`dev-123456`); used with `base_url` when `org_url` is not set. \
             Environment: `OKTA_ORG_NAME`.",
        ))
        .attr(Attribute::string("base_url").optional().describe(
            "Okta domain used with `org_name`: `okta.com` (default), `oktapreview.com` or `okta-emea.com`. Environment: `OKTA_BASE_URL`.",
        ))
        .attr(
            Attribute::string("api_token")
                .optional()
                .sensitive()
                .check(|v| validate::credential("api_token", v))
                .describe(
                    "Okta API token (SSWS) the provider authenticates with. Environment: `OKTA_API_TOKEN`. Never logged.",
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
    /// Part of the configuration was unknown (it depends on resources not yet created).
    pub unknown: bool,
    pub api_token: Option<String>,
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
    if !model.org_url.is_null() && !model.org_name.is_null() {
        diags.attr_error(
            AttrPath::root("org_name"),
            "Conflicting org settings",
            "Set either org_url, or org_name with base_url, not both.",
        );
    }
    Some(model)
}

fn org_name(name: &str) -> Result<(), String> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err("org_name is the first label of the org host (letters, digits and dashes), e.g. dev-123456.".into());
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
    Ok(url)
}

/// Resolves the configuration against the environment. Unknown values are not errors: Terraform
/// configures providers during plan with whatever is known.
/// `OKTAIDP_READ_CACHE`: `off` (or `0`, `false`) makes every refresh read ask Okta; anything
/// else keeps the default sharing of refresh reads within the provider process.
fn read_cache_ttl(setting: Option<&str>) -> Option<std::time::Duration> {
    match setting.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
        Some("off" | "0" | "false" | "no") => None,
        _ => Some(crate::okta::config::DEFAULT_READ_CACHE_TTL),
    }
}

pub fn resolve(
    config: &Value,
    env: &(dyn Fn(&str) -> Option<String> + Send + Sync),
    stop: &tokio_util::sync::CancellationToken,
    diags: &mut Diagnostics,
) -> ProviderSettings {
    // On errors the settings are discarded, so a configuration that does not fit is left out.
    let config = validate(config, diags).unwrap_or_default();
    let env_value = |key: &str| env(key).filter(|v| !v.trim().is_empty());
    let mut unknown = false;
    let mut pick = |field: Field<String>, env_key: &str| -> Option<String> {
        match field {
            Field::Known(v) => Some(v),
            Field::Unknown => {
                unknown = true;
                None
            }
            Field::Null => env_value(env_key),
        }
    };
    let url_text = pick(config.org_url, "OKTA_ORG_URL");
    let org_name = pick(config.org_name, "OKTA_ORG_NAME");
    let base_url = pick(config.base_url, "OKTA_BASE_URL");
    let api_token = pick(config.api_token, "OKTA_API_TOKEN");

    let url_text = url_text.or_else(|| {
        org_name.map(|name| {
            let base = base_url.unwrap_or_else(|| "okta.com".to_string());
            format!("https://{name}.{}", base.trim_start_matches('.'))
        })
    });
    let org_url = match url_text {
        Some(text) => match org_url(&text) {
            Ok(url) => Some(url),
            Err(e) => {
                diags.attr_error(AttrPath::root("org_url"), "Invalid Okta org URL", e);
                None
            }
        },
        None => None,
    };
    if let Some(token) = &api_token {
        if let Err(e) = validate::credential("The API token", token) {
            diags.attr_error(AttrPath::root("api_token"), "Invalid api_token", e);
        }
    }
    // Values out of range are already errors; clamped, they add no client setup error.
    let mut settings = ProviderSettings {
        org_url,
        unknown,
        api_token,
        max_retries: config.max_retries.known().unwrap_or(5).min(100),
        min_wait_seconds: config.min_wait_seconds.known().unwrap_or(1).min(3600),
        max_wait_seconds: config.max_wait_seconds.known().unwrap_or(300).min(3600),
        request_timeout_seconds: config.request_timeout.known().unwrap_or(30).clamp(1, 3600),
        max_api_capacity: config.max_api_capacity.known().unwrap_or(100).clamp(1, 100),
        client: None,
    };
    if let (Some(url), Some(token)) = (&settings.org_url, &settings.api_token) {
        let client_config = ClientConfig {
            max_retries: settings.max_retries,
            min_wait_seconds: settings.min_wait_seconds,
            max_wait_seconds: settings.max_wait_seconds.max(settings.min_wait_seconds),
            request_timeout: std::time::Duration::from_secs(settings.request_timeout_seconds),
            max_api_capacity: settings.max_api_capacity,
            read_cache_ttl: read_cache_ttl(env_value("OKTAIDP_READ_CACHE").as_deref()),
            ..ClientConfig::default()
        };
        match OktaClient::builder(url.clone(), token.clone())
            .config(client_config)
            .cancellation(stop.clone())
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
}
