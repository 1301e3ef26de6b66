//! The text the sink writes for a record value: Java's `String.valueOf(record.value())`,
//! which is what Kafka's `PrintStream.println(Object)` prints, where that is meaningful.
//!
//! | value | text |
//! |---|---|
//! | null | `null` (Kafka prints the same) |
//! | string | the string itself |
//! | integers, booleans | decimal / `true` / `false` |
//! | float32/float64 | Java's `Float.toString`/`Double.toString`: `1.0`, `1.5E10`, `NaN`, `Infinity` |
//! | decimal | the decimal's plain string form |
//! | bytes | the bytes decoded as UTF-8 (invalid sequences as U+FFFD); Java would print `[B@1b6d3586`, which is of no use |
//! | array | `[a, b, c]` (`java.util.List.toString`) |
//! | map | `{k1=v1, k2=v2}` (`java.util.Map.toString`) |
//! | struct | `Struct{name=ada,age=36}`, null fields left out (Kafka's `Struct.toString`) |

use std::fmt::{Display, LowerExp};

use connect_api::Value;

/// Appends the text of `value` to `out`.
pub(crate) fn render_value(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::String(s) => out.push_str(s),
        Value::Int8(v) => out.push_str(&v.to_string()),
        Value::Int16(v) => out.push_str(&v.to_string()),
        Value::Int32(v) => out.push_str(&v.to_string()),
        Value::Int64(v) => out.push_str(&v.to_string()),
        Value::Float32(v) => out.push_str(&java_floating(*v)),
        Value::Float64(v) => out.push_str(&java_floating(*v)),
        Value::Boolean(v) => out.push_str(if *v { "true" } else { "false" }),
        Value::Bytes(bytes) => out.push_str(&String::from_utf8_lossy(bytes)),
        Value::Decimal(d) => out.push_str(&d.to_string()),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                render_value(item, out);
            }
            out.push(']');
        }
        Value::Map(entries) => {
            out.push('{');
            for (i, (key, item)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                render_value(key, out);
                out.push('=');
                render_value(item, out);
            }
            out.push('}');
        }
        Value::Struct(s) => {
            out.push_str("Struct{");
            let mut first = true;
            for (field, item) in s.iter() {
                if item.is_null() {
                    continue;
                }
                if !first {
                    out.push(',');
                }
                first = false;
                out.push_str(field.name());
                out.push('=');
                render_value(item, out);
            }
            out.push('}');
        }
    }
}

/// Java's `Double.toString` / `Float.toString`: plain notation with at least one fraction
/// digit for magnitudes in `[1e-3, 1e7)` (and zero), computerized scientific notation
/// (`1.0E7`, `1.5E-4`) otherwise.
fn java_floating<T>(value: T) -> String
where
    T: Display + LowerExp + Into<f64> + Copy,
{
    let as_f64: f64 = value.into();
    if as_f64.is_nan() {
        return "NaN".to_string();
    }
    if as_f64.is_infinite() {
        return if as_f64 > 0.0 {
            "Infinity"
        } else {
            "-Infinity"
        }
        .to_string();
    }
    let magnitude = as_f64.abs();
    if as_f64 == 0.0 || (1e-3..1e7).contains(&magnitude) {
        let plain = value.to_string();
        return if plain.contains('.') {
            plain
        } else {
            format!("{plain}.0")
        };
    }
    let scientific = format!("{value:e}");
    match scientific.split_once('e') {
        Some((mantissa, exponent)) if mantissa.contains('.') => format!("{mantissa}E{exponent}"),
        Some((mantissa, exponent)) => format!("{mantissa}.0E{exponent}"),
        None => scientific,
    }
}

#[cfg(test)]
mod tests {
    use connect_api::{Schema, SchemaBuilder, Struct};

    use super::*;

    fn text(value: &Value) -> String {
        let mut out = String::new();
        render_value(value, &mut out);
        out
    }

    #[test]
    fn scalars_render_like_java() {
        assert_eq!(text(&Value::Null), "null");
        assert_eq!(text(&Value::from("plain text")), "plain text");
        assert_eq!(text(&Value::Int8(-8)), "-8");
        assert_eq!(text(&Value::Int64(1 << 40)), "1099511627776");
        assert_eq!(text(&Value::Boolean(true)), "true");
        assert_eq!(text(&Value::Float64(1.0)), "1.0");
        assert_eq!(text(&Value::Float64(-0.0)), "-0.0");
        assert_eq!(text(&Value::Float64(0.5)), "0.5");
        assert_eq!(text(&Value::Float64(1.5e10)), "1.5E10");
        assert_eq!(text(&Value::Float64(1e7)), "1.0E7");
        assert_eq!(text(&Value::Float64(1.5e-4)), "1.5E-4");
        assert_eq!(text(&Value::Float64(f64::NAN)), "NaN");
        assert_eq!(text(&Value::Float64(f64::NEG_INFINITY)), "-Infinity");
        assert_eq!(text(&Value::Float32(1.1)), "1.1");
        assert_eq!(text(&Value::Bytes(b"raw".to_vec())), "raw");
    }

    #[test]
    fn containers_render_like_java_collections() {
        let array = Value::Array(vec![Value::from("a"), Value::Int32(1), Value::Null]);
        assert_eq!(text(&array), "[a, 1, null]");
        let map = Value::Map(vec![
            (Value::from("k1"), Value::from("v1")),
            (Value::from("k2"), Value::Array(vec![])),
        ]);
        assert_eq!(text(&map), "{k1=v1, k2=[]}");
        let schema = SchemaBuilder::struct_()
            .field("name", Schema::string())
            .and_then(|b| b.field("nick", Schema::optional_string()))
            .and_then(|b| b.field("age", Schema::int32()))
            .map(SchemaBuilder::build)
            .expect("schema");
        let person = Struct::new(schema)
            .and_then(|s| s.with("name", "ada"))
            .and_then(|s| s.with("age", 36))
            .expect("struct");
        assert_eq!(text(&Value::Struct(person)), "Struct{name=ada,age=36}");
    }
}
