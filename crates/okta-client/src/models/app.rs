//! The OIDC application, held as Okta's full JSON object.
//!
//! `PUT /api/v1/apps/{id}` replaces the whole app, so anything we failed to send back would be
//! wiped (notes, visibility, profile, fields Okta adds next year, unknown keys nested inside
//! `settings.oauthClient`). The app is therefore kept as the complete object Okta returned, with
//! typed accessors and mutators that touch exactly one key each.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{json, Map, Value};

use crate::secret::Secret;

const SETTINGS_OAUTH: [&str; 2] = ["settings", "oauthClient"];
const CREDENTIALS_OAUTH: [&str; 2] = ["credentials", "oauthClient"];

/// `settings.oauthClient.refresh_token`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefreshTokenSettings {
    /// `ROTATE` or `STATIC`.
    pub rotation_type: String,
    /// Seconds (0..=60) the previous token stays valid after rotation. Okta omits it for
    /// `STATIC`, so `None` is normal there.
    pub leeway: Option<u32>,
}

impl RefreshTokenSettings {
    pub const ROTATE: &'static str = "ROTATE";
    /// Okta's leeway when rotation is turned on without one.
    pub const DEFAULT_LEEWAY: u32 = 30;
}

/// An Okta application (`/api/v1/apps/{id}`), lossless: see the module docs.
#[derive(Clone, Default, PartialEq)]
pub struct OidcApp {
    json: Map<String, Value>,
}

impl OidcApp {
    /// The minimal body of a new OIDC app (`name: oidc_client`, `signOnMode: OPENID_CONNECT`),
    /// to be completed with the setters before `create`.
    pub fn new(label: &str, application_type: &str) -> Self {
        let value = json!({
            "name": "oidc_client",
            "label": label,
            "signOnMode": "OPENID_CONNECT",
            "credentials": { "oauthClient": {} },
            "settings": { "oauthClient": { "application_type": application_type } },
        });
        match value {
            Value::Object(json) => Self { json },
            _ => Self::default(),
        }
    }

    /// Wraps a JSON object as returned by Okta.
    pub fn from_json(json: Map<String, Value>) -> Self {
        Self { json }
    }

    /// The complete JSON object, as it will be sent.
    pub fn as_json(&self) -> &Map<String, Value> {
        &self.json
    }

    pub fn into_json(self) -> Map<String, Value> {
        self.json
    }

    // ----- generic path access -------------------------------------------------------------

    /// The value at a path of object keys, e.g. `["settings", "notes", "admin"]`.
    pub fn get_path(&self, path: &[&str]) -> Option<&Value> {
        let (first, rest) = path.split_first()?;
        let mut cur = self.json.get(*first)?;
        for key in rest {
            cur = cur.as_object()?.get(*key)?;
        }
        Some(cur)
    }

    /// Sets the value at a path, creating (or replacing non-object) intermediate objects and
    /// leaving every sibling key as it was.
    pub fn set_path(&mut self, path: &[&str], value: Value) {
        let Some((last, parents)) = path.split_last() else {
            return;
        };
        let mut cur = &mut self.json;
        for key in parents {
            let slot = cur
                .entry((*key).to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            cur = match slot {
                Value::Object(map) => map,
                _ => return,
            };
        }
        cur.insert((*last).to_owned(), value);
    }

    /// Removes the key at a path; returns what was there.
    pub fn remove_path(&mut self, path: &[&str]) -> Option<Value> {
        let (last, parents) = path.split_last()?;
        let mut cur = &mut self.json;
        for key in parents {
            cur = cur.get_mut(*key)?.as_object_mut()?;
        }
        cur.shift_remove(*last)
    }

    fn str_at(&self, path: &[&str]) -> Option<&str> {
        self.get_path(path).and_then(Value::as_str)
    }

    fn strings_at(&self, path: &[&str]) -> Option<Vec<String>> {
        let items = self.get_path(path)?.as_array()?;
        Some(
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
        )
    }

    fn oauth_settings(key: &str) -> [&str; 3] {
        [SETTINGS_OAUTH[0], SETTINGS_OAUTH[1], key]
    }

    fn oauth_credentials(key: &str) -> [&str; 3] {
        [CREDENTIALS_OAUTH[0], CREDENTIALS_OAUTH[1], key]
    }

    fn set_strings(&mut self, path: &[&str], values: &[String]) {
        self.set_path(
            path,
            Value::Array(values.iter().cloned().map(Value::String).collect()),
        );
    }

    // ----- top level ---------------------------------------------------------------------------

    pub fn id(&self) -> Option<&str> {
        self.str_at(&["id"])
    }

    /// `name`: `oidc_client` for custom OIDC apps.
    pub fn name(&self) -> Option<&str> {
        self.str_at(&["name"])
    }

    pub fn label(&self) -> Option<&str> {
        self.str_at(&["label"])
    }

    pub fn set_label(&mut self, label: &str) {
        self.set_path(&["label"], Value::from(label));
    }

    /// `ACTIVE` or `INACTIVE`. Read-only in a PUT: change it with activate/deactivate.
    pub fn status(&self) -> Option<&str> {
        self.str_at(&["status"])
    }

    pub fn is_active(&self) -> bool {
        self.status() == Some("ACTIVE")
    }

    pub fn sign_on_mode(&self) -> Option<&str> {
        self.str_at(&["signOnMode"])
    }

    pub fn set_sign_on_mode(&mut self, mode: &str) {
        self.set_path(&["signOnMode"], Value::from(mode));
    }

    pub fn created(&self) -> Option<&str> {
        self.str_at(&["created"])
    }

    pub fn last_updated(&self) -> Option<&str> {
        self.str_at(&["lastUpdated"])
    }

    // ----- credentials.oauthClient -----------------------------------------------------------

    pub fn client_id(&self) -> Option<&str> {
        self.str_at(&Self::oauth_credentials("client_id"))
    }

    /// Only meaningful on create (Okta makes it immutable afterwards).
    pub fn set_client_id(&mut self, client_id: Option<&str>) {
        let path = Self::oauth_credentials("client_id");
        match client_id {
            Some(id) => self.set_path(&path, Value::from(id)),
            None => {
                self.remove_path(&path);
            }
        }
    }

    /// Present only in create and update responses; a GET never returns it.
    pub fn client_secret(&self) -> Option<Secret> {
        self.str_at(&Self::oauth_credentials("client_secret"))
            .map(Secret::from)
    }

    /// `Some` sends that secret (an empty one keeps Okta's current secret); `None` omits it.
    pub fn set_client_secret(&mut self, secret: Option<&Secret>) {
        let path = Self::oauth_credentials("client_secret");
        match secret {
            Some(s) => self.set_path(&path, Value::from(s.expose())),
            None => {
                self.remove_path(&path);
            }
        }
    }

    pub fn token_endpoint_auth_method(&self) -> Option<&str> {
        self.str_at(&Self::oauth_credentials("token_endpoint_auth_method"))
    }

    pub fn set_token_endpoint_auth_method(&mut self, method: &str) {
        self.set_path(
            &Self::oauth_credentials("token_endpoint_auth_method"),
            Value::from(method),
        );
    }

    pub fn pkce_required(&self) -> Option<bool> {
        self.get_path(&Self::oauth_credentials("pkce_required"))
            .and_then(Value::as_bool)
    }

    pub fn set_pkce_required(&mut self, required: bool) {
        self.set_path(
            &Self::oauth_credentials("pkce_required"),
            Value::from(required),
        );
    }

    // ----- settings.oauthClient --------------------------------------------------------------

    pub fn application_type(&self) -> Option<&str> {
        self.str_at(&Self::oauth_settings("application_type"))
    }

    /// Only meaningful on create (Okta makes it immutable afterwards).
    pub fn set_application_type(&mut self, application_type: &str) {
        self.set_path(
            &Self::oauth_settings("application_type"),
            Value::from(application_type),
        );
    }

    pub fn redirect_uris(&self) -> Option<Vec<String>> {
        self.strings_at(&Self::oauth_settings("redirect_uris"))
    }

    pub fn set_redirect_uris(&mut self, uris: &[String]) {
        self.set_strings(&Self::oauth_settings("redirect_uris"), uris);
    }

    pub fn post_logout_redirect_uris(&self) -> Option<Vec<String>> {
        self.strings_at(&Self::oauth_settings("post_logout_redirect_uris"))
    }

    /// An empty list removes the key: Okta omits it when empty, and omitting it in the full
    /// replace is how Okta's own provider clears it.
    pub fn set_post_logout_redirect_uris(&mut self, uris: &[String]) {
        let path = Self::oauth_settings("post_logout_redirect_uris");
        if uris.is_empty() {
            self.remove_path(&path);
        } else {
            self.set_strings(&path, uris);
        }
    }

    pub fn initiate_login_uri(&self) -> Option<&str> {
        self.str_at(&Self::oauth_settings("initiate_login_uri"))
    }

    /// `None` removes the key (Okta omits it when unset).
    pub fn set_initiate_login_uri(&mut self, uri: Option<&str>) {
        let path = Self::oauth_settings("initiate_login_uri");
        match uri {
            Some(u) => self.set_path(&path, Value::from(u)),
            None => {
                self.remove_path(&path);
            }
        }
    }

    pub fn grant_types(&self) -> Option<Vec<String>> {
        self.strings_at(&Self::oauth_settings("grant_types"))
    }

    pub fn set_grant_types(&mut self, grant_types: &[String]) {
        self.set_strings(&Self::oauth_settings("grant_types"), grant_types);
    }

    pub fn has_grant_type(&self, grant: &str) -> bool {
        self.grant_types()
            .is_some_and(|g| g.iter().any(|g| g == grant))
    }

    /// Adds (`on`) or removes `grant`; the list is not written when it already is so.
    pub fn set_grant_type(&mut self, grant: &str, on: bool) {
        if self.has_grant_type(grant) == on {
            return;
        }
        let mut grants = self.grant_types().unwrap_or_default();
        match on {
            true => grants.push(grant.to_string()),
            false => grants.retain(|g| g != grant),
        }
        self.set_grant_types(&grants);
    }

    pub fn response_types(&self) -> Option<Vec<String>> {
        self.strings_at(&Self::oauth_settings("response_types"))
    }

    pub fn set_response_types(&mut self, response_types: &[String]) {
        self.set_strings(&Self::oauth_settings("response_types"), response_types);
    }

    pub fn refresh_token(&self) -> Option<RefreshTokenSettings> {
        let obj = self
            .get_path(&Self::oauth_settings("refresh_token"))?
            .as_object()?;
        Some(RefreshTokenSettings {
            rotation_type: obj.get("rotation_type")?.as_str()?.to_owned(),
            leeway: obj
                .get("leeway")
                .and_then(Value::as_u64)
                .and_then(|l| u32::try_from(l).ok()),
        })
    }

    /// Sets rotation type and leeway in place (other keys of `refresh_token` stay); `None`
    /// removes `refresh_token` (only valid without the `refresh_token` grant).
    pub fn set_refresh_token(&mut self, settings: Option<&RefreshTokenSettings>) {
        let path = Self::oauth_settings("refresh_token");
        let Some(s) = settings else {
            self.remove_path(&path);
            return;
        };
        if !self.get_path(&path).is_some_and(Value::is_object) {
            self.set_path(&path, Value::Object(Map::new()));
        }
        let [a, b, c] = path;
        self.set_path(
            &[a, b, c, "rotation_type"],
            Value::from(s.rotation_type.as_str()),
        );
        match s.leeway {
            Some(l) => self.set_path(&[a, b, c, "leeway"], Value::from(l)),
            None => {
                self.remove_path(&[a, b, c, "leeway"]);
            }
        }
    }

    /// Sets the rotation type. The leeway for `ROTATE`: `leeway`, else the app's current one
    /// when it already rotates, else Okta's default; `STATIC` has none (Okta reports none).
    pub fn set_refresh_rotation(&mut self, rotation: &str, leeway: Option<u32>) {
        let rotating = (self.refresh_token())
            .filter(|s| s.rotation_type == RefreshTokenSettings::ROTATE)
            .and_then(|s| s.leeway);
        let leeway = (rotation == RefreshTokenSettings::ROTATE).then(|| {
            leeway
                .or(rotating)
                .unwrap_or(RefreshTokenSettings::DEFAULT_LEEWAY)
        });
        self.set_refresh_token(Some(&RefreshTokenSettings {
            rotation_type: rotation.to_string(),
            leeway,
        }));
    }

    pub fn consent_method(&self) -> Option<&str> {
        self.str_at(&Self::oauth_settings("consent_method"))
    }

    pub fn set_consent_method(&mut self, method: &str) {
        self.set_path(&Self::oauth_settings("consent_method"), Value::from(method));
    }

    pub fn issuer_mode(&self) -> Option<&str> {
        self.str_at(&Self::oauth_settings("issuer_mode"))
    }

    pub fn set_issuer_mode(&mut self, mode: &str) {
        self.set_path(&Self::oauth_settings("issuer_mode"), Value::from(mode));
    }

    pub fn wildcard_redirect(&self) -> Option<&str> {
        self.str_at(&Self::oauth_settings("wildcard_redirect"))
    }

    pub fn set_wildcard_redirect(&mut self, mode: &str) {
        self.set_path(
            &Self::oauth_settings("wildcard_redirect"),
            Value::from(mode),
        );
    }

    /// The JSON with `client_secret` replaced, for `Debug`.
    fn redacted(&self) -> Map<String, Value> {
        let mut copy = self.clone();
        let path = Self::oauth_credentials("client_secret");
        if copy.get_path(&path).is_some() {
            copy.set_path(&path, Value::from("[REDACTED]"));
        }
        copy.json
    }
}

impl fmt::Debug for OidcApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcApp")
            .field("json", &Value::Object(self.redacted()))
            .finish()
    }
}

impl Serialize for OidcApp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.json.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for OidcApp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Map::deserialize(deserializer).map(|json| Self { json })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP: &str = r#"{"id":"0oa1","name":"oidc_client","label":"l","status":"ACTIVE",
        "created":"2026-02-02T11:08:56.000Z","lastUpdated":"2026-02-02T11:08:58.000Z",
        "signOnMode":"OPENID_CONNECT","profile":{"weight":1.50},
        "credentials":{"oauthClient":{"autoKeyRotation":true,"client_id":"0oa1","client_secret":"s3cr3t-value-xyz","token_endpoint_auth_method":"client_secret_basic","pkce_required":false,"future":{"x":1}}},
        "settings":{"notes":{"admin":"keep me"},"oauthClient":{"redirect_uris":["https://a/cb"],"grant_types":["authorization_code","refresh_token"],
        "response_types":["code"],"application_type":"web","consent_method":"TRUSTED","issuer_mode":"ORG_URL",
        "refresh_token":{"rotation_type":"ROTATE","leeway":30,"extra":true},"wildcard_redirect":"DISABLED","unknown_nested":[1,2]}}}"#;

    fn app() -> OidcApp {
        serde_json::from_str(APP).unwrap()
    }

    #[test]
    fn accessors_read_okta_fields() {
        let a = app();
        assert_eq!(a.id(), Some("0oa1"));
        assert_eq!(a.name(), Some("oidc_client"));
        assert!(a.is_active());
        assert_eq!(a.client_id(), Some("0oa1"));
        assert_eq!(a.client_secret().unwrap().expose(), "s3cr3t-value-xyz");
        assert_eq!(a.pkce_required(), Some(false));
        assert_eq!(a.redirect_uris().unwrap(), vec!["https://a/cb".to_owned()]);
        assert_eq!(a.post_logout_redirect_uris(), None);
        assert_eq!(
            a.refresh_token(),
            Some(RefreshTokenSettings {
                rotation_type: "ROTATE".into(),
                leeway: Some(30)
            })
        );
        assert_eq!(a.created(), Some("2026-02-02T11:08:56.000Z"));
        assert_eq!(a.last_updated(), Some("2026-02-02T11:08:58.000Z"));
    }

    #[test]
    fn grant_types_are_added_and_removed_once() {
        let mut a = app();
        assert!(a.has_grant_type("refresh_token"));
        a.set_grant_type("refresh_token", true);
        a.set_grant_type("implicit", true);
        a.set_grant_type("refresh_token", false);
        a.set_grant_type("password", false);
        let grants = a.grant_types().unwrap();
        assert_eq!(grants, ["authorization_code", "implicit"]);
        assert!(!a.has_grant_type("refresh_token"));
    }

    #[test]
    fn refresh_rotation_keeps_a_rotating_leeway_else_okta_default() {
        let settings = |rotation: &str, leeway| RefreshTokenSettings {
            rotation_type: rotation.into(),
            leeway,
        };
        let mut a = app();
        a.set_refresh_rotation("ROTATE", None);
        assert_eq!(a.refresh_token(), Some(settings("ROTATE", Some(30))));
        a.set_refresh_rotation("ROTATE", Some(45));
        a.set_refresh_rotation("ROTATE", None);
        assert_eq!(a.refresh_token(), Some(settings("ROTATE", Some(45))));
        a.set_refresh_rotation("STATIC", Some(10));
        assert_eq!(a.refresh_token(), Some(settings("STATIC", None)));
        // A leeway kept with STATIC (Okta hides it) is not the one rotation turns on with.
        a.set_refresh_token(Some(&settings("STATIC", Some(5))));
        a.set_refresh_rotation("ROTATE", None);
        assert_eq!(a.refresh_token(), Some(settings("ROTATE", Some(30))));
        // Other keys of refresh_token stay.
        let rt = a
            .get_path(&OidcApp::oauth_settings("refresh_token"))
            .unwrap();
        assert_eq!(rt["extra"], json!(true));
    }

    #[test]
    fn mutators_touch_only_their_key() {
        let mut a = app();
        a.set_refresh_token(Some(&RefreshTokenSettings {
            rotation_type: "STATIC".into(),
            leeway: None,
        }));
        let rt = a
            .get_path(&["settings", "oauthClient", "refresh_token"])
            .unwrap();
        assert_eq!(rt, &json!({"rotation_type":"STATIC","extra":true}));
        a.set_post_logout_redirect_uris(&["https://a/".into()]);
        a.set_post_logout_redirect_uris(&[]);
        assert!(a
            .get_path(&["settings", "oauthClient", "post_logout_redirect_uris"])
            .is_none());
        assert_eq!(
            a.get_path(&["settings", "notes", "admin"]),
            Some(&json!("keep me"))
        );
        assert!(serde_json::to_string(&a).unwrap().contains("1.50"));
    }

    #[test]
    fn new_builds_a_minimal_oidc_body() {
        let mut a = OidcApp::new("pomerium", "web");
        a.set_redirect_uris(&["https://auth.example.com/oauth2/callback".into()]);
        a.set_token_endpoint_auth_method("client_secret_basic");
        let v = serde_json::to_value(&a).unwrap();
        assert_eq!(v["name"], "oidc_client");
        assert_eq!(v["signOnMode"], "OPENID_CONNECT");
        assert_eq!(v["settings"]["oauthClient"]["application_type"], "web");
        assert_eq!(
            v["credentials"]["oauthClient"]["token_endpoint_auth_method"],
            "client_secret_basic"
        );
    }

    #[test]
    fn debug_redacts_the_client_secret() {
        let a = app();
        let dbg = format!("{a:?}");
        assert!(!dbg.contains("s3cr3t-value-xyz"), "{dbg}");
        assert!(dbg.contains("[REDACTED]"));
        // ... while the value itself is untouched for the PUT.
        assert!(serde_json::to_string(&a)
            .unwrap()
            .contains("s3cr3t-value-xyz"));
    }
}
