//! Provider functions (Terraform >= 1.8, OpenTofu >= 1.7): `provider::oktaidp::<name>(...)`.
//! Pure computations on the arguments, with the same checks and rendering as the
//! `oktaidp_pomerium_idp` data source; no Okta call, no provider configuration needed.

use super::pomerium_settings;
use super::validate;
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
        Ok(pomerium_settings::service_account(&api_key))
    }
}

/// `callback_url(authenticate_service_url)`: the redirect URI the Okta app must allow.
pub struct CallbackUrl;

impl TypedFunction for CallbackUrl {
    type Args = (String,);
    type Output = String;
    const NAME: &'static str = "callback_url";

    fn signature() -> Signature {
        Signature {
            summary: "Pomerium's sign-in callback URL for an authenticate service URL".into(),
            description: "Returns `<authenticate_service_url>/oauth2/callback` (without a doubled slash), \
                the sign-in redirect URI the Okta app must allow for Pomerium. The URL is checked as the \
                `oktaidp_pomerium_idp` data source checks it: an absolute https base URL without path, query \
                string, fragment or credentials (Pomerium ignores any path of it and appends `/oauth2/callback` \
                to the host, so `https://authenticate.example.com/oauth2/callback` is refused rather than \
                doubled). Useful in `redirect_uris` of an `oktaidp_oidc_app` before any \
                data source can be read."
                .into(),
            parameters: vec![Parameter::new(
                "authenticate_service_url",
                Type::String,
                "Base https URL of Pomerium's authenticate service, e.g. `https://authenticate.example.com` (no path).",
            )],
            returns: Type::String,
        }
    }

    fn call(&self, (url,): Self::Args) -> Result<String, FunctionError> {
        pomerium_settings::callback_url(&url).map_err(|e| FunctionError::argument(0, e))
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
            Value::string(super::super::pomerium_idp_data_source::service_account(
                "00abc-token"
            ))
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

    #[test]
    fn callback_url_checks_like_the_data_source() {
        let f = TypedFn::function(CallbackUrl);
        assert_eq!(
            f.call(&[Value::string("https://authenticate.example.com/")])
                .expect("ok"),
            Value::string("https://authenticate.example.com/oauth2/callback")
        );
        for (bad, why) in [
            ("http://authenticate.example.com", "https"),
            ("https://authenticate.example.com/?x=1", "query"),
            ("https://authenticate.example.com/#f", "fragment"),
            // #20 item 5: not `.../oauth2/callback/oauth2/callback`.
            (
                "https://authenticate.example.com/oauth2/callback",
                "Give the authenticate service's base URL, https://authenticate.example.com;",
            ),
            ("https://authenticate.example.com/base", "/base"),
        ] {
            let err = f.call(&[Value::string(bad)]).expect_err(bad);
            assert_eq!(err.argument, Some(0));
            assert!(err.text.contains(why), "{bad}: {}", err.text);
        }
    }
}
