//! Java `.properties` files for the workers the tests and benchmarks start (Kafka Connect's
//! and Tributary's read the same files).

use std::path::Path;

use anyhow::{Context, Result};

/// Writes `pairs`, in order, as a `.properties` file that `java.util.Properties.load` reads
/// back unchanged (escapes and encoding by the `java-properties` crate).
pub fn write_properties<K, V>(path: &Path, pairs: impl IntoIterator<Item = (K, V)>) -> Result<()>
where
    K: AsRef<str>,
    V: AsRef<str>,
{
    let mut bytes = Vec::new();
    {
        let mut writer = java_properties::PropertiesWriter::new(&mut bytes);
        for (key, value) in pairs {
            writer
                .write(key.as_ref(), value.as_ref())
                .with_context(|| format!("writing key {} of {}", key.as_ref(), path.display()))?;
        }
        writer
            .finish()
            .with_context(|| format!("writing {}", path.display()))?;
    }
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_back_as_written() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("worker.properties");
        let pairs = [
            ("plain", "value"),
            ("backslash", "C:\\dir\\file"),
            ("lines", "one\ntwo\r\n"),
            ("leading.blank", " x"),
            ("separators", "a=b:c #d !e"),
            ("accents", "café ünï"),
            ("regex", "(.*)-in"),
            ("replacement", "$1-out"),
        ];
        write_properties(&path, pairs)?;
        let read = java_properties::read(std::fs::File::open(&path)?)?;
        assert_eq!(read.len(), pairs.len());
        for (key, value) in pairs {
            assert_eq!(read.get(key).map(String::as_str), Some(value), "{key}");
        }
        Ok(())
    }
}
