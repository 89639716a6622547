//! The groups list as an operation on the org: which groups match `q`, `filter` and `search`,
//! in which order. Paging and `Link` headers are the handler's (`pipeline::http`).

use http::StatusCode;

use crate::{
    base::clock,
    base::errors::{ApiResult, OktaError},
    base::search::{self, Expr, Op},
    okta::objects,
    store::{Group, Org},
};

use super::ops::group_name;

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
                StatusCode::BAD_REQUEST,
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

/// `search` as Okta documents it for groups; the profile may carry custom attributes.
fn searchable(attr: &str) -> bool {
    matches!(
        attr,
        "id" | "type" | "created" | "lastUpdated" | "lastMembershipUpdated"
    ) || attr.strip_prefix("profile.").is_some_and(|a| !a.is_empty())
}

/// A parsed list query.
pub struct GroupQuery {
    q: Option<String>,
    filter: Option<Expr>,
    search: Option<Expr>,
    /// The attribute to sort by, and whether descending.
    sort: Option<(String, bool)>,
}

impl GroupQuery {
    /// Checks the list parameters in Okta's order: `filter`, `search`, then `sortBy`.
    pub fn parse(
        q: Option<&str>,
        filter: Option<&str>,
        search: Option<&str>,
        sort_by: Option<&str>,
        sort_order: Option<&str>,
    ) -> ApiResult<Self> {
        let filter = match filter {
            Some(f) if !f.trim().is_empty() => Some(parse_filter(f)?),
            _ => None,
        };
        let search = match search {
            Some(expr) => Some(search::parse(expr, &searchable)?),
            None => None,
        };
        // `sortBy` (any searchable attribute) and `sortOrder` apply to search queries only, as
        // in Okta.
        let sort_by = match (&search, sort_by) {
            (Some(_), Some(attr)) if searchable(attr) => Some(attr.to_string()),
            (Some(_), Some(_)) => return Err(OktaError::invalid_search()),
            _ => None,
        };
        let descending = sort_order.is_some_and(|o| o.eq_ignore_ascii_case("desc"));
        Ok(GroupQuery {
            q: q.map(str::to_string),
            filter,
            search,
            sort: sort_by.map(|attr| (attr, descending)),
        })
    }

    /// Whether the result is sorted (and so pages by position rather than creation order).
    pub fn sorted(&self) -> bool {
        self.sort.is_some()
    }
}

/// The groups matching `query`, in creation order or sorted. Expressions are matched against
/// the group as Okta shows it (hence `base`, which its `_links` carry).
pub fn list<'a>(org: &'a Org, query: &GroupQuery, base: &str) -> Vec<&'a Group> {
    let mut matching: Vec<&Group> = org
        .groups
        .iter()
        .filter(|g| {
            query
                .q
                .as_ref()
                .is_none_or(|q| group_name(g).to_lowercase().starts_with(&q.to_lowercase()))
        })
        .filter(|g| {
            query
                .filter
                .as_ref()
                .is_none_or(|expr| expr.matches(&objects::group(g, base)))
        })
        .filter(|g| {
            query
                .search
                .as_ref()
                .is_none_or(|expr| expr.matches(&objects::group(g, base)))
        })
        .collect();
    if let Some((attr, descending)) = &query.sort {
        // The comparison ignores case; the sort is stable, so ties keep creation order in both
        // directions.
        let key =
            |g: &Group| search::lookup(&objects::group(g, base), attr).map(|v| v.to_lowercase());
        let mut keyed: Vec<(Option<String>, &Group)> =
            matching.into_iter().map(|g| (key(g), g)).collect();
        keyed.sort_by(|a, b| {
            if *descending {
                b.0.cmp(&a.0)
            } else {
                a.0.cmp(&b.0)
            }
        });
        matching = keyed.into_iter().map(|(_, g)| g).collect();
    }
    matching
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::okta::groups::ops;
    use serde_json::json;

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
    fn lists_search_and_sort() {
        let mut org = Org::seed(None);
        for name in ["beta", "Alpha"] {
            let req = json!({"profile": {"name": name}});
            ops::create(&mut org, req.as_object().unwrap(), 1).unwrap();
        }
        let names = |q: &GroupQuery| -> Vec<String> {
            list(&org, q, "http://h")
                .into_iter()
                .map(|g| group_name(g).to_string())
                .collect()
        };
        let all = GroupQuery::parse(None, None, None, None, None).unwrap();
        assert_eq!(names(&all), ["Everyone", "beta", "Alpha"]);
        let sorted = GroupQuery::parse(
            None,
            None,
            Some(r#"type eq "OKTA_GROUP""#),
            Some("profile.name"),
            Some("DESC"),
        )
        .unwrap();
        assert!(sorted.sorted());
        assert_eq!(names(&sorted), ["beta", "Alpha"]);
        let prefix = GroupQuery::parse(Some("al"), None, None, None, None).unwrap();
        assert_eq!(names(&prefix), ["Alpha"]);
        // `sortBy` an attribute search does not know.
        let e = GroupQuery::parse(None, None, Some(r#"id eq "x""#), Some("name"), None);
        assert_eq!(e.map(|_| ()).unwrap_err().code, "E0000031");
    }
}
