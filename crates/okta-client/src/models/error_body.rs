//! Okta's error body: `{errorCode, errorSummary, errorLink, errorId, errorCauses[]}`.

use super::json_model;

json_model! {
    /// The JSON body of an Okta error response.
    pub struct ErrorBody {
        "errorCode" => error_code: String,
        "errorSummary" => error_summary: String,
        "errorLink" => error_link: String,
        "errorId" => error_id: String,
        "errorCauses" => error_causes: Vec<ErrorCause>,
    }
}

json_model! {
    /// One entry of `errorCauses`.
    pub struct ErrorCause {
        "errorSummary" => error_summary: String,
    }
}
