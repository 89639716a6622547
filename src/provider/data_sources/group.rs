//! `oktaidp_group`: finds an Okta group by name (or checks one by ID), so configurations can name
//! the groups allowed to sign in instead of copying IDs.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::provider::{okta_diag, ProviderData};
use crate::tfplugin::diag::{AttrPath, Diagnostics};
use crate::tfplugin::model::Field;
use crate::tfplugin::schema::{Attribute, Block, Schema};
use crate::tfplugin::typed::TypedDataSource;

pub const TYPE_NAME: &str = "oktaidp_group";

pub fn schema() -> Schema {
    Schema::new(
        0,
        Block::new(&crate::provider::oauth_scopes::note(
            "Looks up one Okta group by exact name, or reads it by ID. One API call. Fails when no group, \
             or more than one group, has the name; when none has it, the error names the closest \
             group names (the same name in other letter case, or a near spelling), which takes a \
             second call.", &["okta.groups.read"])
        )
        .attr(Attribute::string("name").optional().computed().describe(
            "Exact group name. Set `name` or `id`, not both.",
        ))
        .attr(Attribute::string("id").optional().computed().describe("Group ID (`00g...`)."))
        .attr(Attribute::string("description").computed().describe("The group's description."))
        .attr(Attribute::string("type").computed().describe("`OKTA_GROUP`, `BUILT_IN` or `APP_GROUP`.")),
    )
}

/// The data source's attributes. Outputs are skipped when decoding: they are never read from
/// the configuration.
#[derive(Serialize, Deserialize)]
pub struct Group {
    pub name: Field<String>,
    pub id: Field<String>,
    #[serde(skip_deserializing)]
    pub description: Option<String>,
    #[serde(skip_deserializing)]
    pub r#type: Option<String>,
}

pub struct GroupLookup {
    pub data: Arc<ProviderData>,
}

impl GroupLookup {
    /// Names close to `name` among the groups starting with its first three letters (`q` is a
    /// case-insensitive prefix search), for a name with a typo after them. Failures only lose
    /// the suggestion.
    async fn near_spellings(&self, client: &crate::okta::OktaClient, name: &str) -> Vec<String> {
        let prefix: String = name.chars().take(3).collect();
        if prefix.chars().count() < 3 || prefix == name {
            return Vec::new();
        }
        match client.groups().list(Some(&prefix)).await {
            Ok(groups) => close_names(name, names_of(&groups)),
            Err(_) => Vec::new(),
        }
    }
}

fn names_of(groups: &[crate::okta::Group]) -> Vec<String> {
    groups
        .iter()
        .filter_map(|g| g.name().map(str::to_owned))
        .collect()
}

/// At most three of `candidates` close to `wanted`, closest first: the same name in other letter
/// case, then names within a few edits (ignoring case), or that start with `wanted`.
fn close_names(wanted: &str, candidates: Vec<String>) -> Vec<String> {
    let lower = wanted.to_lowercase();
    let budget = (lower.chars().count() / 3).max(2);
    let mut scored: Vec<(usize, String)> = candidates
        .into_iter()
        .filter(|c| c != wanted)
        .filter_map(|c| {
            let d = edit_distance(&lower, &c.to_lowercase());
            let close = d <= budget || c.to_lowercase().starts_with(&lower);
            close.then_some((d, c))
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(3).map(|(_, c)| c).collect()
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substituted = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substituted.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

/// `"A"`, `"A" or "B"`, `"A", "B" or "C"`.
fn quoted_or(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
    match quoted.as_slice() {
        [init @ .., last] if !init.is_empty() => format!("{} or {last}", init.join(", ")),
        _ => quoted.concat(),
    }
}

#[tonic::async_trait]
impl TypedDataSource for GroupLookup {
    type Model = Group;
    const TYPE_NAME: &'static str = TYPE_NAME;

    fn schema() -> Schema {
        schema()
    }

    fn validate(&self, config: &Group, diags: &mut Diagnostics) {
        match (&config.name, &config.id) {
            (Field::Null, Field::Null) => diags.attr_error(
                AttrPath::root("name"),
                "Missing group name or ID",
                "Set name (exact group name) or id.",
            ),
            (Field::Null, _) | (_, Field::Null) => {}
            _ => diags.attr_error(
                AttrPath::root("id"),
                "Conflicting group selectors",
                "Set name or id, not both.",
            ),
        }
        if config.name.as_deref() == Some("") {
            diags.attr_error(
                AttrPath::root("name"),
                "Empty group name",
                "The group name must not be empty.",
            );
        }
    }

    async fn read(&self, config: Group, diags: &mut Diagnostics) -> Option<Group> {
        let client = self.data.client(diags)?;
        let group = if let Some(id) = config.id.get() {
            match client.groups().get(id).await {
                Ok(Some(g)) => g,
                Ok(None) => {
                    diags.attr_error(
                        AttrPath::root("id"),
                        "Group not found",
                        format!("No group has the ID {id}."),
                    );
                    return None;
                }
                Err(e) => {
                    okta_diag::attr_error(diags, AttrPath::root("id"), "reading the group", &e);
                    return None;
                }
            }
        } else {
            let name = config.name.get()?;
            // `q` matches name prefixes; keep exact matches only.
            let found = match client.groups().list(Some(name)).await {
                Ok(groups) => groups,
                Err(e) => {
                    okta_diag::attr_error(diags, AttrPath::root("name"), "searching groups", &e);
                    return None;
                }
            };
            let mut exact: Vec<_> = found
                .iter()
                .filter(|g| g.name() == Some(name.as_str()))
                .cloned()
                .collect();
            match exact.len() {
                1 => exact.remove(0),
                0 => {
                    let mut close = close_names(name, names_of(&found));
                    if close.is_empty() {
                        close = self.near_spellings(&client, name).await;
                    }
                    let hint = match close.as_slice() {
                        [] => String::new(),
                        names => format!(
                            " Did you mean {}? Group names are matched exactly, letter case included.",
                            quoted_or(names)
                        ),
                    };
                    diags.attr_error(
                        AttrPath::root("name"),
                        "Group not found",
                        format!("No group is named {name:?}.{hint}"),
                    );
                    return None;
                }
                n => {
                    diags.attr_error(
                        AttrPath::root("name"),
                        "Group name is ambiguous",
                        format!("{n} groups are named {name:?}; use id instead."),
                    );
                    return None;
                }
            }
        };
        Some(Group {
            id: group.id.as_deref().into(),
            name: group.name().into(),
            description: group.profile.and_then(|p| p.description),
            r#type: group.group_type,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::okta::NewGroup;
    use crate::provider::testing::Org;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn close_names_rank_case_then_spelling() {
        let groups = names(&[
            "Engineering Leads",
            "Engineering",
            "English Club",
            "Finance",
        ]);
        assert_eq!(
            close_names("engineering", groups.clone()),
            names(&["Engineering", "Engineering Leads"])
        );
        assert_eq!(
            close_names("Enginering", groups.clone()),
            names(&["Engineering"])
        );
        assert!(close_names("Marketing", groups).is_empty());
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(quoted_or(&names(&["A", "B", "C"])), "\"A\", \"B\" or \"C\"");
    }

    async fn lookup(org: &Org, name: &str) -> Diagnostics {
        let source = GroupLookup {
            data: Arc::clone(&org.data),
        };
        let config = Group {
            name: Field::Known(name.to_owned()),
            id: Field::Null,
            description: None,
            r#type: None,
        };
        let mut d = Diagnostics::new();
        assert!(source.read(config, &mut d).await.is_none());
        d
    }

    /// #20 item 9: a name without an exact match suggests the group meant.
    #[tokio::test]
    async fn a_near_miss_suggests_the_group() {
        let org = Org::start().await;
        for name in ["Engineering", "Finance"] {
            org.client
                .groups()
                .create(&NewGroup::new(name, None))
                .await
                .expect("group");
        }
        for wrong in ["engineering", "ENGINEERING", "Enginering", "Engineerin"] {
            let d = lookup(&org, wrong).await;
            let x = d.iter().next().expect("error");
            assert_eq!(x.summary, "Group not found");
            assert!(
                x.detail.contains("Did you mean \"Engineering\"?"),
                "{wrong}: {}",
                x.detail
            );
        }
        let d = lookup(&org, "Marketing").await;
        let x = d.iter().next().expect("error");
        assert_eq!(x.detail, "No group is named \"Marketing\".");
    }
}
