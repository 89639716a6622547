//! Diagnostics: how the provider tells Terraform what went wrong, and where.

use std::fmt;

use super::proto::tfplugin6 as pb;

/// One step of an attribute path: Terraform resolves these against the configuration to point
/// at the offending line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathStep {
    Attribute(String),
    Key(String),
    Index(i64),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttrPath(pub Vec<PathStep>);

impl AttrPath {
    pub fn root(name: &str) -> Self {
        Self(vec![PathStep::Attribute(name.to_string())])
    }

    pub fn attr(mut self, name: &str) -> Self {
        self.0.push(PathStep::Attribute(name.to_string()));
        self
    }

    pub fn index(mut self, i: usize) -> Self {
        self.0
            .push(PathStep::Index(i64::try_from(i).unwrap_or(i64::MAX)));
        self
    }

    pub fn key(mut self, k: &str) -> Self {
        self.0.push(PathStep::Key(k.to_string()));
        self
    }

    pub fn to_proto(&self) -> pb::AttributePath {
        use pb::attribute_path::step::Selector;
        pb::AttributePath {
            steps: self
                .0
                .iter()
                .map(|s| pb::attribute_path::Step {
                    selector: Some(match s {
                        PathStep::Attribute(n) => Selector::AttributeName(n.clone()),
                        PathStep::Key(k) => Selector::ElementKeyString(k.clone()),
                        PathStep::Index(i) => Selector::ElementKeyInt(*i),
                    }),
                })
                .collect(),
        }
    }

    pub fn from_proto(path: &pb::AttributePath) -> Self {
        use pb::attribute_path::step::Selector;
        Self(
            path.steps
                .iter()
                .filter_map(|s| match &s.selector {
                    Some(Selector::AttributeName(n)) => Some(PathStep::Attribute(n.clone())),
                    Some(Selector::ElementKeyString(k)) => Some(PathStep::Key(k.clone())),
                    Some(Selector::ElementKeyInt(i)) => Some(PathStep::Index(*i)),
                    None => None,
                })
                .collect(),
        )
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            match step {
                PathStep::Attribute(n) if i == 0 => write!(f, "{n}")?,
                PathStep::Attribute(n) => write!(f, ".{n}")?,
                PathStep::Key(k) => write!(f, "[{k:?}]")?,
                PathStep::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub summary: String,
    pub detail: String,
    pub path: Option<AttrPath>,
}

/// An ordered list of diagnostics; any error fails the operation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn error(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.push(Severity::Error, summary, detail, None);
    }

    pub fn warning(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.push(Severity::Warning, summary, detail, None);
    }

    /// `value`, or `None` after adding the error `summary`: a missing value as a `?`-able step.
    pub fn require<T>(
        &mut self,
        value: Option<T>,
        summary: &str,
        detail: impl Into<String>,
    ) -> Option<T> {
        if value.is_none() {
            self.error(summary, detail);
        }
        value
    }

    pub fn attr_error(
        &mut self,
        path: AttrPath,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) {
        self.push(Severity::Error, summary, detail, Some(path));
    }

    pub fn attr_warning(
        &mut self,
        path: AttrPath,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) {
        self.push(Severity::Warning, summary, detail, Some(path));
    }

    fn push(
        &mut self,
        severity: Severity,
        summary: impl Into<String>,
        detail: impl Into<String>,
        path: Option<AttrPath>,
    ) {
        self.0.push(Diagnostic {
            severity,
            summary: summary.into(),
            detail: detail.into(),
            path,
        });
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    pub fn into_proto(self) -> Vec<pb::Diagnostic> {
        self.0
            .into_iter()
            .map(|d| pb::Diagnostic {
                severity: match d.severity {
                    Severity::Error => pb::diagnostic::Severity::Error as i32,
                    Severity::Warning => pb::diagnostic::Severity::Warning as i32,
                },
                summary: d.summary,
                detail: d.detail,
                attribute: d.path.as_ref().map(AttrPath::to_proto),
            })
            .collect()
    }
}

/// Shorthand for a response that carries only one error.
pub fn single_error(summary: impl Into<String>, detail: impl Into<String>) -> Vec<pb::Diagnostic> {
    let mut d = Diagnostics::new();
    d.error(summary, detail);
    d.into_proto()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_render_and_convert() {
        let p = AttrPath::root("network").attr("include").index(2);
        assert_eq!(p.to_string(), "network.include[2]");
        let back = AttrPath::from_proto(&p.to_proto());
        assert_eq!(back, p);
        assert_eq!(
            AttrPath::root("env").key("IDP_PROVIDER").to_string(),
            "env[\"IDP_PROVIDER\"]"
        );
    }

    #[test]
    fn require_reports_only_a_missing_value() {
        let mut d = Diagnostics::new();
        assert_eq!(d.require(Some(1), "missing", "detail"), Some(1));
        assert!(d.is_empty());
        assert_eq!(d.require::<u8>(None, "missing", "detail"), None);
        assert_eq!((d.0[0].summary.as_str(), d.has_errors()), ("missing", true));
    }

    #[test]
    fn severities_map_to_proto_and_never_invalid() {
        let mut d = Diagnostics::new();
        d.warning("w", "");
        assert!(!d.has_errors());
        d.attr_error(AttrPath::root("a"), "e", "detail");
        assert!(d.has_errors());
        let proto = d.into_proto();
        assert_eq!(proto[0].severity, pb::diagnostic::Severity::Warning as i32);
        assert_eq!(proto[1].severity, pb::diagnostic::Severity::Error as i32);
        assert!(proto[1].attribute.is_some());
        assert!(proto.iter().all(|p| p.severity != 0));
    }
}
