//! Reading an input file (transcript, manifest, config) with a size cap: only a
//! regular file or `-` (stdin), so `/dev/zero` or a FIFO cannot grow memory
//! until the OOM killer.

use std::io::Read;
use std::path::Path;

use crate::failure::shown_path;

/// Transcripts and manifests.
pub const DATA_CAP: u64 = 256 * 1024 * 1024;
/// The config file.
pub const CONFIG_CAP: u64 = 1024 * 1024;

/// Why an input could not be read; `Display` says it without the path.
#[derive(Debug)]
pub enum ReadError {
    NotFound,
    NotRegular(&'static str),
    TooLarge { cap: u64, what: &'static str },
    Io(std::io::Error),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::NotFound => write!(f, "no such file; check the path"),
            ReadError::NotRegular(kind) => write!(
                f,
                "is {kind}, not a regular file; pass a file (or - for stdin)"
            ),
            ReadError::TooLarge { cap, what } => write!(
                f,
                "is larger than the {} MiB cap for {what}",
                cap / (1024 * 1024)
            ),
            ReadError::Io(e) => write!(f, "cannot read it ({e}); check its permissions"),
        }
    }
}

/// Reads `path` (or stdin for `-`) whole, refusing anything but a regular file
/// and anything over `cap` bytes. `what` names the cap ("transcripts").
pub fn read_capped(path: &Path, cap: u64, what: &'static str) -> Result<Vec<u8>, ReadError> {
    if path.as_os_str() == "-" {
        return read_limited(std::io::stdin().lock(), cap, what);
    }
    let file = std::fs::File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ReadError::NotFound,
        _ => ReadError::Io(e),
    })?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind_of(&meta)));
    }
    if meta.len() > cap {
        return Err(ReadError::TooLarge { cap, what });
    }
    read_limited(file, cap, what)
}

/// `path: reason`, with the path escaped.
pub fn describe(path: &Path, error: &ReadError) -> String {
    let name = if path.as_os_str() == "-" {
        "stdin".to_string()
    } else {
        shown_path(path)
    };
    format!("{name}: {error}")
}

fn read_limited(reader: impl Read, cap: u64, what: &'static str) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    reader
        .take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > cap {
        return Err(ReadError::TooLarge { cap, what });
    }
    Ok(bytes)
}

fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    if meta.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_fifo() {
            return "a named pipe";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_and_oversized_files_are_refused() {
        let error = read_capped(Path::new("/dev/zero"), CONFIG_CAP, "config files").unwrap_err();
        assert!(
            matches!(error, ReadError::NotRegular("a device")),
            "{error}"
        );
        let dir = std::env::temp_dir().join(format!("b24tel-input-{}", std::process::id()));
        std::fs::write(&dir, vec![b'x'; 11]).unwrap();
        let error = read_capped(&dir, 10, "tests").unwrap_err();
        assert!(error.to_string().contains("cap for tests"), "{error}");
        assert_eq!(read_capped(&dir, 11, "tests").unwrap().len(), 11);
        let _ = std::fs::remove_file(dir);
    }
}
