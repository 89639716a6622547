//! Lossless Terraform numbers (go-cty's 512-bit big.Float, modelled as exact decimals).

use std::borrow::Cow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use bigdecimal::num_bigint::{BigInt, BigUint, Sign};
use bigdecimal::BigDecimal;

use super::{snippet, ValueError};

/// Largest decimal exponent accepted (go-cty's 512-bit big.Float overflows well before 1e9).
const MAX_DECIMAL_EXP: i64 = 1_000_000_000;
/// Plain decimal notation pads with zeros; past this many we write `<digits>e<exp>` instead
/// (accepted by Terraform and by JSON) rather than megabytes of zeros.
const PLAIN_ZEROS_LIMIT: i64 = 10_000;

/// An exact finite decimal `(-1)^neg × digits × 10^exp`, normalised: `digits` has no leading
/// or trailing zeros (empty means zero, then `neg == false` and `exp == 0`). Normalisation makes
/// numeric equality structural, which matters because comparing decimals with wildly different
/// exponents by rescaling would let hostile input allocate without bound.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct Decimal {
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
    pub(super) fn from_f64(f: f64) -> Decimal {
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
    pub(super) fn exact_nonint_f64(&self) -> Option<f64> {
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

    /// Plain decimal notation like go's `big.Float.Text('f', -1)`, falling back to [`Self::sci`]
    /// when that would take more than [`PLAIN_ZEROS_LIMIT`] padding zeros.
    pub(super) fn plain(&self) -> String {
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
pub(super) enum Num {
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
pub(super) enum Source {
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
    pub(super) num: Num,
    pub(super) src: Source,
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

    pub(super) fn write_json(&self, out: &mut Vec<u8>) -> Result<(), ValueError> {
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
pub(super) fn parse_num(s: &str) -> Result<Num, ValueError> {
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
