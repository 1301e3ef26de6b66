//! Record headers (Kafka Connect's `Headers`): an ordered list of keyed values, where a key
//! may repeat.

use crate::data::{Schema, SchemaAndValue, Value};

/// One header: a key, and a value with its optional schema.
#[derive(Clone, Debug, PartialEq)]
pub struct Header {
    pub key: String,
    pub schema: Option<Schema>,
    pub value: Value,
}

/// The headers of a record, in order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Headers(Vec<Header>);

impl Headers {
    pub fn new() -> Self {
        Headers(Vec::new())
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Appends a header (keys may repeat).
    pub fn add(&mut self, key: impl Into<String>, schema_and_value: SchemaAndValue) -> &mut Self {
        self.0.push(Header {
            key: key.into(),
            schema: schema_and_value.schema,
            value: schema_and_value.value,
        });
        self
    }

    /// Appends a header after Kafka's `ConnectHeaders.add(key, SchemaAndValue)` check: a
    /// null value needs an optional schema (or none).
    pub fn add_checked(
        &mut self,
        key: impl Into<String>,
        schema_and_value: SchemaAndValue,
    ) -> crate::ConnectResult<&mut Self> {
        if let Some(schema) = &schema_and_value.schema
            && schema_and_value.value.is_null()
            && !schema.is_optional()
        {
            return Err(crate::ConnectError::data(format!(
                "A null value requires an optional schema but was {schema:?}"
            )));
        }
        Ok(self.add(key, schema_and_value))
    }

    /// Appends a string header.
    pub fn add_string(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.add(
            key,
            SchemaAndValue::new(Some(Schema::string()), Value::String(value.into())),
        )
    }

    /// The last header with `key` (Kafka's `lastWithName`).
    pub fn last_with_name(&self, key: &str) -> Option<&Header> {
        self.0.iter().rev().find(|h| h.key == key)
    }

    /// Every header with `key`, in order.
    pub fn all_with_name<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Header> + 'a {
        self.0.iter().filter(move |h| h.key == key)
    }

    /// Removes every header with `key`.
    pub fn remove(&mut self, key: &str) -> &mut Self {
        self.0.retain(|h| h.key != key);
        self
    }

    pub fn iter(&self) -> impl Iterator<Item = &Header> {
        self.0.iter()
    }
}

impl FromIterator<Header> for Headers {
    fn from_iter<T: IntoIterator<Item = Header>>(iter: T) -> Self {
        Headers(iter.into_iter().collect())
    }
}

impl IntoIterator for Headers {
    type Item = Header;
    type IntoIter = std::vec::IntoIter<Header>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}
