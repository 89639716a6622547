//! `/api/v1/apps/{appId}/credentials/secrets`: client secret rotation.
//!
//! The secret generated (or chosen) at app creation is the first secret object. At most two
//! exist; the only ACTIVE one can't be deactivated and ACTIVE ones can't be deleted.

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};
use serde_json::{json, Value};

use crate::{
    base::errors::{ApiResult, Causes, OktaError},
    base::{clock, ids},
    okta::apps::{validate, APP_KIND},
    pipeline::http::{self, BaseUrl},
    pipeline::shared::Shared,
    store::{App, ClientSecret, Org, Status},
};

const SECRET_KIND: &str = "OAuth2ClientSecretMediated";
const MAX_SECRETS: usize = 2;

pub fn render(secret: &ClientSecret, app_id: &str, base: &str) -> Value {
    let href = format!(
        "{base}/api/v1/apps/{app_id}/credentials/secrets/{}",
        secret.id
    );
    let links = match secret.status {
        Status::Active => json!({
            "deactivate": {"href": format!("{href}/lifecycle/deactivate"), "hints": {"allow": ["POST"]}}
        }),
        Status::Inactive => json!({
            "activate": {"href": format!("{href}/lifecycle/activate"), "hints": {"allow": ["POST"]}},
            "delete": {"href": href, "hints": {"allow": ["DELETE"]}}
        }),
    };
    json!({
        "id": secret.id,
        "created": clock::okta_ts(secret.created),
        "lastUpdated": clock::okta_ts(secret.last_updated),
        "status": secret.status.as_str(),
        "client_secret": secret.secret,
        "secret_hash": secret.hash,
        "_links": links,
    })
}

fn app_index(org: &Org, app_id: &str) -> ApiResult<usize> {
    org.apps
        .iter()
        .position(|a| a.id == app_id)
        .ok_or_else(|| OktaError::not_found(app_id, APP_KIND))
}

fn secret_index(app: &App, secret_id: &str) -> ApiResult<usize> {
    app.secrets
        .iter()
        .position(|s| s.id == secret_id)
        .ok_or_else(|| OktaError::not_found(secret_id, SECRET_KIND))
}

fn mediated(cause: &str) -> OktaError {
    OktaError::validation_object(SECRET_KIND, cause)
}

pub async fn list(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(app_id): Path<String>,
) -> ApiResult<Response> {
    let items = s.read(|org| {
        let app = &org.apps[app_index(org, &app_id)?];
        Ok::<_, OktaError>(
            app.secrets
                .iter()
                .map(|sec| render(sec, &app.id, &base))
                .collect::<Vec<_>>(),
        )
    })?;
    Ok(http::ok(&Value::Array(items)))
}

pub async fn create(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(app_id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let req = http::optional_object_body(&body)?;
    let rendered = s.write(|org| {
        let idx = app_index(org, &app_id)?;
        let app = &mut org.apps[idx];
        if app.secrets.len() >= MAX_SECRETS {
            return Err(mediated(
                "You've reached the maximum number of client secrets per client.",
            ));
        }
        let mut causes = Causes::new();
        let secret = match req.get("client_secret") {
            None | Some(Value::Null) => ids::client_secret(),
            Some(Value::String(v)) => {
                validate::check_client_secret(&mut causes, v, app.auth_method());
                v.clone()
            }
            Some(_) => {
                causes.push("client_secret", "The field has an invalid value");
                String::new()
            }
        };
        let status = match req.get("status") {
            None | Some(Value::Null) => Status::Active,
            Some(Value::String(v)) if v == "ACTIVE" => Status::Active,
            Some(Value::String(v)) if v == "INACTIVE" => Status::Inactive,
            Some(_) => {
                causes.push(
                    "status",
                    "'status' is invalid. Valid values: [ACTIVE, INACTIVE].",
                );
                Status::Active
            }
        };
        causes.into_result()?;
        let now = clock::now();
        let sec = ClientSecret {
            id: ids::object_id("ocs"),
            status,
            secret,
            hash: ids::secret_hash(),
            created: now,
            last_updated: now,
        };
        let rendered = render(&sec, &app.id, &base);
        app.secrets.push(sec);
        Ok(rendered)
    })?;
    Ok(http::json(StatusCode::CREATED, &rendered))
}

pub async fn get_one(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((app_id, secret_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let rendered = s.read(|org| {
        let app = &org.apps[app_index(org, &app_id)?];
        let sec = &app.secrets[secret_index(app, &secret_id)?];
        Ok::<_, OktaError>(render(sec, &app.id, &base))
    })?;
    Ok(http::ok(&rendered))
}

fn set_status(
    s: &Shared,
    base: &str,
    app_id: &str,
    secret_id: &str,
    status: Status,
) -> ApiResult<Response> {
    let rendered = s.write(|org| {
        let idx = app_index(org, app_id)?;
        let app = &mut org.apps[idx];
        let si = secret_index(app, secret_id)?;
        if status == Status::Inactive
            && app.secrets[si].status == Status::Active
            && app
                .secrets
                .iter()
                .filter(|x| x.status == Status::Active)
                .count()
                == 1
        {
            return Err(mediated(
                "You can't deactivate the only active client secret.",
            ));
        }
        let sec = &mut app.secrets[si];
        if sec.status != status {
            sec.status = status;
            sec.last_updated = clock::now();
        }
        Ok(render(sec, app_id, base))
    })?;
    Ok(http::ok(&rendered))
}

pub async fn activate(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((app_id, secret_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    set_status(&s, &base, &app_id, &secret_id, Status::Active)
}

pub async fn deactivate(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((app_id, secret_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    set_status(&s, &base, &app_id, &secret_id, Status::Inactive)
}

pub async fn delete(
    State(s): State<Arc<Shared>>,
    Path((app_id, secret_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    s.write(|org| {
        let idx = app_index(org, &app_id)?;
        let app = &mut org.apps[idx];
        let si = secret_index(app, &secret_id)?;
        if app.secrets[si].status == Status::Active {
            return Err(mediated(
                "You can't delete an active client secret. Deactivate the secret before deleting it.",
            ));
        }
        app.secrets.remove(si);
        Ok(())
    })?;
    Ok(http::no_content())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_follow_status() {
        let mut sec = ClientSecret {
            id: "ocs1".into(),
            status: Status::Active,
            secret: "x".into(),
            hash: "h".into(),
            created: 0,
            last_updated: 0,
        };
        let r = render(&sec, "0oa1", "http://h");
        assert_eq!(
            r["_links"]["deactivate"]["href"],
            "http://h/api/v1/apps/0oa1/credentials/secrets/ocs1/lifecycle/deactivate"
        );
        assert!(r["_links"].get("delete").is_none());
        sec.status = Status::Inactive;
        let r = render(&sec, "0oa1", "http://h");
        assert_eq!(r["_links"]["delete"]["hints"]["allow"], json!(["DELETE"]));
        assert!(r["_links"].get("activate").is_some());
        assert!(r["_links"].get("deactivate").is_none());
    }
}
