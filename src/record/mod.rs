//! Recording files: the checks a file must pass before any byte is sent
//! (regular, readable, non-empty, .mp3/.wav, content that looks like it), and
//! the name it is sent under.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::portal::FileSource;

pub mod convert;
mod prepare;
pub mod probe;

pub use prepare::{plan, Plan};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudioFormat {
    Mp3,
    Wav,
}

impl AudioFormat {
    pub fn mime(self) -> &'static str {
        match self {
            AudioFormat::Mp3 => "audio/mpeg",
            AudioFormat::Wav => "audio/wav",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            AudioFormat::Mp3 => "MP3",
            AudioFormat::Wav => "WAV",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            AudioFormat::Mp3 => "mp3",
            AudioFormat::Wav => "wav",
        }
    }

    /// What the first bytes say the content is, if anything we know.
    fn sniff(head: &[u8]) -> Option<AudioFormat> {
        let wav = head.len() >= 12
            && (&head[..4] == b"RIFF" || &head[..4] == b"RF64")
            && &head[8..12] == b"WAVE";
        let mp3 = head.starts_with(b"ID3")
            || (head.len() >= 2 && head[0] == 0xFF && head[1] & 0xE0 == 0xE0);
        match (wav, mp3) {
            (true, _) => Some(AudioFormat::Wav),
            (false, true) => Some(AudioFormat::Mp3),
            _ => None,
        }
    }
}

/// A recording name as sent in FILENAME: `.mp3`/`.wav` in any case comes in,
/// the extension goes out in lower case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordName {
    pub sent: String,
    pub format: AudioFormat,
}

impl RecordName {
    pub fn parse(name: &str, place: &str) -> Result<RecordName, String> {
        if name.trim().is_empty() {
            return Err(format!(
                "{place}: the file name is empty; pass --filename NAME.mp3"
            ));
        }
        if name.contains(['/', '\\']) || name.chars().any(char::is_control) {
            return Err(format!(
                "{place}: the file name {name:?} contains a path separator or control character; pass a plain name such as call.mp3"
            ));
        }
        let (stem, ext) = match name.rsplit_once('.') {
            Some((stem, ext)) if !stem.is_empty() => (stem, ext),
            _ => {
                return Err(format!(
                    "{place}: {name:?} has no extension; Bitrix24 takes .mp3 or .wav records (pass --filename NAME.mp3)"
                ))
            }
        };
        let format = match ext.to_ascii_lowercase().as_str() {
            "mp3" => AudioFormat::Mp3,
            "wav" => AudioFormat::Wav,
            other => {
                return Err(format!(
                "{place}: extension .{other} is not accepted; Bitrix24 takes .mp3 or .wav records"
            ))
            }
        };
        Ok(RecordName {
            sent: format!("{stem}.{}", ext.to_ascii_lowercase()),
            format,
        })
    }
}

/// A checked recording on disk.
#[derive(Debug, Clone)]
pub struct RecordFile {
    pub path: PathBuf,
    pub size: u64,
    pub name: RecordName,
    /// The audio actually sent when it was converted (then `size` is its size).
    pub converted: Option<Arc<convert::Converted>>,
}

impl RecordFile {
    /// Runs every check and returns every problem found, each naming its place and fix.
    pub fn check(
        path: &Path,
        filename: Option<&str>,
        sniff: bool,
    ) -> Result<RecordFile, Vec<String>> {
        let shown = path.display().to_string();
        let mut problems = Vec::new();
        let name = match filename {
            Some(name) => RecordName::parse(name, "--filename"),
            None => match path.file_name().map(|n| n.to_str()) {
                Some(Some(base)) => RecordName::parse(base, &shown),
                Some(None) => Err(format!(
                    "{shown}: the file name is not valid UTF-8; rename the file or pass --filename NAME.mp3"
                )),
                // `.` or `dir/..`: the check below says it is a directory, once.
                None if path.is_dir() => Err(String::new()),
                None => Err(format!("{shown}: not a file path; pass the recording's path")),
            },
        };
        let name = name
            .map_err(|p| {
                if !p.is_empty() {
                    problems.push(p)
                }
            })
            .ok();

        let size = match stat(path) {
            Ok(size) => size,
            Err(problem) => {
                problems.push(problem);
                return Err(problems);
            }
        };
        if size == 0 {
            problems.push(empty(&shown));
        }
        let head = match File::open(path).and_then(|f| {
            let mut head = Vec::with_capacity(12);
            f.take(12).read_to_end(&mut head)?;
            Ok(head)
        }) {
            Ok(head) => head,
            Err(e) => {
                problems.push(format!(
                    "{shown}: cannot read it ({e}); check its permissions"
                ));
                return Err(problems);
            }
        };
        if let (Some(name), true, true) = (&name, sniff, size > 0) {
            let found = AudioFormat::sniff(&head);
            if found != Some(name.format) {
                let seen = match found {
                    Some(other) => format!("its content looks like {}", other.name()),
                    None => format!("it starts with bytes {}", hex_preview(&head)),
                };
                problems.push(format!(
                    "{shown}: is named .{} but {seen}, not {}; fix the name (--filename) or the file, or pass --no-sniff to send it anyway",
                    name.sent.rsplit('.').next().unwrap_or(""),
                    name.format.name()
                ));
            }
        }
        match name {
            Some(name) if problems.is_empty() => Ok(RecordFile {
                path: path.to_path_buf(),
                size,
                name,
                converted: None,
            }),
            _ => Err(problems),
        }
    }

    /// The file as a source the portal client streams from (reopened per attempt).
    pub fn source(&self) -> FileSource {
        if let Some(converted) = &self.converted {
            let converted = converted.clone();
            return FileSource::new(self.size, self.name.sent.clone(), move || {
                Ok(Box::new(ReadAt {
                    converted: converted.clone(),
                    pos: 0,
                }) as Box<dyn Read + Send>)
            });
        }
        let path = self.path.clone();
        FileSource::new(self.size, self.name.sent.clone(), move || {
            Ok(Box::new(File::open(&path)?) as Box<dyn Read + Send>)
        })
    }
}

/// The size of a regular, readable file, or what is wrong with it.
pub(crate) fn stat(path: &Path) -> Result<u64, String> {
    let shown = path.display();
    let metadata = std::fs::metadata(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            format!("{shown}: no such file; check the path")
        } else {
            format!("{shown}: cannot read it ({e}); check its permissions")
        }
    })?;
    if metadata.is_dir() {
        return Err(format!(
            "{shown}: is a directory; pass the recording file inside it"
        ));
    }
    if !metadata.is_file() {
        return Err(format!(
            "{shown}: is not a regular file (a pipe or device); save the recording to a file first"
        ));
    }
    File::open(path)
        .map_err(|e| format!("{shown}: cannot read it ({e}); check its permissions"))?;
    Ok(metadata.len())
}

pub(crate) fn empty(shown: &str) -> String {
    format!(
        "{shown}: is empty (0 bytes); the PBX may still be writing it, try again when it is complete"
    )
}

/// Reads a converted (unlinked) file from its start, independent of other readers.
struct ReadAt {
    converted: Arc<convert::Converted>,
    pos: u64,
}

impl Read for ReadAt {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use std::os::unix::fs::FileExt;
        let n = self.converted.file.read_at(buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

fn hex_preview(head: &[u8]) -> String {
    head.iter()
        .take(4)
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The checks a record URL must pass, and the FILENAME it implies.
pub fn check_url(url: &str, filename: Option<&str>) -> Result<RecordName, Vec<String>> {
    let mut problems = Vec::new();
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    let host_ok = rest
        .map(|r| {
            let authority = r.split(['/', '?', '#']).next().unwrap_or("");
            !authority.rsplit('@').next().unwrap_or("").is_empty()
        })
        .unwrap_or(false);
    if !host_ok || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        problems.push(format!(
            "--url: {} is not an http(s) URL with a host; pass e.g. https://pbx.example.com/rec/call.mp3",
            crate::secret::redact_url(url)
        ));
    }
    let name = match filename {
        Some(name) => RecordName::parse(name, "--filename"),
        None => {
            let path = url.split(['?', '#']).next().unwrap_or("");
            let path = path.split_once("://").map(|(_, p)| p).unwrap_or(path);
            let base = path.split_once('/').map(|(_, p)| p).unwrap_or("");
            let base = base.rsplit('/').next().unwrap_or("");
            RecordName::parse(base, "--url").map_err(|p| {
                if p.contains("is not accepted") {
                    // The portal stores a URL's bytes as they are: nothing converts them.
                    format!("{p}, and a --url is stored as it is downloaded (mp3/wav only); for other audio, download it and pass --file PATH, which b24tel converts (see --convert)")
                } else {
                    p
                }
            })
        }
    };
    match name {
        Ok(name) if problems.is_empty() => Ok(name),
        Ok(_) => Err(problems),
        Err(p) => {
            problems.push(p);
            Err(problems)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_stem_and_lower_the_extension() {
        let name = RecordName::parse("Call-01.MP3", "x").unwrap();
        assert_eq!(
            (name.sent.as_str(), name.format),
            ("Call-01.mp3", AudioFormat::Mp3)
        );
        assert!(RecordName::parse("call.ogg", "x")
            .unwrap_err()
            .contains(".ogg"));
        assert!(RecordName::parse(".mp3", "x").is_err());
        assert!(RecordName::parse("a/b.mp3", "x").is_err());
    }

    #[test]
    fn sniffing_knows_both_formats() {
        assert_eq!(AudioFormat::sniff(b"ID3\x03\x00"), Some(AudioFormat::Mp3));
        assert_eq!(
            AudioFormat::sniff(&[0xFF, 0xFB, 0x90]),
            Some(AudioFormat::Mp3)
        );
        assert_eq!(
            AudioFormat::sniff(b"RIFF\x24\x00\x00\x00WAVEfmt "),
            Some(AudioFormat::Wav)
        );
        assert_eq!(AudioFormat::sniff(b"OggS\x00\x02"), None);
    }

    #[test]
    fn url_names_come_from_the_path() {
        assert_eq!(
            check_url("https://pbx/rec/a.WAV?x=1", None).unwrap().sent,
            "a.wav"
        );
        assert!(check_url("ftp://pbx/a.mp3", None).is_err());
        assert!(check_url("https:///a.mp3", None).is_err());
        assert!(check_url("https://pbx/rec/", None).is_err());
        assert_eq!(
            check_url("https://pbx/rec/", Some("x.mp3")).unwrap().sent,
            "x.mp3"
        );
    }
}
