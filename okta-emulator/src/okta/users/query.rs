//! The users list as an operation on the org: which users match `q`, `filter` and `search`.
//! Paging and `Link` headers are the handler's (`pipeline::http`).

use http::StatusCode;
use serde_json::Value;

use crate::{
    base::errors::{ApiResult, OktaError},
    base::search::{self, Expr, Op},
    okta::objects,
    store::{Org, User, UserStatus},
};

/// Attributes `search` accepts on users, as Okta documents them.
fn searchable(attr: &str) -> bool {
    matches!(
        attr,
        "id" | "status"
            | "created"
            | "activated"
            | "statusChanged"
            | "lastUpdated"
            | "lastLogin"
            | "passwordChanged"
            | "type.id"
    ) || attr.strip_prefix("profile.").is_some_and(|a| !a.is_empty())
}

/// Parses a users `filter`: `eq` on `status`, `id`, `type.id` and `profile.login|email|firstName|
/// lastName`; `eq/gt/ge/lt/le` on `lastUpdated`; joined with `and`/`or`. A syntax error is
/// `E0000031`, any other attribute or operator `E0000094`.
fn parse_user_filter(filter: &str) -> ApiResult<Expr> {
    fn check(e: &Expr) -> bool {
        match e {
            Expr::And(a, b) | Expr::Or(a, b) => check(a) && check(b),
            Expr::Present(_) => false,
            Expr::Compare { attr, op, .. } => match attr.as_str() {
                "status" | "id" | "type.id" | "profile.login" | "profile.email"
                | "profile.firstName" | "profile.lastName" => *op == Op::Eq,
                "lastUpdated" => !matches!(op, Op::StartsWith | Op::Contains),
                _ => false,
            },
        }
    }
    let expr = search::parse(filter, &|_| true)?;
    if !check(&expr) {
        return Err(OktaError::new(
            StatusCode::BAD_REQUEST,
            "E0000094",
            "The provided filter is unsupported.",
        ));
    }
    Ok(expr)
}

/// Okta's `q`: case-insensitive prefix of firstName, lastName or email.
fn q_matches(u: &User, q: &str) -> bool {
    let q = q.to_lowercase();
    ["firstName", "lastName", "email"].iter().any(|k| {
        u.profile
            .get(*k)
            .and_then(Value::as_str)
            .is_some_and(|v| v.to_lowercase().starts_with(&q))
    })
}

/// A parsed list query.
pub struct UserQuery {
    q: Option<String>,
    filter: Option<Expr>,
    search: Option<Expr>,
}

impl UserQuery {
    /// Checks `filter`, then `search`.
    pub fn parse(q: Option<&str>, filter: Option<&str>, search: Option<&str>) -> ApiResult<Self> {
        let filter = match filter {
            Some(f) if !f.trim().is_empty() => Some(parse_user_filter(f)?),
            _ => None,
        };
        let search = match search {
            Some(expr) => Some(search::parse(expr, &searchable)?),
            None => None,
        };
        Ok(UserQuery {
            q: q.map(str::to_string),
            filter,
            search,
        })
    }
}

/// The users matching `query`, in creation order. Expressions are matched against the user as
/// Okta shows it (hence `base`, which its `_links` carry).
pub fn list<'a>(org: &'a Org, query: &UserQuery, base: &str) -> Vec<&'a User> {
    // Without filter or search, Okta leaves DEPROVISIONED users out.
    let unfiltered = query.filter.is_none() && query.search.is_none();
    org.users
        .iter()
        .filter(|u| !(unfiltered && u.status == UserStatus::Deprovisioned))
        .filter(|u| query.q.as_deref().is_none_or(|q| q_matches(u, q)))
        .filter(|u| {
            if unfiltered {
                return true;
            }
            let rendered = objects::user(u, org, base);
            query.filter.as_ref().is_none_or(|f| f.matches(&rendered))
                && query.search.as_ref().is_none_or(|e| e.matches(&rendered))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_accept_what_okta_documents() {
        for ok in [
            r#"status eq "ACTIVE""#,
            r#"profile.login eq "a@x.io" or profile.email eq "b@x.io""#,
            r#"lastUpdated gt "2026-01-01T00:00:00.000Z" and status eq "STAGED""#,
            r#"id eq "00u1""#,
        ] {
            assert!(parse_user_filter(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            parse_user_filter(r#"profile.city eq "x""#)
                .unwrap_err()
                .code,
            "E0000094"
        );
        assert_eq!(
            parse_user_filter(r#"status sw "A""#).unwrap_err().code,
            "E0000094"
        );
        assert_eq!(parse_user_filter("status eq").unwrap_err().code, "E0000031");
    }

    #[test]
    fn lists_hide_deprovisioned_unless_asked() {
        let mut org = Org::seed(None);
        let id = org.user_by_login_or_create("a@x.io");
        org.user_mut(&id).unwrap().status = UserStatus::Deprovisioned;
        let count = |q: &UserQuery| list(&org, q, "http://h").len();
        assert_eq!(count(&UserQuery::parse(None, None, None).unwrap()), 1);
        let deprovisioned = UserQuery::parse(None, Some(r#"status eq "DEPROVISIONED""#), None);
        assert_eq!(count(&deprovisioned.unwrap()), 1);
        assert_eq!(count(&UserQuery::parse(Some("zz"), None, None).unwrap()), 0);
        let bad = UserQuery::parse(None, None, Some(r#"password eq "x""#));
        assert_eq!(bad.map(|_| ()).unwrap_err().code, "E0000031");
    }

    #[test]
    fn pages_by_id() {
        let mut org = Org::seed(None);
        for l in ["a@x.io", "b@x.io", "c@x.io"] {
            org.user_by_login_or_create(l);
        }
        let all: Vec<&User> = org.users.iter().collect();
        let (page, next) = objects::page_by_id(all.clone(), None, 2);
        assert_eq!(page.len(), 2);
        assert_eq!(next.as_deref(), Some(org.users[1].id.as_str()));
        let (page, next) = objects::page_by_id(all.clone(), next.as_deref(), 2);
        assert_eq!(page.len(), 2);
        assert_eq!(next, None);
        assert!(objects::page_by_id(all, Some("00uunknown"), 2).0.is_empty());
    }
}
