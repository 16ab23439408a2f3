//! What a recording holds, read from its header before anything is sent: the
//! container, the codec, rate and channels, and whether the container is whole
//! (a truncated or still-growing file is refused, never sent half).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use super::AudioFormat;

/// The container a recording comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    Wav,
    Mpeg,
    Ogg,
    Matroska,
    Flac,
    /// Headerless GSM 6.10 frames (Asterisk's `.gsm`).
    GsmRaw,
    /// Headerless signed 16-bit little-endian PCM (Asterisk's `.raw`/`.sln`).
    Slin,
}

impl Container {
    pub fn name(self) -> &'static str {
        match self {
            Container::Wav => "WAV",
            Container::Mpeg => "MPEG audio",
            Container::Ogg => "Ogg",
            Container::Matroska => "Matroska/WebM",
            Container::Flac => "FLAC",
            Container::GsmRaw => "headerless GSM",
            Container::Slin => "headerless slin",
        }
    }
}

/// The audio codec inside the container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    Pcm {
        bits: u16,
    },
    Float,
    Alaw,
    Mulaw,
    ImaAdpcm,
    MsAdpcm,
    Gsm,
    /// A WAV format tag we do not know.
    WavOther(u16),
    Mp3,
    Opus,
    Vorbis,
    Flac,
    Slin,
    /// A container whose codec the header alone does not name.
    Unknown,
}

impl Codec {
    /// The short id that goes into the output's `converted_from`.
    pub fn id(self) -> String {
        match self {
            Codec::Pcm { bits } => format!("pcm_s{bits}"),
            Codec::Float => "pcm_float".into(),
            Codec::Alaw => "alaw".into(),
            Codec::Mulaw => "mulaw".into(),
            Codec::ImaAdpcm => "ima_adpcm".into(),
            Codec::MsAdpcm => "ms_adpcm".into(),
            Codec::Gsm => "gsm".into(),
            Codec::WavOther(tag) => format!("wav_0x{tag:04x}"),
            Codec::Mp3 => "mp3".into(),
            Codec::Opus => "opus".into(),
            Codec::Vorbis => "vorbis".into(),
            Codec::Flac => "flac".into(),
            Codec::Slin => "slin".into(),
            Codec::Unknown => "unknown".into(),
        }
    }

    /// The name people read in `-v` lines and errors.
    pub fn name(self) -> String {
        match self {
            Codec::Pcm { bits } => format!("PCM {bits}-bit"),
            Codec::Float => "IEEE float PCM".into(),
            Codec::Alaw => "A-law".into(),
            Codec::Mulaw => "mu-law".into(),
            Codec::ImaAdpcm => "IMA ADPCM".into(),
            Codec::MsAdpcm => "MS ADPCM".into(),
            Codec::Gsm => "GSM 6.10".into(),
            Codec::WavOther(tag) => format!("WAV format 0x{tag:04x}"),
            Codec::Mp3 => "MP3".into(),
            Codec::Opus => "Opus".into(),
            Codec::Vorbis => "Vorbis".into(),
            Codec::Flac => "FLAC".into(),
            Codec::Slin => "raw signed 16-bit PCM".into(),
            Codec::Unknown => "unknown codec".into(),
        }
    }

    /// Codecs no maintained Rust crate decodes: these go through `ffmpeg`.
    pub fn needs_ffmpeg(self) -> bool {
        matches!(self, Codec::Gsm | Codec::Opus)
    }
}

/// What the header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe {
    pub container: Container,
    pub codec: Codec,
    pub rate: Option<u32>,
    pub channels: Option<u16>,
}

impl Probe {
    /// The format the portal stores and browsers play this as, unchanged; `None`
    /// when it must be converted first.
    pub fn playable_as(&self) -> Option<AudioFormat> {
        match (self.container, self.codec) {
            (Container::Wav, Codec::Pcm { .. }) => Some(AudioFormat::Wav),
            (Container::Mpeg, _) => Some(AudioFormat::Mp3),
            _ => None,
        }
    }

    /// The format the portal accepts it as, unchanged (a GSM WAV is accepted but
    /// does not play in browsers).
    pub fn accepted_as(&self) -> Option<AudioFormat> {
        match self.container {
            Container::Wav => Some(AudioFormat::Wav),
            Container::Mpeg => Some(AudioFormat::Mp3),
            _ => None,
        }
    }

    /// One line for `-v`.
    pub fn describe(&self) -> String {
        let mut text = format!("{} container, {}", self.container.name(), self.codec.name());
        if let Some(rate) = self.rate {
            text.push_str(&format!(", {rate} Hz"));
        }
        if let Some(channels) = self.channels {
            text.push_str(&format!(
                ", {channels} channel{}",
                if channels == 1 { "" } else { "s" }
            ));
        }
        text
    }
}

/// How to read headerless `.raw`/`.sln` audio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RawSpec {
    /// `--raw-rate`; otherwise `.slnNN` names the rate in kHz, else 8000.
    pub rate: Option<u32>,
    pub channels: u16,
}

const HEAD: u64 = 64 * 1024;

/// Reads the header of `path` (whose size is `size`) and says what it holds,
/// or why it cannot be converted or sent (truncated, still growing, unknown).
pub fn probe(path: &Path, size: u64, raw: RawSpec) -> Result<Probe, String> {
    let shown = path.display().to_string();
    let mut file = File::open(path).map_err(|e| format!("{shown}: cannot read it ({e})"))?;
    let mut head = Vec::new();
    (&mut file)
        .take(HEAD)
        .read_to_end(&mut head)
        .map_err(|e| format!("{shown}: cannot read it ({e})"))?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let truncated = |what: String| {
        format!(
            "{shown}: is truncated or still being written ({what}); wait until the PBX has finished it, or fetch a complete copy"
        )
    };

    if head.len() >= 12
        && (&head[..4] == b"RIFF" || &head[..4] == b"RF64")
        && &head[8..12] == b"WAVE"
    {
        return wav(&mut file, &head, size).map_err(|e| match e {
            WavProblem::Truncated(what) => truncated(what),
            WavProblem::Bad(what) => format!("{shown}: {what}"),
        });
    }
    if head.starts_with(b"ID3") || (head.len() >= 2 && head[0] == 0xFF && head[1] & 0xE0 == 0xE0) {
        let (rate, channels) = mpeg_header(&head).unzip();
        return Ok(Probe {
            container: Container::Mpeg,
            codec: Codec::Mp3,
            rate,
            channels,
        });
    }
    if head.starts_with(b"OggS") {
        ogg_complete(&mut file, size).map_err(truncated)?;
        let mut probe = Probe {
            container: Container::Ogg,
            codec: Codec::Unknown,
            rate: None,
            channels: None,
        };
        codec_headers(&head, &mut probe);
        return Ok(probe);
    }
    if head.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        matroska_complete(&head, size).map_err(truncated)?;
        let mut probe = Probe {
            container: Container::Matroska,
            codec: Codec::Unknown,
            rate: None,
            channels: None,
        };
        if find(&head, b"A_OPUS").is_some() {
            probe.codec = Codec::Opus;
        } else if find(&head, b"A_VORBIS").is_some() {
            probe.codec = Codec::Vorbis;
        }
        codec_headers(&head, &mut probe);
        return Ok(probe);
    }
    if head.starts_with(b"fLaC") {
        let (rate, channels) = if head.len() >= 8 + 18 {
            let info = &head[8..];
            let rate = (u32::from(info[10]) << 12)
                | (u32::from(info[11]) << 4)
                | (u32::from(info[12]) >> 4);
            let channels = u16::from((info[12] >> 1) & 0x07) + 1;
            (Some(rate), Some(channels))
        } else {
            (None, None)
        };
        return Ok(Probe {
            container: Container::Flac,
            codec: Codec::Flac,
            rate,
            channels,
        });
    }
    if ext == "gsm" {
        if head.first().map(|b| b >> 4) != Some(0xD) {
            return Err(format!(
                "{shown}: is named .gsm but does not start like GSM 6.10 frames (starts with bytes {}); fix the file or its name",
                super::hex_preview(&head)
            ));
        }
        if !size.is_multiple_of(33) {
            return Err(truncated(format!(
                "{size} bytes is not a whole number of 33-byte GSM frames"
            )));
        }
        return Ok(Probe {
            container: Container::GsmRaw,
            codec: Codec::Gsm,
            rate: Some(8000),
            channels: Some(1),
        });
    }
    if ext == "raw" || ext == "sln" || (ext.starts_with("sln") && ext[3..].parse::<u32>().is_ok()) {
        let rate = raw.rate.unwrap_or_else(|| sln_rate(&ext));
        let channels = raw.channels.max(1);
        if !size.is_multiple_of(2 * u64::from(channels)) {
            return Err(truncated(format!(
                "{size} bytes is not a whole number of {channels}-channel 16-bit frames"
            )));
        }
        return Ok(Probe {
            container: Container::Slin,
            codec: Codec::Slin,
            rate: Some(rate),
            channels: Some(channels),
        });
    }
    Err(format!(
        "{shown}: its content is not audio b24tel reads (it starts with bytes {}); fix the file, or pass --no-sniff with a .mp3/.wav name to send it anyway",
        super::hex_preview(&head)
    ))
}

/// `.sln16` is 16 kHz, `.sln48` 48 kHz, `.sln44` 44.1 kHz; plain `.sln`/`.raw` 8 kHz.
fn sln_rate(ext: &str) -> u32 {
    match ext.strip_prefix("sln").and_then(|k| k.parse::<u32>().ok()) {
        Some(44) => 44_100,
        Some(khz) if khz > 0 => khz * 1000,
        _ => 8000,
    }
}

enum WavProblem {
    Truncated(String),
    Bad(String),
}

fn wav(file: &mut File, head: &[u8], size: u64) -> Result<Probe, WavProblem> {
    let rf64 = &head[..4] == b"RF64";
    let mut pos = 12u64;
    let mut fmt: Option<Vec<u8>> = None;
    loop {
        let mut header = [0u8; 8];
        file.seek(SeekFrom::Start(pos))
            .and_then(|_| file.read_exact(&mut header))
            .map_err(|_| {
                WavProblem::Truncated(match fmt {
                    None => "the WAV file ends before its fmt chunk".into(),
                    Some(_) => "the WAV file ends before its data chunk".into(),
                })
            })?;
        let id = &header[..4];
        let len = u64::from(u32::from_le_bytes([
            header[4], header[5], header[6], header[7],
        ]));
        if id == b"fmt " {
            let mut body = vec![0u8; len.min(64) as usize];
            file.read_exact(&mut body).map_err(|_| {
                WavProblem::Truncated("the WAV file ends inside its fmt chunk".into())
            })?;
            fmt = Some(body);
        } else if id == b"data" {
            let Some(fmt) = fmt else {
                return Err(WavProblem::Bad(
                    "is a WAV file with its data chunk before the fmt chunk; re-export it".into(),
                ));
            };
            let mut probe = wav_fmt(&fmt)?;
            let available = size.saturating_sub(pos + 8);
            if !rf64 {
                if len == 0 && available > 0 || len == 0xFFFF_FFFF {
                    return Err(WavProblem::Truncated(
                        "its WAV header does not yet give the audio length".into(),
                    ));
                }
                if len > available {
                    return Err(WavProblem::Truncated(format!(
                        "its WAV header declares {len} bytes of audio but the file holds {available}"
                    )));
                }
            }
            if len == 0 {
                return Err(WavProblem::Bad("is a WAV file with no audio in it".into()));
            }
            if probe.channels == Some(0) {
                probe.channels = None;
            }
            return Ok(probe);
        }
        pos += 8 + len + (len & 1);
        if pos >= size {
            return Err(WavProblem::Truncated(
                "the WAV file ends before its data chunk".into(),
            ));
        }
    }
}

fn wav_fmt(fmt: &[u8]) -> Result<Probe, WavProblem> {
    if fmt.len() < 16 {
        return Err(WavProblem::Bad(
            "is a WAV file whose fmt chunk is too short; re-export it".into(),
        ));
    }
    let u16_at = |i: usize| u16::from_le_bytes([fmt[i], fmt[i + 1]]);
    let mut tag = u16_at(0);
    if tag == 0xFFFE && fmt.len() >= 26 {
        tag = u16_at(24);
    }
    let bits = u16_at(14);
    let codec = match tag {
        0x0001 => Codec::Pcm { bits },
        0x0003 => Codec::Float,
        0x0006 => Codec::Alaw,
        0x0007 => Codec::Mulaw,
        0x0011 => Codec::ImaAdpcm,
        0x0002 => Codec::MsAdpcm,
        0x0031 => Codec::Gsm,
        other => Codec::WavOther(other),
    };
    Ok(Probe {
        container: Container::Wav,
        codec,
        rate: Some(u32::from_le_bytes([fmt[4], fmt[5], fmt[6], fmt[7]])),
        channels: Some(u16_at(2)),
    })
}

/// Rate and channels from an MPEG audio frame header at the start (after an ID3 tag).
fn mpeg_header(head: &[u8]) -> Option<(u32, u16)> {
    let mut at = 0usize;
    if head.starts_with(b"ID3") && head.len() >= 10 {
        let len = head[6..10]
            .iter()
            .fold(0usize, |acc, b| (acc << 7) | usize::from(b & 0x7F));
        at = 10 + len;
    }
    let h = head.get(at..at + 4)?;
    if h[0] != 0xFF || h[1] & 0xE0 != 0xE0 {
        return None;
    }
    let version = (h[1] >> 3) & 0x03;
    let index = usize::from((h[2] >> 2) & 0x03);
    let base = [44_100, 48_000, 32_000].get(index)?;
    let rate = match version {
        3 => *base,
        2 => base / 2,
        0 => base / 4,
        _ => return None,
    };
    let channels = if h[3] >> 6 == 3 { 1 } else { 2 };
    Some((rate, channels))
}

/// Codec, rate and channels from an OpusHead or Vorbis identification header.
fn codec_headers(head: &[u8], probe: &mut Probe) {
    if let Some(at) = find(head, b"OpusHead") {
        probe.codec = Codec::Opus;
        if let Some(h) = head.get(at..at + 16) {
            probe.channels = Some(u16::from(h[9]));
            // Opus always decodes at 48 kHz; the header's rate is the original's.
            probe.rate = Some(48_000);
        }
    } else if let Some(at) = find(head, b"\x01vorbis") {
        probe.codec = Codec::Vorbis;
        if let Some(h) = head.get(at..at + 16) {
            probe.channels = Some(u16::from(h[11]));
            probe.rate = Some(u32::from_le_bytes([h[12], h[13], h[14], h[15]]));
        }
    } else if find(head, b"\x7fFLAC").is_some() {
        probe.codec = Codec::Flac;
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// An Ogg stream is whole when its last page ends exactly at the end of the
/// file and carries the end-of-stream flag.
fn ogg_complete(file: &mut File, size: u64) -> Result<(), String> {
    let window = size.min(2 * HEAD);
    let start = size - window;
    let mut tail = Vec::with_capacity(window as usize);
    file.seek(SeekFrom::Start(start))
        .and_then(|_| file.take(window).read_to_end(&mut tail))
        .map_err(|e| format!("cannot read its end: {e}"))?;
    let mut last_page = None;
    for at in (0..tail.len().saturating_sub(27)).rev() {
        if &tail[at..at + 4] != b"OggS" || tail[at + 4] != 0 {
            continue;
        }
        let segments = usize::from(tail[at + 26]);
        let Some(table) = tail.get(at + 27..at + 27 + segments) else {
            continue;
        };
        let body: usize = table.iter().map(|&b| usize::from(b)).sum();
        if at + 27 + segments + body == tail.len() {
            last_page = Some(tail[at + 5]);
            break;
        }
    }
    match last_page {
        Some(flags) if flags & 0x04 != 0 => Ok(()),
        Some(_) => Err("its last Ogg page is not marked end-of-stream".into()),
        None => Err("its last Ogg page is cut short".into()),
    }
}

/// A Matroska/WebM file is whole when its Segment's declared size fits in the
/// file (a live-written file with an unknown size is taken as it is).
fn matroska_complete(head: &[u8], size: u64) -> Result<(), String> {
    let Some((_, header_len, after_id)) = ebml_element(head, 0) else {
        return Err("its EBML header is cut short".into());
    };
    let segment_at = after_id + header_len.unwrap_or(0) as usize;
    let Some((id, segment_len, data_at)) = ebml_element(head, segment_at) else {
        return Err("it ends before its Segment".into());
    };
    if id != 0x1853_8067 {
        return Ok(());
    }
    match segment_len {
        Some(len) if data_at as u64 + len > size => Err(format!(
            "its Segment declares {len} bytes but the file holds {}",
            size - data_at as u64
        )),
        _ => Ok(()),
    }
}

/// An EBML element at `at`: (id, data size or None when unknown, offset of its data).
fn ebml_element(buf: &[u8], at: usize) -> Option<(u32, Option<u64>, usize)> {
    let first = *buf.get(at)?;
    let id_len = first.leading_zeros() as usize + 1;
    if id_len > 4 {
        return None;
    }
    let id = buf
        .get(at..at + id_len)?
        .iter()
        .fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
    let size_at = at + id_len;
    let first = *buf.get(size_at)?;
    let size_len = first.leading_zeros() as usize + 1;
    if size_len > 8 {
        return None;
    }
    let bytes = buf.get(size_at..size_at + size_len)?;
    let mask = if size_len == 8 { 0 } else { 0xFFu8 >> size_len };
    let mut value = u64::from(bytes[0] & mask);
    for &b in &bytes[1..] {
        value = (value << 8) | u64::from(b);
    }
    let unknown = value == (1u64 << (7 * size_len)) - 1;
    Some((
        id,
        if unknown { None } else { Some(value) },
        size_at + size_len,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sln_names_carry_their_rate() {
        assert_eq!(sln_rate("sln"), 8000);
        assert_eq!(sln_rate("sln16"), 16_000);
        assert_eq!(sln_rate("sln44"), 44_100);
        assert_eq!(sln_rate("raw"), 8000);
    }

    #[test]
    fn ebml_sizes_decode() {
        // Segment id, 8-byte size 0x01 00 00 00 00 00 01 00 = 256.
        let buf = [0x18, 0x53, 0x80, 0x67, 0x01, 0, 0, 0, 0, 0, 1, 0];
        assert_eq!(ebml_element(&buf, 0), Some((0x1853_8067, Some(256), 12)));
        let unknown = [
            0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        ];
        assert_eq!(ebml_element(&unknown, 0), Some((0x1853_8067, None, 12)));
    }

    #[test]
    fn mpeg_headers_give_rate_and_channels() {
        // MPEG-1 layer III, 44.1 kHz, joint stereo.
        assert_eq!(mpeg_header(&[0xFF, 0xFB, 0x90, 0x44]), Some((44_100, 2)));
        // MPEG-2.5, 8 kHz index 2, mono.
        assert_eq!(mpeg_header(&[0xFF, 0xE3, 0x28, 0xC4]), Some((8000, 1)));
    }
}
