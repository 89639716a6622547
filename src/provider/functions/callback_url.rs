//! `provider::oktaidp::callback_url`: the sign-in redirect URI Pomerium needs the app to allow.

use crate::provider::pomerium;
use crate::tfplugin::function::{FunctionError, Parameter, Signature, TypedFunction};
use crate::tfplugin::value::Type;

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
        pomerium::settings::callback_url(&url).map_err(|e| FunctionError::argument(0, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tfplugin::function::TypedFn;
    use crate::tfplugin::value::Value;

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
