//! Reading attributes out of Terraform object values, keeping null and unknown apart.

use crate::tfplugin::value::Value;

/// A configured attribute as the provider sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field<T> {
    Null,
    /// Not known until apply (or until the values it depends on are).
    Unknown,
    Known(T),
}

impl<T> Field<T> {
    pub fn known(self) -> Option<T> {
        match self {
            Field::Known(v) => Some(v),
            _ => None,
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Field::Unknown)
    }
}

pub fn string<'a>(object: &'a Value, name: &str) -> Field<&'a str> {
    match object.get(name) {
        None | Some(Value::Null) => Field::Null,
        Some(Value::Unknown) => Field::Unknown,
        Some(v) => v.as_str().map_or(Field::Null, Field::Known),
    }
}

pub fn boolean(object: &Value, name: &str) -> Field<bool> {
    match object.get(name) {
        None | Some(Value::Null) => Field::Null,
        Some(Value::Unknown) => Field::Unknown,
        Some(v) => v.as_bool().map_or(Field::Null, Field::Known),
    }
}

/// A number that is not a whole number within i64.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotAWholeNumber;

/// Whole numbers only; a fractional or out-of-range number is an error.
pub fn integer(object: &Value, name: &str) -> Result<Field<i64>, NotAWholeNumber> {
    match object.get(name) {
        None | Some(Value::Null) => Ok(Field::Null),
        Some(Value::Unknown) => Ok(Field::Unknown),
        Some(Value::Number(n)) => n.to_i64().map(Field::Known).ok_or(NotAWholeNumber),
        Some(_) => Ok(Field::Null),
    }
}

/// String elements of a list or set; `None` when the collection or any element is unknown.
pub fn strings(object: &Value, name: &str) -> Field<Vec<String>> {
    match object.get(name) {
        None | Some(Value::Null) => Field::Null,
        Some(Value::List(items) | Value::Set(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Value::Unknown => return Field::Unknown,
                    other => out.push(other.as_str().unwrap_or_default().to_string()),
                }
            }
            Field::Known(out)
        }
        Some(_) => Field::Unknown,
    }
}
