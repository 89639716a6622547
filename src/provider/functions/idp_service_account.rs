//! `provider::oktaidp::idp_service_account`: Pomerium's directory-sync value for an API token.

use crate::provider::{pomerium, validate};
use crate::tfplugin::function::{FunctionError, Parameter, Signature, TypedFunction};
use crate::tfplugin::value::Type;

/// `idp_service_account(api_key)`: Pomerium's `idp_service_account` value.
pub struct IdpServiceAccount;

impl TypedFunction for IdpServiceAccount {
    type Args = (String,);
    type Output = String;
    const NAME: &'static str = "idp_service_account";

    fn signature() -> Signature {
        Signature {
            summary: "Pomerium's idp_service_account value for an Okta API token".into(),
            description: "Returns the value Pomerium 0.10 to 0.19 read from `idp_service_account` for Okta \
                directory sync: standard base64, with padding, of the compact JSON `{\"api_key\":\"<api_key>\"}`. \
                The same value as the `idp_service_account` attribute of the `oktaidp_pomerium_idp` data source.\n\n\
                Terraform carries sensitivity through function calls: a sensitive `api_key` (a sensitive \
                variable, `oktaidp_api_token.x.token`) gives a sensitive result."
                .into(),
            parameters: vec![Parameter::new(
                "api_key",
                Type::String,
                "The Okta API token (SSWS) Pomerium uses for directory sync: non-empty, no whitespace.",
            )],
            returns: Type::String,
        }
    }

    fn call(&self, (api_key,): Self::Args) -> Result<String, FunctionError> {
        validate::credential("api_key", &api_key).map_err(|e| FunctionError::argument(0, e))?;
        Ok(pomerium::settings::service_account(&api_key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tfplugin::function::TypedFn;
    use crate::tfplugin::value::Value;

    #[test]
    fn idp_service_account_matches_the_data_source() {
        let f = TypedFn::function(IdpServiceAccount);
        let out = f.call(&[Value::string("00abc-token")]).expect("call");
        assert_eq!(
            out,
            Value::string(pomerium::settings::service_account("00abc-token"))
        );
    }

    #[test]
    fn idp_service_account_rejects_bad_tokens_without_echoing_them() {
        let f = TypedFn::function(IdpServiceAccount);
        let err = f
            .call(&[Value::string("00abc secret")])
            .expect_err("whitespace");
        assert_eq!(err.argument, Some(0));
        assert!(!err.text.contains("00abc"), "{}", err.text);
        assert!(f.call(&[Value::string("")]).is_err());
    }
}
