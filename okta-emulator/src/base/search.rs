//! Okta's `search` expressions on list endpoints: `attr op "value"` with `eq`, `sw`, `co`, `gt`,
//! `ge`, `lt`, `le`, or `attr pr`, joined with `and` / `or` (`and` binds tighter) and grouped with
//! parentheses. They are evaluated against the object as the API renders it, so `profile.name`
//! or `lastUpdated` mean what they mean in the JSON. Timestamps compare as instants. Anything
//! else is Okta's 400 `E0000031`. Groups' `filter` uses the same grammar (see `okta/groups/`).

use serde_json::Value;

use crate::{
    base::clock,
    base::errors::{ApiResult, OktaError},
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    StartsWith,
    Contains,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    Compare { attr: String, op: Op, value: String },
    Present(String),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Open,
    Close,
    Word(String),
    Text(String),
}

fn tokens(input: &str) -> ApiResult<Vec<Token>> {
    let mut out = Vec::new();
    let mut chars = input.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' | ')' => {
                chars.next();
                out.push(if c == '(' { Token::Open } else { Token::Close });
            }
            '"' => {
                chars.next();
                let mut text = String::new();
                loop {
                    match chars.next() {
                        Some('\\') => {
                            text.push(chars.next().ok_or_else(OktaError::invalid_search)?)
                        }
                        Some('"') => break,
                        Some(c) => text.push(c),
                        None => return Err(OktaError::invalid_search()),
                    }
                }
                out.push(Token::Text(text));
            }
            c if c.is_ascii_alphanumeric() || c == '_' || c == '.' => {
                let mut word = String::new();
                while let Some(&c) = chars.peek() {
                    if !(c.is_ascii_alphanumeric() || c == '_' || c == '.') {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
                out.push(Token::Word(word));
            }
            _ => return Err(OktaError::invalid_search()),
        }
    }
    Ok(out)
}

struct Parser<'a> {
    tokens: Vec<Token>,
    next: usize,
    allowed: &'a dyn Fn(&str) -> bool,
}

impl Parser<'_> {
    fn peek_word(&self, word: &str) -> bool {
        matches!(self.tokens.get(self.next), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn take(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.next).cloned();
        self.next += 1;
        t
    }

    fn or(&mut self) -> ApiResult<Expr> {
        let mut left = self.and()?;
        while self.peek_word("or") {
            self.next += 1;
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> ApiResult<Expr> {
        let mut left = self.primary()?;
        while self.peek_word("and") {
            self.next += 1;
            left = Expr::And(Box::new(left), Box::new(self.primary()?));
        }
        Ok(left)
    }

    fn primary(&mut self) -> ApiResult<Expr> {
        match self.take() {
            Some(Token::Open) => {
                let inner = self.or()?;
                match self.take() {
                    Some(Token::Close) => Ok(inner),
                    _ => Err(OktaError::invalid_search()),
                }
            }
            Some(Token::Word(attr)) if (self.allowed)(&attr) => {
                let op = match self.take() {
                    Some(Token::Word(op)) => op.to_ascii_lowercase(),
                    _ => return Err(OktaError::invalid_search()),
                };
                let op = match op.as_str() {
                    "pr" => return Ok(Expr::Present(attr)),
                    "eq" => Op::Eq,
                    "sw" => Op::StartsWith,
                    "co" => Op::Contains,
                    "gt" => Op::Gt,
                    "ge" => Op::Ge,
                    "lt" => Op::Lt,
                    "le" => Op::Le,
                    _ => return Err(OktaError::invalid_search()),
                };
                match self.take() {
                    Some(Token::Text(value)) => Ok(Expr::Compare { attr, op, value }),
                    _ => Err(OktaError::invalid_search()),
                }
            }
            _ => Err(OktaError::invalid_search()),
        }
    }
}

/// Parses `input`; `allowed` says which attributes the endpoint can search.
pub fn parse(input: &str, allowed: &dyn Fn(&str) -> bool) -> ApiResult<Expr> {
    let mut parser = Parser {
        tokens: tokens(input)?,
        next: 0,
        allowed,
    };
    let expr = parser.or()?;
    if parser.next != parser.tokens.len() {
        return Err(OktaError::invalid_search());
    }
    Ok(expr)
}

/// The attribute at a dotted path, as text (strings as they are, numbers and bools printed).
/// The text of `attr` (dotted path) in a rendered object, for matching and `sortBy`.
pub fn lookup(object: &Value, attr: &str) -> Option<String> {
    let value = attr.split('.').try_fold(object, |v, part| v.get(part))?;
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl Expr {
    /// The comparisons and presence tests in the expression, left to right (endpoints that
    /// allow fewer operators than the grammar check them here).
    pub fn leaves(&self) -> Vec<&Expr> {
        match self {
            Expr::And(a, b) | Expr::Or(a, b) => {
                let mut out = a.leaves();
                out.extend(b.leaves());
                out
            }
            leaf => vec![leaf],
        }
    }

    /// Whether the rendered `object` matches. Text comparisons ignore case, as Okta's do;
    /// when both sides are RFC 3339 timestamps they compare as instants (a client may send
    /// `…05Z` or `…05.000Z` or an offset for the same moment).
    pub fn matches(&self, object: &Value) -> bool {
        match self {
            Expr::And(a, b) => a.matches(object) && b.matches(object),
            Expr::Or(a, b) => a.matches(object) || b.matches(object),
            Expr::Present(attr) => lookup(object, attr).is_some_and(|v| !v.is_empty()),
            Expr::Compare { attr, op, value } => {
                let Some(actual) = lookup(object, attr) else {
                    return false;
                };
                if !matches!(op, Op::StartsWith | Op::Contains) {
                    if let (Some(a), Some(v)) =
                        (clock::parse_instant(&actual), clock::parse_instant(value))
                    {
                        return match op {
                            Op::Gt => a > v,
                            Op::Ge => a >= v,
                            Op::Lt => a < v,
                            Op::Le => a <= v,
                            _ => a == v,
                        };
                    }
                }
                let (actual, value) = (actual.to_lowercase(), value.to_lowercase());
                match op {
                    Op::Eq => actual == value,
                    Op::StartsWith => actual.starts_with(&value),
                    Op::Contains => actual.contains(&value),
                    Op::Gt => actual > value,
                    Op::Ge => actual >= value,
                    Op::Lt => actual < value,
                    Op::Le => actual <= value,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn any(_: &str) -> bool {
        true
    }

    fn group(name: &str, kind: &str, updated: &str) -> Value {
        json!({"id": format!("00g{name}"), "type": kind, "lastUpdated": updated,
               "profile": {"name": name, "description": null}})
    }

    fn names(search: &str) -> Vec<String> {
        let groups = [
            group("Engineering", "OKTA_GROUP", "2026-01-02T00:00:00.000Z"),
            group("Everyone", "BUILT_IN", "2026-01-01T00:00:00.000Z"),
            group("Operations", "OKTA_GROUP", "2026-03-01T00:00:00.000Z"),
        ];
        let expr = parse(search, &any).expect("parses");
        groups
            .iter()
            .filter(|g| expr.matches(g))
            .map(|g| {
                g["profile"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn operators_and_combinations() {
        assert_eq!(names(r#"profile.name eq "Engineering""#), ["Engineering"]);
        assert_eq!(names(r#"profile.name sw "e""#), ["Engineering", "Everyone"]);
        assert_eq!(names(r#"profile.name co "ation""#), ["Operations"]);
        assert_eq!(
            names(r#"type eq "OKTA_GROUP""#),
            ["Engineering", "Operations"]
        );
        assert_eq!(
            names(r#"type eq "OKTA_GROUP" and lastUpdated gt "2026-02-01T00:00:00.000Z""#),
            ["Operations"]
        );
        assert_eq!(
            names(
                r#"profile.name eq "Everyone" or (type eq "OKTA_GROUP" and profile.name sw "Op")"#
            ),
            ["Everyone", "Operations"]
        );
        assert_eq!(names("profile.description pr"), Vec::<String>::new());
        // Instants, not strings: no fraction, Go's trimmed fraction, an offset.
        assert_eq!(
            names(r#"lastUpdated gt "2026-01-02T00:00:00Z""#),
            ["Operations"]
        );
        assert_eq!(
            names(r#"lastUpdated ge "2026-01-02T00:00:00Z""#),
            ["Engineering", "Operations"]
        );
        assert_eq!(
            names(r#"lastUpdated eq "2026-01-01T19:00:00-05:00""#),
            ["Engineering"]
        );
        assert_eq!(
            names(r#"lastUpdated lt "2026-01-01T00:00:00.5Z""#),
            ["Everyone"]
        );
        assert_eq!(
            names(r#"lastUpdated le "2026-01-02T00:00:00.000Z""#),
            ["Engineering", "Everyone"]
        );
        assert_eq!(
            names(r#"profile.name eq "a \"quoted\" name""#),
            Vec::<String>::new()
        );
    }

    #[test]
    fn leaves_lists_the_comparisons() {
        let e = parse(
            r#"(id eq "a" or type pr) and lastUpdated gt "2026-01-01T00:00:00Z""#,
            &any,
        )
        .unwrap();
        let attrs: Vec<&str> = e
            .leaves()
            .into_iter()
            .map(|l| match l {
                Expr::Compare { attr, .. } | Expr::Present(attr) => attr.as_str(),
                _ => "?",
            })
            .collect();
        assert_eq!(attrs, ["id", "type", "lastUpdated"]);
    }

    #[test]
    fn anything_else_is_okta_invalid_search() {
        let only_name = |a: &str| a == "profile.name";
        for bad in [
            "",
            "profile.name",
            r#"profile.name eq"#,
            r#"profile.name like "x""#,
            r#"profile.name eq "x" and"#,
            r#"(profile.name eq "x""#,
            r#"profile.name eq "x")"#,
            r#"profile.name eq "unterminated"#,
            r#"profile.name eq x"#,
            r#"type eq "OKTA_GROUP""#,
        ] {
            let err = parse(bad, &only_name).expect_err(bad);
            assert_eq!(
                (err.status.as_u16(), err.code.as_str()),
                (400, "E0000031"),
                "{bad}"
            );
        }
    }
}
