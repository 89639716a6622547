//! `/api/v1/groups`: enough of the Groups API for tests to create, find and delete the groups
//! they assign to apps.

pub mod members;

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{Path, RawQuery, State},
    response::Response,
    routing::{get, put},
};
use serde_json::{Map, Value};

use crate::{
    base::errors::{ApiResult, Causes, OktaError},
    base::search::{self, Expr, Op},
    base::{clock, ids},
    okta::objects::{self, GROUP_KIND},
    pipeline::http::{self, BaseUrl, ListParams, Query},
    pipeline::{ratelimit::GROUPS, routes::Route, shared::Shared},
    store::{Group, Org},
};

const DEFAULT_LIMIT: usize = 10_000;
const MAX_LIMIT: usize = 10_000;

fn group_name(g: &Group) -> &str {
    g.profile.get("name").and_then(Value::as_str).unwrap_or("")
}

/// Validates `{profile: {name, description?, …}}` and returns the normalised profile.
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

/// The attributes the Groups API `filter` takes, as Okta documents them: `id` and `type` with
/// `eq`; `lastUpdated` (profile changes) and `lastMembershipUpdated` (membership changes) with
/// `eq`, `gt`, `ge`, `lt`, `le` and a timestamp. Clauses combine with `and` / `or` and
/// parentheses, e.g. `type eq "OKTA_GROUP" and (lastUpdated gt "…" or lastMembershipUpdated
/// gt "…")`, which is what directory sync (Pomerium 0.19, okta-sdk-golang clients) sends.
const FILTER_DATES: &[&str] = &["lastUpdated", "lastMembershipUpdated"];

/// Parses a groups `filter`: grammar errors, other operators and bad timestamps are Okta's
/// 400 `E0000031`; an attribute the filter does not cover is 400 `E0000094`.
fn parse_filter(text: &str) -> ApiResult<Expr> {
    let expr = search::parse(text, &|a: &str| !a.is_empty())?;
    for leaf in expr.leaves() {
        let Expr::Compare { attr, op, value } = leaf else {
            return Err(OktaError::invalid_search());
        };
        let date = FILTER_DATES.contains(&attr.as_str());
        if !date && !matches!(attr.as_str(), "id" | "type") {
            return Err(OktaError::new(
                axum::http::StatusCode::BAD_REQUEST,
                "E0000094",
                "The provided filter is unsupported.",
            ));
        }
        let op_ok = match op {
            Op::Eq => true,
            Op::Gt | Op::Ge | Op::Lt | Op::Le => date,
            Op::StartsWith | Op::Contains => false,
        };
        if !op_ok || (date && clock::parse_instant(value).is_none()) {
            return Err(OktaError::invalid_search());
        }
    }
    Ok(expr)
}

pub async fn create(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    body: Bytes,
) -> ApiResult<Response> {
    let req = http::object_body(&body)?;
    let rendered = s.write(|org| {
        let profile = profile_from(&req, org, None)?;
        let now = clock::now();
        let seq = org.next_seq();
        let g = Group {
            id: ids::object_id("00g"),
            seq,
            created: now,
            last_updated: now,
            last_membership_updated: now,
            kind: "OKTA_GROUP".into(),
            profile,
        };
        let rendered = objects::group(&g, &base);
        org.groups.push(g);
        Ok(rendered)
    })?;
    Ok(http::ok(&rendered))
}

pub async fn list(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let query = Query::parse(raw.as_deref());
    let params = ListParams::from_query(&query, DEFAULT_LIMIT, MAX_LIMIT)?;
    let filter = match &params.filter {
        Some(f) if !f.trim().is_empty() => Some(parse_filter(f)?),
        _ => None,
    };
    // `search` as Okta documents it for groups; the profile may carry custom attributes.
    let searchable = |attr: &str| {
        matches!(
            attr,
            "id" | "type" | "created" | "lastUpdated" | "lastMembershipUpdated"
        ) || attr.strip_prefix("profile.").is_some_and(|a| !a.is_empty())
    };
    let search = match query.get("search") {
        Some(expr) => Some(search::parse(expr, &searchable)?),
        None => None,
    };
    // `sortBy` (any searchable attribute) and `sortOrder` apply to search queries only, as in
    // Okta; the comparison ignores case. Sorted results page by position.
    let sort_by = match (&search, &params.sort_by) {
        (Some(_), Some(attr)) if searchable(attr) => Some(attr.clone()),
        (Some(_), Some(_)) => return Err(OktaError::invalid_search()),
        _ => None,
    };
    let descending = params
        .sort_order
        .as_deref()
        .is_some_and(|o| o.eq_ignore_ascii_case("desc"));
    let after = match &params.after {
        Some(a) => Some(a.parse::<u64>().map_err(|_| OktaError::invalid_search())?),
        None => None,
    };
    let (items, next) = s.read(|org| {
        let matching: Vec<&Group> = org
            .groups
            .iter()
            .filter(|g| {
                params
                    .q
                    .as_ref()
                    .is_none_or(|q| group_name(g).to_lowercase().starts_with(&q.to_lowercase()))
            })
            .filter(|g| {
                filter
                    .as_ref()
                    .is_none_or(|expr| expr.matches(&objects::group(g, &base)))
            })
            .filter(|g| {
                search
                    .as_ref()
                    .is_none_or(|expr| expr.matches(&objects::group(g, &base)))
            })
            .collect();
        match &sort_by {
            None => {
                let (page, next) = http::paginate(matching, after, params.limit, |g| g.seq);
                (
                    page.into_iter()
                        .map(|g| objects::group(g, &base))
                        .collect::<Vec<_>>(),
                    next,
                )
            }
            Some(attr) => {
                let mut keyed: Vec<(Option<String>, Value)> = matching
                    .into_iter()
                    .map(|g| {
                        let r = objects::group(g, &base);
                        (search::lookup(&r, attr).map(|v| v.to_lowercase()), r)
                    })
                    .collect();
                // Stable: ties keep creation order in both directions.
                keyed.sort_by(|a, b| {
                    if descending {
                        b.0.cmp(&a.0)
                    } else {
                        a.0.cmp(&b.0)
                    }
                });
                let numbered: Vec<(u64, Value)> = keyed
                    .into_iter()
                    .zip(1u64..)
                    .map(|((_, r), n)| (n, r))
                    .collect();
                let (page, next) = http::paginate(numbered, after, params.limit, |(n, _)| *n);
                (page.into_iter().map(|(_, r)| r).collect::<Vec<_>>(), next)
            }
        }
    });
    let links = params.links(&base, "/api/v1/groups", next.map(|n| n.to_string()), false);
    Ok(http::list(items, &links))
}

pub async fn get_one(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let rendered = s.read(|org| {
        org.group(&id)
            .map(|g| objects::group(g, &base))
            .ok_or_else(|| OktaError::not_found(&id, GROUP_KIND))
    })?;
    Ok(http::ok(&rendered))
}

pub async fn replace(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let req = http::object_body(&body)?;
    let rendered = s.write(|org| {
        let idx = org
            .groups
            .iter()
            .position(|g| g.id == id)
            .ok_or_else(|| OktaError::not_found(&id, GROUP_KIND))?;
        if org.groups[idx].kind == "BUILT_IN" {
            return Err(OktaError::forbidden());
        }
        let profile = profile_from(&req, org, Some(&id))?;
        let g = &mut org.groups[idx];
        g.profile = profile;
        g.last_updated = clock::now();
        Ok(objects::group(g, &base))
    })?;
    Ok(http::ok(&rendered))
}

pub async fn delete(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult<Response> {
    s.write(|org| {
        let idx = org
            .groups
            .iter()
            .position(|g| g.id == id)
            .ok_or_else(|| OktaError::not_found(&id, GROUP_KIND))?;
        if org.groups[idx].kind == "BUILT_IN" {
            return Err(OktaError::forbidden());
        }
        org.groups.remove(idx);
        // Deleting a group removes its app assignments, as in Okta.
        for app in &mut org.apps {
            app.groups.retain(|a| a.group_id != id);
        }
        // …and its memberships.
        org.memberships.retain(|m| m.group_id != id);
        Ok(())
    })?;
    Ok(http::no_content())
}

/// The groups API: groups and their members.
pub fn routes() -> Vec<Route> {
    vec![
        Route::api("/api/v1/groups", "groups", GROUPS, get(list).post(create)),
        Route::api(
            "/api/v1/groups/{group_id}",
            "groups",
            GROUPS,
            get(get_one).put(replace).delete(delete),
        ),
        Route::api(
            "/api/v1/groups/{group_id}/users",
            "groups",
            GROUPS,
            get(members::list),
        ),
        Route::api(
            "/api/v1/groups/{group_id}/users/{user_id}",
            "groups",
            GROUPS,
            put(members::add).delete(members::remove),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn profiles_are_validated() {
        let org = Org::seed(None);
        let req = |v: Value| v.as_object().cloned().unwrap();
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
    fn filters_parse_like_okta() {
        for ok in [
            r#"type eq "OKTA_GROUP""#,
            r#"id eq "00g1""#,
            r#"lastUpdated gt "2026-01-02T15:04:05.000Z" or lastMembershipUpdated gt "2026-01-02T15:04:05.000Z""#,
            r#"lastUpdated gt "2026-01-02T15:04:05Z" or lastMembershipUpdated gt "2026-01-02T15:04:05.12Z""#,
            r#"type eq "APP_GROUP" and (lastUpdated ge "2026-01-02T15:04:05.000Z" or lastMembershipUpdated le "2026-01-02T15:04:05.000Z")"#,
            r#"lastUpdated lt "2026-01-02T15:04:05.000Z" AND lastUpdated eq "2026-01-02T15:04:05-07:00""#,
        ] {
            assert!(parse_filter(ok).is_ok(), "{ok}");
        }
        let code = |f: &str| parse_filter(f).map(|_| ()).unwrap_err().code;
        for bad in [
            r#"lastUpdated gt "yesterday""#,
            r#"lastUpdated gt "2026-01-02""#,
            r#"lastUpdated sw "2026""#,
            r#"type gt "OKTA_GROUP""#,
            r#"id co "00g""#,
            "lastUpdated pr",
            r#"lastUpdated gt "2026-01-02T15:04:05Z" or"#,
            r#"(type eq "OKTA_GROUP""#,
            "type = OKTA_GROUP",
        ] {
            assert_eq!(code(bad), "E0000031", "{bad}");
        }
        assert_eq!(code(r#"profile.name eq "eng""#), "E0000094");
        assert_eq!(code(r#"created gt "2026-01-02T15:04:05Z""#), "E0000094");
    }

    #[test]
    fn rendered_shape() {
        let org = Org::seed(None);
        let r = objects::group(&org.groups[0], "http://h");
        assert_eq!(r["type"], "BUILT_IN");
        assert_eq!(
            r["_links"]["apps"]["href"],
            format!("http://h/api/v1/groups/{}/apps", org.groups[0].id)
        );
    }
}
