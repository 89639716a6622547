//! The checks on a create body, in Okta's order and with Okta's messages: the profile (login,
//! email, names), the password policy and `groupIds`.

use serde_json::{Map, Value};

use crate::{
    base::errors::{ApiResult, Causes, OktaError},
    okta::objects::GROUP_KIND,
    store::Org,
};

/// Okta's `groupIds` ceiling on create.
const MAX_GROUP_IDS: usize = 20;
const BLANK: &str = "The field cannot be left blank.";
const PASSWORD_RULES: &str = "Password requirements were not met. Password requirements: at least 8 characters, a lowercase letter, an uppercase letter, a number, no parts of your username.";

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
pub fn password_from(req: &Map<String, Value>) -> ApiResult<Option<String>> {
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
pub fn profile_from(
    req: &Map<String, Value>,
    org: &Org,
    password: Option<&str>,
) -> ApiResult<Value> {
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

/// The `groupIds` of a create body: at most 20, each an existing group (404 otherwise).
pub fn group_ids_from(req: &Map<String, Value>, org: &Org) -> ApiResult<Vec<String>> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ADMIN_LOGIN;
    use serde_json::json;

    fn req(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
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
    fn group_ids_must_exist() {
        let org = Org::seed(None);
        let everyone = org.groups[0].id.clone();
        assert_eq!(
            group_ids_from(&req(json!({"groupIds": [everyone]})), &org).unwrap(),
            [everyone]
        );
        let e = group_ids_from(&req(json!({"groupIds": ["00gnone"]})), &org).unwrap_err();
        assert_eq!(e.code, "E0000007");
        let e = group_ids_from(&req(json!({"groupIds": "x"})), &org).unwrap_err();
        assert_eq!(e.code, "E0000001");
    }
}
