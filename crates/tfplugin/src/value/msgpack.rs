//! go-cty's msgpack encoding (`cty/msgpack`): a hand-written, bounds-checked reader and a
//! writer that produces the same bytes go-cty (vmihailenco/msgpack) does.

use std::collections::BTreeMap;

use super::number::{parse_num, Decimal, Num, Number, Source};
use super::{
    at_attr, at_index, at_key, check_object_keys, tuple_len_error, type_mismatch, PathStep, Type,
    Value, ValueError, MAX_VALUE_DEPTH,
};

pub(super) const NIL: u8 = 0xc0;
/// go-cty's unrefined unknown: fixext1, type 0, payload 0.
pub(super) const UNKNOWN: [u8; 3] = [0xd4, 0x00, 0x00];

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

/// A number as go-cty writes it: the wire bytes it was decoded from when it came from msgpack,
/// else an integer when it is one that fits an i64, a float when one holds it exactly, and
/// otherwise its decimal text.
fn w_number(out: &mut Vec<u8>, n: &Number) -> Result<(), ValueError> {
    if let Source::Msgpack(wire) = &n.src {
        out.extend_from_slice(wire);
        return Ok(());
    }
    match &n.num {
        Num::Int(i) => match i64::try_from(*i) {
            Ok(v) => w_int(out, v),
            Err(_) => w_str(out, &i.to_string())?,
        },
        Num::Float(f) if f.is_infinite() => w_f64(out, *f),
        Num::Float(f) if f.fract() == 0.0 => match n.to_i64() {
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

fn len_u32(len: usize) -> Result<u32, ValueError> {
    u32::try_from(len).map_err(|_| ValueError::new("too large for msgpack"))
}

pub(super) fn w_str(out: &mut Vec<u8>, s: &str) -> Result<(), ValueError> {
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
        (Value::Number(n), Type::Number) => w_number(out, n)?,
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
