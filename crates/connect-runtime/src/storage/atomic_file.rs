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
            error: std::io::Error::other(e.to_string()),
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
    let io_error = |error| StorageError::Io {
        path: path.display().to_string(),
        error,
    };
    let directory = directory_of(path);
    std::fs::create_dir_all(&directory).map_err(io_error)?;
    let temporary = directory.join(format!("{}{}", temporary_prefix(path), std::process::id()));
    let written = (|| {
        let mut file = std::fs::File::create(&temporary)?;
        if visibility == Visibility::Private {
            restrict_permissions(&file)?;
        }
        file.write_all(contents)?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    if let Err(error) = written {
        // A full disk leaves a partial temporary file: do not keep it.
        let _ = std::fs::remove_file(&temporary);
        return Err(io_error(error));
    }
    // Make the rename itself durable.
    if let Ok(dir) = std::fs::File::open(&directory) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// The directory `path` is in (`.` for a bare file name).
fn directory_of(path: &Path) -> std::path::PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    }
}

/// The name of `path`'s temporary siblings, before the writer's process id.
fn temporary_prefix(path: &Path) -> String {
    let file_name = path
        .file_name()
        .map_or_else(|| "store".into(), |name| name.to_string_lossy());
    format!(".{file_name}.tmp-")
}

/// Removes the temporary siblings of `path` that processes which died mid-write left behind
/// (a writer removes its own), and answers what was removed. A temporary of a process that
/// is still alive (another worker sharing the directory) is kept.
pub fn remove_stale_temporaries(path: &Path) -> Vec<std::path::PathBuf> {
    let prefix = temporary_prefix(path);
    let Ok(entries) = std::fs::read_dir(directory_of(path)) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix(&prefix)
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id()
            && !process_alive(pid)
            && std::fs::remove_file(entry.path()).is_ok()
        {
            removed.push(entry.path());
        }
    }
    removed
}

/// Whether a process with this id exists (Linux: `/proc/<pid>`; elsewhere assumed dead).
fn process_alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
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

    /// A full disk is named in the message itself, which is what a log line shows.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_full_disk_is_named() {
        let error = StorageError::Io {
            path: "/var/lib/tributary/offsets.json".to_string(),
            error: std::io::Error::from_raw_os_error(28),
        };
        assert_eq!(
            error.to_string(),
            "cannot access /var/lib/tributary/offsets.json: No space left on device (os error 28)"
        );
    }

    #[test]
    fn temporaries_of_dead_writers_are_removed_and_live_ones_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("offsets.json");
        write_atomically(&path, b"{}").expect("write");
        // A process id that cannot exist (above Linux's pid_max), one that does (ours: the
        // temporary of a write in progress), and an unrelated file.
        let dead = dir.path().join(".offsets.json.tmp-4194305");
        let alive = dir
            .path()
            .join(format!(".offsets.json.tmp-{}", std::process::id()));
        let other = dir.path().join(".other.json.tmp-4194305");
        for file in [&dead, &alive, &other] {
            std::fs::write(file, b"partial").expect("write");
        }
        assert_eq!(remove_stale_temporaries(&path), vec![dead.clone()]);
        assert!(!dead.exists() && alive.exists() && other.exists() && path.exists());
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
