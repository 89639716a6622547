//! `/api/v1/users`: create, read, list (`q`, `filter`, `search`, paged), lifecycle and delete,
//! plus `/users/me` (the token's owner) and `/users/{id}/groups`.
//!
//! Status follows Okta: `activate=true` with a password is ACTIVE, without one PROVISIONED;
//! `activate=false` is STAGED; deactivation is DEPROVISIONED. The first DELETE deactivates, the
//! second deletes. Passwords are kept only as salted hashes and never rendered.

pub mod authn;

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{Path, RawQuery, State},
    http::StatusCode,
    response::Response,
    routing::{get, post},
    Extension,
};
use serde_json::{json, Map, Value};

use crate::{
    base::errors::{ApiResult, Causes, OktaError},
    base::search::{self, Expr, Op},
    base::{clock, ids, password},
    okta::objects::{self, GROUP_KIND, USER_KIND},
    pipeline::auth::Caller,
    pipeline::http::{self, BaseUrl, ListParams, Query},
    pipeline::{
        ratelimit::{AUTHN, USERS},
        routes::Route,
        shared::Shared,
    },
    store::{Org, User, UserStatus},
};

const DEFAULT_LIMIT: usize = 200;
const MAX_LIMIT: usize = 200;
/// Okta's `groupIds` ceiling on create.
const MAX_GROUP_IDS: usize = 20;
const BLANK: &str = "The field cannot be left blank.";
const PASSWORD_RULES: &str = "Password requirements were not met. Password requirements: at least 8 characters, a lowercase letter, an uppercase letter, a number, no parts of your username.";

fn not_found(id: &str) -> OktaError {
    OktaError::not_found(id, USER_KIND)
}

fn user_index(org: &Org, id_or_login: &str) -> ApiResult<usize> {
    let id = org
        .user_by_id_or_login(id_or_login)
        .map(|u| u.id.clone())
        .ok_or_else(|| not_found(id_or_login))?;
    org.users
        .iter()
        .position(|u| u.id == id)
        .ok_or_else(|| not_found(id_or_login))
}

fn text<'a>(profile: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    profile
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

/// `local@domain.tld`, the shape Okta's default login and email patterns require.
fn looks_like_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.chars().any(char::is_whitespace)
                && !domain.contains('@')
        }
        None => false,
    }
}

/// Okta's default password policy: 8+ characters, lower, upper, digit, and no part of the
/// username (the login's local part, or any of its pieces of 3+ characters).
fn password_ok(password: &str, login: &str) -> bool {
    let lower = password.to_lowercase();
    let local = login.split('@').next().unwrap_or(login).to_lowercase();
    let has_username_part = local
        .split(|c: char| !c.is_alphanumeric())
        .filter(|p| p.len() >= 3)
        .any(|p| lower.contains(p));
    password.chars().count() >= 8
        && password.chars().any(|c| c.is_lowercase())
        && password.chars().any(|c| c.is_uppercase())
        && password.chars().any(|c| c.is_ascii_digit())
        && !has_username_part
}

/// The password in `credentials.password.value`, if any; a non-string is a validation error.
fn password_from(req: &Map<String, Value>) -> ApiResult<Option<String>> {
    match req
        .get("credentials")
        .and_then(|c| c.get("password"))
        .and_then(|p| p.get("value"))
    {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(OktaError::validation(
            "password",
            "The field has an invalid value",
        )),
    }
}

/// Validates the create body's profile (and password) and returns the profile in Okta's key
/// order: `firstName, lastName, mobilePhone, secondEmail, login, email`, then custom fields.
fn profile_from(req: &Map<String, Value>, org: &Org, password: Option<&str>) -> ApiResult<Value> {
    let mut causes = Causes::new();
    let mut profile = match req.get("profile") {
        Some(Value::Object(p)) => p.clone(),
        _ => Map::new(),
    };
    match text(&profile, "login") {
        None => causes.push("login", BLANK),
        Some(l) if !looks_like_email(l) => {
            causes.push("login", "Username must be in the form of an email address")
        }
        Some(l) if org.user_by_login(l).is_some() => causes.push(
            "login",
            "An object with this field already exists in the current organization",
        ),
        Some(_) => {}
    }
    match text(&profile, "email") {
        None => causes.push("email", BLANK),
        Some(e) if !looks_like_email(e) => causes.push("email", "Does not match required pattern"),
        Some(_) => {}
    }
    for field in ["firstName", "lastName"] {
        if text(&profile, field).is_none() {
            causes.push(field, BLANK);
        }
    }
    if let Some(p) = password {
        if !password_ok(p, text(&profile, "login").unwrap_or("")) {
            causes.push("password", PASSWORD_RULES);
        }
    }
    causes.into_result()?;
    let mut out = Map::new();
    for k in [
        "firstName",
        "lastName",
        "mobilePhone",
        "secondEmail",
        "login",
        "email",
    ] {
        out.insert(k.into(), profile.remove(k).unwrap_or(Value::Null));
    }
    out.extend(profile);
    Ok(Value::Object(out))
}

fn group_ids_from(req: &Map<String, Value>, org: &Org) -> ApiResult<Vec<String>> {
    let ids: Vec<String> = match req.get("groupIds") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect::<Option<_>>()
            .ok_or_else(|| OktaError::validation("groupIds", "The field has an invalid value"))?,
        Some(_) => {
            return Err(OktaError::validation(
                "groupIds",
                "The field has an invalid value",
            ))
        }
    };
    if ids.len() > MAX_GROUP_IDS {
        return Err(OktaError::validation(
            "groupIds",
            "A maximum of 20 groups can be assigned at user creation",
        ));
    }
    for id in &ids {
        if org.group(id).is_none() {
            return Err(OktaError::not_found(id, GROUP_KIND));
        }
    }
    Ok(ids)
}

/// `true`/`false` query flag with a default.
fn flag(query: &Query, key: &str, default: bool) -> ApiResult<bool> {
    match query.get(key) {
        None => Ok(default),
        Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
        Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
        Some(_) => Err(OktaError::validation(key, "The field has an invalid value")),
    }
}

pub async fn create(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> ApiResult<Response> {
    let query = Query::parse(raw.as_deref());
    let activate = flag(&query, "activate", true)?;
    let req = http::object_body(&body)?;
    let password = password_from(&req)?;
    // Hash outside the org lock.
    let hashed = password.as_deref().map(password::hash);
    let rendered = s.write(|org| {
        let profile = profile_from(&req, org, password.as_deref())?;
        let group_ids = group_ids_from(&req, org)?;
        let now = clock::now();
        let status = match (activate, hashed.is_some()) {
            (false, _) => UserStatus::Staged,
            (true, true) => UserStatus::Active,
            (true, false) => UserStatus::Provisioned,
        };
        let user = User {
            id: ids::object_id("00u"),
            created: now,
            last_updated: now,
            profile,
            status,
            activated: activate.then_some(now),
            status_changed: activate.then_some(now),
            last_login: None,
            password_changed: hashed.as_ref().map(|_| now),
            password: hashed,
        };
        for gid in group_ids {
            org.add_member(&gid, &user.id, now);
        }
        touch_everyone(org, now);
        let rendered = objects::user(&user, org, &base);
        org.users.push(user);
        Ok(rendered)
    })?;
    Ok(http::ok(&rendered))
}

/// Everyone's membership changes whenever a user is created or deleted.
fn touch_everyone(org: &mut Org, now: i64) {
    for g in org.groups.iter_mut().filter(|g| g.kind == "BUILT_IN") {
        g.last_membership_updated = now;
    }
}

pub async fn me(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Extension(caller): Extension<Caller>,
) -> ApiResult<Response> {
    let rendered = s.read(|org| {
        org.user(&caller.user_id)
            .map(|u| objects::user(u, org, &base))
            .ok_or_else(|| not_found(&caller.user_id))
    })?;
    Ok(http::ok(&rendered))
}

/// By id or login, like Okta.
pub async fn get_one(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let rendered = s.read(|org| {
        org.user_by_id_or_login(&id)
            .map(|u| objects::user(u, org, &base))
            .ok_or_else(|| not_found(&id))
    })?;
    Ok(http::ok(&rendered))
}

/// Attributes `search` accepts on users, as Okta documents them.
fn searchable(attr: &str) -> bool {
    matches!(
        attr,
        "id" | "status"
            | "created"
            | "activated"
            | "statusChanged"
            | "lastUpdated"
            | "lastLogin"
            | "passwordChanged"
            | "type.id"
    ) || attr.strip_prefix("profile.").is_some_and(|a| !a.is_empty())
}

/// Parses a users `filter`: `eq` on `status`, `id`, `type.id` and `profile.login|email|firstName|
/// lastName`; `eq/gt/ge/lt/le` on `lastUpdated`; joined with `and`/`or`. A syntax error is
/// `E0000031`, any other attribute or operator `E0000094`.
fn parse_user_filter(filter: &str) -> ApiResult<Expr> {
    fn check(e: &Expr) -> bool {
        match e {
            Expr::And(a, b) | Expr::Or(a, b) => check(a) && check(b),
            Expr::Present(_) => false,
            Expr::Compare { attr, op, .. } => match attr.as_str() {
                "status" | "id" | "type.id" | "profile.login" | "profile.email"
                | "profile.firstName" | "profile.lastName" => *op == Op::Eq,
                "lastUpdated" => !matches!(op, Op::StartsWith | Op::Contains),
                _ => false,
            },
        }
    }
    let expr = search::parse(filter, &|_| true)?;
    if !check(&expr) {
        return Err(OktaError::new(
            StatusCode::BAD_REQUEST,
            "E0000094",
            "The provided filter is unsupported.",
        ));
    }
    Ok(expr)
}

/// Okta's `q`: case-insensitive prefix of firstName, lastName or email.
fn q_matches(u: &User, q: &str) -> bool {
    let q = q.to_lowercase();
    ["firstName", "lastName", "email"].iter().any(|k| {
        u.profile
            .get(*k)
            .and_then(Value::as_str)
            .is_some_and(|v| v.to_lowercase().starts_with(&q))
    })
}

pub async fn list(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let query = Query::parse(raw.as_deref());
    let params = ListParams::from_query(&query, DEFAULT_LIMIT, MAX_LIMIT)?;
    let filter = match params.filter.as_deref() {
        Some(f) if !f.trim().is_empty() => Some(parse_user_filter(f)?),
        _ => None,
    };
    let search = match params.search.as_deref() {
        Some(expr) => Some(search::parse(expr, &searchable)?),
        None => None,
    };
    let (items, next) = s.read(|org| {
        // Without filter or search, Okta leaves DEPROVISIONED users out.
        let hide_deprovisioned = filter.is_none() && search.is_none();
        let matching: Vec<&User> = org
            .users
            .iter()
            .filter(|u| !(hide_deprovisioned && u.status == UserStatus::Deprovisioned))
            .filter(|u| params.q.as_deref().is_none_or(|q| q_matches(u, q)))
            .filter(|u| {
                if filter.is_none() && search.is_none() {
                    return true;
                }
                let rendered = objects::user(u, org, &base);
                filter.as_ref().is_none_or(|f| f.matches(&rendered))
                    && search.as_ref().is_none_or(|e| e.matches(&rendered))
            })
            .collect();
        let (page, next) = objects::page_by_id(matching, params.after.as_deref(), params.limit);
        (
            page.into_iter()
                .map(|u| objects::user(u, org, &base))
                .collect::<Vec<_>>(),
            next,
        )
    });
    let links = params.links(&base, "/api/v1/users", next, false);
    Ok(http::list(items, &links))
}

/// `GET /api/v1/users/{id}/groups`: every group the user is in, Everyone included.
pub async fn list_groups(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let items = s.read(|org| {
        let user = org.user_by_id_or_login(&id).ok_or_else(|| not_found(&id))?;
        Ok::<_, OktaError>(
            org.groups
                .iter()
                .filter(|g| org.is_member(&g.id, &user.id))
                .map(|g| objects::group(g, &base))
                .collect::<Vec<_>>(),
        )
    })?;
    let links = vec![(format!("{base}/api/v1/users/{id}/groups"), "self")];
    Ok(http::list(items, &links))
}

/// `POST …/lifecycle/activate`: STAGED or DEPROVISIONED users only. With a password the user
/// becomes ACTIVE, without one PROVISIONED. `sendEmail=false` answers the activation link.
pub async fn activate(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let query = Query::parse(raw.as_deref());
    let send_email = flag(&query, "sendEmail", true)?;
    s.write(|org| {
        let idx = user_index(org, &id)?;
        let u = &mut org.users[idx];
        if !matches!(u.status, UserStatus::Staged | UserStatus::Deprovisioned) {
            return Err(OktaError::new(
                StatusCode::FORBIDDEN,
                "E0000016",
                "Activation failed because the user is already active",
            ));
        }
        let now = clock::now();
        u.status = if u.password.is_some() {
            UserStatus::Active
        } else {
            UserStatus::Provisioned
        };
        u.activated = Some(now);
        u.status_changed = Some(now);
        u.last_updated = now;
        Ok(())
    })?;
    if send_email {
        return Ok(http::ok(&json!({})));
    }
    let token = ids::object_id("");
    Ok(http::ok(&json!({
        "activationUrl": format!("{base}/welcome/{token}"),
        "activationToken": token,
    })))
}

/// Okta forbids removing the org's super admin; the emulator's seeded admin owns `--api-token`.
fn guard_admin(org: &Org, user_id: &str) -> ApiResult<()> {
    if user_id == org.admin_user_id {
        return Err(OktaError::forbidden());
    }
    Ok(())
}

/// Deactivates: DEPROVISIONED, sessions and the user's API tokens end (Okta deprovisions the
/// tokens of a deactivated admin).
fn deactivate_in(org: &mut Org, idx: usize, now: i64) {
    let u = &mut org.users[idx];
    if u.status == UserStatus::Deprovisioned {
        return;
    }
    u.status = UserStatus::Deprovisioned;
    u.status_changed = Some(now);
    u.last_updated = now;
    let uid = u.id.clone();
    org.session_tokens.retain(|t| t.user_id != uid);
    org.tokens.retain(|t| t.user_id != uid);
    // Okta revokes the user's sessions and OAuth grants on deactivation.
    org.oidc.revoke_user(&uid, None);
}

pub async fn deactivate(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    s.write(|org| {
        let idx = user_index(org, &id)?;
        guard_admin(org, &org.users[idx].id)?;
        deactivate_in(org, idx, clock::now());
        Ok(())
    })?;
    Ok(http::ok(&json!({})))
}

/// First DELETE deactivates; DELETE on a DEPROVISIONED user deletes it and its memberships.
pub async fn delete(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult<Response> {
    s.write(|org| {
        let idx = user_index(org, &id)?;
        guard_admin(org, &org.users[idx].id)?;
        let now = clock::now();
        if org.users[idx].status != UserStatus::Deprovisioned {
            deactivate_in(org, idx, now);
            return Ok(());
        }
        let uid = org.users.remove(idx).id;
        let touched: Vec<String> = org
            .memberships
            .iter()
            .filter(|m| m.user_id == uid)
            .map(|m| m.group_id.clone())
            .collect();
        org.memberships.retain(|m| m.user_id != uid);
        for g in org.groups.iter_mut().filter(|g| touched.contains(&g.id)) {
            g.last_membership_updated = now;
        }
        touch_everyone(org, now);
        org.session_tokens.retain(|t| t.user_id != uid);
        org.tokens.retain(|t| t.user_id != uid);
        org.app_users.retain(|a| a.user_id != uid);
        org.oidc.revoke_user(&uid, None);
        Ok(())
    })?;
    Ok(http::no_content())
}

/// The users API, and primary authentication (`/api/v1/authn`, which needs no API token).
pub fn routes() -> Vec<Route> {
    const USER: &str = "/api/v1/users/{user_id}";
    vec![
        Route::api("/api/v1/users", "users", USERS, get(list).post(create)),
        Route::api("/api/v1/users/me", "users", USERS, get(me)),
        Route::api(USER, "users", USERS, get(get_one).delete(delete)),
        Route::api(format!("{USER}/groups"), "users", USERS, get(list_groups)),
        Route::api(
            format!("{USER}/lifecycle/activate"),
            "users",
            USERS,
            post(activate),
        ),
        Route::api(
            format!("{USER}/lifecycle/deactivate"),
            "users",
            USERS,
            post(deactivate),
        ),
        Route::public("/api/v1/authn", AUTHN, post(authn::authn)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ADMIN_LOGIN;

    fn req(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn finds_by_id_or_login() {
        let org = Org::seed(None);
        assert!(org.user_by_id_or_login(&org.admin_user_id).is_some());
        assert!(org.user_by_id_or_login(ADMIN_LOGIN).is_some());
        assert!(org
            .user_by_id_or_login(&ADMIN_LOGIN.to_uppercase())
            .is_some());
        assert!(org.user_by_id_or_login("nobody").is_none());
        let r = objects::user(&org.users[0], &org, "http://h");
        assert_eq!(r["status"], "ACTIVE");
        assert_eq!(r["profile"]["login"], ADMIN_LOGIN);
        assert_eq!(
            r["credentials"],
            json!({"provider": {"type": "OKTA", "name": "OKTA"}})
        );
        assert_eq!(r["activated"], r["created"]);
    }

    #[test]
    fn profiles_are_validated_like_okta() {
        let org = Org::seed(None);
        let ok = json!({"profile": {"login": "a@x.io", "email": "a@x.io", "firstName": "A",
                                    "lastName": "B", "department": "eng"}});
        let p = profile_from(&req(ok), &org, Some("Passw0rdOK")).unwrap();
        let keys: Vec<&String> = p.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "firstName",
                "lastName",
                "mobilePhone",
                "secondEmail",
                "login",
                "email",
                "department"
            ]
        );
        let e =
            profile_from(&req(json!({"profile": {"login": "a@x.io"}})), &org, None).unwrap_err();
        assert_eq!(e.summary, "Api validation failed: email");
        assert_eq!(
            e.causes,
            [
                "email: The field cannot be left blank.",
                "firstName: The field cannot be left blank.",
                "lastName: The field cannot be left blank."
            ]
        );
        let dup = json!({"profile": {"login": ADMIN_LOGIN.to_uppercase(), "email": "a@x.io",
                                     "firstName": "A", "lastName": "B"}});
        let e = profile_from(&req(dup), &org, None).unwrap_err();
        assert_eq!(
            e.causes,
            ["login: An object with this field already exists in the current organization"]
        );
        assert!(profile_from(&req(json!({})), &org, None).is_err());
    }

    #[test]
    fn password_policy() {
        assert!(password_ok("tlpWENT2m", "isaac.brock@example.com"));
        assert!(!password_ok("Short1a", "x@y.z"));
        assert!(!password_ok("alllower1", "x@y.z"));
        assert!(!password_ok("ALLUPPER1", "x@y.z"));
        assert!(!password_ok("NoDigitsHere", "x@y.z"));
        assert!(!password_ok("Isaac12345", "isaac.brock@example.com"));
    }

    #[test]
    fn filters_accept_what_okta_documents() {
        for ok in [
            r#"status eq "ACTIVE""#,
            r#"profile.login eq "a@x.io" or profile.email eq "b@x.io""#,
            r#"lastUpdated gt "2026-01-01T00:00:00.000Z" and status eq "STAGED""#,
            r#"id eq "00u1""#,
        ] {
            assert!(parse_user_filter(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            parse_user_filter(r#"profile.city eq "x""#)
                .unwrap_err()
                .code,
            "E0000094"
        );
        assert_eq!(
            parse_user_filter(r#"status sw "A""#).unwrap_err().code,
            "E0000094"
        );
        assert_eq!(parse_user_filter("status eq").unwrap_err().code, "E0000031");
    }

    #[test]
    fn pages_by_id() {
        let mut org = Org::seed(None);
        for l in ["a@x.io", "b@x.io", "c@x.io"] {
            org.user_by_login_or_create(l);
        }
        let all: Vec<&User> = org.users.iter().collect();
        let (page, next) = objects::page_by_id(all.clone(), None, 2);
        assert_eq!(page.len(), 2);
        assert_eq!(next.as_deref(), Some(org.users[1].id.as_str()));
        let (page, next) = objects::page_by_id(all.clone(), next.as_deref(), 2);
        assert_eq!(page.len(), 2);
        assert_eq!(next, None);
        assert!(objects::page_by_id(all, Some("00uunknown"), 2).0.is_empty());
    }
}
