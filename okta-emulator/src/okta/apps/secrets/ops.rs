//! Client secret operations on the org: list, add, look up, change status, remove.

use serde_json::{Map, Value};

use crate::{
    base::errors::{ApiResult, Causes, OktaError},
    base::ids,
    okta::apps::{validate, APP_KIND},
    store::{App, ClientSecret, Org, Status},
};

const SECRET_KIND: &str = "OAuth2ClientSecretMediated";
const MAX_SECRETS: usize = 2;

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

/// The app whose secrets are listed.
pub fn app<'a>(org: &'a Org, app_id: &str) -> ApiResult<&'a App> {
    Ok(&org.apps[app_index(org, app_id)?])
}

pub fn find<'a>(org: &'a Org, app_id: &str, secret_id: &str) -> ApiResult<&'a ClientSecret> {
    let app = app(org, app_id)?;
    Ok(&app.secrets[secret_index(app, secret_id)?])
}

/// Adds a secret from a request body (`client_secret` and `status`, both optional).
pub fn create<'a>(
    org: &'a mut Org,
    app_id: &str,
    req: &Map<String, Value>,
    now: i64,
) -> ApiResult<&'a ClientSecret> {
    let idx = app_index(org, app_id)?;
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
    app.secrets.push(ClientSecret {
        id: ids::object_id("ocs"),
        status,
        secret,
        hash: ids::secret_hash(),
        created: now,
        last_updated: now,
    });
    Ok(app.secrets.last().expect("just pushed"))
}

/// Activates or deactivates a secret; the only active one can't be deactivated.
pub fn set_status<'a>(
    org: &'a mut Org,
    app_id: &str,
    secret_id: &str,
    status: Status,
    now: i64,
) -> ApiResult<&'a ClientSecret> {
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
        sec.last_updated = now;
    }
    Ok(sec)
}

/// Removes an inactive secret.
pub fn delete(org: &mut Org, app_id: &str, secret_id: &str) -> ApiResult<()> {
    let idx = app_index(org, app_id)?;
    let app = &mut org.apps[idx];
    let si = secret_index(app, secret_id)?;
    if app.secrets[si].status == Status::Active {
        return Err(mediated(
            "You can't delete an active client secret. Deactivate the secret before deleting it.",
        ));
    }
    app.secrets.remove(si);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn org_with_app() -> Org {
        let mut org = Org::seed(None);
        org.apps.push(App {
            id: "0oa1".into(),
            seq: 1,
            status: Status::Active,
            created: 0,
            last_updated: 0,
            body: Map::new(),
            secrets: vec![],
            groups: vec![],
            access_policy: None,
        });
        org
    }

    #[test]
    fn rotate_then_retire() {
        let mut org = org_with_app();
        let first = create(&mut org, "0oa1", &Map::new(), 1).unwrap().id.clone();
        let req = json!({"status": "INACTIVE"}).as_object().cloned().unwrap();
        let second = create(&mut org, "0oa1", &req, 2).unwrap().id.clone();
        assert_eq!(
            create(&mut org, "0oa1", &Map::new(), 3).unwrap_err().code,
            "E0000001"
        );
        assert!(set_status(&mut org, "0oa1", &first, Status::Inactive, 4).is_err());
        delete(&mut org, "0oa1", &second).unwrap();
        assert_eq!(app(&org, "0oa1").unwrap().secrets.len(), 1);
        assert_eq!(find(&org, "0oa1", &first).unwrap().status, Status::Active);
        assert_eq!(
            find(&org, "0oaNope", &first).unwrap_err().status.as_u16(),
            404
        );
    }
}
