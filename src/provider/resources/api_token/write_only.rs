//! `token_wo` / `token_wo_version` of `oktaidp_api_token`: the token value as a write-only
//! attribute (Terraform/OpenTofu >= 1.11), so that it is in neither plan nor state. Kept apart
//! from the resource so that it only names the attributes and calls these functions.
//!
//! A write-only value is only in the configuration, and Terraform cannot tell whether it
//! changed: `token_wo_version` is what the plan compares, and raising it makes the provider
//! check (and adopt) the value again.

use super::ApiTokenModel;
use crate::okta::Secret;
use crate::provider::validate;
use crate::tfplugin::diag::{AttrPath, Diagnostics};
use crate::tfplugin::model::Field;
use crate::tfplugin::schema::Attribute;

pub fn token_wo_attribute() -> Attribute {
    Attribute::string("token_wo")
        .write_only()
        .sensitive()
        .check(|t| validate::credential("token_wo", t))
        .describe(
            "The token value as a write-only attribute (Terraform or OpenTofu 1.11 or later): sent to the provider \
             at plan and apply, never stored in the plan or the state. The alternative to `token`: set exactly one. \
             Set `token_wo_version` with it and raise that number when the value changes.",
        )
}

pub fn token_wo_version_attribute() -> Attribute {
    Attribute::number("token_wo_version")
        .optional()
        .whole_number(1, None)
        .describe(
            "Version of the value in `token_wo` (a whole number from 1). Terraform cannot see changes of a \
             write-only value: raise this number to make the provider check the new value (same owner as the \
             adopted token) and take it. Only with `token_wo`.",
        )
}

/// Exactly one of `token` and `token_wo`; `token_wo_version` goes with `token_wo`. Unknown
/// values count as set (they are checked again at apply).
pub fn validate(config: &ApiTokenModel, diags: &mut Diagnostics) {
    match (config.token.is_null(), config.token_wo.is_null()) {
        (false, false) => diags.attr_error(
            AttrPath::root("token_wo"),
            "Conflicting token values",
            "Set either token or token_wo, not both.",
        ),
        (true, true) => diags.attr_error(
            AttrPath::root("token"),
            "Missing token",
            "Set token (stored in state, any Terraform version) or token_wo with token_wo_version (never \
             stored, Terraform or OpenTofu 1.11 or later).",
        ),
        _ => {}
    }
    if !config.token_wo.is_null() && config.token_wo_version.is_null() {
        diags.attr_error(
            AttrPath::root("token_wo_version"),
            "Missing token_wo_version",
            "Set token_wo_version = 1 with token_wo, and raise it whenever the token value changes.",
        );
    }
    if config.token_wo.is_null() && !config.token_wo_version.is_null() && !config.token.is_null() {
        diags.attr_error(
            AttrPath::root("token_wo_version"),
            "token_wo_version without token_wo",
            "token_wo_version only versions token_wo; remove it, or move the value from token to token_wo.",
        );
    }
}

/// The planned model with the token value the provider should use: `token`, or `token_wo` from
/// the configuration (the plan always has it null).
pub fn effective(planned: &ApiTokenModel, config: &ApiTokenModel) -> ApiTokenModel {
    let mut model = planned.clone();
    if model.token.is_null() {
        model.token = config.token_wo.clone();
    }
    model
}

/// Whether the value must be checked again: `token` changed, or `token_wo_version` did.
pub fn value_changed(prior: &ApiTokenModel, planned: &ApiTokenModel) -> bool {
    prior.token != planned.token || prior.token_wo_version != planned.token_wo_version
}

/// What the state keeps: never the write-only value, always its version.
pub fn stored(base: &ApiTokenModel) -> (Field<Secret>, Field<i64>) {
    (Field::Null, base.token_wo_version)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(token: Option<&str>, wo: Option<&str>, version: Option<i64>) -> ApiTokenModel {
        ApiTokenModel {
            token: token.map_or(Field::Null, |t| Field::Known(Secret::from(t.to_string()))),
            token_wo: wo.map_or(Field::Null, |t| Field::Known(Secret::from(t.to_string()))),
            token_wo_version: version.map_or(Field::Null, Field::Known),
            name: Field::Known("n".into()),
            ..Default::default()
        }
    }

    fn paths(m: &ApiTokenModel) -> Vec<String> {
        let mut d = Diagnostics::new();
        validate(m, &mut d);
        d.iter()
            .filter_map(|x| x.path.as_ref().map(ToString::to_string))
            .collect()
    }

    #[test]
    fn exactly_one_token_and_a_version_with_token_wo() {
        assert!(paths(&model(Some("00a"), None, None)).is_empty());
        assert!(paths(&model(None, Some("00a"), Some(1))).is_empty());
        assert_eq!(
            paths(&model(Some("00a"), Some("00b"), Some(1))),
            ["token_wo"]
        );
        assert_eq!(paths(&model(None, None, None)), ["token"]);
        assert_eq!(paths(&model(None, Some("00a"), None)), ["token_wo_version"]);
        assert_eq!(
            paths(&model(Some("00a"), None, Some(1))),
            ["token_wo_version"]
        );
    }

    #[test]
    fn effective_takes_the_write_only_value_and_state_drops_it() {
        let planned = model(None, None, Some(2));
        let config = model(None, Some("00wo"), Some(2));
        let eff = effective(&planned, &config);
        assert_eq!(eff.token.get().map(Secret::expose), Some("00wo"));
        assert_eq!(stored(&config), (Field::Null, Field::Known(2)));
        assert!(value_changed(&model(None, None, Some(1)), &planned));
        assert!(!value_changed(&planned, &planned));
    }
}
