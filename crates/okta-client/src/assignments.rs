//! App group assignments (`/api/v1/apps/{id}/groups`): members of an assigned group may sign in.

use std::collections::BTreeSet;

use http::Method;

use super::client::{ApiRequest, OktaClient};
use super::error::OktaError;
use super::models::{AppGroupAssignment, GroupAssignmentRequest};

/// `client.app_groups()`.
#[derive(Clone, Copy, Debug)]
pub struct AppGroups<'a> {
    client: &'a OktaClient,
}

impl OktaClient {
    pub fn app_groups(&self) -> AppGroups<'_> {
        AppGroups { client: self }
    }
}

impl AppGroups<'_> {
    fn url(&self, app_id: &str, group_id: Option<&str>) -> Result<url::Url, OktaError> {
        let mut segments = vec!["api", "v1", "apps", app_id, "groups"];
        segments.extend(group_id);
        self.client.url(&segments)
    }

    /// Every assignment of the app (pages of 200).
    pub async fn list(&self, app_id: &str) -> Result<Vec<AppGroupAssignment>, OktaError> {
        let mut url = self.url(app_id, None)?;
        url.query_pairs_mut().append_pair("limit", "200");
        self.client.list_all(url).await
    }

    pub async fn get(
        &self,
        app_id: &str,
        group_id: &str,
    ) -> Result<Option<AppGroupAssignment>, OktaError> {
        self.client
            .call_optional(ApiRequest::new(
                Method::GET,
                self.url(app_id, Some(group_id))?,
            ))
            .await
    }

    /// `PUT …/groups/{groupId}`: creates or updates the assignment (idempotent upsert).
    pub async fn put(
        &self,
        app_id: &str,
        group_id: &str,
        body: &GroupAssignmentRequest,
    ) -> Result<AppGroupAssignment, OktaError> {
        let req = ApiRequest::new(Method::PUT, self.url(app_id, Some(group_id))?).json(body)?;
        self.client.call(req).await
    }

    /// `Ok(false)` if the group was not assigned.
    pub async fn delete(&self, app_id: &str, group_id: &str) -> Result<bool, OktaError> {
        self.client
            .call_delete(ApiRequest::new(
                Method::DELETE,
                self.url(app_id, Some(group_id))?,
            ))
            .await
    }
}

impl AppGroups<'_> {
    /// The IDs of the groups assigned to the app (one listing).
    pub async fn group_ids(&self, app_id: &str) -> Result<BTreeSet<String>, OktaError> {
        Ok(self
            .list(app_id)
            .await?
            .into_iter()
            .filter_map(|a| a.id)
            .collect())
    }

    /// [`Self::group_ids`] for a refresh: shared with concurrent and recent refresh reads of the
    /// app's assignments in this process, forgotten on any write to the app (`read_cache.rs`).
    pub async fn group_ids_shared(&self, app_id: &str) -> Result<BTreeSet<String>, OktaError> {
        self.client
            .group_reads()
            .get_or_fetch(app_id, || self.group_ids(app_id))
            .await
    }

    /// Assigns and unassigns groups so that exactly `wanted` are assigned. `current` is what
    /// is assigned now; `None` lists it first.
    pub async fn sync(
        &self,
        app_id: &str,
        current: Option<&BTreeSet<String>>,
        wanted: &BTreeSet<String>,
    ) -> Result<(), OktaError> {
        let current = match current {
            Some(current) => current.clone(),
            None => self.group_ids(app_id).await?,
        };
        for group in wanted.difference(&current) {
            self.put(app_id, group, &GroupAssignmentRequest::default())
                .await?;
        }
        for group in current.difference(wanted) {
            self.delete(app_id, group).await?;
        }
        Ok(())
    }
}
