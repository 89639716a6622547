//! Schemas: the shape of provider, resource and data source objects, the planning behaviour
//! attached to each attribute, and their wire form.

use super::proto::tfplugin6 as pb;
use super::value::{Type, Value};

#[derive(Debug, Clone)]
pub struct Schema {
    /// State schema version (UpgradeResourceState receives the stored one).
    pub version: i64,
    pub block: Block,
}

#[derive(Debug, Clone, Default)]
pub struct Block {
    pub description: String,
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<NestedBlock>,
    pub deprecated: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nesting {
    Single,
    List,
    Set,
    Map,
    Group,
}

#[derive(Debug, Clone)]
pub struct NestedBlock {
    pub type_name: String,
    pub block: Block,
    pub nesting: Nesting,
    pub min_items: i64,
    pub max_items: i64,
}

#[derive(Debug, Clone)]
pub struct Attribute {
    pub name: String,
    pub ty: Type,
    pub description: String,
    pub required: bool,
    pub optional: bool,
    pub computed: bool,
    pub sensitive: bool,
    pub deprecated: bool,
    /// Planned when the configuration leaves the attribute null (Optional+Computed only).
    pub default: Option<Value>,
    /// A change of this attribute replaces the object.
    pub requires_replace: bool,
    /// When the plan would mark this computed attribute unknown, keep the prior value instead
    /// (for values the remote side never changes, like ids).
    pub use_state_for_unknown: bool,
    /// Run at validate on known configured values (each element of a list or set).
    pub checks: Vec<Check>,
    /// Write-only (Terraform/OpenTofu >= 1.11): the configured value reaches the provider, but
    /// never the plan or the state, where it is always null.
    pub write_only: bool,
}

/// A rule for a configured value, declared with the attribute so that it is stated once.
/// Failures are errors titled `Invalid <attribute>` that point at the attribute (at the element,
/// in a list).
#[derive(Debug, Clone)]
pub enum Check {
    /// One of these strings.
    OneOf(&'static [&'static str]),
    /// A whole number from `min` to `max` (no upper bound when `None`).
    WholeNumber { min: i64, max: Option<i64> },
    /// A rule on a string; the error is the diagnostic's detail.
    Text(fn(&str) -> Result<(), String>),
}

impl Attribute {
    pub fn new(name: &str, ty: Type) -> Self {
        Self {
            name: name.to_string(),
            ty,
            description: String::new(),
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            deprecated: false,
            default: None,
            requires_replace: false,
            use_state_for_unknown: false,
            checks: Vec::new(),
            write_only: false,
        }
    }

    pub fn string(name: &str) -> Self {
        Self::new(name, Type::String)
    }

    pub fn bool(name: &str) -> Self {
        Self::new(name, Type::Bool)
    }

    pub fn number(name: &str) -> Self {
        Self::new(name, Type::Number)
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }

    pub fn computed(mut self) -> Self {
        self.computed = true;
        self
    }

    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    pub fn describe(mut self, text: &str) -> Self {
        self.description = text.to_string();
        self
    }

    /// Optional and Computed, planned as `value` when not configured.
    pub fn default(mut self, value: Value) -> Self {
        self.optional = true;
        self.computed = true;
        self.default = Some(value);
        self
    }

    /// Optional and write-only: see [`Attribute::write_only`].
    pub fn write_only(mut self) -> Self {
        self.optional = true;
        self.write_only = true;
        self
    }

    pub fn requires_replace(mut self) -> Self {
        self.requires_replace = true;
        self
    }

    pub fn use_state_for_unknown(mut self) -> Self {
        self.use_state_for_unknown = true;
        self
    }

    /// The value (each element, for a collection) must be one of `allowed`.
    pub fn one_of(mut self, allowed: &'static [&'static str]) -> Self {
        self.checks.push(Check::OneOf(allowed));
        self
    }

    /// The value must be a whole number from `min` to `max`.
    pub fn whole_number(mut self, min: i64, max: Option<i64>) -> Self {
        self.checks.push(Check::WholeNumber { min, max });
        self
    }

    /// The value (each element, for a collection) must pass `rule`.
    pub fn check(mut self, rule: fn(&str) -> Result<(), String>) -> Self {
        self.checks.push(Check::Text(rule));
        self
    }

    /// Computed and never configurable.
    pub fn is_read_only(&self) -> bool {
        self.computed && !self.optional && !self.required
    }

    fn to_proto(&self) -> pb::schema::Attribute {
        pb::schema::Attribute {
            name: self.name.clone(),
            r#type: self.ty.to_json_bytes(),
            description: self.description.clone(),
            required: self.required,
            optional: self.optional,
            computed: self.computed,
            sensitive: self.sensitive,
            description_kind: pb::StringKind::Markdown as i32,
            deprecated: self.deprecated,
            write_only: self.write_only,
            ..Default::default()
        }
    }
}

impl Block {
    pub fn new(description: &str) -> Self {
        Self {
            description: description.to_string(),
            ..Default::default()
        }
    }

    pub fn attr(mut self, attribute: Attribute) -> Self {
        self.attributes.push(attribute);
        self
    }

    pub fn block(mut self, block: NestedBlock) -> Self {
        self.blocks.push(block);
        self
    }

    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// The object type Terraform derives from this block.
    pub fn implied_type(&self) -> Type {
        let mut attrs = std::collections::BTreeMap::new();
        for a in &self.attributes {
            attrs.insert(a.name.clone(), a.ty.clone());
        }
        for b in &self.blocks {
            let inner = b.block.implied_type();
            let ty = match b.nesting {
                Nesting::Single | Nesting::Group => inner,
                Nesting::List => Type::List(Box::new(inner)),
                Nesting::Set => Type::Set(Box::new(inner)),
                Nesting::Map => Type::Map(Box::new(inner)),
            };
            attrs.insert(b.type_name.clone(), ty);
        }
        Type::Object(attrs)
    }

    fn to_proto(&self) -> pb::schema::Block {
        pb::schema::Block {
            version: 0,
            attributes: self.attributes.iter().map(Attribute::to_proto).collect(),
            block_types: self
                .blocks
                .iter()
                .map(|b| pb::schema::NestedBlock {
                    type_name: b.type_name.clone(),
                    block: Some(b.block.to_proto()),
                    nesting: match b.nesting {
                        Nesting::Single => pb::schema::nested_block::NestingMode::Single,
                        Nesting::List => pb::schema::nested_block::NestingMode::List,
                        Nesting::Set => pb::schema::nested_block::NestingMode::Set,
                        Nesting::Map => pb::schema::nested_block::NestingMode::Map,
                        Nesting::Group => pb::schema::nested_block::NestingMode::Group,
                    } as i32,
                    min_items: b.min_items,
                    max_items: b.max_items,
                })
                .collect(),
            description: self.description.clone(),
            description_kind: pb::StringKind::Markdown as i32,
            deprecated: self.deprecated,
            ..Default::default()
        }
    }

    /// The rules Terraform's SDKs enforce on schemas; a violation is a bug in this provider.
    pub fn check(&self, at: &str) -> Result<(), String> {
        let mut seen = std::collections::HashSet::new();
        for a in &self.attributes {
            let valid_name = !a.name.is_empty()
                && a.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !valid_name {
                return Err(format!("{at}: invalid attribute name {:?}", a.name));
            }
            if !seen.insert(a.name.clone()) {
                return Err(format!("{at}: duplicate name {}", a.name));
            }
            match (a.required, a.optional, a.computed) {
                (true, false, false)
                | (false, true, false)
                | (false, false, true)
                | (false, true, true) => {}
                _ => {
                    return Err(format!(
                        "{at}.{}: invalid required/optional/computed combination",
                        a.name
                    ))
                }
            }
            if a.default.is_some() && !(a.optional && a.computed) {
                return Err(format!(
                    "{at}.{}: a default needs optional+computed",
                    a.name
                ));
            }
            if a.write_only && (a.computed || a.required || a.default.is_some()) {
                return Err(format!(
                    "{at}.{}: a write-only attribute is optional, never computed",
                    a.name
                ));
            }
            if a.description.is_empty() {
                return Err(format!("{at}.{}: missing description", a.name));
            }
        }
        for b in &self.blocks {
            if !seen.insert(b.type_name.clone()) {
                return Err(format!("{at}: duplicate name {}", b.type_name));
            }
            b.block.check(&format!("{at}.{}", b.type_name))?;
        }
        Ok(())
    }
}

impl Schema {
    pub fn new(version: i64, block: Block) -> Self {
        Self { version, block }
    }

    pub fn implied_type(&self) -> Type {
        self.block.implied_type()
    }

    pub fn to_proto(&self) -> pb::Schema {
        pb::Schema {
            version: self.version,
            block: Some(self.block.to_proto()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Schema {
        Schema::new(
            1,
            Block::new("thing")
                .attr(Attribute::string("id").computed().describe("id"))
                .attr(Attribute::string("name").required().describe("name"))
                .attr(
                    Attribute::new("tags", Type::Set(Box::new(Type::String)))
                        .optional()
                        .describe("tags"),
                )
                .block(NestedBlock {
                    type_name: "network".into(),
                    block: Block::new("net")
                        .attr(Attribute::string("connection").optional().describe("c")),
                    nesting: Nesting::List,
                    min_items: 0,
                    max_items: 1,
                }),
        )
    }

    #[test]
    fn implied_type_includes_blocks() {
        let ty = sample().implied_type();
        let Type::Object(attrs) = ty else {
            panic!("object")
        };
        assert_eq!(attrs.len(), 4);
        assert!(matches!(attrs.get("network"), Some(Type::List(_))));
    }

    #[test]
    fn proto_carries_flags_and_type_json() {
        let p = sample().to_proto();
        assert_eq!(p.version, 1);
        let block = p.block.expect("block");
        let id = &block.attributes[0];
        assert!(id.computed && !id.optional && !id.required);
        assert_eq!(id.r#type, b"\"string\"".to_vec());
        assert_eq!(block.attributes[2].r#type, br#"["set","string"]"#.to_vec());
        assert_eq!(
            block.block_types[0].nesting,
            pb::schema::nested_block::NestingMode::List as i32
        );
    }

    #[test]
    fn check_rejects_bad_flags() {
        assert!(sample().block.check("sample").is_ok());
        let bad = Block::new("x").attr(Attribute::string("a").required().computed().describe("a"));
        assert!(bad.check("x").is_err());
        let bad_name = Block::new("x").attr(Attribute::string("A").required().describe("a"));
        assert!(bad_name.check("x").is_err());
    }
}
