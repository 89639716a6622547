//! Tests only: every resource walked through combinations of its optional attributes (unset,
//! set, each allowed value of enumerations), created and updated against the in-process
//! emulator the way Terraform drives it (`tfplugin::lifecycle`): every plan valid, every
//! attribute known after apply, the apply's result consistent with its plan, and the next plan
//! empty. Combinations are all-pairs coverings; updates walk from one combination to the next.

use std::sync::Arc;

use super::resources::api_token::ApiTokenResource;
use super::resources::groups_claim::GroupsClaimResource;
use super::resources::oidc_app::OidcAppResource;
use super::resources::oidc_app_redirect_uri::OidcAppRedirectUriResource;
use super::resources::oidc_app_refresh_grant::OidcAppRefreshGrant;
use super::testing::{object, Org};
use crate::okta::NewGroup;
use crate::tfplugin::framework::{Resource, Stored};
use crate::tfplugin::lifecycle::{all_pairs, Terraform};
use crate::tfplugin::typed::{Typed, TypedResource};
use crate::tfplugin::value::Value;
use okta_emulator::MintRequest;

fn s(v: &str) -> Value {
    Value::string(v)
}

fn strings(items: &[&str]) -> Vec<Value> {
    items.iter().map(|i| s(i)).collect()
}

fn set(items: &[&str]) -> Value {
    Value::set(strings(items))
}

fn list(items: &[&str]) -> Value {
    Value::List(strings(items))
}

/// A walk through transitions: every ordered pair of `0..n` appears as consecutive entries.
fn every_transition(n: usize) -> Vec<usize> {
    let mut seq = Vec::new();
    for i in 0..n {
        seq.push(i);
        for j in i + 1..n {
            seq.extend([j, i]);
        }
    }
    seq
}

/// Creates each configuration fresh (apply, then an empty plan), and walks one object through
/// them all as updates. `config(row, instance)` builds the configuration of a row for an
/// instance (`None` for the walked object, `Some(i)` for the fresh one of row `i`).
///
/// An update may plan as unknown ("known after apply") only what it can change: an attribute
/// that came out unchanged although planned unknown must be one that `may_stay(attribute,
/// prior state, configuration)` allows (values that change with any change Okta sees, such as timestamps,
/// which repeat within the clock's resolution; values that depend on what others did).
async fn walk(
    resource: Arc<dyn Resource>,
    name: &str,
    rows: &[Vec<usize>],
    may_stay: impl Fn(&str, &Value, &Value) -> bool,
    config: impl Fn(&[usize], Option<usize>) -> Value,
) {
    let mut walked: Option<Stored> = None;
    for (i, row) in rows.iter().enumerate() {
        let fresh = Terraform::new(Arc::clone(&resource), format!("{name} create {row:?}"));
        let cfg = config(row, Some(i));
        let created = fresh.converge(None, &cfg).await;
        fresh.destroy(&created).await;

        let step = Terraform::new(Arc::clone(&resource), format!("{name} update to {row:?}"));
        let cfg = config(row, None);
        let prior = walked.as_ref().map_or(Value::Null, |w| w.state.clone());
        walked = Some(step.converge(walked.as_ref(), &cfg).await);
        let noise: Vec<String> = step
            .noise()
            .into_iter()
            .filter(|a| !may_stay(a.split(' ').next().unwrap_or_default(), &prior, &cfg))
            .collect();
        assert!(
            noise.is_empty(),
            "{name} update to {row:?}: planned unknown, unchanged: {noise:?}"
        );
    }
    if let Some(last) = walked {
        Terraform::new(resource, name).destroy(&last).await;
    }
}

#[tokio::test]
async fn oidc_app_combinations_converge() {
    let org = Org::start().await;
    let mut groups = Vec::new();
    for name in ["Engineering", "Support"] {
        let g = org.client.groups().create(&NewGroup::new(name, None)).await;
        groups.push(g.expect("group").id.expect("group id"));
    }
    let resource = Typed::resource(OidcAppResource {
        data: Arc::clone(&org.data),
    });
    let schema = OidcAppResource::schema();
    // Values that only make sense together are one dimension.
    type Pairs = Vec<(&'static str, Value)>;
    let refresh: Vec<Pairs> = vec![
        vec![],
        vec![("grant_types", set(&["authorization_code"]))],
        vec![
            ("grant_types", set(&["authorization_code"])),
            ("refresh_token_rotation", s("ROTATE")),
        ],
        vec![
            ("grant_types", set(&["authorization_code"])),
            ("refresh_token_rotation", s("ROTATE")),
            ("refresh_token_leeway", Value::number(10)),
        ],
        vec![("refresh_token_rotation", s("ROTATE"))],
        vec![
            ("refresh_token_rotation", s("ROTATE")),
            ("refresh_token_leeway", Value::number(0)),
        ],
        vec![
            ("grant_types", set(&["authorization_code", "refresh_token"])),
            ("refresh_token_rotation", s("ROTATE")),
            ("refresh_token_leeway", Value::number(60)),
        ],
        vec![("refresh_token_rotation", s("STATIC"))],
        vec![
            (
                "grant_types",
                set(&["authorization_code", "implicit", "refresh_token"]),
            ),
            ("response_types", set(&["code", "id_token", "token"])),
        ],
        vec![
            (
                "grant_types",
                set(&["authorization_code", "client_credentials"]),
            ),
            ("response_types", set(&["code"])),
        ],
    ];
    let one = |name: &'static str, values: &[Option<Value>]| -> Vec<Pairs> {
        values
            .iter()
            .map(|v| v.clone().map(|v| vec![(name, v)]).unwrap_or_default())
            .collect()
    };
    let dims: Vec<Vec<Pairs>> = vec![
        refresh,
        one("redirect_uris_exclusive", &[None, Some(Value::Bool(false))]),
        one(
            "post_logout_redirect_uris",
            &[
                None,
                Some(list(&[])),
                Some(list(&["https://out.example.com/bye"])),
            ],
        ),
        one(
            "initiate_login_uri",
            &[None, Some(s("https://auth.example.com/login"))],
        ),
        one(
            "token_endpoint_auth_method",
            &[
                None,
                Some(s("client_secret_basic")),
                Some(s("client_secret_post")),
            ],
        ),
        one("pkce_required", &[None, Some(Value::Bool(true))]),
        one("consent_method", &[None, Some(s("REQUIRED"))]),
        one(
            "issuer_mode",
            &[None, Some(s("ORG_URL")), Some(s("DYNAMIC"))],
        ),
        one("wildcard_redirect", &[None, Some(s("SUBDOMAIN"))]),
        one("status", &[None, Some(s("INACTIVE"))]),
        one(
            "group_ids",
            &[
                None,
                Some(Value::set(Vec::new())),
                Some(Value::set(groups.iter().map(|g| s(g)))),
            ],
        ),
        // A custom client ID (its value depends on the instance).
        vec![vec![], vec![("client_id", Value::Null)]],
        vec![
            vec![],
            vec![("client_secret_version", Value::Null)],
            vec![
                ("client_secret_version", Value::Null),
                ("keep_previous_client_secret", Value::Bool(true)),
            ],
        ],
        one("store_client_secret", &[None, Some(Value::Bool(false))]),
    ];
    let sizes: Vec<usize> = dims.iter().map(Vec::len).collect();
    let rows = all_pairs(&sizes);
    // The walked app's secret version only goes up.
    let version = std::sync::atomic::AtomicI64::new(1);
    let config = |row: &[usize], instance: Option<usize>| {
        let tag = instance.map_or("walk".to_string(), |i| i.to_string());
        let mut pairs: Pairs = vec![
            ("label", Value::String(format!("combo-{tag}"))),
            (
                "redirect_uris",
                Value::List(vec![Value::String(format!(
                    "https://auth-{tag}.example.com/oauth2/callback"
                ))]),
            ),
        ];
        for (dim, &v) in dims.iter().zip(row) {
            pairs.extend(dim[v].iter().cloned());
        }
        for (name, value) in pairs.iter_mut() {
            match *name {
                "client_id" => *value = Value::String(format!("combo-client-{tag}")),
                "client_secret_version" => {
                    let v = match instance {
                        Some(_) => 2,
                        None => version.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1,
                    };
                    *value = Value::number(v);
                }
                _ => {}
            }
        }
        // Unset on the walked app after a rotation: the version it has (it cannot go down).
        let current = version.load(std::sync::atomic::Ordering::SeqCst);
        if instance.is_none()
            && current > 1
            && !pairs.iter().any(|(n, _)| *n == "client_secret_version")
        {
            pairs.push(("client_secret_version", Value::number(current)));
        }
        object(&schema, &pairs)
    };
    // The sign-out URIs shown while managed additively are ours only; once unmanaged, all.
    // Okta may issue a new secret when the authentication method changes.
    let may_stay = |attr: &str, prior: &Value, config: &Value| {
        let method = |v: &Value| match v.get("token_endpoint_auth_method") {
            Some(Value::String(m)) => m.clone(),
            _ => "client_secret_basic".to_string(),
        };
        attr == "last_updated"
            || (attr == "post_logout_redirect_uris"
                && prior.get("redirect_uris_exclusive") == Some(&Value::Bool(false)))
            || (attr == "client_secret" && method(prior) != method(config))
    };
    walk(resource, "oidc_app", &rows, may_stay, config).await;
    org.emu.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn oidc_app_refresh_grant_combinations_converge() {
    let org = Org::start().await;
    let resource = Typed::resource(OidcAppRefreshGrant {
        data: Arc::clone(&org.data),
    });
    let schema = OidcAppRefreshGrant::schema();
    let settings: [(Value, Value); 6] = [
        (Value::Null, Value::Null),
        (s("STATIC"), Value::Null),
        (s("ROTATE"), Value::Null),
        (s("ROTATE"), Value::number(0)),
        (s("ROTATE"), Value::number(60)),
        (s("ROTATE"), Value::number(25)),
    ];
    // Each on a fresh app without the grant, then every transition on one app.
    for (i, (rotation, leeway)) in settings.iter().enumerate() {
        let app_id = org
            .web_app(&["https://a.example.com/cb"], &["authorization_code"])
            .await;
        let cfg = object(
            &schema,
            &[
                ("app_id", s(&app_id)),
                ("rotation", rotation.clone()),
                ("leeway", leeway.clone()),
            ],
        );
        let tf = Terraform::new(Arc::clone(&resource), format!("refresh_grant create {i}"));
        let created = tf.converge(None, &cfg).await;
        tf.destroy(&created).await;
    }
    let app_id = org
        .web_app(
            &["https://a.example.com/cb"],
            &["authorization_code", "refresh_token"],
        )
        .await;
    let rows: Vec<Vec<usize>> = every_transition(settings.len())
        .into_iter()
        .map(|i| vec![i])
        .collect();
    let config = |row: &[usize]| {
        let (rotation, leeway) = &settings[row[0]];
        object(
            &schema,
            &[
                ("app_id", s(&app_id)),
                ("rotation", rotation.clone()),
                ("leeway", leeway.clone()),
            ],
        )
    };
    let mut walked: Option<Stored> = None;
    for row in &rows {
        let tf = Terraform::new(
            Arc::clone(&resource),
            format!("refresh_grant update to {row:?}"),
        );
        walked = Some(tf.converge(walked.as_ref(), &config(row)).await);
        assert!(
            tf.noise().is_empty(),
            "{row:?}: planned unknown, unchanged: {:?}",
            tf.noise()
        );
    }
    org.emu.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn oidc_app_redirect_uri_combinations_converge() {
    let org = Org::start().await;
    let resource = Typed::resource(OidcAppRedirectUriResource {
        data: Arc::clone(&org.data),
    });
    let schema = OidcAppRedirectUriResource::schema();
    // One sign-in URI stays, so that removing the walked one is allowed.
    let app_id = org
        .web_app(
            &["https://keep.example.com/cb", "https://base.example.com/cb"],
            &["authorization_code"],
        )
        .await;
    let kinds = [Value::Null, s("sign_in"), s("post_logout")];
    // Already on the app (adopted) or new.
    let uris = ["https://base.example.com/cb", "https://new.example.com/cb"];
    let rows = all_pairs(&[kinds.len(), uris.len()]);
    let config = |row: &[usize], _: Option<usize>| {
        object(
            &schema,
            &[
                ("app_id", s(&app_id)),
                ("uri", s(uris[row[1]])),
                ("kind", kinds[row[0]].clone()),
            ],
        )
    };
    walk(resource, "redirect_uri", &rows, |_, _, _| false, config).await;
    org.emu.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn groups_claim_combinations_converge() {
    let org = Org::start().await;
    let resource = Typed::resource(GroupsClaimResource {
        data: Arc::clone(&org.data),
    });
    let schema = GroupsClaimResource::schema();
    let app_id = org
        .web_app(&["https://a.example.com/cb"], &["authorization_code"])
        .await;
    let targets = [
        ("app_id", s(&app_id)),
        ("authorization_server_id", s("default")),
    ];
    let names = [Value::Null, s("groups"), s("roles")];
    let types = [
        Value::Null,
        s("REGEX"),
        s("STARTS_WITH"),
        s("EQUALS"),
        s("CONTAINS"),
    ];
    let filters = [Value::Null, s("eng")];
    let rows = all_pairs(&[targets.len(), names.len(), types.len(), filters.len()]);
    // One walked claim per target (changing the target replaces it).
    for (t, target) in targets.iter().enumerate() {
        let rows: Vec<Vec<usize>> = rows.iter().filter(|r| r[0] == t).cloned().collect();
        let config = |row: &[usize], _: Option<usize>| {
            object(
                &schema,
                &[
                    target.clone(),
                    ("name", names[row[1]].clone()),
                    ("filter_type", types[row[2]].clone()),
                    ("filter", filters[row[3]].clone()),
                ],
            )
        };
        walk(
            Arc::clone(&resource),
            "groups_claim",
            &rows,
            |_, _, _| false,
            config,
        )
        .await;
    }
    org.emu.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn api_token_combinations_converge() {
    let org = Org::start().await;
    let resource = Typed::resource(ApiTokenResource {
        data: Arc::clone(&org.data),
    });
    let schema = ApiTokenResource::schema();
    // One token per fresh object (revoke_on_destroy revokes it), one for the walked object.
    let mint = |name: &str| {
        let request = MintRequest {
            name: Some(name.to_string()),
            login: Some("sync@example.com".into()),
            ..Default::default()
        };
        org.emu.mint_token(request).expect("mint")
    };
    let walked = mint("sync-walk");
    // How the token is given, how it is found, its network condition, revoke_on_destroy.
    let given = |row: usize, token: &str| match row {
        0 => vec![("token", s(token))],
        _ => vec![
            ("token_wo", s(token)),
            ("token_wo_version", Value::number(1)),
        ],
    };
    let found = |row: usize, name: &str, id: &str| match row {
        0 => vec![("name", s(name))],
        1 => vec![("token_id", s(id))],
        _ => vec![("name", s(name)), ("token_id", s(id))],
    };
    let networks = [
        vec![],
        vec![("network_connection", s("ANYWHERE"))],
        vec![
            ("network_connection", s("ZONE")),
            ("network_include", set(&["nzo1include"])),
        ],
        vec![
            ("network_connection", s("ZONE")),
            ("network_exclude", set(&["nzo1exclude"])),
        ],
        vec![
            ("network_connection", s("ZONE")),
            ("network_include", set(&["nzo1include"])),
            ("network_exclude", set(&["nzo2exclude"])),
        ],
    ];
    let revoke = [
        vec![],
        vec![("revoke_on_destroy", Value::Bool(false))],
        vec![("revoke_on_destroy", Value::Bool(true))],
    ];
    let rows = all_pairs(&[2, 3, networks.len(), revoke.len()]);
    let config = |row: &[usize], instance: Option<usize>| {
        let token = match instance {
            Some(i) => mint(&format!("sync-{i}")),
            None => walked.clone(),
        };
        let mut pairs = given(row[0], &token.token);
        pairs.extend(found(row[1], &token.name, &token.id));
        pairs.extend(networks[row[2]].iter().cloned());
        pairs.extend(revoke[row[3]].iter().cloned());
        object(&schema, &pairs)
    };
    let timestamps =
        |attr: &str, _: &Value, _: &Value| ["last_updated", "expires_at"].contains(&attr);
    walk(resource, "api_token", &rows, timestamps, config).await;
    org.emu.shutdown().await.expect("shutdown");
}

#[test]
fn every_transition_visits_each_ordered_pair() {
    let seq = every_transition(5);
    for a in 0..5 {
        for b in 0..5 {
            if a != b {
                assert!(seq.windows(2).any(|w| w == [a, b]), "{a}->{b} in {seq:?}");
            }
        }
    }
}
