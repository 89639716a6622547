//! `Deserializer` over `&Value`.

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use serde::forward_to_deserialize_any;

use super::{ModelError, FIELD_TOKEN, NUMBER_TOKEN};
use crate::diag::PathStep;
use crate::value::{Number, Value};

pub(super) struct ValueDeserializer<'a> {
    value: &'a Value,
}

impl<'a> ValueDeserializer<'a> {
    pub(super) fn new(value: &'a Value) -> Self {
        // A dynamic value is read as the value it wraps.
        let mut value = value;
        while let Value::Dynamic(_, inner) = value {
            value = inner;
        }
        Self { value }
    }

    fn unexpected(&self, wanted: &str) -> ModelError {
        match self.value {
            Value::Unknown => ModelError::new(format!(
                "the value is not known yet ({wanted} required); this attribute needs a Field"
            )),
            other => ModelError::new(format!("{wanted} is required, got {}", other.kind_name())),
        }
    }

    fn number(&self) -> Result<&'a Number, ModelError> {
        self.value
            .as_number()
            .ok_or_else(|| self.unexpected("a number"))
    }

    fn integer<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        let n = self.number()?;
        if let Some(i) = n.to_i64() {
            visitor.visit_i64(i)
        } else if let Some(u) = n.to_u64() {
            visitor.visit_u64(u)
        } else {
            Err(ModelError::new(format!(
                "a whole number within range is required, got {n}"
            )))
        }
    }
}

impl<'de> de::Deserializer<'de> for ValueDeserializer<'de> {
    type Error = ModelError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        match self.value {
            Value::Null => visitor.visit_unit(),
            Value::Unknown => Err(self.unexpected("a known value")),
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) if n.to_i64().is_some() || n.to_u64().is_some() => {
                self.integer(visitor)
            }
            Value::Number(n) => visitor.visit_f64(n.to_f64()),
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                visitor.visit_seq(Seq { items, next: 0 })
            }
            Value::Map(m) | Value::Object(m) => visitor.visit_map(Map::new(self.value, m)),
            Value::Dynamic(_, inner) => ValueDeserializer::new(inner).deserialize_any(visitor),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        match self.value {
            Value::Bool(b) => visitor.visit_bool(*b),
            _ => Err(self.unexpected("a bool")),
        }
    }

    fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        self.integer(visitor)
    }
    fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        self.integer(visitor)
    }
    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        self.integer(visitor)
    }
    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        self.integer(visitor)
    }
    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        self.integer(visitor)
    }
    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        self.integer(visitor)
    }
    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        self.integer(visitor)
    }
    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        self.integer(visitor)
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        visitor.visit_f64(self.number()?.to_f64())
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        match self.value {
            Value::String(s) => visitor.visit_borrowed_str(s),
            _ => Err(self.unexpected("a string")),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        match self.value {
            Value::Null => visitor.visit_none(),
            Value::Unknown => Err(self.unexpected("a known value or null")),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        match self.value {
            Value::Null => visitor.visit_unit(),
            _ => Err(self.unexpected("null")),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ModelError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ModelError> {
        match name {
            FIELD_TOKEN => match self.value {
                Value::Null => visitor.visit_none(),
                v if !v.is_wholly_known() => visitor.visit_unit(),
                _ => visitor.visit_some(self),
            },
            NUMBER_TOKEN => visitor.visit_str(&self.number()?.to_string()),
            _ => visitor.visit_newtype_struct(self),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        match self.value.as_elements() {
            Some(items) => visitor.visit_seq(Seq { items, next: 0 }),
            None => Err(self.unexpected("a list or set")),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, ModelError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, ModelError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        match self.value.as_map() {
            Some(m) => visitor.visit_map(Map::new(self.value, m)),
            None => Err(self.unexpected("a map or object")),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ModelError> {
        self.deserialize_map(visitor)
    }

    /// Only unit variants: a string attribute with a fixed set of values.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ModelError> {
        match self.value {
            Value::String(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            _ => Err(self.unexpected("a string")),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        visitor.visit_unit()
    }

    forward_to_deserialize_any! { bytes byte_buf }
}

struct Seq<'a> {
    items: &'a [Value],
    next: usize,
}

impl<'de> de::SeqAccess<'de> for Seq<'de> {
    type Error = ModelError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, ModelError> {
        let Some(item) = self.items.get(self.next) else {
            return Ok(None);
        };
        let index = self.next;
        self.next += 1;
        seed.deserialize(ValueDeserializer::new(item))
            .map(Some)
            .map_err(|e| e.at(PathStep::Index(index as i64)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len() - self.next)
    }
}

struct Map<'a> {
    entries: std::collections::btree_map::Iter<'a, String, Value>,
    current: Option<(&'a String, &'a Value)>,
    /// Map keys are `["key"]` steps in paths, object attributes `.name`.
    is_map: bool,
}

impl<'a> Map<'a> {
    fn new(value: &Value, m: &'a std::collections::BTreeMap<String, Value>) -> Self {
        Self {
            entries: m.iter(),
            current: None,
            is_map: matches!(value, Value::Map(_)),
        }
    }
}

impl<'de> de::MapAccess<'de> for Map<'de> {
    type Error = ModelError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, ModelError> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.current = Some((key, value));
        seed.deserialize(de::value::BorrowedStrDeserializer::new(key))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, ModelError> {
        let Some((key, value)) = self.current.take() else {
            return Err(ModelError::new("a map value was read before its key"));
        };
        let step = if self.is_map {
            PathStep::Key(key.clone())
        } else {
            PathStep::Attribute(key.clone())
        };
        seed.deserialize(ValueDeserializer::new(value))
            .map_err(|e| e.at(step))
    }
}
