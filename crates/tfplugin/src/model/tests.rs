use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use serde::{Deserialize, Serialize};

use super::*;
use crate::value::{decode_msgpack, encode_msgpack};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Rotation {
    #[serde(rename = "STATIC")]
    Static,
    #[serde(rename = "ROTATE")]
    Rotate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Model {
    id: Field<String>,
    label: String,
    note: Option<String>,
    uris: Field<Vec<String>>,
    groups: Field<BTreeSet<String>>,
    enabled: Field<bool>,
    leeway: Field<u32>,
    version: Field<i64>,
    exact: Field<Number>,
    rotation: Field<Rotation>,
    tags: Field<BTreeMap<String, String>>,
    #[serde(rename = "type")]
    kind: Field<String>,
}

fn model_type() -> Type {
    Type::object([
        ("id", Type::String),
        ("label", Type::String),
        ("note", Type::String),
        ("uris", Type::list(Type::String)),
        ("groups", Type::set(Type::String)),
        ("enabled", Type::Bool),
        ("leeway", Type::Number),
        ("version", Type::Number),
        ("exact", Type::Number),
        ("rotation", Type::String),
        ("tags", Type::map(Type::String)),
        ("type", Type::String),
    ])
}

fn sample() -> Model {
    Model {
        id: Field::Unknown,
        label: "Pomerium".into(),
        note: None,
        uris: Field::Known(vec!["https://a/cb".into(), "https://b/cb".into()]),
        groups: Field::Known(["00g2".to_string(), "00g1".to_string()].into()),
        enabled: Field::Known(true),
        leeway: Field::Known(30),
        version: Field::Null,
        exact: Field::Known(Number::parse("0.1").expect("number")),
        rotation: Field::Known(Rotation::Rotate),
        tags: Field::Known([("team".to_string(), "sre".to_string())].into()),
        kind: Field::Known("web".into()),
    }
}

#[test]
fn model_round_trips_and_keeps_kinds() {
    let value = to_value(&sample(), &model_type()).expect("encode");
    assert_eq!(value.get("id"), Some(&Value::Unknown));
    assert_eq!(value.get("note"), Some(&Value::Null));
    assert!(matches!(value.get("uris"), Some(Value::List(_))));
    assert!(matches!(value.get("groups"), Some(Value::Set(_))));
    assert!(matches!(value.get("tags"), Some(Value::Map(_))));
    assert_eq!(value.get("rotation"), Some(&Value::string("ROTATE")));
    assert_eq!(value.get("type"), Some(&Value::string("web")));
    value.check_type(&model_type()).expect("conforms");
    assert_eq!(from_value::<Model>(&value).expect("decode"), sample());
}

#[test]
fn numbers_are_lossless() {
    for text in [
        "0.1",
        "1180591620717411303424",
        "-1e400",
        "3.14159265358979323846264338327950288",
    ] {
        let n = Number::parse(text).expect("parse");
        let value = Value::Number(n.clone());
        let back: Number = from_value(&value).expect("decode");
        assert_eq!(back, n, "{text}");
        let encoded = to_value(&back, &Type::Number).expect("encode");
        assert_eq!(encoded, value, "{text}");
    }
    // Through msgpack and back, byte for byte.
    let value = Value::Number(Number::parse("0.1").expect("parse"));
    let bytes = encode_msgpack(&value, &Type::Number).expect("msgpack");
    let decoded = decode_msgpack(&bytes, &Type::Number).expect("decode");
    let through: Number = from_value(&decoded).expect("model");
    let again = encode_msgpack(
        &to_value(&through, &Type::Number).expect("value"),
        &Type::Number,
    );
    assert_eq!(again.expect("msgpack"), bytes);
}

#[test]
fn field_keeps_null_unknown_and_partly_unknown_apart() {
    let f = |v: Value| from_value::<Field<Vec<String>>>(&v).expect("decode");
    assert_eq!(f(Value::Null), Field::Null);
    assert_eq!(f(Value::Unknown), Field::Unknown);
    assert_eq!(
        f(Value::list([Value::string("a"), Value::Unknown])),
        Field::Unknown,
        "known only when wholly known"
    );
    assert_eq!(
        f(Value::list([Value::string("a")])),
        Field::Known(vec!["a".into()])
    );
}

fn object_with(name: &str, v: Value) -> Value {
    let mut value = to_value(&sample(), &model_type()).expect("encode");
    if let Some(slot) = value.get_mut(name) {
        *slot = v;
    }
    value
}

#[test]
fn errors_carry_the_attribute_path() {
    let err = |v: Value| from_value::<Model>(&v).expect_err("must fail");
    let e = err(object_with("label", Value::Unknown));
    assert_eq!(e.path.to_string(), "label");
    assert!(e.message.contains("not known yet"), "{e}");

    let e = err(object_with("note", Value::Unknown));
    assert_eq!(e.path.to_string(), "note");

    let e = err(object_with(
        "leeway",
        Value::number(Number::parse("1.5").expect("n")),
    ));
    assert_eq!(e.path.to_string(), "leeway");
    assert!(e.message.contains("whole number"), "{e}");

    let e = err(object_with("leeway", Value::number(-1)));
    assert_eq!(e.path.to_string(), "leeway");

    let big = Number::parse("1180591620717411303424").expect("n");
    assert_eq!(
        err(object_with("version", Value::Number(big)))
            .path
            .to_string(),
        "version"
    );

    let e = err(object_with(
        "uris",
        Value::list([Value::string("a"), Value::Bool(true)]),
    ));
    assert_eq!(e.path.to_string(), "uris[1]");

    let e = err(object_with(
        "tags",
        Value::map([("team", Value::Number(Number::from_i64(1)))]),
    ));
    assert_eq!(e.path.to_string(), "tags[\"team\"]");

    let e = err(object_with("rotation", Value::string("sometimes")));
    assert_eq!(e.path.to_string(), "rotation");
    assert!(e.message.contains("ROTATE"), "{e}");
}

#[test]
fn encoding_fills_missing_attributes_and_rejects_extra_ones() {
    #[derive(Serialize)]
    struct Partial {
        label: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    }
    let value = to_value(
        &Partial {
            label: "x",
            note: None,
        },
        &model_type(),
    )
    .expect("encode");
    value
        .check_type(&model_type())
        .expect("every attribute present");
    assert_eq!(value.get("uris"), Some(&Value::Null));

    #[derive(Serialize)]
    struct Extra {
        label: &'static str,
        colour: &'static str,
    }
    let e = to_value(
        &Extra {
            label: "x",
            colour: "red",
        },
        &model_type(),
    )
    .expect_err("no such attribute");
    assert_eq!(e.path.to_string(), "colour");
}

#[test]
fn errors_become_diagnostics_at_the_path() {
    let e = from_value::<Model>(&object_with("label", Value::Bool(true))).expect_err("fails");
    let mut diags = Diagnostics::new();
    e.report("Invalid value", &mut diags);
    let d = diags.iter().next().expect("one");
    assert_eq!(
        d.path.as_ref().map(ToString::to_string).as_deref(),
        Some("label")
    );
}

fn field<T: std::fmt::Debug + Clone>(
    inner: impl Strategy<Value = T>,
) -> impl Strategy<Value = Field<T>> {
    prop_oneof![
        Just(Field::Null),
        Just(Field::Unknown),
        inner.prop_map(Field::Known),
    ]
}

fn number() -> impl Strategy<Value = Number> {
    prop_oneof![
        any::<i64>().prop_map(Number::from_i64),
        any::<u64>().prop_map(Number::from_u64),
        any::<f64>()
            .prop_filter("not NaN", |f| !f.is_nan())
            .prop_map(|f| Number::from_f64(f).expect("not NaN")),
        "-?[0-9]{1,40}(\\.[0-9]{1,40})?(e-?[0-9]{1,3})?"
            .prop_map(|s| Number::parse(&s).expect("decimal")),
    ]
}

prop_compose! {
    fn any_model()(
        id in field(".*"),
        label in ".*",
        note in proptest::option::of(".*"),
        uris in field(proptest::collection::vec(".*", 0..4)),
        groups in field(proptest::collection::btree_set("[a-z0-9]{0,8}", 0..4)),
        enabled in field(any::<bool>()),
        leeway in field(any::<u32>()),
        version in field(any::<i64>()),
        exact in field(number()),
        rotation in field(prop_oneof![Just(Rotation::Static), Just(Rotation::Rotate)]),
        tags in field(proptest::collection::btree_map("[a-z]{0,5}", ".*", 0..3)),
        kind in field(".*"),
    ) -> Model {
        Model { id, label, note, uris, groups, enabled, leeway, version, exact, rotation, tags, kind }
    }
}

proptest! {
    /// model -> Value -> model, and through msgpack too: nothing changes.
    #[test]
    fn any_model_survives_the_round_trip(m in any_model()) {
        let value = to_value(&m, &model_type()).expect("encode");
        prop_assert_eq!(from_value::<Model>(&value).expect("decode"), m.clone());
        let bytes = encode_msgpack(&value, &model_type()).expect("msgpack");
        let decoded = decode_msgpack(&bytes, &model_type()).expect("decode msgpack");
        prop_assert_eq!(from_value::<Model>(&decoded).expect("decode"), m);
    }
}
