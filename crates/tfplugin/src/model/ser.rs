//! `Serializer` producing `Value`, and [`conform`], which gives the result the schema's shape.

use std::collections::BTreeMap;

use serde::ser::{self, Impossible, Serialize};

use super::{ModelError, NUMBER_TOKEN, UNKNOWN_TOKEN};
use crate::diag::PathStep;
use crate::value::{Number, Type, Value};

/// Writes sequences as lists and structs as objects; [`conform`] fixes the kinds afterwards.
pub(super) struct ValueSerializer;

type Result<T> = std::result::Result<T, ModelError>;

impl ser::Serializer for ValueSerializer {
    type Ok = Value;
    type Error = ModelError;
    type SerializeSeq = SeqWriter;
    type SerializeTuple = SeqWriter;
    type SerializeTupleStruct = SeqWriter;
    type SerializeTupleVariant = Impossible<Value, ModelError>;
    type SerializeMap = MapWriter;
    type SerializeStruct = MapWriter;
    type SerializeStructVariant = Impossible<Value, ModelError>;

    fn serialize_bool(self, v: bool) -> Result<Value> {
        Ok(Value::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Value> {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<Value> {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<Value> {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<Value> {
        Ok(Value::Number(Number::from_i64(v)))
    }
    fn serialize_u8(self, v: u8) -> Result<Value> {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<Value> {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<Value> {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<Value> {
        Ok(Value::Number(Number::from_u64(v)))
    }
    fn serialize_f32(self, v: f32) -> Result<Value> {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<Value> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| ModelError::new("NaN is not a Terraform number"))
    }
    fn serialize_char(self, v: char) -> Result<Value> {
        Ok(Value::String(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Value> {
        Ok(Value::String(v.to_string()))
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<Value> {
        Err(ModelError::new("bytes have no Terraform type"))
    }
    fn serialize_none(self) -> Result<Value> {
        Ok(Value::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Value> {
        Ok(Value::Null)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value> {
        Ok(Value::Null)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Value> {
        Ok(Value::String(variant.to_string()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<Value> {
        match name {
            UNKNOWN_TOKEN => Ok(Value::Unknown),
            NUMBER_TOKEN => match value.serialize(self)? {
                Value::String(text) => Number::parse(&text)
                    .map(Value::Number)
                    .map_err(|e| ModelError::new(e.to_string())),
                _ => Err(ModelError::new("a number must serialize as its text")),
            },
            _ => value.serialize(self),
        }
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        _value: &T,
    ) -> Result<Value> {
        Err(ModelError::new(format!(
            "{name}::{variant}: only unit enum variants have a Terraform type"
        )))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqWriter> {
        Ok(SeqWriter(Vec::with_capacity(len.unwrap_or(0))))
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqWriter> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<SeqWriter> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(ModelError::new(format!(
            "{name}::{variant}: only unit enum variants have a Terraform type"
        )))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<MapWriter> {
        Ok(MapWriter::default())
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<MapWriter> {
        Ok(MapWriter::default())
    }
    fn serialize_struct_variant(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(ModelError::new(format!(
            "{name}::{variant}: only unit enum variants have a Terraform type"
        )))
    }
}

pub(super) struct SeqWriter(Vec<Value>);

impl SeqWriter {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        let index = self.0.len() as i64;
        let v = value
            .serialize(ValueSerializer)
            .map_err(|e| e.at(PathStep::Index(index)))?;
        self.0.push(v);
        Ok(())
    }
}

impl ser::SerializeSeq for SeqWriter {
    type Ok = Value;
    type Error = ModelError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.push(value)
    }
    fn end(self) -> Result<Value> {
        Ok(Value::List(self.0))
    }
}

impl ser::SerializeTuple for SeqWriter {
    type Ok = Value;
    type Error = ModelError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.push(value)
    }
    fn end(self) -> Result<Value> {
        Ok(Value::List(self.0))
    }
}

impl ser::SerializeTupleStruct for SeqWriter {
    type Ok = Value;
    type Error = ModelError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.push(value)
    }
    fn end(self) -> Result<Value> {
        Ok(Value::List(self.0))
    }
}

#[derive(Default)]
pub(super) struct MapWriter {
    entries: BTreeMap<String, Value>,
    key: Option<String>,
}

impl MapWriter {
    fn insert<T: Serialize + ?Sized>(&mut self, key: String, value: &T) -> Result<()> {
        let v = value
            .serialize(ValueSerializer)
            .map_err(|e| e.at(PathStep::Attribute(key.clone())))?;
        self.entries.insert(key, v);
        Ok(())
    }
}

impl ser::SerializeMap for MapWriter {
    type Ok = Value;
    type Error = ModelError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<()> {
        match key.serialize(ValueSerializer)? {
            Value::String(k) => {
                self.key = Some(k);
                Ok(())
            }
            other => Err(ModelError::new(format!(
                "map keys must be strings, got {}",
                other.kind_name()
            ))),
        }
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        let key = self
            .key
            .take()
            .ok_or_else(|| ModelError::new("a map value came before its key"))?;
        self.insert(key, value)
    }
    fn end(self) -> Result<Value> {
        Ok(Value::Map(self.entries))
    }
}

impl ser::SerializeStruct for MapWriter {
    type Ok = Value;
    type Error = ModelError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        self.insert(key.to_string(), value)
    }
    fn end(self) -> Result<Value> {
        Ok(Value::Object(self.entries))
    }
}

/// Gives an untyped value the kinds `ty` asks for: lists become sets or tuples, maps become
/// objects and the reverse, and an object gains every attribute the model left out, as null.
pub(super) fn conform(value: Value, ty: &Type) -> Result<Value> {
    let mismatch = |v: &Value| ModelError::new(format!("{ty} is required, got {}", v.kind_name()));
    match (value, ty) {
        (v @ (Value::Null | Value::Unknown), _) => Ok(v),
        (v @ Value::String(_), Type::String)
        | (v @ Value::Number(_), Type::Number)
        | (v @ Value::Bool(_), Type::Bool) => Ok(v),
        (Value::List(items), Type::List(elem)) => Ok(Value::List(conform_all(items, elem)?)),
        (Value::List(items), Type::Set(elem)) => Ok(Value::Set(conform_all(items, elem)?)),
        (Value::Set(items), Type::Set(elem)) => Ok(Value::Set(conform_all(items, elem)?)),
        (Value::List(items), Type::Tuple(types)) if items.len() == types.len() => items
            .into_iter()
            .zip(types)
            .enumerate()
            .map(|(i, (v, t))| conform(v, t).map_err(|e| e.at(PathStep::Index(i as i64))))
            .collect::<Result<Vec<_>>>()
            .map(Value::Tuple),
        (Value::Map(m) | Value::Object(m), Type::Map(elem)) => m
            .into_iter()
            .map(|(k, v)| {
                let v = conform(v, elem).map_err(|e| e.at(PathStep::Key(k.clone())))?;
                Ok((k, v))
            })
            .collect::<Result<BTreeMap<_, _>>>()
            .map(Value::Map),
        (Value::Map(mut m) | Value::Object(mut m), Type::Object(attrs)) => {
            if let Some(extra) = m.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(ModelError::new("the schema has no such attribute")
                    .at(PathStep::Attribute(extra.clone())));
            }
            attrs
                .iter()
                .map(|(name, t)| {
                    let v = m.remove(name).unwrap_or(Value::Null);
                    let v = conform(v, t).map_err(|e| e.at(PathStep::Attribute(name.clone())))?;
                    Ok((name.clone(), v))
                })
                .collect::<Result<BTreeMap<_, _>>>()
                .map(Value::Object)
        }
        (v, _) => Err(mismatch(&v)),
    }
}

fn conform_all(items: Vec<Value>, elem: &Type) -> Result<Vec<Value>> {
    items
        .into_iter()
        .enumerate()
        .map(|(i, v)| conform(v, elem).map_err(|e| e.at(PathStep::Index(i as i64))))
        .collect()
}
