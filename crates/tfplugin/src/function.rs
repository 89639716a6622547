//! Provider functions (tfplugin6 5+, Terraform 1.8 and OpenTofu 1.7): their signatures, the
//! value-level [`Function`] trait the gRPC service calls, and [`TypedFunction`], which decodes
//! the arguments into a Rust tuple and encodes the result with the model layer.
//!
//! Terraform checks argument types, nulls and unknowns against the signature before calling,
//! and carries sensitivity marks from the arguments to the result itself: a function never sees
//! marks, so "sensitive in, sensitive out" needs nothing here.

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::diag::PathStep;
use super::model;
use super::proto::tfplugin6 as pb;
use super::value::{Type, Value};

/// One positional parameter.
#[derive(Debug, Clone)]
pub struct Parameter {
    pub name: String,
    pub ty: Type,
    pub description: String,
}

impl Parameter {
    pub fn new(name: &str, ty: Type, description: &str) -> Self {
        Self {
            name: name.to_string(),
            ty,
            description: description.to_string(),
        }
    }

    fn to_proto(&self) -> pb::function::Parameter {
        pb::function::Parameter {
            name: self.name.clone(),
            r#type: self.ty.to_json_bytes(),
            // Null and unknown arguments never reach the provider: Terraform rejects nulls and
            // returns an unknown result for unknown arguments without calling.
            allow_null_value: false,
            allow_unknown_values: false,
            description: self.description.clone(),
            description_kind: pb::StringKind::Markdown as i32,
        }
    }
}

/// A function's signature and documentation.
#[derive(Debug, Clone)]
pub struct Signature {
    /// One line, shown by editors and as the docs page's description.
    pub summary: String,
    /// Markdown.
    pub description: String,
    pub parameters: Vec<Parameter>,
    pub returns: Type,
}

impl Signature {
    pub fn to_proto(&self) -> pb::Function {
        pb::Function {
            parameters: self.parameters.iter().map(Parameter::to_proto).collect(),
            variadic_parameter: None,
            r#return: Some(pb::function::Return {
                r#type: self.returns.to_json_bytes(),
            }),
            summary: self.summary.clone(),
            description: self.description.clone(),
            description_kind: pb::StringKind::Markdown as i32,
            deprecation_message: String::new(),
        }
    }
}

/// Why a call failed; `argument` (zero-based) makes Terraform point at that argument.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text}")]
pub struct FunctionError {
    pub text: String,
    pub argument: Option<usize>,
}

impl FunctionError {
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            argument: None,
        }
    }

    pub fn argument(index: usize, text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            argument: Some(index),
        }
    }

    pub fn to_proto(&self) -> pb::FunctionError {
        // Terraform and OpenTofu print an argument error as `Invalid value for "x" parameter:
        // <text>.`, adding the full stop themselves.
        let text = match self.argument {
            Some(_) => self.text.trim_end_matches('.').to_string(),
            None => self.text.clone(),
        };
        pb::FunctionError {
            text,
            function_argument: self.argument.and_then(|i| i64::try_from(i).ok()),
        }
    }
}

/// What the gRPC service calls: arguments already decoded by the parameter types.
pub trait Function: Send + Sync + 'static {
    fn name(&self) -> &'static str;
    fn signature(&self) -> &Signature;
    fn call(&self, args: &[Value]) -> Result<Value, FunctionError>;
}

/// A function on Rust types: `Args` is a tuple with one element per parameter.
pub trait TypedFunction: Send + Sync + Sized + 'static {
    type Args: DeserializeOwned;
    type Output: Serialize;
    const NAME: &'static str;

    fn signature() -> Signature;
    fn call(&self, args: Self::Args) -> Result<Self::Output, FunctionError>;
}

/// Adapts a [`TypedFunction`] to [`Function`].
pub struct TypedFn<F> {
    inner: F,
    signature: Signature,
}

impl<F: TypedFunction> TypedFn<F> {
    pub fn function(inner: F) -> Arc<dyn Function> {
        Arc::new(Self {
            inner,
            signature: F::signature(),
        })
    }
}

impl<F: TypedFunction> Function for TypedFn<F> {
    fn name(&self) -> &'static str {
        F::NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn call(&self, args: &[Value]) -> Result<Value, FunctionError> {
        let expected = self.signature.parameters.len();
        if args.len() != expected {
            return Err(FunctionError::new(format!(
                "{} takes {expected} argument(s), got {}.",
                F::NAME,
                args.len()
            )));
        }
        let decoded: F::Args =
            model::from_value(&Value::tuple(args.iter().cloned())).map_err(|e| {
                let argument = match e.path.0.first() {
                    Some(PathStep::Index(i)) => usize::try_from(*i).ok(),
                    _ => None,
                };
                FunctionError {
                    text: format!("Invalid argument: {}", e.message),
                    argument,
                }
            })?;
        let output = self.inner.call(decoded)?;
        model::to_value(&output, &self.signature.returns).map_err(|e| {
            FunctionError::new(format!(
                "This is a bug in the provider: {} returned a value outside its signature: {e}",
                F::NAME
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Join;

    impl TypedFunction for Join {
        type Args = (String, u32);
        type Output = String;
        const NAME: &'static str = "join";

        fn signature() -> Signature {
            Signature {
                summary: "s".into(),
                description: "d".into(),
                parameters: vec![
                    Parameter::new("text", Type::String, "t"),
                    Parameter::new("times", Type::Number, "n"),
                ],
                returns: Type::String,
            }
        }

        fn call(&self, (text, times): Self::Args) -> Result<String, FunctionError> {
            if text.is_empty() {
                return Err(FunctionError::argument(0, "text must not be empty"));
            }
            Ok(text.repeat(times as usize))
        }
    }

    #[test]
    fn decodes_arguments_and_encodes_the_result() {
        let f = TypedFn::function(Join);
        let out = f
            .call(&[Value::string("ab"), Value::number(3)])
            .expect("call");
        assert_eq!(out, Value::string("ababab"));
    }

    #[test]
    fn errors_name_the_argument() {
        let f = TypedFn::function(Join);
        let err = f
            .call(&[Value::string("ab"), Value::number(-1)])
            .expect_err("negative");
        assert_eq!(err.argument, Some(1));
        let err = f
            .call(&[Value::string(""), Value::number(1)])
            .expect_err("empty");
        assert_eq!(err.argument, Some(0));
        assert_eq!(err.to_proto().function_argument, Some(0));
        assert_eq!(err.to_proto().text, "text must not be empty");
        let stop = FunctionError::argument(0, "Ends with a stop.").to_proto();
        assert_eq!(stop.text, "Ends with a stop");
        let err = f.call(&[Value::string("ab")]).expect_err("arity");
        assert_eq!(err.argument, None);
    }

    #[test]
    fn signature_proto_forbids_null_and_unknown() {
        let p = Join::signature().to_proto();
        assert_eq!(p.parameters.len(), 2);
        assert!(p
            .parameters
            .iter()
            .all(|p| !p.allow_null_value && !p.allow_unknown_values));
        assert_eq!(p.r#return.expect("return").r#type, b"\"string\"".to_vec());
    }
}
