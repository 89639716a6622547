//! SSWS authentication: `Authorization: SSWS <token>`; the token identifies its owner (what
//! `/api/v1/users/me` answers for). OAuth access tokens (`Bearer`/`DPoP`) are `api_oauth.rs`.

use axum::http::{header, HeaderMap};

use crate::{base::clock, base::errors::OktaError, pipeline::shared::Shared};

/// The authenticated caller, available to handlers as a request extension.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The API token's id, or an OAuth access token's `jti`.
    pub token_id: String,
    /// The API token's owner; empty for a service app's OAuth token.
    pub user_id: String,
    /// A service app's client id (OAuth only).
    pub client_id: Option<String>,
}

/// Checks the `Authorization` header. A missing or non-SSWS header is Okta's 403 `E0000005`
/// (the request is treated as an anonymous session request); an unknown, revoked or expired
/// SSWS token is 401 `E0000011`.
pub fn authenticate(shared: &Shared, headers: &HeaderMap) -> Result<Caller, OktaError> {
    let raw = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(OktaError::invalid_session)?;
    let raw = raw.trim();
    // Okta also takes `SSWS<token>` without the space, which an official SDK sends.
    let glued = raw
        .get(..4)
        .filter(|s| s.eq_ignore_ascii_case("SSWS"))
        .map(|s| (s, &raw[4..]))
        .filter(|(_, token)| !token.is_empty());
    let (scheme, value) = raw
        .split_once(' ')
        .or(glued)
        .ok_or_else(OktaError::invalid_session)?;
    if scheme.eq_ignore_ascii_case("Bearer") || scheme.eq_ignore_ascii_case("DPoP") {
        // OAuth access tokens are checked by `api_oauth`, before this is called.
        return Err(OktaError::invalid_token());
    }
    if !scheme.eq_ignore_ascii_case("SSWS") {
        return Err(OktaError::invalid_session());
    }
    let value = value.trim();
    let now = clock::now();
    let mut result = Err(OktaError::invalid_token());
    shared.touch(|org| {
        if let Some(t) = org.tokens.iter_mut().find(|t| t.value == value) {
            if t.expires_at() > now {
                t.last_used = Some(now);
                result = Ok(Caller {
                    token_id: t.id.clone(),
                    user_id: t.user_id.clone(),
                    client_id: None,
                });
            }
        }
    });
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Org;
    use axum::http::HeaderValue;

    fn shared() -> Shared {
        Shared::new(
            Org::seed(Some("good-token")),
            None,
            None,
            600,
            std::time::Duration::ZERO,
        )
    }

    fn with(auth: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, HeaderValue::from_str(auth).unwrap());
        h
    }

    #[test]
    fn accepts_known_ssws_tokens() {
        let s = shared();
        let caller = authenticate(&s, &with("SSWS good-token")).unwrap();
        assert!(caller.token_id.starts_with("00T"));
        assert!(authenticate(&s, &with("ssws good-token")).is_ok());
    }

    #[test]
    fn accepts_ssws_without_a_space_like_okta() {
        let s = shared();
        let glued = authenticate(&s, &with("SSWSgood-token")).expect("accepted");
        let spaced = authenticate(&s, &with("SSWS good-token")).expect("accepted");
        assert_eq!(
            (glued.token_id, glued.user_id),
            (spaced.token_id, spaced.user_id)
        );
        assert_eq!(
            authenticate(&s, &with("SSWSnope")).unwrap_err().code,
            "E0000011"
        );
        assert_eq!(
            authenticate(&s, &with("SSWS")).unwrap_err().code,
            "E0000005"
        );
    }

    #[test]
    fn rejects_like_okta() {
        let s = shared();
        assert_eq!(
            authenticate(&s, &HeaderMap::new()).unwrap_err().code,
            "E0000005"
        );
        assert_eq!(
            authenticate(&s, &with("Basic abc")).unwrap_err().code,
            "E0000005"
        );
        let e = authenticate(&s, &with("SSWS nope")).unwrap_err();
        assert_eq!((e.status.as_u16(), e.code.as_str()), (401, "E0000011"));
        assert_eq!(
            authenticate(&s, &with("Bearer x")).unwrap_err().code,
            "E0000011"
        );
    }

    #[test]
    fn expired_tokens_are_invalid() {
        let s = shared();
        s.touch(|org| org.tokens[0].created -= clock::TOKEN_WINDOW_SECS + 1);
        assert_eq!(
            authenticate(&s, &with("SSWS good-token")).unwrap_err().code,
            "E0000011"
        );
    }
}
