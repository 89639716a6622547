//! A string that must never be printed: SSWS API tokens and OAuth client secrets.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A secret value. `Debug` prints `[REDACTED]` and there is no `Display`, so a secret cannot end
/// up in a log line, an error message or a `{:?}` of a model by accident; read it with
/// [`Secret::expose`] only where it is sent or stored. Serializes as the plain string because it
/// travels in request bodies (e.g. `client_secret` in a PUT of an app).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself. Call sites are the few places that must send or persist it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted_and_serde_is_plain() {
        let s = Secret::new("00abcSECRETtoken");
        assert_eq!(format!("{s:?}"), "[REDACTED]");
        assert_eq!(format!("{:?}", Some(&s)), "Some([REDACTED])");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"00abcSECRETtoken\"");
        let back: Secret = serde_json::from_str("\"00abcSECRETtoken\"").unwrap();
        assert_eq!(back.expose(), "00abcSECRETtoken");
    }
}
