//! `RegexRouter`: renames the topic when the whole topic matches a regular expression.
//!
//! As in Kafka, the pattern must match the entire topic (`Matcher.matches()`), and then
//! the first match is replaced (`Matcher.replaceFirst()`) with the replacement string in
//! Java's syntax: `$n` is group n (digits are taken while the group exists), `${name}` a
//! named group, and a backslash quotes the next character. A topic that does not match is
//! left alone.

use std::marker::PhantomData;

use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance};
use connect_api::transforms::Transformation;
use connect_api::{ConnectError, ConnectRecord, ConnectResult, Props};
use regex::{Captures, Regex};

use crate::util::{RegexValidator, full_match_regex, not_configured, parse_config};

pub const OVERVIEW_DOC: &str = "Update the record topic using the configured regular expression and replacement string.<p/>Under the hood, the regex is compiled to a <code>java.util.regex.Pattern</code>. If the pattern matches the input topic, <code>java.util.regex.Matcher#replaceFirst()</code> is used with the replacement string to obtain the new topic.";
pub const REGEX_CONFIG: &str = "regex";
pub const REPLACEMENT_CONFIG: &str = "replacement";

pub fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(REGEX_CONFIG, ConfigType::String)
                .validator(RegexValidator)
                .importance(Importance::High)
                .doc("Regular expression to use for matching."),
        )
        .define(
            ConfigKey::new(REPLACEMENT_CONFIG, ConfigType::String)
                .importance(Importance::High)
                .doc("Replacement string."),
        )
}

struct Config {
    full_match: Regex,
    find: Regex,
    replacement: String,
}

/// Kafka's `RegexRouter`.
pub struct RegexRouter<R> {
    config: Option<Config>,
    /// The last topic seen and its new name (`None`: the regex does not match it, the
    /// topic stays): a task's records mostly share a topic, so most records skip the regex.
    last: std::sync::Mutex<Option<(String, Option<String>)>>,
    _record: PhantomData<fn() -> R>,
}

impl<R> RegexRouter<R> {
    pub fn new() -> Self {
        RegexRouter {
            config: None,
            last: std::sync::Mutex::new(None),
            _record: PhantomData,
        }
    }
}

impl<R> Default for RegexRouter<R> {
    fn default() -> Self {
        Self::new()
    }
}

impl<R: ConnectRecord> Transformation<R> for RegexRouter<R> {
    fn config_def(&self) -> ConfigDef {
        config_def()
    }

    fn configure(&mut self, props: &Props) -> ConnectResult<()> {
        let parsed = parse_config(&config_def(), props)?;
        let pattern = parsed.string(REGEX_CONFIG).unwrap_or_default();
        let invalid = |e: regex::Error| {
            ConnectError::Config(connect_api::config::ConfigError::invalid(
                REGEX_CONFIG,
                pattern,
                format!("Invalid regex: {e}"),
            ))
        };
        *self
            .last
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
        self.config = Some(Config {
            full_match: full_match_regex(pattern).map_err(invalid)?,
            find: Regex::new(pattern).map_err(invalid)?,
            replacement: parsed
                .string(REPLACEMENT_CONFIG)
                .unwrap_or_default()
                .to_string(),
        });
        Ok(())
    }

    fn apply(&self, record: R) -> ConnectResult<Option<R>> {
        let config = self
            .config
            .as_ref()
            .ok_or_else(|| not_configured("RegexRouter"))?;
        let topic = {
            let mut last = self
                .last
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match last.as_ref() {
                Some((from, to)) if from == record.topic() => to.clone(),
                _ => {
                    let to = if config.full_match.is_match(record.topic()) {
                        Some(replace_first(
                            &config.find,
                            record.topic(),
                            &config.replacement,
                        )?)
                    } else {
                        None
                    };
                    *last = Some((record.topic().to_string(), to.clone()));
                    to
                }
            }
        };
        let Some(topic) = topic else {
            return Ok(Some(record));
        };
        Ok(Some(record.with_topic(topic)))
    }
}

/// Java's `Matcher.replaceFirst(replacement)`.
pub fn replace_first(regex: &Regex, input: &str, replacement: &str) -> ConnectResult<String> {
    let Some(captures) = regex.captures(input) else {
        return Ok(input.to_string());
    };
    let Some(whole) = captures.get(0) else {
        return Ok(input.to_string());
    };
    let mut out = String::with_capacity(input.len() + replacement.len());
    out.push_str(&input[..whole.start()]);
    append_replacement(&mut out, &captures, regex, replacement)?;
    out.push_str(&input[whole.end()..]);
    Ok(out)
}

/// Java's `Matcher.appendReplacement` expansion of `$n`, `${name}` and `\x`.
fn append_replacement(
    out: &mut String,
    captures: &Captures<'_>,
    regex: &Regex,
    replacement: &str,
) -> ConnectResult<()> {
    let chars: Vec<char> = replacement.chars().collect();
    let group_count = regex.captures_len() - 1;
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => {
                i += 1;
                let Some(escaped) = chars.get(i) else {
                    return Err(ConnectError::data("character to be escaped is missing"));
                };
                out.push(*escaped);
                i += 1;
            }
            '$' => {
                i += 1;
                match chars.get(i) {
                    None => {
                        return Err(ConnectError::data(
                            "Illegal group reference: group index is missing",
                        ));
                    }
                    Some('{') => {
                        i += 1;
                        let start = i;
                        while i < chars.len() && chars[i].is_ascii_alphanumeric() {
                            i += 1;
                        }
                        if chars.get(i) != Some(&'}') || i == start {
                            return Err(ConnectError::data(
                                "named capturing group is missing trailing '}'",
                            ));
                        }
                        let name: String = chars[start..i].iter().collect();
                        i += 1;
                        if regex.capture_names().flatten().all(|n| n != name) {
                            return Err(ConnectError::data(format!(
                                "No group with name {{{name}}}"
                            )));
                        }
                        if let Some(group) = captures.name(&name) {
                            out.push_str(group.as_str());
                        }
                    }
                    Some(c) if c.is_ascii_digit() => {
                        let mut group = c.to_digit(10).map_or(0, |d| d as usize);
                        if group > group_count {
                            return Err(ConnectError::data(format!("No group {group}")));
                        }
                        i += 1;
                        while let Some(d) = chars.get(i).and_then(|c| c.to_digit(10)) {
                            let next = group * 10 + d as usize;
                            if next > group_count {
                                break;
                            }
                            group = next;
                            i += 1;
                        }
                        if let Some(m) = captures.get(group) {
                            out.push_str(m.as_str());
                        }
                    }
                    Some(_) => {
                        return Err(ConnectError::data("Illegal group reference"));
                    }
                }
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replace(pattern: &str, replacement: &str, input: &str) -> String {
        let regex = Regex::new(pattern).expect("regex");
        replace_first(&regex, input, replacement).expect("replaced")
    }

    #[test]
    fn java_replacement_syntax() {
        assert_eq!(replace("(.*)", "$1abc", "x"), "xabc");
        assert_eq!(replace("(a)(b)", "$21", "ab"), "b1");
        assert_eq!(replace("(?P<first>a)", "${first}!", "a"), "a!");
        assert_eq!(replace("a", "\\$1", "a"), "$1");
        assert_eq!(replace("b", "X", "abab"), "aXab");
    }
}
