//! `oktaidp_group`: finds an Okta group by name (or checks one by ID), so configurations can name
//! the groups allowed to sign in instead of copying IDs.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{okta_diag, ProviderData};
use crate::tfplugin::diag::{AttrPath, Diagnostics};
use crate::tfplugin::model::Field;
use crate::tfplugin::schema::{Attribute, Block, Schema};
use crate::tfplugin::typed::TypedDataSource;

pub const TYPE_NAME: &str = "oktaidp_group";

pub fn schema() -> Schema {
    Schema::new(
        0,
        Block::new(&super::oauth_scopes::note(
            "Looks up one Okta group by exact name, or reads it by ID. One API call. Fails when no group, \
             or more than one group, has the name.", &["okta.groups.read"])
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
                .into_iter()
                .filter(|g| g.name() == Some(name.as_str()))
                .collect();
            match exact.len() {
                1 => exact.remove(0),
                0 => {
                    diags.attr_error(
                        AttrPath::root("name"),
                        "Group not found",
                        format!("No group is named {name:?}."),
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
