//! What authorization servers start with: the OIDC system scopes and claims every server gets,
//! and the built-in `default` server with an access policy that lets every client in.

use crate::{
    base::{clock, ids},
    store::authz::{AuthClaim, AuthPolicy, AuthScope, AuthServer, PolicyRule},
    store::{Org, Status},
};

/// Description of the built-in server, as Okta ships it.
pub const DEFAULT_DESCRIPTION: &str = "Default Authorization Server for your Applications";
/// Key rotation period of AUTO servers (`nextRotation` = `lastRotated` + 90 days).
pub const ROTATION_SECS: i64 = 90 * 24 * 60 * 60;

/// The seven OIDC scopes of a new server: name, display name, description.
const SYSTEM_SCOPES: &[(&str, &str, &str)] = &[
    ("openid", "openid", "Signals that a request is an OpenID request."),
    ("profile", "View your profile information.", "The exact data varies based on what profile information you have provided, such as: name, time zone, picture, or birthday."),
    ("email", "View your email address.", "This allows the app to view your email address."),
    ("address", "View your address.", "This allows the app to view your address, such as: street address, city, state, and zip code."),
    ("phone", "View your phone number.", "This allows the app to view your phone number."),
    ("offline_access", "Keep you signed in to the app.", "This keeps you signed in to the app, even when you are not using it."),
    ("device_sso", "Request device secret.", "This allows you to single sign on between native client applications on your device."),
];

/// The IDENTITY/SYSTEM claims of a new server: name, the scope that releases it, and whether it
/// is always in the ID token (only `name`, `preferred_username` and `email` are).
const SYSTEM_CLAIMS: &[(&str, &str, bool)] = &[
    ("address", "address", false),
    ("birthdate", "profile", false),
    ("email", "email", true),
    ("email_verified", "email", false),
    ("family_name", "profile", false),
    ("gender", "profile", false),
    ("given_name", "profile", false),
    ("locale", "profile", false),
    ("middle_name", "profile", false),
    ("name", "profile", true),
    ("nickname", "profile", false),
    ("phone_number", "phone", false),
    ("picture", "profile", false),
    ("preferred_username", "profile", true),
    ("profile", "profile", false),
    ("updated_at", "profile", false),
    ("website", "profile", false),
    ("zoneinfo", "profile", false),
];

/// Value of the RESOURCE `sub` claim: the app user's name, or the client for client credentials.
pub const SUB_EXPRESSION: &str = "(appuser != null) ? appuser.userName : app.clientId";

pub fn system_scopes() -> Vec<AuthScope> {
    SYSTEM_SCOPES
        .iter()
        .map(|(name, display, description)| AuthScope {
            id: ids::object_id("scp"),
            name: (*name).to_string(),
            description: Some((*description).to_string()),
            display_name: Some((*display).to_string()),
            system: true,
            metadata_publish: "ALL_CLIENTS".to_string(),
            consent: "IMPLICIT".to_string(),
            default: false,
            optional: false,
        })
        .collect()
}

pub fn system_claims() -> Vec<AuthClaim> {
    let mut claims: Vec<AuthClaim> = SYSTEM_CLAIMS
        .iter()
        .map(|(name, scope, always)| AuthClaim {
            id: ids::object_id("ocl"),
            name: (*name).to_string(),
            status: Status::Active,
            claim_type: "IDENTITY".to_string(),
            value_type: "SYSTEM".to_string(),
            value: String::new(),
            group_filter_type: None,
            always_include_in_token: *always,
            scopes: vec![(*scope).to_string()],
            system: true,
        })
        .collect();
    claims.push(AuthClaim {
        id: ids::object_id("ocl"),
        name: "sub".to_string(),
        status: Status::Active,
        claim_type: "RESOURCE".to_string(),
        value_type: "EXPRESSION".to_string(),
        value: SUB_EXPRESSION.to_string(),
        group_filter_type: None,
        always_include_in_token: true,
        scopes: Vec::new(),
        system: true,
    });
    claims
}

/// A new server with the system scopes and claims and no policy.
pub fn new_server(
    seq: u64,
    name: String,
    description: String,
    audiences: Vec<String>,
    issuer_mode: String,
    rotation_mode: String,
) -> AuthServer {
    let now = clock::now();
    AuthServer {
        id: ids::object_id("aus"),
        seq,
        name,
        description,
        audiences,
        issuer_mode,
        status: Status::Active,
        is_default: false,
        rotation_mode,
        last_rotated: now,
        created: now,
        last_updated: now,
        keys: Vec::new(),
        scopes: system_scopes(),
        claims: system_claims(),
        policies: Vec::new(),
    }
}

/// "Default Policy" for every client with "Default Policy Rule" for everyone: the policy
/// Okta historically shipped with `default`, so that sign-in through it works out of the box.
pub fn default_policy() -> AuthPolicy {
    let now = clock::now();
    AuthPolicy {
        id: ids::object_id("00p"),
        name: "Default Policy".to_string(),
        description: "Default policy description".to_string(),
        priority: 1,
        status: Status::Active,
        system: false,
        clients: vec!["ALL_CLIENTS".to_string()],
        rules: vec![PolicyRule {
            id: ids::object_id("0pr"),
            name: "Default Policy Rule".to_string(),
            priority: 1,
            status: Status::Active,
            system: false,
            grant_types: [
                "authorization_code",
                "implicit",
                "client_credentials",
                "password",
            ]
            .map(str::to_string)
            .to_vec(),
            groups_include: vec!["EVERYONE".to_string()],
            users_include: Vec::new(),
            users_exclude: Vec::new(),
            scopes: vec!["*".to_string()],
            access_token_lifetime_minutes: 60,
            refresh_token_lifetime_minutes: 0,
            refresh_token_window_minutes: 10080,
            created: now,
            last_updated: now,
        }],
        created: now,
        last_updated: now,
    }
}

/// The built-in `default` server (issuer mode `DYNAMIC`, manual key rotation, as recorded).
pub fn default_server(seq: u64) -> AuthServer {
    let mut s = new_server(
        seq,
        "default".to_string(),
        DEFAULT_DESCRIPTION.to_string(),
        vec!["api://default".to_string()],
        "DYNAMIC".to_string(),
        "MANUAL".to_string(),
    );
    s.is_default = true;
    s.policies.push(default_policy());
    s
}

/// Adds the `default` server to an org that has none (new orgs, and state files written
/// before authorization servers existed). Returns whether the org changed.
pub fn ensure_default_server(org: &mut Org) -> bool {
    if org.auth_servers.iter().any(|s| s.is_default) {
        return false;
    }
    let seq = org.next_seq();
    org.auth_servers.insert(0, default_server(seq));
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_servers_have_system_scopes_and_claims_but_no_policy() {
        let s = new_server(
            1,
            "a".into(),
            "d".into(),
            vec!["x".into()],
            "ORG_URL".into(),
            "AUTO".into(),
        );
        assert!(s.id.starts_with("aus") && s.id.len() == 20);
        assert_eq!(s.scopes.len(), 7);
        assert!(s.scopes.iter().all(|sc| sc.system));
        assert!(!s.scopes.iter().any(|sc| sc.name == "groups"));
        assert_eq!(s.claims.len(), 19);
        let always: Vec<&str> = s
            .claims
            .iter()
            .filter(|c| c.always_include_in_token && c.claim_type == "IDENTITY")
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(always, ["email", "name", "preferred_username"]);
        assert!(s.policies.is_empty());
    }

    #[test]
    fn default_server_is_seeded_once() {
        let mut org = Org::seed(None);
        assert!(!ensure_default_server(&mut org));
        org.auth_servers.clear();
        assert!(ensure_default_server(&mut org));
        let d = &org.auth_servers[0];
        assert!(d.is_default);
        assert_eq!(d.path_key(), "default");
        assert_eq!(d.issuer_mode, "DYNAMIC");
        assert_eq!(d.policies[0].clients, ["ALL_CLIENTS"]);
        assert_eq!(d.policies[0].rules[0].groups_include, ["EVERYONE"]);
        assert_eq!(d.policies[0].rules[0].grant_types.len(), 4);
    }
}
