//! The org's policies (`/api/v1/policies`) and their rules, and the ones a new Identity Engine
//! org starts with.
//!
//! `conditions`, `settings` and a rule's `actions` are kept as the JSON Okta returns: the
//! emulator checks what clients send but enforces none of these policies at sign-in.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{Org, Status};
use crate::base::{clock, ids};

pub const ACCESS_POLICY: &str = "ACCESS_POLICY";
pub const OKTA_SIGN_ON: &str = "OKTA_SIGN_ON";
pub const PASSWORD: &str = "PASSWORD";
pub const PROFILE_ENROLLMENT: &str = "PROFILE_ENROLLMENT";
pub const MFA_ENROLL: &str = "MFA_ENROLL";
pub const IDP_DISCOVERY: &str = "IDP_DISCOVERY";

/// `_embedded.resourceType` of the access policies apps are mapped to.
pub const RESOURCE_APP: &str = "APP";
/// `_embedded.resourceType` of the Okta Account Management Policy (read-only).
pub const RESOURCE_ACCOUNT_MANAGEMENT: &str = "END_USER_ACCOUNT_MANAGEMENT";

/// Type words of Okta's 404 summaries (`Resource not found: {id} (Policy)`).
pub const POLICY_KIND: &str = "Policy";
pub const RULE_KIND: &str = "PolicyRule";

/// Description Okta gives the default policy of the classic types.
pub const DEFAULT_POLICY_DESCRIPTION: &str =
    "The default policy applies in all situations if no other policy applies.";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Policy {
    pub id: String,
    pub seq: u64,
    #[serde(rename = "type")]
    pub policy_type: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub priority: i64,
    /// Okta's own policies: cannot be deleted or deactivated.
    pub system: bool,
    pub status: Status,
    /// Access policies only: what they guard (`APP`, or `END_USER_ACCOUNT_MANAGEMENT`).
    #[serde(default)]
    pub resource_type: Option<String>,
    /// As Okta returns it (`null` when none).
    #[serde(default)]
    pub conditions: Value,
    #[serde(default)]
    pub settings: Option<Value>,
    pub created: i64,
    pub last_updated: i64,
    #[serde(default)]
    pub rules: Vec<PolicyRule>,
}

impl Policy {
    pub fn rule(&self, id: &str) -> Option<&PolicyRule> {
        self.rules.iter().find(|r| r.id == id)
    }

    pub fn rule_mut(&mut self, id: &str) -> Option<&mut PolicyRule> {
        self.rules.iter_mut().find(|r| r.id == id)
    }

    /// The `type` of this policy's rules (sign-on policies have `SIGN_ON` rules).
    pub fn rule_type(&self) -> &str {
        rule_type_of(&self.policy_type)
    }

    /// Whether Okta lets clients change it beyond reading (the account-management policy is
    /// read-only).
    pub fn read_only(&self) -> bool {
        self.resource_type.as_deref() == Some(RESOURCE_ACCOUNT_MANAGEMENT)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyRule {
    pub id: String,
    pub seq: u64,
    #[serde(rename = "type")]
    pub rule_type: String,
    pub name: String,
    pub priority: i64,
    /// The default (catch-all) rule: cannot be deleted.
    pub system: bool,
    pub status: Status,
    #[serde(default)]
    pub conditions: Value,
    #[serde(default)]
    pub actions: Value,
    pub created: i64,
    pub last_updated: i64,
}

impl Org {
    pub fn policy(&self, id: &str) -> Option<&Policy> {
        self.policies.iter().find(|p| p.id == id)
    }

    pub fn policy_mut(&mut self, id: &str) -> Option<&mut Policy> {
        self.policies.iter_mut().find(|p| p.id == id)
    }

    /// The access policy `app_id` is mapped to: its own, else the org's default.
    pub fn access_policy_of(&self, app_id: &str) -> &str {
        self.app(app_id)
            .and_then(|a| a.access_policy.as_deref())
            .unwrap_or(&self.access_policy_id)
    }

    /// Ids of the apps mapped to `policy_id`, in creation order.
    pub fn apps_on_policy(&self, policy_id: &str) -> Vec<&str> {
        self.apps
            .iter()
            .filter(|a| self.access_policy_of(&a.id) == policy_id)
            .map(|a| a.id.as_str())
            .collect()
    }
}

/// The actions of an access policy's catch-all rule, as Okta creates it.
pub fn catch_all_app_sign_on() -> Value {
    json!({"appSignOn": {
        "access": "ALLOW",
        "verificationMethod": {
            "factorMode": "2FA",
            "type": "ASSURANCE",
            "reauthenticateIn": "PT12H",
            "constraints": [{"possession": {"required": true, "deviceBound": "REQUIRED"}}]
        },
        "keepMeSignedIn": {"postAuth": "NOT_ALLOWED"}
    }})
}

/// A rule Okta creates with its policy (the catch-all of access and enrollment policies, the
/// `Default Rule` of the classic types).
pub fn system_rule(
    seq: u64,
    rule_type: &str,
    name: &str,
    priority: i64,
    conditions: Value,
    actions: Value,
    now: i64,
) -> PolicyRule {
    PolicyRule {
        id: ids::object_id(rule_prefix(rule_type)),
        seq,
        rule_type: rule_type.to_string(),
        name: name.to_string(),
        priority,
        system: true,
        status: Status::Active,
        conditions,
        actions,
        created: now,
        last_updated: now,
    }
}

pub fn rule_type_of(policy_type: &str) -> &str {
    match policy_type {
        OKTA_SIGN_ON => "SIGN_ON",
        t => t,
    }
}

/// Identity Engine policy types use `rst` ids; the classic ones `00p`.
pub fn policy_prefix(policy_type: &str) -> &'static str {
    match policy_type {
        ACCESS_POLICY | PROFILE_ENROLLMENT => "rst",
        _ => "00p",
    }
}

pub fn rule_prefix(policy_type: &str) -> &'static str {
    match policy_type {
        ACCESS_POLICY | PROFILE_ENROLLMENT => "rul",
        _ => "0pr",
    }
}

/// Okta's catch-all rule of a new access policy.
pub fn access_catch_all(seq: u64, now: i64) -> PolicyRule {
    system_rule(
        seq,
        ACCESS_POLICY,
        "Catch-all Rule",
        99,
        Value::Null,
        catch_all_app_sign_on(),
        now,
    )
}

struct SeedPolicy {
    policy_type: &'static str,
    name: &'static str,
    description: Option<&'static str>,
    system: bool,
    resource_type: Option<&'static str>,
}

/// The access policies of a new org, in the order Okta lists them (recorded): the Okta apps'
/// own, the system default `Any two factors` (new apps are mapped to it), and the read-only
/// account-management policy.
const ACCESS_POLICIES: &[SeedPolicy] = &[
    SeedPolicy {
        policy_type: ACCESS_POLICY,
        name: "Okta Admin Console",
        description: None,
        system: false,
        resource_type: Some(RESOURCE_APP),
    },
    SeedPolicy {
        policy_type: ACCESS_POLICY,
        name: "Okta Dashboard",
        description: None,
        system: false,
        resource_type: Some(RESOURCE_APP),
    },
    SeedPolicy {
        policy_type: ACCESS_POLICY,
        name: "Okta Browser Plugin",
        description: None,
        system: false,
        resource_type: Some(RESOURCE_APP),
    },
    SeedPolicy {
        policy_type: ACCESS_POLICY,
        name: DEFAULT_ACCESS_POLICY_NAME,
        description: Some("Require two factors to access."),
        system: true,
        resource_type: Some(RESOURCE_APP),
    },
    SeedPolicy {
        policy_type: ACCESS_POLICY,
        name: "Okta Account Management Policy",
        description: Some("This policy defines how users must authenticate for authenticator enrollment, password reset, or unlock account. Password policy rules control whether to enforce this policy for password reset and unlock account."),
        system: false,
        resource_type: Some(RESOURCE_ACCOUNT_MANAGEMENT),
    },
];

/// Name of the system access policy (the org default).
pub const DEFAULT_ACCESS_POLICY_NAME: &str = "Any two factors";

fn everyone_condition(org: &Org) -> Value {
    let everyone: Vec<&str> = org
        .groups
        .iter()
        .filter(|g| g.kind == "BUILT_IN")
        .map(|g| g.id.as_str())
        .collect();
    json!({"people": {"groups": {"include": everyone}}})
}

/// The policies of the classic types every org has one default of: type, conditions,
/// settings, the default rule's name, priority, conditions and actions.
fn classic_defaults(org: &Org) -> Vec<(&'static str, Value, Option<Value>, Value, Value)> {
    let everyone = everyone_condition(org);
    let anywhere =
        json!({"people": {"users": {"exclude": []}}, "network": {"connection": "ANYWHERE"}});
    let mut password_conditions = everyone.clone();
    password_conditions["authProvider"] = json!({"provider": "OKTA"});
    vec![
        (
            OKTA_SIGN_ON,
            everyone.clone(),
            None,
            {
                let mut c = anywhere.clone();
                c["authContext"] = json!({"authType": "ANY"});
                c
            },
            json!({"signon": {
                "access": "ALLOW",
                "requireFactor": false,
                "primaryFactor": "PASSWORD_IDP_ANY_FACTOR",
                "rememberDeviceByDefault": false,
                "session": {
                    "usePersistentCookie": false,
                    "maxSessionIdleMinutes": 120,
                    "maxSessionLifetimeMinutes": 0
                }
            }}),
        ),
        (
            PASSWORD,
            password_conditions,
            Some(json!({
                "password": {
                    "complexity": {
                        "minLength": 8, "minLowerCase": 1, "minUpperCase": 1, "minNumber": 1,
                        "minSymbol": 0, "excludeUsername": true,
                        "dictionary": {"common": {"exclude": false}}, "excludeAttributes": []
                    },
                    "age": {"maxAgeDays": 0, "expireWarnDays": 0, "minAgeMinutes": 0, "historyCount": 5},
                    "lockout": {
                        "maxAttempts": 10, "autoUnlockMinutes": 0,
                        "userLockoutNotificationChannels": [], "showLockoutFailures": false
                    }
                },
                "recovery": {"factors": {
                    "recovery_question": {"status": "INACTIVE", "properties": {"complexity": {"minLength": 4}}},
                    "okta_email": {"status": "INACTIVE", "properties": {"recoveryToken": {"tokenLifetimeMinutes": 60}}},
                    "okta_sms": {"status": "INACTIVE"},
                    "okta_call": {"status": "INACTIVE"}
                }},
                "delegation": {"options": {"skipUnlock": false}}
            })),
            anywhere.clone(),
            json!({
                "passwordChange": {"access": "ALLOW"},
                "selfServicePasswordReset": {"access": "ALLOW"},
                "selfServiceUnlock": {"access": "DENY"}
            }),
        ),
        (
            MFA_ENROLL,
            everyone,
            Some(json!({
                "type": "AUTHENTICATORS",
                "authenticators": [
                    {"key": "okta_email", "enroll": {"self": "REQUIRED"}},
                    {"key": "okta_password", "enroll": {"self": "REQUIRED"}}
                ]
            })),
            anywhere,
            json!({"enroll": {"self": "CHALLENGE"}}),
        ),
        (
            IDP_DISCOVERY,
            Value::Null,
            None,
            Value::Null,
            json!({"idp": {"providers": [{"type": "OKTA"}]}}),
        ),
    ]
}

/// Adds the policies a new Identity Engine org has, for each type the org has none of (new
/// orgs, and state files written before policies existed). The default access policy and the
/// default enrollment policy take the ids apps' `_links` already point at. Returns whether
/// the org changed.
pub fn ensure_seeded(org: &mut Org) -> bool {
    let now = clock::now();
    let has = |org: &Org, t: &str| org.policies.iter().any(|p| p.policy_type == t);
    let mut changed = false;
    if !has(org, ACCESS_POLICY) {
        for s in ACCESS_POLICIES {
            let id = if s.system {
                org.access_policy_id.clone()
            } else {
                ids::object_id(policy_prefix(s.policy_type))
            };
            let seq = org.next_seq();
            let rule_seq = org.next_seq();
            org.policies.push(Policy {
                id,
                seq,
                policy_type: s.policy_type.to_string(),
                name: s.name.to_string(),
                description: s.description.map(str::to_string),
                priority: 1,
                system: s.system,
                status: Status::Active,
                resource_type: s.resource_type.map(str::to_string),
                conditions: Value::Null,
                settings: None,
                created: now,
                last_updated: now,
                rules: vec![access_catch_all(rule_seq, now)],
            });
        }
        changed = true;
    }
    if !has(org, PROFILE_ENROLLMENT) {
        let seq = org.next_seq();
        let rule_seq = org.next_seq();
        org.policies.push(Policy {
            id: org.enrollment_policy_id.clone(),
            seq,
            policy_type: PROFILE_ENROLLMENT.to_string(),
            name: "Default Policy".to_string(),
            description: None,
            priority: 1,
            system: true,
            status: Status::Active,
            resource_type: None,
            conditions: Value::Null,
            settings: None,
            created: now,
            last_updated: now,
            rules: vec![system_rule(
                rule_seq,
                PROFILE_ENROLLMENT,
                "Catch-all Rule",
                99,
                Value::Null,
                json!({"profileEnrollment": {
                    "access": "ALLOW",
                    "preRegistrationInlineHooks": null,
                    "profileAttributes": [
                        {"name": "email", "label": "Email", "required": true}
                    ],
                    "targetGroupIds": null,
                    "unknownUserAction": "DENY",
                    "activationRequirements": {"emailVerification": true},
                    "progressiveProfilingAction": "DISABLED",
                    "allowedIdentifiers": ["login"]
                }}),
                now,
            )],
        });
        changed = true;
    }
    for (policy_type, conditions, settings, rule_conditions, rule_actions) in classic_defaults(org)
    {
        if has(org, policy_type) {
            continue;
        }
        let seq = org.next_seq();
        let rule_seq = org.next_seq();
        let (name, description) = if policy_type == IDP_DISCOVERY {
            ("Idp Discovery Policy", "The default IdP Discovery Policy")
        } else {
            ("Default Policy", DEFAULT_POLICY_DESCRIPTION)
        };
        org.policies.push(Policy {
            id: ids::object_id(policy_prefix(policy_type)),
            seq,
            policy_type: policy_type.to_string(),
            name: name.to_string(),
            description: Some(description.to_string()),
            priority: 1,
            system: true,
            status: Status::Active,
            resource_type: None,
            conditions,
            settings,
            created: now,
            last_updated: now,
            rules: vec![system_rule(
                rule_seq,
                rule_type_of(policy_type),
                "Default Rule",
                1,
                rule_conditions,
                rule_actions,
                now,
            )],
        });
        changed = true;
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_org_has_one_system_access_policy_with_the_linked_id() {
        let org = Org::seed(None);
        let system: Vec<&Policy> = org
            .policies
            .iter()
            .filter(|p| p.policy_type == ACCESS_POLICY && p.system)
            .collect();
        assert_eq!(system.len(), 1);
        assert_eq!(system[0].id, org.access_policy_id);
        assert_eq!(system[0].name, DEFAULT_ACCESS_POLICY_NAME);
        assert_eq!(system[0].rules[0].name, "Catch-all Rule");
        assert!(system[0].rules[0].system);
        let enrollment = org.policy(&org.enrollment_policy_id).unwrap();
        assert_eq!(enrollment.policy_type, PROFILE_ENROLLMENT);
        for t in [OKTA_SIGN_ON, PASSWORD, MFA_ENROLL, IDP_DISCOVERY] {
            let p: Vec<&Policy> = org.policies.iter().filter(|p| p.policy_type == t).collect();
            assert_eq!(p.len(), 1, "{t}");
            assert!(p[0].system && p[0].id.starts_with("00p"), "{t}");
            assert_eq!(p[0].rules.len(), 1, "{t}");
        }
    }

    #[test]
    fn seeding_fills_only_missing_types() {
        let mut org = Org::seed(None);
        assert!(!ensure_seeded(&mut org));
        let before = org.policies.len();
        org.policies.retain(|p| p.policy_type != PASSWORD);
        assert!(ensure_seeded(&mut org));
        assert_eq!(org.policies.len(), before);
    }

    #[test]
    fn apps_default_to_the_org_access_policy() {
        let org = Org::seed(None);
        assert_eq!(org.access_policy_of("0oa-missing"), org.access_policy_id);
        assert!(org.apps_on_policy(&org.access_policy_id).is_empty());
    }
}
