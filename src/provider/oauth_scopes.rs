//! The OAuth scopes each resource and data source needs when the provider signs in as a service
//! app, appended to its description so every page says what to grant.

/// `description` followed by a paragraph naming `scopes`.
pub fn note(description: &str, scopes: &[&str]) -> String {
    let list: Vec<String> = scopes.iter().map(|s| format!("`{s}`")).collect();
    format!(
        "{description}\n\n**OAuth scopes.** When the provider signs in as a service app \
         (`client_id`), the app needs {} granted and listed in the provider's `scopes` \
         (the default set includes them).",
        join_and(&list)
    )
}

fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::okta::oauth::DEFAULT_SCOPES;
    use crate::provider::OktaIdpProvider;
    use crate::tfplugin::framework::Provider;

    #[test]
    fn names_the_scopes() {
        let text = note("Intro.", &["okta.apps.manage", "okta.groups.read"]);
        assert!(text.starts_with("Intro.\n\n**OAuth scopes.**"));
        assert!(text.contains("`okta.apps.manage` and `okta.groups.read` granted"));
    }

    /// Every resource and data source names its scopes, and the default set covers them
    /// (`manage` covers `read`).
    #[test]
    fn every_page_names_scopes_the_default_covers() {
        let p = OktaIdpProvider::with_env(|_| None);
        let descriptions = p
            .resources()
            .iter()
            .map(|r| (r.type_name(), r.schema().block.description.clone()))
            .chain(
                p.data_sources()
                    .iter()
                    .map(|d| (d.type_name(), d.schema().block.description.clone())),
            )
            .chain(
                p.ephemeral_resources()
                    .iter()
                    .map(|e| (e.type_name(), e.schema().block.description.clone())),
            );
        for (name, text) in descriptions {
            let para = text
                .split("**OAuth scopes.**")
                .nth(1)
                .unwrap_or_else(|| panic!("{name} names no OAuth scopes"));
            let named: Vec<&str> = para.split('`').filter(|s| s.starts_with("okta.")).collect();
            assert!(!named.is_empty(), "{name}");
            for scope in named {
                let manage = scope.replace(".read", ".manage");
                assert!(
                    DEFAULT_SCOPES.contains(&scope) || DEFAULT_SCOPES.contains(&manage.as_str()),
                    "{name}: {scope} not in the default scopes"
                );
            }
        }
    }
}
