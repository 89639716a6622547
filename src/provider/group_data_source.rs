//! `oktaidp_group`: finds an Okta group by name (or checks one by ID), so configurations can name
//! the groups allowed to sign in instead of copying IDs.

use std::sync::Arc;

use super::fields::{self, Field};
use super::{okta_diag, ProviderData};
use crate::tfplugin::diag::{AttrPath, Diagnostics};
use crate::tfplugin::framework::DataSource;
use crate::tfplugin::schema::{Attribute, Block, Schema};
use crate::tfplugin::value::Value;

pub const TYPE_NAME: &str = "oktaidp_group";

pub fn schema() -> Schema {
    Schema::new(
        0,
        Block::new(
            "Looks up one Okta group by exact name, or reads it by ID. One API call. Fails when no group, \
             or more than one group, has the name.",
        )
        .attr(Attribute::string("name").optional().computed().describe(
            "Exact group name. Set `name` or `id`, not both.",
        ))
        .attr(Attribute::string("id").optional().computed().describe("Group ID (`00g...`)."))
        .attr(Attribute::string("description").computed().describe("The group's description."))
        .attr(Attribute::string("type").computed().describe("`OKTA_GROUP`, `BUILT_IN` or `APP_GROUP`.")),
    )
}

pub struct GroupLookup {
    schema: Schema,
    data: Arc<ProviderData>,
}

impl GroupLookup {
    pub fn new(data: Arc<ProviderData>) -> Self {
        Self {
            schema: schema(),
            data,
        }
    }
}

#[tonic::async_trait]
impl DataSource for GroupLookup {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        let name = fields::string(config, "name");
        let id = fields::string(config, "id");
        match (name, id) {
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
        if let Field::Known("") = fields::string(config, "name") {
            diags.attr_error(
                AttrPath::root("name"),
                "Empty group name",
                "The group name must not be empty.",
            );
        }
    }

    async fn read(&self, config: &Value, diags: &mut Diagnostics) -> Option<Value> {
        let client = self.data.client(diags)?;
        let group = if let Some(id) = fields::string(config, "id").known() {
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
            let name = fields::string(config, "name").known()?;
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
                .filter(|g| g.name() == Some(name))
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
        let text = <Value as From<Option<&str>>>::from;
        Some(Value::object([
            ("id", text(group.id.as_deref())),
            ("name", text(group.name())),
            (
                "description",
                text(
                    group
                        .profile
                        .as_ref()
                        .and_then(|p| p.description.as_deref()),
                ),
            ),
            ("type", text(group.group_type.as_deref())),
        ]))
    }
}
