//! Okta failures as Terraform diagnostics. `OktaError`'s text never carries tokens or secrets.

use crate::okta::OktaError;
use crate::tfplugin::diag::{AttrPath, Diagnostics};

/// Adds an error saying what the provider was doing (`action`, e.g. "creating the app").
pub fn error(diags: &mut Diagnostics, action: &str, err: &OktaError) {
    let summary = if err.is_cancelled() {
        format!("Cancelled while {action}")
    } else {
        format!("Okta API error while {action}")
    };
    diags.error(summary, err.to_string());
}

/// The same, pointing at the attribute whose value Okta rejected.
pub fn attr_error(diags: &mut Diagnostics, path: AttrPath, action: &str, err: &OktaError) {
    diags.attr_error(
        path,
        format!("Okta API error while {action}"),
        err.to_string(),
    );
}

/// `result`'s value, or `None` after adding its error as [`error`] does.
pub fn ok<T>(diags: &mut Diagnostics, action: &str, result: Result<T, OktaError>) -> Option<T> {
    match result {
        Ok(v) => Some(v),
        Err(e) => okta_fail(diags, None, action, &e),
    }
}

/// [`ok`] with the error at the top-level attribute `attr`, as [`attr_error`] adds it.
pub fn ok_at<T>(
    diags: &mut Diagnostics,
    attr: &str,
    action: &str,
    result: Result<T, OktaError>,
) -> Option<T> {
    match result {
        Ok(v) => Some(v),
        Err(e) => okta_fail(diags, Some(attr), action, &e),
    }
}

/// An error at attribute `attr`; `None` for the caller to return.
pub fn fail<T>(
    diags: &mut Diagnostics,
    attr: &str,
    summary: &str,
    detail: impl Into<String>,
) -> Option<T> {
    diags.attr_error(AttrPath::root(attr), summary, detail);
    None
}

/// An Okta error at attribute `attr` (`None`: the whole resource); `None` for the caller to
/// return.
pub fn okta_fail<T>(
    diags: &mut Diagnostics,
    attr: Option<&str>,
    action: &str,
    err: &OktaError,
) -> Option<T> {
    match attr {
        Some(attr) => attr_error(diags, AttrPath::root(attr), action, err),
        None => error(diags, action, err),
    }
    None
}
