//! Resources and data sources written against typed models.
//!
//! A resource implements [`TypedResource`]: its schema, its model (one struct, fields named after
//! the attributes, see [`super::model`]), an optional private-state type, and its CRUD logic on
//! those types. [`Typed`] adapts it to the [`Resource`] trait the gRPC service drives: it decodes
//! every value into the model, turns decoding errors into diagnostics with attribute paths, and
//! encodes results in the schema's shape. The generic rules (read-only attributes, defaults,
//! unknowns for computed values, declared checks) stay in `framework`.

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::diag::{AttrPath, Diagnostics};
use super::framework::{
    self, ApplyRequest, DataSource, EphemeralResource, PlanRequest, Resource, Stored,
};
use super::model::{self, ModelError};
use super::schema::Schema;
use super::value::{Type, Value};

/// What a resource leaves in Terraform's state: the object and its private data.
#[derive(Debug, Clone, PartialEq)]
pub struct Saved<M, P> {
    pub state: M,
    pub private: P,
}

impl<M> Saved<M, ()> {
    /// A state with no private data.
    pub fn state(state: M) -> Self {
        Self { state, private: () }
    }
}

/// What create, read, update and import return: `None` when nothing is (or is left) in state.
pub type Outcome<R> = Option<Saved<<R as TypedResource>::Model, <R as TypedResource>::Private>>;

/// A plan in the making: `planned` starts as the generic plan and the resource may change it.
pub struct Plan<'a, R: TypedResource> {
    /// `None` on create.
    pub prior: Option<&'a R::Model>,
    pub config: &'a R::Model,
    pub planned: R::Model,
    /// Attributes whose change replaces the object (starts with the schema's `requires_replace`).
    pub replace: Vec<AttrPath>,
    /// The prior state's private data (the default on create).
    pub prior_private: R::Private,
}

/// A create (`prior` is `None`) or an update.
pub struct Change<'a, R: TypedResource> {
    pub prior: Option<&'a R::Model>,
    pub planned: &'a R::Model,
    pub config: &'a R::Model,
    pub private: &'a R::Private,
}

#[tonic::async_trait]
pub trait TypedResource: Send + Sync + Sized + 'static {
    type Model: Serialize + DeserializeOwned + Send + Sync;
    /// Private data Terraform keeps with the state (JSON); `()` when there is none.
    type Private: Serialize + DeserializeOwned + Default + Send + Sync;
    const TYPE_NAME: &'static str;

    fn schema() -> Schema;
    /// Checks beyond the schema's, before any API call (values may be unknown).
    fn validate(&self, _config: &Self::Model, _diags: &mut Diagnostics) {}
    /// Adjusts the generic plan.
    fn modify_plan(&self, _plan: &mut Plan<'_, Self>, _diags: &mut Diagnostics) {}
    /// On error, return whatever was created so that Terraform keeps track of it.
    async fn create(&self, change: Change<'_, Self>, diags: &mut Diagnostics) -> Outcome<Self>;
    /// `None` without an error means the remote object is gone.
    async fn read(
        &self,
        state: Self::Model,
        private: Self::Private,
        diags: &mut Diagnostics,
    ) -> Outcome<Self>;
    async fn update(&self, change: Change<'_, Self>, diags: &mut Diagnostics) -> Outcome<Self>;
    async fn delete(&self, prior: Self::Model, private: Self::Private, diags: &mut Diagnostics);
    async fn import(&self, id: &str, diags: &mut Diagnostics) -> Outcome<Self>;
}

#[tonic::async_trait]
pub trait TypedDataSource: Send + Sync + Sized + 'static {
    type Model: Serialize + DeserializeOwned + Send + Sync;
    const TYPE_NAME: &'static str;

    fn schema() -> Schema;
    /// Checks beyond the schema's, before any API call (values may be unknown).
    fn validate(&self, _config: &Self::Model, _diags: &mut Diagnostics) {}
    /// The whole object: every attribute set, none unknown.
    async fn read(&self, config: Self::Model, diags: &mut Diagnostics) -> Option<Self::Model>;
}

/// An ephemeral resource on a model: `open` returns the object Terraform hands to other
/// configuration (every attribute set, none unknown), never written to plan or state.
#[tonic::async_trait]
pub trait TypedEphemeralResource: Send + Sync + Sized + 'static {
    type Model: Serialize + DeserializeOwned + Send + Sync;
    const TYPE_NAME: &'static str;

    fn schema() -> Schema;
    /// Checks beyond the schema's, before any API call (values may be unknown).
    fn validate(&self, _config: &Self::Model, _diags: &mut Diagnostics) {}
    async fn open(&self, config: Self::Model, diags: &mut Diagnostics) -> Option<Self::Model>;
}

/// Adapts a typed resource or data source to the value-level traits.
pub struct Typed<R> {
    inner: R,
    schema: Schema,
    ty: Type,
}

impl<R> Typed<R> {
    pub fn inner(&self) -> &R {
        &self.inner
    }
}

impl<R: TypedResource> Typed<R> {
    pub fn resource(inner: R) -> Arc<dyn Resource> {
        let schema = R::schema();
        let ty = schema.implied_type();
        Arc::new(Self { inner, schema, ty })
    }
}

impl<R: TypedDataSource> Typed<R> {
    pub fn data_source(inner: R) -> Arc<dyn DataSource> {
        let schema = R::schema();
        let ty = schema.implied_type();
        Arc::new(Self { inner, schema, ty })
    }
}

/// The model of an object that has the schema's defaults and nothing else (every other
/// attribute null); a model that cannot hold them is its `Default`.
pub fn defaults<M: DeserializeOwned + Default>(schema: &Schema) -> M {
    let defaults = schema.block.attributes.iter().map(|a| {
        let value = a.default.clone().unwrap_or(Value::Null);
        (a.name.clone(), value)
    });
    model::from_value(&Value::object(defaults)).unwrap_or_default()
}

impl<R: TypedEphemeralResource> Typed<R> {
    pub fn ephemeral_resource(inner: R) -> Arc<dyn EphemeralResource> {
        let schema = R::schema();
        let ty = schema.implied_type();
        Arc::new(Self { inner, schema, ty })
    }
}

/// Decodes `value`, or reports where it does not fit the model.
fn decode<M: DeserializeOwned>(value: &Value, diags: &mut Diagnostics) -> Option<M> {
    model::from_value(value)
        .map_err(|e| e.report("Value does not fit the provider's model", diags))
        .ok()
}

/// The schema's checks, then the configuration as a model. A value a check already reported
/// (a leeway of -1 for a `u32`, say) is not reported again as not fitting the model.
fn checked_config<M: DeserializeOwned>(
    schema: &Schema,
    config: &Value,
    diags: &mut Diagnostics,
) -> Option<M> {
    let mut checked = Diagnostics::new();
    framework::run_checks(&schema.block, config, &mut checked);
    let clean = !checked.has_errors();
    diags.extend(checked);
    match model::from_value(config) {
        Ok(model) => Some(model),
        Err(e) => {
            if clean {
                e.report("Invalid configuration value", diags);
            }
            None
        }
    }
}

/// The schema's checks, then `validate` on the configuration's model when it has one.
fn validate_with<M: DeserializeOwned>(
    schema: &Schema,
    config: &Value,
    diags: &mut Diagnostics,
    validate: impl FnOnce(&M, &mut Diagnostics),
) {
    if let Some(config) = checked_config(schema, config, diags) {
        validate(&config, diags);
    }
}

fn decode_prior<M: DeserializeOwned>(value: &Value, diags: &mut Diagnostics) -> Option<Option<M>> {
    if value.is_null() {
        Some(None)
    } else {
        decode(value, diags).map(Some)
    }
}

fn encode<M: Serialize>(model: &M, ty: &Type, diags: &mut Diagnostics) -> Option<Value> {
    model::to_value(model, ty)
        .map_err(|e: ModelError| {
            diags.error(
                "Provider produced a value outside its schema",
                format!("This is a bug in the provider: {e}"),
            )
        })
        .ok()
}

/// Private data is the provider's own JSON; anything unreadable (or empty) is the default.
fn decode_private<P: DeserializeOwned + Default>(bytes: &[u8]) -> P {
    serde_json::from_slice(bytes).unwrap_or_default()
}

fn encode_private<P: Serialize>(private: &P) -> Vec<u8> {
    match serde_json::to_vec(private) {
        Ok(bytes) if bytes != b"null" => bytes,
        _ => Vec::new(),
    }
}

impl<R: TypedResource> Typed<R> {
    /// Validation again before any API call: values unknown at validate time (an ID from
    /// another resource, say) are known now.
    fn valid_at_apply(&self, config: &Value, diags: &mut Diagnostics) -> bool {
        let mut found = Diagnostics::new();
        if let Some(config) = checked_config::<R::Model>(&self.schema, config, &mut found) {
            self.inner.validate(&config, &mut found);
        }
        let valid = !found.has_errors();
        diags.extend(found);
        valid
    }

    fn store(
        &self,
        saved: Option<Saved<R::Model, R::Private>>,
        diags: &mut Diagnostics,
    ) -> Option<Stored> {
        let saved = saved?;
        Some(Stored {
            state: encode(&saved.state, &self.ty, diags)?,
            private: encode_private(&saved.private),
        })
    }
}

#[tonic::async_trait]
impl<R: TypedResource> Resource for Typed<R> {
    fn type_name(&self) -> &'static str {
        R::TYPE_NAME
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        validate_with(&self.schema, config, diags, |c, d| {
            self.inner.validate(c, d)
        });
    }

    fn modify_plan(
        &self,
        req: &PlanRequest<'_>,
        planned: &mut Value,
        replace: &mut Vec<AttrPath>,
        diags: &mut Diagnostics,
    ) {
        let (Some(prior), Some(config), Some(generic)) = (
            decode_prior::<R::Model>(req.prior, diags),
            decode::<R::Model>(req.config, diags),
            decode::<R::Model>(planned, diags),
        ) else {
            return;
        };
        let Some(before) = encode(&generic, &self.ty, diags) else {
            return;
        };
        let mut plan = Plan::<R> {
            prior: prior.as_ref(),
            config: &config,
            planned: generic,
            replace: std::mem::take(replace),
            prior_private: decode_private(req.prior_private),
        };
        self.inner.modify_plan(&mut plan, diags);
        *replace = plan.replace;
        let Some(after) = encode(&plan.planned, &self.ty, diags) else {
            return;
        };
        // Only the attributes the resource changed are written back, so that the model's
        // reading of everything else (a partly unknown list, say) cannot alter the plan.
        if let (Value::Object(before), Value::Object(after), Value::Object(target)) =
            (before, after, planned)
        {
            for (name, value) in after {
                if before.get(&name) != Some(&value) {
                    target.insert(name, value);
                }
            }
        }
    }

    async fn create(&self, req: &ApplyRequest<'_>, diags: &mut Diagnostics) -> Option<Stored> {
        if !self.valid_at_apply(req.config, diags) {
            return None;
        }
        let planned = decode(req.planned, diags)?;
        let config = decode(req.config, diags)?;
        let private = decode_private(req.private);
        let change = Change::<R> {
            prior: None,
            planned: &planned,
            config: &config,
            private: &private,
        };
        let saved = self.inner.create(change, diags).await;
        self.store(saved, diags)
    }

    async fn read(&self, state: &Value, private: &[u8], diags: &mut Diagnostics) -> Option<Stored> {
        let state = decode(state, diags)?;
        let saved = self.inner.read(state, decode_private(private), diags).await;
        self.store(saved, diags)
    }

    async fn update(&self, req: &ApplyRequest<'_>, diags: &mut Diagnostics) -> Option<Stored> {
        if !self.valid_at_apply(req.config, diags) {
            return None;
        }
        let prior: R::Model = decode(req.prior, diags)?;
        let planned = decode(req.planned, diags)?;
        let config = decode(req.config, diags)?;
        let private = decode_private(req.private);
        let change = Change::<R> {
            prior: Some(&prior),
            planned: &planned,
            config: &config,
            private: &private,
        };
        let saved = self.inner.update(change, diags).await;
        self.store(saved, diags)
    }

    async fn delete(&self, prior: &Value, private: &[u8], diags: &mut Diagnostics) {
        if let Some(prior) = decode(prior, diags) {
            self.inner
                .delete(prior, decode_private(private), diags)
                .await;
        }
    }

    async fn import(&self, id: &str, diags: &mut Diagnostics) -> Option<Stored> {
        let saved = self.inner.import(id, diags).await;
        self.store(saved, diags)
    }
}

#[tonic::async_trait]
impl<R: TypedDataSource> DataSource for Typed<R> {
    fn type_name(&self) -> &'static str {
        R::TYPE_NAME
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        validate_with(&self.schema, config, diags, |c, d| {
            self.inner.validate(c, d)
        });
    }

    async fn read(&self, config: &Value, diags: &mut Diagnostics) -> Option<Value> {
        let config = decode(config, diags)?;
        let model = self.inner.read(config, diags).await?;
        encode(&model, &self.ty, diags)
    }
}

#[tonic::async_trait]
impl<R: TypedEphemeralResource> EphemeralResource for Typed<R> {
    fn type_name(&self) -> &'static str {
        R::TYPE_NAME
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        validate_with(&self.schema, config, diags, |c, d| {
            self.inner.validate(c, d)
        });
    }

    async fn open(&self, config: &Value, diags: &mut Diagnostics) -> Option<Value> {
        let config = decode(config, diags)?;
        let model = self.inner.open(config, diags).await?;
        encode(&model, &self.ty, diags)
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;
    use crate::model::Field;
    use crate::schema::{Attribute, Block};

    #[derive(Debug, Default, PartialEq, Deserialize)]
    struct Model {
        mode: Field<String>,
        name: Field<String>,
    }

    #[test]
    fn defaults_hold_the_schema_defaults_and_nulls() {
        let schema = Schema::new(
            0,
            Block::new("")
                .attr(Attribute::string("mode").default(Value::string("STATIC")))
                .attr(Attribute::string("name").optional()),
        );
        let expected = Model {
            mode: Field::Known("STATIC".into()),
            name: Field::Null,
        };
        assert_eq!(defaults::<Model>(&schema), expected);
    }
}
