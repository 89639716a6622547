//! Test helpers shared by the provider's modules: values of a schema, diagnostics and apply
//! requests for driving a resource by hand, and an Okta org emulated in process (`Org`) with a
//! provider configured against it.

use std::sync::Arc;

use serde_json::json;

use crate::okta::{OidcApp, OktaClient};
use crate::provider::{OktaIdpProvider, ProviderData};
use crate::tfplugin::diag::Diagnostics;
use crate::tfplugin::framework::{ApplyRequest, Provider};
use crate::tfplugin::schema::Schema;
use crate::tfplugin::value::{Type, Value};
use okta_emulator::{EmulatorConfig, RunningEmulator};

/// An OIDC app with the given `settings.oauthClient` and an admin note to keep.
pub fn app(oauth: serde_json::Value) -> OidcApp {
    serde_json::from_value(json!({
        "id": "0oaAPP",
        "name": "oidc_client",
        "label": "shared",
        "signOnMode": "OPENID_CONNECT",
        "settings": {"notes": {"admin": "keep me"}, "oauthClient": oauth},
    }))
    .expect("app json")
}

/// An object of `schema`'s type: the given attributes, every other one null.
pub fn object(schema: &Schema, pairs: &[(&str, Value)]) -> Value {
    let Type::Object(attrs) = schema.implied_type() else {
        panic!("object")
    };
    Value::object(attrs.keys().map(|k| {
        let v = pairs
            .iter()
            .find(|(n, _)| n == k)
            .map_or(Value::Null, |(_, v)| v.clone());
        (k.clone(), v)
    }))
}

pub fn error_paths(d: &Diagnostics) -> Vec<String> {
    d.iter()
        .filter_map(|x| x.path.as_ref().map(ToString::to_string))
        .collect()
}

/// A create (`prior` null) or update whose configuration is the plan.
pub fn apply_request<'a>(prior: &'a Value, planned: &'a Value) -> ApplyRequest<'a> {
    ApplyRequest {
        prior,
        planned,
        config: planned,
        private: &[],
    }
}

const TOKEN: &str = "00emulatorTokenForResourceTests";

/// A configured provider's data: no waiting between retries (the tests inject conflicts),
/// then `settings`.
async fn provider_data(base: &str, settings: &[(&str, Value)]) -> Arc<ProviderData> {
    let base = base.to_string();
    let provider = OktaIdpProvider::with_env(move |k| match k {
        "OKTA_ORG_URL" => Some(base.clone()),
        "OKTA_API_TOKEN" => Some(TOKEN.to_string()),
        _ => None,
    });
    let mut config = Value::null_object(&provider.schema().implied_type());
    let defaults = [("min_wait_seconds", Value::number(0))];
    for (key, value) in defaults.iter().chain(settings) {
        if let Some(v) = config.get_mut(key) {
            *v = value.clone();
        }
    }
    let mut d = Diagnostics::new();
    provider.configure(&config, &mut d).await;
    assert!(!d.has_errors(), "{d:?}");
    Arc::clone(provider.data())
}

/// An emulated Okta org, with a provider configured against it and a client of its own.
pub struct Org {
    pub emu: RunningEmulator,
    pub data: Arc<ProviderData>,
    pub client: OktaClient,
    http: reqwest::Client,
}

impl Org {
    pub async fn start() -> Self {
        Self::start_with(std::time::Duration::ZERO, &[]).await
    }

    /// An emulator answering every request after `latency`, and a provider configured
    /// with `settings` (provider attributes) besides the org and token.
    pub async fn start_with(latency: std::time::Duration, settings: &[(&str, Value)]) -> Self {
        let emu = okta_emulator::spawn(
            EmulatorConfig::ephemeral()
                .with_api_token(TOKEN)
                .with_rate_limit(100_000)
                .with_latency(latency),
        )
        .await
        .expect("emulator starts");
        let data = provider_data(emu.base_url(), settings).await;
        let mut d = Diagnostics::new();
        let client = data.client(&mut d).expect("client");
        Self {
            emu,
            data,
            client,
            http: reqwest::Client::new(),
        }
    }

    /// A second provider process against the same org: its own locks, caches and client.
    pub async fn another_provider(&self, settings: &[(&str, Value)]) -> Arc<ProviderData> {
        provider_data(self.emu.base_url(), settings).await
    }

    /// Makes the next `times` requests matching `method path` wait `delay_ms` before Okta
    /// handles them (a client with a shorter timeout gives up; the request still lands).
    pub async fn delay(&self, method: &str, path: &str, delay_ms: u64, times: u32) {
        let url = format!("{}/__emulator/faults", self.emu.base_url());
        let rule = serde_json::json!({
            "method": method, "path": path, "delayMs": delay_ms, "times": times,
        });
        let resp = self.http.post(url).json(&rule).send().await.expect("fault");
        assert!(resp.status().is_success(), "{:?}", resp.status());
    }

    /// A web app with the given sign-in URIs and grant types.
    pub async fn web_app(&self, redirects: &[&str], grants: &[&str]) -> String {
        self.create_app("web", redirects, grants, &["code"]).await
    }

    /// A service app (client credentials only, no redirect URIs).
    pub async fn service_app(&self) -> String {
        self.create_app("service", &[], &["client_credentials"], &["token"])
            .await
    }

    async fn create_app(
        &self,
        app_type: &str,
        redirects: &[&str],
        grants: &[&str],
        responses: &[&str],
    ) -> String {
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let mut app = OidcApp::new("shared", app_type);
        app.set_redirect_uris(&strings(redirects));
        app.set_grant_types(&strings(grants));
        app.set_response_types(&strings(responses));
        app.set_token_endpoint_auth_method("client_secret_basic");
        let created = self.client.apps().create(&app, true).await.expect("app");
        created.id().expect("id").to_string()
    }

    pub async fn app(&self, id: &str) -> OidcApp {
        self.client.apps().get(id).await.expect("get").expect("app")
    }

    /// Makes the next `times` requests matching `method path` fail as Okta would.
    pub async fn fault(&self, method: &str, path: &str, status: u16, code: &str, times: u32) {
        let url = format!("{}/__emulator/faults", self.emu.base_url());
        let rule = serde_json::json!({
            "method": method, "path": path, "status": status,
            "errorCode": code, "errorSummary": "Operation on application settings failed.",
            "times": times,
        });
        let resp = self.http.post(url).json(&rule).send().await.expect("fault");
        assert!(resp.status().is_success(), "{:?}", resp.status());
    }

    /// Sequence number of the newest logged request.
    pub async fn mark(&self) -> u64 {
        self.log(0)
            .await
            .iter()
            .filter_map(|e| e["seq"].as_u64())
            .max()
            .unwrap_or(0)
    }

    /// Okta API calls (`METHOD path`) logged after `mark`, admin requests excluded.
    pub async fn calls_since(&self, mark: u64) -> Vec<String> {
        self.log(mark)
            .await
            .iter()
            .filter_map(|e| {
                let path = e["path"].as_str()?;
                path.starts_with("/api/")
                    .then(|| format!("{} {path}", e["method"].as_str().unwrap_or("?")))
            })
            .collect()
    }

    async fn log(&self, since: u64) -> Vec<serde_json::Value> {
        let url = format!("{}/__emulator/requests?since={since}", self.emu.base_url());
        let body: serde_json::Value = self
            .http
            .get(url)
            .send()
            .await
            .expect("request log")
            .json()
            .await
            .expect("json");
        body.as_array().cloned().unwrap_or_default()
    }
}
