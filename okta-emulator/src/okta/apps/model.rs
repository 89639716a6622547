//! OIDC app documents: turning a create/replace request into the stored, normalised JSON with
//! every server-filled default real Okta responses carry (rendering it back is `render.rs`).

use serde_json::{json, Map, Value};

use crate::{
    base::errors::{ApiResult, Causes, OktaError},
    okta::apps::validate::{
        self as v, CIBA, CLIENT_CREDENTIALS, IMPLICIT, PASSWORD, REFRESH_TOKEN,
    },
    store::{App, Org},
};

/// The only app `name` the emulator implements.
pub const OIDC_NAME: &str = "oidc_client";

/// What to do with the app's client secret after a create or replace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretPlan {
    /// Leave the secrets as they are.
    Keep,
    /// Generate a new secret (create, or an auth method that newly needs one).
    Generate,
    /// Use this caller-chosen secret.
    Set(String),
}

/// A validated, normalised app body.
#[derive(Debug)]
pub struct Built {
    pub body: Map<String, Value>,
    pub secret: SecretPlan,
}

fn take(m: &mut Map<String, Value>, key: &str) -> Option<Value> {
    m.remove(key).filter(|v| !v.is_null())
}

fn take_object(
    m: &mut Map<String, Value>,
    key: &str,
    field: &str,
    causes: &mut Causes,
) -> Map<String, Value> {
    match take(m, key) {
        None => Map::new(),
        Some(Value::Object(o)) => o,
        Some(_) => {
            causes.push(field, "The field has an invalid value");
            Map::new()
        }
    }
}

fn str_of<'a>(m: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    m.get(key).and_then(Value::as_str)
}

/// Appends whatever the caller sent that the emulator does not model, so it is echoed back.
fn append_rest(out: &mut Map<String, Value>, rest: Map<String, Value>) {
    for (k, val) in rest {
        out.entry(k).or_insert(val);
    }
}

/// A create or replace request, taken apart: what the normalised document is built from.
struct Request {
    name: Value,
    label: Option<Value>,
    accessibility: Map<String, Value>,
    visibility: Map<String, Value>,
    features: Value,
    credentials: Map<String, Value>,
    settings: Map<String, Value>,
    /// `settings.oauthClient`.
    oc: Map<String, Value>,
    /// `credentials.oauthClient`.
    coc: Map<String, Value>,
    /// Top-level fields the emulator does not model, kept as sent.
    rest: Map<String, Value>,
}

/// What the `settings.oauthClient` checks settled.
struct OauthSettings {
    app_type: String,
    grants: Vec<String>,
}

/// What the `credentials.oauthClient` checks settled.
struct OauthCredentials {
    method: String,
    client_id: String,
    /// A caller-chosen secret.
    secret: Option<String>,
}

/// Validates a create (`prev` = `None`) or full replace of app `app_id` and normalises it.
pub fn build(
    req: Map<String, Value>,
    prev: Option<&App>,
    org: &Org,
    app_id: &str,
) -> ApiResult<Built> {
    let mut causes = Causes::new();
    let req = take_apart(req, prev, &mut causes)?;
    let prev_oc = prev.and_then(App::oauth_settings);
    let settings = check_oauth_settings(&req.oc, prev_oc, &mut causes);
    let credentials = check_oauth_credentials(&req, &settings, prev, org, app_id, &mut causes);
    causes.into_result()?;
    let secret = secret_plan(&credentials, prev);
    let body = document(req, &settings, credentials, prev_oc, org);
    Ok(Built { body, secret })
}

/// Drops what the server assigns, checks `name`, `label` and `signOnMode`, and takes out the
/// objects the document is built from.
fn take_apart(
    mut req: Map<String, Value>,
    prev: Option<&App>,
    causes: &mut Causes,
) -> ApiResult<Request> {
    // System-assigned properties are ignored in requests.
    for k in [
        "id",
        "orn",
        "status",
        "created",
        "lastUpdated",
        "_links",
        "_embedded",
    ] {
        req.remove(k);
    }
    let name = app_name(take(&mut req, "name"), prev, causes)?;
    let label = take(&mut req, "label");
    if label
        .as_ref()
        .and_then(Value::as_str)
        .is_none_or(|s| s.trim().is_empty())
    {
        causes.push("label", "The field cannot be left blank.");
    }
    match take(&mut req, "signOnMode") {
        None => {}
        Some(Value::String(s)) if s == "OPENID_CONNECT" => {}
        Some(_) => causes.push(
            "signOnMode",
            "'signOnMode' must be 'OPENID_CONNECT' for an 'oidc_client' app.",
        ),
    }

    let accessibility = take_object(&mut req, "accessibility", "accessibility", causes);
    let visibility = take_object(&mut req, "visibility", "visibility", causes);
    let features = match take(&mut req, "features") {
        Some(Value::Array(a)) => Value::Array(a),
        _ => json!([]),
    };
    // Server-managed; whatever a client sends is ignored.
    req.remove("universalLogout");
    let mut credentials = take_object(&mut req, "credentials", "credentials", causes);
    let mut settings = take_object(&mut req, "settings", "settings", causes);
    let oc = take_object(&mut settings, "oauthClient", "settings.oauthClient", causes);
    let coc = take_object(
        &mut credentials,
        "oauthClient",
        "credentials.oauthClient",
        causes,
    );
    Ok(Request {
        name,
        label,
        accessibility,
        visibility,
        features,
        credentials,
        settings,
        oc,
        coc,
        rest: req,
    })
}

/// The app `name`: fixed once created; on create, only OIDC apps are emulated.
fn app_name(req_name: Option<Value>, prev: Option<&App>, causes: &mut Causes) -> ApiResult<Value> {
    Ok(match prev {
        Some(p) => p
            .body
            .get("name")
            .cloned()
            .unwrap_or_else(|| Value::from(OIDC_NAME)),
        None => match req_name {
            Some(Value::String(s)) if s == OIDC_NAME => Value::from(s),
            Some(Value::String(s)) if !s.is_empty() => {
                return Err(OktaError::unsupported(format!(
                    "okta-emulator only emulates OpenID Connect apps (name \"{OIDC_NAME}\"), not \"{s}\""
                )))
            }
            _ => {
                causes.push("name", "The field cannot be left blank.");
                Value::from(OIDC_NAME)
            }
        },
    })
}

/// Okta's checks of `settings.oauthClient`, in its order.
fn check_oauth_settings(
    oc: &Map<String, Value>,
    prev_oc: Option<&Map<String, Value>>,
    causes: &mut Causes,
) -> OauthSettings {
    let app_type = app_type(oc, prev_oc, causes);
    let grants = v::string_list(causes, "grant_types", oc.get("grant_types")).unwrap_or_default();
    if grants.is_empty() {
        causes.push("grant_types", "The field cannot be left blank.");
    } else {
        v::check_grants(causes, &app_type, &grants);
    }
    check_response_types_and_redirects(oc, &grants, causes);
    check_oauth_fields(oc, &app_type, &grants, causes);
    OauthSettings { app_type, grants }
}

/// `application_type`: one of Okta's, `web` by default, and fixed once created.
fn app_type(
    oc: &Map<String, Value>,
    prev_oc: Option<&Map<String, Value>>,
    causes: &mut Causes,
) -> String {
    let prev_type = prev_oc.and_then(|o| str_of(o, "application_type"));
    v::check_enum(
        causes,
        "application_type",
        oc.get("application_type"),
        v::APP_TYPES,
    );
    let app_type = str_of(oc, "application_type")
        .filter(|t| v::APP_TYPES.contains(t))
        .or(prev_type)
        .unwrap_or("web")
        .to_string();
    if let Some(p) = prev_type {
        if p != app_type {
            causes.push(
                "application_type",
                "'application_type' can't be changed after the app is created.",
            );
        }
    }
    app_type
}

/// `response_types`, `wildcard_redirect`, `redirect_uris` and `post_logout_redirect_uris`
/// against the grants.
fn check_response_types_and_redirects(
    oc: &Map<String, Value>,
    grants: &[String],
    causes: &mut Causes,
) {
    let has = |g: &str| grants.iter().any(|x| x == g);
    let redirect_optional = has(PASSWORD) || has(CLIENT_CREDENTIALS);
    let response_types =
        v::string_list(causes, "response_types", oc.get("response_types")).unwrap_or_default();
    if let Some(bad) = response_types
        .iter()
        .find(|r| !v::RESPONSE_TYPES.contains(&r.as_str()))
    {
        causes.push(
            "response_types",
            format!("'{bad}' is not a valid response type."),
        );
    }
    if response_types.is_empty() && !grants.is_empty() && !redirect_optional {
        causes.push("response_types", "The field cannot be left blank.");
    }
    if has(IMPLICIT)
        && !response_types.is_empty()
        && !response_types
            .iter()
            .any(|r| r == "token" || r == "id_token")
    {
        causes.push(
            "response_types",
            "'response_types' must contain 'token' or 'id_token' when 'grant_types' contains 'implicit'.",
        );
    }

    v::check_enum(
        causes,
        "wildcard_redirect",
        oc.get("wildcard_redirect"),
        &["DISABLED", "SUBDOMAIN"],
    );
    let wildcard = str_of(oc, "wildcard_redirect") == Some("SUBDOMAIN");
    let redirect_uris =
        v::string_list(causes, "redirect_uris", oc.get("redirect_uris")).unwrap_or_default();
    if redirect_uris.is_empty() && !grants.is_empty() && !redirect_optional {
        causes.push("redirect_uris", "The field cannot be left blank.");
    }
    v::check_redirect_uris(causes, "redirect_uris", &redirect_uris, wildcard);
    let post_logout = v::string_list(
        causes,
        "post_logout_redirect_uris",
        oc.get("post_logout_redirect_uris"),
    )
    .unwrap_or_default();
    v::check_redirect_uris(causes, "post_logout_redirect_uris", &post_logout, wildcard);
}

/// The remaining `settings.oauthClient` fields: enums and URIs, then the options.
fn check_oauth_fields(
    oc: &Map<String, Value>,
    app_type: &str,
    grants: &[String],
    causes: &mut Causes,
) {
    v::check_enum(
        causes,
        "consent_method",
        oc.get("consent_method"),
        &["REQUIRED", "TRUSTED"],
    );
    v::check_enum(
        causes,
        "issuer_mode",
        oc.get("issuer_mode"),
        &["ORG_URL", "CUSTOM_URL", "DYNAMIC"],
    );
    for f in [
        "initiate_login_uri",
        "client_uri",
        "logo_uri",
        "tos_uri",
        "policy_uri",
        "jwks_uri",
    ] {
        v::check_absolute_uri(causes, f, oc.get(f));
    }
    if str_of(oc, "logo_uri").is_some_and(|s| s.len() > 1024) {
        causes.push(
            "logo_uri",
            "'logo_uri' can't be more than '1024' characters long.",
        );
    }
    check_oauth_options(oc, app_type, grants, causes);
}

/// Refresh tokens, IdP-initiated login, flags, DPoP, keys, single logout and network.
fn check_oauth_options(
    oc: &Map<String, Value>,
    app_type: &str,
    grants: &[String],
    causes: &mut Causes,
) {
    let has = |g: &str| grants.iter().any(|x| x == g);
    v::check_refresh_token(causes, oc.get("refresh_token"));
    v::check_idp_initiated_login(causes, oc);
    for f in [
        "dpop_bound_access_tokens",
        "participate_slo",
        "frontchannel_logout_session_required",
    ] {
        v::check_bool(causes, f, oc.get(f));
    }
    // Okta's spec forbids DPoP with client_credentials, yet its guide for Okta API service
    // apps uses exactly that: service apps may, other app types may not.
    if oc.get("dpop_bound_access_tokens") == Some(&Value::Bool(true))
        && (has(IMPLICIT) || (has(CLIENT_CREDENTIALS) && app_type != "service"))
    {
        causes.push(
            "dpop_bound_access_tokens",
            "'dpop_bound_access_tokens' can't be true when 'grant_types' contains 'client_credentials' or 'implicit'.",
        );
    }
    v::check_jwks(causes, oc.get("jwks"));
    if oc.get("jwks").is_some_and(|j| !j.is_null())
        && oc.get("jwks_uri").is_some_and(|j| !j.is_null())
    {
        causes.push("jwks", "'jwks' and 'jwks_uri' can't both be set.");
    }
    if oc.get("participate_slo") == Some(&Value::Bool(true))
        && !matches!(app_type, "web" | "browser")
    {
        causes.push(
            "participate_slo",
            "'participate_slo' is only supported for 'web' and 'browser' applications.",
        );
    }
    if let Some(net) = oc.get("network").filter(|n| !n.is_null()) {
        match net.as_object() {
            Some(n) => v::check_enum(
                causes,
                "network.connection",
                n.get("connection"),
                &["ANYWHERE", "ZONE"],
            ),
            None => causes.push("network", "The field has an invalid value"),
        }
    }
    v::check_enum(
        causes,
        "backchannel_token_delivery_mode",
        oc.get("backchannel_token_delivery_mode"),
        &["poll"],
    );
}

/// Okta's checks of `credentials.oauthClient`: the auth method against the app type and keys,
/// PKCE, the client id (fixed once created, unique in the org) and a caller-chosen secret.
fn check_oauth_credentials(
    req: &Request,
    settings: &OauthSettings,
    prev: Option<&App>,
    org: &Org,
    app_id: &str,
    causes: &mut Causes,
) -> OauthCredentials {
    let (oc, coc) = (&req.oc, &req.coc);
    v::check_enum(
        causes,
        "token_endpoint_auth_method",
        coc.get("token_endpoint_auth_method"),
        v::AUTH_METHODS,
    );
    let method = str_of(coc, "token_endpoint_auth_method")
        .filter(|m| v::AUTH_METHODS.contains(m))
        .unwrap_or("client_secret_basic")
        .to_string();
    if method == "none" && matches!(settings.app_type.as_str(), "web" | "service") {
        causes.push(
            "token_endpoint_auth_method",
            "'token_endpoint_auth_method' is invalid. Valid values: [client_secret_basic, client_secret_post, client_secret_jwt, private_key_jwt].",
        );
    }
    if method == "private_key_jwt" && !oc.contains_key("jwks") && !oc.contains_key("jwks_uri") {
        causes.push(
            "jwks",
            "'jwks' or 'jwks_uri' is required when 'token_endpoint_auth_method' is 'private_key_jwt'.",
        );
    }
    v::check_bool(causes, "pkce_required", coc.get("pkce_required"));
    v::check_bool(causes, "autoKeyRotation", coc.get("autoKeyRotation"));
    if method == "none" && coc.get("pkce_required") == Some(&Value::Bool(false)) {
        causes.push(
            "pkce_required",
            "'pkce_required' must be true when 'token_endpoint_auth_method' is 'none'.",
        );
    }
    let client_id = client_id(coc, prev, org, app_id, causes);
    let secret = match coc.get("client_secret") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) => {
            v::check_client_secret(causes, s, &method);
            Some(s.clone())
        }
        Some(_) => {
            causes.push("client_secret", "The field has an invalid value");
            None
        }
    };
    OauthCredentials {
        method,
        client_id,
        secret,
    }
}

/// The client id: the app id unless the caller chose one; fixed once created; unique.
fn client_id(
    coc: &Map<String, Value>,
    prev: Option<&App>,
    org: &Org,
    app_id: &str,
    causes: &mut Causes,
) -> String {
    let req_client_id = str_of(coc, "client_id").filter(|s| !s.is_empty());
    let client_id = match (prev, req_client_id) {
        (Some(p), Some(id)) if id != p.client_id() => {
            causes.push(
                "client_id",
                "'client_id' can't be changed after the app is created.",
            );
            p.client_id().to_string()
        }
        (Some(p), _) => p.client_id().to_string(),
        (None, Some(id)) => {
            v::check_client_id(causes, id);
            id.to_string()
        }
        (None, None) => app_id.to_string(),
    };
    if org
        .apps
        .iter()
        .any(|a| a.id != app_id && a.client_id() == client_id)
    {
        causes.push(
            "client_id",
            "An object with this field already exists in the current organization",
        );
    }
    client_id
}

fn secret_plan(credentials: &OauthCredentials, prev: Option<&App>) -> SecretPlan {
    let needs_secret = v::uses_secret(&credentials.method);
    match (&credentials.secret, prev) {
        (Some(s), _) if needs_secret => SecretPlan::Set(s.clone()),
        (_, None) if needs_secret => SecretPlan::Generate,
        (_, Some(p)) if needs_secret && p.current_secret().is_none() => SecretPlan::Generate,
        _ => SecretPlan::Keep,
    }
}

/// The normalised document, in Okta's key order.
fn document(
    req: Request,
    settings: &OauthSettings,
    credentials: OauthCredentials,
    prev_oc: Option<&Map<String, Value>>,
    org: &Org,
) -> Map<String, Value> {
    let mut body = Map::new();
    body.insert("name".into(), req.name);
    body.insert("label".into(), req.label.unwrap_or(Value::Null));
    body.insert("accessibility".into(), accessibility(req.accessibility));
    body.insert("visibility".into(), visibility(req.visibility));
    body.insert("features".into(), req.features);
    body.insert("signOnMode".into(), Value::from("OPENID_CONNECT"));
    body.insert(
        "credentials".into(),
        credentials_document(
            req.credentials,
            req.coc,
            credentials,
            &settings.app_type,
            org,
        ),
    );
    body.insert(
        "universalLogout".into(),
        json!({
            "status": "DISABLED",
            "supportType": "FULL",
            "identityStack": "NOT_SHARED",
            "protocol": "GLOBAL_TOKEN_REVOCATION"
        }),
    );
    let oauth_client = build_oauth_client(req.oc, prev_oc, &settings.app_type, &settings.grants);
    body.insert(
        "settings".into(),
        settings_document(req.settings, oauth_client),
    );
    append_rest(&mut body, req.rest);
    body
}

fn accessibility(mut accessibility: Map<String, Value>) -> Value {
    let mut acc = Map::new();
    acc.insert(
        "selfService".into(),
        take(&mut accessibility, "selfService").unwrap_or(Value::Bool(false)),
    );
    acc.insert(
        "errorRedirectUrl".into(),
        take(&mut accessibility, "errorRedirectUrl").unwrap_or(Value::Null),
    );
    acc.insert(
        "loginRedirectUrl".into(),
        take(&mut accessibility, "loginRedirectUrl").unwrap_or(Value::Null),
    );
    append_rest(&mut acc, accessibility);
    Value::Object(acc)
}

fn visibility(mut visibility: Map<String, Value>) -> Value {
    let mut vis = Map::new();
    vis.insert(
        "autoLaunch".into(),
        take(&mut visibility, "autoLaunch").unwrap_or(Value::Bool(false)),
    );
    vis.insert(
        "autoSubmitToolbar".into(),
        take(&mut visibility, "autoSubmitToolbar").unwrap_or(Value::Bool(false)),
    );
    let mut hide = match take(&mut visibility, "hide") {
        Some(Value::Object(h)) => h,
        _ => Map::new(),
    };
    let mut hide_out = Map::new();
    hide_out.insert(
        "iOS".into(),
        take(&mut hide, "iOS").unwrap_or(Value::Bool(false)),
    );
    hide_out.insert(
        "web".into(),
        take(&mut hide, "web").unwrap_or(Value::Bool(false)),
    );
    append_rest(&mut hide_out, hide);
    vis.insert("hide".into(), Value::Object(hide_out));
    vis.insert(
        "appLinks".into(),
        match take(&mut visibility, "appLinks") {
            Some(Value::Object(l)) => Value::Object(l),
            _ => json!({ "oidc_client_link": true }),
        },
    );
    append_rest(&mut vis, visibility);
    Value::Object(vis)
}

/// `credentials`: the user-name template, the org's signing key and `oauthClient`.
fn credentials_document(
    mut credentials: Map<String, Value>,
    mut coc: Map<String, Value>,
    checked: OauthCredentials,
    app_type: &str,
    org: &Org,
) -> Value {
    let mut cred = Map::new();
    let mut unt = match take(&mut credentials, "userNameTemplate") {
        Some(Value::Object(u)) => u,
        _ => Map::new(),
    };
    let mut unt_out = Map::new();
    unt_out.insert(
        "template".into(),
        take(&mut unt, "template").unwrap_or_else(|| Value::from("${source.login}")),
    );
    unt_out.insert(
        "type".into(),
        take(&mut unt, "type").unwrap_or_else(|| Value::from("BUILT_IN")),
    );
    append_rest(&mut unt_out, unt);
    cred.insert("userNameTemplate".into(), Value::Object(unt_out));
    credentials.remove("signing");
    cred.insert("signing".into(), json!({ "kid": org.signing_kid }));
    let mut coc_out = Map::new();
    coc_out.insert(
        "autoKeyRotation".into(),
        take(&mut coc, "autoKeyRotation").unwrap_or(Value::Bool(true)),
    );
    coc_out.insert("client_id".into(), Value::from(checked.client_id));
    coc.remove("client_id");
    coc.remove("client_secret");
    coc.remove("token_endpoint_auth_method");
    let method = checked.method;
    let pkce_default = method == "none" || matches!(app_type, "browser" | "native");
    coc_out.insert("token_endpoint_auth_method".into(), Value::from(method));
    coc_out.insert(
        "pkce_required".into(),
        take(&mut coc, "pkce_required").unwrap_or(Value::Bool(pkce_default)),
    );
    append_rest(&mut coc_out, coc);
    cred.insert("oauthClient".into(), Value::Object(coc_out));
    append_rest(&mut cred, credentials);
    Value::Object(cred)
}

/// `settings`, with Okta's defaults and the built `oauthClient`.
fn settings_document(mut settings: Map<String, Value>, oauth_client: Map<String, Value>) -> Value {
    let mut st = Map::new();
    st.insert(
        "app".into(),
        match take(&mut settings, "app") {
            Some(Value::Object(a)) => Value::Object(a),
            _ => json!({}),
        },
    );
    st.insert(
        "notifications".into(),
        match take(&mut settings, "notifications") {
            Some(Value::Object(n)) if !n.is_empty() => Value::Object(n),
            _ => json!({
                "vpn": {"network": {"connection": "DISABLED"}, "message": null, "helpUrl": null}
            }),
        },
    );
    st.insert(
        "manualProvisioning".into(),
        take(&mut settings, "manualProvisioning").unwrap_or(Value::Bool(false)),
    );
    st.insert(
        "implicitAssignment".into(),
        take(&mut settings, "implicitAssignment").unwrap_or(Value::Bool(false)),
    );
    settings.remove("emOptInStatus");
    st.insert("emOptInStatus".into(), Value::from("NONE"));
    let mut notes = match take(&mut settings, "notes") {
        Some(Value::Object(n)) => n,
        _ => Map::new(),
    };
    let mut notes_out = Map::new();
    notes_out.insert(
        "admin".into(),
        take(&mut notes, "admin").unwrap_or(Value::Null),
    );
    notes_out.insert(
        "enduser".into(),
        take(&mut notes, "enduser").unwrap_or(Value::Null),
    );
    append_rest(&mut notes_out, notes);
    st.insert("notes".into(), Value::Object(notes_out));
    st.insert("oauthClient".into(), Value::Object(oauth_client));
    append_rest(&mut st, settings);
    Value::Object(st)
}

/// `settings.oauthClient` with Okta's defaults and key order.
fn build_oauth_client(
    mut oc: Map<String, Value>,
    prev: Option<&Map<String, Value>>,
    app_type: &str,
    grants: &[String],
) -> Map<String, Value> {
    let has = |g: &str| grants.iter().any(|x| x == g);
    let mut out = Map::new();
    out.insert(
        "client_uri".into(),
        take(&mut oc, "client_uri").unwrap_or(Value::Null),
    );
    out.insert(
        "logo_uri".into(),
        take(&mut oc, "logo_uri").unwrap_or(Value::Null),
    );
    if let Some(r) = take(&mut oc, "redirect_uris") {
        out.insert("redirect_uris".into(), r);
    }
    // Okta omits an empty post-logout list.
    match take(&mut oc, "post_logout_redirect_uris") {
        Some(Value::Array(a)) if !a.is_empty() => {
            out.insert("post_logout_redirect_uris".into(), Value::Array(a));
        }
        _ => {}
    }
    if let Some(r) = take(&mut oc, "response_types") {
        out.insert("response_types".into(), r);
    }
    out.insert(
        "grant_types".into(),
        take(&mut oc, "grant_types").unwrap_or_else(|| json!([])),
    );
    if let Some(u) = take(&mut oc, "initiate_login_uri") {
        out.insert("initiate_login_uri".into(), u);
    }
    oc.remove("application_type");
    out.insert("application_type".into(), Value::from(app_type));
    for k in ["tos_uri", "policy_uri"] {
        if let Some(u) = take(&mut oc, k) {
            out.insert(k.into(), u);
        }
    }
    out.insert(
        "consent_method".into(),
        take(&mut oc, "consent_method").unwrap_or_else(|| Value::from("TRUSTED")),
    );
    out.insert(
        "issuer_mode".into(),
        take(&mut oc, "issuer_mode").unwrap_or_else(|| Value::from("ORG_URL")),
    );
    for k in ["jwks_uri", "jwks"] {
        if let Some(j) = take(&mut oc, k) {
            out.insert(k.into(), j);
        }
    }
    // refresh_token exists only with the refresh_token grant.
    let req_rt = take(&mut oc, "refresh_token");
    if has(REFRESH_TOKEN) {
        out.insert(
            "refresh_token".into(),
            refresh_token(req_rt, prev, app_type),
        );
    }
    out.insert(
        "idp_initiated_login".into(),
        idp_initiated_login(take(&mut oc, "idp_initiated_login")),
    );
    out.insert(
        "wildcard_redirect".into(),
        take(&mut oc, "wildcard_redirect").unwrap_or_else(|| Value::from("DISABLED")),
    );
    oauth_client_tail(&mut oc, &mut out, has(CIBA));
    append_rest(&mut out, oc);
    out
}

/// Omitted `refresh_token` values keep the previously configured ones (the leeway is stored
/// even when rendering hides it).
fn refresh_token(
    req_rt: Option<Value>,
    prev: Option<&Map<String, Value>>,
    app_type: &str,
) -> Value {
    let prev_rt = prev.and_then(|p| p.get("refresh_token"));
    let pick = |k: &str| {
        req_rt
            .as_ref()
            .and_then(|r| r.get(k))
            .filter(|x| !x.is_null())
            .or_else(|| prev_rt.and_then(|r| r.get(k)))
            .cloned()
    };
    let rotation = pick("rotation_type").unwrap_or_else(|| {
        Value::from(if app_type == "browser" {
            "ROTATE"
        } else {
            "STATIC"
        })
    });
    let leeway = pick("leeway").unwrap_or_else(|| Value::from(30));
    json!({ "rotation_type": rotation, "leeway": leeway })
}

fn idp_initiated_login(req: Option<Value>) -> Value {
    let mut idp = match req {
        Some(Value::Object(i)) => i,
        _ => Map::new(),
    };
    let mut idp_out = Map::new();
    idp_out.insert(
        "mode".into(),
        take(&mut idp, "mode").unwrap_or_else(|| Value::from("DISABLED")),
    );
    idp_out.insert(
        "default_scope".into(),
        take(&mut idp, "default_scope").unwrap_or_else(|| json!([])),
    );
    append_rest(&mut idp_out, idp);
    Value::Object(idp_out)
}

/// The last `oauthClient` keys: CIBA (shown only with its grant), DPoP, network, single
/// logout.
fn oauth_client_tail(oc: &mut Map<String, Value>, out: &mut Map<String, Value>, ciba: bool) {
    let delivery = take(oc, "backchannel_token_delivery_mode");
    let signing_alg = take(oc, "backchannel_authentication_request_signing_alg");
    let authenticator = take(oc, "backchannel_custom_authenticator_id");
    if ciba {
        out.insert(
            "backchannel_token_delivery_mode".into(),
            delivery.unwrap_or_else(|| Value::from("poll")),
        );
        if let Some(a) = signing_alg {
            out.insert("backchannel_authentication_request_signing_alg".into(), a);
        }
        if let Some(a) = authenticator {
            out.insert("backchannel_custom_authenticator_id".into(), a);
        }
    }
    out.insert(
        "dpop_bound_access_tokens".into(),
        take(oc, "dpop_bound_access_tokens").unwrap_or(Value::Bool(false)),
    );
    if let Some(n) = take(oc, "network") {
        out.insert("network".into(), n);
    }
    out.insert(
        "participate_slo".into(),
        take(oc, "participate_slo").unwrap_or(Value::Bool(false)),
    );
    let fc_uri = take(oc, "frontchannel_logout_uri");
    let fc_required = take(oc, "frontchannel_logout_session_required");
    if let Some(u) = fc_uri {
        out.insert("frontchannel_logout_uri".into(), u);
        out.insert(
            "frontchannel_logout_session_required".into(),
            fc_required.unwrap_or(Value::Bool(false)),
        );
    } else if let Some(r) = fc_required {
        out.insert("frontchannel_logout_session_required".into(), r);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::store::{ClientSecret, Status};

    pub(crate) fn web_request() -> Map<String, Value> {
        json!({
            "accessibility": {},
            "credentials": {
                "oauthClient": {"autoKeyRotation": true, "pkce_required": false,
                                "token_endpoint_auth_method": "client_secret_basic"},
                "userNameTemplate": {"template": "${source.login}", "type": "BUILT_IN"}
            },
            "label": "my-app",
            "name": "oidc_client",
            "settings": {"notes": {}, "oauthClient": {
                "application_type": "web",
                "grant_types": ["authorization_code", "refresh_token"],
                "redirect_uris": ["https://example.com/callback"],
                "response_types": ["code"],
                "refresh_token": {"leeway": 0, "rotation_type": "STATIC"},
                "post_logout_redirect_uris": []
            }},
            "signOnMode": "OPENID_CONNECT",
            "visibility": {"hide": {"iOS": true, "web": true}},
            "profile": {"custom": 1}
        })
        .as_object()
        .cloned()
        .unwrap()
    }

    pub(crate) fn app_from(built: Built) -> App {
        App {
            id: "0oaTEST".into(),
            seq: 1,
            status: Status::Active,
            created: 0,
            last_updated: 0,
            body: built.body,
            secrets: vec![ClientSecret {
                id: "ocs1".into(),
                status: Status::Active,
                secret: "s3cret-s3cret-s3cret".into(),
                hash: "h".into(),
                created: 0,
                last_updated: 0,
            }],
            groups: vec![],
            access_policy: None,
        }
    }

    #[test]
    fn replace_keeps_refresh_settings_and_client_id() {
        let org = Org::seed(None);
        let mut req = web_request();
        req["settings"]["oauthClient"]["refresh_token"] =
            json!({"rotation_type": "ROTATE", "leeway": 45});
        let app = app_from(build(req, None, &org, "0oaTEST").unwrap());
        let mut put = web_request();
        put["settings"]["oauthClient"]
            .as_object_mut()
            .unwrap()
            .remove("refresh_token");
        put["credentials"]["oauthClient"]["client_secret"] = json!("");
        let built = build(put, Some(&app), &org, "0oaTEST").unwrap();
        assert_eq!(built.secret, SecretPlan::Keep);
        assert_eq!(
            built.body["settings"]["oauthClient"]["refresh_token"],
            json!({"rotation_type": "ROTATE", "leeway": 45})
        );
        let mut change = web_request();
        change["credentials"]["oauthClient"]["client_id"] = json!("another_client");
        let err = build(change, Some(&app), &org, "0oaTEST").unwrap_err();
        assert_eq!(err.summary, "Api validation failed: client_id");
    }

    #[test]
    fn rejects_other_app_types_and_bad_input() {
        let org = Org::seed(None);
        let mut req = web_request();
        req["name"] = json!("deel");
        assert_eq!(build(req, None, &org, "x").unwrap_err().code, "E0000060");
        let mut req = web_request();
        req["settings"]["oauthClient"]["redirect_uris"] = json!([]);
        let err = build(req, None, &org, "x").unwrap_err();
        assert_eq!(err.summary, "Api validation failed: redirect_uris");
        let mut req = web_request();
        req["credentials"]["oauthClient"]["token_endpoint_auth_method"] = json!("none");
        let err = build(req, None, &org, "x").unwrap_err();
        assert_eq!(
            err.summary,
            "Api validation failed: token_endpoint_auth_method"
        );
    }
}
