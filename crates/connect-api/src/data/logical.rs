//! Kafka Connect's logical types: Decimal, Date, Time and Timestamp.
//!
//! A logical type is a named schema over a physical type. The names are Kafka's, so that a
//! JSON schema written by Apache Kafka reads back as the same logical type here:
//!
//! | logical | schema name | physical | value here |
//! |---|---|---|---|
//! | Decimal | `org.apache.kafka.connect.data.Decimal` | bytes, parameter `scale` | [`Value::Decimal`] |
//! | Date | `org.apache.kafka.connect.data.Date` | int32, days since epoch | [`Value::Int32`] |
//! | Time | `org.apache.kafka.connect.data.Time` | int32, ms since midnight | [`Value::Int32`] |
//! | Timestamp | `org.apache.kafka.connect.data.Timestamp` | int64, ms since epoch | [`Value::Int64`] |

use bigdecimal::BigDecimal;
use bigdecimal::num_bigint::{BigInt, Sign};

use super::{Schema, SchemaBuilder, Value};
use crate::errors::{ConnectError, ConnectResult};

pub const DECIMAL_LOGICAL_NAME: &str = "org.apache.kafka.connect.data.Decimal";
pub const DECIMAL_SCALE_FIELD: &str = "scale";
pub const DATE_LOGICAL_NAME: &str = "org.apache.kafka.connect.data.Date";
pub const TIME_LOGICAL_NAME: &str = "org.apache.kafka.connect.data.Time";
pub const TIMESTAMP_LOGICAL_NAME: &str = "org.apache.kafka.connect.data.Timestamp";

pub const MILLIS_PER_DAY: i64 = 24 * 60 * 60 * 1000;

/// The Decimal logical type.
pub struct Decimal;

impl Decimal {
    pub fn builder(scale: i32) -> SchemaBuilder {
        SchemaBuilder::bytes()
            .name(DECIMAL_LOGICAL_NAME)
            .parameter(DECIMAL_SCALE_FIELD, scale.to_string())
            .version(1)
    }

    pub fn schema(scale: i32) -> Schema {
        Self::builder(scale).build()
    }

    /// The scale a decimal schema declares.
    pub fn scale_of(schema: &Schema) -> ConnectResult<i32> {
        schema
            .parameter(DECIMAL_SCALE_FIELD)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| ConnectError::data("Invalid Decimal schema: scale parameter not found."))
    }

    /// The physical form: the unscaled value as big-endian two's complement bytes.
    pub fn from_logical(schema: &Schema, value: &BigDecimal) -> ConnectResult<Vec<u8>> {
        let scale = Self::scale_of(schema)?;
        let (unscaled, value_scale) = value.as_bigint_and_exponent();
        if value_scale != i64::from(scale) {
            return Err(ConnectError::data(format!(
                "Decimal value has mismatching scale for given Decimal schema. Schema has scale {scale}, value has scale {value_scale}."
            )));
        }
        Ok(unscaled.to_signed_bytes_be())
    }

    /// The logical value of the physical bytes under `schema`'s scale.
    pub fn to_logical(schema: &Schema, bytes: &[u8]) -> ConnectResult<BigDecimal> {
        let scale = Self::scale_of(schema)?;
        let unscaled = if bytes.is_empty() {
            BigInt::new(Sign::NoSign, vec![])
        } else {
            BigInt::from_signed_bytes_be(bytes)
        };
        Ok(BigDecimal::new(unscaled, i64::from(scale)))
    }
}

/// The Date logical type: whole days since the Unix epoch.
pub struct Date;

impl Date {
    pub fn builder() -> SchemaBuilder {
        SchemaBuilder::int32().name(DATE_LOGICAL_NAME).version(1)
    }
    pub fn schema() -> Schema {
        Self::builder().build()
    }
}

/// The Time logical type: milliseconds since midnight, within one day.
pub struct Time;

impl Time {
    pub fn builder() -> SchemaBuilder {
        SchemaBuilder::int32().name(TIME_LOGICAL_NAME).version(1)
    }
    pub fn schema() -> Schema {
        Self::builder().build()
    }
}

/// The Timestamp logical type: milliseconds since the Unix epoch.
pub struct Timestamp;

impl Timestamp {
    pub fn builder() -> SchemaBuilder {
        SchemaBuilder::int64()
            .name(TIMESTAMP_LOGICAL_NAME)
            .version(1)
    }
    pub fn schema() -> Schema {
        Self::builder().build()
    }
}

/// The representation a logical type's values have here (Kafka checks their Java class:
/// `BigDecimal`, `java.util.Date`); `None` for other schema names.
pub(crate) fn physical_type(name: &str) -> Option<fn(&Value) -> bool> {
    let check: fn(&Value) -> bool = match name {
        DECIMAL_LOGICAL_NAME => |v| matches!(v, Value::Decimal(_)),
        DATE_LOGICAL_NAME | TIME_LOGICAL_NAME => |v| matches!(v, Value::Int32(_)),
        TIMESTAMP_LOGICAL_NAME => |v| matches!(v, Value::Int64(_)),
        _ => return None,
    };
    Some(check)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn decimal_round_trips_through_twos_complement() {
        let schema = Decimal::schema(2);
        let value = BigDecimal::from_str("1.56").expect("decimal");
        let bytes = Decimal::from_logical(&schema, &value).expect("scale 2");
        assert_eq!(bytes, vec![0x00, 0x9c]);
        assert_eq!(Decimal::to_logical(&schema, &bytes).expect("bytes"), value);
        let negative = BigDecimal::from_str("-1.56").expect("decimal");
        let bytes = Decimal::from_logical(&schema, &negative).expect("scale 2");
        assert_eq!(bytes, vec![0xff, 0x64]);
        assert!(Decimal::from_logical(&schema, &BigDecimal::from_str("1.5").expect("d")).is_err());
    }

    #[test]
    fn logical_values_are_validated() {
        assert!(Date::schema().validate_value(&Value::Int32(10)).is_ok());
        assert!(Date::schema().validate_value(&Value::Int64(10)).is_err());
        // As in Kafka, validation checks the representation; the range is checked where a
        // Time is converted.
        assert!(
            Time::schema()
                .validate_value(&Value::Int32(MILLIS_PER_DAY as i32 + 1))
                .is_ok()
        );
        assert!(Timestamp::schema().validate_value(&Value::Int64(0)).is_ok());
        assert!(
            Decimal::schema(2)
                .validate_value(&Value::Bytes(vec![1]))
                .is_err()
        );
    }
}
