//! Users as operations on the org: create, find, a user's groups, and the lifecycle
//! (activate, deactivate, delete). No HTTP here; the handlers call these inside
//! `Shared::read`/`Shared::write`.

use http::StatusCode;
use serde_json::{Map, Value};

use crate::{
    base::errors::{ApiResult, OktaError},
    base::ids,
    base::password::PasswordHash,
    okta::objects::USER_KIND,
    store::{Group, Org, User, UserStatus},
};

use super::profile;

fn not_found(id: &str) -> OktaError {
    OktaError::not_found(id, USER_KIND)
}

/// The user with this id (only), or 404: the caller of `/users/me`.
pub fn by_id<'a>(org: &'a Org, id: &str) -> ApiResult<&'a User> {
    org.user(id).ok_or_else(|| not_found(id))
}

/// The user with this id or login (as Okta's `/users/{id}` takes either), or 404.
pub fn find<'a>(org: &'a Org, id_or_login: &str) -> ApiResult<&'a User> {
    org.user_by_id_or_login(id_or_login)
        .ok_or_else(|| not_found(id_or_login))
}

fn user_index(org: &Org, id_or_login: &str) -> ApiResult<usize> {
    let id = find(org, id_or_login)?.id.clone();
    org.users
        .iter()
        .position(|u| u.id == id)
        .ok_or_else(|| not_found(id_or_login))
}

/// Everyone's membership changes whenever a user is created or deleted.
fn touch_everyone(org: &mut Org, now: i64) {
    for g in org.groups.iter_mut().filter(|g| g.kind == "BUILT_IN") {
        g.last_membership_updated = now;
    }
}

/// Creates a user from a create body and returns its id. `password` is the plain password
/// (checked against the policy), `hashed` its hash, made by the caller outside the org lock.
/// With `activate` the user is ACTIVE (with a password) or PROVISIONED; without, STAGED.
pub fn create(
    org: &mut Org,
    req: &Map<String, Value>,
    activate: bool,
    password: Option<&str>,
    hashed: Option<PasswordHash>,
    now: i64,
) -> ApiResult<String> {
    let profile = profile::profile_from(req, org, password)?;
    let group_ids = profile::group_ids_from(req, org)?;
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
    let id = user.id.clone();
    org.users.push(user);
    Ok(id)
}

/// Every group the user is in, Everyone included, or 404.
pub fn groups_of<'a>(org: &'a Org, id_or_login: &str) -> ApiResult<Vec<&'a Group>> {
    let user = find(org, id_or_login)?;
    Ok(org
        .groups
        .iter()
        .filter(|g| org.is_member(&g.id, &user.id))
        .collect())
}

/// STAGED or DEPROVISIONED users only (403 `E0000016` otherwise). With a password the user
/// becomes ACTIVE, without one PROVISIONED.
pub fn activate(org: &mut Org, id_or_login: &str, now: i64) -> ApiResult<()> {
    let idx = user_index(org, id_or_login)?;
    let u = &mut org.users[idx];
    if !matches!(u.status, UserStatus::Staged | UserStatus::Deprovisioned) {
        return Err(OktaError::new(
            StatusCode::FORBIDDEN,
            "E0000016",
            "Activation failed because the user is already active",
        ));
    }
    u.status = if u.password.is_some() {
        UserStatus::Active
    } else {
        UserStatus::Provisioned
    };
    u.activated = Some(now);
    u.status_changed = Some(now);
    u.last_updated = now;
    Ok(())
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
fn deactivate_at(org: &mut Org, idx: usize, now: i64) {
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

/// Deactivates a user (a no-op if already DEPROVISIONED); the seeded admin is 403.
pub fn deactivate(org: &mut Org, id_or_login: &str, now: i64) -> ApiResult<()> {
    let idx = user_index(org, id_or_login)?;
    guard_admin(org, &org.users[idx].id)?;
    deactivate_at(org, idx, now);
    Ok(())
}

/// The first delete deactivates; deleting a DEPROVISIONED user removes it with its
/// memberships, tokens, app assignments and OAuth grants.
pub fn delete(org: &mut Org, id_or_login: &str, now: i64) -> ApiResult<()> {
    let idx = user_index(org, id_or_login)?;
    guard_admin(org, &org.users[idx].id)?;
    if org.users[idx].status != UserStatus::Deprovisioned {
        deactivate_at(org, idx, now);
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::okta::objects;
    use crate::store::ADMIN_LOGIN;
    use serde_json::json;

    #[test]
    fn finds_by_id_or_login() {
        let org = Org::seed(None);
        assert!(find(&org, &org.admin_user_id).is_ok());
        assert!(find(&org, ADMIN_LOGIN).is_ok());
        assert!(find(&org, &ADMIN_LOGIN.to_uppercase()).is_ok());
        assert_eq!(find(&org, "nobody").unwrap_err().code, "E0000007");
        assert_eq!(by_id(&org, ADMIN_LOGIN).unwrap_err().code, "E0000007");
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
    fn lifecycle() {
        let mut org = Org::seed(None);
        let body = json!({"profile": {"login": "a@x.io", "email": "a@x.io", "firstName": "A",
                                      "lastName": "B"}});
        let req = body.as_object().unwrap();
        let id = create(&mut org, req, false, None, None, 5).unwrap();
        assert_eq!(find(&org, &id).unwrap().status, UserStatus::Staged);
        assert_eq!(org.groups[0].last_membership_updated, 5);
        assert_eq!(groups_of(&org, "a@x.io").unwrap().len(), 1);
        activate(&mut org, &id, 6).unwrap();
        assert_eq!(find(&org, &id).unwrap().status, UserStatus::Provisioned);
        assert_eq!(activate(&mut org, &id, 7).unwrap_err().code, "E0000016");
        delete(&mut org, &id, 8).unwrap();
        assert_eq!(find(&org, &id).unwrap().status, UserStatus::Deprovisioned);
        delete(&mut org, &id, 9).unwrap();
        assert_eq!(find(&org, &id).unwrap_err().code, "E0000007");
        let admin = org.admin_user_id.clone();
        assert_eq!(
            deactivate(&mut org, &admin, 10).unwrap_err().code,
            "E0000006"
        );
        // The same login again is a duplicate only while the first user exists.
        create(&mut org, req, true, None, None, 11).unwrap();
        assert_eq!(
            create(&mut org, req, true, None, None, 12)
                .unwrap_err()
                .code,
            "E0000001"
        );
    }
}
