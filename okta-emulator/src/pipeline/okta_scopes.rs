//! OAuth 2.0 for Okta's own APIs: the `okta.*` scopes a service app can be granted, what a
//! Management API call needs from a token (its route's scope family, read or manage), and what
//! each admin role of a client app may do.

/// Okta API scopes the org authorization server knows (`okta.<resource>.read|manage`, plus the
/// few extra ones Okta defines). A grant or token request for anything else is refused.
const RESOURCES: &[&str] = &[
    "apps",
    "appGrants",
    "apiTokens",
    "authenticators",
    "authorizationServers",
    "behaviors",
    "brands",
    "captchas",
    "clients",
    "devices",
    "deviceAssurance",
    "domains",
    "emailDomains",
    "eventHooks",
    "factors",
    "features",
    "groups",
    "identitySources",
    "idps",
    "inlineHooks",
    "linkedObjects",
    "logStreams",
    "networkZones",
    "orgs",
    "policies",
    "principalRateLimits",
    "profileMappings",
    "rateLimits",
    "roles",
    "schemas",
    "sessions",
    "templates",
    "threatInsights",
    "trustedOrigins",
    "uischemas",
    "userTypes",
    "users",
];
const EXTRA: &[&str] = &[
    "okta.logs.read",
    "okta.events.read",
    "okta.reports.read",
    "okta.clients.register",
    "okta.users.read.self",
    "okta.users.manage.self",
    "okta.myAccount.read",
    "okta.myAccount.manage",
];

/// Whether `scope` is an Okta API scope.
pub fn is_okta_scope(scope: &str) -> bool {
    if EXTRA.contains(&scope) {
        return true;
    }
    let Some(rest) = scope.strip_prefix("okta.") else {
        return false;
    };
    match rest.rsplit_once('.') {
        Some((res, "read" | "manage")) => RESOURCES.contains(&res),
        _ => false,
    }
}

/// What a Management API request needs from an OAuth access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    /// The scope family, `okta.<resource>`'s `<resource>`.
    pub resource: &'static str,
    /// GET and HEAD only read.
    pub read: bool,
}

impl Need {
    /// The scope Okta names in its `insufficient_scope` challenge.
    pub fn scope(&self) -> String {
        let level = if self.read { "read" } else { "manage" };
        format!("okta.{}.{level}", self.resource)
    }

    /// Whether the granted scopes cover the request (`manage` implies `read`).
    pub fn satisfied_by(&self, scopes: &[String]) -> bool {
        let manage = format!("okta.{}.manage", self.resource);
        let read = format!("okta.{}.read", self.resource);
        scopes
            .iter()
            .any(|s| *s == manage || (self.read && *s == read))
    }
}

impl Need {
    /// What a `method` call on a route of scope family `family` needs (GET and HEAD read).
    pub fn new(family: &'static str, method: &str) -> Need {
        Need {
            resource: family,
            read: matches!(method, "GET" | "HEAD"),
        }
    }
}

/// The scope family of a Management API path that no route declares (declared routes name
/// their own, see `pipeline::routes`): the family Okta files it under, so a token without those
/// scopes gets Okta's 403 before the emulator's 404 or 501.
pub fn family_by_prefix(path: &str) -> &'static str {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segs.as_slice() {
        ["oauth2", "v1", "clients", _, "roles", ..] => "roles",
        ["oauth2", "v1", "clients", ..] => "clients",
        ["api", "v1", "apps", _, "grants", ..] => "appGrants",
        ["api", "v1", "apps", _, "roles", ..] => "roles",
        ["api", "v1", "apps", ..] => "apps",
        ["api", "v1", "groups", ..] => "groups",
        ["api", "v1", "users", ..] => "users",
        ["api", "v1", "api-tokens", ..] => "apiTokens",
        ["api", "v1", "authorizationServers", ..] => "authorizationServers",
        ["api", "v1", "policies", ..] => "policies",
        ["api", "v1", "zones", ..] => "networkZones",
        ["api", "v1", "meta", "schemas", ..] => "schemas",
        _ => "orgs",
    }
}

/// Admin role types a client app can be assigned, with the label Okta shows.
pub const ROLE_TYPES: &[(&str, &str)] = &[
    ("SUPER_ADMIN", "Super Administrator"),
    ("ORG_ADMIN", "Organizational Administrator"),
    ("APP_ADMIN", "Application Administrator"),
    ("USER_ADMIN", "User Administrator"),
    ("HELP_DESK_ADMIN", "Help Desk Administrator"),
    ("READ_ONLY_ADMIN", "Read Only Administrator"),
    ("MOBILE_ADMIN", "Mobile Administrator"),
    (
        "API_ACCESS_MANAGEMENT_ADMIN",
        "API Access Management Administrator",
    ),
    ("REPORT_ADMIN", "Report Administrator"),
    ("GROUP_MEMBERSHIP_ADMIN", "Group Membership Administrator"),
];

pub fn role_label(role_type: &str) -> Option<&'static str> {
    ROLE_TYPES
        .iter()
        .find(|(t, _)| *t == role_type)
        .map(|(_, l)| *l)
}

/// Whether an admin role lets its holder make the request. Deliberately small: what the
/// provider's calls need (see docs/emulator.md "OAuth for Okta APIs").
pub fn role_covers(role_type: &str, need: &Need) -> bool {
    match role_type {
        "SUPER_ADMIN" | "ORG_ADMIN" => true,
        "APP_ADMIN" => matches!(need.resource, "apps" | "appGrants" | "clients"),
        "USER_ADMIN" => matches!(need.resource, "users" | "groups"),
        "GROUP_MEMBERSHIP_ADMIN" => need.resource == "groups",
        "API_ACCESS_MANAGEMENT_ADMIN" => need.resource == "authorizationServers",
        "READ_ONLY_ADMIN" => need.read,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn okta_scopes_are_known_by_family_and_level() {
        for s in [
            "okta.apps.manage",
            "okta.apps.read",
            "okta.apiTokens.read",
            "okta.authorizationServers.manage",
            "okta.logs.read",
        ] {
            assert!(is_okta_scope(s), "{s}");
        }
        for s in [
            "okta.apps",
            "okta.nope.read",
            "openid",
            "okta.apps.write",
            "",
        ] {
            assert!(!is_okta_scope(s), "{s}");
        }
    }

    fn need(method: &str, path: &str) -> Need {
        Need::new(family_by_prefix(path), method)
    }

    #[test]
    fn undeclared_paths_need_their_family() {
        let n = need("GET", "/api/v1/groups/00g1/users");
        assert_eq!((n.scope(), n.read), ("okta.groups.read".into(), true));
        assert_eq!(need("PUT", "/api/v1/apps/0oa1").scope(), "okta.apps.manage");
        assert_eq!(
            need("POST", "/api/v1/apps/0oa1/grants").scope(),
            "okta.appGrants.manage"
        );
        assert_eq!(
            need("GET", "/api/v1/api-tokens").scope(),
            "okta.apiTokens.read"
        );
        assert_eq!(
            need("DELETE", "/api/v1/authorizationServers/aus1/scopes/s").scope(),
            "okta.authorizationServers.manage"
        );
        assert_eq!(
            need("POST", "/oauth2/v1/clients/c/roles").scope(),
            "okta.roles.manage"
        );
    }

    #[test]
    fn manage_implies_read_but_not_the_reverse() {
        let read = need("GET", "/api/v1/apps");
        let write = need("POST", "/api/v1/apps");
        let manage = vec!["okta.apps.manage".to_string()];
        let only_read = vec!["okta.apps.read".to_string()];
        assert!(read.satisfied_by(&manage) && read.satisfied_by(&only_read));
        assert!(write.satisfied_by(&manage) && !write.satisfied_by(&only_read));
        assert!(!read.satisfied_by(&["okta.groups.manage".to_string()]));
    }

    #[test]
    fn roles_cover_what_they_should() {
        let apps_write = need("PUT", "/api/v1/apps/0oa1");
        let groups_read = need("GET", "/api/v1/groups");
        assert!(role_covers("SUPER_ADMIN", &apps_write));
        assert!(role_covers("ORG_ADMIN", &apps_write));
        assert!(role_covers("APP_ADMIN", &apps_write));
        assert!(!role_covers("APP_ADMIN", &groups_read));
        assert!(role_covers("READ_ONLY_ADMIN", &groups_read));
        assert!(!role_covers("READ_ONLY_ADMIN", &apps_write));
        assert!(!role_covers("HELP_DESK_ADMIN", &apps_write));
        assert_eq!(role_label("APP_ADMIN"), Some("Application Administrator"));
        assert_eq!(role_label("NOPE"), None);
    }
}
