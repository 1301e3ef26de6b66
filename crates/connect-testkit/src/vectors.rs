//! Seeded random test vectors for the differential tests: Connect schemas, values that fit
//! them (and, on request, values that do not), schemaless values, JSON texts and records.
//!
//! Every vector comes from a [`VectorGen`] seeded with one `u64`, so a mismatch is
//! reproduced from the seed a test prints. Generators lean towards the cases that break
//! converters: the ends of every integer range, `NaN`, infinities, `-0.0` and subnormal
//! floats, strings with quotes, backslashes, control characters and astral-plane characters,
//! empty containers, decimals with negative and large scales, nested optional structs with
//! defaults.

use std::str::FromStr;

use bigdecimal::BigDecimal;
use bigdecimal::num_bigint::BigInt;
use connect_api::data::{Date, Decimal, Time, Timestamp};
use connect_api::{Schema, SchemaBuilder, SchemaType, Struct, Value};

/// Field names the generated structs use: few, so that transformation configs that name
/// fields (`Cast` specs, `ReplaceField` renames, ...) find them.
pub const FIELD_NAMES: &[&str] = &[
    "a", "b", "c", "id", "name", "ts", "amount", "nested", "tags",
];

/// Env variable: a base seed for the differential tests instead of their fixed one.
pub const SEED_ENV: &str = "TRIBUTARY_ORACLE_SEED";
/// Env variable: how many vectors each differential test generates (scales the default).
pub const CASES_ENV: &str = "TRIBUTARY_ORACLE_CASES";

/// The base seed: `$TRIBUTARY_ORACLE_SEED`, else `default`.
pub fn base_seed(default: u64) -> u64 {
    std::env::var(SEED_ENV)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(default)
}

/// The number of cases: `$TRIBUTARY_ORACLE_CASES`, else `default`.
pub fn case_count(default: usize) -> usize {
    std::env::var(CASES_ENV)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(default)
}

/// Numbers in the forms producers write them.
const NUMBER_TEXTS: &[&str] = &[
    "0",
    "-0",
    "1.0",
    "-0.0",
    "1e3",
    "1E+3",
    "2.5e-3",
    "12345678901234567890",
    "-98765432109876543210",
    "1e400",
    "3.141592653589793238462643383279",
    "0.1",
    "100",
    "4.9e-324",
];

/// A seeded generator of Connect data.
#[derive(Debug, Clone)]
pub struct VectorGen {
    rng: fastrand::Rng,
    /// How deep schemas nest (structs, arrays, maps).
    pub max_depth: usize,
    /// Whether generated schemas may carry logical types.
    pub logical: bool,
    /// Whether generated schemas may carry default values.
    pub defaults: bool,
}

impl VectorGen {
    pub fn new(seed: u64) -> VectorGen {
        VectorGen {
            rng: fastrand::Rng::with_seed(seed),
            max_depth: 3,
            logical: true,
            defaults: true,
        }
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.rng.f64() < p
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { self.rng.usize(..n) }
    }

    /// One of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// A random `u64`.
    pub fn u64(&mut self) -> u64 {
        self.rng.u64(..)
    }

    // --- schemas --------------------------------------------------------------------------

    /// Any schema: primitive, logical, array, map or struct, nested up to `max_depth`.
    pub fn schema(&mut self) -> Schema {
        self.schema_at(0)
    }

    /// A struct schema with 1 to 5 fields.
    pub fn struct_schema(&mut self) -> Schema {
        self.struct_at(0, false)
    }

    fn schema_at(&mut self, depth: usize) -> Schema {
        let nested = depth < self.max_depth;
        let roll = self.below(if nested { 20 } else { 14 });
        let optional = self.chance(0.35);
        let builder = match roll {
            0 => SchemaBuilder::int8(),
            1 => SchemaBuilder::int16(),
            2 => SchemaBuilder::int32(),
            3 => SchemaBuilder::int64(),
            4 => SchemaBuilder::float32(),
            5 => SchemaBuilder::float64(),
            6 => SchemaBuilder::boolean(),
            7 | 8 => SchemaBuilder::string(),
            9 => SchemaBuilder::bytes(),
            10..=13 if self.logical => match roll {
                10 => Decimal::builder(self.scale()),
                11 => Date::builder(),
                12 => Time::builder(),
                _ => Timestamp::builder(),
            },
            10..=13 => SchemaBuilder::string(),
            14 | 15 => SchemaBuilder::array(self.schema_at(depth + 1)),
            16 | 17 => {
                let key = if self.chance(0.6) {
                    SchemaBuilder::string().build()
                } else {
                    self.schema_at(depth + 1)
                };
                SchemaBuilder::map(key, self.schema_at(depth + 1))
            }
            _ => return self.struct_at(depth, optional),
        };
        self.finish(builder, optional)
    }

    fn struct_at(&mut self, depth: usize, optional: bool) -> Schema {
        let mut builder = SchemaBuilder::struct_();
        let mut names: Vec<&str> = FIELD_NAMES.to_vec();
        self.rng.shuffle(&mut names);
        let count = 1 + self.below(5);
        for name in names.into_iter().take(count) {
            let schema = if depth + 1 < self.max_depth {
                self.schema_at(depth + 1)
            } else {
                self.primitive_schema()
            };
            builder = builder
                .field(name, schema)
                .expect("field names are distinct");
        }
        if self.chance(0.5) {
            builder = builder.name(format!("com.example.Record{}", self.below(4)));
        }
        if self.chance(0.2) {
            builder = builder.version(1 + self.below(3) as i32);
        }
        if self.chance(0.15) {
            builder = builder.doc("a record");
        }
        if optional {
            builder = builder.optional();
        }
        builder.build()
    }

    /// A primitive (or logical) schema, no containers.
    pub fn primitive_schema(&mut self) -> Schema {
        let saved = self.max_depth;
        self.max_depth = 0;
        let schema = self.schema_at(0);
        self.max_depth = saved;
        schema
    }

    fn scale(&mut self) -> i32 {
        *self.pick(&[0, 0, 1, 2, 2, 3, 5, 10, -2])
    }

    /// Optional flag, metadata and (sometimes) a default.
    fn finish(&mut self, builder: SchemaBuilder, optional: bool) -> Schema {
        let base = builder.build();
        let logical = base
            .name()
            .is_some_and(|n| n.starts_with("org.apache.kafka.connect.data."));
        let mut builder = base.to_builder();
        if !logical && self.chance(0.08) {
            builder = builder.name(format!("com.example.T{}", self.below(3)));
        }
        if !logical && self.chance(0.05) {
            builder = builder.version(1 + self.below(2) as i32);
        }
        if self.chance(0.05) {
            builder = builder.doc("documented");
        }
        if !logical && self.chance(0.05) {
            builder = builder.parameter("p", "v");
        }
        if optional {
            builder = builder.optional();
        }
        let schema = builder.build();
        if self.defaults && self.chance(0.15) {
            let default = self.present_value(&schema);
            if let Ok(with_default) = schema.to_builder().default_value(default) {
                return with_default.build();
            }
        }
        schema
    }

    // --- values ---------------------------------------------------------------------------

    /// A value valid for `schema` (null sometimes when the schema is optional).
    pub fn value(&mut self, schema: &Schema) -> Value {
        if schema.is_optional() && self.chance(0.15) {
            return Value::Null;
        }
        self.present_value(schema)
    }

    /// A non-null value valid for `schema`.
    pub fn present_value(&mut self, schema: &Schema) -> Value {
        match schema.name() {
            Some(connect_api::data::logical::DECIMAL_LOGICAL_NAME) => {
                let scale = Decimal::scale_of(schema).unwrap_or(0);
                return Value::Decimal(self.decimal(i64::from(scale)));
            }
            Some(connect_api::data::logical::DATE_LOGICAL_NAME) => {
                return Value::Int32(self.rng.i32(-800_000..800_000));
            }
            Some(connect_api::data::logical::TIME_LOGICAL_NAME) => {
                return Value::Int32(self.rng.i32(0..86_400_000));
            }
            Some(connect_api::data::logical::TIMESTAMP_LOGICAL_NAME) => {
                return Value::Int64(self.rng.i64(-60_000_000_000_000..60_000_000_000_000));
            }
            _ => {}
        }
        match schema.schema_type() {
            SchemaType::Int8 => Value::Int8(self.int8()),
            SchemaType::Int16 => Value::Int16(self.int16()),
            SchemaType::Int32 => Value::Int32(self.int32()),
            SchemaType::Int64 => Value::Int64(self.int64()),
            SchemaType::Float32 => Value::Float32(self.float32()),
            SchemaType::Float64 => Value::Float64(self.float64()),
            SchemaType::Boolean => Value::Boolean(self.rng.bool()),
            SchemaType::String => Value::String(self.string()),
            SchemaType::Bytes => Value::Bytes(self.bytes()),
            SchemaType::Array => {
                let Ok(element) = schema.value_schema() else {
                    return Value::Null;
                };
                let n = self.len();
                Value::Array((0..n).map(|_| self.value(element)).collect())
            }
            SchemaType::Map => {
                let (Ok(k), Ok(v)) = (schema.key_schema(), schema.value_schema()) else {
                    return Value::Null;
                };
                let n = self.len();
                let mut entries: Vec<(Value, Value)> = Vec::with_capacity(n);
                for _ in 0..n {
                    let key = self.value(k);
                    // Java maps hold a key once; a repeated key would be a different input.
                    if entries
                        .iter()
                        .any(|(existing, _)| crate::oracle::identical(existing, &key))
                    {
                        continue;
                    }
                    let value = self.value(v);
                    entries.push((key, value));
                }
                Value::Map(entries)
            }
            SchemaType::Struct => {
                let Ok(mut s) = Struct::new(schema.clone()) else {
                    return Value::Null;
                };
                let fields: Vec<(String, Schema)> = schema
                    .fields()
                    .map(|fs| {
                        fs.iter()
                            .map(|f| (f.name().to_owned(), f.schema().clone()))
                            .collect()
                    })
                    .unwrap_or_default();
                for (name, field_schema) in fields {
                    // A field with a default may be left unset.
                    if field_schema.default_value().is_some() && self.chance(0.3) {
                        continue;
                    }
                    let v = self.value(&field_schema);
                    if !v.is_null() {
                        let _ = s.put(&name, v);
                    }
                }
                Value::Struct(s)
            }
        }
    }

    /// A value that does not fit `schema`: another type, a null where none is allowed, or
    /// a logical value out of its range. Used to compare how errors are handled.
    pub fn invalid_value(&mut self, schema: &Schema) -> Value {
        match self.below(4) {
            0 if !schema.is_optional() && schema.default_value().is_none() => Value::Null,
            1 if schema.name() == Some(connect_api::data::logical::TIME_LOGICAL_NAME) => {
                Value::Int32(86_400_000 + self.rng.i32(0..1000))
            }
            1 if schema.name() == Some(connect_api::data::logical::DECIMAL_LOGICAL_NAME) => {
                let scale = Decimal::scale_of(schema).unwrap_or(0);
                Value::Decimal(self.decimal(i64::from(scale) + 1))
            }
            _ => {
                // A value of another type.
                let other = loop {
                    let candidate = self.primitive_schema();
                    if candidate.schema_type() != schema.schema_type() {
                        break candidate;
                    }
                };
                self.present_value(&other)
            }
        }
    }

    /// A value with no schema, as a schemaless source produces: primitives, lists and
    /// maps (string keys mostly) nested up to `max_depth`.
    pub fn schemaless_value(&mut self) -> Value {
        self.schemaless_at(0)
    }

    fn schemaless_at(&mut self, depth: usize) -> Value {
        let roll = self.below(if depth < self.max_depth { 14 } else { 11 });
        match roll {
            0 => Value::Null,
            1 => Value::Int8(self.int8()),
            2 => Value::Int16(self.int16()),
            3 => Value::Int32(self.int32()),
            4 => Value::Int64(self.int64()),
            5 => Value::Float32(self.float32()),
            6 => Value::Float64(self.float64()),
            7 => Value::Boolean(self.rng.bool()),
            8 | 9 => Value::String(self.string()),
            10 => Value::Bytes(self.bytes()),
            11 => {
                let n = self.len();
                Value::Array((0..n).map(|_| self.schemaless_at(depth + 1)).collect())
            }
            _ => {
                let n = self.len();
                let string_keys = self.chance(0.8);
                let mut entries: Vec<(Value, Value)> = Vec::new();
                for _ in 0..n {
                    let key = if string_keys {
                        Value::String(self.pick(FIELD_NAMES).to_string())
                    } else {
                        self.schemaless_at(self.max_depth)
                    };
                    if entries
                        .iter()
                        .any(|(existing, _)| crate::oracle::identical(existing, &key))
                    {
                        continue;
                    }
                    entries.push((key, self.schemaless_at(depth + 1)));
                }
                Value::Map(entries)
            }
        }
    }

    // --- primitives -----------------------------------------------------------------------

    fn len(&mut self) -> usize {
        *self.pick(&[0, 1, 1, 2, 2, 3, 5])
    }

    pub fn int8(&mut self) -> i8 {
        if self.chance(0.3) {
            *self.pick(&[i8::MIN, -1, 0, 1, i8::MAX])
        } else {
            self.rng.i8(..)
        }
    }

    pub fn int16(&mut self) -> i16 {
        if self.chance(0.3) {
            *self.pick(&[i16::MIN, -1, 0, 1, 128, i16::MAX])
        } else {
            self.rng.i16(..)
        }
    }

    pub fn int32(&mut self) -> i32 {
        if self.chance(0.3) {
            *self.pick(&[i32::MIN, -1, 0, 1, 32768, i32::MAX])
        } else if self.chance(0.5) {
            self.rng.i32(-1000..1000)
        } else {
            self.rng.i32(..)
        }
    }

    pub fn int64(&mut self) -> i64 {
        if self.chance(0.3) {
            *self.pick(&[
                i64::MIN,
                -1,
                0,
                1,
                1 << 53,
                (1 << 53) + 1,
                i64::from(i32::MAX) + 1,
                i64::MAX,
            ])
        } else if self.chance(0.5) {
            self.rng.i64(-100_000..100_000)
        } else {
            self.rng.i64(..)
        }
    }

    pub fn float32(&mut self) -> f32 {
        if self.chance(0.3) {
            *self.pick(&[
                0.0,
                -0.0,
                1.0,
                -1.5,
                0.1,
                f32::MIN_POSITIVE,
                1.0e-45,
                f32::MAX,
                f32::MIN,
                f32::NAN,
                f32::INFINITY,
                f32::NEG_INFINITY,
                1.0e7,
                1.0e-3,
                123_456_790.0,
            ])
        } else if self.chance(0.5) {
            (self.rng.i32(-100_000..100_000) as f32) / 100.0
        } else {
            f32::from_bits(self.rng.u32(..))
        }
    }

    pub fn float64(&mut self) -> f64 {
        if self.chance(0.3) {
            *self.pick(&[
                0.0,
                -0.0,
                1.0,
                -2.5,
                0.1,
                f64::MIN_POSITIVE,
                5.0e-324,
                f64::MAX,
                f64::MIN,
                f64::NAN,
                f64::INFINITY,
                f64::NEG_INFINITY,
                1.0e7,
                1.0e-3,
                1.0e21,
                9_007_199_254_740_993.0,
            ])
        } else if self.chance(0.5) {
            (self.rng.i64(-10_000_000..10_000_000) as f64) / 1000.0
        } else {
            f64::from_bits(self.rng.u64(..))
        }
    }

    /// Text that trips JSON writers: quotes, backslashes, control characters, non-ASCII.
    pub fn string(&mut self) -> String {
        const PIECES: &[&str] = &[
            "a",
            "b",
            "hello",
            " ",
            "0",
            "-1",
            "1.5",
            "true",
            "null",
            "\"",
            "\\",
            "/",
            "\n",
            "\t",
            "\r",
            "\u{0}",
            "\u{1f}",
            "\u{7f}",
            "é",
            "日本",
            "😀",
            "\u{2028}",
            "\u{feff}",
            "<",
            "&",
            "'",
            "{",
            "]",
            "2024-01-02",
        ];
        let n = *self.pick(&[0, 1, 1, 2, 3, 5, 8]);
        (0..n).map(|_| *self.pick(PIECES)).collect()
    }

    pub fn bytes(&mut self) -> Vec<u8> {
        let n = *self.pick(&[0, 1, 2, 3, 4, 7, 16]);
        (0..n).map(|_| self.rng.u8(..)).collect()
    }

    /// A decimal with exactly `scale`.
    pub fn decimal(&mut self, scale: i64) -> BigDecimal {
        let digits = 1 + self.below(30);
        let mut text: String = (0..digits)
            .map(|_| char::from(b'0' + self.rng.u8(0..10)))
            .collect();
        if self.chance(0.4) {
            text.insert(0, '-');
        }
        let unscaled = BigInt::from_str(&text).unwrap_or_default();
        BigDecimal::new(unscaled, scale)
    }

    /// A JSON text that a schemaless JsonConverter may be asked to read: any JSON value,
    /// with numbers written in the forms producers use (exponents, big integers, `-0`).
    pub fn json_text(&mut self) -> String {
        let mut out = String::new();
        self.json_into(&mut out, 0);
        out
    }

    fn json_into(&mut self, out: &mut String, depth: usize) {
        let roll = self.below(if depth < self.max_depth { 12 } else { 9 });
        match roll {
            0 => out.push_str("null"),
            1 => out.push_str(if self.rng.bool() { "true" } else { "false" }),
            2 => out.push_str(&self.int64().to_string()),
            3 => {
                let text: &&str = self.pick(NUMBER_TEXTS);
                out.push_str(text);
            }
            4 => out.push_str(&format!(
                "{}",
                (self.rng.i32(-100_000..100_000) as f64) / 8.0
            )),
            5..=8 => {
                let s = self.string();
                out.push_str(&serde_json::Value::String(s).to_string());
            }
            9 | 10 => {
                out.push('[');
                for i in 0..self.len() {
                    if i > 0 {
                        out.push(',');
                    }
                    self.json_into(out, depth + 1);
                }
                out.push(']');
            }
            _ => {
                out.push('{');
                let mut names: Vec<&str> = FIELD_NAMES.to_vec();
                self.rng.shuffle(&mut names);
                for (i, name) in names.into_iter().take(self.len()).enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&format!("\"{name}\":"));
                    self.json_into(out, depth + 1);
                }
                out.push('}');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_vectors() {
        let draw = |seed| {
            let mut g = VectorGen::new(seed);
            (0..50)
                .map(|_| {
                    let s = g.schema();
                    let v = g.value(&s);
                    format!("{s:?} {v:?}")
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
    }

    #[test]
    fn generated_values_fit_their_schemas() {
        let mut g = VectorGen::new(1);
        for _ in 0..2000 {
            let s = g.schema();
            let v = g.value(&s);
            assert!(s.validate_value(&v).is_ok(), "{s:?} {v:?}");
            let bad = g.invalid_value(&s);
            assert!(
                s.validate_value(&bad).is_err() || s.name().is_some(),
                "{s:?} {bad:?}"
            );
        }
    }

    #[test]
    fn json_texts_parse() {
        let mut g = VectorGen::new(3);
        for _ in 0..500 {
            let text = g.json_text();
            assert!(
                serde_json::from_str::<serde_json::Value>(&text).is_ok(),
                "{text}"
            );
        }
    }
}
