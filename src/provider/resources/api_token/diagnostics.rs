//! Diagnostics of `oktaidp_api_token`: what Okta's answers about a token mean for the
//! configuration, each with what to do. None of them shows a token value.

use std::collections::BTreeSet;

use crate::okta::{OktaError, TokenMiss};
use crate::provider::okta_diag::fail;
use crate::tfplugin::diag::{AttrPath, Diagnostics};

/// At most this many token names or ids in a message.
const MAX_LISTED: usize = 10;

/// How to get a working token: part of every diagnostic about an unusable token value.
pub const NEW_TOKEN_HELP: &str = "Okta has no API to create SSWS tokens. In the Okta Admin Console open \
    Security → API → Tokens, click Create Token, enter a name (and the network restriction you want) \
    and copy the token value: Okta shows it only once. Put the new value where this resource's \
    `token` comes from (for example the variable that feeds it: a TF_VAR_... environment variable, \
    a .tfvars file or your secret store). If `token_id` is set, set it to the new token's id or \
    remove it. Then run terraform apply again.";

/// The error for a token value Okta refuses (401): revoked, expired or mistyped.
pub fn unusable_token<T>(diags: &mut Diagnostics, err: &OktaError) -> Option<T> {
    let detail = format!(
        "Okta rejected the value of `token` ({err}). The token was revoked, expired (Okta expires tokens \
         that are not used for 30 days) or is mistyped. {NEW_TOKEN_HELP}"
    );
    let summary = "The API token in `token` does not work";
    fail(diags, "token", summary, detail)
}

/// The error for a lookup of the token to adopt that found no single active token of user
/// `owner` (the user the value of `token` authenticates as); `key` is the id or name looked up.
pub fn lookup_failed(diags: &mut Diagnostics, miss: TokenMiss, key: &str, owner: &str) {
    let (attr, summary, detail) = match miss {
        TokenMiss::NoSuchId => (
            "token_id",
            "API token not found",
            format!(
                "Okta has no active API token {key}: it was revoked, has expired, or the id is mistyped. Set \
                 token_id to the id of the token whose value is in `token` (the Admin Console lists them under \
                 Security → API → Tokens), or remove token_id to find the token by name."
            ),
        ),
        TokenMiss::OtherUser(user) => (
            "token",
            "The token value does not belong to this token",
            format!(
                "The value of `token` authenticates as Okta user {owner}, but token {key} belongs to user {}. Set \
                 token_id to the id of the token whose value is in `token`, or put the value of token {key} in `token`.",
                user.as_deref().unwrap_or("(unknown)")
            ),
        ),
        TokenMiss::NoSuchName(names) => {
            let first: BTreeSet<&String> = names.iter().take(MAX_LISTED).collect();
            let quoted: Vec<String> = first.iter().map(|n| format!("\"{n}\"")).collect();
            let known = match quoted.is_empty() {
                true => "That user has no other active token.".to_string(),
                false => format!("That user's active tokens are named: {}.", quoted.join(", ")),
            };
            (
                "name",
                "API token not found by name",
                format!(
                    "No active API token of Okta user {owner} (the user `token` authenticates as) is named \"{key}\". \
                     {known} Set name to the token's name as shown in the Admin Console (Security → API → Tokens), \
                     or set token_id."
                ),
            )
        }
        TokenMiss::SameName(named) => {
            let ids: Vec<&str> = (named.iter())
                .filter_map(|t| t.id.as_deref())
                .take(MAX_LISTED)
                .collect();
            (
                "name",
                "Several API tokens have this name",
                format!(
                    "Okta user {owner} has {} active tokens named \"{key}\" ({}). Okta cannot tell which one the \
                     value of `token` is: set token_id to the id of that token (the Admin Console lists them under \
                     Security → API → Tokens).",
                    named.len(),
                    ids.join(", ")
                ),
            )
        }
    };
    diags.attr_error(AttrPath::root(attr), summary, detail);
}

/// The warning for a token Okta no longer has (`expired`: Okta still lists it, past its
/// expiry), which leaves the state; `name` is the token's name if known.
pub fn gone(diags: &mut Diagnostics, id: &str, name: Option<&String>, expired: bool) {
    let name = name.map_or_else(String::new, |n| format!(" (\"{n}\")"));
    let what = match expired {
        true => "has expired (Okta expires tokens that are not used for 30 days)",
        false => "was revoked or has expired",
    };
    diags.warning(
        format!("API token {id} {what}"),
        format!(
            "Okta no longer has an active API token {id}{name}: it {what} outside Terraform. It was removed \
             from the state; the next apply adopts the token in `token` again, which fails until `token` holds \
             a working token. {NEW_TOKEN_HELP}"
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::okta::ApiToken;

    fn lookup(miss: TokenMiss, key: &str) -> (String, String, String) {
        let mut d = Diagnostics::new();
        lookup_failed(&mut d, miss, key, "00uOWNER");
        let x = &d.0[0];
        let path = x.path.as_ref().map(ToString::to_string).unwrap_or_default();
        (path, x.summary.clone(), x.detail.clone())
    }

    #[test]
    fn each_lookup_failure_points_at_the_attribute_to_change() {
        let (path, summary, _) = lookup(TokenMiss::NoSuchId, "00T1");
        assert_eq!(
            (path.as_str(), summary.as_str()),
            ("token_id", "API token not found")
        );
        let (path, _, detail) = lookup(TokenMiss::OtherUser(Some("00uOTHER".into())), "00T1");
        assert_eq!(path, "token");
        assert!(
            detail.contains("00uOWNER") && detail.contains("00uOTHER"),
            "{detail}"
        );
        let names = (0..12).map(|i| format!("t{i:02}")).collect();
        let (path, _, detail) = lookup(TokenMiss::NoSuchName(names), "sync");
        assert_eq!(path, "name");
        assert!(
            detail.contains("\"t09\"") && !detail.contains("t10"),
            "{detail}"
        );
        let (_, _, detail) = lookup(TokenMiss::NoSuchName(Vec::new()), "sync");
        assert!(detail.contains("no other active token"), "{detail}");
        let token = |id: &str| ApiToken {
            id: Some(id.into()),
            ..Default::default()
        };
        let (path, summary, detail) = lookup(
            TokenMiss::SameName(vec![token("00T1"), token("00T2")]),
            "ci",
        );
        assert_eq!(
            (path.as_str(), summary.as_str()),
            ("name", "Several API tokens have this name")
        );
        assert!(
            detail.contains("2 active tokens named \"ci\" (00T1, 00T2)"),
            "{detail}"
        );
    }

    #[test]
    fn a_gone_token_is_a_warning_naming_it() {
        let mut d = Diagnostics::new();
        gone(&mut d, "00T1", Some(&"sync".to_string()), true);
        assert!(!d.has_errors());
        assert_eq!(
            d.0[0].summary,
            "API token 00T1 has expired (Okta expires tokens that are not used for 30 days)"
        );
        assert!(
            d.0[0].detail.contains("00T1 (\"sync\")"),
            "{}",
            d.0[0].detail
        );
    }
}
