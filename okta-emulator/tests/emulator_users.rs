//! okta-emulator's Users API, group membership and primary authentication (`/api/v1/authn`),
//! with Okta's shapes, statuses and errors, and their persistence under `--state`.

// `[id.clone()]` reads better than `std::slice::from_ref(&id)` in expected id lists.
#![allow(clippy::cloned_ref_to_slice_refs)]

use okta_emulator::{spawn, EmulatorConfig, RunningEmulator};
use reqwest::header::HeaderMap;
use serde_json::{json, Value};

const TOKEN: &str = "users-test-token";
const PASSWORD: &str = "tlpWENT2m";

struct Ctx {
    emu: RunningEmulator,
    http: reqwest::Client,
}

struct Resp {
    status: u16,
    body: Value,
    headers: HeaderMap,
}

impl Resp {
    fn next_link(&self) -> Option<String> {
        self.headers.get_all("link").iter().find_map(|v| {
            let l = v.to_str().ok()?;
            l.ends_with("rel=\"next\"").then(|| {
                l.trim_start_matches('<')
                    .split('>')
                    .next()
                    .unwrap_or("")
                    .to_string()
            })
        })
    }

    fn error(&self) -> (u16, &str, &str) {
        (
            self.status,
            self.body["errorCode"].as_str().unwrap_or(""),
            self.body["errorSummary"].as_str().unwrap_or(""),
        )
    }

    fn causes(&self) -> Vec<String> {
        self.body["errorCauses"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|c| c["errorSummary"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn ids(&self) -> Vec<String> {
        self.body
            .as_array()
            .unwrap_or(&Vec::new())
            .iter()
            .filter_map(|u| u["id"].as_str().map(str::to_string))
            .collect()
    }
}

impl Ctx {
    async fn with(config: EmulatorConfig) -> Self {
        Ctx {
            emu: spawn(config.with_api_token(TOKEN))
                .await
                .expect("emulator starts"),
            http: reqwest::Client::builder().no_proxy().build().unwrap(),
        }
    }

    async fn new() -> Self {
        Self::with(EmulatorConfig::ephemeral()).await
    }

    async fn send(
        &self,
        token: Option<&str>,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Resp {
        let url = if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.emu.base_url())
        };
        let mut req = self
            .http
            .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), url)
            .header("Accept", "application/json");
        if let Some(t) = token {
            req = req.header("Authorization", format!("SSWS {t}"));
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp {
            status,
            body,
            headers,
        }
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Resp {
        self.send(Some(TOKEN), method, path, body).await
    }

    async fn create_user(&self, query: &str, body: Value) -> Value {
        let r = self
            .call("POST", &format!("/api/v1/users{query}"), Some(body))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        r.body
    }

    async fn user(&self, first: &str, last: &str, login: &str) -> String {
        self.create_user("", person(first, last, login, Some(PASSWORD)))
            .await["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    async fn authn(&self, username: &str, password: &str) -> Resp {
        self.send(
            None,
            "POST",
            "/api/v1/authn",
            Some(json!({"username": username, "password": password,
                        "options": {"multiOptionalFactorEnroll": false,
                                    "warnBeforePasswordExpired": false}})),
        )
        .await
    }

    async fn state(&self) -> Value {
        self.send(None, "GET", "/__emulator/state", None).await.body
    }
}

fn person(first: &str, last: &str, login: &str, password: Option<&str>) -> Value {
    let mut body = json!({"profile": {"firstName": first, "lastName": last, "email": login,
                                      "login": login}});
    if let Some(p) = password {
        body["credentials"] = json!({"password": {"value": p}});
    }
    body
}

#[tokio::test]
async fn create_get_and_statuses() {
    let c = Ctx::new().await;
    let mut body = person("Isaac", "Brock", "isaac.brock@example.com", Some(PASSWORD));
    body["profile"]["department"] = json!("music");
    let u = c.create_user("?activate=true", body).await;
    let id = u["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("00u") && id.len() == 20, "{id}");
    assert_eq!(u["status"], "ACTIVE");
    assert_eq!(
        u["credentials"],
        json!({"password": {}, "provider": {"type": "OKTA", "name": "OKTA"}})
    );
    assert!(!u.to_string().contains(PASSWORD));
    assert_eq!(u["activated"], u["created"]);
    assert_eq!(u["passwordChanged"], u["created"]);
    assert_eq!(u["lastLogin"], Value::Null);
    assert_eq!(u["profile"]["mobilePhone"], Value::Null);
    assert_eq!(u["profile"]["department"], "music");
    assert!(u["type"]["id"].as_str().unwrap().starts_with("oty"));
    assert!(u["_links"]["deactivate"]["href"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/api/v1/users/{id}/lifecycle/deactivate")));

    // By id and by login (case-insensitive).
    for key in [
        id.as_str(),
        "isaac.brock@example.com",
        "Isaac.Brock@Example.com",
    ] {
        let r = c.call("GET", &format!("/api/v1/users/{key}"), None).await;
        assert_eq!(r.status, 200, "{key}");
        assert_eq!(r.body["id"], id.as_str());
    }

    // activate=false → STAGED; no password → PROVISIONED.
    let staged = c
        .create_user(
            "?activate=false",
            person("S", "T", "staged@example.com", Some(PASSWORD)),
        )
        .await;
    assert_eq!(staged["status"], "STAGED");
    assert_eq!(staged["activated"], Value::Null);
    assert!(staged["_links"]["activate"].is_object());
    let prov = c
        .create_user("", person("P", "V", "prov@example.com", None))
        .await;
    assert_eq!(prov["status"], "PROVISIONED");
    assert_eq!(
        prov["credentials"],
        json!({"provider": {"type": "OKTA", "name": "OKTA"}})
    );

    // Activating the STAGED user (with a password) makes it ACTIVE; again is E0000016.
    let sid = staged["id"].as_str().unwrap();
    let r = c
        .call(
            "POST",
            &format!("/api/v1/users/{sid}/lifecycle/activate?sendEmail=false"),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body["activationToken"].is_string());
    let got = c.call("GET", &format!("/api/v1/users/{sid}"), None).await;
    assert_eq!(got.body["status"], "ACTIVE");
    assert!(got.body["activated"].is_string());
    let again = c
        .call(
            "POST",
            &format!("/api/v1/users/{sid}/lifecycle/activate"),
            None,
        )
        .await;
    assert_eq!(
        again.error(),
        (
            403,
            "E0000016",
            "Activation failed because the user is already active"
        )
    );

    // Unknown ids are Okta's 404.
    let r = c.call("GET", "/api/v1/users/00unope", None).await;
    assert_eq!(
        r.error(),
        (
            404,
            "E0000007",
            "Not found: Resource not found: 00unope (User)"
        )
    );
    for (m, p) in [
        ("DELETE", "/api/v1/users/00unope"),
        ("POST", "/api/v1/users/00unope/lifecycle/deactivate"),
        ("POST", "/api/v1/users/00unope/lifecycle/activate"),
        ("GET", "/api/v1/users/00unope/groups"),
    ] {
        assert_eq!(c.call(m, p, None).await.error().1, "E0000007", "{m} {p}");
    }

    // The users API still needs a token.
    let r = c.send(None, "GET", "/api/v1/users", None).await;
    assert_eq!(r.error().1, "E0000005");
    // The seeded admin still answers /users/me.
    let me = c.call("GET", "/api/v1/users/me", None).await;
    assert_eq!(me.body["profile"]["login"], "admin@okta-emulator.local");
    assert_eq!(me.body["status"], "ACTIVE");
}

#[tokio::test]
async fn create_validations() {
    let c = Ctx::new().await;
    let r = c
        .call(
            "POST",
            "/api/v1/users",
            Some(json!({"profile": {"login": "a@example.com"}})),
        )
        .await;
    assert_eq!(r.error(), (400, "E0000001", "Api validation failed: email"));
    assert_eq!(
        r.causes(),
        [
            "email: The field cannot be left blank.",
            "firstName: The field cannot be left blank.",
            "lastName: The field cannot be left blank."
        ]
    );
    let r = c
        .call("POST", "/api/v1/users", Some(json!({"profile": {}})))
        .await;
    assert_eq!(r.error().2, "Api validation failed: login");
    assert_eq!(r.causes().len(), 4);

    let r = c
        .call(
            "POST",
            "/api/v1/users",
            Some(person("A", "B", "not-an-email", None)),
        )
        .await;
    assert_eq!(
        r.causes(),
        [
            "login: Username must be in the form of an email address",
            "email: Does not match required pattern"
        ]
    );

    c.user("A", "B", "dup@example.com").await;
    let r = c
        .call(
            "POST",
            "/api/v1/users",
            Some(person("A", "B", "DUP@example.com", Some(PASSWORD))),
        )
        .await;
    assert_eq!(r.error(), (400, "E0000001", "Api validation failed: login"));
    assert_eq!(
        r.causes(),
        ["login: An object with this field already exists in the current organization"]
    );

    let r = c
        .call(
            "POST",
            "/api/v1/users",
            Some(person("W", "P", "weak@example.com", Some("password"))),
        )
        .await;
    assert_eq!(r.error().2, "Api validation failed: password");
    assert!(r.causes()[0].starts_with("password: Password requirements were not met."));

    let r = c
        .call(
            "POST",
            "/api/v1/users?activate=maybe",
            Some(person("A", "B", "x@example.com", None)),
        )
        .await;
    assert_eq!(r.error().1, "E0000001");
    let r = c.send(Some(TOKEN), "POST", "/api/v1/users", None).await;
    assert_eq!(r.error().1, "E0000003");
}

#[tokio::test]
async fn deactivate_and_two_step_delete() {
    let c = Ctx::new().await;
    let id = c.user("Dee", "Active", "dee@example.com").await;
    let gid = c
        .call(
            "POST",
            "/api/v1/groups",
            Some(json!({"profile": {"name": "g"}})),
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = c
        .call("PUT", &format!("/api/v1/groups/{gid}/users/{id}"), None)
        .await;
    assert_eq!(r.status, 204);

    let r = c
        .call(
            "POST",
            &format!("/api/v1/users/{id}/lifecycle/deactivate"),
            None,
        )
        .await;
    assert_eq!((r.status, r.body.clone()), (200, json!({})));
    let got = c.call("GET", &format!("/api/v1/users/{id}"), None).await;
    assert_eq!(got.body["status"], "DEPROVISIONED");
    assert!(got.body["_links"]["activate"].is_object());
    assert!(got.body["_links"].get("deactivate").is_none());

    // A deactivated user is left out of plain lists but found by filter/search.
    let all = c.call("GET", "/api/v1/users", None).await;
    assert!(!all.ids().contains(&id));
    let f = c
        .call(
            "GET",
            "/api/v1/users?filter=status%20eq%20%22DEPROVISIONED%22",
            None,
        )
        .await;
    assert_eq!(f.ids(), [id.clone()]);

    // Reactivate, then DELETE twice: first deactivates, second deletes.
    let r = c
        .call(
            "POST",
            &format!("/api/v1/users/{id}/lifecycle/activate"),
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    let r = c.call("DELETE", &format!("/api/v1/users/{id}"), None).await;
    assert_eq!(r.status, 204);
    let got = c.call("GET", &format!("/api/v1/users/{id}"), None).await;
    assert_eq!(got.body["status"], "DEPROVISIONED");
    let r = c.call("DELETE", &format!("/api/v1/users/{id}"), None).await;
    assert_eq!(r.status, 204);
    let got = c.call("GET", &format!("/api/v1/users/{id}"), None).await;
    assert_eq!(got.error().1, "E0000007");
    // The membership went with the user.
    let members = c
        .call("GET", &format!("/api/v1/groups/{gid}/users"), None)
        .await;
    assert_eq!(members.body, json!([]));
    assert_eq!(c.state().await["memberships"], json!([]));

    // The seeded admin (owner of the API token) cannot be removed.
    let admin = c.state().await["adminUserId"].as_str().unwrap().to_string();
    let r = c
        .call(
            "POST",
            &format!("/api/v1/users/{admin}/lifecycle/deactivate"),
            None,
        )
        .await;
    assert_eq!(r.error().1, "E0000006");
    assert_eq!(
        c.call("DELETE", &format!("/api/v1/users/{admin}"), None)
            .await
            .error()
            .1,
        "E0000006"
    );
}

#[tokio::test]
async fn list_q_filter_search_and_pagination() {
    let c = Ctx::new().await;
    let ada = c.user("Ada", "Lovelace", "ada@math.example").await;
    let alan = c.user("Alan", "Turing", "alan@cs.example").await;
    let grace = c.user("Grace", "Hopper", "grace@navy.example").await;
    let staged = c
        .create_user(
            "?activate=false",
            person("Linus", "Staged", "linus@example.com", None),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Plain list: admin + 4, in creation order.
    let all = c.call("GET", "/api/v1/users", None).await;
    assert_eq!(all.status, 200);
    assert_eq!(all.ids().len(), 5);
    assert_eq!(
        all.ids()[1..],
        [ada.clone(), alan.clone(), grace.clone(), staged.clone()]
    );

    // q: prefix of firstName, lastName or email, case-insensitive.
    let q = |s: &str| format!("/api/v1/users?q={s}");
    assert_eq!(c.call("GET", &q("al"), None).await.ids(), [alan.clone()]);
    assert_eq!(c.call("GET", &q("hop"), None).await.ids(), [grace.clone()]);
    assert_eq!(c.call("GET", &q("ADA%40"), None).await.ids(), [ada.clone()]);
    assert_eq!(c.call("GET", &q("zzz"), None).await.ids().len(), 0);

    // filter.
    let filter = |f: &str| {
        format!(
            "/api/v1/users?filter={}",
            url::form_urlencoded::byte_serialize(f.as_bytes()).collect::<String>()
        )
    };
    assert_eq!(
        c.call("GET", &filter(r#"status eq "STAGED""#), None)
            .await
            .ids(),
        [staged.clone()]
    );
    assert_eq!(
        c.call(
            "GET",
            &filter(
                r#"profile.login eq "grace@navy.example" or profile.email eq "ada@math.example""#
            ),
            None
        )
        .await
        .ids(),
        [ada.clone(), grace.clone()]
    );
    assert_eq!(
        c.call("GET", &filter(&format!(r#"id eq "{alan}""#)), None)
            .await
            .ids(),
        [alan.clone()]
    );
    assert_eq!(
        c.call(
            "GET",
            &filter(r#"lastUpdated gt "2000-01-01T00:00:00.000Z" and status eq "ACTIVE""#),
            None
        )
        .await
        .ids()
        .len(),
        4
    );
    let r = c.call("GET", &filter(r#"profile.city eq "x""#), None).await;
    assert_eq!(
        r.error(),
        (400, "E0000094", "The provided filter is unsupported.")
    );
    let r = c.call("GET", &filter("status eq"), None).await;
    assert_eq!(r.error(), (400, "E0000031", "Invalid search criteria."));

    // search.
    let search = |s: &str| {
        format!(
            "/api/v1/users?search={}",
            url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>()
        )
    };
    assert_eq!(
        c.call(
            "GET",
            &search(r#"profile.lastName sw "T" or profile.firstName eq "grace""#),
            None
        )
        .await
        .ids(),
        [alan.clone(), grace.clone()]
    );
    assert_eq!(
        c.call("GET", &search(r#"status eq "STAGED""#), None)
            .await
            .ids(),
        [staged.clone()]
    );
    assert_eq!(
        c.call(
            "GET",
            &search(r#"profile.email co "example" and type.id pr"#),
            None
        )
        .await
        .ids()
        .len(),
        4
    );
    let r = c.call("GET", &search(r#"password eq "x""#), None).await;
    assert_eq!(r.error().1, "E0000031");

    // Pagination follows the next link (cursor = last user id) and keeps `search`.
    let mut url = format!("{}&limit=2", search(r#"profile.email co "example""#));
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let r = c.call("GET", &url, None).await;
        assert_eq!(r.status, 200);
        pages += 1;
        seen.extend(r.ids());
        match r.next_link() {
            Some(next) => {
                assert!(
                    next.contains("after=") && next.contains("search="),
                    "{next}"
                );
                url = next;
            }
            None => break,
        }
    }
    assert_eq!(pages, 2);
    assert_eq!(seen, [ada, alan, grace, staged]);
    let r = c.call("GET", "/api/v1/users?limit=1", None).await;
    let next = r.next_link().unwrap();
    assert!(next.contains("limit=1"), "{next}");
}

#[tokio::test]
async fn group_membership() {
    let c = Ctx::new().await;
    let a = c.user("Mem", "One", "m1@example.com").await;
    let b = c.user("Mem", "Two", "m2@example.com").await;
    let gid = c
        .call(
            "POST",
            "/api/v1/groups",
            Some(json!({"profile": {"name": "eng"}})),
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let before = c
        .call("GET", &format!("/api/v1/groups/{gid}"), None)
        .await
        .body["lastMembershipUpdated"]
        .clone();
    for u in [&a, &b, &a] {
        let r = c
            .call("PUT", &format!("/api/v1/groups/{gid}/users/{u}"), None)
            .await;
        assert_eq!((r.status, r.body.clone()), (204, Value::Null));
    }
    assert!(before.is_string());
    let members = c
        .call("GET", &format!("/api/v1/groups/{gid}/users"), None)
        .await;
    assert_eq!(members.status, 200);
    assert_eq!(members.ids(), [a.clone(), b.clone()]);
    assert_eq!(members.body[0]["profile"]["login"], "m1@example.com");
    // Paged.
    let p1 = c
        .call("GET", &format!("/api/v1/groups/{gid}/users?limit=1"), None)
        .await;
    assert_eq!(p1.ids(), [a.clone()]);
    let p2 = c.call("GET", &p1.next_link().unwrap(), None).await;
    assert_eq!(p2.ids(), [b.clone()]);
    assert!(p2.next_link().is_none());

    // A user's groups include Everyone.
    let groups = c
        .call("GET", &format!("/api/v1/users/{a}/groups"), None)
        .await;
    let names: Vec<&str> = groups
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|g| g["profile"]["name"].as_str())
        .collect();
    assert_eq!(names, ["Everyone", "eng"]);

    // Everyone holds every user and cannot be edited.
    let state = c.state().await;
    let everyone = state["groups"][0]["id"].as_str().unwrap().to_string();
    let all = c
        .call("GET", &format!("/api/v1/groups/{everyone}/users"), None)
        .await;
    assert_eq!(all.ids().len(), 3);
    let r = c
        .call("PUT", &format!("/api/v1/groups/{everyone}/users/{a}"), None)
        .await;
    assert_eq!(r.error().1, "E0000006");
    assert_eq!(
        state["memberships"],
        json!([{"groupId": gid, "userId": a}, {"groupId": gid, "userId": b}])
    );

    // Remove, idempotently; unknown ids are 404 with the right type word.
    for _ in 0..2 {
        let r = c
            .call("DELETE", &format!("/api/v1/groups/{gid}/users/{a}"), None)
            .await;
        assert_eq!(r.status, 204);
    }
    let members = c
        .call("GET", &format!("/api/v1/groups/{gid}/users"), None)
        .await;
    assert_eq!(members.ids(), [b.clone()]);
    let r = c
        .call("PUT", &format!("/api/v1/groups/00gnope/users/{a}"), None)
        .await;
    assert_eq!(
        r.error(),
        (
            404,
            "E0000007",
            "Not found: Resource not found: 00gnope (UserGroup)"
        )
    );
    let r = c
        .call("PUT", &format!("/api/v1/groups/{gid}/users/00unope"), None)
        .await;
    assert_eq!(
        r.error(),
        (
            404,
            "E0000007",
            "Not found: Resource not found: 00unope (User)"
        )
    );
    let r = c.call("GET", "/api/v1/groups/00gnope/users", None).await;
    assert_eq!(r.error().0, 404);

    // Deleting the group drops its memberships.
    assert_eq!(
        c.call("DELETE", &format!("/api/v1/groups/{gid}"), None)
            .await
            .status,
        204
    );
    assert_eq!(c.state().await["memberships"], json!([]));
    let groups = c
        .call("GET", &format!("/api/v1/users/{b}/groups"), None)
        .await;
    assert_eq!(groups.body.as_array().unwrap().len(), 1);

    // groupIds on create.
    let g2 = c
        .call(
            "POST",
            "/api/v1/groups",
            Some(json!({"profile": {"name": "ops"}})),
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut body = person("G", "Ids", "gids@example.com", None);
    body["groupIds"] = json!([g2]);
    let u = c.create_user("", body).await;
    let members = c
        .call("GET", &format!("/api/v1/groups/{g2}/users"), None)
        .await;
    assert_eq!(members.ids(), [u["id"].as_str().unwrap().to_string()]);
}

#[tokio::test]
async fn primary_authentication() {
    let c = Ctx::new().await;
    let id = c.user("Isaac", "Brock", "isaac@example.com").await;

    // Public: no Authorization header needed.
    let r = c.authn("isaac@example.com", PASSWORD).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["status"], "SUCCESS");
    let token = r.body["sessionToken"].as_str().unwrap().to_string();
    assert!(token.len() >= 20);
    assert!(r.body["expiresAt"].as_str().unwrap().ends_with(".000Z"));
    let user = &r.body["_embedded"]["user"];
    assert_eq!(user["id"], id.as_str());
    assert_eq!(
        user["profile"],
        json!({"login": "isaac@example.com", "firstName": "Isaac", "lastName": "Brock",
               "locale": "en_US", "timeZone": "America/Los_Angeles"})
    );
    assert!(user["passwordChanged"].is_string());
    // lastLogin is recorded.
    let got = c.call("GET", &format!("/api/v1/users/{id}"), None).await;
    assert!(got.body["lastLogin"].is_string());

    // Session tokens and passwords never show in the state dump.
    let dump = c.state().await.to_string();
    assert!(!dump.contains(&token));
    assert!(!dump.contains(PASSWORD));
    assert!(!dump.contains("sessionTokens"));

    let failed = (401, "E0000004", "Authentication failed");
    assert_eq!(
        c.authn("isaac@example.com", "WrongPass1").await.error(),
        failed
    );
    assert_eq!(
        c.authn("nobody@example.com", PASSWORD).await.error(),
        failed
    );
    let r = c
        .send(
            None,
            "POST",
            "/api/v1/authn",
            Some(json!({"username": "isaac@example.com"})),
        )
        .await;
    assert_eq!(r.error(), failed);
    assert!(r.body["errorCauses"].as_array().unwrap().is_empty());
    let r = c.send(None, "POST", "/api/v1/authn", None).await;
    assert_eq!(r.error().1, "E0000003");

    // A user without a password, or a STAGED one, cannot sign in.
    c.create_user("", person("No", "Pass", "nopass@example.com", None))
        .await;
    assert_eq!(
        c.authn("nopass@example.com", PASSWORD).await.error(),
        failed
    );
    c.create_user(
        "?activate=false",
        person("St", "Aged", "staged2@example.com", Some(PASSWORD)),
    )
    .await;
    assert_eq!(
        c.authn("staged2@example.com", PASSWORD).await.error(),
        failed
    );

    // A deactivated user cannot authenticate.
    c.call(
        "POST",
        &format!("/api/v1/users/{id}/lifecycle/deactivate"),
        None,
    )
    .await;
    assert_eq!(c.authn("isaac@example.com", PASSWORD).await.error(), failed);
    // …until reactivated.
    c.call(
        "POST",
        &format!("/api/v1/users/{id}/lifecycle/activate"),
        None,
    )
    .await;
    assert_eq!(c.authn("isaac@example.com", PASSWORD).await.status, 200);

    // Authn requests count against their own rate-limit bucket.
    let log = c.send(None, "GET", "/__emulator/requests", None).await.body;
    assert!(log
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["path"] == "/api/v1/authn" && e["bucket"] == "/api/v1/authn"));
}

#[tokio::test]
async fn users_and_memberships_survive_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("org.json");
    let config = || EmulatorConfig::ephemeral().with_state_file(&path);

    let c = Ctx::with(config()).await;
    let id = c.user("Per", "Sist", "persist@example.com").await;
    let gid = c
        .call(
            "POST",
            "/api/v1/groups",
            Some(json!({"profile": {"name": "durable"}})),
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    c.call("PUT", &format!("/api/v1/groups/{gid}/users/{id}"), None)
        .await;
    let staged = c
        .create_user("?activate=false", person("S", "T", "s@example.com", None))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains(PASSWORD), "state file holds only the hash");
    c.emu.shutdown().await.unwrap();

    let c = Ctx::with(config()).await;
    let got = c.call("GET", &format!("/api/v1/users/{id}"), None).await;
    assert_eq!(got.body["status"], "ACTIVE");
    let got = c
        .call("GET", &format!("/api/v1/users/{staged}"), None)
        .await;
    assert_eq!(got.body["status"], "STAGED");
    let members = c
        .call("GET", &format!("/api/v1/groups/{gid}/users"), None)
        .await;
    assert_eq!(members.ids(), [id.clone()]);
    assert_eq!(c.authn("persist@example.com", PASSWORD).await.status, 200);
    c.emu.shutdown().await.unwrap();

    // A state file written before users had a lifecycle (no status, memberships or session
    // tokens) still loads; its users are ACTIVE token owners.
    let mut file: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let org = file["org"].as_object_mut().unwrap();
    org.remove("memberships");
    org.remove("sessionTokens");
    for u in org["users"].as_array_mut().unwrap() {
        let u = u.as_object_mut().unwrap();
        for k in [
            "status",
            "activated",
            "statusChanged",
            "lastLogin",
            "passwordChanged",
            "password",
        ] {
            u.remove(k);
        }
    }
    std::fs::write(&path, file.to_string()).unwrap();
    let c = Ctx::with(config()).await;
    let me = c.call("GET", "/api/v1/users/me", None).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["status"], "ACTIVE");
    assert_eq!(me.body["activated"], me.body["created"]);
    let got = c
        .call("GET", &format!("/api/v1/users/{staged}"), None)
        .await;
    assert_eq!(got.body["status"], "ACTIVE");
    assert_eq!(
        c.call("GET", &format!("/api/v1/groups/{gid}/users"), None)
            .await
            .body,
        json!([])
    );
}
