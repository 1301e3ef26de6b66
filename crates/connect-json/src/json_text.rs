//! JSON text as Kafka's Jackson `ObjectMapper` reads and writes it.
//!
//! Output is a [`JsonNode`] tree (Jackson's tree model) written in Jackson's compact form
//! byte for byte: no whitespace, object members in insertion order, `"` and `\` escaped,
//! the control characters `\b \t \n \f \r` in their short form and every other control
//! character as `\u00XX` with upper-case hex; a character beyond the Basic Multilingual
//! Plane (an emoji) as its UTF-16 surrogate pair, `\uD83D\uDE00`, as Jackson's UTF-8
//! generator does unless `COMBINE_UNICODE_SURROGATES_IN_UTF8` is on (Kafka leaves it off);
//! everything else (including other non-ASCII, `/`, U+2028 and DEL) is written as UTF-8
//! unchanged. Numbers hold their text, so they are written exactly as
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
    let mut i = 0;
    while i < bytes.len() {
        // Eight bytes at a time while none of them needs escaping (most text).
        while let Some(word) = bytes.get(i..i + 8)
            && !word_needs_escape(word)
        {
            i += 8;
        }
        let Some(&b) = bytes.get(i) else { break };
        if (0x20..0xF0).contains(&b) && b != b'"' && b != b'\\' {
            i += 1;
            continue;
        }
        out.extend_from_slice(&bytes[run..i]);
        if b >= 0xF0 {
            // The lead byte of a 4-byte sequence: a supplementary character, written as
            // its two UTF-16 surrogates.
            let c = s[i..].chars().next().map_or(0, u32::from);
            let v = c - 0x1_0000;
            for unit in [0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF)] {
                out.extend_from_slice(b"\\u");
                for shift in [12, 8, 4, 0] {
                    out.push(HEX[((unit >> shift) & 0xF) as usize]);
                }
            }
            i += 4;
            run = i;
            continue;
        }
        i += 1;
        run = i;
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

/// Whether any of 8 bytes needs escaping: a control character, `"`, `\` or the lead byte
/// of a 4-byte UTF-8 sequence. SWAR: a byte test across the word at once (a false alarm
/// only sends the caller to look byte by byte).
fn word_needs_escape(word: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let Ok(eight) = <[u8; 8]>::try_from(word) else {
        return true;
    };
    let w = u64::from_le_bytes(eight);
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let below_space = w.wrapping_sub(ONES * 0x20) & !w & HIGHS;
    let quote = has_zero(w ^ (ONES * u64::from(b'"')));
    let backslash = has_zero(w ^ (ONES * u64::from(b'\\')));
    let four_byte_lead = has_zero((w & (ONES * 0xF0)) ^ (ONES * 0xF0));
    below_space | quote | backslash | four_byte_lead != 0
}

/// Why [`read_tree`] failed: Jackson's complaint, in its words where it matters.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct ReadError(String);

/// Reads the first JSON value of `bytes` as Kafka's `JsonDeserializer` does
/// (`ObjectMapper.readTree` with `ALLOW_LEADING_ZEROS_FOR_NUMBERS`); `Ok(None)` for empty
/// or blank input (Jackson's `MissingNode`).
///
/// Jackson reads only the first value and ignores what follows, with two exceptions this
/// mirrors: a number at the root must be followed by whitespace or the end (`12:34` fails,
/// `12 x` reads 12), and `true`, `false` and `null` must not run into a letter or digit
/// (`truex` fails, `true}` reads true). A byte-order mark is skipped, except when it is the
/// whole input, which Jackson's encoding detection rejects. Leading zeros are allowed
/// (`012` is 12). Everything else is strict JSON, as `serde_json` reads it.
pub(crate) fn read_tree(bytes: &[u8]) -> Result<Option<JValue>, ReadError> {
    let transcoded;
    let (bytes, chars) = match detect_encoding(bytes)? {
        Detected::Utf8 { skip } => (&bytes[skip..], false),
        Detected::Other(text) => {
            transcoded = text;
            (transcoded.as_bytes(), true)
        }
    };
    if bytes.iter().all(|b| is_json_space(*b)) {
        return Ok(None);
    }
    let text = without_leading_zeros(bytes);
    let start = text
        .iter()
        .position(|b| !is_json_space(*b))
        .unwrap_or(text.len());
    let root = &text[start..];
    // Scalars at the root are read as Jackson reads them; serde_json would ask for a
    // delimiter after them. Objects, arrays and strings end by themselves.
    match root.first() {
        Some(b't' | b'f' | b'n') => read_keyword(root, chars).map(Some),
        Some(b'-' | b'0'..=b'9') => read_root_number(root).map(Some),
        _ => {
            let mut stream = serde_json::Deserializer::from_slice(root).into_iter::<JValue>();
            match stream.next() {
                Some(Ok(value)) => Ok(Some(value)),
                Some(Err(e)) => Err(ReadError(e.to_string())),
                None => Ok(None),
            }
        }
    }
}

/// What Jackson's `ByteSourceJsonBootstrapper` makes of the first bytes: a byte-order mark
/// (UTF-8's only when at least four bytes arrived), else zero bytes where JSON's first
/// characters would be ASCII, name the encoding. Text in UTF-16 or UTF-32 is returned
/// transcoded, read by Jackson's char-based parser.
enum Detected {
    Utf8 { skip: usize },
    Other(String),
}

fn detect_encoding(bytes: &[u8]) -> Result<Detected, ReadError> {
    let utf16 = |rest: &[u8], big: bool| {
        Detected::Other(crate::java::decode_utf16(
            rest,
            if big {
                u16::from_be_bytes
            } else {
                u16::from_le_bytes
            },
        ))
    };
    let utf32 = |rest: &[u8], big: bool| -> Result<Detected, ReadError> {
        let mut text = String::with_capacity(rest.len() / 4);
        let chunks = rest.chunks_exact(4);
        if !chunks.remainder().is_empty() {
            return Err(ReadError(
                "Unexpected EOF in the middle of a 4-byte UTF-32 char".into(),
            ));
        }
        for c in chunks {
            let word = [c[0], c[1], c[2], c[3]];
            let v = if big {
                u32::from_be_bytes(word)
            } else {
                u32::from_le_bytes(word)
            };
            text.push(
                char::from_u32(v)
                    .ok_or_else(|| ReadError(format!("Invalid UTF-32 character 0x{v:x}")))?,
            );
        }
        Ok(Detected::Other(text))
    };
    let weird = |order: &str| {
        Err(ReadError(format!(
            "Unsupported UCS-4 endianness ({order}) detected"
        )))
    };
    if let [a, b, c, d, ..] = *bytes {
        let quad = u32::from_be_bytes([a, b, c, d]);
        match quad {
            0x0000_FEFF => return utf32(&bytes[4..], true),
            0xFFFE_0000 => return utf32(&bytes[4..], false),
            0x0000_FFFE => return weird("2143"),
            0xFEFF_0000 => return weird("3412"),
            _ => {}
        }
        match quad >> 16 {
            0xFEFF => return Ok(utf16(&bytes[2..], true)),
            0xFFFE => return Ok(utf16(&bytes[2..], false)),
            _ => {}
        }
        if quad >> 8 == 0x00EF_BBBF {
            return Ok(Detected::Utf8 { skip: 3 });
        }
        if quad >> 8 == 0 {
            return utf32(bytes, true);
        }
        if quad & 0x00FF_FFFF == 0 {
            return utf32(bytes, false);
        }
        if quad & !0x00FF_0000 == 0 {
            return weird("3412");
        }
        if quad & !0x0000_FF00 == 0 {
            return weird("2143");
        }
    }
    if let [a, b, ..] = *bytes {
        if a == 0 {
            return Ok(utf16(bytes, true));
        }
        if b == 0 {
            return Ok(utf16(bytes, false));
        }
    }
    Ok(Detected::Utf8 { skip: 0 })
}

/// Java's `Character.isJavaIdentifierPart`, which Jackson's char-based parser checks after a
/// keyword: letters, digits, `_`, currency symbols, and the identifier-ignorable controls
/// and format characters.
fn is_java_identifier_part(c: char) -> bool {
    c.is_alphanumeric()
        || c == '_'
        || matches!(c, '$' | '¢' | '£' | '¤' | '¥' | '€')
        || matches!(u32::from(c), 0..=8 | 0x0E..=0x1B | 0x7F..=0x9F | 0xAD | 0x200B..=0x200F
            | 0x202A..=0x202E | 0x2060..=0x2064 | 0xFEFF)
}

/// `true`, `false` or `null` at the root, followed by what Jackson's keyword matcher lets
/// through: a character below `0`, `]` or `}` ends it; a Java identifier character makes it
/// an unrecognized token. Jackson's UTF-8 parser (`chars` false) only knows ASCII there:
/// any non-ASCII byte fails (it is decoded as a UTF-8 middle byte and rejected).
fn read_keyword(root: &[u8], chars: bool) -> Result<JValue, ReadError> {
    let unrecognized = || {
        let token: String = root
            .iter()
            .take(32)
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$'))
            .map(|b| char::from(*b))
            .collect();
        ReadError(format!(
            "Unrecognized token '{token}': was expecting (JSON String, Number, Array, Object \
             or token 'null', 'true' or 'false')"
        ))
    };
    let (keyword, value) = [
        ("true", JValue::Bool(true)),
        ("false", JValue::Bool(false)),
        ("null", JValue::Null),
    ]
    .into_iter()
    .find(|(k, _)| root.starts_with(k.as_bytes()))
    .ok_or_else(unrecognized)?;
    match root.get(keyword.len()) {
        None => Ok(value),
        Some(&b) if b < b'0' || b == b']' || b == b'}' => Ok(value),
        Some(_) if chars => {
            let rest = &root[keyword.len()..];
            let next = String::from_utf8_lossy(&rest[..rest.len().min(4)])
                .chars()
                .next();
            if next.is_some_and(is_java_identifier_part) {
                Err(unrecognized())
            } else {
                Ok(value)
            }
        }
        Some(&b) if b >= 0x80 => Err(ReadError(format!("Invalid UTF-8 middle byte 0x{b:x}"))),
        Some(&b) if b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$' | 0x7F) => {
            Err(unrecognized())
        }
        Some(_) => Ok(value),
    }
}

/// A number at the root: JSON's number grammar, then whitespace or the end (Jackson:
/// "Expected space separating root-level values").
fn read_root_number(root: &[u8]) -> Result<JValue, ReadError> {
    let digits_from = |mut i: usize| {
        while root.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    let unexpected = |i: usize, what: &str| match root.get(i) {
        Some(&b) => ReadError(format!(
            "Unexpected character ('{}' (code {b})) in numeric value: {what}",
            char::from(b)
        )),
        None => ReadError("Unexpected end-of-input in a number".into()),
    };
    let mut i = usize::from(root.first() == Some(&b'-'));
    let end = digits_from(i);
    if end == i {
        return Err(unexpected(i, "expected digit (0-9) to follow minus sign"));
    }
    i = end;
    if root.get(i) == Some(&b'.') {
        let end = digits_from(i + 1);
        if end == i + 1 {
            return Err(unexpected(i + 1, "Decimal point not followed by a digit"));
        }
        i = end;
    }
    if matches!(root.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(root.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let end = digits_from(i);
        if end == i {
            return Err(unexpected(i, "Exponent indicator not followed by a digit"));
        }
        i = end;
    }
    if let Some(&next) = root.get(i)
        && !is_json_space(next)
    {
        return Err(ReadError(format!(
            "Unexpected character ('{}' (code {next})): Expected space separating root-level \
             values",
            char::from(next)
        )));
    }
    serde_json::from_slice(&root[..i]).map_err(|e| ReadError(e.to_string()))
}

fn is_json_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// `bytes` with the leading zeros of every number outside strings removed (`012` -> `12`,
/// `-00.5` -> `-0.5`), which Jackson reads with `ALLOW_LEADING_ZEROS_FOR_NUMBERS` and
/// `serde_json` would reject. Borrowed when there are none.
fn without_leading_zeros(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let mut out: Option<Vec<u8>> = None;
    let mut in_string = false;
    let mut escaped = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
        } else if b == b'0'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)
            && (i == 0 || !(bytes[i - 1].is_ascii_digit() || bytes[i - 1] == b'.'))
            && !(i > 0 && matches!(bytes[i - 1], b'e' | b'E' | b'+'))
        {
            // The start of a number (or after its sign) with a redundant zero: drop zeros
            // while another digit follows.
            let start = i;
            while bytes[i] == b'0' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            let buf = out.get_or_insert_with(|| bytes[..start].to_vec());
            buf.extend_from_slice(&bytes[i..=i]);
            i += 1;
            continue;
        }
        if let Some(buf) = out.as_mut() {
            buf.push(b);
        }
        i += 1;
    }
    match out {
        Some(buf) => std::borrow::Cow::Owned(buf),
        None => std::borrow::Cow::Borrowed(bytes),
    }
}

/// Base64 as Jackson's `TextNode.binaryValue()` reads it (`Base64Variant.decode` of the
/// default MIME-without-linefeeds variant): characters up to and including the space are
/// skipped between four-character groups but not inside one; a group of two or three
/// characters needs its `=` padding; low bits left over by padding are ignored.
pub(crate) fn decode_base64(text: &str) -> Result<Vec<u8>, ReadError> {
    fn value(c: char) -> Option<u32> {
        let v = match c {
            'A'..='Z' => u32::from(c) - u32::from('A'),
            'a'..='z' => u32::from(c) - u32::from('a') + 26,
            '0'..='9' => u32::from(c) - u32::from('0') + 52,
            '+' => 62,
            '/' => 63,
            _ => return None,
        };
        Some(v)
    }
    let invalid = |c: char, index: usize| {
        ReadError(format!(
            "Illegal character '{c}' (code 0x{:x}) in base64 content (position {index} of a group)",
            u32::from(c)
        ))
    };
    let eof = || {
        ReadError(
            "Unexpected end of base64-encoded String: base64 variant \
        'MIME-NO-LINEFEEDS' expects padding (one or more '=' characters) at the end"
                .into(),
        )
    };
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut chars = text.chars();
    loop {
        let first = loop {
            match chars.next() {
                None => return Ok(out),
                Some(c) if u32::from(c) <= 0x20 => continue,
                Some(c) => break c,
            }
        };
        let mut data = value(first).ok_or_else(|| invalid(first, 0))?;
        let second = chars.next().ok_or_else(eof)?;
        data = (data << 6) | value(second).ok_or_else(|| invalid(second, 1))?;
        let third = chars.next().ok_or_else(eof)?;
        let Some(bits) = value(third) else {
            if third != '=' {
                return Err(invalid(third, 2));
            }
            match chars.next() {
                Some('=') => {}
                Some(c) => return Err(invalid(c, 3)),
                None => return Err(eof()),
            }
            out.push((data >> 4) as u8);
            continue;
        };
        data = (data << 6) | bits;
        let fourth = chars.next().ok_or_else(eof)?;
        let Some(bits) = value(fourth) else {
            if fourth != '=' {
                return Err(invalid(fourth, 3));
            }
            data >>= 2;
            out.extend_from_slice(&[(data >> 8) as u8, data as u8]);
            continue;
        };
        data = (data << 6) | bits;
        out.extend_from_slice(&[(data >> 16) as u8, (data >> 8) as u8, data as u8]);
    }
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
    fn strings_are_escaped_the_same_with_and_without_the_word_scan() {
        // Every escape at every offset of a word, against the plain byte-by-byte rules.
        let specials = [
            "\"", "\\", "\n", "\u{1}", "\u{1f}", "😀", "é", "日本", "\u{7f}", "a",
        ];
        for special in specials {
            for at in 0..17 {
                let text = format!("{}{special}{}", "x".repeat(at), "y".repeat(9));
                let mut fast = Vec::new();
                write_string(&text, &mut fast);
                let expected: String = text
                    .chars()
                    .map(|c| match c {
                        '"' => "\\\"".to_string(),
                        '\\' => "\\\\".to_string(),
                        '\n' => "\\n".to_string(),
                        c if (c as u32) < 0x20 => format!("\\u{:04X}", c as u32),
                        c if (c as u32) > 0xFFFF => {
                            let v = c as u32 - 0x1_0000;
                            format!(
                                "\\u{:04X}\\u{:04X}",
                                0xD800 + (v >> 10),
                                0xDC00 + (v & 0x3FF)
                            )
                        }
                        c => c.to_string(),
                    })
                    .collect();
                assert_eq!(
                    String::from_utf8(fast).expect("utf-8"),
                    format!("\"{expected}\""),
                    "{text:?}"
                );
            }
        }
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

    #[test]
    fn reads_the_root_as_jackson_does() {
        let read = |text: &str| read_tree(text.as_bytes()).map_err(|e| e.to_string());
        let ok = |text: &str| read(text).expect(text).expect(text);
        assert_eq!(ok("12 x"), serde_json::json!(12));
        assert_eq!(ok("12\n"), serde_json::json!(12));
        assert_eq!(ok("true}"), serde_json::json!(true));
        assert_eq!(ok("\"a\"1"), serde_json::json!("a"));
        assert_eq!(ok("[1]x"), serde_json::json!([1]));
        assert_eq!(ok("1 2"), serde_json::json!(1));
        assert_eq!(ok("true\u{0}"), serde_json::json!(true));
        assert_eq!(ok("true:"), serde_json::json!(true));
        for bad in [
            "12:34",
            "12,",
            "-1{",
            "1.5x",
            "12\u{a0}",
            "12\u{b}",
            "truex",
            "true1",
            "nullx",
            "true\u{7f}",
            "true\u{2028}",
            "false\u{e9}",
            "-",
            "-x",
            "1.",
            "1e",
            "1e+",
        ] {
            assert!(read(bad).is_err(), "{bad:?} must fail");
        }
        assert!(
            read("\u{feff}").is_err(),
            "a lone byte-order mark fails in Jackson"
        );
        // Zero bytes name UTF-16 or UTF-32, as in Jackson's encoding detection.
        assert_eq!(read(" \0").expect("UTF-16LE blank"), None);
        assert_eq!(ok("\0[\0\x31\0]"), serde_json::json!([1]));
        assert_eq!(ok("\0\0\0\"\0\0\0a\0\0\0\""), serde_json::json!("a"));
        assert!(read("\0\0x\0").is_err(), "an unsupported UCS-4 byte order");
        assert_eq!(read("\u{feff} ").expect("blank"), None);
        assert_eq!(ok("\u{feff}1"), serde_json::json!(1));
    }

    #[test]
    fn base64_is_read_as_jackson_reads_it() {
        let ok = |text: &str| decode_base64(text).expect(text);
        assert_eq!(ok(""), b"");
        assert_eq!(ok("\u{1f}"), b"");
        assert_eq!(ok("AQID"), [1, 2, 3]);
        assert_eq!(ok(" AQID\n AQ== \t"), [1, 2, 3, 1]);
        assert_eq!(ok("AQI="), [1, 2]);
        assert_eq!(ok("AR=="), [1], "stray low bits are ignored");
        for bad in [
            "AQ",
            "AQI",
            "A",
            "AQ=",
            "AQ=x",
            "AQ I=",
            "AQ\u{e9}=",
            "-_8=",
            "A===",
        ] {
            assert!(decode_base64(bad).is_err(), "{bad:?} must fail");
        }
    }

    #[test]
    fn leading_zeros_are_read() {
        let ok = |text: &str| read_tree(text.as_bytes()).expect(text).expect(text);
        assert_eq!(ok("012").to_string(), "12");
        assert_eq!(ok("-012").to_string(), "-12");
        assert_eq!(ok("00.5").to_string(), "0.5");
        assert_eq!(
            &*without_leading_zeros(b"[0012, 0, 0.05, 10, 1e05, -00, 100]"),
            b"[12, 0, 0.05, 10, 1e05, -0, 100]"
        );
        assert_eq!(
            ok("{\"a\":\"007\",\"b\":007}").to_string(),
            "{\"a\":\"007\",\"b\":7}"
        );
    }
}
