//! From a recording on disk to what is sent: the checks, the header probe, the
//! decision to send it as it is or convert it, and the name it goes under.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::convert::{self, Conversion, Convert};
use super::probe::{self, Container, Probe};
use super::{AudioFormat, RecordFile, RecordName};
use crate::output::Ui;

/// A checked recording and what will be done with it; nothing converted yet
/// (`--dry-run` stops here).
#[derive(Debug, Clone)]
pub struct Plan {
    pub path: PathBuf,
    /// The input's size.
    pub size: u64,
    pub probe: Option<Probe>,
    /// `Some` when the file is converted to this format before it is sent.
    pub target: Option<AudioFormat>,
    /// The FILENAME sent (with the output's extension).
    pub name: RecordName,
    /// Things the user should know (the caller prints them as warnings).
    pub warnings: Vec<String>,
    pub conversion: Conversion,
}

/// Every check and the decision, without converting anything: what `record
/// attach`, `record upload-url --upload` and `batch` plan before they send (so
/// `--dry-run` and a batch re-run never convert). Every problem is a message
/// naming the file and the fix; they all mean exit 3, nothing sent.
pub fn plan(
    path: &Path,
    filename: Option<&str>,
    sniff: bool,
    conversion: &Conversion,
) -> Result<Plan, Vec<String>> {
    let shown = path.display().to_string();
    if conversion.mode == Convert::Never || !sniff {
        let file = RecordFile::check(path, filename, sniff).map_err(|problems| {
            problems
                .into_iter()
                .map(|p| match (conversion.mode, p.contains("is not accepted")) {
                    (Convert::Never, true) => format!(
                        "{p}; or let b24tel convert it: drop --convert never (or pass --convert mp3)"
                    ),
                    (_, true) => format!("{p}; or drop --no-sniff to let b24tel convert it"),
                    _ => p,
                })
                .collect::<Vec<_>>()
        })?;
        let probe = if sniff {
            probe::probe(path, file.size, conversion.raw).ok()
        } else {
            None
        };
        let mut warnings = Vec::new();
        if let Some(probe) = probe {
            if probe.container == Container::Wav && probe.playable_as().is_none() {
                warnings.push(format!(
                    "{shown}: is {} WAV, which Bitrix24 stores but browsers do not play; drop --convert never to send it as MP3",
                    probe.codec.name()
                ));
            }
        }
        return Ok(Plan {
            path: file.path,
            size: file.size,
            probe,
            target: None,
            name: file.name,
            warnings,
            conversion: *conversion,
        });
    }

    let mut problems = Vec::new();
    let wanted = match filename {
        Some(name) => RecordName::parse(name, "--filename")
            .map_err(|p| problems.push(p))
            .ok(),
        None => None,
    };
    let base = match path.file_name().map(|n| n.to_str()) {
        Some(Some(base)) => Some(base.to_string()),
        Some(None) => {
            problems.push(format!(
                "{shown}: the file name is not valid UTF-8; rename the file or pass --filename NAME.mp3"
            ));
            None
        }
        // `.` or `dir/..`: the check below says it is a directory, once.
        None if path.is_dir() => None,
        None => {
            problems.push(format!(
                "{shown}: not a file path; pass the recording's path"
            ));
            None
        }
    };
    let size = match super::stat(path) {
        Ok(size) => size,
        Err(problem) => {
            problems.push(problem);
            return Err(problems);
        }
    };
    if size == 0 {
        problems.push(super::empty(&shown));
        return Err(problems);
    }
    let probe = match probe::probe(path, size, conversion.raw) {
        Ok(probe) => probe,
        Err(problem) => {
            problems.push(problem);
            return Err(problems);
        }
    };
    let own_ext = base
        .as_deref()
        .and_then(|b| b.rsplit_once('.'))
        .map(|(_, ext)| ext.to_ascii_lowercase());
    let named = match own_ext.as_deref() {
        Some("mp3") => Some(AudioFormat::Mp3),
        Some("wav") => Some(AudioFormat::Wav),
        _ => None,
    };
    if let Some(named) = named {
        if probe.accepted_as() != Some(named) {
            problems.push(format!(
                "{shown}: is named .{} but its content looks like {}, not {}; fix the name or the file, or pass --no-sniff to send it anyway",
                named.extension(),
                probe.describe(),
                named.name()
            ));
        }
    }
    let (Some(base), true) = (base, problems.is_empty()) else {
        return Err(problems);
    };

    let wanted_format = wanted.as_ref().map(|w| w.format);
    let target = match conversion.mode {
        Convert::Mp3 => Some(AudioFormat::Mp3),
        Convert::Wav => Some(AudioFormat::Wav),
        Convert::Auto => match probe.playable_as() {
            Some(format) if wanted_format.is_none_or(|w| w == format) => None,
            _ => Some(wanted_format.unwrap_or(AudioFormat::Mp3)),
        },
        Convert::Never => unreachable!("handled above"),
    };
    if target.is_some()
        && convert::needs_ffmpeg(probe.codec)
        && convert::ffmpeg_available().is_none()
    {
        return Err(vec![format!(
            "{shown}: is {} audio, which b24tel converts with ffmpeg, and no ffmpeg is on PATH; install it (`apt-get install ffmpeg`), or pass --convert never to send a .wav as it is",
            probe.codec.name()
        )]);
    }
    let format = target.or(probe.playable_as()).unwrap_or(AudioFormat::Mp3);
    let given = wanted.as_ref().map(|w| w.sent.as_str()).unwrap_or(&base);
    let stem = match given.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => given,
    };
    let place = if wanted.is_some() {
        "--filename"
    } else {
        shown.as_str()
    };
    let name =
        RecordName::parse(&format!("{stem}.{}", format.extension()), place).map_err(|p| vec![p])?;
    Ok(Plan {
        path: path.to_path_buf(),
        size,
        probe: Some(probe),
        target,
        name,
        warnings: Vec::new(),
        conversion: *conversion,
    })
}

impl Plan {
    /// What `--dry-run` says about the file.
    pub fn describe(&self) -> String {
        match (&self.probe, self.target) {
            (Some(probe), Some(target)) => format!(
                "{} ({} bytes, {}), converted to {} before sending",
                self.path.display(),
                self.size,
                probe.codec.name(),
                target.name()
            ),
            _ => format!("{} ({} bytes)", self.path.display(), self.size),
        }
    }

    /// Converts when the plan says so; checks the file did not change meanwhile.
    pub fn run(self, ui: &Ui) -> Result<RecordFile, String> {
        let shown = self.path.display().to_string();
        if let (Some(probe), true) = (&self.probe, ui.verbose) {
            eprintln!("> probe {shown}: {}", probe.describe());
        }
        let converted = match (self.target, &self.probe) {
            (Some(target), Some(probe)) => Some(convert::convert(
                &self.path,
                probe,
                target,
                &self.conversion,
            )?),
            _ => None,
        };
        let now = super::stat(&self.path)?;
        if now != self.size {
            return Err(format!(
                "{shown}: is still being written: its size changed from {} to {now} bytes while b24tel read it; try again when the PBX has finished it",
                self.size
            ));
        }
        let Some(converted) = converted else {
            return Ok(RecordFile {
                path: self.path,
                size: self.size,
                name: self.name,
                converted: None,
            });
        };
        if ui.verbose {
            let out = match converted.bitrate {
                Some(kbps) => format!("MP3 {kbps} kbps CBR"),
                None => "WAV 16-bit PCM".into(),
            };
            eprintln!(
                "> convert {shown}: {} -> {out}: {} Hz, {} channel{}, {:.2} s, {} -> {} bytes, {} ms",
                converted.from.name(),
                converted.rate,
                converted.channels,
                if converted.channels == 1 { "" } else { "s" },
                converted.duration_secs(),
                self.size,
                converted.size,
                converted.elapsed.as_millis()
            );
        }
        Ok(RecordFile {
            path: self.path,
            size: converted.size,
            name: self.name,
            converted: Some(Arc::new(converted)),
        })
    }
}
