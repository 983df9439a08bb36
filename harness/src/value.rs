//! Python values as data: what property tests generate, send to a worker and print back.
//!
//! Values cross the process boundary as compact JSON (`["i", "-1f"]`, ...), decoded by
//! `probes/worker.py`. The encoding is exact: ints of any size, floats by their bits (every NaN
//! payload and -0.0 survive), strings as code points (lone surrogates survive).

use std::fmt::{self, Write as _};

use proptest::prelude::*;
use serde_json::{Value as Json, json};

/// A Python value built from literals; the worker turns it into a fresh object for every call.
#[derive(Clone, Debug, PartialEq)]
pub enum PyValue {
    None,
    Bool(bool),
    Int(BigInt),
    Float(f64),
    /// Code points, lone surrogates included.
    Str(Vec<u32>),
    Bytes(Vec<u8>),
    List(Vec<PyValue>),
    Tuple(Vec<PyValue>),
    /// Key order is kept: Python dicts are ordered.
    Dict(Vec<(PyValue, PyValue)>),
    /// An object no literal can make (a capsule, an exception instance, a type): the worker
    /// calls the builder of this name from `probes/oracles.py` (`make_<name>`) on the value.
    Built(&'static str, Box<PyValue>),
}

/// An integer of any size: sign and little-endian 64-bit limbs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BigInt {
    pub negative: bool,
    pub limbs: Vec<u64>,
}

impl BigInt {
    pub fn from_i128(value: i128) -> Self {
        let magnitude = value.unsigned_abs();
        let limbs = vec![magnitude as u64, (magnitude >> 64) as u64];
        BigInt { negative: value < 0, limbs }.normalized()
    }

    fn normalized(mut self) -> Self {
        while self.limbs.last() == Some(&0) {
            self.limbs.pop();
        }
        if self.limbs.is_empty() {
            self.negative = false;
        }
        self
    }

    /// The value as an `i128` when it fits, for readable decimal output.
    pub fn to_i128(&self) -> Option<i128> {
        let this = self.clone().normalized();
        if this.limbs.len() > 2 {
            return None;
        }
        let low = u128::from(this.limbs.first().copied().unwrap_or(0));
        let high = u128::from(this.limbs.get(1).copied().unwrap_or(0));
        let magnitude = (high << 64) | low;
        if this.negative {
            if magnitude <= i128::MAX as u128 + 1 { Some((magnitude as i128).wrapping_neg()) } else { None }
        } else {
            i128::try_from(magnitude).ok()
        }
    }

    /// Hexadecimal digits with an optional leading `-`, no `0x` (Python: `int(text, 16)`).
    pub fn to_hex(&self) -> String {
        let this = self.clone().normalized();
        let mut out = String::new();
        if this.negative {
            out.push('-');
        }
        match this.limbs.split_last() {
            None => out.push('0'),
            Some((top, rest)) => {
                let _ = write!(out, "{top:x}");
                for limb in rest.iter().rev() {
                    let _ = write!(out, "{limb:016x}");
                }
            }
        }
        out
    }
}

impl PyValue {
    pub fn int(value: i128) -> Self {
        PyValue::Int(BigInt::from_i128(value))
    }

    pub fn str(text: &str) -> Self {
        PyValue::Str(text.chars().map(u32::from).collect())
    }

    /// The wire form read by `probes/worker.py`.
    pub fn to_wire(&self) -> Json {
        match self {
            PyValue::None => json!(["n"]),
            PyValue::Bool(b) => json!(["B", b]),
            PyValue::Int(i) => json!(["i", i.to_hex()]),
            PyValue::Float(f) => json!(["f", f.to_bits().to_string()]),
            PyValue::Str(cps) => json!(["s", cps]),
            PyValue::Bytes(bytes) => json!(["b", hex(bytes)]),
            PyValue::List(items) => json!(["l", items.iter().map(Self::to_wire).collect::<Vec<_>>()]),
            PyValue::Tuple(items) => json!(["t", items.iter().map(Self::to_wire).collect::<Vec<_>>()]),
            PyValue::Dict(pairs) => {
                json!(["d", pairs.iter().map(|(k, v)| json!([k.to_wire(), v.to_wire()])).collect::<Vec<_>>()])
            }
            PyValue::Built(builder, value) => json!(["x", builder, value.to_wire()]),
        }
    }

    /// Whether Python can hash this value (dict keys, set members).
    pub fn is_hashable(&self) -> bool {
        match self {
            PyValue::List(_) | PyValue::Dict(_) | PyValue::Built(..) => false,
            PyValue::Tuple(items) => items.iter().all(Self::is_hashable),
            _ => true,
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Python source that evaluates to the value: the counterexample as a user reads and replays it.
impl fmt::Display for PyValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PyValue::None => f.write_str("None"),
            PyValue::Bool(true) => f.write_str("True"),
            PyValue::Bool(false) => f.write_str("False"),
            PyValue::Int(i) => match i.to_i128() {
                Some(small) => write!(f, "{small}"),
                None => {
                    let hex = i.to_hex();
                    match hex.strip_prefix('-') {
                        Some(digits) => write!(f, "-0x{digits}"),
                        None => write!(f, "0x{hex}"),
                    }
                }
            },
            PyValue::Float(x) => {
                if x.is_nan() {
                    write!(f, "float('nan')")
                } else if x.is_infinite() {
                    write!(f, "float('{}inf')", if *x < 0.0 { "-" } else { "" })
                } else {
                    write!(f, "{x:?}")
                }
            }
            PyValue::Str(cps) => {
                f.write_char('\'')?;
                for &cp in cps {
                    match char::from_u32(cp) {
                        Some('\'') => f.write_str("\\'")?,
                        Some('\\') => f.write_str("\\\\")?,
                        Some(c) if (' '..='~').contains(&c) => f.write_char(c)?,
                        _ if cp <= 0xff => write!(f, "\\x{cp:02x}")?,
                        _ if cp <= 0xffff => write!(f, "\\u{cp:04x}")?,
                        _ => write!(f, "\\U{cp:08x}")?,
                    }
                }
                f.write_char('\'')
            }
            PyValue::Bytes(bytes) => {
                f.write_str("b'")?;
                for &b in bytes {
                    match b {
                        b'\'' => f.write_str("\\'")?,
                        b'\\' => f.write_str("\\\\")?,
                        b' '..=b'~' => f.write_char(char::from(b))?,
                        _ => write!(f, "\\x{b:02x}")?,
                    }
                }
                f.write_char('\'')
            }
            PyValue::List(items) => {
                f.write_char('[')?;
                write_items(f, items)?;
                f.write_char(']')
            }
            PyValue::Tuple(items) => {
                f.write_char('(')?;
                write_items(f, items)?;
                if items.len() == 1 {
                    f.write_char(',')?;
                }
                f.write_char(')')
            }
            PyValue::Dict(pairs) => {
                f.write_char('{')?;
                for (n, (k, v)) in pairs.iter().enumerate() {
                    if n > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}: {v}")?;
                }
                f.write_char('}')
            }
            PyValue::Built(builder, value) => write!(f, "make_{builder}({value})"),
        }
    }
}

fn write_items(f: &mut fmt::Formatter<'_>, items: &[PyValue]) -> fmt::Result {
    for (n, item) in items.iter().enumerate() {
        if n > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

/// Renders an argument list as a Python call's argument text: `(1, 'a')`.
/// The wire form of an argument list: what `probes/worker.py` decodes into a call's arguments.
pub fn args_to_wire(args: &[PyValue]) -> Json {
    Json::Array(args.iter().map(PyValue::to_wire).collect())
}

pub fn format_args(args: &[PyValue]) -> String {
    let parts: Vec<String> = args.iter().map(ToString::to_string).collect();
    format!("({})", parts.join(", "))
}

/// Strategies for Python values. Each shrinks towards the simplest value of its kind.
pub mod strategy {
    use super::*;

    /// Ints of every size: small ones, the C `long` boundaries, 128-bit and multi-limb values.
    pub fn int() -> BoxedStrategy<PyValue> {
        let edges = [
            0i128,
            1,
            -1,
            i128::from(i32::MAX),
            i128::from(i32::MIN),
            i128::from(u32::MAX),
            i128::from(i64::MAX),
            i128::from(i64::MIN),
            i128::from(i64::MAX) + 1,
            i128::from(i64::MIN) - 1,
            i128::from(u64::MAX),
            i128::from(u64::MAX) + 1,
            256,
            257,
            -5,
            -6,
        ];
        prop_oneof![
            4 => (-1000i128..1000).prop_map(PyValue::int),
            3 => any::<i64>().prop_map(|v| PyValue::int(v.into())),
            2 => proptest::sample::select(edges.to_vec()).prop_map(PyValue::int),
            2 => any::<i128>().prop_map(PyValue::int),
            1 => (any::<bool>(), proptest::collection::vec(any::<u64>(), 1..5))
                .prop_map(|(negative, limbs)| PyValue::Int(BigInt { negative, limbs }.normalized())),
        ]
        .boxed()
    }

    /// Ints that fit a C `long` (64-bit here), for APIs whose argument is a C integer.
    pub fn c_long() -> BoxedStrategy<i64> {
        prop_oneof![
            4 => -1000i64..1000,
            3 => any::<i64>(),
            1 => proptest::sample::select(vec![i64::MIN, i64::MAX, 0, -1, i64::from(i32::MAX) + 1]),
        ]
        .boxed()
    }

    /// Floats including NaN, both infinities, both zeros, subnormals and integral values.
    pub fn float() -> BoxedStrategy<PyValue> {
        let specials = [
            0.0f64,
            -0.0,
            1.0,
            -1.0,
            0.5,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            5e-324,
            9007199254740993.0,
            1e300,
            -1e-300,
            9.223372036854776e18,
        ];
        prop_oneof![
            3 => (-1.0e6f64..1.0e6).prop_map(PyValue::Float),
            2 => proptest::sample::select(specials.to_vec()).prop_map(PyValue::Float),
            2 => any::<u64>().prop_map(|bits| PyValue::Float(f64::from_bits(bits))),
            1 => (-1_000_000i64..1_000_000).prop_map(|v| PyValue::Float(v as f64)),
        ]
        .boxed()
    }

    /// A code point anywhere in Unicode, lone surrogates included, biased towards ASCII.
    pub fn code_point() -> BoxedStrategy<u32> {
        prop_oneof![
            6 => 0x20u32..0x7f,
            2 => 0u32..0x20,
            2 => 0x80u32..0x800,
            2 => 0x800u32..0x10000,
            1 => 0xD800u32..0xE000,
            1 => 0x10000u32..0x110000,
        ]
        .boxed()
    }

    pub fn str() -> BoxedStrategy<PyValue> {
        proptest::collection::vec(code_point(), 0..24).prop_map(PyValue::Str).boxed()
    }

    /// Strings without lone surrogates: what can be encoded to UTF-8.
    pub fn str_encodable() -> BoxedStrategy<PyValue> {
        proptest::collection::vec(
            code_point().prop_filter("lone surrogate", |cp| !(0xD800..0xE000).contains(cp)),
            0..24,
        )
        .prop_map(PyValue::Str)
        .boxed()
    }

    pub fn bytes() -> BoxedStrategy<PyValue> {
        proptest::collection::vec(any::<u8>(), 0..32).prop_map(PyValue::Bytes).boxed()
    }

    /// Hashable scalars: usable as dict keys.
    pub fn hashable() -> BoxedStrategy<PyValue> {
        prop_oneof![
            3 => int(),
            2 => str(),
            1 => bytes(),
            1 => float(),
            1 => Just(PyValue::None),
            1 => any::<bool>().prop_map(PyValue::Bool),
        ]
        .boxed()
    }

    pub fn scalar() -> BoxedStrategy<PyValue> {
        hashable()
    }

    /// Any value, containers nested up to three levels.
    pub fn any_value() -> BoxedStrategy<PyValue> {
        scalar()
            .prop_recursive(3, 24, 6, |inner| {
                prop_oneof![
                    proptest::collection::vec(inner.clone(), 0..6).prop_map(PyValue::List),
                    proptest::collection::vec(inner.clone(), 0..6).prop_map(PyValue::Tuple),
                    proptest::collection::vec((hashable(), inner), 0..6)
                        .prop_map(|pairs| PyValue::Dict(dedup_keys(pairs))),
                ]
            })
            .boxed()
    }

    pub fn list() -> BoxedStrategy<PyValue> {
        proptest::collection::vec(any_value(), 0..8).prop_map(PyValue::List).boxed()
    }

    pub fn tuple() -> BoxedStrategy<PyValue> {
        proptest::collection::vec(any_value(), 0..8).prop_map(PyValue::Tuple).boxed()
    }

    pub fn dict() -> BoxedStrategy<PyValue> {
        proptest::collection::vec((hashable(), any_value()), 0..8)
            .prop_map(|pairs| PyValue::Dict(dedup_keys(pairs)))
            .boxed()
    }

    /// Python collapses equal keys (1, 1.0 and True are one key); keeping only the first literal
    /// makes the rendered counterexample mean what was sent.
    fn dedup_keys(pairs: Vec<(PyValue, PyValue)>) -> Vec<(PyValue, PyValue)> {
        let mut seen: Vec<PyValue> = Vec::new();
        pairs
            .into_iter()
            .filter(|(k, _)| {
                if seen.contains(k) {
                    false
                } else {
                    seen.push(k.clone());
                    true
                }
            })
            .collect()
    }
}

/// Renders a value in the worker's wire form (as `probes/worker.py` encodes results) as Python
/// source, for messages.
pub fn render_wire(wire: &Json) -> String {
    let tag = wire.get(0).and_then(Json::as_str).unwrap_or("?");
    let payload = wire.get(1);
    let items = |payload: Option<&Json>| -> Vec<String> {
        payload.and_then(Json::as_array).map(|items| items.iter().map(render_wire).collect()).unwrap_or_default()
    };
    match tag {
        "n" => "None".into(),
        "B" => {
            if payload.and_then(Json::as_bool).unwrap_or(false) {
                "True".into()
            } else {
                "False".into()
            }
        }
        "i" => {
            let hex = payload.and_then(Json::as_str).unwrap_or("0");
            let (negative, digits) = hex.strip_prefix('-').map_or((false, hex), |d| (true, d));
            match i128::from_str_radix(digits, 16) {
                Ok(v) if negative => format!("-{v}"),
                Ok(v) => v.to_string(),
                Err(_) => format!("{}0x{digits}", if negative { "-" } else { "" }),
            }
        }
        "f" => payload
            .and_then(Json::as_str)
            .and_then(|bits| bits.parse::<u64>().ok())
            .map_or_else(|| "float(?)".into(), |bits| PyValue::Float(f64::from_bits(bits)).to_string()),
        "s" => PyValue::Str(
            payload
                .and_then(Json::as_array)
                .map(|cps| cps.iter().filter_map(Json::as_u64).map(|cp| cp as u32).collect())
                .unwrap_or_default(),
        )
        .to_string(),
        "b" | "ba" => {
            let text = payload.and_then(Json::as_str).unwrap_or("");
            let bytes: Vec<u8> =
                (0..text.len() / 2).filter_map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()).collect();
            let literal = PyValue::Bytes(bytes).to_string();
            if tag == "ba" { format!("bytearray({literal})") } else { literal }
        }
        "l" => format!("[{}]", items(payload).join(", ")),
        "t" => {
            let parts = items(payload);
            if parts.len() == 1 { format!("({},)", parts[0]) } else { format!("({})", parts.join(", ")) }
        }
        "d" => {
            let pairs: Vec<String> = payload
                .and_then(Json::as_array)
                .map(|pairs| {
                    pairs.iter().map(|pair| format!("{}: {}", render_wire(&pair[0]), render_wire(&pair[1]))).collect()
                })
                .unwrap_or_default();
            format!("{{{}}}", pairs.join(", "))
        }
        "type" => format!("<class {}>", payload.and_then(Json::as_str).unwrap_or("?")),
        "o" => wire.get(2).and_then(Json::as_str).unwrap_or("<object>").to_owned(),
        _ => wire.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_ints_render_and_encode() {
        assert_eq!(PyValue::int(-1).to_wire(), json!(["i", "-1"]));
        assert_eq!(PyValue::int(255).to_string(), "255");
        let big = PyValue::Int(BigInt { negative: true, limbs: vec![1, 0, 2] });
        assert_eq!(big.to_wire(), json!(["i", "-200000000000000000000000000000001"]));
        assert_eq!(big.to_string(), "-0x200000000000000000000000000000001");
        assert_eq!(PyValue::int(i128::MIN).to_string(), i128::MIN.to_string());
    }

    #[test]
    fn strings_render_as_python_literals() {
        assert_eq!(PyValue::Str(vec![0x61, 0xD800, 0x27, 0x1F600]).to_string(), "'a\\ud800\\'\\U0001f600'");
        assert_eq!(PyValue::Bytes(vec![0, b'a']).to_string(), "b'\\x00a'");
        assert_eq!(PyValue::Tuple(vec![PyValue::None]).to_string(), "(None,)");
        assert_eq!(PyValue::Float(f64::NAN).to_string(), "float('nan')");
        assert_eq!(PyValue::Float(-0.0).to_string(), "-0.0");
    }
}
