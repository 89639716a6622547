//! The tfplugin6 `Provider` gRPC service: decodes requests, applies the protocol's rules and
//! calls the provider's resources and data sources. Every RPC answers; features this provider
//! does not offer answer with an error diagnostic (never gRPC Unimplemented, which Terraform
//! reports as a plugin fault).

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};

use futures::Stream;
use tonic::{Request, Response, Status, Streaming};

use super::diag::{single_error, AttrPath, Diagnostics};
use super::framework::{
    null_write_only, plan_change, reject_read_only, reject_write_only_unsupported, ApplyRequest,
    DataSource, EphemeralResource, PlanRequest, Provider, Resource,
};
use super::function::{Function, FunctionError};
use super::proto::tfplugin6 as pb;
use super::proto::tfplugin6::provider_server;
use super::schema::Schema;
use super::value::{self, Type, Value};

type EventStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

pub struct ProviderService {
    provider: Arc<dyn Provider>,
    resources: HashMap<&'static str, (Arc<dyn Resource>, Type)>,
    data_sources: HashMap<&'static str, (Arc<dyn DataSource>, Type)>,
    functions: HashMap<&'static str, Arc<dyn Function>>,
    ephemeral: HashMap<&'static str, (Arc<dyn EphemeralResource>, Type)>,
    provider_type: Type,
    schema_response: OnceLock<pb::get_provider_schema::Response>,
}

impl ProviderService {
    pub fn new(provider: Arc<dyn Provider>) -> Self {
        let resources = provider
            .resources()
            .iter()
            .map(|r| (r.type_name(), (Arc::clone(r), r.schema().implied_type())))
            .collect();
        let data_sources = provider
            .data_sources()
            .iter()
            .map(|d| (d.type_name(), (Arc::clone(d), d.schema().implied_type())))
            .collect();
        let functions = provider
            .functions()
            .iter()
            .map(|f| (f.name(), Arc::clone(f)))
            .collect();
        let ephemeral = provider
            .ephemeral_resources()
            .iter()
            .map(|e| (e.type_name(), (Arc::clone(e), e.schema().implied_type())))
            .collect();
        let provider_type = provider.schema().implied_type();
        Self {
            ephemeral,
            provider,
            resources,
            data_sources,
            functions,
            provider_type,
            schema_response: OnceLock::new(),
        }
    }

    fn resource(&self, name: &str) -> Result<&(Arc<dyn Resource>, Type), Vec<pb::Diagnostic>> {
        self.resources.get(name).ok_or_else(|| {
            single_error(
                "Unknown resource type",
                format!("This provider has no resource type \"{name}\"."),
            )
        })
    }

    fn data_source(&self, name: &str) -> Result<&(Arc<dyn DataSource>, Type), Vec<pb::Diagnostic>> {
        self.data_sources.get(name).ok_or_else(|| {
            single_error(
                "Unknown data source",
                format!("This provider has no data source \"{name}\"."),
            )
        })
    }

    fn ephemeral_resource(
        &self,
        name: &str,
    ) -> Result<&(Arc<dyn EphemeralResource>, Type), Vec<pb::Diagnostic>> {
        self.ephemeral.get(name).ok_or_else(|| {
            single_error(
                "Unknown ephemeral resource type",
                format!("This provider has no ephemeral resource type \"{name}\"."),
            )
        })
    }

    fn build_schema_response(&self) -> pb::get_provider_schema::Response {
        pb::get_provider_schema::Response {
            provider: Some(self.provider.schema().to_proto()),
            resource_schemas: self
                .provider
                .resources()
                .iter()
                .map(|r| (r.type_name().to_string(), r.schema().to_proto()))
                .collect(),
            data_source_schemas: self
                .provider
                .data_sources()
                .iter()
                .map(|d| (d.type_name().to_string(), d.schema().to_proto()))
                .collect(),
            functions: self.function_signatures(),
            ephemeral_resource_schemas: self
                .provider
                .ephemeral_resources()
                .iter()
                .map(|e| (e.type_name().to_string(), e.schema().to_proto()))
                .collect(),
            server_capabilities: Some(capabilities()),
            ..Default::default()
        }
    }

    fn function_signatures(&self) -> HashMap<String, pb::Function> {
        self.provider
            .functions()
            .iter()
            .map(|f| (f.name().to_string(), f.signature().to_proto()))
            .collect()
    }

    /// Decodes each argument by its parameter's type and calls the function.
    fn call(&self, req: &pb::call_function::Request) -> Result<Value, FunctionError> {
        let function = self.functions.get(req.name.as_str()).ok_or_else(|| {
            FunctionError::new(format!(
                "terraform-provider-oktaidp has no function \"{}\".",
                req.name
            ))
        })?;
        let params = &function.signature().parameters;
        if req.arguments.len() != params.len() {
            return Err(FunctionError::new(format!(
                "{} takes {} argument(s), got {}.",
                req.name,
                params.len(),
                req.arguments.len()
            )));
        }
        let mut args = Vec::with_capacity(params.len());
        for (i, (dv, param)) in req.arguments.iter().zip(params).enumerate() {
            let value = decode_dynamic(Some(dv), &param.ty).map_err(|_| {
                FunctionError::argument(
                    i,
                    format!("The provider could not decode the argument {}.", param.name),
                )
            })?;
            args.push(value);
        }
        function.call(&args)
    }
}

fn capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: true,
        get_provider_schema_optional: true,
        ..Default::default()
    }
}

/// Decodes a request value: msgpack when present, else JSON, else null (Terraform's own rule).
pub fn decode_dynamic(dv: Option<&pb::DynamicValue>, ty: &Type) -> Result<Value, Diagnostics> {
    let decoded = match dv {
        None => return Ok(Value::Null),
        Some(dv) if !dv.msgpack.is_empty() => value::decode_msgpack(&dv.msgpack, ty),
        Some(dv) if !dv.json.is_empty() => value::decode_json(&dv.json, ty),
        Some(_) => return Ok(Value::Null),
    };
    decoded.map_err(|e| {
        let mut d = Diagnostics::new();
        d.error(
            "Invalid value from Terraform",
            format!("The provider could not decode a value Terraform sent: {e}"),
        );
        d
    })
}

pub fn encode_dynamic(value: &Value, ty: &Type) -> Result<pb::DynamicValue, Diagnostics> {
    value::encode_msgpack(value, ty)
        .map(|msgpack| pb::DynamicValue {
            msgpack,
            json: Vec::new(),
        })
        .map_err(|e| {
            let mut d = Diagnostics::new();
            d.error(
                "Provider produced an unencodable value",
                format!("This is a bug in the provider: {e}"),
            );
            d
        })
}

fn unsupported(what: &str) -> Vec<pb::Diagnostic> {
    single_error(
        format!("{what} not supported"),
        format!("terraform-provider-oktaidp does not offer {what}."),
    )
}

/// Responses that carry diagnostics, so an early error return can fill them in.
trait Diagnosed {
    fn set_diagnostics(&mut self, diagnostics: Vec<pb::Diagnostic>);
}

macro_rules! impl_diagnosed {
    ($($ty:ty),* $(,)?) => {
        $(impl Diagnosed for $ty {
            fn set_diagnostics(&mut self, diagnostics: Vec<pb::Diagnostic>) {
                self.diagnostics = diagnostics;
            }
        })*
    };
}

impl_diagnosed!(
    pb::validate_ephemeral_resource_config::Response,
    pb::open_ephemeral_resource::Response,
    pb::validate_provider_config::Response,
    pb::configure_provider::Response,
    pb::validate_resource_config::Response,
    pb::upgrade_resource_state::Response,
    pb::read_resource::Response,
    pb::plan_resource_change::Response,
    pb::apply_resource_change::Response,
    pb::import_resource_state::Response,
    pb::validate_data_resource_config::Response,
    pb::read_data_source::Response,
);

fn with_diagnostics<T: Diagnosed>(mut resp: T, diagnostics: Vec<pb::Diagnostic>) -> T {
    resp.set_diagnostics(diagnostics);
    resp
}

/// Unwraps a result, or answers the RPC with the error's diagnostics.
macro_rules! try_diags {
    ($expr:expr, $resp:expr) => {
        match $expr {
            Ok(v) => v,
            Err(diags) => return Ok(Response::new(with_diagnostics($resp, diags))),
        }
    };
}

fn diags_of(d: Diagnostics) -> Vec<pb::Diagnostic> {
    d.into_proto()
}

#[tonic::async_trait]
impl provider_server::Provider for ProviderService {
    async fn get_metadata(
        &self,
        _request: Request<pb::get_metadata::Request>,
    ) -> Result<Response<pb::get_metadata::Response>, Status> {
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(capabilities()),
            resources: self
                .provider
                .resources()
                .iter()
                .map(|r| pb::get_metadata::ResourceMetadata {
                    type_name: r.type_name().to_string(),
                })
                .collect(),
            data_sources: self
                .provider
                .data_sources()
                .iter()
                .map(|d| pb::get_metadata::DataSourceMetadata {
                    type_name: d.type_name().to_string(),
                })
                .collect(),
            functions: self
                .provider
                .functions()
                .iter()
                .map(|f| pb::get_metadata::FunctionMetadata {
                    name: f.name().to_string(),
                })
                .collect(),
            ephemeral_resources: self
                .provider
                .ephemeral_resources()
                .iter()
                .map(|e| pb::get_metadata::EphemeralResourceMetadata {
                    type_name: e.type_name().to_string(),
                })
                .collect(),
            ..Default::default()
        }))
    }

    async fn get_provider_schema(
        &self,
        _request: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        let resp = self
            .schema_response
            .get_or_init(|| self.build_schema_response());
        Ok(Response::new(resp.clone()))
    }

    async fn get_resource_identity_schemas(
        &self,
        _request: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Result<Response<pb::get_resource_identity_schemas::Response>, Status> {
        Ok(Response::new(Default::default()))
    }

    async fn validate_provider_config(
        &self,
        request: Request<pb::validate_provider_config::Request>,
    ) -> Result<Response<pb::validate_provider_config::Response>, Status> {
        let req = request.into_inner();
        tracing::debug!(rpc = "ValidateProviderConfig");
        let config = try_diags!(
            decode_dynamic(req.config.as_ref(), &self.provider_type).map_err(diags_of),
            pb::validate_provider_config::Response::default()
        );
        let mut diags = Diagnostics::new();
        reject_read_only(
            &self.provider.schema().block,
            &config,
            &AttrPath::default(),
            &mut diags,
        );
        self.provider.validate(&config, &mut diags);
        Ok(Response::new(pb::validate_provider_config::Response {
            diagnostics: diags.into_proto(),
        }))
    }

    async fn configure_provider(
        &self,
        request: Request<pb::configure_provider::Request>,
    ) -> Result<Response<pb::configure_provider::Response>, Status> {
        let req = request.into_inner();
        tracing::debug!(rpc = "ConfigureProvider");
        let config = try_diags!(
            decode_dynamic(req.config.as_ref(), &self.provider_type).map_err(diags_of),
            pb::configure_provider::Response::default()
        );
        let mut diags = Diagnostics::new();
        self.provider.configure(&config, &mut diags).await;
        Ok(Response::new(pb::configure_provider::Response {
            diagnostics: diags.into_proto(),
        }))
    }

    async fn stop_provider(
        &self,
        _request: Request<pb::stop_provider::Request>,
    ) -> Result<Response<pb::stop_provider::Response>, Status> {
        tracing::info!("StopProvider: cancelling in-flight work");
        self.provider.stop();
        Ok(Response::new(pb::stop_provider::Response::default()))
    }

    async fn validate_resource_config(
        &self,
        request: Request<pb::validate_resource_config::Request>,
    ) -> Result<Response<pb::validate_resource_config::Response>, Status> {
        let req = request.into_inner();
        tracing::debug!(rpc = "ValidateResourceConfig", type_name = %req.type_name);
        let (resource, ty) = try_diags!(
            self.resource(&req.type_name),
            pb::validate_resource_config::Response::default()
        );
        let config = try_diags!(
            decode_dynamic(req.config.as_ref(), ty).map_err(diags_of),
            pb::validate_resource_config::Response::default()
        );
        let mut diags = Diagnostics::new();
        reject_read_only(
            &resource.schema().block,
            &config,
            &AttrPath::default(),
            &mut diags,
        );
        let write_only_allowed = req
            .client_capabilities
            .as_ref()
            .is_some_and(|c| c.write_only_attributes_allowed);
        reject_write_only_unsupported(
            &resource.schema().block,
            &config,
            write_only_allowed,
            &mut diags,
        );
        resource.validate(&config, &mut diags);
        Ok(Response::new(pb::validate_resource_config::Response {
            diagnostics: diags.into_proto(),
        }))
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        let req = request.into_inner();
        tracing::debug!(rpc = "UpgradeResourceState", type_name = %req.type_name);
        let empty = pb::upgrade_resource_state::Response::default;
        let (resource, ty) = try_diags!(self.resource(&req.type_name), empty());
        let schema: &Schema = resource.schema();
        if req.version > schema.version {
            return Ok(Response::new(pb::upgrade_resource_state::Response {
                diagnostics: single_error(
                    "State written by a newer provider",
                    format!(
                        "The state of this {} was written with schema version {}, newer than this provider's {}. Use the provider version that wrote it, or newer.",
                        req.type_name, req.version, schema.version
                    ),
                ),
                ..Default::default()
            }));
        }
        let raw = req.raw_state.unwrap_or_default();
        if raw.json.is_empty() {
            let diagnostics = if raw.flatmap.is_empty() {
                Vec::new()
            } else {
                single_error(
                    "Legacy state not supported",
                    "This state uses Terraform's pre-0.12 flatmap format, which this provider does not read.",
                )
            };
            return Ok(Response::new(pb::upgrade_resource_state::Response {
                diagnostics,
                ..Default::default()
            }));
        }
        // Lenient: attributes the schema dropped are removed and new ones start null, so
        // states written by older versions keep decoding.
        let value = try_diags!(
            value::decode_json_lenient(&raw.json, ty).map_err(|e| single_error(
                "Unreadable stored state",
                format!("The stored state does not match the schema: {e}")
            )),
            empty()
        );
        let upgraded = try_diags!(encode_dynamic(&value, ty).map_err(diags_of), empty());
        Ok(Response::new(pb::upgrade_resource_state::Response {
            upgraded_state: Some(upgraded),
            ..Default::default()
        }))
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> Result<Response<pb::read_resource::Response>, Status> {
        let req = request.into_inner();
        tracing::debug!(rpc = "ReadResource", type_name = %req.type_name);
        let empty = pb::read_resource::Response::default;
        let (resource, ty) = try_diags!(self.resource(&req.type_name), empty());
        let state = try_diags!(
            decode_dynamic(req.current_state.as_ref(), ty).map_err(diags_of),
            empty()
        );
        let mut diags = Diagnostics::new();
        let read = resource.read(&state, &req.private, &mut diags).await;
        // On a failed read, keep the current state: losing track of an object is worse.
        let (mut new_state, private) = match read {
            Some(stored) => (stored.state, stored.private),
            None if diags.has_errors() => (state, req.private),
            None => (Value::Null, Vec::new()),
        };
        null_write_only(&resource.schema().block, &mut new_state);
        let encoded = try_diags!(encode_dynamic(&new_state, ty).map_err(diags_of), empty());
        Ok(Response::new(pb::read_resource::Response {
            new_state: Some(encoded),
            diagnostics: diags.into_proto(),
            private,
            ..Default::default()
        }))
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        let req = request.into_inner();
        tracing::debug!(rpc = "PlanResourceChange", type_name = %req.type_name);
        let empty = pb::plan_resource_change::Response::default;
        let (resource, ty) = try_diags!(self.resource(&req.type_name), empty());
        let decode = |dv: Option<&pb::DynamicValue>| decode_dynamic(dv, ty).map_err(diags_of);
        let prior = try_diags!(decode(req.prior_state.as_ref()), empty());
        let proposed = try_diags!(decode(req.proposed_new_state.as_ref()), empty());
        let config = try_diags!(decode(req.config.as_ref()), empty());
        if proposed.is_null() {
            // Destroy: the plan is null and private state carries over.
            let planned = try_diags!(encode_dynamic(&Value::Null, ty).map_err(diags_of), empty());
            return Ok(Response::new(pb::plan_resource_change::Response {
                planned_state: Some(planned),
                planned_private: req.prior_private,
                ..Default::default()
            }));
        }
        let mut diags = Diagnostics::new();
        let plan_req = PlanRequest {
            prior: &prior,
            config: &config,
            prior_private: &req.prior_private,
        };
        let (planned, replace) = plan_change(resource.as_ref(), &plan_req, &proposed, &mut diags);
        let encoded = try_diags!(encode_dynamic(&planned, ty).map_err(diags_of), empty());
        Ok(Response::new(pb::plan_resource_change::Response {
            planned_state: Some(encoded),
            requires_replace: replace.iter().map(AttrPath::to_proto).collect(),
            planned_private: req.prior_private,
            diagnostics: diags.into_proto(),
            ..Default::default()
        }))
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        let req = request.into_inner();
        tracing::debug!(rpc = "ApplyResourceChange", type_name = %req.type_name);
        let empty = pb::apply_resource_change::Response::default;
        let (resource, ty) = try_diags!(self.resource(&req.type_name), empty());
        let decode = |dv: Option<&pb::DynamicValue>| decode_dynamic(dv, ty).map_err(diags_of);
        let prior = try_diags!(decode(req.prior_state.as_ref()), empty());
        let planned = try_diags!(decode(req.planned_state.as_ref()), empty());
        let config = try_diags!(decode(req.config.as_ref()), empty());
        let mut diags = Diagnostics::new();
        let apply = ApplyRequest {
            prior: &prior,
            planned: &planned,
            config: &config,
            private: &req.planned_private,
        };
        let (mut new_state, private) = if planned.is_null() {
            resource
                .delete(&prior, &req.planned_private, &mut diags)
                .await;
            if diags.has_errors() {
                // The object still exists: keep it in state.
                (prior.clone(), req.planned_private.clone())
            } else {
                (Value::Null, Vec::new())
            }
        } else {
            let stored = if prior.is_null() {
                resource.create(&apply, &mut diags).await
            } else {
                resource.update(&apply, &mut diags).await
            };
            match stored {
                Some(s) => (s.state, s.private),
                // Nothing new was made: Terraform keeps the prior object (null on create).
                None => (prior.clone(), req.planned_private.clone()),
            }
        };
        null_write_only(&resource.schema().block, &mut new_state);
        let encoded = try_diags!(encode_dynamic(&new_state, ty).map_err(diags_of), empty());
        Ok(Response::new(pb::apply_resource_change::Response {
            new_state: Some(encoded),
            private,
            diagnostics: diags.into_proto(),
            ..Default::default()
        }))
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        let req = request.into_inner();
        tracing::debug!(rpc = "ImportResourceState", type_name = %req.type_name);
        let empty = pb::import_resource_state::Response::default;
        let (resource, ty) = try_diags!(self.resource(&req.type_name), empty());
        let mut diags = Diagnostics::new();
        let imported = resource.import(&req.id, &mut diags).await;
        let mut imported_resources = Vec::new();
        if let Some(stored) = imported {
            let state = try_diags!(encode_dynamic(&stored.state, ty).map_err(diags_of), empty());
            imported_resources.push(pb::import_resource_state::ImportedResource {
                type_name: req.type_name.clone(),
                state: Some(state),
                private: stored.private,
                ..Default::default()
            });
        } else if !diags.has_errors() {
            diags.error(
                "Cannot import non-existent remote object",
                format!("No {} with the id \"{}\" exists.", req.type_name, req.id),
            );
        }
        Ok(Response::new(pb::import_resource_state::Response {
            imported_resources,
            diagnostics: diags.into_proto(),
            ..Default::default()
        }))
    }

    async fn move_resource_state(
        &self,
        _request: Request<pb::move_resource_state::Request>,
    ) -> Result<Response<pb::move_resource_state::Response>, Status> {
        Ok(Response::new(pb::move_resource_state::Response {
            diagnostics: unsupported("moving state between resource types"),
            ..Default::default()
        }))
    }

    async fn upgrade_resource_identity(
        &self,
        _request: Request<pb::upgrade_resource_identity::Request>,
    ) -> Result<Response<pb::upgrade_resource_identity::Response>, Status> {
        Ok(Response::new(pb::upgrade_resource_identity::Response {
            diagnostics: unsupported("resource identity"),
            ..Default::default()
        }))
    }

    async fn generate_resource_config(
        &self,
        _request: Request<pb::generate_resource_config::Request>,
    ) -> Result<Response<pb::generate_resource_config::Response>, Status> {
        Ok(Response::new(pb::generate_resource_config::Response {
            diagnostics: unsupported("configuration generation"),
            ..Default::default()
        }))
    }

    async fn validate_data_resource_config(
        &self,
        request: Request<pb::validate_data_resource_config::Request>,
    ) -> Result<Response<pb::validate_data_resource_config::Response>, Status> {
        let req = request.into_inner();
        tracing::debug!(rpc = "ValidateDataResourceConfig", type_name = %req.type_name);
        let empty = pb::validate_data_resource_config::Response::default;
        let (data_source, ty) = try_diags!(self.data_source(&req.type_name), empty());
        let config = try_diags!(
            decode_dynamic(req.config.as_ref(), ty).map_err(diags_of),
            empty()
        );
        let mut diags = Diagnostics::new();
        reject_read_only(
            &data_source.schema().block,
            &config,
            &AttrPath::default(),
            &mut diags,
        );
        data_source.validate(&config, &mut diags);
        Ok(Response::new(pb::validate_data_resource_config::Response {
            diagnostics: diags.into_proto(),
        }))
    }

    async fn read_data_source(
        &self,
        request: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        let req = request.into_inner();
        tracing::debug!(rpc = "ReadDataSource", type_name = %req.type_name);
        let empty = pb::read_data_source::Response::default;
        let (data_source, ty) = try_diags!(self.data_source(&req.type_name), empty());
        let config = try_diags!(
            decode_dynamic(req.config.as_ref(), ty).map_err(diags_of),
            empty()
        );
        let mut diags = Diagnostics::new();
        // Validation runs again here: Terraform skips validation of values unknown at
        // validate time, and this is the first moment they are all known.
        data_source.validate(&config, &mut diags);
        if diags.has_errors() {
            return Ok(Response::new(pb::read_data_source::Response {
                diagnostics: diags.into_proto(),
                ..Default::default()
            }));
        }
        let state = data_source.read(&config, &mut diags).await;
        let state = match state {
            Some(s) if s.is_wholly_known() => Some(try_diags!(
                encode_dynamic(&s, ty).map_err(diags_of),
                empty()
            )),
            Some(_) => {
                diags.error(
                    "Provider produced an incomplete result",
                    "This is a bug in the provider: the data source left a value unknown.",
                );
                None
            }
            None => None,
        };
        Ok(Response::new(pb::read_data_source::Response {
            state,
            diagnostics: diags.into_proto(),
            ..Default::default()
        }))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        request: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Result<Response<pb::validate_ephemeral_resource_config::Response>, Status> {
        let req = request.into_inner();
        tracing::debug!(rpc = "ValidateEphemeralResourceConfig", type_name = %req.type_name);
        let empty = pb::validate_ephemeral_resource_config::Response::default;
        let (ephemeral, ty) = try_diags!(self.ephemeral_resource(&req.type_name), empty());
        let config = try_diags!(
            decode_dynamic(req.config.as_ref(), ty).map_err(diags_of),
            empty()
        );
        let mut diags = Diagnostics::new();
        reject_read_only(
            &ephemeral.schema().block,
            &config,
            &AttrPath::default(),
            &mut diags,
        );
        ephemeral.validate(&config, &mut diags);
        Ok(Response::new(
            pb::validate_ephemeral_resource_config::Response {
                diagnostics: diags.into_proto(),
            },
        ))
    }

    async fn open_ephemeral_resource(
        &self,
        request: Request<pb::open_ephemeral_resource::Request>,
    ) -> Result<Response<pb::open_ephemeral_resource::Response>, Status> {
        let req = request.into_inner();
        tracing::debug!(rpc = "OpenEphemeralResource", type_name = %req.type_name);
        let empty = pb::open_ephemeral_resource::Response::default;
        let (ephemeral, ty) = try_diags!(self.ephemeral_resource(&req.type_name), empty());
        let config = try_diags!(
            decode_dynamic(req.config.as_ref(), ty).map_err(diags_of),
            empty()
        );
        let mut diags = Diagnostics::new();
        // As for data sources: values unknown at validate time are known now.
        ephemeral.validate(&config, &mut diags);
        if diags.has_errors() {
            return Ok(Response::new(pb::open_ephemeral_resource::Response {
                diagnostics: diags.into_proto(),
                ..Default::default()
            }));
        }
        let result = match ephemeral.open(&config, &mut diags).await {
            Some(v) if v.is_wholly_known() => Some(try_diags!(
                encode_dynamic(&v, ty).map_err(diags_of),
                empty()
            )),
            Some(_) => {
                diags.error(
                    "Provider produced an incomplete result",
                    "This is a bug in the provider: the ephemeral resource left a value unknown.",
                );
                None
            }
            None => None,
        };
        // Nothing to renew or close: the values are read, not leased.
        Ok(Response::new(pb::open_ephemeral_resource::Response {
            result,
            diagnostics: diags.into_proto(),
            ..Default::default()
        }))
    }

    async fn renew_ephemeral_resource(
        &self,
        request: Request<pb::renew_ephemeral_resource::Request>,
    ) -> Result<Response<pb::renew_ephemeral_resource::Response>, Status> {
        let req = request.into_inner();
        let diagnostics = match self.ephemeral_resource(&req.type_name) {
            Ok(_) => Vec::new(),
            Err(d) => d,
        };
        Ok(Response::new(pb::renew_ephemeral_resource::Response {
            diagnostics,
            ..Default::default()
        }))
    }

    async fn close_ephemeral_resource(
        &self,
        request: Request<pb::close_ephemeral_resource::Request>,
    ) -> Result<Response<pb::close_ephemeral_resource::Response>, Status> {
        let req = request.into_inner();
        let diagnostics = match self.ephemeral_resource(&req.type_name) {
            Ok(_) => Vec::new(),
            Err(d) => d,
        };
        Ok(Response::new(pb::close_ephemeral_resource::Response {
            diagnostics,
        }))
    }

    type ListResourceStream = EventStream<pb::list_resource::Event>;

    async fn list_resource(
        &self,
        _request: Request<pb::list_resource::Request>,
    ) -> Result<Response<Self::ListResourceStream>, Status> {
        let event = pb::list_resource::Event {
            diagnostic: unsupported("list resources"),
            ..Default::default()
        };
        Ok(Response::new(Box::pin(futures::stream::iter([Ok(event)]))))
    }

    async fn validate_list_resource_config(
        &self,
        _request: Request<pb::validate_list_resource_config::Request>,
    ) -> Result<Response<pb::validate_list_resource_config::Response>, Status> {
        Ok(Response::new(pb::validate_list_resource_config::Response {
            diagnostics: unsupported("list resources"),
        }))
    }

    async fn get_functions(
        &self,
        _request: Request<pb::get_functions::Request>,
    ) -> Result<Response<pb::get_functions::Response>, Status> {
        Ok(Response::new(pb::get_functions::Response {
            functions: self.function_signatures(),
            diagnostics: Vec::new(),
        }))
    }

    async fn call_function(
        &self,
        request: Request<pb::call_function::Request>,
    ) -> Result<Response<pb::call_function::Response>, Status> {
        let req = request.into_inner();
        tracing::debug!(rpc = "CallFunction", name = %req.name);
        let outcome = self.call(&req).and_then(|value| {
            let ty = self
                .functions
                .get(req.name.as_str())
                .map(|f| f.signature().returns.clone())
                .unwrap_or(Type::Dynamic);
            encode_dynamic(&value, &ty).map_err(|_| {
                FunctionError::new(format!(
                    "This is a bug in the provider: {} returned an unencodable value.",
                    req.name
                ))
            })
        });
        Ok(Response::new(match outcome {
            Ok(result) => pb::call_function::Response {
                result: Some(result),
                error: None,
            },
            Err(e) => pb::call_function::Response {
                result: None,
                error: Some(e.to_proto()),
            },
        }))
    }

    async fn validate_action_config(
        &self,
        _request: Request<pb::validate_action_config::Request>,
    ) -> Result<Response<pb::validate_action_config::Response>, Status> {
        Ok(Response::new(pb::validate_action_config::Response {
            diagnostics: unsupported("actions"),
        }))
    }

    async fn plan_action(
        &self,
        _request: Request<pb::plan_action::Request>,
    ) -> Result<Response<pb::plan_action::Response>, Status> {
        Ok(Response::new(pb::plan_action::Response {
            diagnostics: unsupported("actions"),
            ..Default::default()
        }))
    }

    type InvokeActionStream = EventStream<pb::invoke_action::Event>;

    async fn invoke_action(
        &self,
        _request: Request<pb::invoke_action::Request>,
    ) -> Result<Response<Self::InvokeActionStream>, Status> {
        let event = pb::invoke_action::Event {
            r#type: Some(pb::invoke_action::event::Type::Completed(
                pb::invoke_action::event::Completed {
                    diagnostics: unsupported("actions"),
                },
            )),
        };
        Ok(Response::new(Box::pin(futures::stream::iter([Ok(event)]))))
    }

    async fn validate_state_store_config(
        &self,
        _request: Request<pb::validate_state_store_config::Request>,
    ) -> Result<Response<pb::validate_state_store_config::Response>, Status> {
        Ok(Response::new(pb::validate_state_store_config::Response {
            diagnostics: unsupported("state storage"),
        }))
    }

    async fn configure_state_store(
        &self,
        _request: Request<pb::configure_state_store::Request>,
    ) -> Result<Response<pb::configure_state_store::Response>, Status> {
        Ok(Response::new(pb::configure_state_store::Response {
            diagnostics: unsupported("state storage"),
            ..Default::default()
        }))
    }

    async fn get_states(
        &self,
        _request: Request<pb::get_states::Request>,
    ) -> Result<Response<pb::get_states::Response>, Status> {
        Ok(Response::new(pb::get_states::Response {
            diagnostics: unsupported("state storage"),
            ..Default::default()
        }))
    }

    async fn delete_state(
        &self,
        _request: Request<pb::delete_state::Request>,
    ) -> Result<Response<pb::delete_state::Response>, Status> {
        Ok(Response::new(pb::delete_state::Response {
            diagnostics: unsupported("state storage"),
        }))
    }

    type ReadStateBytesStream = EventStream<pb::read_state_bytes::ResponseChunk>;

    async fn read_state_bytes(
        &self,
        _request: Request<pb::read_state_bytes::Request>,
    ) -> Result<Response<Self::ReadStateBytesStream>, Status> {
        let chunk = pb::read_state_bytes::ResponseChunk {
            diagnostics: unsupported("state storage"),
            ..Default::default()
        };
        Ok(Response::new(Box::pin(futures::stream::iter([Ok(chunk)]))))
    }

    async fn write_state_bytes(
        &self,
        _request: Request<Streaming<pb::write_state_bytes::RequestChunk>>,
    ) -> Result<Response<pb::write_state_bytes::Response>, Status> {
        Ok(Response::new(pb::write_state_bytes::Response {
            diagnostics: unsupported("state storage"),
        }))
    }

    async fn lock_state(
        &self,
        _request: Request<pb::lock_state::Request>,
    ) -> Result<Response<pb::lock_state::Response>, Status> {
        Ok(Response::new(pb::lock_state::Response {
            diagnostics: unsupported("state storage"),
            ..Default::default()
        }))
    }

    async fn unlock_state(
        &self,
        _request: Request<pb::unlock_state::Request>,
    ) -> Result<Response<pb::unlock_state::Response>, Status> {
        Ok(Response::new(pb::unlock_state::Response {
            diagnostics: unsupported("state storage"),
        }))
    }
}
