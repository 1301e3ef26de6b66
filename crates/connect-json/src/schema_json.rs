//! Connect schemas as JSON, both ways (Kafka's `JsonConverter.asJsonSchema` and
//! `asConnectSchema`).
//!
//! The JSON form is an object whose members come in Kafka's order: `type` first, then
//! `items` (arrays), `keys` and `values` (maps) or `fields` (structs), then `optional`
//! (always written), and `name`, `version`, `doc`, `parameters`, `default` when set. A
//! struct field is its schema's object with `field` (the field name) appended last.
//! Type names are Kafka's: `float` and `double` for `float32` and `float64`.
//!
//! Reading accepts what Kafka accepts: `optional` only counts when it is `true`, `name`
//! and `doc` only when they are strings, `version` only when it is an integer, and a
//! `default` is converted with the schema read so far (so logical defaults work).

use connect_api::{ConnectError, ConnectResult, Schema, SchemaBuilder, SchemaType};
use serde_json::Value as JValue;

use crate::java::JavaDecimal;
use crate::json::JsonConverter;
use crate::json_text::{JsonNode, is_integral_text, number_text};

const TYPE: &str = "type";
const OPTIONAL: &str = "optional";
const NAME: &str = "name";
const VERSION: &str = "version";
const DOC: &str = "doc";
const PARAMETERS: &str = "parameters";
const DEFAULT: &str = "default";
const ITEMS: &str = "items";
const KEYS: &str = "keys";
const VALUES: &str = "values";
const FIELDS: &str = "fields";
const FIELD: &str = "field";

/// Kafka's JSON name of a schema type.
pub(crate) fn type_name(schema_type: SchemaType) -> &'static str {
    match schema_type {
        SchemaType::Boolean => "boolean",
        SchemaType::Int8 => "int8",
        SchemaType::Int16 => "int16",
        SchemaType::Int32 => "int32",
        SchemaType::Int64 => "int64",
        SchemaType::Float32 => "float",
        SchemaType::Float64 => "double",
        SchemaType::Bytes => "bytes",
        SchemaType::String => "string",
        SchemaType::Array => "array",
        SchemaType::Map => "map",
        SchemaType::Struct => "struct",
    }
}

fn nested(converter: &JsonConverter, schema: Option<&Schema>) -> ConnectResult<JsonNode> {
    match schema {
        Some(schema) => as_json_schema(converter, schema),
        None => Ok(JsonNode::Null),
    }
}

/// `asJsonSchema`.
pub(crate) fn as_json_schema(
    converter: &JsonConverter,
    schema: &Schema,
) -> ConnectResult<JsonNode> {
    let mut object = JsonNode::object();
    object.insert(
        TYPE,
        JsonNode::String(type_name(schema.schema_type()).to_string()),
    );
    match schema.schema_type() {
        SchemaType::Array => {
            object.insert(ITEMS, nested(converter, schema.value_schema().ok())?);
        }
        SchemaType::Map => {
            object.insert(KEYS, nested(converter, schema.key_schema().ok())?);
            object.insert(VALUES, nested(converter, schema.value_schema().ok())?);
        }
        SchemaType::Struct => {
            let mut fields = Vec::new();
            for field in schema.fields()? {
                let mut field_json = as_json_schema(converter, field.schema())?;
                field_json.insert(FIELD, JsonNode::String(field.name().to_string()));
                fields.push(field_json);
            }
            object.insert(FIELDS, JsonNode::Array(fields));
        }
        _ => {}
    }
    object.insert(OPTIONAL, JsonNode::Bool(schema.is_optional()));
    if let Some(name) = schema.name() {
        object.insert(NAME, JsonNode::String(name.to_string()));
    }
    if let Some(version) = schema.version() {
        object.insert(VERSION, JsonNode::number(version.to_string()));
    }
    if let Some(doc) = schema.doc() {
        object.insert(DOC, JsonNode::String(doc.to_string()));
    }
    if let Some(parameters) = schema.parameters() {
        let mut params = JsonNode::object();
        for (k, v) in parameters {
            params.insert(k.clone(), JsonNode::String(v.clone()));
        }
        object.insert(PARAMETERS, params);
    }
    if let Some(default) = schema.default_value() {
        object.insert(DEFAULT, converter.convert_to_json(Some(schema), default)?);
    }
    Ok(object)
}

/// `asConnectSchema`: `None` for a JSON `null` schema.
pub(crate) fn as_connect_schema(
    converter: &JsonConverter,
    json: &JValue,
) -> ConnectResult<Option<Schema>> {
    if json.is_null() {
        return Ok(None);
    }
    let Some(JValue::String(type_text)) = json.get(TYPE) else {
        return Err(ConnectError::data("Schema must contain 'type' field"));
    };
    let mut builder = match type_text.as_str() {
        "boolean" => SchemaBuilder::boolean(),
        "int8" => SchemaBuilder::int8(),
        "int16" => SchemaBuilder::int16(),
        "int32" => SchemaBuilder::int32(),
        "int64" => SchemaBuilder::int64(),
        "float" => SchemaBuilder::float32(),
        "double" => SchemaBuilder::float64(),
        "bytes" => SchemaBuilder::bytes(),
        "string" => SchemaBuilder::string(),
        "array" => {
            let items = match json.get(ITEMS) {
                None | Some(JValue::Null) => {
                    return Err(ConnectError::data(
                        "Array schema did not specify the element type",
                    ));
                }
                Some(items) => required(converter, items, "valueSchema")?,
            };
            SchemaBuilder::array(items)
        }
        "map" => {
            let Some(keys) = json.get(KEYS) else {
                return Err(ConnectError::data(
                    "Map schema did not specify the key type",
                ));
            };
            let Some(values) = json.get(VALUES) else {
                return Err(ConnectError::data(
                    "Map schema did not specify the value type",
                ));
            };
            let keys = required(converter, keys, "keySchema")?;
            let values = required(converter, values, "valueSchema")?;
            SchemaBuilder::map(keys, values)
        }
        "struct" => {
            let Some(JValue::Array(fields)) = json.get(FIELDS) else {
                return Err(ConnectError::data(
                    "Struct schema's \"fields\" argument is not an array.",
                ));
            };
            let mut builder = SchemaBuilder::struct_();
            for field in fields {
                let Some(JValue::String(field_name)) = field.get(FIELD) else {
                    return Err(ConnectError::data(
                        "Struct schema's field name not specified properly",
                    ));
                };
                let field_schema = required(converter, field, "fieldSchema")?;
                builder = builder.field(field_name.clone(), field_schema)?;
            }
            builder
        }
        other => return Err(ConnectError::data(format!("Unknown schema type: {other}"))),
    };

    builder = if json.get(OPTIONAL) == Some(&JValue::Bool(true)) {
        builder.optional()
    } else {
        builder.required()
    };
    if let Some(JValue::String(name)) = json.get(NAME) {
        builder = builder.name(name.clone());
    }
    if let Some(version) = json.get(VERSION).and_then(number_text)
        && is_integral_text(&version)
        && let Some(decimal) = JavaDecimal::parse(&version)
    {
        builder = builder.version(decimal.wrapping_long() as i32);
    }
    if let Some(JValue::String(doc)) = json.get(DOC) {
        builder = builder.doc(doc.clone());
    }
    if let Some(JValue::Object(parameters)) = json.get(PARAMETERS) {
        for (key, value) in parameters {
            let JValue::String(value) = value else {
                return Err(ConnectError::data(
                    "Schema parameters must have string values.",
                ));
            };
            builder = builder.parameter(key.clone(), value.clone());
        }
    }
    if let Some(default_json) = json.get(DEFAULT) {
        let so_far = builder.build();
        let default = converter.convert_to_connect(Some(&so_far), default_json)?;
        builder = so_far.to_builder();
        if !default.is_null() {
            builder = builder.default_value(default)?;
        }
    }
    Ok(Some(builder.build()))
}

/// A nested schema that must not be JSON `null` (Kafka's builders reject null schemas).
fn required(converter: &JsonConverter, json: &JValue, what: &str) -> ConnectResult<Schema> {
    as_connect_schema(converter, json)?
        .ok_or_else(|| ConnectError::data(format!("{what} cannot be null.")))
}
