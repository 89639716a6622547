//! Terraform values: a typed model of go-cty values and the two wire codecs Terraform uses.
//!
//! * msgpack — every `DynamicValue` Terraform sends, and what we always answer with;
//! * JSON — `RawState.json` in `UpgradeResourceState` (and `MoveResourceState`).
//!
//! Both codecs are type-directed, mirroring go-cty's `cty/msgpack` and `cty/json` (see
//! `shared/reference/tfplugin.md` §3): decoding needs the expected [`Type`], encoding writes
//! exactly that type's shape. Numbers are arbitrary precision and remember the exact bytes or
//! text they arrived as, so echoing a value back reproduces what Terraform sent (a number that
//! drifts by one ulp is an "inconsistent result" error in Terraform).
//!
//! The decoders treat their input as hostile: every read is bounds-checked, preallocation is
//! capped by the bytes that remain, nesting depth is limited (the `dynamic` type lets the input
//! pick its own types), and trailing bytes are rejected.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use bigdecimal::num_bigint::{BigInt, BigUint, Sign};
use bigdecimal::BigDecimal;
use serde_json::Value as Json;

/// Maximum nesting of a type read from type JSON (schemas and the `dynamic` type slot).
pub const MAX_TYPE_DEPTH: usize = 64;
/// Maximum container nesting while decoding msgpack. The declared type alone does not bound
/// recursion because a `dynamic` value carries its own (possibly dynamic again) type.
pub const MAX_VALUE_DEPTH: usize = 256;
/// Largest decimal exponent accepted (go-cty's 512-bit big.Float overflows well before 1e9).
const MAX_DECIMAL_EXP: i64 = 1_000_000_000;
/// Plain decimal notation pads with zeros; past this many we write `<digits>e<exp>` instead
/// (accepted by Terraform and by JSON) rather than megabytes of zeros.
const PLAIN_ZEROS_LIMIT: i64 = 10_000;

const NIL: u8 = 0xc0;
/// go-cty's unrefined unknown: fixext1, type 0, payload 0.
const UNKNOWN: [u8; 3] = [0xd4, 0x00, 0x00];

// ------------------------------------------------------------------------------------------
// Errors
// ------------------------------------------------------------------------------------------

/// One step of the path to a value inside another.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PathStep {
    /// `.name` — an object attribute.
    Attr(String),
    /// `[i]` — a list, set or tuple element.
    Index(u64),
    /// `["key"]` — a map element.
    Key(String),
}

impl fmt::Display for PathStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathStep::Attr(name) => write!(f, ".{name}"),
            PathStep::Index(i) => write!(f, "[{i}]"),
            PathStep::Key(k) => {
                let mut quoted = Vec::with_capacity(k.len() + 2);
                write_json_string(&mut quoted, k);
                write!(f, "[{}]", String::from_utf8_lossy(&quoted))
            }
        }
    }
}

/// A decode/encode failure, with the path to the offending value (empty = the root).
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
#[error("{}", render_error(.path, .message))]
pub struct ValueError {
    pub path: Vec<PathStep>,
    pub message: String,
}

fn render_error(path: &[PathStep], message: &str) -> String {
    if path.is_empty() {
        message.to_owned()
    } else {
        format!("{}: {message}", render_path(path))
    }
}

fn render_path(path: &[PathStep]) -> String {
    path.iter().map(ToString::to_string).collect()
}

impl ValueError {
    pub fn new(message: impl Into<String>) -> Self {
        ValueError {
            path: Vec::new(),
            message: message.into(),
        }
    }

    /// The path rendered Terraform-style, e.g. `.redirect_uris[2]` (empty for the root).
    pub fn path_string(&self) -> String {
        render_path(&self.path)
    }

    /// Prefix the path with `step` (errors are built innermost-first while unwinding).
    fn at(mut self, step: PathStep) -> Self {
        self.path.insert(0, step);
        self
    }
}

fn at_index(i: usize) -> impl FnOnce(ValueError) -> ValueError {
    move |e| e.at(PathStep::Index(i as u64))
}

fn at_attr(name: &str) -> impl FnOnce(ValueError) -> ValueError + '_ {
    move |e| e.at(PathStep::Attr(name.to_owned()))
}

fn at_key(key: &str) -> impl FnOnce(ValueError) -> ValueError + '_ {
    move |e| e.at(PathStep::Key(key.to_owned()))
}

// ------------------------------------------------------------------------------------------
// Types
// ------------------------------------------------------------------------------------------

/// A go-cty type. `Dynamic` is cty's `DynamicPseudoType` ("any type").
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Type {
    String,
    Number,
    Bool,
    Dynamic,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object(BTreeMap<String, Type>),
    Tuple(Vec<Type>),
}

impl Type {
    pub fn list(element: Type) -> Type {
        Type::List(Box::new(element))
    }

    pub fn set(element: Type) -> Type {
        Type::Set(Box::new(element))
    }

    pub fn map(element: Type) -> Type {
        Type::Map(Box::new(element))
    }

    pub fn object<K: Into<String>>(attrs: impl IntoIterator<Item = (K, Type)>) -> Type {
        Type::Object(attrs.into_iter().map(|(k, t)| (k.into(), t)).collect())
    }

    pub fn tuple(elements: impl IntoIterator<Item = Type>) -> Type {
        Type::Tuple(elements.into_iter().collect())
    }

    /// The type of attribute `name` if this is an object type that has it.
    pub fn attribute_type(&self, name: &str) -> Option<&Type> {
        match self {
            Type::Object(attrs) => attrs.get(name),
            _ => None,
        }
    }

    /// The element type of a list, set or map type.
    pub fn element_type(&self) -> Option<&Type> {
        match self {
            Type::List(t) | Type::Set(t) | Type::Map(t) => Some(t),
            _ => None,
        }
    }

    fn kind_name(&self) -> &'static str {
        match self {
            Type::String => "string",
            Type::Number => "number",
            Type::Bool => "bool",
            Type::Dynamic => "dynamic",
            Type::List(_) => "list",
            Type::Set(_) => "set",
            Type::Map(_) => "map",
            Type::Object(_) => "object",
            Type::Tuple(_) => "tuple",
        }
    }

    /// go-cty type JSON: `"string"`, `["list","string"]`, `["object",{"a":"bool"}]`, …
    pub fn to_json(&self) -> Json {
        let kind = |k: &str, inner: Json| Json::Array(vec![Json::from(k), inner]);
        match self {
            Type::String | Type::Number | Type::Bool | Type::Dynamic => {
                Json::from(self.kind_name())
            }
            Type::List(t) | Type::Set(t) | Type::Map(t) => kind(self.kind_name(), t.to_json()),
            Type::Object(attrs) => kind(
                "object",
                Json::Object(
                    attrs
                        .iter()
                        .map(|(k, t)| (k.clone(), t.to_json()))
                        .collect(),
                ),
            ),
            Type::Tuple(ts) => kind("tuple", Json::Array(ts.iter().map(Type::to_json).collect())),
        }
    }

    /// Compact type JSON, as carried by `Schema.Attribute.type` and the `dynamic` wire form.
    pub fn to_json_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_json(&mut out);
        out
    }

    fn write_json(&self, out: &mut Vec<u8>) {
        match self {
            Type::String | Type::Number | Type::Bool | Type::Dynamic => {
                write_json_string(out, self.kind_name())
            }
            Type::List(t) | Type::Set(t) | Type::Map(t) => {
                out.push(b'[');
                write_json_string(out, self.kind_name());
                out.push(b',');
                t.write_json(out);
                out.push(b']');
            }
            Type::Object(attrs) => {
                out.extend_from_slice(b"[\"object\",{");
                for (i, (k, t)) in attrs.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    write_json_string(out, k);
                    out.push(b':');
                    t.write_json(out);
                }
                out.extend_from_slice(b"}]");
            }
            Type::Tuple(ts) => {
                out.extend_from_slice(b"[\"tuple\",[");
                for (i, t) in ts.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    t.write_json(out);
                }
                out.extend_from_slice(b"]]");
            }
        }
    }

    /// Parse go-cty type JSON. An object's optional-attribute list
    /// (`["object",{…},["a",…]]`) is accepted and ignored.
    pub fn from_json(v: &Json) -> Result<Type, ValueError> {
        Self::from_json_at(v, 0)
    }

    /// [`Type::from_json`] on raw bytes.
    pub fn from_json_bytes(bytes: &[u8]) -> Result<Type, ValueError> {
        let v: Json = serde_json::from_slice(bytes)
            .map_err(|e| ValueError::new(format!("invalid type JSON: {e}")))?;
        Self::from_json(&v)
    }

    fn from_json_at(v: &Json, depth: usize) -> Result<Type, ValueError> {
        if depth >= MAX_TYPE_DEPTH {
            return Err(ValueError::new(format!(
                "type nesting exceeds {MAX_TYPE_DEPTH} levels"
            )));
        }
        let sub = |t: &Json| Self::from_json_at(t, depth + 1);
        match v {
            Json::String(s) => match s.as_str() {
                "string" => Ok(Type::String),
                "number" => Ok(Type::Number),
                "bool" => Ok(Type::Bool),
                "dynamic" => Ok(Type::Dynamic),
                other => Err(ValueError::new(format!(
                    "invalid type JSON: unknown primitive type {:?}",
                    snippet(other)
                ))),
            },
            Json::Array(parts) => match parts.as_slice() {
                [Json::String(k), t] if k == "list" => Ok(Type::list(sub(t)?)),
                [Json::String(k), t] if k == "set" => Ok(Type::set(sub(t)?)),
                [Json::String(k), t] if k == "map" => Ok(Type::map(sub(t)?)),
                [Json::String(k), Json::Object(attrs)]
                | [Json::String(k), Json::Object(attrs), Json::Array(_)]
                    if k == "object" =>
                {
                    let mut out = BTreeMap::new();
                    for (name, t) in attrs {
                        out.insert(name.clone(), sub(t).map_err(at_attr(name))?);
                    }
                    Ok(Type::Object(out))
                }
                [Json::String(k), Json::Array(elems)] if k == "tuple" => elems
                    .iter()
                    .enumerate()
                    .map(|(i, t)| sub(t).map_err(at_index(i)))
                    .collect::<Result<Vec<_>, _>>()
                    .map(Type::Tuple),
                _ => Err(ValueError::new(
                    "invalid type JSON: unrecognised type array",
                )),
            },
            _ => Err(ValueError::new(
                "invalid type JSON: expected a string or an array",
            )),
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.to_json_bytes()))
    }
}

// ------------------------------------------------------------------------------------------
// Numbers
// ------------------------------------------------------------------------------------------

/// An exact finite decimal `(-1)^neg × digits × 10^exp`, normalised: `digits` has no leading
/// or trailing zeros (empty means zero, then `neg == false` and `exp == 0`). Normalisation makes
/// numeric equality structural, which matters because comparing decimals with wildly different
/// exponents by rescaling would let hostile input allocate without bound.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Decimal {
    neg: bool,
    digits: String,
    exp: i64,
}

impl Decimal {
    fn zero() -> Decimal {
        Decimal {
            neg: false,
            digits: String::new(),
            exp: 0,
        }
    }

    /// Normalise `digits` (ASCII digits only) × 10^`exp`.
    fn from_parts(neg: bool, digits: &str, exp: i64) -> Result<Decimal, ValueError> {
        let lead = digits.trim_start_matches('0');
        let trimmed = lead.trim_end_matches('0');
        if trimmed.is_empty() {
            return Ok(Decimal::zero());
        }
        let exp = i64::try_from(lead.len() - trimmed.len())
            .ok()
            .and_then(|z| exp.checked_add(z))
            .filter(|e| e.abs() <= MAX_DECIMAL_EXP)
            .ok_or_else(|| ValueError::new("number is out of range"))?;
        Ok(Decimal {
            neg,
            digits: trimmed.to_owned(),
            exp,
        })
    }

    fn from_u128(neg: bool, n: u128) -> Decimal {
        let digits = n.to_string();
        let trimmed = digits.trim_end_matches('0');
        if trimmed.is_empty() {
            return Decimal::zero();
        }
        Decimal {
            neg,
            exp: (digits.len() - trimmed.len()) as i64,
            digits: trimmed.to_owned(),
        }
    }

    /// The exact value of a finite f64 (at most 767 significant digits).
    fn from_f64(f: f64) -> Decimal {
        let bits = f.to_bits();
        let neg = bits >> 63 == 1;
        let biased = ((bits >> 52) & 0x7ff) as i64;
        let frac = bits & ((1u64 << 52) - 1);
        let (mut mant, mut e2) = if biased == 0 {
            (frac, -1074)
        } else {
            (frac | (1u64 << 52), biased - 1075)
        };
        if mant == 0 {
            return Decimal::zero();
        }
        let tz = mant.trailing_zeros();
        mant >>= tz;
        e2 += i64::from(tz);
        if e2 >= 0 {
            let n = BigUint::from(mant) << (e2 as usize);
            Decimal::from_parts(neg, &n.to_string(), 0).unwrap_or_else(|_| Decimal::zero())
        } else {
            // mant × 2^e2 = (mant × 5^-e2) × 10^e2; mant is odd so there are no trailing zeros.
            let n = BigUint::from(mant) * BigUint::from(5u32).pow((-e2) as u32);
            Decimal::from_parts(neg, &n.to_string(), e2).unwrap_or_else(|_| Decimal::zero())
        }
    }

    fn is_integer(&self) -> bool {
        self.exp >= 0
    }

    /// The f64 with exactly this value, if there is one and this is not an integer.
    fn exact_nonint_f64(&self) -> Option<f64> {
        // Non-integer f64s have at most 1074 fractional and 767 significant decimal digits.
        if self.exp >= 0 || self.exp < -1074 || self.digits.len() > 800 {
            return None;
        }
        let f: f64 = self.sci().parse().ok()?;
        (f.is_finite() && Decimal::from_f64(f) == *self).then_some(f)
    }

    /// `<digits>e<exp>`, valid for both Rust's and Go's float parsers and for JSON.
    fn sci(&self) -> String {
        let sign = if self.neg { "-" } else { "" };
        format!("{sign}{}e{}", self.digits, self.exp)
    }

    /// Plain decimal notation like go's `big.Float.Text('f', -1)`, falling back to [`sci`]
    /// when that would take more than [`PLAIN_ZEROS_LIMIT`] padding zeros.
    fn plain(&self) -> String {
        if self.digits.is_empty() {
            return "0".to_owned();
        }
        let len = self.digits.len() as i64;
        let pad = if self.exp >= 0 {
            self.exp
        } else {
            (-self.exp - len).max(0)
        };
        if pad > PLAIN_ZEROS_LIMIT {
            return self.sci();
        }
        let mut s = String::with_capacity(self.digits.len() + pad as usize + 3);
        if self.neg {
            s.push('-');
        }
        if self.exp >= 0 {
            s.push_str(&self.digits);
            s.extend(std::iter::repeat_n('0', pad as usize));
        } else if -self.exp >= len {
            s.push_str("0.");
            s.extend(std::iter::repeat_n('0', pad as usize));
            s.push_str(&self.digits);
        } else {
            let (int, frac) = self.digits.split_at((len + self.exp) as usize);
            s.push_str(int);
            s.push('.');
            s.push_str(frac);
        }
        s
    }
}

/// The numeric value. Integers that fit i128 are always `Int` (never `Dec`).
#[derive(Clone, Debug)]
enum Num {
    Int(i128),
    /// Finite or ±infinite, never NaN.
    Float(f64),
    /// Anything else: a non-integer, or an integer of more than 38 digits.
    Dec(Box<Decimal>),
}

impl Num {
    fn from_decimal(d: Decimal) -> Num {
        if d.digits.is_empty() {
            return Num::Int(0);
        }
        if d.exp >= 0 && d.digits.len() as i64 + d.exp <= 38 {
            // At most 38 digits: always fits i128.
            let mut v: i128 = 0;
            for b in d.digits.bytes() {
                v = v * 10 + i128::from(b - b'0');
            }
            for _ in 0..d.exp {
                v *= 10;
            }
            return Num::Int(if d.neg { -v } else { v });
        }
        Num::Dec(Box::new(d))
    }
}

/// The canonical exact value used for equality and hashing.
#[derive(PartialEq, Eq, Hash)]
enum Key<'a> {
    Finite(Cow<'a, Decimal>),
    Inf { neg: bool },
}

/// Where a number came from; it is written back in exactly that form.
#[derive(Clone, Debug)]
enum Source {
    Built,
    Msgpack(Box<[u8]>),
    Json(Box<str>),
}

/// A lossless Terraform number.
///
/// Equality is numeric (`0.5 == 0.50`, `1e2 == 100`, f64 compared by exact binary value).
/// A number decoded from msgpack re-encodes to the identical bytes, one decoded from JSON
/// keeps its source text; numbers built in Rust encode like go-cty: exact int64 → int,
/// non-integer exactly representable as f64 → float64, anything else → decimal string.
#[derive(Clone)]
pub struct Number {
    num: Num,
    src: Source,
}

impl Number {
    fn built(num: Num) -> Number {
        Number {
            num,
            src: Source::Built,
        }
    }

    pub fn from_i64(n: i64) -> Number {
        Number::built(Num::Int(n.into()))
    }

    pub fn from_u64(n: u64) -> Number {
        Number::built(Num::Int(n.into()))
    }

    /// The exact value of `f`; `None` for NaN. ±infinity is allowed (msgpack only).
    pub fn from_f64(f: f64) -> Option<Number> {
        (!f.is_nan()).then(|| Number::built(Num::Float(f)))
    }

    /// Parse decimal text the way Terraform does (`"0.1"`, `"-1e400"`, `"+5"`, `".5"`,
    /// `"Inf"`). Never goes through f64.
    pub fn parse(s: &str) -> Result<Number, ValueError> {
        parse_num(s).map(Number::built)
    }

    pub fn from_bigdecimal(d: &BigDecimal) -> Result<Number, ValueError> {
        let (int, scale) = d.as_bigint_and_scale();
        let exp = scale
            .checked_neg()
            .ok_or_else(|| ValueError::new("number is out of range"))?;
        let dec =
            Decimal::from_parts(int.sign() == Sign::Minus, &int.magnitude().to_string(), exp)?;
        Ok(Number::built(Num::from_decimal(dec)))
    }

    /// The exact value as a `BigDecimal`; `None` for ±infinity.
    pub fn to_bigdecimal(&self) -> Option<BigDecimal> {
        match self.key() {
            Key::Inf { .. } => None,
            Key::Finite(d) => {
                let mag = if d.digits.is_empty() {
                    BigInt::from(0)
                } else {
                    BigInt::parse_bytes(d.digits.as_bytes(), 10)?
                };
                let int = if d.neg { -mag } else { mag };
                Some(BigDecimal::new(int, -d.exp))
            }
        }
    }

    /// The value as i64 if it is an integer in range.
    pub fn to_i64(&self) -> Option<i64> {
        match &self.num {
            Num::Int(i) => i64::try_from(*i).ok(),
            Num::Float(f) => (f.fract() == 0.0
                && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(f))
            .then_some(*f as i64),
            Num::Dec(_) => None,
        }
    }

    /// The value as u64 if it is a non-negative integer in range.
    pub fn to_u64(&self) -> Option<u64> {
        match &self.num {
            Num::Int(i) => u64::try_from(*i).ok(),
            Num::Float(f) => (f.fract() == 0.0 && (0.0..1.844_674_407_370_955_2e19).contains(f))
                .then_some(*f as u64),
            Num::Dec(_) => None,
        }
    }

    /// The nearest f64 (lossy).
    pub fn to_f64(&self) -> f64 {
        match &self.num {
            Num::Int(i) => *i as f64,
            Num::Float(f) => *f,
            Num::Dec(d) => d.sci().parse().unwrap_or(f64::NAN),
        }
    }

    pub fn is_integer(&self) -> bool {
        match &self.num {
            Num::Int(_) => true,
            Num::Float(f) => f.is_finite() && f.fract() == 0.0,
            Num::Dec(d) => d.is_integer(),
        }
    }

    pub fn is_infinite(&self) -> bool {
        matches!(self.num, Num::Float(f) if f.is_infinite())
    }

    fn key(&self) -> Key<'_> {
        match &self.num {
            Num::Int(i) => Key::Finite(Cow::Owned(Decimal::from_u128(*i < 0, i.unsigned_abs()))),
            Num::Float(f) if f.is_infinite() => Key::Inf {
                neg: f.is_sign_negative(),
            },
            Num::Float(f) => Key::Finite(Cow::Owned(Decimal::from_f64(*f))),
            Num::Dec(d) => Key::Finite(Cow::Borrowed(d)),
        }
    }

    fn write_msgpack(&self, out: &mut Vec<u8>) -> Result<(), ValueError> {
        if let Source::Msgpack(wire) = &self.src {
            out.extend_from_slice(wire);
            return Ok(());
        }
        match &self.num {
            Num::Int(i) => match i64::try_from(*i) {
                Ok(v) => w_int(out, v),
                Err(_) => w_str(out, &i.to_string())?,
            },
            Num::Float(f) if f.is_infinite() => w_f64(out, *f),
            Num::Float(f) if f.fract() == 0.0 => match self.to_i64() {
                Some(v) => w_int(out, v),
                None => w_str(out, &Decimal::from_f64(*f).plain())?,
            },
            Num::Float(f) => w_f64(out, *f),
            Num::Dec(d) => match d.exact_nonint_f64() {
                Some(f) => w_f64(out, f),
                None => w_str(out, &d.plain())?,
            },
        }
        Ok(())
    }

    fn write_json(&self, out: &mut Vec<u8>) -> Result<(), ValueError> {
        if let Source::Json(text) = &self.src {
            out.extend_from_slice(text.as_bytes());
            return Ok(());
        }
        match &self.num {
            Num::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
            _ => match self.key() {
                Key::Inf { .. } => {
                    return Err(ValueError::new("infinity cannot be represented in JSON"))
                }
                Key::Finite(d) => out.extend_from_slice(d.plain().as_bytes()),
            },
        }
        Ok(())
    }
}

/// Parse decimal text: `[+-]` then `Inf`/`inf`, or digits with an optional `.` and optional
/// `e[+-]digits` exponent (what go's `big.ParseFloat(s, 10, …)` accepts, minus `p` exponents).
fn parse_num(s: &str) -> Result<Num, ValueError> {
    let bad = || ValueError::new(format!("invalid number {:?}", snippet(s)));
    let b = s.as_bytes();
    let (neg, rest) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        Some(b'+') => (false, &b[1..]),
        _ => (false, b),
    };
    if rest.eq_ignore_ascii_case(b"inf") || rest.eq_ignore_ascii_case(b"infinity") {
        return Ok(Num::Float(if neg {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        }));
    }
    let mut i = 0;
    let int_start = i;
    while i < rest.len() && rest[i].is_ascii_digit() {
        i += 1;
    }
    let int_part = &rest[int_start..i];
    let mut frac_part: &[u8] = &[];
    if i < rest.len() && rest[i] == b'.' {
        i += 1;
        let start = i;
        while i < rest.len() && rest[i].is_ascii_digit() {
            i += 1;
        }
        frac_part = &rest[start..i];
    }
    if int_part.is_empty() && frac_part.is_empty() {
        return Err(bad());
    }
    let mut exp: i64 = 0;
    if i < rest.len() && (rest[i] == b'e' || rest[i] == b'E') {
        i += 1;
        let eneg = match rest.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let start = i;
        while i < rest.len() && rest[i].is_ascii_digit() {
            // Saturate: anything this large is out of range anyway.
            exp = (exp * 10 + i64::from(rest[i] - b'0')).min(1 << 50);
            i += 1;
        }
        if i == start {
            return Err(bad());
        }
        if eneg {
            exp = -exp;
        }
    }
    if i != rest.len() {
        return Err(bad());
    }
    let frac_len = i64::try_from(frac_part.len()).map_err(|_| bad())?;
    // Both parts are ASCII digits, so this is valid UTF-8.
    let mut digits = String::with_capacity(int_part.len() + frac_part.len());
    digits.push_str(std::str::from_utf8(int_part).map_err(|_| bad())?);
    digits.push_str(std::str::from_utf8(frac_part).map_err(|_| bad())?);
    let d = Decimal::from_parts(neg, &digits, exp - frac_len)
        .map_err(|e| ValueError::new(format!("{}: {:?}", e.message, snippet(s))))?;
    Ok(Num::from_decimal(d))
}

impl PartialEq for Number {
    fn eq(&self, other: &Self) -> bool {
        match (&self.num, &other.num) {
            (Num::Int(a), Num::Int(b)) => a == b,
            (Num::Float(a), Num::Float(b)) => a == b,
            (Num::Dec(a), Num::Dec(b)) => a == b,
            _ => self.key() == other.key(),
        }
    }
}

impl Eq for Number {}

impl Hash for Number {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key().hash(state)
    }
}

/// Canonical plain decimal text of the exact value (`+Inf`/`-Inf` for infinities).
impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.num {
            Num::Int(i) => write!(f, "{i}"),
            _ => match self.key() {
                Key::Inf { neg: true } => f.write_str("-Inf"),
                Key::Inf { neg: false } => f.write_str("+Inf"),
                Key::Finite(d) => f.write_str(&d.plain()),
            },
        }
    }
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Number({self})")
    }
}

impl FromStr for Number {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Number, ValueError> {
        Number::parse(s)
    }
}

impl From<i64> for Number {
    fn from(n: i64) -> Number {
        Number::from_i64(n)
    }
}

impl From<i32> for Number {
    fn from(n: i32) -> Number {
        Number::from_i64(n.into())
    }
}

impl From<u64> for Number {
    fn from(n: u64) -> Number {
        Number::from_u64(n)
    }
}

impl From<u32> for Number {
    fn from(n: u32) -> Number {
        Number::from_u64(n.into())
    }
}

// ------------------------------------------------------------------------------------------
// Values
// ------------------------------------------------------------------------------------------

/// A Terraform value. Nulls and unknowns are untyped here: the type comes from the schema.
///
/// A value whose declared type is [`Type::Dynamic`] is `Null`, `Unknown`, or
/// `Dynamic(concrete_type, value)`. Equality is go-cty's RawEquals: numbers by value, sets
/// as unordered collections, `Unknown == Unknown`.
#[derive(Clone, Debug)]
pub enum Value {
    Null,
    Unknown,
    String(String),
    Number(Number),
    Bool(bool),
    List(Vec<Value>),
    /// Element order is kept as received; equality ignores it.
    Set(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Object(BTreeMap<String, Value>),
    Tuple(Vec<Value>),
    Dynamic(Type, Box<Value>),
}

impl Value {
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    pub fn number(n: impl Into<Number>) -> Value {
        Value::Number(n.into())
    }

    pub fn object<K: Into<String>>(attrs: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Object(attrs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    pub fn map<K: Into<String>>(entries: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    pub fn list(items: impl IntoIterator<Item = Value>) -> Value {
        Value::List(items.into_iter().collect())
    }

    pub fn set(items: impl IntoIterator<Item = Value>) -> Value {
        Value::Set(items.into_iter().collect())
    }

    pub fn tuple(items: impl IntoIterator<Item = Value>) -> Value {
        Value::Tuple(items.into_iter().collect())
    }

    /// A value for a `dynamic` slot: `value` conforms to `ty`.
    pub fn dynamic(ty: Type, value: Value) -> Value {
        Value::Dynamic(ty, Box::new(value))
    }

    /// For an object type, an object with every attribute null (the shape Terraform requires
    /// when all attributes must be present); plain `Null` for any other type.
    pub fn null_object(ty: &Type) -> Value {
        Self::filled_object(ty, Value::Null)
    }

    /// For an object type, an object with every attribute unknown; `Unknown` otherwise.
    pub fn unknown_object(ty: &Type) -> Value {
        Self::filled_object(ty, Value::Unknown)
    }

    fn filled_object(ty: &Type, fill: Value) -> Value {
        match ty {
            Type::Object(attrs) => {
                Value::Object(attrs.keys().map(|k| (k.clone(), fill.clone())).collect())
            }
            _ => fill,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }

    /// Not unknown at the top level (it may still contain unknowns).
    pub fn is_known(&self) -> bool {
        !self.is_unknown()
    }

    /// No unknown anywhere inside.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::Null | Value::String(_) | Value::Number(_) | Value::Bool(_) => true,
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                items.iter().all(Value::is_wholly_known)
            }
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
            Value::Dynamic(_, v) => v.is_wholly_known(),
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// A number that is an integer fitting i64.
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::to_i64)
    }

    /// Elements of a list, set or tuple.
    pub fn as_elements(&self) -> Option<&[Value]> {
        match self {
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => Some(items),
            _ => None,
        }
    }

    /// Entries of a map or attributes of an object.
    pub fn as_map(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Map(m) | Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// An object attribute (or map entry).
    pub fn get(&self, attr: &str) -> Option<&Value> {
        self.as_map().and_then(|m| m.get(attr))
    }

    /// Mutable object attribute (or map entry).
    pub fn get_mut(&mut self, attr: &str) -> Option<&mut Value> {
        match self {
            Value::Map(m) | Value::Object(m) => m.get_mut(attr),
            _ => None,
        }
    }

    /// Checks that the value conforms to `ty` (the same rules [`encode_msgpack`] applies).
    pub fn check_type(&self, ty: &Type) -> Result<(), ValueError> {
        encode_msgpack(self, ty).map(drop)
    }

    /// A short name for the value's shape, for messages.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Unknown => "unknown",
            Value::String(_) => "string",
            Value::Number(_) => "number",
            Value::Bool(_) => "bool",
            Value::List(_) => "list",
            Value::Set(_) => "set",
            Value::Map(_) => "map",
            Value::Object(_) => "object",
            Value::Tuple(_) => "tuple",
            Value::Dynamic(..) => "dynamic",
        }
    }
}

/// Multiset equality: each element of `a` is matched to a distinct equal element of `b`.
/// Quadratic, but Value has no total order or hash (numbers compare by value).
fn set_eq(a: &[Value], b: &[Value]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut used = vec![false; b.len()];
    a.iter().all(|x| {
        let found = b.iter().enumerate().position(|(j, y)| !used[j] && x == y);
        if let Some(j) = found {
            used[j] = true;
        }
        found.is_some()
    })
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) | (Value::Unknown, Value::Unknown) => true,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Number(a), Value::Number(b)) => a == b,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::List(a), Value::List(b)) | (Value::Tuple(a), Value::Tuple(b)) => a == b,
            (Value::Set(a), Value::Set(b)) => set_eq(a, b),
            (Value::Map(a), Value::Map(b)) | (Value::Object(a), Value::Object(b)) => a == b,
            (Value::Dynamic(ta, a), Value::Dynamic(tb, b)) => ta == tb && a == b,
            _ => false,
        }
    }
}

impl Eq for Value {}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_owned())
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<Number> for Value {
    fn from(n: Number) -> Value {
        Value::Number(n)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Value {
        Value::Number(n.into())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}

fn type_mismatch(v: &Value, ty: &Type) -> ValueError {
    if *ty == Type::Dynamic {
        ValueError::new(format!(
            "a dynamic-typed value must be Value::Dynamic(type, value), got {}",
            v.kind_name()
        ))
    } else {
        ValueError::new(format!(
            "{} is required, got {}",
            ty.kind_name(),
            v.kind_name()
        ))
    }
}

/// Object values must carry exactly the type's attributes (go-cty rejects anything else).
fn check_object_keys(
    m: &BTreeMap<String, Value>,
    attrs: &BTreeMap<String, Type>,
) -> Result<(), ValueError> {
    if let Some(k) = m.keys().find(|k| !attrs.contains_key(*k)) {
        return Err(ValueError::new("unsupported attribute").at(PathStep::Attr(k.clone())));
    }
    if let Some(k) = attrs.keys().find(|k| !m.contains_key(*k)) {
        return Err(ValueError::new("missing attribute").at(PathStep::Attr(k.clone())));
    }
    Ok(())
}

fn tuple_len_error(want: usize, got: usize) -> ValueError {
    ValueError::new(format!(
        "a tuple with {want} elements is required ({got} given)"
    ))
}

/// First 40 characters, for error messages about possibly huge input.
fn snippet(s: &str) -> Cow<'_, str> {
    match s.char_indices().nth(40) {
        Some((i, _)) => Cow::Owned(format!("{}…", &s[..i])),
        None => Cow::Borrowed(s),
    }
}

// ------------------------------------------------------------------------------------------
// msgpack
// ------------------------------------------------------------------------------------------

/// Decode a msgpack `DynamicValue` of type `ty`. Any msgpack extension decodes as `Unknown`.
pub fn decode_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
    let mut d = MpDecoder {
        r: Reader { buf: bytes, pos: 0 },
        depth: 0,
    };
    let v = d.value(ty)?;
    if d.r.remaining() != 0 {
        return Err(ValueError::new(format!(
            "{} trailing bytes after the msgpack value",
            d.r.remaining()
        )));
    }
    Ok(v)
}

/// Encode `value` as msgpack of type `ty`, as go-cty does (object keys sorted, unknowns as
/// `d4 00 00`, dynamic values as `[bin(type JSON), value]`).
pub fn encode_msgpack(value: &Value, ty: &Type) -> Result<Vec<u8>, ValueError> {
    let mut out = Vec::new();
    mp_encode(value, ty, &mut out)?;
    Ok(out)
}

fn truncated() -> ValueError {
    ValueError::new("unexpected end of msgpack input")
}

/// Bounds-checked cursor. Invariant: `pos <= buf.len()`.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn peek(&self) -> Result<u8, ValueError> {
        self.buf.get(self.pos).copied().ok_or_else(truncated)
    }

    fn byte(&mut self) -> Result<u8, ValueError> {
        let b = self.peek()?;
        self.pos += 1;
        Ok(b)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], ValueError> {
        if n > self.remaining() {
            return Err(truncated());
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], ValueError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    fn u16(&mut self) -> Result<usize, ValueError> {
        Ok(u16::from_be_bytes(self.array()?).into())
    }

    fn u32(&mut self) -> Result<usize, ValueError> {
        usize::try_from(u32::from_be_bytes(self.array()?)).map_err(|_| truncated())
    }
}

fn is_ext(m: u8) -> bool {
    matches!(m, 0xc7..=0xc9 | 0xd4..=0xd8)
}

fn describe(m: u8) -> &'static str {
    match m {
        0x00..=0x7f | 0xcc..=0xd3 | 0xe0..=0xff => "integer",
        0x80..=0x8f | 0xde | 0xdf => "map",
        0x90..=0x9f | 0xdc | 0xdd => "array",
        0xa0..=0xbf | 0xd9..=0xdb => "string",
        0xc0 => "nil",
        0xc1 => "invalid byte 0xc1",
        0xc2 | 0xc3 => "bool",
        0xc4..=0xc6 => "binary",
        0xc7..=0xc9 | 0xd4..=0xd8 => "extension",
        0xca | 0xcb => "float",
    }
}

fn mismatch(expected: &str, m: u8) -> ValueError {
    ValueError::new(format!(
        "{expected} is required, found msgpack {}",
        describe(m)
    ))
}

struct MpDecoder<'a> {
    r: Reader<'a>,
    depth: usize,
}

impl MpDecoder<'_> {
    fn value(&mut self, ty: &Type) -> Result<Value, ValueError> {
        let m = self.r.peek()?;
        // go-cty: "We just assume _all_ extensions are unknown values".
        if is_ext(m) {
            self.skip_ext()?;
            return Ok(Value::Unknown);
        }
        if m == NIL {
            self.r.pos += 1;
            return Ok(Value::Null);
        }
        match ty {
            Type::String => self.string().map(Value::String),
            Type::Number => self.number().map(Value::Number),
            Type::Bool => match self.r.byte()? {
                0xc2 => Ok(Value::Bool(false)),
                0xc3 => Ok(Value::Bool(true)),
                m => Err(mismatch("bool", m)),
            },
            Type::List(et) => self.nested(|d| d.elements(et)).map(Value::List),
            Type::Set(et) => self.nested(|d| d.elements(et)).map(Value::Set),
            Type::Tuple(ets) => self.nested(|d| d.tuple(ets)).map(Value::Tuple),
            Type::Map(et) => self.nested(|d| d.map(et)).map(Value::Map),
            Type::Object(attrs) => self.nested(|d| d.object(attrs)).map(Value::Object),
            Type::Dynamic => self.nested(|d| d.dynamic()),
        }
    }

    fn nested<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, ValueError>,
    ) -> Result<T, ValueError> {
        if self.depth >= MAX_VALUE_DEPTH {
            return Err(ValueError::new(format!(
                "value nesting exceeds {MAX_VALUE_DEPTH} levels"
            )));
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    fn skip_ext(&mut self) -> Result<(), ValueError> {
        let len = match self.r.byte()? {
            0xd4 => 1,
            0xd5 => 2,
            0xd6 => 4,
            0xd7 => 8,
            0xd8 => 16,
            0xc7 => usize::from(self.r.byte()?),
            0xc8 => self.r.u16()?,
            0xc9 => self.r.u32()?,
            m => return Err(mismatch("extension", m)),
        };
        self.r.take(1)?; // the extension type code: any code means "unknown"
        self.r.take(len)?; // e.g. ext 12 refinements: ignored
        Ok(())
    }

    fn str_len(&mut self, m: u8) -> Result<Option<usize>, ValueError> {
        Ok(Some(match m {
            0xa0..=0xbf => usize::from(m & 0x1f),
            0xd9 => usize::from(self.r.byte()?),
            0xda => self.r.u16()?,
            0xdb => self.r.u32()?,
            _ => return Ok(None),
        }))
    }

    fn string(&mut self) -> Result<String, ValueError> {
        let m = self.r.byte()?;
        let len = self.str_len(m)?.ok_or_else(|| mismatch("string", m))?;
        let bytes = self.r.take(len)?;
        std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|_| ValueError::new("string is not valid UTF-8"))
    }

    /// The type-JSON slot of a dynamic value: go-cty writes bin, older encoders used str.
    fn bytes_or_str(&mut self) -> Result<&[u8], ValueError> {
        let m = self.r.byte()?;
        let len = match m {
            0xc4 => usize::from(self.r.byte()?),
            0xc5 => self.r.u16()?,
            0xc6 => self.r.u32()?,
            _ => self
                .str_len(m)?
                .ok_or_else(|| mismatch("binary or string type JSON", m))?,
        };
        self.r.take(len)
    }

    fn array_len(&mut self) -> Result<usize, ValueError> {
        match self.r.byte()? {
            m @ 0x90..=0x9f => Ok(usize::from(m & 0x0f)),
            0xdc => self.r.u16(),
            0xdd => self.r.u32(),
            m => Err(mismatch("array", m)),
        }
    }

    fn map_len(&mut self) -> Result<usize, ValueError> {
        match self.r.byte()? {
            m @ 0x80..=0x8f => Ok(usize::from(m & 0x0f)),
            0xde => self.r.u16(),
            0xdf => self.r.u32(),
            m => Err(mismatch("map", m)),
        }
    }

    fn number(&mut self) -> Result<Number, ValueError> {
        let start = self.r.pos;
        let m = self.r.byte()?;
        let num = match m {
            0x00..=0x7f => Num::Int(m.into()),
            0xe0..=0xff => Num::Int(i8::from_be_bytes([m]).into()),
            0xcc => Num::Int(self.r.byte()?.into()),
            0xcd => Num::Int(u16::from_be_bytes(self.r.array()?).into()),
            0xce => Num::Int(u32::from_be_bytes(self.r.array()?).into()),
            0xcf => Num::Int(u64::from_be_bytes(self.r.array()?).into()),
            0xd0 => Num::Int(i8::from_be_bytes(self.r.array()?).into()),
            0xd1 => Num::Int(i16::from_be_bytes(self.r.array()?).into()),
            0xd2 => Num::Int(i32::from_be_bytes(self.r.array()?).into()),
            0xd3 => Num::Int(i64::from_be_bytes(self.r.array()?).into()),
            0xca => float_num(f32::from_be_bytes(self.r.array()?).into())?,
            0xcb => float_num(f64::from_be_bytes(self.r.array()?))?,
            0xa0..=0xbf | 0xd9..=0xdb => {
                self.r.pos = start;
                parse_num(&self.string()?)?
            }
            _ => return Err(mismatch("number", m)),
        };
        Ok(Number {
            num,
            src: Source::Msgpack(self.r.buf[start..self.r.pos].into()),
        })
    }

    fn elements(&mut self, et: &Type) -> Result<Vec<Value>, ValueError> {
        let n = self.array_len()?;
        // Every element takes at least one byte: never preallocate beyond the input.
        let mut items = Vec::with_capacity(n.min(self.r.remaining()));
        for i in 0..n {
            items.push(self.value(et).map_err(at_index(i))?);
        }
        Ok(items)
    }

    fn tuple(&mut self, ets: &[Type]) -> Result<Vec<Value>, ValueError> {
        let n = self.array_len()?;
        if n != ets.len() {
            return Err(tuple_len_error(ets.len(), n));
        }
        ets.iter()
            .enumerate()
            .map(|(i, et)| self.value(et).map_err(at_index(i)))
            .collect()
    }

    fn map(&mut self, et: &Type) -> Result<BTreeMap<String, Value>, ValueError> {
        let n = self.map_len()?;
        let mut out = BTreeMap::new();
        for _ in 0..n {
            let k = self.string()?;
            if out.contains_key(&k) {
                return Err(ValueError::new("duplicate map key").at(PathStep::Key(k)));
            }
            let v = self.value(et).map_err(at_key(&k))?;
            out.insert(k, v);
        }
        Ok(out)
    }

    fn object(
        &mut self,
        attrs: &BTreeMap<String, Type>,
    ) -> Result<BTreeMap<String, Value>, ValueError> {
        let n = self.map_len()?;
        let mut out = BTreeMap::new();
        for _ in 0..n {
            let k = self.string()?;
            let Some(aty) = attrs.get(&k) else {
                return Err(ValueError::new("unsupported attribute").at(PathStep::Attr(k)));
            };
            if out.contains_key(&k) {
                return Err(ValueError::new("duplicate attribute").at(PathStep::Attr(k)));
            }
            let v = self.value(aty).map_err(at_attr(&k))?;
            out.insert(k, v);
        }
        if let Some(k) = attrs.keys().find(|k| !out.contains_key(*k)) {
            return Err(ValueError::new("missing attribute").at(PathStep::Attr(k.clone())));
        }
        Ok(out)
    }

    fn dynamic(&mut self) -> Result<Value, ValueError> {
        let n = self.array_len()?;
        if n != 2 {
            return Err(ValueError::new(
                "a dynamic value must be a two-element array [type, value]",
            ));
        }
        let ty = Type::from_json_bytes(self.bytes_or_str()?)
            .map_err(|e| ValueError::new(format!("invalid type in dynamic value: {e}")))?;
        let v = self.value(&ty)?;
        Ok(Value::Dynamic(ty, Box::new(v)))
    }
}

fn float_num(f: f64) -> Result<Num, ValueError> {
    if f.is_nan() {
        Err(ValueError::new("NaN is not a valid number"))
    } else {
        Ok(Num::Float(f))
    }
}

fn w_uint(out: &mut Vec<u8>, n: u64) {
    match n {
        0..=0x7f => out.push(n as u8),
        0x80..=0xff => out.extend_from_slice(&[0xcc, n as u8]),
        0x100..=0xffff => {
            out.push(0xcd);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            out.push(0xce);
            out.extend_from_slice(&(n as u32).to_be_bytes());
        }
        _ => {
            out.push(0xcf);
            out.extend_from_slice(&n.to_be_bytes());
        }
    }
}

/// Smallest encoding, non-negative values in the uint family (as vmihailenco/msgpack does).
fn w_int(out: &mut Vec<u8>, n: i64) {
    if n >= 0 {
        w_uint(out, n as u64);
    } else if n >= -32 {
        out.push(n as u8);
    } else if n >= i8::MIN.into() {
        out.extend_from_slice(&[0xd0, n as u8]);
    } else if n >= i16::MIN.into() {
        out.push(0xd1);
        out.extend_from_slice(&(n as i16).to_be_bytes());
    } else if n >= i32::MIN.into() {
        out.push(0xd2);
        out.extend_from_slice(&(n as i32).to_be_bytes());
    } else {
        out.push(0xd3);
        out.extend_from_slice(&n.to_be_bytes());
    }
}

fn w_f64(out: &mut Vec<u8>, f: f64) {
    out.push(0xcb);
    out.extend_from_slice(&f.to_be_bytes());
}

fn len_u32(len: usize) -> Result<u32, ValueError> {
    u32::try_from(len).map_err(|_| ValueError::new("too large for msgpack"))
}

fn w_str(out: &mut Vec<u8>, s: &str) -> Result<(), ValueError> {
    let len = len_u32(s.len())?;
    match len {
        0..=31 => out.push(0xa0 | len as u8),
        32..=0xff => out.extend_from_slice(&[0xd9, len as u8]),
        0x100..=0xffff => {
            out.push(0xda);
            out.extend_from_slice(&(len as u16).to_be_bytes());
        }
        _ => {
            out.push(0xdb);
            out.extend_from_slice(&len.to_be_bytes());
        }
    }
    out.extend_from_slice(s.as_bytes());
    Ok(())
}

fn w_bin(out: &mut Vec<u8>, b: &[u8]) -> Result<(), ValueError> {
    let len = len_u32(b.len())?;
    match len {
        0..=0xff => out.extend_from_slice(&[0xc4, len as u8]),
        0x100..=0xffff => {
            out.push(0xc5);
            out.extend_from_slice(&(len as u16).to_be_bytes());
        }
        _ => {
            out.push(0xc6);
            out.extend_from_slice(&len.to_be_bytes());
        }
    }
    out.extend_from_slice(b);
    Ok(())
}

/// Array (`fix = 0x90`, `big = 0xdc`) or map (`fix = 0x80`, `big = 0xde`) header.
fn w_container_len(out: &mut Vec<u8>, len: usize, fix: u8, big: u8) -> Result<(), ValueError> {
    let len = len_u32(len)?;
    match len {
        0..=15 => out.push(fix | len as u8),
        16..=0xffff => {
            out.push(big);
            out.extend_from_slice(&(len as u16).to_be_bytes());
        }
        _ => {
            out.push(big + 1);
            out.extend_from_slice(&len.to_be_bytes());
        }
    }
    Ok(())
}

fn mp_encode(v: &Value, ty: &Type, out: &mut Vec<u8>) -> Result<(), ValueError> {
    match (v, ty) {
        (Value::Null, _) => out.push(NIL),
        // Also for `dynamic`: an unknown of dynamic type is a bare ext, not a [type, value] pair.
        (Value::Unknown, _) => out.extend_from_slice(&UNKNOWN),
        (Value::Dynamic(t, inner), Type::Dynamic) => {
            w_container_len(out, 2, 0x90, 0xdc)?;
            w_bin(out, &t.to_json_bytes())?;
            mp_encode(inner, t, out)?;
        }
        (Value::String(s), Type::String) => w_str(out, s)?,
        (Value::Number(n), Type::Number) => n.write_msgpack(out)?,
        (Value::Bool(b), Type::Bool) => out.push(if *b { 0xc3 } else { 0xc2 }),
        (Value::List(items), Type::List(et)) | (Value::Set(items), Type::Set(et)) => {
            w_container_len(out, items.len(), 0x90, 0xdc)?;
            for (i, item) in items.iter().enumerate() {
                mp_encode(item, et, out).map_err(at_index(i))?;
            }
        }
        (Value::Tuple(items), Type::Tuple(ets)) => {
            if items.len() != ets.len() {
                return Err(tuple_len_error(ets.len(), items.len()));
            }
            w_container_len(out, items.len(), 0x90, 0xdc)?;
            for (i, (item, et)) in items.iter().zip(ets).enumerate() {
                mp_encode(item, et, out).map_err(at_index(i))?;
            }
        }
        (Value::Map(m), Type::Map(et)) => {
            w_container_len(out, m.len(), 0x80, 0xde)?;
            for (k, item) in m {
                w_str(out, k)?;
                mp_encode(item, et, out).map_err(at_key(k))?;
            }
        }
        (Value::Object(m), Type::Object(attrs)) => {
            check_object_keys(m, attrs)?;
            w_container_len(out, attrs.len(), 0x80, 0xde)?;
            for ((k, item), aty) in m.iter().zip(attrs.values()) {
                w_str(out, k)?;
                mp_encode(item, aty, out).map_err(at_attr(k))?;
            }
        }
        (v, ty) => return Err(type_mismatch(v, ty)),
    }
    Ok(())
}

// ------------------------------------------------------------------------------------------
// JSON
// ------------------------------------------------------------------------------------------

/// Decode go-cty JSON of type `ty` (e.g. `RawState.json`). Objects must have exactly the
/// type's attributes. Like go-cty, primitives convert leniently: a string slot accepts a JSON
/// number or bool, a number slot a decimal string, a bool slot `"true"`/`"false"`.
pub fn decode_json(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
    decode_json_impl(bytes, ty, false)
}

/// Like [`decode_json`], but attributes the type lacks are dropped and missing ones become
/// null — for state written by another schema version (`UpgradeResourceState`).
pub fn decode_json_lenient(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
    decode_json_impl(bytes, ty, true)
}

fn decode_json_impl(bytes: &[u8], ty: &Type, lenient: bool) -> Result<Value, ValueError> {
    // serde_json limits nesting (128), which bounds the recursion below.
    let j: Json =
        serde_json::from_slice(bytes).map_err(|e| ValueError::new(format!("invalid JSON: {e}")))?;
    from_json_value(&j, ty, lenient)
}

/// Encode `value` as go-cty JSON of type `ty`. Unknowns and infinities are errors.
pub fn encode_json(value: &Value, ty: &Type) -> Result<Vec<u8>, ValueError> {
    let mut out = Vec::new();
    json_encode(value, ty, &mut out)?;
    Ok(out)
}

fn json_kind(j: &Json) -> &'static str {
    match j {
        Json::Null => "null",
        Json::Bool(_) => "bool",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

fn json_mismatch(expected: &str, j: &Json) -> ValueError {
    ValueError::new(format!(
        "{expected} is required, found JSON {}",
        json_kind(j)
    ))
}

fn finite_json_number(num: Num, src: Source) -> Result<Value, ValueError> {
    if matches!(num, Num::Float(f) if f.is_infinite()) {
        return Err(ValueError::new("infinity cannot be represented in JSON"));
    }
    Ok(Value::Number(Number { num, src }))
}

fn from_json_value(j: &Json, ty: &Type, lenient: bool) -> Result<Value, ValueError> {
    if j.is_null() {
        return Ok(Value::Null);
    }
    match ty {
        Type::String => match j {
            Json::String(s) => Ok(Value::String(s.clone())),
            Json::Number(n) => Ok(Value::String(n.as_str().to_owned())),
            Json::Bool(b) => Ok(Value::String(b.to_string())),
            _ => Err(json_mismatch("string", j)),
        },
        Type::Number => match j {
            // Keep the source text so it re-encodes verbatim.
            Json::Number(n) => {
                finite_json_number(parse_num(n.as_str())?, Source::Json(n.as_str().into()))
            }
            Json::String(s) => finite_json_number(parse_num(s)?, Source::Built),
            _ => Err(json_mismatch("number", j)),
        },
        Type::Bool => match j {
            Json::Bool(b) => Ok(Value::Bool(*b)),
            Json::String(s) if s == "true" => Ok(Value::Bool(true)),
            Json::String(s) if s == "false" => Ok(Value::Bool(false)),
            _ => Err(json_mismatch("bool", j)),
        },
        Type::List(et) | Type::Set(et) => {
            let Json::Array(a) = j else {
                return Err(json_mismatch(ty.kind_name(), j));
            };
            let items = a
                .iter()
                .enumerate()
                .map(|(i, x)| from_json_value(x, et, lenient).map_err(at_index(i)))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(if matches!(ty, Type::Set(_)) {
                Value::Set(items)
            } else {
                Value::List(items)
            })
        }
        Type::Tuple(ets) => {
            let Json::Array(a) = j else {
                return Err(json_mismatch("tuple", j));
            };
            if a.len() != ets.len() {
                return Err(tuple_len_error(ets.len(), a.len()));
            }
            a.iter()
                .zip(ets)
                .enumerate()
                .map(|(i, (x, et))| from_json_value(x, et, lenient).map_err(at_index(i)))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Tuple)
        }
        Type::Map(et) => {
            let Json::Object(m) = j else {
                return Err(json_mismatch("map", j));
            };
            m.iter()
                .map(|(k, x)| {
                    Ok((
                        k.clone(),
                        from_json_value(x, et, lenient).map_err(at_key(k))?,
                    ))
                })
                .collect::<Result<BTreeMap<_, _>, ValueError>>()
                .map(Value::Map)
        }
        Type::Object(attrs) => {
            let Json::Object(m) = j else {
                return Err(json_mismatch("object", j));
            };
            let mut out = BTreeMap::new();
            for (k, x) in m {
                match attrs.get(k) {
                    Some(aty) => {
                        out.insert(
                            k.clone(),
                            from_json_value(x, aty, lenient).map_err(at_attr(k))?,
                        );
                    }
                    None if lenient => {}
                    None => {
                        return Err(
                            ValueError::new("unsupported attribute").at(PathStep::Attr(k.clone()))
                        )
                    }
                }
            }
            for k in attrs.keys() {
                if !out.contains_key(k) {
                    if !lenient {
                        return Err(
                            ValueError::new("missing attribute").at(PathStep::Attr(k.clone()))
                        );
                    }
                    out.insert(k.clone(), Value::Null);
                }
            }
            Ok(Value::Object(out))
        }
        Type::Dynamic => {
            let Json::Object(m) = j else {
                return Err(json_mismatch("dynamically-typed value object", j));
            };
            let (mut t, mut body) = (None, None);
            for (k, x) in m {
                match k.as_str() {
                    "type" => t = Some(Type::from_json(x)?),
                    "value" => body = Some(x),
                    other => {
                        return Err(ValueError::new(format!(
                            "invalid key {:?} in dynamically-typed value",
                            snippet(other)
                        )))
                    }
                }
            }
            let t = t.ok_or_else(|| ValueError::new("missing type in dynamically-typed value"))?;
            let body =
                body.ok_or_else(|| ValueError::new("missing value in dynamically-typed value"))?;
            let v = from_json_value(body, &t, lenient)?;
            Ok(Value::Dynamic(t, Box::new(v)))
        }
    }
}

/// JSON string escaping as Go's encoding/json does it (including its HTML-safe escapes).
fn write_json_string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            '\u{0}'..='\u{1f}' | '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.extend_from_slice(format!("\\u{:04x}", u32::from(c)).as_bytes())
            }
            _ => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out.push(b'"');
}

fn json_encode(v: &Value, ty: &Type, out: &mut Vec<u8>) -> Result<(), ValueError> {
    match (v, ty) {
        (Value::Null, _) => out.extend_from_slice(b"null"),
        (Value::Unknown, _) => {
            return Err(ValueError::new(
                "unknown values cannot be serialized to JSON",
            ))
        }
        // go-cty writes "value" first, then "type".
        (Value::Dynamic(t, inner), Type::Dynamic) => {
            out.extend_from_slice(b"{\"value\":");
            json_encode(inner, t, out)?;
            out.extend_from_slice(b",\"type\":");
            t.write_json(out);
            out.push(b'}');
        }
        (Value::String(s), Type::String) => write_json_string(out, s),
        (Value::Number(n), Type::Number) => n.write_json(out)?,
        (Value::Bool(b), Type::Bool) => {
            out.extend_from_slice(if *b { &b"true"[..] } else { &b"false"[..] })
        }
        (Value::List(items), Type::List(et)) | (Value::Set(items), Type::Set(et)) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                json_encode(item, et, out).map_err(at_index(i))?;
            }
            out.push(b']');
        }
        (Value::Tuple(items), Type::Tuple(ets)) => {
            if items.len() != ets.len() {
                return Err(tuple_len_error(ets.len(), items.len()));
            }
            out.push(b'[');
            for (i, (item, et)) in items.iter().zip(ets).enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                json_encode(item, et, out).map_err(at_index(i))?;
            }
            out.push(b']');
        }
        (Value::Map(m), Type::Map(et)) => {
            out.push(b'{');
            for (i, (k, item)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_json_string(out, k);
                out.push(b':');
                json_encode(item, et, out).map_err(at_key(k))?;
            }
            out.push(b'}');
        }
        (Value::Object(m), Type::Object(attrs)) => {
            check_object_keys(m, attrs)?;
            out.push(b'{');
            for (i, ((k, item), aty)) in m.iter().zip(attrs.values()).enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_json_string(out, k);
                out.push(b':');
                json_encode(item, aty, out).map_err(at_attr(k))?;
            }
            out.push(b'}');
        }
        (v, ty) => return Err(type_mismatch(v, ty)),
    }
    Ok(())
}

// ------------------------------------------------------------------------------------------
// Tests
// ------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
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
        leaf.prop_recursive(depth, 24, 4, |inner| {
            prop_oneof![
                inner.clone().prop_map(Type::list),
                inner.clone().prop_map(Type::set),
                inner.clone().prop_map(Type::map),
                prop::collection::btree_map("[a-z_]{1,5}", inner.clone(), 0..4)
                    .prop_map(Type::Object),
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
        arb_type(3).prop_flat_map(move |t| (Just(t.clone()), arb_value(&t, unknowns, 2)))
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
}
