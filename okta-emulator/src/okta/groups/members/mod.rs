//! Group membership: `PUT`/`DELETE /api/v1/groups/{gid}/users/{uid}` (204) and
//! `GET /api/v1/groups/{gid}/users` (paged by user id). The built-in Everyone group holds every
//! user and its membership cannot be changed (403 `E0000006`).

use std::sync::Arc;

use axum::{
    extract::{Path, RawQuery, State},
    response::Response,
};

use crate::{
    base::clock,
    base::errors::{ApiResult, OktaError},
    okta::objects::{self, GROUP_KIND, USER_KIND},
    pipeline::http::{self, BaseUrl, ListParams, Query},
    pipeline::shared::Shared,
    store::{Org, User},
};

const DEFAULT_LIMIT: usize = 1000;
const MAX_LIMIT: usize = 10_000;

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

pub async fn add(
    State(s): State<Arc<Shared>>,
    Path((gid, uid)): Path<(String, String)>,
) -> ApiResult<Response> {
    s.write(|org| {
        let (gid, uid) = resolve(org, &gid, &uid)?;
        org.add_member(&gid, &uid, clock::now());
        Ok(())
    })?;
    Ok(http::no_content())
}

pub async fn remove(
    State(s): State<Arc<Shared>>,
    Path((gid, uid)): Path<(String, String)>,
) -> ApiResult<Response> {
    s.write(|org| {
        let (gid, uid) = resolve(org, &gid, &uid)?;
        let before = org.memberships.len();
        org.memberships
            .retain(|m| !(m.group_id == gid && m.user_id == uid));
        if org.memberships.len() != before {
            if let Some(g) = org.groups.iter_mut().find(|g| g.id == gid) {
                g.last_membership_updated = clock::now();
            }
        }
        Ok(())
    })?;
    Ok(http::no_content())
}

pub async fn list(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(gid): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let query = Query::parse(raw.as_deref());
    let params = ListParams::from_query(&query, DEFAULT_LIMIT, MAX_LIMIT)?;
    let (items, next) = s.read(|org| {
        let group = org
            .group(&gid)
            .ok_or_else(|| OktaError::not_found(&gid, GROUP_KIND))?;
        let members: Vec<&User> = org
            .users
            .iter()
            .filter(|u| org.is_member(&group.id, &u.id))
            .collect();
        let (page, next) = objects::page_by_id(members, params.after.as_deref(), params.limit);
        Ok::<_, OktaError>((
            page.into_iter()
                .map(|u| objects::user(u, org, &base))
                .collect::<Vec<_>>(),
            next,
        ))
    })?;
    let links = params.links(&base, &format!("/api/v1/groups/{gid}/users"), next, false);
    Ok(http::list(items, &links))
}
