//! Codec tests: byte vectors from the spec, error paths, hostile input, property tests.

use bigdecimal::BigDecimal;

use super::msgpack::{w_str, NIL, UNKNOWN};
use super::number::Decimal;
use super::*;
use proptest::prelude::*;
use proptest::strategy::Union;

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn mp_str(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    w_str(&mut out, s).unwrap();
    out
}

fn num(s: &str) -> Number {
    Number::parse(s).unwrap()
}

fn roundtrip_bytes(bytes: &[u8], ty: &Type) -> Value {
    let v = decode_msgpack(bytes, ty).unwrap();
    assert_eq!(encode_msgpack(&v, ty).unwrap(), bytes, "re-encode of {v:?}");
    v
}

// -- spec byte vectors ------------------------------------------------------------------

#[test]
fn null_object_is_c0() {
    let ty = Type::object([("id", Type::String)]);
    assert_eq!(decode_msgpack(&[0xc0], &ty).unwrap(), Value::Null);
    assert_eq!(encode_msgpack(&Value::Null, &ty).unwrap(), [0xc0]);
    assert_eq!(
        decode_msgpack(&[0xc0], &Type::Dynamic).unwrap(),
        Value::Null
    );
}

#[test]
fn unknown_is_fixext1_type0() {
    for ty in [Type::String, Type::Dynamic, Type::list(Type::Number)] {
        assert_eq!(encode_msgpack(&Value::Unknown, &ty).unwrap(), [0xd4, 0, 0]);
        assert_eq!(decode_msgpack(&[0xd4, 0, 0], &ty).unwrap(), Value::Unknown);
    }
    // Any extension, any code, any length is unknown.
    for bytes in [
        hex("c7 00 00"),
        hex("d5 05 01 02"),
        hex("d8 7f 00112233445566778899aabbccddeeff"),
        hex("c8 0003 ff 010203"),
        hex("c9 00000001 01 00"),
    ] {
        assert_eq!(decode_msgpack(&bytes, &Type::Bool).unwrap(), Value::Unknown);
    }
}

#[test]
fn refined_unknown_ext12_is_unknown() {
    // ext 12 with payload {1: false, 2: "ab"} (not null, string prefix "ab").
    let payload = hex("82 01 c2 02 a2 6162");
    let mut bytes = vec![0xc7, payload.len() as u8, 12];
    bytes.extend_from_slice(&payload);
    assert_eq!(
        decode_msgpack(&bytes, &Type::String).unwrap(),
        Value::Unknown
    );
    let ty = Type::object([("a", Type::String)]);
    let mut obj = hex("81 a1 61");
    obj.extend_from_slice(&bytes);
    assert_eq!(
        decode_msgpack(&obj, &ty).unwrap(),
        Value::object([("a", Value::Unknown)])
    );
}

#[test]
fn spec_example_config() {
    let ty = Type::object([("id", Type::String), ("triggers", Type::map(Type::String))]);
    let mut bytes = vec![0x82];
    bytes.extend(mp_str("id"));
    bytes.push(0xc0);
    bytes.extend(mp_str("triggers"));
    bytes.push(0x81);
    bytes.extend(mp_str("k"));
    bytes.extend(mp_str("v1"));
    let v = roundtrip_bytes(&bytes, &ty);
    assert_eq!(
        v,
        Value::object([
            ("id", Value::Null),
            ("triggers", Value::map([("k", Value::string("v1"))])),
        ])
    );
    assert_eq!(
        v.get("triggers")
            .and_then(|t| t.get("k"))
            .and_then(Value::as_str),
        Some("v1")
    );
    assert!(v.get("id").unwrap().is_null());
}

// -- numbers ----------------------------------------------------------------------------

#[test]
fn number_wire_forms_round_trip_exactly() {
    let two70 = "1180591620717411303424";
    let cases: Vec<(Vec<u8>, Number)> = vec![
        (mp_str("0.1"), num("0.1")),
        (mp_str(two70), num(two70)),
        (mp_str("-1e400"), num("-1e400")),
        (hex("cb 3ff8000000000000"), num("1.5")),
        (hex("2a"), Number::from_i64(42)),
        (hex("cf ffffffffffffffff"), Number::from_u64(u64::MAX)),
        // non-minimal widths are preserved too
        (hex("d3 000000000000002a"), Number::from_i64(42)),
        (hex("cd 0001"), Number::from_i64(1)),
        (hex("ca 3fc00000"), num("1.5")),
        (hex("d0 80"), Number::from_i64(-128)),
        (
            hex("cb 7ff0000000000000"),
            Number::from_f64(f64::INFINITY).unwrap(),
        ),
        (mp_str("0.10"), num("0.1")),
        (mp_str("1e2"), Number::from_i64(100)),
    ];
    for (bytes, want) in cases {
        let v = roundtrip_bytes(&bytes, &Type::Number);
        assert_eq!(v, Value::Number(want), "{bytes:02x?}");
    }
}

#[test]
fn numbers_built_in_rust_encode_like_go_cty() {
    let enc = |n: Number| encode_msgpack(&Value::Number(n), &Type::Number).unwrap();
    assert_eq!(enc(num("0.1")), mp_str("0.1"));
    assert_eq!(enc(num("1.5")), hex("cb 3ff8000000000000"));
    assert_eq!(
        enc(num("1180591620717411303424")),
        mp_str("1180591620717411303424")
    );
    assert_eq!(enc(Number::from_i64(42)), hex("2a"));
    assert_eq!(enc(Number::from_i64(-1)), hex("ff"));
    assert_eq!(enc(Number::from_i64(-33)), hex("d0 df"));
    assert_eq!(enc(Number::from_i64(200)), hex("cc c8"));
    assert_eq!(enc(Number::from_i64(-200)), hex("d1 ff38"));
    assert_eq!(enc(Number::from_i64(70000)), hex("ce 00011170"));
    assert_eq!(enc(Number::from_i64(i64::MIN)), hex("d3 8000000000000000"));
    assert_eq!(
        enc(Number::from_u64(u64::MAX)),
        mp_str("18446744073709551615")
    );
    assert_eq!(enc(num("3.000")), hex("03"));
    assert_eq!(enc(Number::from_f64(3.0).unwrap()), hex("03"));
    assert_eq!(enc(Number::from_f64(-0.0).unwrap()), hex("00"));
    assert_eq!(
        enc(Number::from_f64(0.25).unwrap()),
        hex("cb 3fd0000000000000")
    );
    assert_eq!(
        enc(Number::from_f64(f64::NEG_INFINITY).unwrap()),
        hex("cb fff0000000000000")
    );
    let big = format!("-1{}", "0".repeat(400));
    assert_eq!(enc(num("-1e400")), mp_str(&big));
    assert_eq!(enc(num("1e-3")), mp_str("0.001"));
    // 2^-1074 (smallest subnormal) is an exact f64; one digit more is not.
    let tiny = Decimal::from_f64(f64::from_bits(1)).plain();
    assert_eq!(enc(num(&tiny)), hex("cb 0000000000000001"));
    assert_eq!(enc(num(&format!("{tiny}1"))), mp_str(&format!("{tiny}1")));
    // Integers that are exact f64s but not int64 stay strings (not float64).
    assert_eq!(
        enc(Number::from_f64(1e20).unwrap()),
        mp_str("100000000000000000000")
    );
}

#[test]
fn number_equality_and_accessors() {
    assert_eq!(num("0.5"), num("0.50"));
    assert_eq!(num("0.5"), Number::from_f64(0.5).unwrap());
    assert_eq!(num("1e2"), Number::from_i64(100));
    assert_eq!(num("-0"), Number::from_i64(0));
    assert_eq!(Number::from_f64(-0.0).unwrap(), Number::from_i64(0));
    assert_ne!(num("0.1"), Number::from_f64(0.1).unwrap());
    assert_eq!(
        Number::from_f64(0.1).unwrap(),
        num("0.1000000000000000055511151231257827021181583404541015625")
    );
    assert_eq!(
        num("1e40"),
        num("10000000000000000000000000000000000000000")
    );
    assert_eq!(num("+.5"), num("0.5"));
    assert_eq!(num("Inf"), Number::from_f64(f64::INFINITY).unwrap());
    assert_ne!(num("Inf"), num("-Inf"));

    assert_eq!(Number::from_i64(-7).to_i64(), Some(-7));
    assert_eq!(num("1e3").to_i64(), Some(1000));
    assert_eq!(num("0.5").to_i64(), None);
    assert_eq!(num("1e40").to_i64(), None);
    assert_eq!(Number::from_u64(u64::MAX).to_i64(), None);
    assert_eq!(Number::from_u64(u64::MAX).to_u64(), Some(u64::MAX));
    assert_eq!(Number::from_f64(2.0).unwrap().to_i64(), Some(2));
    assert_eq!(num("0.1").to_f64(), 0.1);
    assert!(num("7").is_integer() && !num("7.5").is_integer() && num("1e50").is_integer());
    assert_eq!(num("0.10").to_string(), "0.1");
    assert_eq!(num("-12.5e1").to_string(), "-125");
    assert_eq!(num("1e-5").to_string(), "0.00001");
    assert_eq!(num("1e20000").to_string(), "1e20000");

    let bd: BigDecimal = "123.4500".parse().unwrap();
    let n = Number::from_bigdecimal(&bd).unwrap();
    assert_eq!(n, num("123.45"));
    assert_eq!(n.to_bigdecimal().unwrap(), bd);
    assert_eq!(
        num("1e-400").to_bigdecimal().unwrap(),
        "1e-400".parse::<BigDecimal>().unwrap()
    );
    assert!(num("Inf").to_bigdecimal().is_none());

    for bad in [
        "",
        "-",
        ".",
        "1e",
        "1e+",
        "0x10",
        "1_000",
        "NaN",
        "1.2.3",
        " 1",
        "1e99999999999",
    ] {
        assert!(Number::parse(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn nan_and_bad_numbers_rejected() {
    assert!(decode_msgpack(&hex("cb 7ff8000000000000"), &Type::Number).is_err());
    assert!(decode_msgpack(&hex("ca 7fc00000"), &Type::Number).is_err());
    assert!(decode_msgpack(&mp_str("abc"), &Type::Number).is_err());
    assert!(decode_msgpack(&hex("c3"), &Type::Number).is_err());
}

// -- structure and errors -----------------------------------------------------------------

#[test]
fn object_attributes_must_match_exactly() {
    let ty = Type::object([("a", Type::String), ("b", Type::Bool)]);
    let mut missing = vec![0x81];
    missing.extend(mp_str("a"));
    missing.extend(mp_str("x"));
    let e = decode_msgpack(&missing, &ty).unwrap_err();
    assert_eq!(e.to_string(), ".b: missing attribute");

    let mut extra = vec![0x83];
    for k in ["a", "b", "zz"] {
        extra.extend(mp_str(k));
        extra.push(0xc0);
    }
    let e = decode_msgpack(&extra, &ty).unwrap_err();
    assert_eq!(e.path, vec![PathStep::Attr("zz".into())]);
    assert!(e.message.contains("unsupported"));

    assert!(decode_msgpack(&[0x80], &ty).is_err());

    let e = encode_msgpack(&Value::object([("a", Value::Null)]), &ty).unwrap_err();
    assert_eq!(e.to_string(), ".b: missing attribute");
    let three = Value::object([("a", Value::Null), ("b", Value::Null), ("c", Value::Null)]);
    let e = encode_msgpack(&three, &ty).unwrap_err();
    assert_eq!(e.path_string(), ".c");
    assert!(encode_json(&three, &ty).is_err());
    assert!(decode_json(br#"{"a":null}"#, &ty).is_err());
    assert!(decode_json(br#"{"a":null,"b":null,"c":1}"#, &ty).is_err());

    // An empty object type is an empty map.
    let empty = Type::Object(BTreeMap::new());
    assert_eq!(
        roundtrip_bytes(&[0x80], &empty),
        Value::Object(BTreeMap::new())
    );
}

#[test]
fn object_keys_are_written_sorted() {
    let ty = Type::object([("b", Type::Bool), ("a", Type::Bool), ("B", Type::Bool)]);
    let v = Value::object([("a", true.into()), ("b", false.into()), ("B", true.into())]);
    let mut want = vec![0x83];
    for (k, b) in [("B", 0xc3), ("a", 0xc3), ("b", 0xc2)] {
        want.extend(mp_str(k));
        want.push(b);
    }
    assert_eq!(encode_msgpack(&v, &ty).unwrap(), want);
    assert_eq!(
        encode_json(&v, &ty).unwrap(),
        br#"{"B":true,"a":true,"b":false}"#
    );
}

#[test]
fn errors_carry_the_path() {
    let ty = Type::object([(
        "a",
        Type::object([
            ("b", Type::list(Type::String)),
            ("m", Type::map(Type::Number)),
        ]),
    )]);
    let bad = Value::object([(
        "a",
        Value::object([
            ("b", Value::list([Value::string("x"), Value::number(5)])),
            ("m", Value::Null),
        ]),
    )]);
    let e = encode_msgpack(&bad, &ty).unwrap_err();
    assert_eq!(e.path_string(), ".a.b[1]");
    assert!(
        e.to_string().starts_with(".a.b[1]: string is required"),
        "{e}"
    );

    // The same shape on the wire, with an int where a string belongs.
    let mut bytes = vec![0x81];
    bytes.extend(mp_str("a"));
    bytes.push(0x82);
    bytes.extend(mp_str("b"));
    bytes.push(0x92);
    bytes.extend(mp_str("x"));
    bytes.push(0x05);
    bytes.extend(mp_str("m"));
    bytes.push(0xc0);
    let e = decode_msgpack(&bytes, &ty).unwrap_err();
    assert_eq!(e.path_string(), ".a.b[1]");

    let e = decode_json(br#"{"a":{"b":["x",null],"m":{"k\"":true}}}"#, &ty).unwrap_err();
    assert_eq!(e.path_string(), r#".a.m["k\""]"#);
}

#[test]
fn strings_must_be_utf8() {
    let e = decode_msgpack(&hex("a2 c328"), &Type::String).unwrap_err();
    assert!(e.message.contains("UTF-8"));
    // bin is only accepted for the dynamic type slot
    assert!(decode_msgpack(&hex("c4 01 61"), &Type::String).is_err());
    let big = "é".repeat(40000);
    roundtrip_bytes(&mp_str(&big), &Type::String);
}

#[test]
fn hostile_input() {
    let ty = Type::list(Type::String);
    // Huge length prefixes fail fast without allocating.
    assert!(decode_msgpack(&hex("dd ffffffff a0"), &ty).is_err());
    assert!(decode_msgpack(&hex("df ffffffff"), &Type::map(Type::Bool)).is_err());
    assert!(decode_msgpack(&hex("db ffffffff 61"), &Type::String).is_err());
    assert!(decode_msgpack(&hex("c9 ffffffff 00"), &Type::String).is_err());
    // Truncated, empty, invalid marker, trailing bytes.
    assert!(decode_msgpack(&hex("92 a1 61"), &ty).is_err());
    assert!(decode_msgpack(&[], &ty).is_err());
    assert!(decode_msgpack(&[0xc1], &Type::Bool).is_err());
    let e = decode_msgpack(&hex("c3 c3"), &Type::Bool).unwrap_err();
    assert!(e.message.contains("trailing"));
    // Duplicate map keys.
    let mut dup = vec![0x82];
    for _ in 0..2 {
        dup.extend(mp_str("k"));
        dup.push(0xc3);
    }
    assert!(decode_msgpack(&dup, &Type::map(Type::Bool)).is_err());
    // Tuple arity.
    assert!(decode_msgpack(&hex("91 c3"), &Type::tuple([Type::Bool, Type::Bool])).is_err());
}

#[test]
fn deep_dynamic_nesting_is_an_error_not_a_stack_overflow() {
    // ["dynamic", ["dynamic", [ ... ]]] nested far deeper than MAX_VALUE_DEPTH.
    let tj = br#""dynamic""#;
    let mut bytes = Vec::new();
    for _ in 0..100_000 {
        bytes.push(0x92);
        bytes.extend_from_slice(&[0xc4, tj.len() as u8]);
        bytes.extend_from_slice(tj);
    }
    bytes.push(0xc3);
    let e = decode_msgpack(&bytes, &Type::Dynamic).unwrap_err();
    assert!(e.message.contains("nesting"), "{e}");

    // A few levels are fine and round-trip.
    let mut ok = Vec::new();
    for _ in 0..10 {
        ok.push(0x92);
        ok.extend_from_slice(&[0xc4, tj.len() as u8]);
        ok.extend_from_slice(tj);
    }
    ok.push(0xc0);
    roundtrip_bytes(&ok, &Type::Dynamic);

    // Deep type JSON.
    let deep = format!("{}\"string\"{}", "[\"list\",".repeat(100), "]".repeat(100));
    assert!(Type::from_json_bytes(deep.as_bytes()).is_err());
    let ok = format!("{}\"string\"{}", "[\"list\",".repeat(50), "]".repeat(50));
    assert!(Type::from_json_bytes(ok.as_bytes()).is_ok());
}

#[test]
fn dynamic_msgpack() {
    let ty = Type::object([("d", Type::Dynamic)]);
    let inner_ty = Type::list(Type::String);
    let v = Value::object([(
        "d",
        Value::dynamic(inner_ty.clone(), Value::list([Value::string("a")])),
    )]);
    let bytes = encode_msgpack(&v, &ty).unwrap();
    let mut want = vec![0x81];
    want.extend(mp_str("d"));
    want.push(0x92);
    let tj = br#"["list","string"]"#;
    want.extend_from_slice(&[0xc4, tj.len() as u8]);
    want.extend_from_slice(tj);
    want.push(0x91);
    want.extend(mp_str("a"));
    assert_eq!(bytes, want);
    assert_eq!(decode_msgpack(&bytes, &ty).unwrap(), v);

    // The type JSON may also arrive as a str.
    let mut as_str = vec![0x92];
    as_str.extend(mp_str(r#""number""#));
    as_str.push(0x07);
    assert_eq!(
        decode_msgpack(&as_str, &Type::Dynamic).unwrap(),
        Value::dynamic(Type::Number, Value::number(7))
    );
    // Unknown and null dynamic values are bare.
    assert_eq!(
        encode_msgpack(&Value::Unknown, &Type::Dynamic).unwrap(),
        UNKNOWN
    );
    assert_eq!(encode_msgpack(&Value::Null, &Type::Dynamic).unwrap(), [NIL]);
    // A typed null inside a dynamic is kept distinct.
    let typed_null = Value::dynamic(Type::String, Value::Null);
    let b = encode_msgpack(&typed_null, &Type::Dynamic).unwrap();
    assert_eq!(decode_msgpack(&b, &Type::Dynamic).unwrap(), typed_null);
    assert_ne!(typed_null, Value::Null);
    // Non-dynamic values are refused in a dynamic slot, and vice versa.
    assert!(encode_msgpack(&Value::string("x"), &Type::Dynamic).is_err());
    assert!(encode_msgpack(&typed_null, &Type::String).is_err());
    // Wrong arity / bad type JSON.
    assert!(decode_msgpack(&hex("91 c0"), &Type::Dynamic).is_err());
    let mut bad = vec![0x92];
    bad.extend(mp_str("\"strin\""));
    bad.push(0xc0);
    assert!(decode_msgpack(&bad, &Type::Dynamic).is_err());
}

#[test]
fn type_json() {
    let ty = Type::object([
        ("b", Type::list(Type::Number)),
        ("a", Type::String),
        ("t", Type::tuple([Type::Bool, Type::Dynamic])),
        ("s", Type::set(Type::map(Type::Bool))),
    ]);
    let bytes = ty.to_json_bytes();
    assert_eq!(
        std::str::from_utf8(&bytes).unwrap(),
        r#"["object",{"a":"string","b":["list","number"],"s":["set",["map","bool"]],"t":["tuple",["bool","dynamic"]]}]"#
    );
    assert_eq!(serde_json::to_vec(&ty.to_json()).unwrap(), bytes);
    assert_eq!(Type::from_json_bytes(&bytes).unwrap(), ty);
    assert_eq!(Type::from_json(&ty.to_json()).unwrap(), ty);
    let opt = br#"["object",{"a":"string","b":"number"},["b"]]"#;
    assert_eq!(
        Type::from_json_bytes(opt).unwrap(),
        Type::object([("a", Type::String), ("b", Type::Number)])
    );
    for bad in [
        &br#""strng""#[..],
        br#"["list"]"#,
        br#"["list","string","x"]"#,
        br#"["object",["a"]]"#,
        br#"["object",{"a":"string"},"b"]"#,
        br#"["tuple","string"]"#,
        br#"5"#,
        br#"["list","string"] x"#,
    ] {
        assert!(
            Type::from_json_bytes(bad).is_err(),
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn equality_semantics() {
    let s1 = Value::set([Value::number(1), Value::string_num("2.0"), Value::Unknown]);
    let s2 = Value::set([Value::Unknown, Value::number(2), Value::number(1)]);
    assert_eq!(s1, s2);
    assert_ne!(
        Value::set([Value::number(1), Value::number(1)]),
        Value::set([Value::number(1), Value::number(2)])
    );
    assert_ne!(
        Value::list([Value::number(1), Value::number(2)]),
        Value::list([Value::number(2), Value::number(1)])
    );
    assert_eq!(Value::Unknown, Value::Unknown);
    assert_ne!(Value::Unknown, Value::Null);
    assert_ne!(Value::list([]), Value::tuple([]));
    assert_ne!(
        Value::map([("a", Value::Null)]),
        Value::object([("a", Value::Null)])
    );
}

impl Value {
    fn string_num(s: &str) -> Value {
        Value::Number(num(s))
    }
}

#[test]
fn helpers() {
    let ty = Type::object([("a", Type::String), ("b", Type::list(Type::Bool))]);
    let n = Value::null_object(&ty);
    assert_eq!(n, Value::object([("a", Value::Null), ("b", Value::Null)]));
    assert!(n.check_type(&ty).is_ok());
    assert_eq!(Value::null_object(&Type::String), Value::Null);
    let u = Value::unknown_object(&ty);
    assert!(u.is_known() && !u.is_wholly_known());
    let mut v = Value::object([("a", "x".into()), ("b", Value::list([true.into()]))]);
    assert!(v.is_wholly_known());
    assert_eq!(v.get("a").and_then(Value::as_str), Some("x"));
    assert_eq!(
        v.get("b").and_then(Value::as_elements).map(<[Value]>::len),
        Some(1)
    );
    *v.get_mut("a").unwrap() = Value::from(None::<String>);
    assert!(v.get("a").unwrap().is_null());
    assert_eq!(Value::from(5i64).as_i64(), Some(5));
    assert_eq!(Value::Bool(true).as_bool(), Some(true));
    assert!(Value::Unknown.check_type(&ty).is_ok());
    assert!(Value::string("x").check_type(&ty).is_err());
}

// -- JSON -------------------------------------------------------------------------------

#[test]
fn json_codec() {
    let ty = Type::object([
        ("id", Type::String),
        ("n", Type::Number),
        ("tags", Type::set(Type::String)),
        ("d", Type::Dynamic),
    ]);
    let src = br#"{"id":"x<y","n":1.50E+3,"tags":["a","b"],"d":{"value":[1,"s"],"type":["tuple",["number","string"]]}}"#;
    let v = decode_json(src, &ty).unwrap();
    assert_eq!(v.get("n").and_then(Value::as_i64), Some(1500));
    assert_eq!(
        v.get("d").unwrap(),
        &Value::dynamic(
            Type::tuple([Type::Number, Type::String]),
            Value::tuple([Value::number(1), Value::string("s")])
        )
    );
    // serde_json keeps number text except that it normalises the exponent marker.
    let out = encode_json(&v, &ty).unwrap();
    assert_eq!(
        std::str::from_utf8(&out).unwrap(),
        r#"{"d":{"value":[1,"s"],"type":["tuple",["number","string"]]},"id":"x\u003cy","n":1.50e+3,"tags":["a","b"]}"#
    );
    assert_eq!(decode_json(&out, &ty).unwrap(), v);
    // Type-first order is accepted as well.
    let d = decode_json(br#"{"type":"string","value":"v"}"#, &Type::Dynamic).unwrap();
    assert_eq!(d, Value::dynamic(Type::String, Value::string("v")));
    assert!(decode_json(br#"{"type":"string"}"#, &Type::Dynamic).is_err());
    assert!(decode_json(br#"{"type":"string","value":1,"x":2}"#, &Type::Dynamic).is_err());

    // Numbers: exact text kept; msgpack-decoded numbers become plain decimals.
    let big = b"123456789012345678901234567890.000000000000000000001";
    let n = decode_json(big, &Type::Number).unwrap();
    assert_eq!(encode_json(&n, &Type::Number).unwrap(), big);
    let m = decode_msgpack(&mp_str("-1e3"), &Type::Number).unwrap();
    assert_eq!(encode_json(&m, &Type::Number).unwrap(), b"-1000");
    let inf = Value::Number(Number::from_f64(f64::INFINITY).unwrap());
    assert!(encode_json(&inf, &Type::Number).is_err());
    assert!(decode_json(br#""Inf""#, &Type::Number).is_err());
    assert!(encode_json(&Value::Unknown, &Type::String).is_err());

    // go-cty's primitive leniency.
    assert_eq!(
        decode_json(b"12", &Type::String).unwrap(),
        Value::string("12")
    );
    assert_eq!(
        decode_json(b"true", &Type::String).unwrap(),
        Value::string("true")
    );
    assert_eq!(
        decode_json(br#""0.5""#, &Type::Number).unwrap(),
        Value::string_num("0.5")
    );
    assert_eq!(
        decode_json(br#""false""#, &Type::Bool).unwrap(),
        Value::Bool(false)
    );
    assert!(decode_json(br#""yes""#, &Type::Bool).is_err());
    assert!(decode_json(b"[1]", &Type::String).is_err());
    assert!(decode_json(b"1 2", &Type::Number).is_err());
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(decode_json(deep.as_bytes(), &Type::list(Type::String)).is_err());
}

#[test]
fn json_lenient_for_state_upgrade() {
    let ty = Type::object([
        ("a", Type::String),
        ("nested", Type::object([("x", Type::Bool)])),
    ]);
    let src = br#"{"a":"v","old":1,"nested":{"gone":true}}"#;
    assert!(decode_json(src, &ty).is_err());
    let v = decode_json_lenient(src, &ty).unwrap();
    assert_eq!(
        v,
        Value::object([
            ("a", Value::string("v")),
            ("nested", Value::object([("x", Value::Null)])),
        ])
    );
}

// -- property tests -----------------------------------------------------------------------

fn arb_type(depth: u32) -> BoxedStrategy<Type> {
    let leaf = prop_oneof![
        Just(Type::String),
        Just(Type::Number),
        Just(Type::Bool),
        Just(Type::Dynamic),
    ];
    leaf.prop_recursive(depth, 32, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(Type::list),
            inner.clone().prop_map(Type::set),
            inner.clone().prop_map(Type::map),
            prop::collection::btree_map("[a-z_]{1,5}", inner.clone(), 0..4).prop_map(Type::Object),
            prop::collection::vec(inner, 0..3).prop_map(Type::Tuple),
        ]
    })
    .boxed()
}

fn arb_number(allow_inf: bool) -> BoxedStrategy<Number> {
    let float = any::<f64>().prop_filter_map("finite", move |f| {
        (!f.is_nan() && (allow_inf || f.is_finite()))
            .then(|| Number::from_f64(f))
            .flatten()
    });
    prop_oneof![
        any::<i64>().prop_map(Number::from_i64),
        any::<u64>().prop_map(Number::from_u64),
        (-1000i64..1000).prop_map(Number::from_i64),
        float,
        "-?[0-9]{1,30}(\\.[0-9]{1,30})?([eE]-?[0-9]{1,3})?"
            .prop_map(|s| Number::parse(&s).unwrap()),
    ]
    .boxed()
}

/// Values conforming to `ty`; `dyn_budget` bounds how deep dynamic values nest.
fn arb_value(ty: &Type, unknowns: bool, dyn_budget: u32) -> BoxedStrategy<Value> {
    let known: BoxedStrategy<Value> = match ty {
        Type::String => any::<String>().prop_map(Value::String).boxed(),
        Type::Number => arb_number(unknowns).prop_map(Value::Number).boxed(),
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::List(t) => prop::collection::vec(arb_value(t, unknowns, dyn_budget), 0..4)
            .prop_map(Value::List)
            .boxed(),
        Type::Set(t) => prop::collection::vec(arb_value(t, unknowns, dyn_budget), 0..4)
            .prop_map(Value::Set)
            .boxed(),
        Type::Map(t) => {
            prop::collection::btree_map("[a-z]{0,3}", arb_value(t, unknowns, dyn_budget), 0..4)
                .prop_map(Value::Map)
                .boxed()
        }
        Type::Object(attrs) => {
            let parts: Vec<BoxedStrategy<(String, Value)>> = attrs
                .iter()
                .map(|(k, t)| {
                    let k = k.clone();
                    arb_value(t, unknowns, dyn_budget)
                        .prop_map(move |v| (k.clone(), v))
                        .boxed()
                })
                .collect();
            parts
                .prop_map(|kv| Value::Object(kv.into_iter().collect()))
                .boxed()
        }
        Type::Tuple(ts) => {
            let parts: Vec<_> = ts
                .iter()
                .map(|t| arb_value(t, unknowns, dyn_budget))
                .collect();
            parts.prop_map(Value::Tuple).boxed()
        }
        Type::Dynamic if dyn_budget == 0 => Just(Value::Null).boxed(),
        Type::Dynamic => arb_type(2)
            .prop_flat_map(move |t| {
                let t2 = t.clone();
                arb_value(&t, unknowns, dyn_budget - 1)
                    .prop_map(move |v| Value::Dynamic(t2.clone(), Box::new(v)))
            })
            .boxed(),
    };
    let mut choices = vec![(1, Just(Value::Null).boxed()), (6, known)];
    if unknowns {
        choices.push((1, Just(Value::Unknown).boxed()));
    }
    Union::new_weighted(choices).boxed()
}

fn arb_typed_value(unknowns: bool) -> impl Strategy<Value = (Type, Value)> {
    arb_type(4).prop_flat_map(move |t| (Just(t.clone()), arb_value(&t, unknowns, 2)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn msgpack_round_trip((ty, v) in arb_typed_value(true)) {
        let bytes = encode_msgpack(&v, &ty).unwrap();
        let back = decode_msgpack(&bytes, &ty).unwrap();
        prop_assert_eq!(&back, &v);
        prop_assert_eq!(encode_msgpack(&back, &ty).unwrap(), bytes);
    }

    #[test]
    fn json_round_trip((ty, v) in arb_typed_value(false)) {
        let bytes = encode_json(&v, &ty).unwrap();
        let back = decode_json(&bytes, &ty).unwrap();
        prop_assert_eq!(&back, &v);
        prop_assert_eq!(encode_json(&back, &ty).unwrap(), bytes);
        // Cross-codec: JSON-decoded values encode to msgpack and back to equal values.
        let mp = encode_msgpack(&back, &ty).unwrap();
        prop_assert_eq!(&decode_msgpack(&mp, &ty).unwrap(), &v);
    }

    #[test]
    fn number_wire_forms_are_kept(
        text in "[+-]?[0-9]{0,40}(\\.[0-9]{1,40})?([eE][+-]?[0-9]{1,4})?",
        i in any::<i64>(),
        f in any::<f64>().prop_filter("not NaN", |f| !f.is_nan()),
    ) {
        if let Ok(n) = Number::parse(&text) {
            // Terraform's decimal string comes back byte-identical and equals the parsed value.
            let v = roundtrip_bytes(&mp_str(&text), &Type::Number);
            prop_assert_eq!(v, Value::Number(n.clone()));
            // The canonical encoding of the same number decodes to an equal value.
            let canon = encode_msgpack(&Value::Number(n.clone()), &Type::Number).unwrap();
            prop_assert_eq!(decode_msgpack(&canon, &Type::Number).unwrap(), Value::Number(n));
        }
        // Non-minimal widths survive too.
        let mut int64 = hex("d3");
        int64.extend_from_slice(&i.to_be_bytes());
        prop_assert_eq!(roundtrip_bytes(&int64, &Type::Number), Value::number(i));
        let mut float64 = hex("cb");
        float64.extend_from_slice(&f.to_be_bytes());
        let want = Value::Number(Number::from_f64(f).unwrap());
        prop_assert_eq!(roundtrip_bytes(&float64, &Type::Number), want);
        let mut float32 = hex("ca");
        float32.extend_from_slice(&(f as f32).to_be_bytes());
        roundtrip_bytes(&float32, &Type::Number);
    }

    #[test]
    fn random_bytes_never_panic(bytes in any::<Vec<u8>>()) {
        for ty in [
            Type::String,
            Type::Number,
            Type::Dynamic,
            Type::list(Type::Dynamic),
            Type::object([("a", Type::map(Type::Number)), ("b", Type::set(Type::String))]),
            Type::tuple([Type::Bool, Type::Dynamic]),
        ] {
            let _ = decode_msgpack(&bytes, &ty);
            let _ = decode_json(&bytes, &ty);
        }
    }

    #[test]
    fn mutated_encodings_never_panic(
        (ty, v) in arb_typed_value(true),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = encode_msgpack(&v, &ty).unwrap();
        for (i, b) in edits {
            let i = i.index(bytes.len());
            bytes[i] = b;
        }
        let _ = decode_msgpack(&bytes, &ty);
        let len = cut.index(bytes.len() + 1);
        let _ = decode_msgpack(&bytes[..len], &ty);
    }
}
