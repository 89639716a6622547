//! What a provider implements, and the generic rules every resource gets for free: rejecting
//! configuration of read-only attributes, defaults, unknowns for computed values on change,
//! replacement triggers. The gRPC service in `service.rs` drives these traits.

use std::sync::Arc;

use super::diag::{AttrPath, Diagnostics};
use super::function::Function;
use super::schema::{Block, Check, Nesting, Schema};
use super::value::Value;

#[tonic::async_trait]
pub trait Provider: Send + Sync + 'static {
    /// The provider's local name (`oktaidp`); resource type names start with it.
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> &Schema;
    fn resources(&self) -> &[Arc<dyn Resource>];
    fn data_sources(&self) -> &[Arc<dyn DataSource>];
    /// Provider functions (Terraform >= 1.8); older clients never see them.
    fn functions(&self) -> &[Arc<dyn Function>] {
        &[]
    }
    /// Ephemeral resources (Terraform >= 1.10); older clients never see them.
    fn ephemeral_resources(&self) -> &[Arc<dyn EphemeralResource>] {
        &[]
    }
    /// Checks of the provider block beyond the schema (may see unknowns).
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}
    /// Builds what resources need from the provider block (may see unknowns during plan).
    async fn configure(&self, config: &Value, diags: &mut Diagnostics);
    /// `StopProvider`: cancel in-flight work. The process keeps serving.
    fn stop(&self);
}

#[tonic::async_trait]
pub trait DataSource: Send + Sync + 'static {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> &Schema;
    /// Checks beyond the schema, before any API call (values may be unknown).
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}
    /// Returns the whole object: every attribute present, none unknown.
    async fn read(&self, config: &Value, diags: &mut Diagnostics) -> Option<Value>;
}

/// An ephemeral resource: opened when Terraform needs its value (plan and apply alike), never
/// stored in plan or state.
#[tonic::async_trait]
pub trait EphemeralResource: Send + Sync + 'static {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> &Schema;
    /// Checks beyond the schema, before any API call (values may be unknown).
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}
    /// The whole object: every attribute present, none unknown. Terraform only opens wholly
    /// known configurations.
    async fn open(&self, config: &Value, diags: &mut Diagnostics) -> Option<Value>;
}

/// The state a resource leaves behind: the object and the provider's private bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    pub state: Value,
    pub private: Vec<u8>,
}

pub struct PlanRequest<'a> {
    pub prior: &'a Value,
    pub config: &'a Value,
    pub prior_private: &'a [u8],
}

pub struct ApplyRequest<'a> {
    pub prior: &'a Value,
    pub planned: &'a Value,
    pub config: &'a Value,
    pub private: &'a [u8],
}

#[tonic::async_trait]
pub trait Resource: Send + Sync + 'static {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> &Schema;
    /// Checks beyond the schema, before any API call (values may be unknown).
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}
    /// Adjusts the generic plan; may add replacement paths or warnings.
    fn modify_plan(
        &self,
        _req: &PlanRequest<'_>,
        _planned: &mut Value,
        _replace: &mut Vec<AttrPath>,
        _diags: &mut Diagnostics,
    ) {
    }
    /// On error, return whatever was created so that Terraform keeps track of it.
    async fn create(&self, req: &ApplyRequest<'_>, diags: &mut Diagnostics) -> Option<Stored>;
    /// `None` means the remote object is gone.
    async fn read(&self, state: &Value, private: &[u8], diags: &mut Diagnostics) -> Option<Stored>;
    async fn update(&self, req: &ApplyRequest<'_>, diags: &mut Diagnostics) -> Option<Stored>;
    async fn delete(&self, prior: &Value, private: &[u8], diags: &mut Diagnostics);
    async fn import(&self, id: &str, diags: &mut Diagnostics) -> Option<Stored>;
}

/// Errors for configured values of attributes that only the provider sets. Terraform core does
/// not check this, and the resulting plan would be invalid.
pub fn reject_read_only(block: &Block, config: &Value, at: &AttrPath, diags: &mut Diagnostics) {
    let Value::Object(fields) = config else {
        return;
    };
    for attr in &block.attributes {
        if attr.is_read_only() && fields.get(&attr.name).is_some_and(|v| !v.is_null()) {
            diags.attr_error(
                at.clone().attr(&attr.name),
                "Invalid configuration for read-only attribute",
                format!(
                    "\"{}\" is set by the provider and cannot be configured. Remove it from the configuration.",
                    attr.name
                ),
            );
        }
    }
    for nested in &block.blocks {
        let Some(value) = fields.get(&nested.type_name) else {
            continue;
        };
        let path = at.clone().attr(&nested.type_name);
        match (nested.nesting, value) {
            (Nesting::Single | Nesting::Group, v) => {
                reject_read_only(&nested.block, v, &path, diags)
            }
            (Nesting::List | Nesting::Set, Value::List(items) | Value::Set(items)) => {
                for (i, item) in items.iter().enumerate() {
                    reject_read_only(&nested.block, item, &path.clone().index(i), diags);
                }
            }
            (Nesting::Map, Value::Map(items)) => {
                for (k, item) in items {
                    reject_read_only(&nested.block, item, &path.clone().key(k), diags);
                }
            }
            _ => {}
        }
    }
}

/// Write-only attributes are null in every plan and state (Terraform >= 1.11 rejects anything
/// else); their values only come with the configuration.
pub fn null_write_only(block: &Block, value: &mut Value) {
    if let Value::Object(fields) = value {
        for attr in block.attributes.iter().filter(|a| a.write_only) {
            fields.insert(attr.name.clone(), Value::Null);
        }
    }
}

/// Errors for configured write-only attributes when the client did not say it supports them
/// (Terraform and OpenTofu before 1.11 would store the value in plan and state).
pub fn reject_write_only_unsupported(
    block: &Block,
    config: &Value,
    client_allows: bool,
    diags: &mut Diagnostics,
) {
    if client_allows {
        return;
    }
    for attr in block.attributes.iter().filter(|a| a.write_only) {
        if config.get(&attr.name).is_some_and(|v| !v.is_null()) {
            diags.attr_error(
                AttrPath::root(&attr.name),
                "Write-only attribute not supported by this Terraform",
                format!(
                    "\"{}\" is write-only, which needs Terraform 1.11 or OpenTofu 1.11 or later (older versions \
                     would store its value in the plan and the state). Upgrade, or use the attribute it replaces.",
                    attr.name
                ),
            );
        }
    }
}

/// Runs the checks the schema declares on every known configured value of the block's
/// attributes.
pub fn run_checks(block: &Block, config: &Value, diags: &mut Diagnostics) {
    for attr in &block.attributes {
        let Some(value) = config.get(&attr.name) else {
            continue;
        };
        let path = AttrPath::root(&attr.name);
        for check in &attr.checks {
            match value {
                Value::List(items) => {
                    for (i, item) in items.iter().enumerate() {
                        run_check(check, &attr.name, item, path.clone().index(i), diags);
                    }
                }
                // Terraform cannot point into a set: the attribute itself is flagged.
                Value::Set(items) => {
                    for item in items {
                        run_check(check, &attr.name, item, path.clone(), diags);
                    }
                }
                _ => run_check(check, &attr.name, value, path.clone(), diags),
            }
        }
    }
}

fn run_check(check: &Check, name: &str, value: &Value, path: AttrPath, diags: &mut Diagnostics) {
    let problem = match (check, value) {
        (Check::OneOf(allowed), Value::String(s)) if !allowed.contains(&s.as_str()) => {
            Some(format!("\"{s}\" is not one of {}.", allowed.join(", ")))
        }
        (Check::WholeNumber { min, max }, Value::Number(n)) => {
            let fits = n
                .to_i64()
                .is_some_and(|i| i >= *min && max.is_none_or(|m| i <= m));
            let range = match max {
                Some(max) => format!("from {min} to {max}"),
                None => format!("from {min} up"),
            };
            (!fits).then(|| format!("{name} is a whole number {range}; got {n}."))
        }
        (Check::Text(rule), Value::String(s)) => rule(s).err(),
        _ => None,
    };
    if let Some(detail) = problem {
        diags.attr_error(path, format!("Invalid {name}"), detail);
    }
}

/// The generic plan for a create or update, following Terraform's plan validity rules:
/// configured values are kept as they are, unconfigured attributes take their default, and on
/// any change unconfigured computed attributes become unknown (unless they keep prior state).
pub fn plan_object(
    block: &Block,
    prior: &Value,
    proposed: &Value,
    config: &Value,
) -> (Value, Vec<AttrPath>) {
    let mut planned = proposed.clone();
    null_write_only(block, &mut planned);
    apply_defaults(block, &mut planned, config);
    if prior.is_null() || planned != *prior {
        mark_unknown(block, &mut planned, config, prior);
    }
    let mut replace = Vec::new();
    if !prior.is_null() {
        for attr in block.attributes.iter().filter(|a| a.requires_replace) {
            let before = prior.get(&attr.name);
            let after = planned.get(&attr.name);
            if before != after {
                replace.push(AttrPath::root(&attr.name));
            }
        }
    }
    (planned, replace)
}

/// `PlanResourceChange` for a create or an update (a destroy plans null): the generic plan,
/// then the resource's adjustments. Terraform ignores replacement paths on create.
pub fn plan_change(
    resource: &dyn Resource,
    req: &PlanRequest<'_>,
    proposed: &Value,
    diags: &mut Diagnostics,
) -> (Value, Vec<AttrPath>) {
    let block = &resource.schema().block;
    let (mut planned, mut replace) = plan_object(block, req.prior, proposed, req.config);
    resource.modify_plan(req, &mut planned, &mut replace, diags);
    if req.prior.is_null() {
        replace.clear();
    }
    (planned, replace)
}

fn apply_defaults(block: &Block, planned: &mut Value, config: &Value) {
    let Value::Object(fields) = planned else {
        return;
    };
    for attr in &block.attributes {
        let Some(default) = &attr.default else {
            continue;
        };
        let configured = config.get(&attr.name).is_some_and(|v| !v.is_null());
        if !configured {
            fields.insert(attr.name.clone(), default.clone());
        }
    }
}

fn mark_unknown(block: &Block, planned: &mut Value, config: &Value, prior: &Value) {
    let Value::Object(fields) = planned else {
        return;
    };
    for attr in block
        .attributes
        .iter()
        .filter(|a| a.computed && a.default.is_none())
    {
        let configured = config.get(&attr.name).is_some_and(|v| !v.is_null());
        if configured {
            continue;
        }
        let prior_value = prior.get(&attr.name).filter(|v| !v.is_null());
        let value = match prior_value {
            Some(v) if attr.use_state_for_unknown => v.clone(),
            _ => Value::Unknown,
        };
        fields.insert(attr.name.clone(), value);
    }
    // Computed attributes inside nested blocks, correlated with the prior block by position.
    for nested in &block.blocks {
        let Some(value) = fields.get_mut(&nested.type_name) else {
            continue;
        };
        let cfg = config
            .get(&nested.type_name)
            .cloned()
            .unwrap_or(Value::Null);
        let pri = prior.get(&nested.type_name).cloned().unwrap_or(Value::Null);
        match value {
            Value::List(items) if matches!(nested.nesting, Nesting::List) => {
                for (i, item) in items.iter_mut().enumerate() {
                    let c = list_item(&cfg, i);
                    let p = list_item(&pri, i);
                    mark_unknown(&nested.block, item, &c, &p);
                }
            }
            v @ Value::Object(_) => mark_unknown(&nested.block, v, &cfg, &pri),
            _ => {}
        }
    }
}

fn list_item(v: &Value, i: usize) -> Value {
    match v {
        Value::List(items) => items.get(i).cloned().unwrap_or(Value::Null),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Attribute;

    fn block() -> Block {
        Block::new("t")
            .attr(
                Attribute::string("id")
                    .computed()
                    .use_state_for_unknown()
                    .describe("id"),
            )
            .attr(Attribute::string("name").required().describe("n"))
            .attr(
                Attribute::string("mode")
                    .default(Value::string("STATIC"))
                    .describe("m"),
            )
            .attr(Attribute::string("updated").computed().describe("u"))
            .attr(
                Attribute::string("custom_id")
                    .optional()
                    .computed()
                    .requires_replace()
                    .describe("c"),
            )
    }

    fn obj(pairs: &[(&str, Value)]) -> Value {
        Value::object(pairs.iter().map(|(k, v)| (k.to_string(), v.clone())))
    }

    #[test]
    fn create_plans_defaults_and_unknowns() {
        let config = obj(&[
            ("id", Value::Null),
            ("name", Value::string("a")),
            ("mode", Value::Null),
            ("updated", Value::Null),
            ("custom_id", Value::Null),
        ]);
        let (planned, replace) = plan_object(&block(), &Value::Null, &config, &config);
        assert_eq!(planned.get("mode"), Some(&Value::string("STATIC")));
        assert_eq!(planned.get("id"), Some(&Value::Unknown));
        assert_eq!(planned.get("updated"), Some(&Value::Unknown));
        assert_eq!(planned.get("custom_id"), Some(&Value::Unknown));
        assert!(replace.is_empty());
    }

    #[test]
    fn unchanged_object_plans_exactly_the_prior_state() {
        let prior = obj(&[
            ("id", Value::string("1")),
            ("name", Value::string("a")),
            ("mode", Value::string("STATIC")),
            ("updated", Value::string("t1")),
            ("custom_id", Value::string("c")),
        ]);
        let config = obj(&[
            ("id", Value::Null),
            ("name", Value::string("a")),
            ("mode", Value::Null),
            ("updated", Value::Null),
            ("custom_id", Value::Null),
        ]);
        // Terraform proposes prior values for computed attributes left unconfigured.
        let (planned, replace) = plan_object(&block(), &prior, &prior, &config);
        assert_eq!(planned, prior);
        assert!(replace.is_empty());
    }

    #[test]
    fn update_keeps_ids_and_flags_replacement() {
        let prior = obj(&[
            ("id", Value::string("1")),
            ("name", Value::string("a")),
            ("mode", Value::string("STATIC")),
            ("updated", Value::string("t1")),
            ("custom_id", Value::string("c")),
        ]);
        let config = obj(&[
            ("id", Value::Null),
            ("name", Value::string("b")),
            ("mode", Value::Null),
            ("updated", Value::Null),
            ("custom_id", Value::string("d")),
        ]);
        let mut proposed = prior.clone();
        if let Value::Object(f) = &mut proposed {
            f.insert("name".into(), Value::string("b"));
            f.insert("custom_id".into(), Value::string("d"));
        }
        let (planned, replace) = plan_object(&block(), &prior, &proposed, &config);
        assert_eq!(planned.get("id"), Some(&Value::string("1")));
        assert_eq!(planned.get("updated"), Some(&Value::Unknown));
        assert_eq!(planned.get("custom_id"), Some(&Value::string("d")));
        assert_eq!(replace, vec![AttrPath::root("custom_id")]);
    }

    #[test]
    fn read_only_attributes_cannot_be_configured() {
        let config = obj(&[
            ("id", Value::string("x")),
            ("name", Value::string("a")),
            ("mode", Value::Null),
            ("updated", Value::Unknown),
            ("custom_id", Value::Null),
        ]);
        let mut diags = Diagnostics::new();
        reject_read_only(&block(), &config, &AttrPath::default(), &mut diags);
        let paths: Vec<String> = diags
            .iter()
            .filter_map(|d| d.path.as_ref().map(|p| p.to_string()))
            .collect();
        assert_eq!(paths, vec!["id", "updated"]);
    }
}
