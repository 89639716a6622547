//! Claims of ID tokens, access tokens and `/userinfo`, including the `groups` claim:
//! the org server takes the app's ID-token claim (only with the `groups` scope); a custom
//! server its ACTIVE `GROUPS` claims. Membership is read when a token is minted, so a refresh
//! sees changes.

use regex::Regex;
use serde_json::{json, Map, Value};

use crate::{oidc::Issuer, store::oidc as grants};
use crate::{
    store::authz::AuthClaim,
    store::{Org, Status, User},
};

/// More groups than a claim may carry.
pub const MAX_GROUPS: usize = 100;
pub const TOO_MANY_GROUPS: &str =
    "The groups claim matched too many groups and must be configured to match fewer groups.";

/// ID tokens last an hour, on every server.
pub const ID_TOKEN_SECS: i64 = 3600;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClaimError {
    #[error("{TOO_MANY_GROUPS}")]
    TooManyGroups,
}

/// Who a token is about, for whom, and with which scopes.
pub struct Subject<'a> {
    pub org: &'a Org,
    pub user: &'a User,
    pub client_id: &'a str,
    pub issuer: &'a Issuer,
    pub scopes: &'a [String],
    pub auth_time: i64,
}

impl Subject<'_> {
    fn has(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    fn profile(&self, key: &str) -> Option<&Value> {
        self.user.profile.get(key).filter(|v| !v.is_null())
    }

    fn display_name(&self) -> String {
        if let Some(n) = self.profile("displayName").and_then(Value::as_str) {
            return n.to_string();
        }
        let part = |k| self.profile(k).and_then(Value::as_str).unwrap_or("");
        format!("{} {}", part("firstName"), part("lastName"))
            .trim()
            .to_string()
    }
}

/// Names of the groups `user_id` belongs to, Everyone included.
pub fn user_group_names(org: &Org, user_id: &str) -> Vec<String> {
    org.groups
        .iter()
        .filter(|g| org.is_member(&g.id, user_id))
        .filter_map(|g| g.profile.get("name").and_then(Value::as_str))
        .map(str::to_string)
        .collect()
}

/// Okta's group filters: `STARTS_WITH`, `EQUALS`, `CONTAINS` ignore case; `REGEX` must match
/// the whole name, case-sensitively.
pub fn filter_groups(names: &[String], filter: &str, value: &str) -> Vec<String> {
    let v = value.to_lowercase();
    let regex = (filter == "REGEX")
        .then(|| Regex::new(&format!("^(?:{value})$")).ok())
        .flatten();
    names
        .iter()
        .filter(|n| {
            let lower = n.to_lowercase();
            match filter {
                "STARTS_WITH" => lower.starts_with(&v),
                "EQUALS" => lower == v,
                "CONTAINS" => lower.contains(&v),
                "REGEX" => regex.as_ref().is_some_and(|r| r.is_match(n)),
                _ => false,
            }
        })
        .cloned()
        .collect()
}

fn matched(names: &[String], filter: &str, value: &str) -> Result<Value, ClaimError> {
    let m = filter_groups(names, filter, value);
    if m.len() > MAX_GROUPS {
        return Err(ClaimError::TooManyGroups);
    }
    Ok(json!(m))
}

/// Where a claim goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    IdToken,
    Userinfo,
    AccessToken,
}

fn custom_claim_applies(c: &AuthClaim, subj: &Subject, target: Target) -> bool {
    let kind_ok = match target {
        Target::IdToken => c.claim_type == "IDENTITY" && c.always_include_in_token,
        Target::Userinfo => c.claim_type == "IDENTITY",
        Target::AccessToken => c.claim_type == "RESOURCE",
    };
    kind_ok
        && c.status == Status::Active
        && c.value_type == "GROUPS"
        && (c.scopes.is_empty() || c.scopes.iter().any(|s| subj.has(s)))
}

/// The configured groups claims for `target`, as (name, list of group names).
pub fn groups_claims(subj: &Subject, target: Target) -> Result<Vec<(String, Value)>, ClaimError> {
    let names = || user_group_names(subj.org, &subj.user.id);
    let mut out = Vec::new();
    match &subj.issuer.server {
        None => {
            if target == Target::AccessToken || !subj.has("groups") {
                return Ok(out);
            }
            let app_id = subj
                .org
                .apps
                .iter()
                .find(|a| a.client_id() == subj.client_id)
                .map(|a| a.id.as_str());
            if let Some(c) = subj.org.app_id_token_claims.iter().find(|c| {
                Some(c.app_id.as_str()) == app_id && c.value_type == "GROUPS" && !c.name.is_empty()
            }) {
                let filter = c.group_filter_type.as_deref().unwrap_or("REGEX");
                out.push((c.name.clone(), matched(&names(), filter, &c.value)?));
            }
        }
        Some(server) => {
            let all = names();
            for c in server
                .claims
                .iter()
                .filter(|c| custom_claim_applies(c, subj, target))
            {
                let filter = c.group_filter_type.as_deref().unwrap_or("REGEX");
                out.push((c.name.clone(), matched(&all, filter, &c.value)?));
            }
        }
    }
    Ok(out)
}

/// ID-token claims in Okta's order (thin: `name`, `email`, `preferred_username` by scope).
pub fn id_token(
    subj: &Subject,
    nonce: Option<&str>,
    access_token: Option<&str>,
    now: i64,
    lifetime: i64,
) -> Result<Map<String, Value>, ClaimError> {
    let mut c = Map::new();
    c.insert("sub".into(), json!(subj.user.id));
    if subj.has("profile") {
        c.insert("name".into(), json!(subj.display_name()));
    }
    if subj.has("email") {
        if let Some(e) = subj.profile("email") {
            c.insert("email".into(), e.clone());
        }
    }
    c.insert("ver".into(), json!(1));
    c.insert("iss".into(), json!(subj.issuer.url));
    c.insert("aud".into(), json!(subj.client_id));
    c.insert("iat".into(), json!(now));
    c.insert("exp".into(), json!(now + lifetime));
    c.insert("jti".into(), json!(format!("ID.{}", grants::opaque(43))));
    c.insert("amr".into(), json!(["pwd"]));
    c.insert("idp".into(), json!(subj.org.org_id));
    if let Some(n) = nonce {
        c.insert("nonce".into(), json!(n));
    }
    if subj.has("profile") {
        c.insert("preferred_username".into(), json!(subj.user.login()));
    }
    c.insert("auth_time".into(), json!(subj.auth_time));
    if let Some(at) = access_token {
        c.insert(
            "at_hash".into(),
            json!(crate::base::jose::keys::at_hash(at)),
        );
    }
    for (name, v) in groups_claims(subj, Target::IdToken)? {
        c.insert(name, v);
    }
    Ok(c)
}

/// Access-token claims: `ver, jti, iss, aud, iat, exp, cid, uid, scp, auth_time, sub` (+
/// RESOURCE groups claims on a custom server).
pub fn access_token(
    subj: &Subject,
    jti: &str,
    now: i64,
    lifetime: i64,
) -> Result<Map<String, Value>, ClaimError> {
    let aud = match &subj.issuer.server {
        Some(s) => s
            .audiences
            .first()
            .cloned()
            .unwrap_or_else(|| "api://default".to_string()),
        None => subj.issuer.url.clone(),
    };
    let mut c = Map::new();
    c.insert("ver".into(), json!(1));
    c.insert("jti".into(), json!(jti));
    c.insert("iss".into(), json!(subj.issuer.url));
    c.insert("aud".into(), json!(aud));
    c.insert("iat".into(), json!(now));
    c.insert("exp".into(), json!(now + lifetime));
    c.insert("cid".into(), json!(subj.client_id));
    c.insert("uid".into(), json!(subj.user.id));
    c.insert("scp".into(), json!(subj.scopes));
    c.insert("auth_time".into(), json!(subj.auth_time));
    c.insert("sub".into(), json!(subj.user.login()));
    for (name, v) in groups_claims(subj, Target::AccessToken)? {
        c.insert(name, v);
    }
    Ok(c)
}

/// `/userinfo` claims by granted scope, null values left out.
pub fn userinfo(subj: &Subject, updated_at: i64) -> Result<Map<String, Value>, ClaimError> {
    let mut c = Map::new();
    let copy = |c: &mut Map<String, Value>, claim: &str, key: &str| {
        if let Some(v) = subj.profile(key) {
            c.insert(claim.to_string(), v.clone());
        }
    };
    c.insert("sub".into(), json!(subj.user.id));
    let profile = subj.has("profile");
    let email = subj.has("email");
    if profile {
        c.insert("name".into(), json!(subj.display_name()));
        c.insert(
            "locale".into(),
            subj.profile("locale").cloned().unwrap_or(json!("en_US")),
        );
    }
    if email {
        copy(&mut c, "email", "email");
    }
    if profile {
        c.insert("preferred_username".into(), json!(subj.user.login()));
        copy(&mut c, "given_name", "firstName");
        copy(&mut c, "middle_name", "middleName");
        copy(&mut c, "family_name", "lastName");
        copy(&mut c, "nickname", "nickName");
        copy(&mut c, "profile", "profileUrl");
        c.insert(
            "zoneinfo".into(),
            subj.profile("timezone")
                .cloned()
                .unwrap_or(json!("America/Los_Angeles")),
        );
        c.insert("updated_at".into(), json!(updated_at));
    }
    if email {
        c.insert("email_verified".into(), json!(true));
    }
    if subj.has("phone") {
        copy(&mut c, "phone_number", "mobilePhone");
    }
    if subj.has("address") {
        let mut a = Map::new();
        for (claim, key) in [
            ("street_address", "streetAddress"),
            ("locality", "city"),
            ("region", "state"),
            ("postal_code", "zipCode"),
            ("country", "countryCode"),
        ] {
            if let Some(v) = subj.profile(key) {
                a.insert(claim.into(), v.clone());
            }
        }
        c.insert("address".into(), Value::Object(a));
    }
    for (name, v) in groups_claims(subj, Target::Userinfo)? {
        c.insert(name, v);
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        oidc::{resolve, IssuerSel},
        store::authz::AppIdTokenClaim,
        store::{Group, Membership},
    };

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn filters_follow_okta_rules() {
        let n = names(&["Everyone", "eng-Backend", "Eng", "sales"]);
        assert_eq!(
            filter_groups(&n, "STARTS_WITH", "ENG"),
            names(&["eng-Backend", "Eng"])
        );
        assert_eq!(filter_groups(&n, "EQUALS", "eng"), names(&["Eng"]));
        assert_eq!(filter_groups(&n, "CONTAINS", "ON"), names(&["Everyone"]));
        // REGEX: whole name, case-sensitive.
        assert_eq!(filter_groups(&n, "REGEX", "eng.*"), names(&["eng-Backend"]));
        assert_eq!(filter_groups(&n, "REGEX", "Eng"), names(&["Eng"]));
        assert_eq!(filter_groups(&n, "REGEX", ".*").len(), 4);
        assert!(filter_groups(&n, "REGEX", "(").is_empty());
        assert!(filter_groups(&n, "BOGUS", "x").is_empty());
    }

    fn org_with_groups(count: usize) -> (Org, String) {
        let mut org = Org::seed(None);
        let uid = org.admin_user_id.clone();
        for i in 0..count {
            let id = format!("00g{i:017}");
            let seq = org.next_seq();
            org.groups.push(Group {
                id: id.clone(),
                seq,
                created: 0,
                last_updated: 0,
                last_membership_updated: 0,
                kind: "OKTA_GROUP".into(),
                profile: json!({"name": format!("team-{i}")}),
            });
            org.memberships.push(Membership {
                group_id: id,
                user_id: uid.clone(),
            });
        }
        org.app_id_token_claims.push(AppIdTokenClaim {
            app_id: "0oaApp".into(),
            name: "groups".into(),
            value_type: "GROUPS".into(),
            group_filter_type: Some("STARTS_WITH".into()),
            value: "team".into(),
            issuer_mode: "ORG_URL".into(),
        });
        org.apps.push(crate::store::App {
            id: "0oaApp".into(),
            seq: 99,
            status: Status::Active,
            created: 0,
            last_updated: 0,
            body: Default::default(),
            secrets: vec![],
            groups: vec![],
            access_policy: None,
        });
        (org, uid)
    }

    #[test]
    fn org_groups_claim_needs_the_scope_and_the_limit_holds() {
        let (org, uid) = org_with_groups(3);
        let issuer = resolve(&org, &IssuerSel::Org, "http://h").unwrap();
        let user = org.user(&uid).unwrap();
        let with = names(&["openid", "profile", "groups"]);
        let subj = Subject {
            org: &org,
            user,
            client_id: "0oaApp",
            issuer: &issuer,
            scopes: &with,
            auth_time: 5,
        };
        let t = id_token(&subj, Some("n-1"), Some("at"), 100, ID_TOKEN_SECS).unwrap();
        assert_eq!(t["groups"], json!(["team-0", "team-1", "team-2"]));
        assert_eq!(t["exp"], json!(3700));
        assert_eq!(t["aud"], json!("0oaApp"));
        assert_eq!(t["nonce"], json!("n-1"));
        let order: Vec<&str> = t.keys().map(String::as_str).collect();
        assert_eq!(
            order,
            [
                "sub",
                "name",
                "ver",
                "iss",
                "aud",
                "iat",
                "exp",
                "jti",
                "amr",
                "idp",
                "nonce",
                "preferred_username",
                "auth_time",
                "at_hash",
                "groups"
            ]
        );
        let info = userinfo(&subj, 1).unwrap();
        assert_eq!(info["groups"], json!(["team-0", "team-1", "team-2"]));
        assert!(access_token(&subj, "AT.x", 0, 60)
            .unwrap()
            .get("groups")
            .is_none());
        let without = names(&["openid", "profile"]);
        let subj = Subject {
            scopes: &without,
            ..subj
        };
        assert!(id_token(&subj, None, None, 0, ID_TOKEN_SECS)
            .unwrap()
            .get("groups")
            .is_none());

        let (org, uid) = org_with_groups(101);
        let user = org.user(&uid).unwrap();
        let subj = Subject {
            org: &org,
            user,
            client_id: "0oaApp",
            issuer: &issuer,
            scopes: &with,
            auth_time: 5,
        };
        assert_eq!(
            id_token(&subj, None, None, 0, ID_TOKEN_SECS).unwrap_err(),
            ClaimError::TooManyGroups
        );
    }
}
