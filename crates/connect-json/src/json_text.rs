//! JSON text as Kafka's Jackson `ObjectMapper` reads and writes it.
//!
//! Output is a [`JsonNode`] tree (Jackson's tree model) written in Jackson's compact form
//! byte for byte: no whitespace, object members in insertion order, `"` and `\` escaped,
//! the control characters `\b \t \n \f \r` in their short form and every other control
//! character as `\u00XX` with upper-case hex; everything else (including non-ASCII and `/`)
//! is written as UTF-8 unchanged. Numbers hold their text, so they are written exactly as
//! Java formatted them (`1.0E10`, `1.2E+3`); `serde_json` would rewrite exponents.
//!
//! Reading mirrors `ObjectMapper.readTree(byte[])` and produces a [`serde_json::Value`]:
//! empty or blank input is Jackson's `MissingNode` (`None` here), a UTF-8 byte-order mark
//! is skipped, and only the first value is read (Jackson does not fail on trailing tokens
//! by default).

use std::fmt;

use serde_json::Value as JValue;

/// A JSON tree as the converter writes it (Jackson's `JsonNode`), numbers as text.
#[derive(Clone, Debug, PartialEq)]
pub enum JsonNode {
    Null,
    Bool(bool),
    /// A number (or, for NaN and the infinities, the text Jackson quotes) in Java's form.
    Number(String),
    String(String),
    Array(Vec<JsonNode>),
    /// Members in insertion order; [`JsonNode::insert`] replaces a repeated key in place.
    Object(Vec<(String, JsonNode)>),
}

impl JsonNode {
    /// A number node from Java-formatted text. Non-finite values are written as strings,
    /// as Jackson does by default (`"NaN"`, `"Infinity"`, `"-Infinity"`).
    pub fn number(text: impl Into<String>) -> JsonNode {
        let text = text.into();
        if matches!(text.as_str(), "NaN" | "Infinity" | "-Infinity") {
            JsonNode::String(text)
        } else {
            JsonNode::Number(text)
        }
    }

    /// An empty object.
    pub fn object() -> JsonNode {
        JsonNode::Object(Vec::new())
    }

    /// Sets a member of an object, as `ObjectNode.set`: a repeated key keeps its place.
    /// Does nothing on other nodes.
    pub fn insert(&mut self, key: impl Into<String>, value: JsonNode) {
        if let JsonNode::Object(members) = self {
            let key = key.into();
            match members.iter_mut().find(|(k, _)| *k == key) {
                Some(member) => member.1 = value,
                None => members.push((key, value)),
            }
        }
    }

    /// A member of an object.
    pub fn get(&self, key: &str) -> Option<&JsonNode> {
        match self {
            JsonNode::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The bytes Jackson writes for this tree.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        write_node(self, &mut out);
        out
    }

    /// The same tree as a `serde_json` value (number text re-read by `serde_json`).
    pub fn to_serde(&self) -> JValue {
        match self {
            JsonNode::Null => JValue::Null,
            JsonNode::Bool(b) => JValue::Bool(*b),
            JsonNode::Number(text) => text
                .parse::<serde_json::Number>()
                .map_or_else(|_| JValue::String(text.clone()), JValue::Number),
            JsonNode::String(s) => JValue::String(s.clone()),
            JsonNode::Array(items) => JValue::Array(items.iter().map(JsonNode::to_serde).collect()),
            JsonNode::Object(members) => JValue::Object(
                members
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_serde()))
                    .collect(),
            ),
        }
    }
}

impl fmt::Display for JsonNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.to_bytes()))
    }
}

pub(crate) fn write_node(node: &JsonNode, out: &mut Vec<u8>) {
    match node {
        JsonNode::Null => out.extend_from_slice(b"null"),
        JsonNode::Bool(true) => out.extend_from_slice(b"true"),
        JsonNode::Bool(false) => out.extend_from_slice(b"false"),
        JsonNode::Number(text) => out.extend_from_slice(text.as_bytes()),
        JsonNode::String(s) => write_string(s, out),
        JsonNode::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_node(item, out);
            }
            out.push(b']');
        }
        JsonNode::Object(members) => {
            out.push(b'{');
            for (i, (key, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(key, out);
                out.push(b':');
                write_node(item, out);
            }
            out.push(b'}');
        }
    }
}

/// A string in Jackson's escaping (see the module docs). Runs of bytes that need no escape
/// are copied at once.
pub(crate) fn write_string(s: &str, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b >= 0x20 && b != b'"' && b != b'\\' {
            continue;
        }
        out.extend_from_slice(&bytes[run..i]);
        run = i + 1;
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            0x0C => out.extend_from_slice(b"\\f"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => {
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0x0F)]);
            }
        }
    }
    out.extend_from_slice(&bytes[run..]);
    out.push(b'"');
}

/// Reads the first JSON value of `bytes`; `Ok(None)` for empty or blank input.
pub(crate) fn read_tree(bytes: &[u8]) -> Result<Option<JValue>, serde_json::Error> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes
        .iter()
        .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
    {
        return Ok(None);
    }
    let mut stream = serde_json::Deserializer::from_slice(bytes).into_iter::<JValue>();
    stream.next().transpose()
}

/// Jackson's `JsonNode.getNodeType()` name of a node (`None` is a missing node).
pub(crate) fn node_type(value: Option<&JValue>) -> &'static str {
    match value {
        None => "MISSING",
        Some(JValue::Null) => "NULL",
        Some(JValue::Bool(_)) => "BOOLEAN",
        Some(JValue::Number(_)) => "NUMBER",
        Some(JValue::String(_)) => "STRING",
        Some(JValue::Array(_)) => "ARRAY",
        Some(JValue::Object(_)) => "OBJECT",
    }
}

/// The source text of a number node.
pub(crate) fn number_text(value: &JValue) -> Option<String> {
    match value {
        JValue::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Whether a number's text is an integer token (Jackson's `isIntegralNumber()`).
pub(crate) fn is_integral_text(text: &str) -> bool {
    !text.contains(['.', 'e', 'E'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_jackson_compact_form() {
        let mut object = JsonNode::object();
        object.insert("b", JsonNode::number("0"));
        object.insert(
            "a",
            JsonNode::String("q\"\\/\u{1}\u{1f}\n\u{8}\u{c}\r\té".into()),
        );
        object.insert("c", JsonNode::object());
        object.insert("n", JsonNode::number("NaN"));
        object.insert(
            "b",
            JsonNode::Array(vec![
                JsonNode::number("1"),
                JsonNode::number("2.50"),
                JsonNode::number("1.0E10"),
                JsonNode::number("1.2E+3"),
                JsonNode::Bool(true),
                JsonNode::Null,
            ]),
        );
        assert_eq!(
            object.to_string(),
            r#"{"b":[1,2.50,1.0E10,1.2E+3,true,null],"a":"q\"\\/\u0001\u001F\n\b\f\r\té","c":{},"n":"NaN"}"#
        );
    }

    #[test]
    fn reads_first_value_like_jackson() {
        assert_eq!(read_tree(b"").expect("empty"), None);
        assert_eq!(read_tree(b" \n ").expect("blank"), None);
        assert_eq!(
            read_tree(b"\xEF\xBB\xBF{} trailing").expect("first value"),
            Some(serde_json::json!({}))
        );
        assert!(read_tree(b"{\"a\":").is_err());
    }
}
