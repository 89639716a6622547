//! Groups as operations on the org: validate a profile, create, find, replace, delete. No HTTP
//! here; the handlers call these inside `Shared::read`/`Shared::write`.

use serde_json::{Map, Value};

use crate::{
    base::errors::{ApiResult, Causes, OktaError},
    base::ids,
    okta::objects::GROUP_KIND,
    store::{Group, Org},
};

pub(super) fn group_name(g: &Group) -> &str {
    g.profile.get("name").and_then(Value::as_str).unwrap_or("")
}

/// Validates `{profile: {name, description?, …}}` and returns the normalised profile; `except`
/// is the group being replaced (its own name is not a duplicate).
fn profile_from(req: &Map<String, Value>, org: &Org, except: Option<&str>) -> ApiResult<Value> {
    let mut causes = Causes::new();
    let mut profile = match req.get("profile") {
        Some(Value::Object(p)) => p.clone(),
        _ => {
            causes.push("profile", "The field cannot be left blank.");
            Map::new()
        }
    };
    match profile.get("name") {
        Some(Value::String(n))
            if !n.trim().is_empty()
                && org
                    .groups
                    .iter()
                    .any(|g| Some(g.id.as_str()) != except && group_name(g) == n) =>
        {
            causes.push(
                "name",
                "An object with this field already exists in the current organization",
            );
        }
        Some(Value::String(n)) if !n.trim().is_empty() => {}
        _ if causes.is_empty() => causes.push("name", "The field cannot be left blank."),
        _ => {}
    }
    match profile.get("description") {
        None => {
            profile.insert("description".into(), Value::Null);
        }
        Some(Value::Null) | Some(Value::String(_)) => {}
        Some(_) => causes.push("description", "The field has an invalid value"),
    }
    causes.into_result()?;
    // Okta orders `name` before `description`.
    let mut out = Map::new();
    for k in ["name", "description"] {
        if let Some(v) = profile.remove(k) {
            out.insert(k.into(), v);
        }
    }
    out.extend(profile);
    Ok(Value::Object(out))
}

/// The group with this id, or Okta's 404.
pub fn find<'a>(org: &'a Org, id: &str) -> ApiResult<&'a Group> {
    org.group(id)
        .ok_or_else(|| OktaError::not_found(id, GROUP_KIND))
}

/// Creates an `OKTA_GROUP` from a create body (`{profile: {…}}`).
pub fn create<'a>(org: &'a mut Org, req: &Map<String, Value>, now: i64) -> ApiResult<&'a Group> {
    let profile = profile_from(req, org, None)?;
    let seq = org.next_seq();
    org.groups.push(Group {
        id: ids::object_id("00g"),
        seq,
        created: now,
        last_updated: now,
        last_membership_updated: now,
        kind: "OKTA_GROUP".into(),
        profile,
    });
    Ok(org.groups.last().expect("just pushed"))
}

/// The position of a group that may be changed: 404 if unknown, 403 for built-in groups.
fn editable(org: &Org, id: &str) -> ApiResult<usize> {
    let idx = org
        .groups
        .iter()
        .position(|g| g.id == id)
        .ok_or_else(|| OktaError::not_found(id, GROUP_KIND))?;
    if org.groups[idx].kind == "BUILT_IN" {
        return Err(OktaError::forbidden());
    }
    Ok(idx)
}

/// Replaces the profile of an `OKTA_GROUP`.
pub fn replace<'a>(
    org: &'a mut Org,
    id: &str,
    req: &Map<String, Value>,
    now: i64,
) -> ApiResult<&'a Group> {
    let idx = editable(org, id)?;
    let profile = profile_from(req, org, Some(id))?;
    let g = &mut org.groups[idx];
    g.profile = profile;
    g.last_updated = now;
    Ok(g)
}

/// Deletes a group with its app assignments and memberships, as Okta does.
pub fn delete(org: &mut Org, id: &str) -> ApiResult<()> {
    let idx = editable(org, id)?;
    org.groups.remove(idx);
    for app in &mut org.apps {
        app.groups.retain(|a| a.group_id != id);
    }
    org.memberships.retain(|m| m.group_id != id);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn req(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn profiles_are_validated() {
        let org = Org::seed(None);
        let p = profile_from(
            &req(json!({"profile": {"name": "eng", "x": 1}})),
            &org,
            None,
        )
        .unwrap();
        assert_eq!(p, json!({"name": "eng", "description": null, "x": 1}));
        let e =
            profile_from(&req(json!({"profile": {"name": "Everyone"}})), &org, None).unwrap_err();
        assert_eq!(e.summary, "Api validation failed: name");
        assert!(profile_from(&req(json!({"profile": {}})), &org, None).is_err());
        assert!(profile_from(&req(json!({})), &org, None).is_err());
    }

    #[test]
    fn create_replace_delete() {
        let mut org = Org::seed(None);
        let id = create(&mut org, &req(json!({"profile": {"name": "eng"}})), 7)
            .unwrap()
            .id
            .clone();
        assert_eq!(find(&org, &id).unwrap().kind, "OKTA_GROUP");
        let dup = create(&mut org, &req(json!({"profile": {"name": "eng"}})), 8).unwrap_err();
        assert_eq!(dup.code, "E0000001");
        // Its own name is not a duplicate.
        let g = replace(&mut org, &id, &req(json!({"profile": {"name": "eng"}})), 9).unwrap();
        assert_eq!(g.last_updated, 9);
        let everyone = org.groups[0].id.clone();
        assert_eq!(delete(&mut org, &everyone).unwrap_err().code, "E0000006");
        delete(&mut org, &id).unwrap();
        assert_eq!(find(&org, &id).unwrap_err().code, "E0000007");
    }

    #[test]
    fn rendered_shape() {
        let org = Org::seed(None);
        let r = crate::okta::objects::group(&org.groups[0], "http://h");
        assert_eq!(r["type"], "BUILT_IN");
        assert_eq!(
            r["_links"]["apps"]["href"],
            format!("http://h/api/v1/groups/{}/apps", org.groups[0].id)
        );
    }
}
