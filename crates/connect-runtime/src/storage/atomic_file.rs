//! Replacing a file atomically: write a temporary sibling, fsync it, rename it over the
//! target, fsync the directory. A crash at any point leaves either the old file or the new
//! one, never a torn mix, which is what makes the offsets file safe against `kill -9`.

use std::io::Write;
use std::path::Path;

use super::StorageError;

/// Who may read a replaced file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visibility {
    /// The process umask decides.
    Default,
    /// Owner only (0600): the file holds secrets. Set before any byte is written.
    Private,
}

/// [`write_atomically`] on the blocking pool, for async callers.
pub async fn replace_file(
    path: std::path::PathBuf,
    contents: Vec<u8>,
    visibility: Visibility,
) -> Result<(), StorageError> {
    let shown = path.display().to_string();
    tokio::task::spawn_blocking(move || write_atomically_with(&path, &contents, visibility))
        .await
        .map_err(|e| StorageError::Io {
            path: shown,
            source: std::io::Error::other(e.to_string()),
        })?
}

/// Atomically replaces `path` with `contents` (blocking; call from `spawn_blocking`).
pub fn write_atomically(path: &Path, contents: &[u8]) -> Result<(), StorageError> {
    write_atomically_with(path, contents, Visibility::Default)
}

fn write_atomically_with(
    path: &Path,
    contents: &[u8],
    visibility: Visibility,
) -> Result<(), StorageError> {
    let io_error = |source| StorageError::Io {
        path: path.display().to_string(),
        source,
    };
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    std::fs::create_dir_all(&directory).map_err(io_error)?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "store".to_string());
    let temporary = directory.join(format!(".{file_name}.tmp-{}", std::process::id()));
    {
        let mut file = std::fs::File::create(&temporary).map_err(io_error)?;
        if visibility == Visibility::Private {
            restrict_permissions(&file).map_err(io_error)?;
        }
        file.write_all(contents).map_err(io_error)?;
        file.sync_all().map_err(io_error)?;
    }
    std::fs::rename(&temporary, path).map_err(io_error)?;
    // Make the rename itself durable.
    if let Ok(dir) = std::fs::File::open(&directory) {
        let _ = dir.sync_all();
    }
    Ok(())
}

#[cfg(unix)]
fn restrict_permissions(file: &std::fs::File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn restrict_permissions(_file: &std::fs::File) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_contents_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("nested").join("offsets.json");
        write_atomically(&path, b"one").expect("write");
        write_atomically(&path, b"two").expect("write");
        assert_eq!(std::fs::read(&path).expect("read"), b"two");
        let entries: Vec<_> = std::fs::read_dir(path.parent().expect("parent"))
            .expect("list")
            .collect();
        assert_eq!(entries.len(), 1);
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn private_files_are_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("secrets.json");
        replace_file(path.clone(), b"{}".to_vec(), Visibility::Private)
            .await
            .expect("write");
        let mode = std::fs::metadata(&path).expect("stat").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
