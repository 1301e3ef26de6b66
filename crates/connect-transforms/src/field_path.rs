//! Field paths (KIP-821, Kafka's `field.syntax.version` and `SingleFieldPath`).
//!
//! With `V1` (the default, and the only syntax before Kafka 3.8) a path is one field name
//! at the root of the struct or map, dots included. With `V2` a path is split on dots to
//! reach nested fields: `a.b.c`. A step that itself contains dots is wrapped in backticks
//! (`` `a.b`.c ``); a backtick that should stay part of a name is escaped with a backslash
//! when it is followed by a dot. A trailing dot adds an empty last step. An opening
//! backtick without its partner is a config error with Kafka's message.

use connect_api::config::validators::ValidString;
use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance};
use connect_api::{ConnectError, ConnectResult, Field, Schema, Struct, Value};

use crate::util::{
    config_error, lookup_field, map_get, require_map_or_null, require_struct_or_null,
};

pub const FIELD_SYNTAX_VERSION_CONFIG: &str = "field.syntax.version";
pub const FIELD_SYNTAX_VERSION_DOC: &str = "Defines the version of the syntax to access fields. If set to <code>V1</code>, then the field paths are limited to access the elements at the root level of the struct or map. If set to <code>V2</code>, the syntax will support accessing nested elements. To access nested elements, dotted notation is used. If dots are already included in the field name, then backtick pairs can be used to wrap field names containing dots. E.g. to access the subfield <code>baz</code> from a field named \"foo.bar\" in a struct/map the following format can be used to access its elements: \"<code>foo.bar</code>.baz\".";

/// The syntax of field paths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldSyntaxVersion {
    V1,
    V2,
}

impl FieldSyntaxVersion {
    /// Kafka's `FieldSyntaxVersion.appendConfigTo`.
    pub fn append_config_to(def: ConfigDef) -> ConfigDef {
        def.define(
            ConfigKey::new(FIELD_SYNTAX_VERSION_CONFIG, ConfigType::String)
                .default_value("V1")
                .validator(ValidString::one_of_ignore_case(["V1", "V2"]))
                .importance(Importance::High)
                .doc(FIELD_SYNTAX_VERSION_DOC),
        )
    }

    /// Kafka's `FieldSyntaxVersion.fromConfig`.
    pub fn from_config(value: Option<&str>) -> ConnectResult<FieldSyntaxVersion> {
        match value.map(str::to_ascii_uppercase).as_deref() {
            Some("V1") | None => Ok(FieldSyntaxVersion::V1),
            Some("V2") => Ok(FieldSyntaxVersion::V2),
            Some(_) => Err(ConnectError::Config(
                connect_api::config::ConfigError::invalid(
                    FIELD_SYNTAX_VERSION_CONFIG,
                    value.unwrap_or_default(),
                    "Unrecognized field syntax version",
                ),
            )),
        }
    }
}

/// A path of one or more steps into a struct or map (Kafka's `SingleFieldPath`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SingleFieldPath {
    steps: Vec<String>,
}

impl SingleFieldPath {
    pub fn new(path: &str, version: FieldSyntaxVersion) -> ConnectResult<SingleFieldPath> {
        let steps = match version {
            FieldSyntaxVersion::V1 => vec![path.to_string()],
            FieldSyntaxVersion::V2 => build_v2(path)?,
        };
        Ok(SingleFieldPath { steps })
    }

    pub fn steps(&self) -> &[String] {
        &self.steps
    }

    fn init(&self) -> &[String] {
        &self.steps[..self.steps.len().saturating_sub(1)]
    }

    fn last(&self) -> &str {
        self.steps.last().map_or("", String::as_str)
    }

    /// The field at this path in a struct schema, `None` when absent (`fieldFrom`).
    pub fn field_from<'a>(&self, schema: &'a Schema) -> ConnectResult<Option<&'a Field>> {
        let mut current = schema;
        for step in self.init() {
            match lookup_field(current, step)? {
                Some(field) => current = field.schema(),
                None => return Ok(None),
            }
        }
        lookup_field(current, self.last())
    }

    /// The value at this path in a struct; null when absent. Intermediate steps fall back
    /// to defaults; the last step does only with `replace_null_with_default`.
    pub fn value_from_struct(
        &self,
        value: &Struct,
        replace_null_with_default: bool,
    ) -> ConnectResult<Value> {
        let mut current = value;
        for step in self.init() {
            if current.schema().field(step)?.is_none() {
                return Ok(Value::Null);
            }
            match require_struct_or_null(current.get(step)?, None, "nested field access")? {
                Some(next) => current = next,
                None => return Ok(Value::Null),
            }
        }
        if current.schema().field(self.last())?.is_none() {
            return Ok(Value::Null);
        }
        let found = if replace_null_with_default {
            current.get(self.last())?
        } else {
            current.get_without_default(self.last())?
        };
        Ok(found.clone())
    }

    /// The value at this path in a schemaless map; null when absent.
    pub fn value_from_map(&self, entries: &[(Value, Value)]) -> ConnectResult<Value> {
        let mut current = entries;
        for step in self.init() {
            let next = map_get(current, step).unwrap_or(&Value::Null);
            match require_map_or_null(next, "nested field access")? {
                Some(next) => current = next,
                None => return Ok(Value::Null),
            }
        }
        Ok(map_get(current, self.last())
            .cloned()
            .unwrap_or(Value::Null))
    }
}

fn incomplete_backtick(path: &str, backtick_at: usize) -> ConnectError {
    config_error(format!(
        "Incomplete backtick pair in path: [{path}], consider adding a backslash before backtick at position {backtick_at} to escape it"
    ))
}

/// Kafka's `buildFieldPathV2`, step by step.
fn build_v2(path: &str) -> ConnectResult<Vec<String>> {
    let chars: Vec<char> = path.chars().collect();
    let find = |from: usize, c: char| {
        chars
            .iter()
            .skip(from)
            .position(|x| *x == c)
            .map(|p| p + from)
    };
    let slice = |from: usize, to: usize| chars[from..to].iter().collect::<String>();
    let mut steps = Vec::new();
    let mut idx = 0;
    while idx < chars.len() {
        if chars[idx] != '`' {
            let start = idx;
            match find(idx, '.') {
                Some(dot) => {
                    steps.push(slice(start, dot));
                    idx = dot + 1;
                }
                None => {
                    steps.push(slice(start, chars.len()));
                    idx = chars.len();
                }
            }
            continue;
        }
        let backtick_at = idx;
        idx += 1;
        let mut field = String::new();
        let mut start = idx;
        loop {
            let Some(closing) = find(idx, '`') else {
                return Err(incomplete_backtick(path, backtick_at));
            };
            idx = closing;
            let escaped = idx > 0 && chars[idx - 1] == '\\';
            if idx >= chars.len() - 1 {
                if escaped {
                    return Err(incomplete_backtick(path, backtick_at));
                }
                field.push_str(&slice(start, idx));
                steps.push(field);
                idx += 1;
                break;
            }
            if chars[idx + 1] != '.' {
                idx += 1;
                continue;
            }
            if escaped {
                field.push_str(&slice(start, idx - 1));
                field.push('`');
                idx += 1;
                start = idx;
                continue;
            }
            field.push_str(&slice(start, idx));
            steps.push(field);
            idx += 2;
            break;
        }
    }
    if chars.last() == Some(&'.') {
        steps.push(String::new());
    }
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steps(path: &str) -> Vec<String> {
        SingleFieldPath::new(path, FieldSyntaxVersion::V2)
            .map(|p| p.steps().to_vec())
            .unwrap_or_default()
    }

    // Kafka's FieldPathNotationTest.
    #[test]
    fn v2_notation() {
        assert_eq!(steps("foo"), vec!["foo"]);
        assert_eq!(steps("foo.bar"), vec!["foo", "bar"]);
        assert_eq!(steps("foo.bar.baz"), vec!["foo", "bar", "baz"]);
        assert_eq!(steps("foo."), vec!["foo", ""]);
        assert_eq!(steps(".foo"), vec!["", "foo"]);
        assert_eq!(steps("`foo.bar`"), vec!["foo.bar"]);
        assert_eq!(steps("`foo.bar`.baz"), vec!["foo.bar", "baz"]);
        assert_eq!(steps("foo.`bar.baz`"), vec!["foo", "bar.baz"]);
        assert_eq!(steps("`foo`bar`.baz"), vec!["foo`bar", "baz"]);
        assert_eq!(steps("`foo\\`.bar`.baz"), vec!["foo`.bar", "baz"]);
        assert_eq!(steps("foo.`bar`"), vec!["foo", "bar"]);
        assert_eq!(steps("``.foo"), vec!["", "foo"]);
    }

    #[test]
    fn v2_incomplete_backticks_fail() {
        let err = SingleFieldPath::new("`foo.bar", FieldSyntaxVersion::V2).expect_err("incomplete");
        assert_eq!(
            err.to_string(),
            "Incomplete backtick pair in path: [`foo.bar], consider adding a backslash before backtick at position 0 to escape it"
        );
        assert!(SingleFieldPath::new("foo.`bar\\`", FieldSyntaxVersion::V2).is_err());
    }

    #[test]
    fn v1_keeps_dots() {
        let path = SingleFieldPath::new("foo.bar", FieldSyntaxVersion::V1).expect("path");
        assert_eq!(path.steps(), ["foo.bar"]);
    }
}
