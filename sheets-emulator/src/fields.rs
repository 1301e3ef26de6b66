//! Partial responses: the `fields` parameter of every Google API.
//!
//! `fields=spreadsheetId,sheets.properties(sheetId,title)` or
//! `fields=sheets(properties(title))` keep only the named parts of the answer; `*` keeps
//! every key at its level. Paths use `.` or `/`.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// A parsed field selection; an empty tree selects the whole value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldTree(BTreeMap<String, FieldTree>);

impl FieldTree {
    /// Parses a field mask; `None` when it is malformed.
    pub fn parse(mask: &str) -> Option<FieldTree> {
        let characters: Vec<char> = mask.chars().filter(|c| !c.is_whitespace()).collect();
        let mut position = 0;
        let tree = parse_list(&characters, &mut position, 0)?;
        (position == characters.len()).then_some(tree)
    }

    /// The parts of `value` the selection names.
    pub fn apply(&self, value: &Value) -> Value {
        if self.0.is_empty() {
            return value.clone();
        }
        match value {
            Value::Object(object) => {
                let mut selected = Map::new();
                for (key, child) in object {
                    let subtree = self.0.get(key).or_else(|| self.0.get("*"));
                    if let Some(subtree) = subtree {
                        selected.insert(key.clone(), subtree.apply(child));
                    }
                }
                Value::Object(selected)
            }
            Value::Array(items) => {
                Value::Array(items.iter().map(|item| self.apply(item)).collect())
            }
            other => other.clone(),
        }
    }

    /// The selected paths, dotted (`gridProperties.rowCount`); `*` stays `*`.
    pub fn paths(&self) -> Vec<String> {
        let mut paths = Vec::new();
        for (name, subtree) in &self.0 {
            if subtree.0.is_empty() {
                paths.push(name.clone());
            } else {
                for path in subtree.paths() {
                    paths.push(format!("{name}.{path}"));
                }
            }
        }
        paths
    }

    fn merge(&mut self, path: &[String], subtree: FieldTree) {
        let Some((first, rest)) = path.split_first() else {
            return;
        };
        let entry = self.0.entry(first.clone()).or_default();
        if rest.is_empty() {
            if subtree.0.is_empty() {
                // Selecting the whole field wins over partial selections.
                entry.0.clear();
            } else {
                for (key, value) in subtree.0 {
                    entry.0.insert(key, value);
                }
            }
        } else {
            entry.merge(rest, subtree);
        }
    }
}

/// Deepest nesting accepted (answers are not deeper than this).
const MAX_DEPTH: usize = 16;

fn parse_list(characters: &[char], position: &mut usize, depth: usize) -> Option<FieldTree> {
    if depth > MAX_DEPTH {
        return None;
    }
    let mut tree = FieldTree::default();
    loop {
        let mut path = vec![parse_name(characters, position)?];
        while matches!(characters.get(*position), Some('.') | Some('/')) {
            *position += 1;
            path.push(parse_name(characters, position)?);
        }
        let subtree = if characters.get(*position) == Some(&'(') {
            *position += 1;
            let subtree = parse_list(characters, position, depth + 1)?;
            if characters.get(*position) != Some(&')') {
                return None;
            }
            *position += 1;
            subtree
        } else {
            FieldTree::default()
        };
        tree.merge(&path, subtree);
        if characters.get(*position) == Some(&',') {
            *position += 1;
            continue;
        }
        return Some(tree);
    }
}

fn parse_name(characters: &[char], position: &mut usize) -> Option<String> {
    let start = *position;
    while characters
        .get(*position)
        .is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '*' | '@' | '$'))
    {
        *position += 1;
    }
    (*position > start).then(|| characters[start..*position].iter().collect())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn selects_nested_fields_in_both_syntaxes() {
        let value = json!({
            "spreadsheetId": "x",
            "properties": {"title": "T", "locale": "en_US"},
            "sheets": [{"properties": {"sheetId": 0, "title": "A", "index": 0}}]
        });
        let dotted = FieldTree::parse("spreadsheetId,sheets.properties.title")
            .map(|tree| tree.apply(&value));
        assert_eq!(
            dotted,
            Some(json!({"spreadsheetId": "x", "sheets": [{"properties": {"title": "A"}}]}))
        );
        let nested = FieldTree::parse("sheets(properties(sheetId,title)),properties/title")
            .map(|tree| tree.apply(&value));
        assert_eq!(
            nested,
            Some(
                json!({"properties": {"title": "T"}, "sheets": [{"properties": {"sheetId": 0, "title": "A"}}]})
            )
        );
        assert_eq!(FieldTree::parse("sheets(").map(|_| ()), None);
    }
}
