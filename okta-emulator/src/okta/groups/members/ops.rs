//! Memberships as operations on the org.

use crate::{
    base::errors::{ApiResult, OktaError},
    okta::objects::{GROUP_KIND, USER_KIND},
    store::{Org, User},
};

/// The group and user ids, or Okta's 404 for whichever is missing (group first); built-in
/// groups are read-only.
fn resolve(org: &Org, gid: &str, uid: &str) -> ApiResult<(String, String)> {
    let group = org
        .group(gid)
        .ok_or_else(|| OktaError::not_found(gid, GROUP_KIND))?;
    let user = org
        .user(uid)
        .ok_or_else(|| OktaError::not_found(uid, USER_KIND))?;
    if group.kind == "BUILT_IN" {
        return Err(OktaError::forbidden());
    }
    Ok((group.id.clone(), user.id.clone()))
}

/// Adds the user to the group (a no-op if already a member).
pub fn add(org: &mut Org, gid: &str, uid: &str, now: i64) -> ApiResult<()> {
    let (gid, uid) = resolve(org, gid, uid)?;
    org.add_member(&gid, &uid, now);
    Ok(())
}

/// Removes the user from the group; the group's `lastMembershipUpdated` moves only if the user
/// was a member.
pub fn remove(org: &mut Org, gid: &str, uid: &str, now: i64) -> ApiResult<()> {
    let (gid, uid) = resolve(org, gid, uid)?;
    let before = org.memberships.len();
    org.memberships
        .retain(|m| !(m.group_id == gid && m.user_id == uid));
    if org.memberships.len() != before {
        if let Some(g) = org.groups.iter_mut().find(|g| g.id == gid) {
            g.last_membership_updated = now;
        }
    }
    Ok(())
}

/// The group's members in creation order (every user for Everyone), or 404.
pub fn list<'a>(org: &'a Org, gid: &str) -> ApiResult<Vec<&'a User>> {
    let group = org
        .group(gid)
        .ok_or_else(|| OktaError::not_found(gid, GROUP_KIND))?;
    Ok(org
        .users
        .iter()
        .filter(|u| org.is_member(&group.id, &u.id))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::okta::groups::ops as groups;
    use serde_json::json;

    #[test]
    fn add_list_remove() {
        let mut org = Org::seed(None);
        let req = json!({"profile": {"name": "eng"}});
        let gid = groups::create(&mut org, req.as_object().unwrap(), 1)
            .unwrap()
            .id
            .clone();
        let uid = org.user_by_login_or_create("a@x.io");
        assert!(list(&org, &gid).unwrap().is_empty());
        add(&mut org, &gid, &uid, 5).unwrap();
        assert_eq!(list(&org, &gid).unwrap()[0].id, uid);
        remove(&mut org, &gid, &uid, 6).unwrap();
        assert!(list(&org, &gid).unwrap().is_empty());
        assert_eq!(org.group(&gid).unwrap().last_membership_updated, 6);
        let everyone = org.groups[0].id.clone();
        assert_eq!(
            add(&mut org, &everyone, &uid, 7).unwrap_err().code,
            "E0000006"
        );
        assert_eq!(
            add(&mut org, "00gnone", &uid, 7).unwrap_err().code,
            "E0000007"
        );
        assert_eq!(list(&org, &everyone).unwrap().len(), 2);
    }
}
