//! Group assignment operations on the org: list in priority order, look up, upsert, remove.

use serde_json::{json, Map, Value};

use crate::{
    base::errors::{ApiResult, Causes, OktaError},
    okta::apps::APP_KIND,
    okta::objects::GROUP_KIND,
    store::{App, GroupAssignment, Org},
};

const ASSIGNMENT_KIND: &str = "ApplicationGroupAssignment";

/// What a PUT changes; `None` keeps (or, for a new assignment, defaults) the field.
#[derive(Debug, Default)]
pub struct Change {
    pub priority: Option<i64>,
    pub profile: Option<Value>,
}

/// Reads a PUT body's `priority` and `profile`.
pub fn parse_change(req: &Map<String, Value>) -> ApiResult<Change> {
    let mut causes = Causes::new();
    let priority = match req.get("priority") {
        None | Some(Value::Null) => None,
        Some(p) => match p.as_i64().filter(|n| *n >= 0) {
            Some(n) => Some(n),
            None => {
                causes.push("priority", "The field has an invalid value");
                None
            }
        },
    };
    let profile = match req.get("profile") {
        None | Some(Value::Null) => None,
        Some(Value::Object(p)) => Some(Value::Object(p.clone())),
        Some(_) => {
            causes.push("profile", "The field has an invalid value");
            None
        }
    };
    causes.into_result()?;
    Ok(Change { priority, profile })
}

/// Cursor of an assignment in priority order: `{priority}.{seq}`.
pub fn cursor(a: &GroupAssignment) -> (i64, u64) {
    (a.priority, a.seq)
}

pub fn parse_cursor(s: &str) -> ApiResult<(i64, u64)> {
    let (p, q) = s.split_once('.').ok_or_else(OktaError::invalid_search)?;
    Ok((
        p.parse().map_err(|_| OktaError::invalid_search())?,
        q.parse().map_err(|_| OktaError::invalid_search())?,
    ))
}

fn app_ref<'a>(org: &'a Org, app_id: &str) -> ApiResult<&'a App> {
    org.app(app_id)
        .ok_or_else(|| OktaError::not_found(app_id, APP_KIND))
}

/// The app's assignments in priority order; `q` keeps groups whose name starts with it.
pub fn list<'a>(
    org: &'a Org,
    app_id: &str,
    q: Option<&str>,
) -> ApiResult<Vec<&'a GroupAssignment>> {
    let app = app_ref(org, app_id)?;
    let mut matching: Vec<&GroupAssignment> = app
        .groups
        .iter()
        .filter(|a| match q {
            None => true,
            Some(q) => org.group(&a.group_id).is_some_and(|g| {
                g.profile
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_lowercase()
                    .starts_with(&q.to_lowercase())
            }),
        })
        .collect();
    matching.sort_by_key(|a| cursor(a));
    Ok(matching)
}

pub fn find<'a>(org: &'a Org, app_id: &str, group_id: &str) -> ApiResult<&'a GroupAssignment> {
    app_ref(org, app_id)?
        .groups
        .iter()
        .find(|a| a.group_id == group_id)
        .ok_or_else(|| OktaError::not_found(group_id, ASSIGNMENT_KIND))
}

/// Assigns the group to the app, or changes its assignment.
pub fn upsert(
    org: &mut Org,
    app_id: &str,
    group_id: &str,
    change: Change,
    now: i64,
) -> ApiResult<()> {
    let idx = org
        .apps
        .iter()
        .position(|a| a.id == app_id)
        .ok_or_else(|| OktaError::not_found(app_id, APP_KIND))?;
    if org.group(group_id).is_none() {
        return Err(OktaError::not_found(group_id, GROUP_KIND));
    }
    let seq = org.next_seq();
    let app = &mut org.apps[idx];
    match app.groups.iter_mut().find(|a| a.group_id == group_id) {
        Some(a) => {
            if let Some(p) = change.priority {
                a.priority = p;
            }
            if let Some(p) = change.profile {
                a.profile = p;
            }
            a.last_updated = now;
        }
        None => {
            let next = app.groups.iter().map(|a| a.priority + 1).max().unwrap_or(0);
            app.groups.push(GroupAssignment {
                group_id: group_id.to_string(),
                seq,
                priority: change.priority.unwrap_or(next),
                profile: change.profile.unwrap_or_else(|| json!({})),
                last_updated: now,
            });
        }
    }
    Ok(())
}

pub fn delete(org: &mut Org, app_id: &str, group_id: &str) -> ApiResult<()> {
    let app = org
        .app_mut(app_id)
        .ok_or_else(|| OktaError::not_found(app_id, APP_KIND))?;
    let pos = app
        .groups
        .iter()
        .position(|a| a.group_id == group_id)
        .ok_or_else(|| OktaError::not_found(group_id, ASSIGNMENT_KIND))?;
    app.groups.remove(pos);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Status;

    #[test]
    fn cursors_round_trip() {
        assert_eq!(parse_cursor("3.17").unwrap(), (3, 17));
        assert!(parse_cursor("x").is_err());
        assert!(parse_cursor("1.x").is_err());
    }

    #[test]
    fn upsert_numbers_priorities() {
        let mut org = Org::seed(None);
        org.apps.push(App {
            id: "0oa1".into(),
            seq: 1,
            status: Status::Active,
            created: 0,
            last_updated: 0,
            body: Map::new(),
            secrets: vec![],
            groups: vec![],
            access_policy: None,
        });
        let everyone = org.groups[0].id.clone();
        upsert(&mut org, "0oa1", &everyone, Change::default(), 1).unwrap();
        assert_eq!(find(&org, "0oa1", &everyone).unwrap().priority, 0);
        let change = parse_change(json!({"priority": 7}).as_object().unwrap()).unwrap();
        upsert(&mut org, "0oa1", &everyone, change, 2).unwrap();
        assert_eq!(list(&org, "0oa1", None).unwrap()[0].priority, 7);
        assert!(parse_change(json!({"priority": -1}).as_object().unwrap()).is_err());
        let err = upsert(&mut org, "0oa1", "00gNope", Change::default(), 3).unwrap_err();
        assert_eq!(err.status.as_u16(), 404);
        delete(&mut org, "0oa1", &everyone).unwrap();
        assert!(find(&org, "0oa1", &everyone).is_err());
    }
}
