//! `/api/v1/apps/{appId}/groups`: which groups may use an app.
//!
//! PUT is an idempotent upsert (the Terraform provider uses it for create and update); without
//! a `priority` a new assignment gets the next one. Lists are ordered by priority.

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{Path, RawQuery, State},
    response::Response,
};
use serde_json::{json, Map, Value};

use crate::{
    base::clock,
    base::errors::{ApiResult, Causes, OktaError},
    okta::apps::APP_KIND,
    okta::objects::{self, GROUP_KIND},
    pipeline::http::{self, BaseUrl, ListParams, Query},
    pipeline::shared::Shared,
    store::{App, GroupAssignment, Org},
};

const ASSIGNMENT_KIND: &str = "ApplicationGroupAssignment";
const DEFAULT_LIMIT: usize = 20;
const MAX_LIMIT: usize = 200;

pub fn render(
    a: &GroupAssignment,
    app_id: &str,
    org: &Org,
    base: &str,
    expand_group: bool,
) -> Value {
    let mut out = Map::new();
    out.insert("id".into(), Value::from(a.group_id.clone()));
    out.insert(
        "lastUpdated".into(),
        Value::from(clock::okta_ts(a.last_updated)),
    );
    out.insert("priority".into(), Value::from(a.priority));
    out.insert("profile".into(), a.profile.clone());
    out.insert(
        "_links".into(),
        json!({
            "app": {"href": format!("{base}/api/v1/apps/{app_id}")},
            "self": {"href": format!("{base}/api/v1/apps/{app_id}/groups/{}", a.group_id)},
            "group": {"href": format!("{base}/api/v1/groups/{}", a.group_id)}
        }),
    );
    if expand_group {
        if let Some(g) = org.group(&a.group_id) {
            out.insert(
                "_embedded".into(),
                json!({ "group": objects::group(g, base) }),
            );
        }
    }
    Value::Object(out)
}

/// Cursor of an assignment in priority order: `{priority}.{seq}`.
fn cursor(a: &GroupAssignment) -> (i64, u64) {
    (a.priority, a.seq)
}

fn parse_cursor(s: &str) -> ApiResult<(i64, u64)> {
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

fn wants_group(q: &Query) -> bool {
    q.get("expand")
        .is_some_and(|e| e.split(',').any(|x| x.trim() == "group"))
}

pub async fn list(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(app_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let query = Query::parse(raw.as_deref());
    let params = ListParams::from_query(&query, DEFAULT_LIMIT, MAX_LIMIT)?;
    let after = params.after.as_deref().map(parse_cursor).transpose()?;
    let expand = wants_group(&query);
    let (items, next) = s.read(|org| {
        let app = app_ref(org, &app_id)?;
        let mut matching: Vec<&GroupAssignment> = app
            .groups
            .iter()
            .filter(|a| match &params.q {
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
        let (page, next) = http::paginate(matching, after, params.limit, |a| cursor(a));
        Ok::<_, OktaError>((
            page.into_iter()
                .map(|a| render(a, &app_id, org, &base, expand))
                .collect::<Vec<_>>(),
            next,
        ))
    })?;
    let path = format!("/api/v1/apps/{app_id}/groups");
    let next = next.map(|(p, q)| format!("{p}.{q}"));
    // Okta's self link always states the effective limit here (`?limit=20`).
    let links = params.links(&base, &path, next, true);
    Ok(http::list(items, &links))
}

pub async fn get_one(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((app_id, group_id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let expand = wants_group(&Query::parse(raw.as_deref()));
    let rendered = s.read(|org| {
        let app = app_ref(org, &app_id)?;
        let a = app
            .groups
            .iter()
            .find(|a| a.group_id == group_id)
            .ok_or_else(|| OktaError::not_found(&group_id, ASSIGNMENT_KIND))?;
        Ok::<_, OktaError>(render(a, &app_id, org, &base, expand))
    })?;
    Ok(http::ok(&rendered))
}

pub async fn upsert(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((app_id, group_id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    let req = http::optional_object_body(&body)?;
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
    let rendered = s.write(|org| {
        let idx = org
            .apps
            .iter()
            .position(|a| a.id == app_id)
            .ok_or_else(|| OktaError::not_found(&app_id, APP_KIND))?;
        if org.group(&group_id).is_none() {
            return Err(OktaError::not_found(&group_id, GROUP_KIND));
        }
        let seq = org.next_seq();
        let now = clock::now();
        let app = &mut org.apps[idx];
        let pos = match app.groups.iter().position(|a| a.group_id == group_id) {
            Some(pos) => {
                let a = &mut app.groups[pos];
                if let Some(p) = priority {
                    a.priority = p;
                }
                if let Some(p) = profile {
                    a.profile = p;
                }
                a.last_updated = now;
                pos
            }
            None => {
                let next = app.groups.iter().map(|a| a.priority + 1).max().unwrap_or(0);
                app.groups.push(GroupAssignment {
                    group_id: group_id.clone(),
                    seq,
                    priority: priority.unwrap_or(next),
                    profile: profile.unwrap_or_else(|| json!({})),
                    last_updated: now,
                });
                app.groups.len() - 1
            }
        };
        let a = org.apps[idx].groups[pos].clone();
        Ok(render(&a, &app_id, org, &base, false))
    })?;
    Ok(http::ok(&rendered))
}

pub async fn delete(
    State(s): State<Arc<Shared>>,
    Path((app_id, group_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    s.write(|org| {
        let app = org
            .app_mut(&app_id)
            .ok_or_else(|| OktaError::not_found(&app_id, APP_KIND))?;
        let pos = app
            .groups
            .iter()
            .position(|a| a.group_id == group_id)
            .ok_or_else(|| OktaError::not_found(&group_id, ASSIGNMENT_KIND))?;
        app.groups.remove(pos);
        Ok(())
    })?;
    Ok(http::no_content())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        assert_eq!(parse_cursor("3.17").unwrap(), (3, 17));
        assert!(parse_cursor("x").is_err());
        assert!(parse_cursor("1.x").is_err());
    }

    #[test]
    fn rendered_shape() {
        let org = Org::seed(None);
        let a = GroupAssignment {
            group_id: org.groups[0].id.clone(),
            seq: 1,
            priority: 4,
            profile: json!({}),
            last_updated: 0,
        };
        let r = render(&a, "0oa1", &org, "http://h", true);
        let keys: Vec<&String> = r.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "id",
                "lastUpdated",
                "priority",
                "profile",
                "_links",
                "_embedded"
            ]
        );
        assert_eq!(r["_links"]["app"]["href"], "http://h/api/v1/apps/0oa1");
        assert_eq!(r["_embedded"]["group"]["profile"]["name"], "Everyone");
    }
}
