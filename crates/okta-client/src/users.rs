//! Users API: only `/api/v1/users/me`, to check a token and learn whose it is.

use http::Method;

use super::client::{ApiRequest, OktaClient};
use super::error::OktaError;
use super::models::User;
use super::secret::Secret;

/// `client.users()`.
#[derive(Clone, Copy, Debug)]
pub struct Users<'a> {
    client: &'a OktaClient,
}

impl OktaClient {
    pub fn users(&self) -> Users<'_> {
        Users { client: self }
    }
}

impl Users<'_> {
    /// `GET /api/v1/users/me` as the owner of `token` (default: the client's token). A 401
    /// (`E0000011`) means the token is invalid, expired or revoked.
    pub async fn me(&self, token: Option<&Secret>) -> Result<User, OktaError> {
        let url = self.client.url(&["api", "v1", "users", "me"])?;
        self.client
            .call(ApiRequest::new(Method::GET, url).token(token))
            .await
    }
}
