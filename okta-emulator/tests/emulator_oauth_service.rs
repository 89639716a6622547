//! okta-emulator as the OAuth 2.0 authorization server for Okta's own APIs: service apps with
//! `private_key_jwt`, scope grants and client roles, `client_credentials` tokens (taken by the
//! `openidconnect` crate's client where it can send what is needed), every client-assertion
//! failure, Management API calls with `Bearer` and `DPoP` tokens (scopes, roles, expiry) and the
//! DPoP nonce dance. Client assertions and DPoP proofs are signed here with aws-lc-rs.

use std::time::Duration;

use aws_lc_rs::{
    digest,
    rand::SystemRandom,
    rsa::KeySize,
    signature::{
        EcdsaKeyPair, KeyPair, RsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING, RSA_PKCS1_SHA256,
    },
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use okta_emulator::{spawn, EmulatorConfig, RunningEmulator};
use openidconnect::{
    core::CoreClient, AuthType, ClientId, IssuerUrl, JsonWebKeySet, OAuth2TokenResponse, Scope,
    TokenUrl,
};
use serde_json::{json, Value};

const TOKEN: &str = "oauth-service-admin-token";
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

// ---------------------------------------------------------------------------------------------
// Keys

enum Key {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
}

impl Key {
    fn rsa() -> Key {
        Key::Rsa(RsaKeyPair::generate(KeySize::Rsa2048).unwrap())
    }

    fn ec() -> Key {
        Key::Ec(EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).unwrap())
    }

    fn alg(&self) -> &'static str {
        match self {
            Key::Rsa(_) => "RS256",
            Key::Ec(_) => "ES256",
        }
    }

    /// The public JWK, with `kid` when given.
    fn jwk(&self, kid: Option<&str>) -> Value {
        let mut j = match self {
            Key::Rsa(k) => {
                let pk = k.public_key();
                json!({
                    "kty": "RSA",
                    "e": URL_SAFE_NO_PAD.encode(pk.exponent().big_endian_without_leading_zero()),
                    "n": URL_SAFE_NO_PAD.encode(pk.modulus().big_endian_without_leading_zero()),
                })
            }
            Key::Ec(k) => {
                let p = k.public_key().as_ref();
                json!({
                    "kty": "EC", "crv": "P-256",
                    "x": URL_SAFE_NO_PAD.encode(&p[1..33]),
                    "y": URL_SAFE_NO_PAD.encode(&p[33..65]),
                })
            }
        };
        if let Some(kid) = kid {
            j["kid"] = json!(kid);
        }
        j
    }

    /// RFC 7638 thumbprint.
    fn thumbprint(&self) -> String {
        let j = self.jwk(None);
        let canonical = match self {
            Key::Rsa(_) => format!(
                r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
                j["e"].as_str().unwrap(),
                j["n"].as_str().unwrap()
            ),
            Key::Ec(_) => format!(
                r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
                j["x"].as_str().unwrap(),
                j["y"].as_str().unwrap()
            ),
        };
        URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, canonical.as_bytes()))
    }

    fn sign(&self, header: &Value, claims: &Value) -> String {
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let rng = SystemRandom::new();
        let sig = match self {
            Key::Rsa(k) => {
                let mut s = vec![0u8; k.public_modulus_len()];
                k.sign(&RSA_PKCS1_SHA256, &rng, input.as_bytes(), &mut s)
                    .unwrap();
                s
            }
            Key::Ec(k) => k.sign(&rng, input.as_bytes()).unwrap().as_ref().to_vec(),
        };
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
    }

    /// A DPoP proof for `htm` `htu` (with `nonce` and `ath` when given).
    fn proof(&self, htm: &str, htu: &str, nonce: Option<&str>, token: Option<&str>) -> String {
        let mut claims = json!({"htm": htm, "htu": htu, "iat": now(), "jti": fresh_jti()});
        if let Some(n) = nonce {
            claims["nonce"] = json!(n);
        }
        if let Some(t) = token {
            claims["ath"] = json!(ath(t));
        }
        self.sign(
            &json!({"typ": "dpop+jwt", "alg": self.alg(), "jwk": self.jwk(None)}),
            &claims,
        )
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn fresh_jti() -> String {
    let mut b = [0u8; 16];
    aws_lc_rs::rand::fill(&mut b).unwrap();
    URL_SAFE_NO_PAD.encode(b)
}

fn ath(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, token.as_bytes()))
}

fn payload(jwt: &str) -> Value {
    let p = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Emulator context

struct Ctx {
    emu: RunningEmulator,
    http: reqwest::Client,
}

struct Service {
    id: String,
    client_id: String,
}

struct Resp {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
    raw: String,
}

impl Resp {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    fn error(&self) -> (&str, &str) {
        (
            self.body["error"].as_str().unwrap_or(""),
            self.body["error_description"].as_str().unwrap_or(""),
        )
    }
}

async fn into_resp(r: reqwest::Response) -> Resp {
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let raw = r.text().await.unwrap();
    Resp {
        status,
        headers,
        body: serde_json::from_str(&raw).unwrap_or(Value::Null),
        raw,
    }
}

impl Ctx {
    async fn new() -> Ctx {
        Self::with(EmulatorConfig::ephemeral().with_api_token(TOKEN)).await
    }

    async fn with(cfg: EmulatorConfig) -> Ctx {
        Ctx {
            emu: spawn(cfg).await.unwrap(),
            http: reqwest::Client::new(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.emu.base_url())
    }

    fn token_url(&self) -> String {
        self.url("/oauth2/v1/token")
    }

    /// An admin (SSWS) `GET`.
    async fn get(&self, path: &str) -> Resp {
        self.api(reqwest::Method::GET, path, None).await
    }

    /// An admin (SSWS) `DELETE`.
    async fn delete(&self, path: &str) -> Resp {
        self.api(reqwest::Method::DELETE, path, None).await
    }

    async fn api(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Resp {
        let mut r = self
            .http
            .request(method, self.url(path))
            .header("Authorization", format!("SSWS {TOKEN}"));
        if let Some(b) = body {
            r = r.json(&b);
        }
        into_resp(r.send().await.unwrap()).await
    }

    /// A call with an OAuth access token (`Bearer`, or `DPoP` with `proof`).
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        auth: &str,
        proof: Option<&str>,
        body: Option<Value>,
    ) -> Resp {
        let mut r = self
            .http
            .request(method, self.url(path))
            .header("Authorization", auth);
        if let Some(p) = proof {
            r = r.header("DPoP", p);
        }
        if let Some(b) = body {
            r = r.json(&b);
        }
        into_resp(r.send().await.unwrap()).await
    }

    fn service_body(keys: Vec<Value>, dpop: bool) -> Value {
        json!({
            "name": "oidc_client", "label": "terraform", "signOnMode": "OPENID_CONNECT",
            "credentials": {"oauthClient": {"token_endpoint_auth_method": "private_key_jwt"}},
            "settings": {"oauthClient": {
                "application_type": "service", "grant_types": ["client_credentials"],
                "response_types": ["token"], "dpop_bound_access_tokens": dpop,
                "jwks": {"keys": keys},
            }},
        })
    }

    async fn service(&self, keys: Vec<Value>, dpop: bool) -> Service {
        let r = self
            .api(
                reqwest::Method::POST,
                "/api/v1/apps",
                Some(Self::service_body(keys, dpop)),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.raw);
        Service {
            id: r.body["id"].as_str().unwrap().to_string(),
            client_id: r.body["credentials"]["oauthClient"]["client_id"]
                .as_str()
                .unwrap()
                .to_string(),
        }
    }

    async fn grant(&self, app: &Service, scope: &str) -> Resp {
        self.api(
            reqwest::Method::POST,
            &format!("/api/v1/apps/{}/grants", app.id),
            Some(json!({"issuer": self.emu.base_url(), "scopeId": scope})),
        )
        .await
    }

    async fn role(&self, app: &Service, role: &str) -> Resp {
        self.api(
            reqwest::Method::POST,
            &format!("/oauth2/v1/clients/{}/roles", app.client_id),
            Some(json!({"type": role})),
        )
        .await
    }

    /// A service app with the key, scopes and role.
    async fn ready(&self, key: &Key, scopes: &[&str], role: Option<&str>, dpop: bool) -> Service {
        let app = self.service(vec![key.jwk(Some("k1"))], dpop).await;
        for s in scopes {
            assert_eq!(self.grant(&app, s).await.status, 201);
        }
        if let Some(r) = role {
            assert_eq!(self.role(&app, r).await.status, 201);
        }
        app
    }

    fn assertion(
        &self,
        key: &Key,
        kid: Option<&str>,
        client_id: &str,
        edit: impl FnOnce(&mut Value),
    ) -> String {
        let mut claims = json!({
            "iss": client_id, "sub": client_id, "aud": self.token_url(),
            "iat": now(), "exp": now() + 300, "jti": fresh_jti(),
        });
        edit(&mut claims);
        let mut header = json!({"alg": key.alg()});
        if let Some(k) = kid {
            header["kid"] = json!(k);
        }
        key.sign(&header, &claims)
    }

    /// A raw token request.
    async fn token_raw(&self, form: &[(&str, &str)], dpop: Option<&str>) -> Resp {
        let mut r = self.http.post(self.token_url()).form(form);
        if let Some(p) = dpop {
            r = r.header("DPoP", p);
        }
        into_resp(r.send().await.unwrap()).await
    }

    async fn token_for(&self, key: &Key, app: &Service, scope: &str) -> Resp {
        let a = self.assertion(key, Some("k1"), &app.client_id, |_| {});
        self.token_raw(
            &[
                ("grant_type", "client_credentials"),
                ("scope", scope),
                ("client_assertion_type", JWT_BEARER),
                ("client_assertion", &a),
            ],
            None,
        )
        .await
    }

    /// A Bearer access token (asserts success).
    async fn bearer(&self, key: &Key, app: &Service, scope: &str) -> String {
        let r = self.token_for(key, app, scope).await;
        assert_eq!(r.status, 200, "{}", r.raw);
        r.body["access_token"].as_str().unwrap().to_string()
    }
}

// ---------------------------------------------------------------------------------------------
// The openidconnect crate as the client

type HttpFuture = std::pin::Pin<
    Box<
        dyn std::future::Future<Output = Result<openidconnect::HttpResponse, std::io::Error>>
            + Send,
    >,
>;

fn http_hook(http: reqwest::Client) -> impl Fn(openidconnect::HttpRequest) -> HttpFuture {
    move |req| {
        let http = http.clone();
        Box::pin(async move {
            let (parts, body) = req.into_parts();
            let mut r = http.request(parts.method, parts.uri.to_string());
            for (k, v) in &parts.headers {
                r = r.header(k, v);
            }
            let resp = r.body(body).send().await.map_err(std::io::Error::other)?;
            let mut out = openidconnect::http::Response::builder().status(resp.status());
            for (k, v) in resp.headers() {
                out = out.header(k, v);
            }
            let bytes = resp.bytes().await.map_err(std::io::Error::other)?;
            out.body(bytes.to_vec()).map_err(std::io::Error::other)
        })
    }
}

#[tokio::test]
async fn client_credentials_with_rsa_and_ec_keys_through_a_real_client() {
    let c = Ctx::new().await;
    for key in [Key::rsa(), Key::ec()] {
        let app = c
            .ready(
                &key,
                &["okta.apps.read", "okta.groups.manage"],
                Some("SUPER_ADMIN"),
                false,
            )
            .await;
        let client = CoreClient::new(
            ClientId::new(app.client_id.clone()),
            IssuerUrl::new(c.emu.base_url().to_string()).unwrap(),
            JsonWebKeySet::new(vec![]),
        )
        .set_auth_type(AuthType::RequestBody)
        .set_token_uri(TokenUrl::new(c.token_url()).unwrap());
        let assertion = c.assertion(&key, Some("k1"), &app.client_id, |_| {});
        let tokens = client
            .exchange_client_credentials()
            .add_scope(Scope::new("okta.apps.read".into()))
            .add_scope(Scope::new("okta.groups.manage".into()))
            .add_extra_param("client_assertion_type", JWT_BEARER)
            .add_extra_param("client_assertion", assertion)
            .request_async(&http_hook(c.http.clone()))
            .await
            .unwrap();
        // The crate parses the type case-insensitively and reports it in lower case.
        assert_eq!(tokens.token_type().as_ref(), "bearer");
        assert_eq!(tokens.expires_in(), Some(Duration::from_secs(3600)));
        let scopes: Vec<String> = tokens
            .scopes()
            .unwrap()
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(scopes, ["okta.apps.read", "okta.groups.manage"]);
        let at = tokens.access_token().secret().clone();
        let claims = payload(&at);
        assert_eq!(claims["cid"], app.client_id.as_str());
        assert_eq!(claims["sub"], app.client_id.as_str());
        assert_eq!(claims["iss"], c.emu.base_url());
        assert_eq!(
            claims["scp"],
            json!(["okta.apps.read", "okta.groups.manage"])
        );
        let r = c
            .call(
                reqwest::Method::GET,
                "/api/v1/apps",
                &format!("Bearer {at}"),
                None,
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.raw);
        assert!(r
            .body
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == app.id.as_str()));
        let r = c
            .call(
                reqwest::Method::POST,
                "/api/v1/groups",
                &format!("Bearer {at}"),
                None,
                Some(json!({"profile": {"name": format!("g-{}", key.alg())}})),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.raw);
    }
    c.emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn service_apps_are_validated_like_okta() {
    let c = Ctx::new().await;
    let key = Key::rsa();
    let post = |body: Value| c.api(reqwest::Method::POST, "/api/v1/apps", Some(body));
    let cause = |r: &Resp| {
        r.body["errorCauses"][0]["errorSummary"]
            .as_str()
            .unwrap_or("")
            .to_string()
    };

    let mut b = Ctx::service_body(vec![key.jwk(Some("k1"))], false);
    b["settings"]["oauthClient"]
        .as_object_mut()
        .unwrap()
        .remove("jwks");
    let r = post(b).await;
    assert_eq!(
        (r.status, r.body["errorCode"].as_str()),
        (400, Some("E0000001"))
    );
    assert!(cause(&r).starts_with("jwks: "), "{}", r.raw);

    let mut b = Ctx::service_body(vec![key.jwk(Some("k1"))], false);
    b["credentials"]["oauthClient"]["client_secret"] = json!("abcdefghijklmnopqrstuvwxyz123456");
    let r = post(b).await;
    assert_eq!(r.status, 400);
    assert_eq!(
        cause(&r),
        "client_secret: 'client_secret' can't be used when 'token_endpoint_auth_method' is 'private_key_jwt'."
    );

    let mut b = Ctx::service_body(vec![key.jwk(Some("k1"))], false);
    b["settings"]["oauthClient"]["grant_types"] = json!(["authorization_code"]);
    assert_eq!(post(b).await.status, 400);

    let mut private = key.jwk(Some("k1"));
    private["d"] = json!("AAAA");
    let r = post(Ctx::service_body(vec![private], false)).await;
    assert_eq!(r.status, 400);
    assert!(cause(&r).starts_with("jwks: "));
    let r = post(Ctx::service_body(
        vec![key.jwk(None), Key::ec().jwk(None)],
        false,
    ))
    .await;
    assert_eq!(r.status, 400, "two keys without kid");

    // DPoP: fine for a service app, refused for a web app with client_credentials.
    let r = post(Ctx::service_body(vec![key.jwk(Some("k1"))], true)).await;
    assert_eq!(r.status, 200, "{}", r.raw);
    assert_eq!(
        r.body["settings"]["oauthClient"]["dpop_bound_access_tokens"],
        true
    );
    assert_eq!(
        r.body["credentials"]["oauthClient"]["token_endpoint_auth_method"],
        "private_key_jwt"
    );
    assert!(r.body["credentials"]["oauthClient"]
        .get("client_secret")
        .is_none());
    assert_eq!(
        r.body["settings"]["oauthClient"]["jwks"]["keys"][0]["kid"],
        "k1"
    );
    let r = post(json!({
        "name": "oidc_client", "label": "web", "signOnMode": "OPENID_CONNECT",
        "settings": {"oauthClient": {"application_type": "web",
            "grant_types": ["authorization_code", "client_credentials"], "response_types": ["code"],
            "redirect_uris": ["https://a.example.com/cb"], "dpop_bound_access_tokens": true}},
    }))
    .await;
    assert_eq!(r.status, 400);
    assert!(cause(&r).starts_with("dpop_bound_access_tokens: "));
    c.emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn grants_and_roles_apis() {
    let c = Ctx::new().await;
    let app = c.service(vec![Key::ec().jwk(Some("k1"))], false).await;
    let r = c.grant(&app, "okta.apps.manage").await;
    assert_eq!(r.status, 201, "{}", r.raw);
    let g = &r.body;
    assert!(g["id"].as_str().unwrap().starts_with("oag"));
    assert_eq!(g["status"], "ACTIVE");
    assert_eq!(g["issuer"], c.emu.base_url());
    assert_eq!(g["clientId"], app.client_id.as_str());
    assert_eq!(g["scopeId"], "okta.apps.manage");
    assert_eq!(g["source"], "ADMIN");
    assert_eq!(
        g["_links"]["self"]["href"],
        c.url(&format!(
            "/api/v1/apps/{}/grants/{}",
            app.id,
            g["id"].as_str().unwrap()
        ))
    );
    let gid = g["id"].as_str().unwrap().to_string();
    let list = c.get(&format!("/api/v1/apps/{}/grants", app.id)).await;
    assert_eq!(list.body.as_array().unwrap().len(), 1);
    let one = c
        .get(&format!(
            "/api/v1/apps/{}/grants/{gid}?expand=scope",
            app.id
        ))
        .await;
    assert_eq!(one.body["_embedded"]["scope"]["id"], "okta.apps.manage");

    let bad = c.grant(&app, "okta.nothing.read").await;
    assert_eq!(
        (bad.status, bad.body["errorCode"].as_str()),
        (400, Some("E0000001"))
    );
    assert_eq!(bad.body["errorSummary"], "Api validation failed: scopeId");
    let dup = c.grant(&app, "okta.apps.manage").await;
    assert_eq!(dup.status, 400);
    let other_issuer = c
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/apps/{}/grants", app.id),
            Some(json!({"issuer": "https://elsewhere.okta.com", "scopeId": "okta.users.read"})),
        )
        .await;
    assert_eq!(other_issuer.status, 400);
    let unknown_app = c
        .api(
            reqwest::Method::POST,
            "/api/v1/apps/0oaNOPE/grants",
            Some(json!({"issuer": c.emu.base_url(), "scopeId": "okta.users.read"})),
        )
        .await;
    assert_eq!(unknown_app.status, 404);

    let r = c.role(&app, "APP_ADMIN").await;
    assert_eq!(r.status, 201, "{}", r.raw);
    assert_eq!(r.body["type"], "APP_ADMIN");
    assert_eq!(r.body["label"], "Application Administrator");
    assert_eq!(r.body["assignmentType"], "CLIENT");
    assert_eq!(r.body["status"], "ACTIVE");
    let rid = r.body["id"].as_str().unwrap().to_string();
    assert_eq!(c.role(&app, "APP_ADMIN").await.status, 409);
    assert_eq!(c.role(&app, "KING").await.status, 400);
    // The same roles under /api/v1/apps/{clientId}/roles.
    let list = c
        .get(&format!("/api/v1/apps/{}/roles", app.client_id))
        .await;
    assert_eq!(list.body.as_array().unwrap().len(), 1);
    assert_eq!(list.body[0]["id"], rid.as_str());
    // The admin state dump shows both with the app.
    let state: Value = c
        .http
        .get(c.url("/__emulator/state"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entry = state["apps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["app"]["id"] == app.id.as_str())
        .unwrap();
    assert_eq!(entry["grants"][0]["scopeId"], "okta.apps.manage");
    assert_eq!(entry["roles"][0]["type"], "APP_ADMIN");
    let del = c
        .delete(&format!("/oauth2/v1/clients/{}/roles/{rid}", app.client_id))
        .await;
    assert_eq!(del.status, 204);
    let del = c
        .delete(&format!("/api/v1/apps/{}/grants/{gid}", app.id))
        .await;
    assert_eq!(del.status, 204);
    let gone = c
        .get(&format!("/api/v1/apps/{}/grants/{gid}", app.id))
        .await;
    assert_eq!(gone.status, 404);
    // The client roles API is not public.
    let anon = c
        .http
        .get(c.url(&format!("/oauth2/v1/clients/{}/roles", app.client_id)))
        .send()
        .await
        .unwrap();
    assert_eq!(anon.status().as_u16(), 403);
    c.emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn every_client_assertion_failure_has_okta_error() {
    let c = Ctx::new().await;
    let key = Key::rsa();
    let app = c
        .ready(&key, &["okta.apps.read"], Some("SUPER_ADMIN"), false)
        .await;
    let cid = app.client_id.clone();
    let form = |a: &str| {
        vec![
            ("grant_type", "client_credentials".to_string()),
            ("scope", "okta.apps.read".to_string()),
            ("client_assertion_type", JWT_BEARER.to_string()),
            ("client_assertion", a.to_string()),
        ]
    };
    let cr = &c;
    let send = |f: Vec<(&'static str, String)>| async move {
        let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        cr.token_raw(&pairs, None).await
    };
    let expect = |r: &Resp, status: u16, error: &str, description: &str| {
        assert_eq!(
            (r.status, r.error()),
            (status, (error, description)),
            "{}",
            r.raw
        );
    };
    let cases: Vec<(String, &str)> = vec![
        (
            c.assertion(&key, Some("other"), &cid, |_| {}),
            "The client_assertion JWT kid is invalid.",
        ),
        (
            c.assertion(&Key::rsa(), Some("k1"), &cid, |_| {}),
            "The client_assertion signature is invalid.",
        ),
        (
            c.assertion(&key, Some("k1"), &cid, |cl| cl["exp"] = json!(now() - 5)),
            "The client_assertion token is expired.",
        ),
        (
            c.assertion(&key, Some("k1"), &cid, |cl| cl["exp"] = json!(now() + 7200)),
            "The client_assertion token has an expiration too far into the future.",
        ),
        (
            c.assertion(&key, Some("k1"), &cid, |cl| {
                cl["aud"] = json!(format!("{}/oauth2/default/v1/token", c.emu.base_url()))
            }),
            "The audience claim for client_assertion must be the endpoint invoked for the request.",
        ),
        (
            c.assertion(&key, Some("k1"), &cid, |cl| {
                cl["sub"] = json!("someone-else")
            }),
            "The issuer and subject claims of the client_assertion must be the client_id.",
        ),
    ];
    for (a, description) in cases {
        expect(&send(form(&a)).await, 401, "invalid_client", description);
    }
    // A jti is single use.
    let a = c.assertion(&key, Some("k1"), &cid, |_| {});
    assert_eq!(send(form(&a)).await.status, 200);
    expect(
        &send(form(&a)).await,
        401,
        "invalid_client",
        "The client_assertion token has already been used.",
    );
    // Wrong or missing assertion type; secret next to an assertion.
    let a = c.assertion(&key, Some("k1"), &cid, |_| {});
    let mut f = form(&a);
    f[2].1 = "urn:nope".into();
    expect(
        &send(f).await,
        401,
        "invalid_client",
        "The client_assertion_type is invalid.",
    );
    let mut f = form(&a);
    f.push(("client_secret", "x".into()));
    assert_eq!(send(f).await.error().0, "invalid_request");
    // Scopes: not granted, unknown, missing.
    let a = c.assertion(&key, Some("k1"), &cid, |_| {});
    let mut f = form(&a);
    f[1].1 = "okta.apps.read okta.users.read".into();
    expect(
        &send(f).await,
        400,
        "invalid_scope",
        "The following scopes are not allowed: okta.users.read",
    );
    for scope in ["openid", ""] {
        let a = c.assertion(&key, Some("k1"), &cid, |_| {});
        let mut f = form(&a);
        f[1].1 = scope.into();
        expect(
            &send(f).await,
            400,
            "invalid_scope",
            "The requested scope is invalid, unknown, or malformed.",
        );
    }
    // A grant type the app does not have; an unknown one.
    let a = c.assertion(&key, Some("k1"), &cid, |_| {});
    let mut f = form(&a);
    f[0].1 = "password".into();
    assert_eq!(send(f).await.error().0, "unauthorized_client");
    let a = c.assertion(&key, Some("k1"), &cid, |_| {});
    let mut f = form(&a);
    f[0].1 = "urn:nope".into();
    assert_eq!(send(f).await.error().0, "unsupported_grant_type");
    // No credentials at all.
    let r = c
        .token_raw(
            &[
                ("grant_type", "client_credentials"),
                ("scope", "okta.apps.read"),
            ],
            None,
        )
        .await;
    expect(&r, 401, "invalid_client", "No client credentials found.");
    c.emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn management_calls_enforce_scopes_and_roles() {
    let c = Ctx::new().await;
    let key = Key::ec();
    let app = c
        .ready(
            &key,
            &["okta.apps.read", "okta.groups.read"],
            Some("APP_ADMIN"),
            false,
        )
        .await;
    let at = c.bearer(&key, &app, "okta.apps.read").await;
    let bearer = format!("Bearer {at}");
    let org = c.emu.base_url().to_string();

    let r = c
        .call(reqwest::Method::GET, "/api/v1/apps", &bearer, None, None)
        .await;
    assert_eq!(r.status, 200);
    // Outside the token's scopes: 403, empty body, Okta's challenge.
    let r = c
        .call(reqwest::Method::GET, "/api/v1/groups", &bearer, None, None)
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(r.raw, "");
    assert_eq!(
        r.header("www-authenticate"),
        format!("Bearer authorization_uri=\"{org}/oauth2/v1/authorize\", realm=\"{org}\", scope=\"okta.groups.read\", error=\"insufficient_scope\", error_description=\"The access token provided does not contain the required scopes.\", resource=\"/api/v1/groups\"")
    );
    let r = c
        .call(
            reqwest::Method::POST,
            "/api/v1/apps",
            &bearer,
            None,
            Some(Ctx::service_body(vec![key.jwk(Some("x"))], false)),
        )
        .await;
    assert_eq!(r.status, 403);
    assert!(r
        .header("www-authenticate")
        .contains("scope=\"okta.apps.manage\""));
    assert!(r
        .header("www-authenticate")
        .contains("resource=\"/api/v1/apps\""));

    // In scope, but APP_ADMIN does not cover groups: Okta's E0000006.
    let at_groups = c.bearer(&key, &app, "okta.groups.read").await;
    let r = c
        .call(
            reqwest::Method::GET,
            "/api/v1/groups",
            &format!("Bearer {at_groups}"),
            None,
            None,
        )
        .await;
    assert_eq!(
        (r.status, r.body["errorCode"].as_str()),
        (403, Some("E0000006"))
    );
    assert_eq!(
        r.body["errorSummary"],
        "You do not have permission to perform the requested action"
    );
    // Without any role, nothing is allowed.
    let bare = c.ready(&key, &["okta.apps.read"], None, false).await;
    let t = c.bearer(&key, &bare, "okta.apps.read").await;
    let r = c
        .call(
            reqwest::Method::GET,
            "/api/v1/apps",
            &format!("Bearer {t}"),
            None,
            None,
        )
        .await;
    assert_eq!(
        (r.status, r.body["errorCode"].as_str()),
        (403, Some("E0000006"))
    );
    // READ_ONLY_ADMIN reads groups.
    assert_eq!(c.role(&app, "READ_ONLY_ADMIN").await.status, 201);
    let r = c
        .call(
            reqwest::Method::GET,
            "/api/v1/groups",
            &format!("Bearer {at_groups}"),
            None,
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.raw);

    // Forged or unknown tokens: 401 E0000011 with an invalid_token challenge.
    for bad in ["Bearer nope", &format!("Bearer {}x", at)] {
        let r = c
            .call(reqwest::Method::GET, "/api/v1/apps", bad, None, None)
            .await;
        assert_eq!(
            (r.status, r.body["errorCode"].as_str()),
            (401, Some("E0000011"))
        );
        assert_eq!(r.body["errorSummary"], "Invalid token provided");
        assert!(r
            .header("www-authenticate")
            .starts_with("Bearer authorization_uri="));
        assert!(r
            .header("www-authenticate")
            .contains("error=\"invalid_token\""));
    }
    // A user's token from sign-in is no Management API token either; nor is a DPoP scheme
    // with a Bearer token.
    let r = c
        .call(
            reqwest::Method::GET,
            "/api/v1/apps",
            &format!("DPoP {at}"),
            Some("x"),
            None,
        )
        .await;
    assert_eq!(r.status, 401);
    // Deactivating the app ends its tokens.
    c.api(
        reqwest::Method::POST,
        &format!("/api/v1/apps/{}/lifecycle/deactivate", app.id),
        None,
    )
    .await;
    let r = c
        .call(reqwest::Method::GET, "/api/v1/apps", &bearer, None, None)
        .await;
    assert_eq!(r.status, 401);
    c.emu.shutdown().await.unwrap();
}

/// The Policies API takes `okta.policies.read` / `okta.policies.manage`; mapping an app to an
/// access policy is an apps call (`okta.apps.manage`).
#[tokio::test]
async fn policies_need_the_policies_scopes() {
    let c = Ctx::new().await;
    let key = Key::ec();
    let app = c
        .ready(
            &key,
            &["okta.policies.read", "okta.apps.read"],
            Some("SUPER_ADMIN"),
            false,
        )
        .await;
    let list = "/api/v1/policies?type=ACCESS_POLICY";
    let apps_token = format!("Bearer {}", c.bearer(&key, &app, "okta.apps.read").await);
    let r = c
        .call(reqwest::Method::GET, list, &apps_token, None, None)
        .await;
    assert_eq!(r.status, 403);
    assert!(r
        .header("www-authenticate")
        .contains("scope=\"okta.policies.read\""));
    let read = format!(
        "Bearer {}",
        c.bearer(&key, &app, "okta.policies.read").await
    );
    let r = c.call(reqwest::Method::GET, list, &read, None, None).await;
    assert_eq!(r.status, 200, "{}", r.raw);
    let default = r
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["system"] == true)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = c
        .call(
            reqwest::Method::POST,
            "/api/v1/policies",
            &read,
            None,
            Some(json!({"type": "ACCESS_POLICY", "name": "x"})),
        )
        .await;
    assert_eq!(r.status, 403);
    assert!(r
        .header("www-authenticate")
        .contains("scope=\"okta.policies.manage\""));
    let r = c
        .call(
            reqwest::Method::PUT,
            &format!("/api/v1/apps/{}/policies/{default}", app.id),
            &read,
            None,
            None,
        )
        .await;
    assert_eq!(r.status, 403);
    assert!(r
        .header("www-authenticate")
        .contains("scope=\"okta.apps.manage\""));
    c.emu.shutdown().await.unwrap();
}

/// Okta's internal API (the org server's per-app groups claim) takes SSWS tokens but refuses
/// a service app's OAuth 2.0 access token whatever its scopes and role: 403 `E0000005`
/// "Invalid session" (okta/terraform-provider-okta#568, #1253, #1906).
#[tokio::test]
async fn internal_api_refuses_oauth_tokens_but_takes_ssws() {
    let c = Ctx::new().await;
    let key = Key::ec();
    let svc = c
        .ready(
            &key,
            &["okta.apps.read", "okta.apps.manage"],
            Some("SUPER_ADMIN"),
            false,
        )
        .await;
    let web = c
        .api(
            reqwest::Method::POST,
            "/api/v1/apps",
            Some(json!({
                "name": "oidc_client", "label": "pomerium", "signOnMode": "OPENID_CONNECT",
                "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
                "settings": {"oauthClient": {
                    "application_type": "web", "grant_types": ["authorization_code"],
                    "response_types": ["code"],
                    "redirect_uris": ["https://authenticate.example.com/oauth2/callback"]
                }}
            })),
        )
        .await;
    assert_eq!(web.status, 200, "{}", web.raw);
    let web_id = web.body["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/internal/apps/{web_id}/settings/oauth/idToken");
    let claim = json!({"issuerMode": "ORG_URL", "name": "groups", "valueType": "GROUPS",
        "groupFilterType": "STARTS_WITH", "value": "eng"});
    let at = c
        .bearer(&key, &svc, "okta.apps.read okta.apps.manage")
        .await;
    let bearer = format!("Bearer {at}");
    // The token itself is good for the public API.
    let r = c
        .call(
            reqwest::Method::GET,
            &format!("/api/v1/apps/{web_id}"),
            &bearer,
            None,
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    for (method, body) in [
        (reqwest::Method::GET, None),
        (reqwest::Method::POST, Some(claim.clone())),
    ] {
        let r = c.call(method.clone(), &path, &bearer, None, body).await;
        assert_eq!(r.status, 403, "{method}: {}", r.raw);
        assert_eq!(r.body["errorCode"], "E0000005");
        assert_eq!(r.body["errorSummary"], "Invalid session");
        assert_eq!(r.body["errorLink"], "E0000005");
        assert_eq!(r.body["errorCauses"], json!([]));
        assert!(r.body["errorId"].as_str().unwrap().starts_with("oae"));
    }
    // Nothing was written; SSWS still reads and writes the claim.
    let r = c.api(reqwest::Method::GET, &path, None).await;
    assert_eq!(r.status, 200);
    assert!(r.body.get("name").is_none(), "{}", r.raw);
    let r = c.api(reqwest::Method::POST, &path, Some(claim)).await;
    assert_eq!(r.status, 200, "{}", r.raw);
    let r = c.api(reqwest::Method::GET, &path, None).await;
    assert_eq!(r.body["name"], "groups");
    c.emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn short_lived_tokens_expire() {
    let c = Ctx::with(
        EmulatorConfig::ephemeral()
            .with_api_token(TOKEN)
            // Whole seconds: a 1 s token issued late in a second may be gone at once.
            .with_access_token_lifetime(Duration::from_secs(2)),
    )
    .await;
    let key = Key::rsa();
    let app = c
        .ready(&key, &["okta.apps.read"], Some("SUPER_ADMIN"), false)
        .await;
    let r = c.token_for(&key, &app, "okta.apps.read").await;
    assert_eq!(r.body["expires_in"], 2);
    let bearer = format!("Bearer {}", r.body["access_token"].as_str().unwrap());
    assert_eq!(
        c.call(reqwest::Method::GET, "/api/v1/apps", &bearer, None, None)
            .await
            .status,
        200
    );
    tokio::time::sleep(Duration::from_millis(3100)).await;
    let r = c
        .call(reqwest::Method::GET, "/api/v1/apps", &bearer, None, None)
        .await;
    assert_eq!(
        (r.status, r.body["errorCode"].as_str()),
        (401, Some("E0000011"))
    );
    assert!(r
        .header("www-authenticate")
        .contains("error=\"invalid_token\""));
    // A new token works again.
    let t = c.bearer(&key, &app, "okta.apps.read").await;
    assert_eq!(
        c.call(
            reqwest::Method::GET,
            "/api/v1/apps",
            &format!("Bearer {t}"),
            None,
            None
        )
        .await
        .status,
        200
    );
    c.emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn dpop_nonce_dance_and_bound_resource_calls() {
    let c = Ctx::new().await;
    let key = Key::rsa();
    let proof_key = Key::ec();
    let app = c
        .ready(&key, &["okta.apps.read"], Some("SUPER_ADMIN"), true)
        .await;
    let token_url = c.token_url();
    let form = |a: String| {
        vec![
            ("grant_type", "client_credentials".to_string()),
            ("scope", "okta.apps.read".to_string()),
            ("client_assertion_type", JWT_BEARER.to_string()),
            ("client_assertion", a),
        ]
    };
    let cr = &c;
    let send = |f: Vec<(&'static str, String)>, proof: Option<String>| async move {
        let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        cr.token_raw(&pairs, proof.as_deref()).await
    };
    let assertion = || c.assertion(&key, Some("k1"), &app.client_id, |_| {});

    // No proof.
    let r = send(form(assertion()), None).await;
    assert_eq!(
        (r.status, r.error()),
        (
            400,
            (
                "invalid_dpop_proof",
                "The DPoP proof JWT header is missing."
            )
        )
    );
    // A proof without nonce: use_dpop_nonce and a nonce to use.
    let r = send(
        form(assertion()),
        Some(proof_key.proof("POST", &token_url, None, None)),
    )
    .await;
    assert_eq!(
        (r.status, r.error()),
        (
            400,
            (
                "use_dpop_nonce",
                "Authorization server requires nonce in DPoP proof."
            )
        )
    );
    let nonce = r.header("dpop-nonce").to_string();
    assert!(!nonce.is_empty());
    // A wrong nonce gets the dance again.
    let r = send(
        form(assertion()),
        Some(proof_key.proof("POST", &token_url, Some("stale"), None)),
    )
    .await;
    assert_eq!(r.error().0, "use_dpop_nonce");
    // A proof for another URL is invalid.
    let r = send(
        form(assertion()),
        Some(proof_key.proof(
            "POST",
            &c.url("/oauth2/default/v1/token"),
            Some(&nonce),
            None,
        )),
    )
    .await;
    assert_eq!(r.error().0, "invalid_dpop_proof");
    // With the nonce: a DPoP token bound to the proof key.
    let r = send(
        form(assertion()),
        Some(proof_key.proof("POST", &token_url, Some(&nonce), None)),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.raw);
    assert_eq!(r.body["token_type"], "DPoP");
    let at = r.body["access_token"].as_str().unwrap().to_string();
    assert_eq!(payload(&at)["cnf"]["jkt"], proof_key.thumbprint().as_str());

    let apps_url = c.url("/api/v1/apps");
    let dpop_auth = format!("DPoP {at}");
    let good = proof_key.proof("GET", &apps_url, None, Some(&at));
    let r = c
        .call(
            reqwest::Method::GET,
            "/api/v1/apps",
            &dpop_auth,
            Some(&good),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.raw);
    // The same proof again is a replay.
    let r = c
        .call(
            reqwest::Method::GET,
            "/api/v1/apps",
            &dpop_auth,
            Some(&good),
            None,
        )
        .await;
    assert_eq!(r.status, 401);
    // Bad ath, another key, no proof, Bearer scheme: all refused.
    let bad_ath = proof_key.proof("GET", &apps_url, None, Some("another-token"));
    let other_key = Key::ec().proof("GET", &apps_url, None, Some(&at));
    for (auth, proof) in [
        (dpop_auth.as_str(), Some(bad_ath.as_str())),
        (dpop_auth.as_str(), Some(other_key.as_str())),
        (dpop_auth.as_str(), None),
        (&format!("Bearer {at}") as &str, None),
    ] {
        let r = c
            .call(reqwest::Method::GET, "/api/v1/apps", auth, proof, None)
            .await;
        assert_eq!(
            (r.status, r.body["errorCode"].as_str()),
            (401, Some("E0000011")),
            "{auth:.10} {proof:?}"
        );
    }
    let r = c
        .call(
            reqwest::Method::GET,
            "/api/v1/apps",
            &dpop_auth,
            Some(&proof_key.proof("GET", &apps_url, None, Some("another-token"))),
            None,
        )
        .await;
    let ch = r.header("www-authenticate");
    assert!(
        ch.starts_with("DPoP algs=\"RS256 RS384 RS512 ES256 ES384 ES512\", "),
        "{ch}"
    );
    assert!(ch.contains("error=\"invalid_dpop_proof\""), "{ch}");
    // Outside the scope: the DPoP challenge.
    let groups_url = c.url("/api/v1/groups");
    let r = c
        .call(
            reqwest::Method::GET,
            "/api/v1/groups",
            &dpop_auth,
            Some(&proof_key.proof("GET", &groups_url, None, Some(&at))),
            None,
        )
        .await;
    assert_eq!(r.status, 403);
    let ch = r.header("www-authenticate");
    assert!(
        ch.starts_with("DPoP algs=\"RS256 RS384 RS512 ES256 ES384 ES512\", authorization_uri="),
        "{ch}"
    );
    assert!(
        ch.contains("scope=\"okta.groups.read\", error=\"insufficient_scope\""),
        "{ch}"
    );
    c.emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn grants_roles_jwks_and_used_assertions_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let key = Key::ec();
    let c = Ctx::with(
        EmulatorConfig::ephemeral()
            .with_api_token(TOKEN)
            .with_state_file(&path),
    )
    .await;
    // Restart on the same address, so the org URL (issuer, token endpoint) stays the same.
    let mut cfg = EmulatorConfig::ephemeral()
        .with_api_token(TOKEN)
        .with_state_file(&path);
    cfg.listen = c.emu.addr();
    let app = c
        .ready(&key, &["okta.apps.read"], Some("APP_ADMIN"), false)
        .await;
    let used = c.assertion(&key, Some("k1"), &app.client_id, |_| {});
    let form = [
        ("grant_type", "client_credentials"),
        ("scope", "okta.apps.read"),
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", used.as_str()),
    ];
    let r = c.token_raw(&form, None).await;
    assert_eq!(r.status, 200, "{}", r.raw);
    let before = r.body["access_token"].as_str().unwrap().to_string();
    c.emu.shutdown().await.unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        !text.contains(&before),
        "access tokens are kept by jti only"
    );
    assert!(!text.contains(&used), "assertions are not stored");

    let c = Ctx::with(cfg).await;
    let grants = c.get(&format!("/api/v1/apps/{}/grants", app.id)).await;
    assert_eq!(grants.body[0]["scopeId"], "okta.apps.read");
    let roles = c
        .get(&format!("/oauth2/v1/clients/{}/roles", app.client_id))
        .await;
    assert_eq!(roles.body[0]["type"], "APP_ADMIN");
    // The token from before the restart still works; the used assertion is still used.
    let r = c
        .call(
            reqwest::Method::GET,
            "/api/v1/apps",
            &format!("Bearer {before}"),
            None,
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.raw);
    let r = c.token_raw(&form, None).await;
    assert_eq!(
        r.error(),
        (
            "invalid_client",
            "The client_assertion token has already been used."
        )
    );
    // The app's jwks came back: a new assertion works.
    let t = c.bearer(&key, &app, "okta.apps.read").await;
    assert_ne!(t, before);
    c.emu.shutdown().await.unwrap();
}
