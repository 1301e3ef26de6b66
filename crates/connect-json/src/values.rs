//! Kafka's `Values` string forms: [`convert_to_string`] and [`parse_string`], which
//! `SimpleHeaderConverter` uses to write header values as text and to infer a schema when
//! reading them back.
//!
//! Writing: numbers as Java prints them, booleans as `true`/`false`, bytes as base64,
//! temporal logical values as ISO-8601 in UTC (chosen, as in Kafka, by the value: below
//! one day `HH:mm:ss.SSS'Z'`, whole days `yyyy-MM-dd`, otherwise a full timestamp),
//! arrays as `[a,b]`, maps as `{k:v}` and structs as `{"field":value}`; inside those,
//! strings are quoted with `\` and `"` escaped.
//!
//! Reading is a port of Kafka's tokenizer and parser, quirks included: `true`, `false`,
//! `null`; the smallest integer type that holds a number (`int8` up to `int64`), `float32`
//! for other finite numbers that fit it, then `float64`, else a `Decimal`; ISO-8601 time,
//! date and timestamp literals; arrays and maps whose elements share a schema (numbers are
//! widened to a common type) and, when they do not, arrays and maps without element
//! schemas. Anything that does not parse as a whole is the original string.

use connect_api::data::logical::{
    DATE_LOGICAL_NAME, DECIMAL_LOGICAL_NAME, TIME_LOGICAL_NAME, TIMESTAMP_LOGICAL_NAME,
};
use connect_api::data::{Date, Decimal, Time, Timestamp};
use connect_api::{
    ConnectError, ConnectResult, Schema, SchemaAndValue, SchemaBuilder, SchemaType, Value,
};

use base64::Engine as _;

use crate::java::{self, IsoPattern, JavaDecimal, KeyIndex, MILLIS_PER_DAY};

/// `Values.convertToString(schema, value)`; `None` for a null value.
pub fn convert_to_string(schema: Option<&Schema>, value: &Value) -> ConnectResult<Option<String>> {
    if value.is_null() {
        return Ok(None);
    }
    let mut out = String::new();
    append(&mut out, schema, value, false)?;
    Ok(Some(out))
}

fn temporal_millis(schema: Option<&Schema>, value: &Value) -> Option<i64> {
    match (schema.and_then(Schema::name), value) {
        (Some(DATE_LOGICAL_NAME), Value::Int32(days)) => Some(i64::from(*days) * MILLIS_PER_DAY),
        (Some(TIME_LOGICAL_NAME), Value::Int32(ms)) => Some(i64::from(*ms)),
        (Some(TIMESTAMP_LOGICAL_NAME), Value::Int64(ms)) => Some(*ms),
        _ => None,
    }
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

fn append(
    out: &mut String,
    schema: Option<&Schema>,
    value: &Value,
    embedded: bool,
) -> ConnectResult<()> {
    if let Some(millis) = temporal_millis(schema, value) {
        out.push_str(&java::iso_format(millis));
        return Ok(());
    }
    match value {
        Value::Null => out.push_str("null"),
        Value::Int8(v) => out.push_str(&v.to_string()),
        Value::Int16(v) => out.push_str(&v.to_string()),
        Value::Int32(v) => out.push_str(&v.to_string()),
        Value::Int64(v) => out.push_str(&v.to_string()),
        Value::Float32(v) => out.push_str(&java::float_to_string(*v)),
        Value::Float64(v) => out.push_str(&java::double_to_string(*v)),
        Value::Decimal(v) => out.push_str(&java::big_decimal_to_string(v)),
        Value::Boolean(v) => out.push_str(if *v { "true" } else { "false" }),
        Value::String(v) => {
            if embedded {
                out.push('"');
                out.push_str(&escape(v));
                out.push('"');
            } else {
                out.push_str(v);
            }
        }
        Value::Bytes(v) => {
            let encoded = base64::engine::general_purpose::STANDARD.encode(v);
            if embedded {
                out.push('"');
                out.push_str(&encoded);
                out.push('"');
            } else {
                out.push_str(&encoded);
            }
        }
        Value::Array(items) => {
            let item_schema = schema.and_then(|s| s.value_schema().ok());
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                append(out, item_schema, item, true)?;
            }
            out.push(']');
        }
        Value::Map(entries) => {
            let key_schema = schema.and_then(|s| s.key_schema().ok());
            let value_schema = schema.and_then(|s| s.value_schema().ok());
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                append(out, key_schema, k, true)?;
                out.push(':');
                append(out, value_schema, v, true)?;
            }
            out.push('}');
        }
        Value::Struct(s) => {
            out.push('{');
            for (i, field) in s.schema().fields()?.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                append(out, None, &Value::String(field.name().to_string()), true)?;
                out.push(':');
                append(out, Some(field.schema()), s.get_by_field(field), true)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

/// `Values.asLong` of a string: `new BigDecimal(text).longValue()`, the integer part kept
/// to its low 64 bits (so `convertToInteger` and the other narrowing conversions wrap as
/// Java's casts do); `None` where `new BigDecimal` would throw.
pub fn string_as_long(text: &str) -> Option<i64> {
    crate::java::JavaDecimal::parse(text).map(|d| d.wrapping_long())
}

/// `Values.asDouble` of a string: `new BigDecimal(text).doubleValue()`; `None` where
/// `new BigDecimal` would throw.
pub fn string_as_double(text: &str) -> Option<f64> {
    crate::java::JavaDecimal::parse(text).map(|d| d.to_f64())
}

/// `new BigDecimal(text)`, scale kept; `None` where Java would throw.
pub fn string_as_big_decimal(text: &str) -> Option<bigdecimal::BigDecimal> {
    crate::java::JavaDecimal::parse(text).map(|d| d.to_big_decimal())
}

/// `Values.parseString(value)`: the value with an inferred schema. `"null"` (and only
/// that, possibly blank-padded) gives [`SchemaAndValue::null`]; the empty string is an
/// empty `string`. Arrays and maps nested deeper than 128 levels are not parsed; the text
/// is then returned as a string.
pub fn parse_string(text: &str) -> SchemaAndValue {
    parse_checked(text).unwrap_or_else(|| string(text))
}

fn string(text: &str) -> SchemaAndValue {
    SchemaAndValue::new(Some(Schema::string()), Value::String(text.to_string()))
}

/// [`parse_string`], or `None` where the nesting is too deep to follow.
pub(crate) fn parse_checked(text: &str) -> Option<SchemaAndValue> {
    if text.is_empty() {
        return Some(string(text));
    }
    let mut parser = ValueParser {
        parser: Parser::new(text),
        depth: 0,
    };
    match parser.parse(false) {
        Ok(Some(parsed)) => Some(parsed),
        Ok(None) => Some(SchemaAndValue::null()),
        Err(Failure::TooDeep) => None,
        // A top-level parse always ends in a string; this is only a safety net.
        Err(Failure::Invalid(_)) => Some(string(text)),
    }
}

fn is_blank(text: &str) -> bool {
    java::trim(text).is_empty()
}

/// Kafka's `Values.Parser`: a tokenizer splitting on unescaped `: , { } [ ] "`.
struct Parser {
    original: String,
    chars: Vec<char>,
    index: usize,
    next_token: Option<String>,
    previous_token: Option<String>,
}

impl Parser {
    fn new(original: &str) -> Self {
        Parser {
            original: original.to_string(),
            chars: original.chars().collect(),
            index: 0,
            next_token: None,
            previous_token: None,
        }
    }

    fn position(&self) -> usize {
        self.index
    }

    fn mark(&self) -> usize {
        self.index - self.next_token.as_ref().map_or(0, |t| t.chars().count())
    }

    fn rewind_to(&mut self, position: usize) {
        self.index = position;
        self.next_token = None;
        self.previous_token = None;
    }

    fn has_next(&self) -> bool {
        self.next_token.is_some() || self.can_consume_next_token()
    }

    fn can_consume_next_token(&self) -> bool {
        self.chars.len() > self.index
    }

    fn next(&mut self) -> String {
        let token = match self.next_token.take() {
            Some(token) => token,
            None => self.consume_next_token(),
        };
        self.previous_token = Some(token.clone());
        token
    }

    fn next_n(&mut self, n: usize) -> Option<String> {
        let start = self.mark();
        for _ in 0..n {
            if !self.has_next() {
                self.rewind_to(start);
                return None;
            }
            self.next();
        }
        Some(self.substring(start, self.position()))
    }

    fn substring(&self, start: usize, end: usize) -> String {
        self.chars[start.min(end)..end.min(self.chars.len())]
            .iter()
            .collect()
    }

    fn consume_next_token(&mut self) -> String {
        let mut escaped = false;
        let start = self.index;
        while self.can_consume_next_token() {
            let c = self.chars[self.index];
            match c {
                '\\' => escaped = !escaped,
                ':' | ',' | '{' | '}' | '[' | ']' | '"' => {
                    if !escaped {
                        if start < self.index {
                            return self.substring(start, self.index);
                        }
                        self.index += 1;
                        return self.substring(start, start + 1);
                    }
                    escaped = false;
                }
                _ => escaped = false,
            }
            self.index += 1;
        }
        self.substring(start, self.index)
    }

    fn previous(&self) -> Option<&str> {
        self.previous_token.as_deref()
    }

    fn can_consume(&mut self, expected: &str) -> bool {
        if self.is_next(expected) {
            self.next_token = None;
            return true;
        }
        false
    }

    /// `isNext(expected, true)`: blank tokens are skipped (and dropped).
    fn is_next(&mut self, expected: &str) -> bool {
        if self.next_token.is_none() {
            if !self.has_next() {
                return false;
            }
            self.next_token = Some(self.consume_next_token());
        }
        while self.next_token.as_deref().is_some_and(is_blank) && self.can_consume_next_token() {
            self.next_token = Some(self.consume_next_token());
        }
        self.next_token
            .as_deref()
            .is_some_and(|token| java::trim(token) == expected)
    }
}

/// Why a parse failed: Kafka's `DataException` (an enclosing array or map then reads as
/// a string), or nesting deeper than [`MAX_DEPTH`] (where Kafka's recursion would end in a
/// `StackOverflowError`, which `SimpleHeaderConverter` answers with the raw bytes).
#[derive(Debug)]
enum Failure {
    /// Kafka's exception message; only shown by `Debug`.
    Invalid(#[allow(dead_code)] String),
    TooDeep,
}

type Parsed<T> = Result<T, Failure>;

/// The deepest nesting of arrays and maps the parser follows.
const MAX_DEPTH: usize = 128;

fn failure(message: impl Into<String>) -> Failure {
    Failure::Invalid(message.into())
}

impl From<ConnectError> for Failure {
    fn from(error: ConnectError) -> Self {
        Failure::Invalid(error.to_string())
    }
}

/// Kafka's `Values.ValueParser`. `Ok(None)` is Java's `null`; errors are the
/// `DataException`s that make an enclosing array or map fall back to a string.
struct ValueParser {
    parser: Parser,
    depth: usize,
}

impl ValueParser {
    fn can_parse_single_token_literal(&mut self, embedded: bool, literal: &str) -> bool {
        let start = self.parser.mark();
        if self.parser.can_consume(literal) && (embedded || !self.parser.has_next()) {
            return true;
        }
        self.parser.rewind_to(start);
        false
    }

    fn parse(&mut self, embedded: bool) -> Parsed<Option<SchemaAndValue>> {
        if !self.parser.has_next() {
            return Ok(None);
        }
        if embedded && self.parser.can_consume("\"") {
            return Ok(Some(self.parse_quoted_string()));
        }
        if self.can_parse_single_token_literal(embedded, "null") {
            return Ok(None);
        }
        if self.can_parse_single_token_literal(embedded, "true") {
            return Ok(Some(SchemaAndValue::new(
                Some(Schema::boolean()),
                Value::Boolean(true),
            )));
        }
        if self.can_parse_single_token_literal(embedded, "false") {
            return Ok(Some(SchemaAndValue::new(
                Some(Schema::boolean()),
                Value::Boolean(false),
            )));
        }
        let start = self.parser.mark();
        let structured = if self.parser.can_consume("[") {
            Some(self.nested(Self::parse_array))
        } else if self.parser.can_consume("{") {
            Some(self.nested(Self::parse_map))
        } else {
            None
        };
        match structured {
            Some(Ok(parsed)) => return Ok(Some(parsed)),
            Some(Err(Failure::TooDeep)) => return Err(Failure::TooDeep),
            Some(Err(Failure::Invalid(_))) => self.parser.rewind_to(start),
            None => {}
        }
        let token = self.parser.next();
        if is_blank(&token) {
            return Ok(Some(SchemaAndValue::new(
                Some(Schema::string()),
                Value::String(token),
            )));
        }
        self.parse_next_token(embedded, java::trim(&token))
            .map(Some)
    }

    fn nested(&mut self, parse: fn(&mut Self) -> Parsed<SchemaAndValue>) -> Parsed<SchemaAndValue> {
        if self.depth >= MAX_DEPTH {
            return Err(Failure::TooDeep);
        }
        self.depth += 1;
        let result = parse(self);
        self.depth -= 1;
        result
    }

    fn parse_next_token(&mut self, embedded: bool, token: &str) -> Parsed<SchemaAndValue> {
        let first = token.chars().next().unwrap_or(' ');
        let first_is_digit = first.is_ascii_digit();
        if first_is_digit && let Some(temporal) = self.parse_multiple_tokens_as_temporal(token) {
            return Ok(temporal);
        }
        if (first_is_digit || first == '+' || first == '-')
            && let Some(number) = JavaDecimal::parse(token).map(|d| parse_as_number(&d))
        {
            return Ok(number);
        }
        if embedded {
            return Err(failure("Failed to parse embedded value"));
        }
        Ok(SchemaAndValue::new(
            Some(Schema::string()),
            Value::String(self.parser.original.clone()),
        ))
    }

    fn parse_quoted_string(&mut self) -> SchemaAndValue {
        let mut content = String::new();
        while self.parser.has_next() {
            if self.parser.can_consume("\"") {
                break;
            }
            content.push_str(&self.parser.next());
        }
        parse_as_temporal(&content)
            .unwrap_or_else(|| SchemaAndValue::new(Some(Schema::string()), Value::String(content)))
    }

    fn parse_array(&mut self) -> Parsed<SchemaAndValue> {
        let mut elements: Vec<Option<SchemaAndValue>> = Vec::new();
        let mut merger = SchemaMerger::default();
        while self.parser.has_next() {
            if self.parser.can_consume("]") {
                return match merger.common {
                    Some(common) => {
                        let values = elements
                            .iter()
                            .map(|element| align(&common, element.as_ref()))
                            .collect::<Parsed<Vec<_>>>()?;
                        Ok(SchemaAndValue::new(
                            Some(SchemaBuilder::array(common).build()),
                            Value::Array(values),
                        ))
                    }
                    None => Ok(SchemaAndValue::new(
                        Some(SchemaBuilder::new(SchemaType::Array).build()),
                        Value::Array(elements.into_iter().map(value_of).collect()),
                    )),
                };
            }
            if self.parser.can_consume(",") {
                return Err(failure(format!(
                    "Unable to parse an empty array element: {}",
                    self.parser.original
                )));
            }
            let element = self.parse(true)?;
            merger.merge(element.as_ref());
            elements.push(element);
            let current = self.parser.mark();
            if self.parser.can_consume("]") {
                self.parser.rewind_to(current);
            } else if !self.parser.can_consume(",") {
                return Err(failure("Array elements missing ',' delimiter"));
            }
        }
        if self.parser.previous() == Some(",") {
            return Err(failure(format!(
                "Array is missing element after ',': {}",
                self.parser.original
            )));
        }
        Err(failure(format!(
            "Array is missing terminating ']': {}",
            self.parser.original
        )))
    }

    fn parse_map(&mut self) -> Parsed<SchemaAndValue> {
        let mut entries: Vec<(SchemaAndValue, Option<SchemaAndValue>)> = Vec::new();
        let mut index = KeyIndex::default();
        let mut key_merger = SchemaMerger::default();
        let mut value_merger = SchemaMerger::default();
        while self.parser.has_next() {
            if self.parser.can_consume("}") {
                return finish_map(entries, key_merger.common, value_merger.common);
            }
            if self.parser.can_consume(",") {
                return Err(failure(format!(
                    "Unable to parse a map entry with no key or value: {}",
                    self.parser.original
                )));
            }
            let key = match self.parse(true)? {
                Some(key) if !key.value.is_null() => key,
                _ => {
                    return Err(failure(format!(
                        "Map entry may not have a null key: {}",
                        self.parser.original
                    )));
                }
            };
            if !self.parser.can_consume(":") {
                return Err(failure(format!(
                    "Map entry is missing ':' at {} in {}",
                    self.parser.position(),
                    self.parser.original
                )));
            }
            let value = self.parse(true)?;
            key_merger.merge(Some(&key));
            value_merger.merge(value.as_ref());
            // LinkedHashMap.put: a repeated key keeps its place and takes the new value.
            match index.value_slot(&key.value, entries.len()) {
                Some(slot) => entries[slot].1 = value,
                None => entries.push((key, value)),
            }
            self.parser.can_consume(",");
        }
        if self.parser.previous() == Some(",") {
            return Err(failure(format!(
                "Map is missing element after ',': {}",
                self.parser.original
            )));
        }
        Err(failure(format!(
            "Map is missing terminating '}}': {}",
            self.parser.original
        )))
    }

    fn parse_multiple_tokens_as_temporal(&mut self, token: &str) -> Option<SchemaAndValue> {
        let position = self.parser.mark();
        if let Some(remainder) = self.parser.next_n(4)
            && let Some(temporal) = parse_as_temporal(&format!("{token}{remainder}"))
        {
            return Some(temporal);
        }
        self.parser.rewind_to(position);
        parse_as_temporal(token)
    }
}

fn value_of(element: Option<SchemaAndValue>) -> Value {
    element.map_or(Value::Null, |e| e.value)
}

fn finish_map(
    entries: Vec<(SchemaAndValue, Option<SchemaAndValue>)>,
    key_schema: Option<Schema>,
    value_schema: Option<Schema>,
) -> Parsed<SchemaAndValue> {
    match (key_schema, value_schema) {
        (Some(key_schema), Some(value_schema)) => {
            let mut aligned = Vec::with_capacity(entries.len());
            for (k, v) in &entries {
                aligned.push((
                    align(&key_schema, Some(k))?,
                    align(&value_schema, v.as_ref())?,
                ));
            }
            Ok(SchemaAndValue::new(
                Some(SchemaBuilder::map(key_schema, value_schema).build()),
                Value::Map(aligned),
            ))
        }
        (Some(key_schema), None) => {
            // Kafka's map schema here has the key schema and no value schema; this SDK's
            // builder cannot leave just the value schema out, so neither is set.
            let mut aligned = Vec::with_capacity(entries.len());
            for (k, v) in entries {
                aligned.push((align(&key_schema, Some(&k))?, value_of(v)));
            }
            Ok(SchemaAndValue::new(
                Some(SchemaBuilder::new(SchemaType::Map).build()),
                Value::Map(aligned),
            ))
        }
        _ => Ok(SchemaAndValue::new(
            Some(SchemaBuilder::new(SchemaType::Map).build()),
            Value::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.value, value_of(v)))
                    .collect(),
            ),
        )),
    }
}

/// The schema all the values seen so far fit (Kafka's `Values.SchemaMerger`).
#[derive(Default)]
struct SchemaMerger {
    common: Option<Schema>,
    incompatible: bool,
}

impl SchemaMerger {
    fn merge(&mut self, latest: Option<&SchemaAndValue>) {
        let Some(schema) = latest.and_then(|l| l.schema.as_ref()) else {
            return;
        };
        if self.incompatible {
            return;
        }
        self.common = match self.common.take() {
            None => Some(schema.clone()),
            Some(previous) => {
                let merged = merge_schemas(&previous, schema);
                self.incompatible = merged.is_none();
                merged
            }
        };
    }
}

fn merge_schemas(previous: &Schema, new: &Schema) -> Option<Schema> {
    use SchemaType::{Float32, Float64, Int8, Int16, Int32, Int64};
    let (p, n) = (previous.schema_type(), new.schema_type());
    if p != n {
        let keep_new = match p {
            Int8 => matches!(n, Int16 | Int32 | Int64 | Float32 | Float64),
            Int16 => matches!(n, Int32 | Int64 | Float32 | Float64),
            Int32 => matches!(n, Int64 | Float32 | Float64),
            Int64 => matches!(n, Float32 | Float64),
            Float32 => matches!(n, Float64),
            _ => false,
        };
        let keep_previous = match p {
            Int16 => matches!(n, Int8),
            Int32 => matches!(n, Int8 | Int16),
            Int64 => matches!(n, Int8 | Int16 | Int32),
            Float32 => matches!(n, Int8 | Int16 | Int32 | Int64),
            Float64 => matches!(n, Int8 | Int16 | Int32 | Int64 | Float32),
            _ => false,
        };
        return if keep_new {
            Some(new.clone())
        } else if keep_previous {
            Some(previous.clone())
        } else {
            None
        };
    }
    if previous.is_optional() == new.is_optional() {
        return Some(if previous.is_optional() {
            previous.clone()
        } else {
            new.clone()
        });
    }
    if previous != new {
        return None;
    }
    Some(previous.clone())
}

/// Kafka's `convertTo(target, null, value)` for the values the parser produces: numbers are
/// narrowed or widened as Java casts them, temporal values move between Date, Time and
/// Timestamp through their milliseconds, and a null (or a temporal value where a plain
/// number is wanted) fails, so the enclosing array or map reads as a string.
fn align(target: &Schema, element: Option<&SchemaAndValue>) -> Parsed<Value> {
    let Some(element) = element.filter(|e| !e.value.is_null()) else {
        if target.is_optional() {
            return Ok(Value::Null);
        }
        return Err(failure(
            "Unable to convert a null value to a schema that requires a value",
        ));
    };
    let value = &element.value;
    let source_millis = temporal_millis(element.schema.as_ref(), value);
    let unable = || {
        failure(format!(
            "Unable to convert {value:?} ({}) to {target:?}",
            java::class_of(value)
        ))
    };
    if let Some(name) = target.name() {
        match name {
            DATE_LOGICAL_NAME | TIME_LOGICAL_NAME | TIMESTAMP_LOGICAL_NAME => {
                if element.schema.as_ref().and_then(Schema::name) == Some(name) {
                    return Ok(value.clone());
                }
                let millis = match source_millis {
                    Some(millis) => millis,
                    None => {
                        let number = as_long(value).ok_or_else(unable)?;
                        match name {
                            DATE_LOGICAL_NAME => i64::from(number as i32) * MILLIS_PER_DAY,
                            TIME_LOGICAL_NAME => {
                                let ms = number as i32;
                                if ms < 0 || i64::from(ms) > MILLIS_PER_DAY {
                                    return Err(failure(crate::json::TIME_OUT_OF_RANGE));
                                }
                                i64::from(ms)
                            }
                            _ => number,
                        }
                    }
                };
                return match name {
                    DATE_LOGICAL_NAME => i32::try_from(millis.div_euclid(MILLIS_PER_DAY))
                        .map(Value::Int32)
                        .map_err(|_| unable()),
                    TIME_LOGICAL_NAME => i32::try_from(millis)
                        .map(Value::Int32)
                        .map_err(|_| unable()),
                    _ => Ok(Value::Int64(millis)),
                };
            }
            DECIMAL_LOGICAL_NAME => {
                return match value {
                    Value::Decimal(_) => Ok(value.clone()),
                    Value::Bytes(bytes) => Ok(Value::Decimal(Decimal::to_logical(target, bytes)?)),
                    Value::String(text) => JavaDecimal::parse(text)
                        .map(|d| Value::Decimal(d.to_big_decimal()))
                        .ok_or_else(unable),
                    other => as_double(other)
                        .and_then(|d| JavaDecimal::parse(&java::double_to_string(d)))
                        .map(|d| Value::Decimal(d.to_big_decimal()))
                        .ok_or_else(unable),
                };
            }
            _ => {}
        }
    }
    if source_millis.is_some() && target.schema_type() != SchemaType::String {
        // Kafka's asLong cannot read a java.util.Date without its schema.
        return Err(unable());
    }
    Ok(match target.schema_type() {
        SchemaType::Int8 => Value::Int8(as_long(value).ok_or_else(unable)? as i8),
        SchemaType::Int16 => Value::Int16(as_long(value).ok_or_else(unable)? as i16),
        SchemaType::Int32 => Value::Int32(as_long(value).ok_or_else(unable)? as i32),
        SchemaType::Int64 => Value::Int64(as_long(value).ok_or_else(unable)?),
        SchemaType::Float32 => match value {
            Value::Float32(v) => Value::Float32(*v),
            other => Value::Float32(as_double(other).ok_or_else(unable)? as f32),
        },
        SchemaType::Float64 => Value::Float64(as_double(value).ok_or_else(unable)?),
        SchemaType::String => match convert_to_string(element.schema.as_ref(), value)? {
            Some(text) => Value::String(text),
            None => Value::Null,
        },
        SchemaType::Boolean => match value {
            Value::Boolean(b) => Value::Boolean(*b),
            other => Value::Boolean(as_long(other).ok_or_else(unable)? != 0),
        },
        SchemaType::Bytes => match value {
            Value::Bytes(_) => value.clone(),
            _ => return Err(unable()),
        },
        SchemaType::Array => match value {
            Value::Array(_) => value.clone(),
            _ => return Err(unable()),
        },
        SchemaType::Map => match value {
            Value::Map(_) => value.clone(),
            _ => return Err(unable()),
        },
        SchemaType::Struct => match value {
            Value::Struct(_) => value.clone(),
            _ => return Err(unable()),
        },
    })
}

/// `Number.longValue()` of a parsed number.
fn as_long(value: &Value) -> Option<i64> {
    Some(match value {
        Value::Int8(v) => i64::from(*v),
        Value::Int16(v) => i64::from(*v),
        Value::Int32(v) => i64::from(*v),
        Value::Int64(v) => *v,
        Value::Float32(v) => *v as i64,
        Value::Float64(v) => *v as i64,
        Value::Decimal(v) => JavaDecimal::parse(&java::big_decimal_to_string(v))?.wrapping_long(),
        Value::String(text) => JavaDecimal::parse(text)?.wrapping_long(),
        _ => return None,
    })
}

/// `Number.doubleValue()` of a parsed number.
fn as_double(value: &Value) -> Option<f64> {
    Some(match value {
        Value::Int8(v) => f64::from(*v),
        Value::Int16(v) => f64::from(*v),
        Value::Int32(v) => f64::from(*v),
        Value::Int64(v) => *v as f64,
        Value::Float32(v) => f64::from(*v),
        Value::Float64(v) => *v,
        Value::Decimal(v) => JavaDecimal::parse(&java::big_decimal_to_string(v))?.to_f64(),
        Value::String(text) => JavaDecimal::parse(text)?.to_f64(),
        _ => return None,
    })
}

/// `parseAsNumber`: the smallest integer type for whole numbers within `long`, then
/// `float32` or `float64` for fractional numbers whose value is finite there, else a
/// `Decimal` with the number's own scale.
fn parse_as_number(decimal: &JavaDecimal) -> SchemaAndValue {
    if let Some(exact) = parse_as_exact_integer(decimal) {
        return exact;
    }
    let scale = decimal.scale();
    let f = decimal.to_f32();
    if f.is_finite() && scale != 0 {
        return SchemaAndValue::new(Some(Schema::float32()), Value::Float32(f));
    }
    let d = decimal.to_f64();
    if d.is_finite() && scale != 0 {
        return SchemaAndValue::new(Some(Schema::float64()), Value::Float64(d));
    }
    SchemaAndValue::new(
        Some(Decimal::schema(scale)),
        Value::Decimal(decimal.to_big_decimal()),
    )
}

fn parse_as_exact_integer(decimal: &JavaDecimal) -> Option<SchemaAndValue> {
    if !decimal.is_zero() {
        let adjusted = decimal.adjusted_exponent();
        // |value| > 1e19, or 0 < |value| < 1
        let (digits, stripped_scale) = decimal.stripped();
        let is_power_of_ten = digits == "1";
        if adjusted > 19 || (adjusted == 19 && !is_power_of_ten) || adjusted < 0 {
            return None;
        }
        if stripped_scale > 0 {
            return None;
        }
    }
    let (digits, stripped_scale) = decimal.stripped();
    let zeros = usize::try_from(-stripped_scale).ok()?;
    let mut magnitude: i128 = digits.parse().ok()?;
    for _ in 0..zeros {
        magnitude = magnitude.checked_mul(10)?;
    }
    let integral = if decimal.is_negative() {
        -magnitude
    } else {
        magnitude
    };
    let integral = i64::try_from(integral).ok()?;
    Some(if let Ok(v) = i8::try_from(integral) {
        SchemaAndValue::new(Some(Schema::int8()), Value::Int8(v))
    } else if let Ok(v) = i16::try_from(integral) {
        SchemaAndValue::new(Some(Schema::int16()), Value::Int16(v))
    } else if let Ok(v) = i32::try_from(integral) {
        SchemaAndValue::new(Some(Schema::int32()), Value::Int32(v))
    } else {
        SchemaAndValue::new(Some(Schema::int64()), Value::Int64(integral))
    })
}

/// `parseAsTemporal`: a time (13 chars), timestamp (24) or date (10) literal, escaped
/// colons allowed.
fn parse_as_temporal(token: &str) -> Option<SchemaAndValue> {
    let token = token.replace("\\:", ":");
    let pattern = match token.chars().count() {
        13 => IsoPattern::Time,
        24 => IsoPattern::Timestamp,
        10 => IsoPattern::Date,
        _ => return None,
    };
    let millis = java::parse_iso(&token, pattern)?;
    Some(match pattern {
        IsoPattern::Time => SchemaAndValue::new(
            Some(Time::schema()),
            Value::Int32(i32::try_from(millis).ok()?),
        ),
        IsoPattern::Timestamp => {
            SchemaAndValue::new(Some(Timestamp::schema()), Value::Int64(millis))
        }
        IsoPattern::Date => SchemaAndValue::new(
            Some(Date::schema()),
            Value::Int32(i32::try_from(millis.div_euclid(MILLIS_PER_DAY)).ok()?),
        ),
    })
}
