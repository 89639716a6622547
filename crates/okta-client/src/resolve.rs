//! Host name resolution for the Okta client. The system resolver's answer is used as is; a failure
//! becomes a [`NameNotResolved`] the client finds in reqwest's error chain, so a host that does
//! not resolve (a mistyped `org_url`) is reported at once instead of being retried like a dropped
//! connection.

use std::net::SocketAddr;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// The system resolver (`getaddrinfo`, as reqwest's default), with typed failures.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct SystemResolver;

/// A host name the resolver had no address for.
#[derive(Debug, thiserror::Error)]
#[error("{host} does not resolve ({reason})")]
pub struct NameNotResolved {
    pub host: String,
    pub reason: String,
}

impl Resolve for SystemResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let lookup = tokio::net::lookup_host((host.clone(), 0)).await;
            match lookup {
                Ok(addrs) => {
                    let addrs: Vec<SocketAddr> = addrs.collect();
                    if addrs.is_empty() {
                        return Err(Box::new(NameNotResolved {
                            host,
                            reason: "no addresses".to_owned(),
                        }) as _);
                    }
                    Ok(Box::new(addrs.into_iter()) as Addrs)
                }
                Err(e) => Err(Box::new(NameNotResolved {
                    host,
                    reason: e.to_string(),
                }) as _),
            }
        })
    }
}

/// The [`NameNotResolved`] somewhere in `err`'s chain of sources.
pub(crate) fn unresolved<'a>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a NameNotResolved> {
    let mut current: Option<&'a (dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<NameNotResolved>() {
            return Some(found);
        }
        current = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `.invalid` never resolves (RFC 6761); the failure is found through reqwest's wrapping.
    #[tokio::test]
    async fn an_unresolvable_host_is_recognised_in_reqwests_error() {
        let http = reqwest::Client::builder()
            .dns_resolver(SystemResolver)
            .build()
            .unwrap();
        let err = http
            .get("https://dev-1.okta.invalid/api/v1/groups")
            .send()
            .await
            .unwrap_err();
        let found = unresolved(&err).expect("NameNotResolved in the chain");
        assert_eq!(found.host, "dev-1.okta.invalid");
    }

    #[tokio::test]
    async fn loopback_still_resolves() {
        let addrs: Vec<_> = SystemResolver
            .resolve("localhost".parse().unwrap())
            .await
            .unwrap()
            .collect();
        assert!(addrs.iter().all(|a| a.ip().is_loopback()), "{addrs:?}");
        assert!(!addrs.is_empty());
    }
}
