//! Conversion of any recording b24tel reads into an MP3 (constant bitrate, LAME)
//! or a 16-bit PCM WAV, written to an anonymous temporary file in `$TMPDIR`: the
//! file has no name on disk, so nothing is left behind whatever ends the run
//! (an error, Ctrl-C, a kill). Decoding is in-process with symphonia; GSM 6.10
//! and Opus, which no maintained crate decodes, are decoded by an `ffmpeg` found
//! on PATH at run time.

use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mp3lame_encoder::{Bitrate, Builder, Encoder, FlushGap, InterleavedPcm, Mode, MonoPcm};

use super::probe::{Codec, Container, Probe};
use super::AudioFormat;

/// `--convert`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Convert {
    /// PCM WAV and MP3 as they are, everything else to MP3
    #[default]
    Auto,
    /// Always to MP3
    Mp3,
    /// Always to 16-bit PCM WAV
    Wav,
    /// Never: send the file unchanged (.mp3/.wav only)
    Never,
}

/// How to convert: what `--convert`, `--bitrate`, `--raw-rate` and `--raw-channels` say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conversion {
    pub mode: Convert,
    /// Total MP3 bitrate in kbps; `None` is 32 per channel.
    pub bitrate: Option<u32>,
    pub raw: super::probe::RawSpec,
}

impl Default for Conversion {
    fn default() -> Self {
        Conversion {
            mode: Convert::Auto,
            bitrate: None,
            raw: super::probe::RawSpec {
                rate: None,
                channels: 1,
            },
        }
    }
}

/// The bitrates LAME takes, in kbps.
pub const BITRATES: [u32; 16] = [
    8, 16, 24, 32, 40, 48, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
];

fn lame_bitrate(kbps: u32) -> Option<Bitrate> {
    Some(match kbps {
        8 => Bitrate::Kbps8,
        16 => Bitrate::Kbps16,
        24 => Bitrate::Kbps24,
        32 => Bitrate::Kbps32,
        40 => Bitrate::Kbps40,
        48 => Bitrate::Kbps48,
        64 => Bitrate::Kbps64,
        80 => Bitrate::Kbps80,
        96 => Bitrate::Kbps96,
        112 => Bitrate::Kbps112,
        128 => Bitrate::Kbps128,
        160 => Bitrate::Kbps160,
        192 => Bitrate::Kbps192,
        224 => Bitrate::Kbps224,
        256 => Bitrate::Kbps256,
        320 => Bitrate::Kbps320,
        _ => return None,
    })
}

/// 32 kbps per channel, raised where needed to the lowest bitrate whose frame
/// can hold LAME's Info header (encoder delay and padding: without it a player
/// plays ~0.1 s more than the input): 40 for 16 kHz mono, 64 for 44.1/48 kHz mono.
pub fn default_bitrate(rate: u32, channels: u16) -> u32 {
    let base = 32 * u32::from(channels);
    let mpeg1 = rate >= 32_000;
    let side_info = match (mpeg1, channels) {
        (true, 1) => 21,
        (true, _) => 36,
        (false, 1) => 13,
        (false, _) => 21,
    };
    let need = side_info + 156;
    let frame = |kbps: u32| (if mpeg1 { 144_000 } else { 72_000 }) * kbps / rate.max(1);
    BITRATES
        .iter()
        .copied()
        .filter(|&k| k >= base && (mpeg1 || k <= 160))
        .find(|&k| frame(k) >= need)
        .unwrap_or(base)
}

/// Whether converting audio in this codec needs `ffmpeg` on PATH.
pub fn needs_ffmpeg(codec: Codec) -> bool {
    codec.needs_ffmpeg()
}

/// The first line of `ffmpeg -version` when an ffmpeg is on PATH (what `doctor` reports).
pub fn ffmpeg_available() -> Option<String> {
    let output = Command::new(ffmpeg_program())
        .arg("-version")
        .stdin(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout);
    Some(text.lines().next().unwrap_or("ffmpeg").trim().to_string())
}

fn ffmpeg_program() -> &'static str {
    "ffmpeg"
}

/// A finished conversion: the output in an unlinked temporary file.
#[derive(Debug)]
pub struct Converted {
    pub file: File,
    pub size: u64,
    pub from: Codec,
    pub rate: u32,
    pub channels: u16,
    pub frames: u64,
    pub elapsed: Duration,
    /// The MP3 bitrate used, in kbps.
    pub bitrate: Option<u32>,
}

impl Converted {
    pub fn duration_secs(&self) -> f64 {
        self.frames as f64 / f64::from(self.rate.max(1))
    }
}

/// Converts `path` (probed as `probe`) to `target`; every failure is a message
/// naming the file and the fix (the caller exits 3: nothing was sent).
pub fn convert(
    path: &Path,
    probe: &Probe,
    target: AudioFormat,
    conversion: &Conversion,
) -> Result<Converted, String> {
    let shown = path.display().to_string();
    let started = Instant::now();
    let dir = std::env::temp_dir();
    let temp = tempfile::tempfile_in(&dir).map_err(|e| {
        format!(
            "cannot create a temporary file in {} ({e}); set TMPDIR to a writable directory",
            dir.display()
        )
    })?;
    let mut sink = Sink {
        out: BufWriter::with_capacity(256 * 1024, temp),
        target,
        bitrate: conversion.bitrate,
        writer: None,
        rate: 0,
        channels: 0,
        frames: 0,
        data_bytes: 0,
        mp3: Vec::new(),
        used_bitrate: None,
    };
    let decoded = if probe.codec.needs_ffmpeg() {
        decode_ffmpeg(path, probe, &mut sink)
    } else if probe.container == Container::Slin {
        decode_slin(path, probe, &mut sink)
    } else {
        decode_symphonia(path, probe, &mut sink)
    };
    decoded.map_err(|e| format!("{shown}: {e}"))?;
    if sink.frames == 0 {
        return Err(format!(
            "{shown}: holds no audio ({} decoded nothing); check the recording",
            probe.codec.name()
        ));
    }
    let (rate, channels, frames, bitrate) =
        (sink.rate, sink.channels, sink.frames, sink.used_bitrate);
    let mut file = sink.finish().map_err(|e| {
        format!(
            "{shown}: cannot write the converted audio to {} ({e}); free space there or set TMPDIR",
            dir.display()
        )
    })?;
    let size = file
        .seek(SeekFrom::End(0))
        .map_err(|e| format!("{shown}: cannot read the converted audio back ({e})"))?;
    Ok(Converted {
        file,
        size,
        from: probe.codec,
        rate,
        channels,
        frames,
        elapsed: started.elapsed(),
        bitrate,
    })
}

enum Writer {
    Mp3(Box<Encoder>),
    Wav,
}

/// Takes interleaved 16-bit samples and writes them out as the target format.
struct Sink {
    out: BufWriter<File>,
    target: AudioFormat,
    bitrate: Option<u32>,
    writer: Option<Writer>,
    rate: u32,
    channels: u16,
    frames: u64,
    data_bytes: u64,
    mp3: Vec<u8>,
    used_bitrate: Option<u32>,
}

const WAV_HEADER: usize = 44;

impl Sink {
    fn push(&mut self, samples: &[i16], rate: u32, channels: u16) -> Result<(), String> {
        if samples.is_empty() {
            return Ok(());
        }
        if self.writer.is_none() {
            self.start(rate, channels)?;
        } else if rate != self.rate || channels != self.channels {
            return Err(format!(
                "changes from {} Hz/{} channels to {rate} Hz/{channels} channels mid-stream, which b24tel does not convert",
                self.rate, self.channels
            ));
        }
        let io = |e: std::io::Error| {
            format!("cannot write the converted audio ({e}); free space in TMPDIR")
        };
        match self.writer.as_mut() {
            Some(Writer::Mp3(encoder)) => {
                let frames = samples.len() / usize::from(channels);
                self.mp3.clear();
                self.mp3
                    .reserve(mp3lame_encoder::max_required_buffer_size(frames));
                let written = if channels == 1 {
                    encoder.encode_to_vec(MonoPcm(samples), &mut self.mp3)
                } else {
                    encoder.encode_to_vec(InterleavedPcm(samples), &mut self.mp3)
                };
                written.map_err(|e| format!("the MP3 encoder failed: {e}"))?;
                self.out.write_all(&self.mp3).map_err(io)?;
            }
            Some(Writer::Wav) => {
                let mut bytes = Vec::with_capacity(samples.len() * 2);
                for s in samples {
                    bytes.extend_from_slice(&s.to_le_bytes());
                }
                self.out.write_all(&bytes).map_err(io)?;
                self.data_bytes += bytes.len() as u64;
            }
            None => unreachable!("started above"),
        }
        self.frames += (samples.len() / usize::from(channels)) as u64;
        Ok(())
    }

    fn start(&mut self, rate: u32, channels: u16) -> Result<(), String> {
        if channels == 0 || channels > 2 {
            return Err(format!(
                "has {channels} channels; b24tel converts mono and stereo recordings only"
            ));
        }
        self.rate = rate;
        self.channels = channels;
        match self.target {
            AudioFormat::Wav => {
                self.out
                    .write_all(&[0u8; WAV_HEADER])
                    .map_err(|e| format!("cannot write the converted audio ({e})"))?;
                self.writer = Some(Writer::Wav);
            }
            AudioFormat::Mp3 => {
                let kbps = self
                    .bitrate
                    .unwrap_or_else(|| default_bitrate(rate, channels));
                let brate = lame_bitrate(kbps).ok_or_else(|| {
                    format!("--bitrate {kbps} is not an MP3 bitrate; pass one of {BITRATES:?}")
                })?;
                let lame = |e: mp3lame_encoder::BuildError| {
                    format!("the MP3 encoder refused {rate} Hz, {channels} channels at {kbps} kbps ({e}); pass another --bitrate or --convert wav")
                };
                let mut builder =
                    Builder::new().ok_or_else(|| "cannot start the MP3 encoder".to_string())?;
                builder.set_num_channels(channels as u8).map_err(lame)?;
                builder.set_sample_rate(rate).map_err(lame)?;
                if MP3_RATES.contains(&rate) {
                    builder
                        .set_output_sample_rate(std::num::NonZeroU32::new(rate))
                        .map_err(lame)?;
                }
                builder
                    .set_mode(if channels == 1 {
                        Mode::Mono
                    } else {
                        Mode::JointStereo
                    })
                    .map_err(lame)?;
                builder
                    .set_vbr_mode(mp3lame_encoder::VbrMode::Off)
                    .map_err(lame)?;
                builder.set_brate(brate).map_err(lame)?;
                builder
                    .set_quality(mp3lame_encoder::Quality::Good)
                    .map_err(lame)?;
                // The Info frame carries the encoder delay and padding, so players
                // (and the portal's) trim them: the MP3 lasts as long as the input.
                builder.set_to_write_vbr_tag(true).map_err(lame)?;
                let encoder = builder.build().map_err(lame)?;
                self.used_bitrate = Some(kbps);
                self.writer = Some(Writer::Mp3(Box::new(encoder)));
            }
        }
        Ok(())
    }

    fn finish(mut self) -> std::io::Result<File> {
        match self.writer.take() {
            Some(Writer::Mp3(mut encoder)) => {
                self.mp3.clear();
                self.mp3.reserve(7200);
                encoder
                    .flush_to_vec::<FlushGap>(&mut self.mp3)
                    .map_err(|e| std::io::Error::other(e.to_string()))?;
                self.out.write_all(&self.mp3)?;
                let mut tag = Vec::with_capacity(encoder.lame_tag_size());
                if encoder.lame_tag_encode_to_vec(&mut tag).is_some() {
                    // LAME left a frame of zeros at the start for it.
                    self.out.seek(SeekFrom::Start(0))?;
                    self.out.write_all(&tag)?;
                }
            }
            Some(Writer::Wav) => {
                let header = wav_header(self.rate, self.channels, self.data_bytes);
                self.out.seek(SeekFrom::Start(0))?;
                self.out.write_all(&header)?;
            }
            None => {}
        }
        self.out.flush()?;
        self.out.into_inner().map_err(|e| e.into_error())
    }
}

const MP3_RATES: [u32; 9] = [
    8000, 11_025, 12_000, 16_000, 22_050, 24_000, 32_000, 44_100, 48_000,
];

fn wav_header(rate: u32, channels: u16, data_bytes: u64) -> [u8; WAV_HEADER] {
    let data = u32::try_from(data_bytes).unwrap_or(u32::MAX);
    let block = channels * 2;
    let mut h = [0u8; WAV_HEADER];
    h[..4].copy_from_slice(b"RIFF");
    h[4..8].copy_from_slice(&data.saturating_add(36).to_le_bytes());
    h[8..16].copy_from_slice(b"WAVEfmt ");
    h[16..20].copy_from_slice(&16u32.to_le_bytes());
    h[20..22].copy_from_slice(&1u16.to_le_bytes());
    h[22..24].copy_from_slice(&channels.to_le_bytes());
    h[24..28].copy_from_slice(&rate.to_le_bytes());
    h[28..32].copy_from_slice(&(rate * u32::from(block)).to_le_bytes());
    h[32..34].copy_from_slice(&block.to_le_bytes());
    h[34..36].copy_from_slice(&16u16.to_le_bytes());
    h[36..40].copy_from_slice(b"data");
    h[40..44].copy_from_slice(&data.to_le_bytes());
    h
}

fn truncated_eof() -> String {
    "is truncated: it ends in the middle of its audio; wait until the PBX has finished it, or fetch a complete copy".into()
}

fn decode_symphonia(path: &Path, probe: &Probe, sink: &mut Sink) -> Result<(), String> {
    use symphonia::core::codecs::audio::AudioDecoderOptions;
    use symphonia::core::errors::Error;
    use symphonia::core::formats::probe::Hint;
    use symphonia::core::formats::{FormatOptions, TrackType};
    use symphonia::core::io::MediaSourceStream;
    use symphonia::core::meta::MetadataOptions;

    let file = File::open(path).map_err(|e| format!("cannot read it ({e})"))?;
    let mss = MediaSourceStream::new(Box::new(file), Default::default());
    let mut hint = Hint::new();
    match probe.container {
        Container::Wav => hint.with_extension("wav"),
        Container::Mpeg => hint.with_extension("mp3"),
        Container::Ogg => hint.with_extension("ogg"),
        Container::Matroska => hint.with_extension("mkv"),
        Container::Flac => hint.with_extension("flac"),
        Container::GsmRaw | Container::Slin => &mut hint,
    };
    let unsupported = |e: Error| {
        format!(
            "{} in a {} container cannot be decoded ({e}); convert it yourself, e.g. `ffmpeg -i IN -codec:a libmp3lame -b:a 32k OUT.mp3`",
            probe.codec.name(),
            probe.container.name()
        )
    };
    let mut format = symphonia::default::get_probe()
        .probe(
            &hint,
            mss,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
        .map_err(unsupported)?;
    let track = format
        .default_track(TrackType::Audio)
        .ok_or_else(|| "has no audio track".to_string())?;
    let track_id = track.id;
    let expected = track.num_frames;
    let params = track
        .codec_params
        .as_ref()
        .and_then(|p| p.audio())
        .ok_or_else(|| "has no audio track parameters".to_string())?
        .clone();
    let mut decoder = symphonia::default::get_codecs()
        .make_audio_decoder(&params, &AudioDecoderOptions::default())
        .map_err(unsupported)?;
    let mut samples: Vec<i16> = Vec::new();
    loop {
        let packet = match format.next_packet() {
            Ok(Some(packet)) => packet,
            Ok(None) => break,
            Err(Error::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                return Err(truncated_eof())
            }
            Err(e) => {
                return Err(format!(
                    "cannot be read past {} s ({e})",
                    sink.frames / u64::from(sink.rate.max(1))
                ))
            }
        };
        if packet.track_id != track_id {
            continue;
        }
        let decoded = match decoder.decode(&packet) {
            Ok(decoded) => decoded,
            Err(Error::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                return Err(truncated_eof())
            }
            Err(e) => {
                return Err(format!(
                    "has damaged {} audio near {} s ({e}); re-export it",
                    probe.codec.name(),
                    sink.frames / u64::from(sink.rate.max(1))
                ))
            }
        };
        let spec = decoded.spec();
        let (rate, channels) = (spec.rate(), spec.channels().count() as u16);
        samples.clear();
        decoded.copy_to_vec_interleaved::<i16>(&mut samples);
        // Ogg's last granule position (the track's length) ends the audio
        // mid-packet; what the last packet decodes beyond it is padding.
        if let (Some(expected), Container::Ogg | Container::Matroska) = (expected, probe.container)
        {
            let left = expected.saturating_sub(sink.frames) as usize * usize::from(channels);
            samples.truncate(left);
        }
        sink.push(&samples, rate, channels)?;
    }
    if let (Some(expected), Container::Wav | Container::Flac) = (expected, probe.container) {
        if sink.frames + expected / 100 < expected {
            return Err(format!(
                "is truncated: its header promises {expected} sample frames but it holds {}; wait until the PBX has finished it, or fetch a complete copy",
                sink.frames
            ));
        }
    }
    Ok(())
}

fn decode_slin(path: &Path, probe: &Probe, sink: &mut Sink) -> Result<(), String> {
    let rate = probe.rate.unwrap_or(8000);
    let channels = probe.channels.unwrap_or(1);
    let mut file = File::open(path).map_err(|e| format!("cannot read it ({e})"))?;
    pump_s16le(&mut file, rate, channels, sink)
        .map_err(|e| e.unwrap_or_else(|| "cannot read it".into()))
}

/// Feeds little-endian 16-bit interleaved samples from `input` to `sink`.
fn pump_s16le(
    input: &mut dyn Read,
    rate: u32,
    channels: u16,
    sink: &mut Sink,
) -> Result<(), Option<String>> {
    let frame_bytes = 2 * usize::from(channels);
    let mut buf = vec![0u8; 64 * 1024];
    let mut filled = 0usize;
    let mut samples: Vec<i16> = Vec::with_capacity(buf.len() / 2);
    loop {
        let n = input
            .read(&mut buf[filled..])
            .map_err(|e| Some(format!("cannot read it ({e})")))?;
        filled += n;
        let whole = filled / frame_bytes * frame_bytes;
        if n == 0 || whole >= buf.len() / 2 {
            samples.clear();
            samples.extend(
                buf[..whole]
                    .chunks_exact(2)
                    .map(|b| i16::from_le_bytes([b[0], b[1]])),
            );
            sink.push(&samples, rate, channels).map_err(Some)?;
            buf.copy_within(whole..filled, 0);
            filled -= whole;
        }
        if n == 0 {
            return Ok(());
        }
    }
}

fn decode_ffmpeg(path: &Path, probe: &Probe, sink: &mut Sink) -> Result<(), String> {
    let (rate, channels) = match probe.codec {
        Codec::Gsm => (8000, 1),
        _ => (
            probe.rate.unwrap_or(48_000),
            probe.channels.unwrap_or(2).clamp(1, 2),
        ),
    };
    let mut command = Command::new(ffmpeg_program());
    command.args(["-nostdin", "-hide_banner", "-loglevel", "error"]);
    if probe.container == Container::GsmRaw {
        command.args(["-f", "gsm"]);
    }
    command
        .arg("-i")
        .arg(path)
        .args(["-vn", "-f", "s16le", "-acodec", "pcm_s16le"])
        .args(["-ac", &channels.to_string(), "-ar", &rate.to_string()])
        .arg("pipe:1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(format!(
                "is {} audio, which b24tel decodes with ffmpeg, and no ffmpeg is on PATH; install it (`apt-get install ffmpeg`) or convert the file yourself",
                probe.codec.name()
            ))
        }
        Err(e) => return Err(format!("cannot start ffmpeg ({e}); check the ffmpeg on PATH")),
    };
    let mut stderr = child.stderr.take().expect("piped");
    let errors = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = (&mut stderr).take(64 * 1024).read_to_end(&mut text);
        let _ = std::io::copy(&mut stderr, &mut std::io::sink());
        String::from_utf8_lossy(&text).into_owned()
    });
    let mut stdout = child.stdout.take().expect("piped");
    let pumped = pump_s16le(&mut stdout, rate, channels, sink);
    if pumped.is_err() {
        let _ = child.kill();
    }
    drop(stdout);
    let status = child.wait();
    let errors = errors.join().unwrap_or_default();
    pumped.map_err(|e| e.unwrap_or_else(|| "cannot read ffmpeg's output".into()))?;
    let status = status.map_err(|e| format!("ffmpeg did not finish ({e})"))?;
    let last = errors
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    if !status.success() {
        return Err(format!(
            "ffmpeg could not decode its {} audio ({}); check the file",
            probe.codec.name(),
            if last.is_empty() {
                status.to_string()
            } else {
                last.to_string()
            }
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wav_header_describes_the_data() {
        let h = wav_header(8000, 2, 400);
        assert_eq!(&h[..4], b"RIFF");
        assert_eq!(u32::from_le_bytes([h[4], h[5], h[6], h[7]]), 436);
        assert_eq!(u16::from_le_bytes([h[22], h[23]]), 2);
        assert_eq!(u32::from_le_bytes([h[28], h[29], h[30], h[31]]), 32_000);
        assert_eq!(u32::from_le_bytes([h[40], h[41], h[42], h[43]]), 400);
    }

    #[test]
    fn default_bitrate_leaves_room_for_the_info_header() {
        assert_eq!(default_bitrate(8000, 1), 32);
        assert_eq!(default_bitrate(8000, 2), 64);
        assert_eq!(default_bitrate(16_000, 1), 40);
        assert_eq!(default_bitrate(48_000, 1), 64);
        assert_eq!(default_bitrate(48_000, 2), 64);
    }

    #[test]
    fn every_listed_bitrate_maps_to_lame() {
        assert!(BITRATES.iter().all(|&k| lame_bitrate(k).is_some()));
        assert!(lame_bitrate(33).is_none());
    }
}
