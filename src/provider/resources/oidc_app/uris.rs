//! The two URI lists `oktaidp_oidc_app` manages (sign-in redirect and post-logout redirect).
//! Exclusive mode owns each list outright; additive mode (`redirect_uris_exclusive = false`)
//! shares it with other writers and touches only the URIs this resource added.

use super::Owned;
use crate::okta::OidcApp;

/// The managed lists as the plan wants them. `post_logout` is `None` when not configured: the
/// app's list is then left alone.
pub(super) struct ManagedUris<'a> {
    pub exclusive: bool,
    pub redirect: Vec<String>,
    pub post_logout: Option<&'a [String]>,
}

impl ManagedUris<'_> {
    /// Writes both lists into the app; `owned` is what the previous apply added.
    pub fn apply(&self, app: &mut OidcApp, owned: &Owned) {
        let actual = app.redirect_uris().unwrap_or_default();
        app.set_redirect_uris(&merge_uris(
            &actual,
            &owned.redirect_uris,
            &self.redirect,
            self.exclusive,
        ));
        if let Some(wanted) = self.post_logout {
            let actual = app.post_logout_redirect_uris().unwrap_or_default();
            let prev = owned.post_logout_redirect_uris.clone().unwrap_or_default();
            app.set_post_logout_redirect_uris(&merge_uris(&actual, &prev, wanted, self.exclusive));
        }
    }

    /// Whether the app's lists are as [`Self::apply`] leaves them: what a write is confirmed by
    /// in additive mode (another writer may have undone it).
    pub fn hold(&self, app: &OidcApp, owned: &Owned) -> bool {
        let actual = app.redirect_uris().unwrap_or_default();
        if merge_uris(
            &actual,
            &owned.redirect_uris,
            &self.redirect,
            self.exclusive,
        ) != actual
        {
            return false;
        }
        self.post_logout.is_none_or(|wanted| {
            let actual = app.post_logout_redirect_uris().unwrap_or_default();
            let prev = owned.post_logout_redirect_uris.clone().unwrap_or_default();
            merge_uris(&actual, &prev, wanted, self.exclusive) == actual
        })
    }
}

/// Merges a managed URI list into what the app has: exclusive replaces; additive keeps URIs
/// that others added (in place), drops the ones we owned and no longer want, appends ours.
pub(super) fn merge_uris(
    actual: &[String],
    previously_owned: &[String],
    wanted: &[String],
    exclusive: bool,
) -> Vec<String> {
    if exclusive {
        return wanted.to_vec();
    }
    let mut merged: Vec<String> = actual
        .iter()
        .filter(|u| wanted.contains(u) || !previously_owned.contains(u))
        .cloned()
        .collect();
    for u in wanted {
        if !merged.contains(u) {
            merged.push(u.clone());
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uris(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn exclusive_merge_replaces_and_additive_keeps_others() {
        let actual = uris(&["https://other/1", "https://mine/a", "https://other/2"]);
        assert_eq!(
            merge_uris(&actual, &[], &uris(&["https://mine/b"]), true),
            uris(&["https://mine/b"])
        );
        let merged = merge_uris(
            &actual,
            &uris(&["https://mine/a"]),
            &uris(&["https://mine/b"]),
            false,
        );
        assert_eq!(
            merged,
            uris(&["https://other/1", "https://other/2", "https://mine/b"])
        );
        let kept = merge_uris(
            &actual,
            &uris(&["https://mine/a"]),
            &uris(&["https://mine/a"]),
            false,
        );
        assert_eq!(kept, actual);
    }
}
