//! The benchmark of `b24tel`: wall time and peak memory of `record attach`,
//! `record upload-url --upload`, `--help` and transcript parsing, against a counting
//! receiver, a raw `sendfile` sender (the receiver's ceiling), the shell pipeline
//! (`base64 | curl`) and the sandbox.
//!
//! ```text
//! cargo run --release --example bench                      # 10 MB, 100 MB and 1 GB
//! cargo run --release --example bench -- --quick           # 10 MB and 100 MB
//! cargo run --release --example bench -- --sizes 10,100    # sizes in MB
//! cargo run --release --example bench -- --reps 5 --reps-large 1
//! ```
//!
//! MB means MiB (2^20 bytes) throughout: file sizes, MB/s and RSS.
//!
//! It builds `target/release/b24tel` first, writes the Markdown table to stdout and
//! to `bench/RESULTS.md`. It is an example, not a test: `cargo test` only compiles it.
//!
//! Memory: a child's `ru_maxrss` (from `wait4`) starts from the RSS of the process
//! that spawned it (the kernel carries the old image's high-water mark across exec),
//! so this process stays small on purpose: files are generated and encoded in 1 MiB
//! blocks, the receiver reads into one reused 1 MiB buffer per connection, and no
//! file or body is ever held in memory. For single processes the table reports
//! VmHWM sampled from `/proc/PID/status` every 5 ms, which is the child's own peak;
//! for the bash pipeline it reports `ru_maxrss`, which covers bash, base64 and curl.
//!
//! Hidden mode: `bench __raw-send ADDR PATH BODYFILE` is the ceiling's client. It
//! writes the request head and then `std::io::copy`s the pre-encoded body file into
//! the socket (`sendfile` on Linux), with no encoding at all.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::Value;
use sha2::{Digest, Sha256};

const MIB: u64 = 1 << 20;
const BLOCK: usize = 1 << 20;
const CALL_ID: &str = "c1";
const FILENAME: &str = "a.mp3";
const SRT_CUES: usize = 100_000;
const HELP_RUNS: usize = 30;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("__raw-send") {
        if let Err(e) = raw_send(&args[2..]) {
            eprintln!("raw sender: {e}");
            std::process::exit(1);
        }
        return;
    }
    let options = Options::parse(&args[1..]);
    if let Err(e) = run(&options) {
        eprintln!("bench failed: {e}");
        std::process::exit(1);
    }
}

struct Options {
    /// `--batch`: only the batch section.
    batch_only: bool,
    /// Row counts of the batch-scale runs.
    batch_rows: Vec<usize>,
    /// `--convert`: only the conversion section.
    convert_only: bool,
    /// `--srt-cues N`: only a dry run of an N-cue SRT.
    srt_cues: Option<usize>,
    /// Row counts of the latency runs (0 skips them).
    latency_rows: Vec<usize>,
    sizes_mb: Vec<u64>,
    reps: usize,
    /// Repetitions for files of 1 GB and more.
    reps_large: usize,
}

impl Options {
    fn parse(args: &[String]) -> Self {
        let mut options = Options {
            batch_only: false,
            batch_rows: vec![10_000, 100_000],
            latency_rows: vec![30, 60],
            convert_only: false,
            srt_cues: None,
            // 500 MB is the largest file `curl --data-binary @-` can still send (1 GiB cap).
            sizes_mb: vec![10, 100, 500, 1000],
            reps: 3,
            reps_large: 3,
        };
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let mut value = |name: &str| {
                it.next()
                    .unwrap_or_else(|| usage(&format!("{name} needs a value")))
                    .clone()
            };
            match arg.as_str() {
                "--quick" => options.sizes_mb = vec![10, 100],
                "--batch" => options.batch_only = true,
                "--convert" => options.convert_only = true,
                "--srt-cues" => options.srt_cues = Some(number(&value("--srt-cues"))),
                "--batch-rows" => {
                    options.batch_rows = value("--batch-rows")
                        .split(',')
                        .filter(|s| s.trim() != "0")
                        .map(|s| number(s.trim()))
                        .collect()
                }
                "--latency-rows" => {
                    options.latency_rows = value("--latency-rows")
                        .split(',')
                        .filter(|s| s.trim() != "0")
                        .map(|s| number(s.trim()))
                        .collect()
                }
                "--sizes" => {
                    options.sizes_mb = value("--sizes")
                        .split(',')
                        .map(|s| {
                            s.trim()
                                .parse()
                                .unwrap_or_else(|_| usage(&format!("bad size {s:?}")))
                        })
                        .collect()
                }
                "--reps" => options.reps = number(&value("--reps")),
                "--reps-large" => options.reps_large = number(&value("--reps-large")),
                "-h" | "--help" => {
                    println!(
                        "cargo run --release --example bench [-- --sizes 10,100,500,1000 | --quick] [--reps N] [--reps-large N] [--batch] [--batch-rows 10000,100000] [--latency-rows 30,60 | 0] [--convert] [--srt-cues N]"
                    );
                    std::process::exit(0);
                }
                other => usage(&format!("unknown argument {other:?}")),
            }
        }
        if options.sizes_mb.is_empty() || options.sizes_mb.contains(&0) {
            usage("sizes must be positive");
        }
        options
    }

    fn reps_for(&self, size_mb: u64) -> usize {
        if size_mb >= 1000 {
            self.reps_large
        } else {
            self.reps
        }
    }
}

fn number(text: &str) -> usize {
    match text.parse() {
        Ok(n) if n > 0 => n,
        _ => usage(&format!("bad count {text:?}")),
    }
}

fn usage(message: &str) -> ! {
    eprintln!("bench: {message}");
    eprintln!(
        "usage: cargo run --release --example bench [-- --sizes 10,100,500,1000 | --quick] [--reps N] [--reps-large N]"
    );
    std::process::exit(2);
}

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn fail<T>(message: impl Into<String>) -> Result<T> {
    Err(message.into().into())
}

// ---------------------------------------------------------------------------
// The run

/// Removes the temp dir and stops the sandbox, also when the bench fails midway.
struct Cleanup {
    dir: PathBuf,
    sandbox: Option<Child>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Some(mut child) = self.sandbox.take() {
            unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn run(options: &Options) -> Result<()> {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let exe = std::env::current_exe()?;
    // target/release/examples/bench -> target/release
    let release_dir = exe
        .parent()
        .and_then(Path::parent)
        .ok_or("cannot locate the target dir")?
        .to_path_buf();
    let b24tel = build_b24tel(&manifest_dir, &release_dir)?;
    let target_dir = release_dir.parent().unwrap_or(&release_dir).to_path_buf();
    let tmp = target_dir.join(format!("bench-tmp-{}", std::process::id()));
    std::fs::create_dir_all(&tmp)?;
    let mut cleanup = Cleanup {
        dir: tmp.clone(),
        sandbox: None,
    };
    let started = Instant::now();

    if options.convert_only {
        let markdown = convert::section(&b24tel, &tmp, &mut cleanup)?;
        println!("{markdown}");
        let results = manifest_dir.join("bench").join("CONVERT.md");
        std::fs::create_dir_all(results.parent().unwrap())?;
        std::fs::write(&results, &markdown)?;
        eprintln!("wrote {}", results.display());
        return Ok(());
    }
    if let Some(cues) = options.srt_cues {
        return srt_at_scale(&b24tel, &tmp, cues);
    }
    if options.batch_only {
        let markdown = batch::section(
            &b24tel,
            &tmp,
            &options.latency_rows,
            &options.batch_rows,
            &mut cleanup,
        )?;
        println!("{markdown}");
        let results = manifest_dir.join("bench").join("BATCH.md");
        std::fs::create_dir_all(results.parent().unwrap())?;
        std::fs::write(&results, &markdown)?;
        eprintln!("wrote {}", results.display());
        return Ok(());
    }

    let receiver = Receiver::start()?;
    let receiver_url = format!("http://{}/rest/1/benchcode/", receiver.addr);
    let attach_path = "/rest/1/benchcode/telephony.externalCall.attachRecord";

    let data_dir = tmp.join("sandbox-data");
    let sandbox = Sandbox::start(&b24tel, &data_dir, &tmp, &mut cleanup, &[])?;

    let mut rows: Vec<Row> = Vec::new();
    let mut verified: Option<u64> = None;
    for &size_mb in &options.sizes_mb {
        let size = size_mb * MIB;
        let record = tmp.join(format!("rec-{size_mb}MB.mp3"));
        let body_file = tmp.join(format!("body-{size_mb}MB.json"));
        eprintln!("== {size_mb} MB: generating the file and the pre-encoded body");
        generate_record(&record, size)?;
        let body_len = encode_body(&record, &body_file)?;
        let expected = Expected {
            len: body_len,
            head: read_at(&body_file, 0, EDGE)?,
            tail: read_at(&body_file, body_len.saturating_sub(EDGE as u64), EDGE)?,
        };

        let attach_receiver = || {
            let mut cmd = Command::new(&b24tel);
            cmd.args(["--webhook", &receiver_url, "-o", "json", "-q"])
                .args([
                    "record",
                    "attach",
                    "--call-id",
                    CALL_ID,
                    "--filename",
                    FILENAME,
                ])
                .arg("--file")
                .arg(&record);
            cmd
        };
        let ceiling = |plain_write: bool| {
            let mut cmd = Command::new(&exe);
            cmd.arg("__raw-send")
                .arg(receiver.addr.to_string())
                .arg(attach_path)
                .arg(&body_file);
            if plain_write {
                cmd.arg("write");
            }
            cmd
        };
        // `--data-binary @-` (the usual recipe) reads all of stdin into memory first,
        // then sends it with a Content-Length; `-T -` streams it with chunked encoding.
        let pipeline = |streaming: bool| {
            let curl_body = if streaming {
                "-X POST -T -"
            } else {
                "--data-binary @-"
            };
            let script = format!(
                "{{ printf '{{\"CALL_ID\":\"{CALL_ID}\",\"FILENAME\":\"{FILENAME}\",\"FILE_CONTENT\":\"'; base64 -w0 '{}'; printf '\"}}'; }} | curl -sS -H 'Content-Type: application/json' {curl_body} '{}{}'",
                record.display(),
                receiver_url,
                "telephony.externalCall.attachRecord"
            );
            let mut cmd = Command::new("bash");
            cmd.arg("-c").arg(script);
            cmd
        };

        // Untimed: the whole body, byte for byte, at the first size of 100 MB or less
        // (curl cannot hold a 1 GiB `@-` body).
        if verified.is_none() && size_mb <= 100 {
            verified = Some(size_mb);
            let want = sha256_file(&body_file)?;
            receiver.verify.store(true, Ordering::SeqCst);
            for (name, mut cmd) in [
                ("record attach", attach_receiver()),
                ("ceiling", ceiling(false)),
                ("raw write", ceiling(true)),
                ("shell pipeline", pipeline(false)),
                ("streaming shell pipeline", pipeline(true)),
            ] {
                let out = tmp.join("verify.out");
                let m = measure(&mut cmd, &out)?;
                check_exit(name, &m, &out)?;
                let got = receiver.take_one(name, &expected)?;
                if got.sha256.as_deref() != Some(want.as_slice()) {
                    return fail(format!(
                        "{name}: the body's SHA-256 differs from the expected body"
                    ));
                }
            }
            receiver.verify.store(false, Ordering::SeqCst);
            eprintln!(
                "   bodies verified (SHA-256) for record attach, the raw senders and the pipelines"
            );
        }

        // A finished call on the sandbox for this size.
        let call_id = sandbox.new_finished_call()?;
        let reps = options.reps_for(size_mb);
        let mut runs: [Vec<Measured>; 7] = Default::default();
        let mut pipeline_failed: Option<String> = None;
        for rep in 0..reps {
            eprintln!("   run {}/{reps}", rep + 1);
            let out = tmp.join("run.out");

            let m = measure(&mut attach_receiver(), &out)?;
            check_exit("record attach -> receiver", &m, &out)?;
            check_result(&out, "file_id", Some(size))?;
            receiver.take_one("record attach", &expected)?;
            runs[0].push(m);

            let m = measure(&mut ceiling(false), &out)?;
            check_exit("ceiling", &m, &out)?;
            receiver.take_one("ceiling", &expected)?;
            runs[1].push(m);

            let m = measure(&mut ceiling(true), &out)?;
            check_exit("raw write", &m, &out)?;
            receiver.take_one("raw write", &expected)?;
            runs[6].push(m);

            // The usual recipe may fail outright (curl refuses to hold more than 1 GiB
            // of `@-` in memory); that is a result, not a bench failure.
            if pipeline_failed.is_none() {
                let m = measure(&mut pipeline(false), &out)?;
                if m.success {
                    if !std::fs::read_to_string(&out)?.contains("FILE_ID") {
                        return fail("shell pipeline: no FILE_ID in curl's output");
                    }
                    receiver.take_one("shell pipeline", &expected)?;
                    runs[2].push(m);
                } else {
                    let err = std::fs::read_to_string(out.with_extension("err"))?;
                    let why = err
                        .lines()
                        .next()
                        .unwrap_or("no message")
                        .trim()
                        .to_string();
                    eprintln!(
                        "   shell pipeline failed after {:.1} s: {why}",
                        m.wall.as_secs_f64()
                    );
                    pipeline_failed = Some(format!(
                        "failed after {:.1} s, exit {}, peak {:.0} MB: `{why}`",
                        m.wall.as_secs_f64(),
                        libc::WEXITSTATUS(m.status),
                        m.maxrss_kib as f64 / 1024.0
                    ));
                    receiver.log.lock().unwrap().clear();
                }
            }

            let m = measure(&mut pipeline(true), &out)?;
            check_exit("streaming shell pipeline", &m, &out)?;
            if !std::fs::read_to_string(&out)?.contains("FILE_ID") {
                return fail("streaming shell pipeline: no FILE_ID in curl's output");
            }
            receiver.take_one("streaming shell pipeline", &expected)?;
            runs[5].push(m);

            let mut cmd = Command::new(&b24tel);
            cmd.args(["--webhook", &sandbox.webhook_url, "-o", "json", "-q"])
                .args([
                    "record",
                    "attach",
                    "--call-id",
                    &call_id,
                    "--filename",
                    FILENAME,
                ])
                .arg("--file")
                .arg(&record);
            let m = measure(&mut cmd, &out)?;
            check_exit("record attach -> sandbox", &m, &out)?;
            let file_id = check_result(&out, "file_id", Some(size))?;
            sandbox.check_stored(file_id, size)?;
            runs[3].push(m);

            let mut cmd = Command::new(&b24tel);
            cmd.args(["--webhook", &sandbox.webhook_url, "-o", "json", "-q"])
                .args(["record", "upload-url", "--call-id", &call_id])
                .args(["--filename", FILENAME])
                .arg("--upload")
                .arg(&record);
            let m = measure(&mut cmd, &out)?;
            check_exit("record upload-url -> sandbox", &m, &out)?;
            let file_id = check_result(&out, "file_id", Some(size))?;
            sandbox.check_stored(file_id, size)?;
            runs[4].push(m);
        }
        let cases = [
            (Case::AttachReceiver, "`record attach` → receiver", false),
            (Case::Ceiling, "ceiling: raw sendfile → receiver", false),
            (
                Case::CeilingWrite,
                "(info) raw read+write, 1 MiB buffer → receiver",
                false,
            ),
            (
                Case::Pipeline,
                "shell: base64 → curl `--data-binary @-` → receiver",
                true,
            ),
            (
                Case::PipelineStream,
                "shell: base64 → curl `-T -` (chunked) → receiver",
                true,
            ),
            (Case::AttachSandbox, "`record attach` → sandbox", false),
            (
                Case::UploadSandbox,
                "`record upload-url --upload` → sandbox",
                false,
            ),
        ];
        let [r0, r1, r2, r3, r4, r5, r6] = runs;
        let mut runs = vec![r0, r1, r6, r2, r5, r3, r4];
        for ((case, name, tree), measured) in cases.into_iter().zip(runs.drain(..)) {
            let mut row = Row::from_runs(case, name, size_mb, &measured, tree);
            if case == Case::Pipeline {
                row.failed = pipeline_failed.take();
            }
            rows.push(row);
        }
        std::fs::remove_file(&record)?;
        std::fs::remove_file(&body_file)?;
    }

    // --help, 30 times.
    eprintln!("== --help x{HELP_RUNS}");
    let out = tmp.join("help.out");
    let mut help = Vec::new();
    for _ in 0..HELP_RUNS {
        let m = measure(Command::new(&b24tel).arg("--help"), &out)?;
        check_exit("--help", &m, &out)?;
        help.push(m);
    }
    let help_stats = HelpStats::new(&help);

    // 100k-cue SRT, dry run.
    eprintln!("== transcript attach --dry-run, {SRT_CUES} SRT cues");
    let srt = tmp.join("big.srt");
    let srt_len = write_srt(&srt, SRT_CUES)?;
    let srt_cmd = || {
        let mut cmd = Command::new(&b24tel);
        cmd.args(["--webhook", "http://127.0.0.1:9/rest/1/x/", "-o", "json"])
            .args(["transcript", "attach", "--dry-run", "--call-id", CALL_ID])
            .arg("--file")
            .arg(&srt);
        cmd
    };
    // Untimed: the plan is valid JSON carrying every cue.
    let plan_out = tmp.join("plan.out");
    let m = measure(&mut srt_cmd(), &plan_out)?;
    check_exit("transcript dry run", &m, &plan_out)?;
    let cues = count_plan_messages(&plan_out)?;
    if cues != SRT_CUES {
        return fail(format!(
            "the dry-run plan has {cues} messages, expected {SRT_CUES}"
        ));
    }
    std::fs::remove_file(&plan_out)?;
    let mut srt_runs = Vec::new();
    for _ in 0..options.reps {
        let m = measure_to_null(&mut srt_cmd())?;
        if !m.success {
            return fail("transcript dry run failed");
        }
        srt_runs.push(m);
    }
    rows.push(Row::from_runs(
        Case::Srt,
        "`transcript attach --dry-run`, 100k-cue SRT",
        0,
        &srt_runs,
        false,
    ));
    let sandbox_hwm = vm_hwm_kib(sandbox.pid);
    drop(sandbox);
    drop(cleanup);

    let report = Report {
        options,
        rows: &rows,
        help: &help_stats,
        srt_len,
        sandbox_hwm,
        receiver_requests: receiver.count(),
        verified_mb: verified,
        total: started.elapsed(),
        manifest_dir: &manifest_dir,
        b24tel: &b24tel,
    };
    let markdown = report.markdown();
    println!("{markdown}");
    let results = manifest_dir.join("bench").join("RESULTS.md");
    std::fs::create_dir_all(results.parent().unwrap())?;
    std::fs::write(&results, &markdown)?;
    eprintln!("wrote {}", results.display());
    Ok(())
}

fn build_b24tel(manifest_dir: &Path, release_dir: &Path) -> Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!("== cargo build --release --bin b24tel");
    let mut build = Command::new(cargo);
    build
        .args(["build", "--release", "--bin", "b24tel"])
        .current_dir(manifest_dir);
    // `cargo run` sets these for the example; ring's build script watches
    // CARGO_MANIFEST_DIR, so passing them on would rebuild the TLS stack every time.
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if [
            "CARGO_MANIFEST_",
            "CARGO_PKG_",
            "CARGO_CRATE_",
            "CARGO_BIN_",
        ]
        .iter()
        .any(|p| key.starts_with(p))
            || key == "CARGO_PRIMARY_PACKAGE"
        {
            build.env_remove(key.as_ref());
        }
    }
    let status = build.status()?;
    if !status.success() {
        return fail("cargo build --release --bin b24tel failed");
    }
    let bin = release_dir.join("b24tel");
    if !bin.is_file() {
        return fail(format!("{} is missing after the build", bin.display()));
    }
    Ok(bin)
}

// ---------------------------------------------------------------------------
// Inputs

/// An `ID3` header then xorshift bytes, written in 1 MiB blocks.
fn generate_record(path: &Path, size: u64) -> Result<()> {
    let mut file = File::create(path)?;
    let mut block = vec![0u8; BLOCK];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15 ^ size;
    let mut written = 0u64;
    while written < size {
        for word in block.chunks_exact_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            word.copy_from_slice(&state.to_le_bytes());
        }
        if written == 0 {
            block[..10].copy_from_slice(b"ID3\x04\x00\x00\x00\x00\x00\x00");
        }
        let n = (size - written).min(BLOCK as u64) as usize;
        file.write_all(&block[..n])?;
        written += n as u64;
    }
    file.sync_all()?;
    Ok(())
}

/// The exact JSON body `record attach` sends, streamed to a file; returns its length.
fn encode_body(record: &Path, body: &Path) -> Result<u64> {
    let mut input = File::open(record)?;
    let mut out = BufWriter::with_capacity(BLOCK, File::create(body)?);
    let prefix =
        format!("{{\"CALL_ID\":\"{CALL_ID}\",\"FILENAME\":\"{FILENAME}\",\"FILE_CONTENT\":\"");
    out.write_all(prefix.as_bytes())?;
    let mut raw = vec![0u8; 3 * 256 * 1024];
    let mut encoded = vec![0u8; 4 * 256 * 1024];
    loop {
        let n = read_full(&mut input, &mut raw)?;
        if n == 0 {
            break;
        }
        let m = base64::engine::general_purpose::STANDARD
            .encode_slice(&raw[..n], &mut encoded)
            .map_err(io::Error::other)?;
        out.write_all(&encoded[..m])?;
        if n < raw.len() {
            break;
        }
    }
    out.write_all(b"\"}")?;
    out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    Ok(std::fs::metadata(body)?.len())
}

fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

fn read_at(path: &Path, offset: u64, len: usize) -> Result<Vec<u8>> {
    use std::io::{Seek, SeekFrom};
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(offset))?;
    let mut buf = vec![0u8; len];
    let n = read_full(&mut file, &mut buf)?;
    buf.truncate(n);
    Ok(buf)
}

fn sha256_file(path: &Path) -> Result<Vec<u8>> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; BLOCK];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finalize().to_vec())
}

/// `N`, `HH:MM:SS,mmm --> HH:MM:SS,mmm`, `User: hello number N`, blank; returns the size.
fn write_srt(path: &Path, cues: usize) -> Result<u64> {
    let mut out = BufWriter::with_capacity(BLOCK, File::create(path)?);
    let stamp = |ms: u64| {
        format!(
            "{:02}:{:02}:{:02},{:03}",
            ms / 3_600_000,
            ms / 60_000 % 60,
            ms / 1000 % 60,
            ms % 1000
        )
    };
    for n in 1..=cues as u64 {
        let start = n * 2000;
        writeln!(
            out,
            "{n}\n{} --> {}\nUser: hello number {n}\n",
            stamp(start),
            stamp(start + 1500)
        )?;
    }
    out.flush()?;
    drop(out);
    Ok(std::fs::metadata(path)?.len())
}

fn count_plan_messages(path: &Path) -> Result<usize> {
    let plan: Value = serde_json::from_reader(BufReader::new(File::open(path)?))?;
    match plan
        .pointer("/params/TRANSCRIPTION/MESSAGES")
        .or_else(|| plan.pointer("/params/MESSAGES"))
        .and_then(Value::as_array)
    {
        Some(messages) => Ok(messages.len()),
        None => fail(format!(
            "no MESSAGES array in the dry-run plan (keys: {:?})",
            plan.get("params")
                .and_then(Value::as_object)
                .map(|o| o.keys().cloned().collect::<Vec<_>>())
        )),
    }
}

// ---------------------------------------------------------------------------
// Measuring a subprocess

#[derive(Clone, Copy)]
struct Measured {
    wall: Duration,
    /// VmHWM sampled from /proc every 5 ms (KiB): the process's own peak.
    vm_hwm_kib: u64,
    /// ru_maxrss from wait4 (KiB): the process and its reaped descendants.
    maxrss_kib: u64,
    success: bool,
    status: i32,
}

fn measure(cmd: &mut Command, stdout: &Path) -> Result<Measured> {
    let out = File::create(stdout)?;
    let err = File::create(stdout.with_extension("err"))?;
    cmd.stdin(Stdio::null())
        .stdout(Stdio::from(out))
        .stderr(Stdio::from(err));
    spawn_measured(cmd)
}

fn measure_to_null(cmd: &mut Command) -> Result<Measured> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    spawn_measured(cmd)
}

fn spawn_measured(cmd: &mut Command) -> Result<Measured> {
    let start = Instant::now();
    let child = cmd.spawn()?;
    let pid = child.id() as i32;
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let done = done.clone();
        thread::spawn(move || {
            let mut peak = 0u64;
            while !done.load(Ordering::Relaxed) {
                match vm_hwm_kib(pid) {
                    Some(kib) => peak = peak.max(kib),
                    None => break, // exited (a zombie has no VmHWM) or reaped
                }
                thread::sleep(Duration::from_millis(5));
            }
            peak
        })
    };
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            break;
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e.into());
        }
    }
    let wall = start.elapsed();
    done.store(true, Ordering::Relaxed);
    let vm_hwm_kib = sampler.join().unwrap_or(0);
    // Reaped by wait4: dropping `child` neither waits nor kills.
    drop(child);
    Ok(Measured {
        wall,
        vm_hwm_kib,
        maxrss_kib: usage.ru_maxrss as u64,
        success: libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        status,
    })
}

fn vm_hwm_kib(pid: i32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn check_exit(name: &str, m: &Measured, stdout: &Path) -> Result<()> {
    if m.success {
        return Ok(());
    }
    let out = std::fs::read_to_string(stdout).unwrap_or_default();
    let err = std::fs::read_to_string(stdout.with_extension("err")).unwrap_or_default();
    fail(format!(
        "{name} failed (wait status {:#x})\nstdout: {out}\nstderr: {err}",
        m.status
    ))
}

/// The id in b24tel's JSON result, checking its `size` too.
fn check_result(stdout: &Path, key: &str, size: Option<u64>) -> Result<u64> {
    let text = std::fs::read_to_string(stdout)?;
    let result: Value = serde_json::from_str(text.trim())?;
    if let Some(size) = size {
        if result["size"].as_u64() != Some(size) {
            return fail(format!(
                "b24tel reported size {} for {size}",
                result["size"]
            ));
        }
    }
    result[key]
        .as_u64()
        .ok_or_else(|| format!("no {key} in b24tel's result {text}").into())
}

// ---------------------------------------------------------------------------
// The counting receiver

/// Bytes kept from either end of a body, to check it is the expected one.
const EDGE: usize = 64;

struct Received {
    /// `None` for a chunked body.
    content_length: Option<u64>,
    counted: u64,
    head: Vec<u8>,
    tail: Vec<u8>,
    sha256: Option<Vec<u8>>,
}

struct Expected {
    len: u64,
    head: Vec<u8>,
    tail: Vec<u8>,
}

/// HTTP/1.1 on loopback, a thread per connection; counts each body into one reused
/// 1 MiB buffer and answers `{"result":{"FILE_ID":1}}`. No per-byte work, unless
/// `verify` asks for a SHA-256 (untimed runs only).
struct Receiver {
    addr: SocketAddr,
    log: Arc<Mutex<VecDeque<Received>>>,
    verify: Arc<AtomicBool>,
    total: Arc<Mutex<u64>>,
}

impl Receiver {
    fn start() -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let log = Arc::new(Mutex::new(VecDeque::new()));
        let verify = Arc::new(AtomicBool::new(false));
        let total = Arc::new(Mutex::new(0u64));
        {
            let (log, verify, total) = (log.clone(), verify.clone(), total.clone());
            thread::spawn(move || {
                for stream in listener.incoming().flatten() {
                    let (log, verify, total) = (log.clone(), verify.clone(), total.clone());
                    thread::spawn(move || {
                        if let Err(e) = serve_connection(stream, &log, &verify, &total) {
                            eprintln!("receiver: {e}");
                        }
                    });
                }
            });
        }
        Ok(Receiver {
            addr,
            log,
            verify,
            total,
        })
    }

    /// The one request the last client made; its body must be the expected one.
    fn take_one(&self, name: &str, expected: &Expected) -> Result<Received> {
        let mut log = self.log.lock().unwrap();
        if log.len() != 1 {
            return fail(format!(
                "{name}: the receiver saw {} requests, expected 1",
                log.len()
            ));
        }
        let got = log.pop_front().unwrap();
        if let Some(len) = got.content_length.filter(|&len| len != got.counted) {
            return fail(format!(
                "{name}: the receiver counted {} body bytes for Content-Length {len}",
                got.counted
            ));
        }
        if got.counted != expected.len {
            return fail(format!(
                "{name}: body of {} bytes, expected {}",
                got.counted, expected.len
            ));
        }
        if got.head != expected.head || got.tail != expected.tail {
            return fail(format!(
                "{name}: the body's ends differ from the expected body: {:?} ... {:?}",
                String::from_utf8_lossy(&got.head),
                String::from_utf8_lossy(&got.tail)
            ));
        }
        Ok(got)
    }

    fn count(&self) -> u64 {
        *self.total.lock().unwrap()
    }
}

fn serve_connection(
    stream: TcpStream,
    log: &Mutex<VecDeque<Received>>,
    verify: &AtomicBool,
    total: &Mutex<u64>,
) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut conn = Conn {
        stream,
        buf: vec![0u8; BLOCK],
        pos: 0,
        end: 0,
    };
    while let Some(head) = conn.head()? {
        let head = head.to_ascii_lowercase();
        let header = |name: &str| {
            head.split("\r\n")
                .find_map(|l| l.strip_prefix(name))
                .map(|v| v.trim().to_string())
        };
        let content_length: Option<u64> = header("content-length:").and_then(|v| v.parse().ok());
        let chunked = header("transfer-encoding:").is_some_and(|v| v.contains("chunked"));
        if content_length.is_none() && !chunked {
            return Err(io::Error::other("neither Content-Length nor chunked"));
        }
        let close = header("connection:").is_some_and(|v| v == "close");
        if header("expect:").is_some_and(|v| v == "100-continue") {
            conn.stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        }
        let mut sink = Sink {
            head: Vec::with_capacity(EDGE),
            tail: [0u8; EDGE],
            tail_len: 0,
            hasher: verify.load(Ordering::Relaxed).then(Sha256::new),
        };
        let counted = match content_length {
            Some(len) if !chunked => conn.body(len, &mut sink)?,
            _ => conn.chunked_body(&mut sink)?,
        };
        *total.lock().unwrap() += 1;
        let complete = content_length.is_none_or(|len| counted == len);
        log.lock().unwrap().push_back(Received {
            content_length,
            counted,
            head: sink.head,
            tail: sink.tail[..sink.tail_len].to_vec(),
            sha256: sink.hasher.map(|h| h.finalize().to_vec()),
        });
        if !complete {
            return Err(io::Error::other(format!(
                "connection closed after {counted} of {content_length:?} body bytes"
            )));
        }
        let answer = br#"{"result":{"FILE_ID":1}}"#;
        write!(
            conn.stream,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{}\r\n",
            answer.len(),
            if close { "Connection: close\r\n" } else { "" }
        )?;
        conn.stream.write_all(answer)?;
        if close {
            break;
        }
    }
    Ok(())
}

/// A connection with one reused 1 MiB read buffer; `buf[pos..end]` is unread.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
}

impl Conn {
    /// Reads more into the free end of the buffer; returns 0 at EOF.
    fn fill(&mut self) -> io::Result<usize> {
        if self.pos == self.end {
            self.pos = 0;
            self.end = 0;
        } else if self.end == self.buf.len() {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
            if self.end == self.buf.len() {
                return Err(io::Error::other("a head or chunk line over 1 MiB"));
            }
        }
        let n = self.stream.read(&mut self.buf[self.end..])?;
        self.end += n;
        Ok(n)
    }

    /// Bytes up to `delimiter` (consumed, not returned); `None` at a clean EOF.
    fn until(&mut self, delimiter: &[u8]) -> io::Result<Option<Vec<u8>>> {
        loop {
            if let Some(i) = find(&self.buf[self.pos..self.end], delimiter) {
                let text = self.buf[self.pos..self.pos + i].to_vec();
                self.pos += i + delimiter.len();
                return Ok(Some(text));
            }
            if self.fill()? == 0 {
                return if self.pos == self.end {
                    Ok(None)
                } else {
                    Err(io::Error::other("connection closed mid-line"))
                };
            }
        }
    }

    fn head(&mut self) -> io::Result<Option<String>> {
        Ok(self
            .until(b"\r\n\r\n")?
            .map(|h| String::from_utf8_lossy(&h).into_owned()))
    }

    /// Exactly `len` body bytes (fewer at EOF), read into the buffer and counted.
    fn body(&mut self, len: u64, sink: &mut Sink) -> io::Result<u64> {
        let mut remaining = len;
        while remaining > 0 {
            if self.pos == self.end {
                let want = remaining.min(self.buf.len() as u64) as usize;
                let n = self.stream.read(&mut self.buf[..want])?;
                if n == 0 {
                    break;
                }
                self.pos = 0;
                self.end = n;
            }
            let take = ((self.end - self.pos) as u64).min(remaining) as usize;
            sink.keep(&self.buf[self.pos..self.pos + take]);
            self.pos += take;
            remaining -= take as u64;
        }
        Ok(len - remaining)
    }

    /// A `Transfer-Encoding: chunked` body; returns the decoded length.
    fn chunked_body(&mut self, sink: &mut Sink) -> io::Result<u64> {
        let bad = |what: &str| io::Error::other(format!("chunked body: {what}"));
        let mut total = 0u64;
        loop {
            let line = self.until(b"\r\n")?.ok_or_else(|| bad("EOF"))?;
            let line = String::from_utf8_lossy(&line);
            let hex = line.split(';').next().unwrap_or("").trim();
            let size = u64::from_str_radix(hex, 16).map_err(|_| bad("bad chunk size"))?;
            if size == 0 {
                // Trailers, then the empty line.
                while !self.until(b"\r\n")?.ok_or_else(|| bad("EOF"))?.is_empty() {}
                return Ok(total);
            }
            let got = self.body(size, sink)?;
            total += got;
            if got < size || !self.until(b"\r\n")?.is_some_and(|l| l.is_empty()) {
                return Err(bad("truncated chunk"));
            }
        }
    }
}

/// What the receiver keeps of a body: its ends, and a SHA-256 when verifying.
struct Sink {
    head: Vec<u8>,
    tail: [u8; EDGE],
    tail_len: usize,
    hasher: Option<Sha256>,
}

impl Sink {
    fn keep(&mut self, chunk: &[u8]) {
        if self.head.len() < EDGE {
            let n = (EDGE - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..n]);
        }
        // Only the last EDGE bytes of a chunk can end up in the tail.
        let take = chunk.len().min(EDGE);
        let keep_old = (EDGE - take).min(self.tail_len);
        self.tail
            .copy_within(self.tail_len - keep_old..self.tail_len, 0);
        self.tail[keep_old..keep_old + take].copy_from_slice(&chunk[chunk.len() - take..]);
        self.tail_len = keep_old + take;
        if let Some(h) = &mut self.hasher {
            h.update(chunk);
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

// ---------------------------------------------------------------------------
// The ceiling's client, and a tiny HTTP client for the sandbox

/// `__raw-send ADDR PATH BODYFILE`: the head, then the file by `sendfile`.
fn raw_send(args: &[String]) -> Result<()> {
    let (addr, path, body, plain_write) = match args {
        [addr, path, body] => (addr, path, body, false),
        [addr, path, body, mode] if mode == "write" => (addr, path, body, true),
        _ => return fail("usage: bench __raw-send ADDR PATH BODYFILE [write]"),
    };
    let mut file = File::open(body)?;
    let len = file.metadata()?.len();
    let mut stream = TcpStream::connect(addr)?;
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n"
    )?;
    let sent = if plain_write {
        // read() + write() through one 1 MiB buffer: the user-space copy b24tel makes.
        let mut buf = vec![0u8; BLOCK];
        let mut sent = 0u64;
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break sent;
            }
            stream.write_all(&buf[..n])?;
            sent += n as u64;
        }
    } else {
        io::copy(&mut file, &mut stream)? // sendfile(2)
    };
    if sent != len {
        return fail(format!("sent {sent} of {len} bytes"));
    }
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    if !answer.starts_with("HTTP/1.1 200") || !answer.contains("FILE_ID") {
        return fail(format!("unexpected answer: {answer}"));
    }
    Ok(())
}

/// POSTs a small JSON body with `Connection: close`; returns the answer's JSON.
fn post_json(url: &str, body: &Value) -> Result<Value> {
    let rest = url.strip_prefix("http://").ok_or("not an http URL")?;
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let body = body.to_string();
    let mut stream = TcpStream::connect(host)?;
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    let (head, json) = answer
        .split_once("\r\n\r\n")
        .ok_or("no end of the answer's head")?;
    if !head.starts_with("HTTP/1.1 200") {
        return fail(format!("{url}: {head}\n{json}"));
    }
    Ok(serde_json::from_str(json)?)
}

// ---------------------------------------------------------------------------
// The sandbox

struct Sandbox {
    pid: i32,
    webhook_url: String,
    data_dir: PathBuf,
}

impl Sandbox {
    fn start(
        b24tel: &Path,
        data_dir: &Path,
        tmp: &Path,
        cleanup: &mut Cleanup,
        faults: &[&str],
    ) -> Result<Self> {
        Self::start_logged(b24tel, data_dir, tmp, cleanup, faults, None)
    }

    /// With `log`, the sandbox writes its one line per request (method, status) there.
    fn start_logged(
        b24tel: &Path,
        data_dir: &Path,
        tmp: &Path,
        cleanup: &mut Cleanup,
        faults: &[&str],
        log: Option<&Path>,
    ) -> Result<Self> {
        let stderr = File::create(log.map_or_else(|| tmp.join("sandbox.err"), Path::to_path_buf))?;
        let mut child = Command::new(b24tel)
            .args(["sandbox", "--addr", "127.0.0.1:0", "-o", "json"])
            .args(log.is_none().then_some("-q"))
            .args(faults.iter().flat_map(|f| ["--fault", f]))
            .arg("--data-dir")
            .arg(data_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(stderr))
            .spawn()?;
        let pid = child.id() as i32;
        let stdout = child.stdout.take().ok_or("no sandbox stdout")?;
        cleanup.sandbox = Some(child);
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let info: Value = serde_json::from_str(line.trim())
            .map_err(|e| format!("sandbox's first line {line:?}: {e}"))?;
        let webhook_url = info["webhook_url"]
            .as_str()
            .ok_or("no webhook_url from the sandbox")?
            .to_string();
        Ok(Sandbox {
            pid,
            webhook_url,
            data_dir: data_dir.to_path_buf(),
        })
    }

    fn new_finished_call(&self) -> Result<String> {
        let registered = post_json(
            &format!("{}telephony.externalCall.register", self.webhook_url),
            &serde_json::json!({"USER_ID": 1, "PHONE_NUMBER": "+1555", "TYPE": 2}),
        )?;
        let call_id = registered["result"]["CALL_ID"]
            .as_str()
            .ok_or_else(|| format!("no CALL_ID in {registered}"))?
            .to_string();
        post_json(
            &format!("{}telephony.externalCall.finish", self.webhook_url),
            &serde_json::json!({"CALL_ID": call_id, "USER_ID": 1, "DURATION": 5}),
        )?;
        Ok(call_id)
    }

    fn check_stored(&self, file_id: u64, size: u64) -> Result<()> {
        let path = self
            .data_dir
            .join("records")
            .join(file_id.to_string())
            .join(FILENAME);
        let stored = std::fs::metadata(&path)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .len();
        if stored != size {
            return fail(format!("the sandbox stored {stored} bytes for {size}"));
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Results

#[derive(Clone, Copy, PartialEq)]
enum Case {
    AttachReceiver,
    Ceiling,
    CeilingWrite,
    Pipeline,
    PipelineStream,
    AttachSandbox,
    UploadSandbox,
    Srt,
}

struct Row {
    case: Case,
    name: &'static str,
    size_mb: u64,
    runs: usize,
    /// Median wall time.
    wall: Duration,
    min: Duration,
    max: Duration,
    /// The highest VmHWM over the runs (KiB).
    vm_hwm_kib: u64,
    /// The highest ru_maxrss over the runs (KiB).
    maxrss_kib: u64,
    /// The pipeline's peak is ru_maxrss (bash + base64 + curl).
    tree: bool,
    /// Why the case could not complete (then it has no runs).
    failed: Option<String>,
}

impl Row {
    fn from_runs(
        case: Case,
        name: &'static str,
        size_mb: u64,
        runs: &[Measured],
        tree: bool,
    ) -> Self {
        let walls: Vec<Duration> = runs.iter().map(|m| m.wall).collect();
        if walls.is_empty() {
            return Row {
                case,
                name,
                size_mb,
                runs: 0,
                wall: Duration::ZERO,
                min: Duration::ZERO,
                max: Duration::ZERO,
                vm_hwm_kib: 0,
                maxrss_kib: 0,
                tree,
                failed: Some("not run".into()),
            };
        }
        Row {
            case,
            name,
            size_mb,
            runs: runs.len(),
            wall: median(&walls),
            min: *walls.iter().min().unwrap(),
            max: *walls.iter().max().unwrap(),
            vm_hwm_kib: runs.iter().map(|m| m.vm_hwm_kib).max().unwrap_or(0),
            maxrss_kib: runs.iter().map(|m| m.maxrss_kib).max().unwrap_or(0),
            tree,
            failed: None,
        }
    }

    fn peak_mb(&self) -> f64 {
        let kib = if self.tree {
            self.maxrss_kib
        } else {
            self.vm_hwm_kib
        };
        kib as f64 / 1024.0
    }
}

fn median(values: &[Duration]) -> Duration {
    let mut sorted = values.to_vec();
    sorted.sort();
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }
}

struct HelpStats {
    median: Duration,
    min: Duration,
    mean: Duration,
    maxrss_kib: u64,
}

impl HelpStats {
    fn new(runs: &[Measured]) -> Self {
        let walls: Vec<Duration> = runs.iter().map(|m| m.wall).collect();
        HelpStats {
            median: median(&walls),
            min: *walls.iter().min().unwrap(),
            mean: walls.iter().sum::<Duration>() / walls.len() as u32,
            maxrss_kib: runs.iter().map(|m| m.maxrss_kib).max().unwrap_or(0),
        }
    }
}

struct Report<'a> {
    options: &'a Options,
    rows: &'a [Row],
    help: &'a HelpStats,
    srt_len: u64,
    sandbox_hwm: Option<u64>,
    receiver_requests: u64,
    verified_mb: Option<u64>,
    total: Duration,
    manifest_dir: &'a Path,
    b24tel: &'a Path,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn shell(cmd: &str, args: &[&str], dir: &Path) -> String {
    Command::new(cmd)
        .args(args)
        .current_dir(dir)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "?".into())
}

fn pass(ok: bool) -> &'static str {
    if ok {
        "PASS"
    } else {
        "FAIL"
    }
}

impl Report<'_> {
    fn find(&self, case: Case, size_mb: u64) -> Option<&Row> {
        self.rows
            .iter()
            .find(|r| r.case == case && r.size_mb == size_mb)
    }

    fn markdown(&self) -> String {
        let dir = self.manifest_dir;
        let commit = shell("git", &["rev-parse", "--short=12", "HEAD"], dir);
        let dirty = !shell(
            "git",
            &[
                "status",
                "--porcelain",
                "--",
                "src",
                "Cargo.toml",
                "Cargo.lock",
            ],
            dir,
        )
        .is_empty();
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|c| {
                c.lines()
                    .find_map(|l| l.strip_prefix("model name"))
                    .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
            })
            .unwrap_or_else(|| "?".into());
        let mut s = String::new();
        let mut line = |text: String| {
            s.push_str(&text);
            s.push('\n');
        };
        line("# b24tel benchmark results".into());
        line(String::new());
        line(
            "Command: `cargo run --release --example bench` (source: `examples/bench.rs`).".into(),
        );
        line(String::new());
        line(format!(
            "- date: {}",
            shell("date", &["-u", "+%Y-%m-%d %H:%M:%S UTC"], dir)
        ));
        line(format!("- nproc: {}", shell("nproc", &[], dir)));
        line(format!("- CPU: {cpu}"));
        line(format!(
            "- git commit (HEAD when run): {commit}{}",
            if dirty {
                " (with uncommitted changes to the tool)"
            } else {
                ""
            }
        ));
        line(format!(
            "- b24tel: {} ({})",
            shell(&self.b24tel.display().to_string(), &["--version"], dir),
            self.b24tel.display()
        ));
        line(format!(
            "- {}; {}",
            shell("curl", &["--version"], dir)
                .lines()
                .next()
                .unwrap_or("?"),
            shell("base64", &["--version"], dir)
                .lines()
                .next()
                .unwrap_or("?")
        ));
        line(format!(
            "- runs: median of {} per case ({} for files of 1000 MB and more); total bench time {:.0} s",
            self.options.reps,
            self.options.reps_large,
            self.total.as_secs_f64()
        ));
        line(String::new());
        line("MB = MiB (2^20 bytes). Files are an `ID3` header plus xorshift bytes, in the page cache (just written). \
Throughput = file MB / wall s. Peak RSS: VmHWM of the process (sampled every 5 ms), except the shell pipeline, \
whose figure is `ru_maxrss` from `wait4` (the largest of bash, base64 and curl). \
`ru_maxrss` of every case is shown too; it includes the spawning process's RSS, which the bench keeps small."
            .into());
        line(String::new());
        line("| case | file size | wall s (median) | min–max s | throughput MB/s | peak RSS MB | ru_maxrss MB |".into());
        line("|---|---:|---:|---:|---:|---:|---:|".into());
        for r in self.rows {
            let size = if r.case == Case::Srt {
                format!(
                    "{} cues, {:.1} MB",
                    SRT_CUES,
                    self.srt_len as f64 / MIB as f64
                )
            } else {
                format!("{} MB", r.size_mb)
            };
            let throughput = if r.case == Case::Srt {
                (self.srt_len as f64 / MIB as f64) / r.wall.as_secs_f64()
            } else {
                r.size_mb as f64 / r.wall.as_secs_f64()
            };
            if let Some(why) = &r.failed {
                line(format!(
                    "| {} | {size} | FAILED: {why} | — | — | — | — |",
                    r.name
                ));
                continue;
            }
            line(format!(
                "| {} | {size} | {:.3} | {:.3}–{:.3} (n={}) | {:.0} | {:.1}{} | {:.1} |",
                r.name,
                r.wall.as_secs_f64(),
                r.min.as_secs_f64(),
                r.max.as_secs_f64(),
                r.runs,
                throughput,
                r.peak_mb(),
                if r.tree { " (ru_maxrss)" } else { "" },
                r.maxrss_kib as f64 / 1024.0,
            ));
        }
        line(format!(
            "| `b24tel --help` ×{HELP_RUNS} | — | median {:.2} ms | min {:.2} ms, mean {:.2} ms | — | {} | {:.1} |",
            ms(self.help.median),
            ms(self.help.min),
            ms(self.help.mean),
            "— (too short to sample)",
            self.help.maxrss_kib as f64 / 1024.0
        ));
        line(String::new());
        line(format!(
            "Checks: the receiver answered {} requests; every body's byte count equalled its Content-Length (or its \
decoded chunked length) and the expected body's size and first/last 64 bytes; {}; every `b24tel` result reported the \
file's size, and every file the sandbox stored had the file's size. The sandbox process itself peaked at {} (VmHWM) \
over the whole run. The ceiling is the brief's raw `sendfile` client; the `(info)` read+write client sends the same \
bytes through a 1 MiB user-space buffer, which on loopback turns out faster than `sendfile`.",
            self.receiver_requests,
            match self.verified_mb {
                Some(mb) => format!(
                    "at {mb} MB the bodies of `record attach`, both raw senders and both pipelines matched the expected body byte for byte (SHA-256)"
                ),
                None => "no size of 100 MB or less was run, so no body was compared byte for byte".into(),
            },
            self.sandbox_hwm
                .map(|kib| format!("{:.1} MB", kib as f64 / 1024.0))
                .unwrap_or_else(|| "?".into())
        ));
        line(String::new());

        // Target checks.
        line("## Targets".into());
        line(String::new());
        line("| target | measured | result |".into());
        line("|---|---|---|".into());
        let big = *self.options.sizes_mb.iter().max().unwrap();
        let note = if big == 1000 {
            String::new()
        } else {
            format!(" (at {big} MB: 1 GB not run)")
        };
        if let (Some(a), Some(p), Some(stream), Some(c)) = (
            self.find(Case::AttachReceiver, big),
            self.find(Case::Pipeline, big),
            self.find(Case::PipelineStream, big),
            self.find(Case::Ceiling, big),
        ) {
            let speedup = |p: &Row| p.wall.as_secs_f64() / a.wall.as_secs_f64();
            match &p.failed {
                None => line(format!(
                    "| `record attach` {big} MB ≥ 4× faster than the shell pipeline (`--data-binary @-`){note} | {:.2}× ({:.3} s vs {:.3} s) | {} |",
                    speedup(p),
                    a.wall.as_secs_f64(),
                    p.wall.as_secs_f64(),
                    pass(speedup(p) >= 4.0)
                )),
                Some(why) => {
                    line(format!(
                        "| `record attach` {big} MB ≥ 4× faster than the shell pipeline (`--data-binary @-`){note} | the pipeline cannot send it: {why} | n/a |"
                    ));
                    // The largest size the usual recipe managed, for reference.
                    if let Some((pa, pp)) = self
                        .rows
                        .iter()
                        .rev()
                        .filter(|r| r.case == Case::Pipeline && r.failed.is_none())
                        .filter_map(|r| Some((self.find(Case::AttachReceiver, r.size_mb)?, r)))
                        .next()
                    {
                        let x = pp.wall.as_secs_f64() / pa.wall.as_secs_f64();
                        line(format!(
                            "| (reference) `record attach` {} MB vs `--data-binary @-` | {x:.2}× ({:.3} s vs {:.3} s) | {} |",
                            pa.size_mb,
                            pa.wall.as_secs_f64(),
                            pp.wall.as_secs_f64(),
                            pass(x >= 4.0)
                        ));
                    }
                }
            }
            line(format!(
                "| `record attach` {big} MB ≥ 4× faster than the streaming shell pipeline (`-T -`){note} | {:.2}× ({:.3} s vs {:.3} s) | {} |",
                speedup(stream),
                a.wall.as_secs_f64(),
                stream.wall.as_secs_f64(),
                pass(speedup(stream) >= 4.0)
            ));
            let ratio = a.wall.as_secs_f64() / c.wall.as_secs_f64();
            line(format!(
                "| `record attach` {big} MB ≤ 1.5× the ceiling's time{note} | {ratio:.2}× ({:.3} s vs {:.3} s) | {} |",
                a.wall.as_secs_f64(),
                c.wall.as_secs_f64(),
                pass(ratio <= 1.5)
            ));
            if let Some(w) = self.find(Case::CeilingWrite, big) {
                let ratio = a.wall.as_secs_f64() / w.wall.as_secs_f64();
                line(format!(
                    "| (reference) `record attach` {big} MB ≤ 1.5× the raw read+write client's time | {ratio:.2}× ({:.3} s vs {:.3} s) | {} |",
                    a.wall.as_secs_f64(),
                    w.wall.as_secs_f64(),
                    pass(ratio <= 1.5)
                ));
            }
        }
        for r in self.rows.iter().filter(|r| {
            matches!(
                r.case,
                Case::AttachReceiver | Case::AttachSandbox | Case::UploadSandbox
            )
        }) {
            line(format!(
                "| peak RSS < 16 MB: {}, {} MB | {:.1} MB | {} |",
                r.name,
                r.size_mb,
                r.peak_mb(),
                pass(r.peak_mb() < 16.0)
            ));
        }
        line(format!(
            "| `--help` < 5 ms (median of {HELP_RUNS}) | {:.2} ms | {} |",
            ms(self.help.median),
            pass(ms(self.help.median) < 5.0)
        ));
        if let Some(srt) = self.rows.iter().find(|r| r.case == Case::Srt) {
            line(format!(
                "| 100k-cue SRT dry run < 0.5 s | {:.3} s | {} |",
                srt.wall.as_secs_f64(),
                pass(srt.wall.as_secs_f64() < 0.5)
            ));
            line(format!(
                "| 100k-cue SRT dry run < 100 MB | {:.1} MB | {} |",
                srt.peak_mb(),
                pass(srt.peak_mb() < 100.0)
            ));
        }
        s
    }
}

// ---------------------------------------------------------------------------
// batch: concurrency against a slow portal, and scale

mod batch {
    use super::*;

    const RECORD_LATENCY: f64 = 2.4;
    const TRANSCRIPT_LATENCY: f64 = 0.5;

    /// The scale runs' sandbox data dir: on tmpfs when there is one, removed after.
    struct PortalDisk {
        dir: PathBuf,
    }

    impl PortalDisk {
        fn new(tmp: &Path) -> Result<PortalDisk> {
            let shm = Path::new("/dev/shm");
            let dir = if shm.is_dir() {
                shm.join(format!("b24tel-bench-{}", std::process::id()))
            } else {
                tmp.join("batch-scale-sandbox")
            };
            std::fs::create_dir_all(&dir)?;
            Ok(PortalDisk { dir })
        }
    }

    impl Drop for PortalDisk {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }

    fn settle_disk() -> Result<()> {
        let status = Command::new("sync").status()?;
        if !status.success() {
            return fail("sync failed");
        }
        Ok(())
    }

    fn srt(text: &str) -> String {
        format!("1\n00:00:00,000 --> 00:00:02,000\nUser: {text}\n\n2\n00:00:02,500 --> 00:00:04,000\nClient: thanks\n")
    }

    /// A tiny valid WAV whose last sample makes it unique.
    fn wav(unique: usize) -> Vec<u8> {
        let samples = 400usize;
        let data_len = (samples * 2) as u32;
        let mut out = Vec::new();
        out.extend_from_slice(b"RIFF");
        out.extend_from_slice(&(36 + data_len).to_le_bytes());
        out.extend_from_slice(b"WAVEfmt ");
        out.extend_from_slice(&16u32.to_le_bytes());
        out.extend_from_slice(&1u16.to_le_bytes());
        out.extend_from_slice(&1u16.to_le_bytes());
        out.extend_from_slice(&8000u32.to_le_bytes());
        out.extend_from_slice(&16000u32.to_le_bytes());
        out.extend_from_slice(&2u16.to_le_bytes());
        out.extend_from_slice(&16u16.to_le_bytes());
        out.extend_from_slice(b"data");
        out.extend_from_slice(&data_len.to_le_bytes());
        let mut data = vec![0u8; samples * 2];
        data[..8].copy_from_slice(&(unique as u64).to_le_bytes());
        out.extend_from_slice(&data);
        out
    }

    fn run_batch(
        b24tel: &Path,
        sandbox: &Sandbox,
        manifest: &Path,
        flags: &[&str],
        out: &Path,
    ) -> Result<Measured> {
        let mut cmd = Command::new(b24tel);
        cmd.args(["--webhook", &sandbox.webhook_url, "-o", "json", "-q"])
            .args(["batch", "--min-age", "0"])
            .args(flags)
            .arg("--manifest")
            .arg(manifest);
        let m = measure(&mut cmd, out)?;
        check_exit("batch", &m, out)?;
        Ok(m)
    }

    fn latency(
        b24tel: &Path,
        tmp: &Path,
        latency_rows: &[usize],
        cleanup: &mut Cleanup,
        md: &mut Vec<String>,
    ) -> Result<()> {
        md.push(format!("Against `b24tel sandbox --fault latency:telephony.externalCall.attachRecord={RECORD_LATENCY} --fault latency:telephony.call.attachTranscription={TRANSCRIPT_LATENCY}`: N rows, each a small WAV and a two-cue SRT. A row is three requests (attachRecord, the voximplant.statistic.get check that records the call's TRANSCRIPT_ID in the intent, attachTranscription). Bucket bound: max(0, requests − burst) ÷ rate + one row's latency ({:.1} s). Each setting starts with a fresh journal.", RECORD_LATENCY + TRANSCRIPT_LATENCY));
        md.push(String::new());
        md.push("| rows | flags | requests | wall s | bucket bound s | ratio |".into());
        md.push("|---:|---|---:|---:|---:|---:|".into());
        let latency_record =
            format!("latency:telephony.externalCall.attachRecord={RECORD_LATENCY}");
        let latency_transcript =
            format!("latency:telephony.call.attachTranscription={TRANSCRIPT_LATENCY}");
        let sandbox = Sandbox::start(
            b24tel,
            &tmp.join("batch-sandbox"),
            tmp,
            cleanup,
            &[&latency_record, &latency_transcript],
        )?;
        let row_latency = RECORD_LATENCY + TRANSCRIPT_LATENCY;
        for &rows in latency_rows {
            let dir = tmp.join(format!("batch-latency-{rows}"));
            std::fs::create_dir_all(&dir)?;
            let requests = 3 * rows;
            for (name, flags, burst, rate) in [
                (
                    "defaults (`--jobs 4 --burst 50 --rate 2`)",
                    vec![],
                    50.0,
                    2.0,
                ),
                (
                    "`--burst 10 --rate 2` (a bucket shared with other apps)",
                    vec!["--burst", "10", "--rate", "2"],
                    10.0,
                    2.0,
                ),
                (
                    "`--jobs 64 --burst 250 --rate 5` (Enterprise)",
                    vec!["--jobs", "64", "--burst", "250", "--rate", "5"],
                    250.0,
                    5.0,
                ),
            ] {
                // New calls each time: a call that has a record is no first run.
                let mut manifest = String::from("call_id,record,transcript\n");
                for i in 0..rows {
                    let call = sandbox.new_finished_call()?;
                    std::fs::write(dir.join(format!("r{i}.wav")), wav(i))?;
                    std::fs::write(dir.join(format!("t{i}.srt")), srt(&format!("row {i}")))?;
                    manifest.push_str(&format!("{call},r{i}.wav,t{i}.srt\n"));
                }
                let manifest_path = dir.join(format!("m-{}.csv", md.len()));
                std::fs::write(&manifest_path, &manifest)?;
                eprintln!("== batch, {rows} rows with latency: {name}");
                let out = tmp.join("batch.out");
                let m = run_batch(b24tel, &sandbox, &manifest_path, &flags, &out)?;
                let attached = std::fs::read_to_string(&out)?
                    .lines()
                    .filter(|l| l.contains("\"attached\""))
                    .count();
                if attached < rows {
                    return fail(format!("{attached} of {rows} rows attached with {name}"));
                }
                let bound = (requests as f64 - burst).max(0.0) / rate + row_latency;
                md.push(format!(
                    "| {rows} | {name} | {requests} | {:.1} | {bound:.1} | {:.2} |",
                    m.wall.as_secs_f64(),
                    m.wall.as_secs_f64() / bound
                ));
            }
        }
        // Serial, for comparison: what 0.1.0's one-at-a-time batch would take.
        if let Some(&rows) = latency_rows.iter().max() {
            let dir = tmp.join("batch-latency-jobs1");
            let manifest = latency_manifest(&sandbox, &dir, rows)?;
            eprintln!("== batch, {rows} rows with latency: --jobs 1");
            let out = tmp.join("batch.out");
            let m = run_batch(b24tel, &sandbox, &manifest, &["--jobs", "1"], &out)?;
            let bound = (3.0 * rows as f64 - 50.0).max(0.0) / 2.0 + row_latency;
            md.push(format!(
                "| {rows} | `--jobs 1` (serial) | {} | {:.1} | {bound:.1} | {:.2} |",
                3 * rows,
                m.wall.as_secs_f64(),
                m.wall.as_secs_f64() / bound
            ));
        }
        stop_sandbox(sandbox, cleanup);
        if let Some(&rows) = latency_rows.iter().max() {
            buckets(b24tel, tmp, rows, cleanup, md)?;
        }
        Ok(())
    }

    fn stop_sandbox(sandbox: Sandbox, cleanup: &mut Cleanup) {
        drop(sandbox);
        if let Some(mut child) = cleanup.sandbox.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// ROWS new finished calls, each with a small WAV and a two-cue SRT, as a manifest.
    fn latency_manifest(sandbox: &Sandbox, dir: &Path, rows: usize) -> Result<PathBuf> {
        std::fs::create_dir_all(dir)?;
        let mut manifest = String::from("call_id,record,transcript\n");
        for i in 0..rows {
            let call = sandbox.new_finished_call()?;
            std::fs::write(dir.join(format!("r{i}.wav")), wav(i))?;
            std::fs::write(dir.join(format!("t{i}.srt")), srt(&format!("row {i}")))?;
            manifest.push_str(&format!("{call},r{i}.wav,t{i}.srt\n"));
        }
        let path = dir.join("m.csv");
        std::fs::write(&path, &manifest)?;
        Ok(path)
    }

    /// The sandbox enforcing a portal's leaky bucket (`--fault bucket:BURST:RATE`) with
    /// the same latencies, batch at its defaults: how many requests the portal refuses
    /// with 503 QUERY_LIMIT_EXCEEDED. The calls are registered first, on a sandbox
    /// without the bucket, so that only batch's own requests meet it.
    fn buckets(
        b24tel: &Path,
        tmp: &Path,
        rows: usize,
        cleanup: &mut Cleanup,
        md: &mut Vec<String>,
    ) -> Result<()> {
        md.push(String::new());
        md.push(format!("The same {rows} rows against a sandbox that enforces the portal's bucket (`--fault bucket:BURST:RATE`, 503 `QUERY_LIMIT_EXCEEDED` when full), batch at its defaults (`--burst 50 --rate 2`); 503s counted in the sandbox's request log."));
        md.push(String::new());
        md.push("| portal bucket | requests | 503 answers | rows attached | wall s |".into());
        md.push("|---|---:|---:|---:|---:|".into());
        let latency_record =
            format!("latency:telephony.externalCall.attachRecord={RECORD_LATENCY}");
        let latency_transcript =
            format!("latency:telephony.call.attachTranscription={TRANSCRIPT_LATENCY}");
        for (fault, label) in [
            ("bucket:50:2", "50 burst, 2/s (the portal's own)"),
            (
                "bucket:10:2",
                "10 burst, 2/s (shared with other applications)",
            ),
        ] {
            let data_dir = tmp.join(format!("batch-{}", fault.replace(':', "-")));
            let dir = tmp.join(format!("batch-rows-{}", fault.replace(':', "-")));
            let sandbox = Sandbox::start(b24tel, &data_dir, tmp, cleanup, &[])?;
            let manifest = latency_manifest(&sandbox, &dir, rows)?;
            stop_sandbox(sandbox, cleanup);
            let log = tmp.join(format!("sandbox-{}.log", fault.replace(':', "-")));
            let sandbox = Sandbox::start_logged(
                b24tel,
                &data_dir,
                tmp,
                cleanup,
                &[&latency_record, &latency_transcript, fault],
                Some(&log),
            )?;
            eprintln!("== batch, {rows} rows against {fault}");
            let out = tmp.join("batch.out");
            let mut cmd = Command::new(b24tel);
            cmd.args(["--webhook", &sandbox.webhook_url, "-o", "json", "-q"])
                .args(["batch", "--min-age", "0", "--manifest"])
                .arg(&manifest);
            // Not check_exit: a row failed by the bucket is a figure, not an error.
            let m = measure(&mut cmd, &out)?;
            stop_sandbox(sandbox, cleanup);
            let output = std::fs::read_to_string(&out)?;
            let attached = output
                .lines()
                .filter(|l| {
                    l.contains("\"record\":{\"status\":\"attached\"")
                        && l.contains("\"transcript\":{\"status\":\"attached\"")
                })
                .count();
            let log = std::fs::read_to_string(&log)?;
            let requests: Vec<&str> = log.lines().filter(|l| l.contains("/rest/")).collect();
            let refused = requests.iter().filter(|l| l.contains(" 503 ")).count();
            md.push(format!(
                "| {label} | {} | {refused} ({:.1}%) | {attached} of {rows} | {:.1} |",
                requests.len(),
                100.0 * refused as f64 / requests.len().max(1) as f64,
                m.wall.as_secs_f64()
            ));
        }
        Ok(())
    }

    pub fn section(
        b24tel: &Path,
        tmp: &Path,
        latency_rows: &[usize],
        scale_rows: &[usize],
        cleanup: &mut Cleanup,
    ) -> Result<String> {
        let mut md = vec!["## batch".to_string(), String::new()];
        if !latency_rows.is_empty() {
            latency(b24tel, tmp, latency_rows, cleanup, &mut md)?;
        }
        if scale_rows.is_empty() {
            return Ok(md.join("\n"));
        }
        md.push(String::new());
        md.push("### batch at scale".into());
        md.push(String::new());
        md.push("No latency, `--rate 1000 --burst 1000 --jobs 4` (pacing is not the limit), rows spread over 100 calls; the sandbox keeps its data on tmpfs (`/dev/shm`, as a portal's disk is not the client's) and the row files are synced to disk before the first run, as a cron job's old files are; first run, then a re-run where everything is skipped. Pacing bound: (requests − burst) ÷ rate, a transcript row being two requests (the statistics check and the attach) and a record row one. Peak RSS is VmHWM of the batch process.".into());
        md.push(String::new());
        md.push(
            "| rows | kind | first run s | bound s | ratio | first run peak MB | re-run s | re-run peak MB |".into(),
        );
        md.push("|---:|---|---:|---:|---:|---:|---:|---:|".into());
        // The portal's disk is not ours: on the same disk, the sandbox's unsynced
        // record and calls.json writes join every ext4 commit the journal's
        // fdatasync forces, and a 10,000-record run took 5x its bound.
        let portal_disk = PortalDisk::new(tmp)?;
        let sandbox = Sandbox::start(b24tel, &portal_disk.dir, tmp, cleanup, &[])?;
        let calls: Vec<String> = (0..100)
            .map(|_| sandbox.new_finished_call())
            .collect::<Result<_>>()?;
        for &rows in scale_rows {
            for kind in ["transcript", "record"] {
                if std::env::var("BENCH_BATCH_KIND").is_ok_and(|k| k != kind) {
                    continue;
                }
                let dir = tmp.join(format!("batch-{kind}-{rows}"));
                std::fs::create_dir_all(&dir)?;
                let mut manifest = std::io::BufWriter::new(File::create(dir.join("m.csv"))?);
                writeln!(manifest, "call_id,{kind}")?;
                for i in 0..rows {
                    let call = &calls[i % calls.len()];
                    if kind == "transcript" {
                        std::fs::write(dir.join(format!("{i}.srt")), srt(&format!("row {i}")))?;
                        writeln!(manifest, "{call},{i}.srt")?;
                    } else {
                        std::fs::write(dir.join(format!("{i}.wav")), wav(i))?;
                        writeln!(manifest, "{call},{i}.wav")?;
                    }
                }
                manifest.flush()?;
                drop(manifest);
                // The files a cron job reads were written long ago: without this the
                // first run measures the kernel writing back 100,000 fresh files
                // (every journal fdatasync waits behind them: 2.5x the bound).
                settle_disk()?;
                let flags = ["--rate", "1000", "--burst", "1000"];
                eprintln!("== batch, {rows} {kind} rows: first run");
                let first = run_batch(
                    b24tel,
                    &sandbox,
                    &dir.join("m.csv"),
                    &flags,
                    &tmp.join("batch.out"),
                )?;
                eprintln!("== batch, {rows} {kind} rows: re-run, all skipped");
                let again = run_batch(
                    b24tel,
                    &sandbox,
                    &dir.join("m.csv"),
                    &flags,
                    &tmp.join("batch.out"),
                )?;
                let skipped = std::fs::read_to_string(tmp.join("batch.out"))?
                    .lines()
                    .filter(|l| l.contains("\"skipped\""))
                    .count();
                if skipped != rows {
                    return fail(format!(
                        "the re-run skipped {skipped} of {rows} {kind} rows"
                    ));
                }
                // A transcript row is two requests (the statistics check, the attach).
                let requests = if kind == "transcript" { 2 * rows } else { rows };
                let bound = requests.saturating_sub(1000) as f64 / 1000.0;
                md.push(format!(
                    "| {rows} | {kind} | {:.2} | {bound:.0} | {:.2} | {:.1} | {:.2} | {:.1} |",
                    first.wall.as_secs_f64(),
                    first.wall.as_secs_f64() / bound.max(0.001),
                    first.vm_hwm_kib as f64 / 1024.0,
                    again.wall.as_secs_f64(),
                    again.vm_hwm_kib as f64 / 1024.0
                ));
                std::fs::remove_dir_all(&dir)?;
            }
        }
        Ok(md.join("\n"))
    }
}

// ---------------------------------------------------------------------------
// conversion: an hour of what a PBX writes, converted and attached

mod convert {
    use super::*;

    /// (name, ffmpeg arguments that write the hour, file name)
    const INPUTS: [(&str, &str, &str); 3] = [
        (
            "8 kHz mono GSM 6.10 WAV (wav49)",
            "-ar 8000 -ac 1 -c:a libgsm_ms",
            "hour-gsm.wav",
        ),
        (
            "8 kHz mono A-law WAV",
            "-ar 8000 -ac 1 -c:a pcm_alaw",
            "hour-alaw.wav",
        ),
        (
            "48 kHz stereo Opus/WebM",
            "-ar 48000 -ac 2 -c:a libopus -b:a 64k",
            "hour-opus.webm",
        ),
    ];

    fn ffmpeg(args: &[&str]) -> Result<()> {
        let status = Command::new("ffmpeg")
            .args(["-y", "-hide_banner", "-loglevel", "error"])
            .args(args)
            .stdin(Stdio::null())
            .status()
            .map_err(|e| format!("ffmpeg: {e} (apt-get install ffmpeg)"))?;
        if !status.success() {
            return fail(format!("ffmpeg {args:?} failed"));
        }
        Ok(())
    }

    fn size_of(stdout: &Path) -> Result<u64> {
        let text = std::fs::read_to_string(stdout)?;
        let result: Value = serde_json::from_str(text.trim())?;
        result["size"]
            .as_u64()
            .ok_or_else(|| format!("no size in {text}").into())
    }

    pub fn section(b24tel: &Path, tmp: &Path, cleanup: &mut Cleanup) -> Result<String> {
        let mut md = vec![
            "## conversion".to_string(),
            String::new(),
            "60 minutes of pink noise with a 440 Hz tone (harder to compress than speech), generated with ffmpeg. `b24tel record attach --convert auto` against the sandbox, beside `ffmpeg -i IN -codec:a libmp3lame -b:a 32k OUT.mp3` then `record attach --file OUT.mp3`. b24tel's default bitrate is 32 kbps per channel (64 kbps for the stereo file). \"tree\" peak RSS is ru_maxrss over the process tree (b24tel, or ffmpeg then b24tel), so for GSM and Opus it is the ffmpeg decoder b24tel runs (ffmpeg alone is about 55 MB resident, most of it its shared libraries); \"own\" is b24tel's VmHWM. CPU-bound; the machine was shared with other builds.".into(),
            String::new(),
            "| input | in MB | b24tel s | b24tel own peak MB | b24tel tree peak MB | b24tel out MB | ffmpeg+attach s | ffmpeg+attach peak MB | ffmpeg out MB | ratio (b24tel ÷ pipeline) |".into(),
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|".into(),
        ];
        let sandbox = Sandbox::start(b24tel, &tmp.join("convert-sandbox"), tmp, cleanup, &[])?;
        let dir = tmp.join("convert");
        std::fs::create_dir_all(&dir)?;
        for (name, codec, file) in INPUTS {
            let input = dir.join(file);
            eprintln!("== conversion: generating {name}");
            let source = if codec.contains("48000") {
                "anoisesrc=color=pink:amplitude=0.2:sample_rate=48000:duration=3600"
            } else {
                "anoisesrc=color=pink:amplitude=0.2:sample_rate=8000:duration=3600"
            };
            let mut args = vec!["-f", "lavfi", "-i", source, "-f", "lavfi", "-i"];
            let tone = if codec.contains("48000") {
                "sine=frequency=440:sample_rate=48000:duration=3600"
            } else {
                "sine=frequency=440:sample_rate=8000:duration=3600"
            };
            args.push(tone);
            args.extend(["-filter_complex", "amix=inputs=2"]);
            args.extend(codec.split(' '));
            let input_str = input.to_string_lossy().to_string();
            args.push(&input_str);
            ffmpeg(&args)?;
            let in_mb = std::fs::metadata(&input)?.len() as f64 / 1e6;

            eprintln!("== conversion: b24tel record attach --convert auto, {name}");
            let out = tmp.join("convert.out");
            let call = sandbox.new_finished_call()?;
            let mut cmd = Command::new(b24tel);
            cmd.args(["--webhook", &sandbox.webhook_url, "-o", "json", "-q"])
                .args(["record", "attach", "--convert", "auto", "--call-id", &call])
                .arg("--file")
                .arg(&input);
            let ours = measure(&mut cmd, &out)?;
            check_exit("record attach --convert auto", &ours, &out)?;
            let ours_size = size_of(&out)?;

            eprintln!("== conversion: ffmpeg then record attach, {name}");
            let mp3 = dir.join("pipeline.mp3");
            let call = sandbox.new_finished_call()?;
            let script = "ffmpeg -y -hide_banner -loglevel error -i \"$1\" -codec:a libmp3lame -b:a 32k \"$2\" && \"$3\" --webhook \"$4\" -o json -q record attach --call-id \"$5\" --file \"$2\"";
            let mut cmd = Command::new("sh");
            cmd.args(["-c", script, "sh"])
                .arg(&input)
                .arg(&mp3)
                .arg(b24tel)
                .args([&sandbox.webhook_url, &call]);
            let theirs = measure(&mut cmd, &out)?;
            check_exit("ffmpeg then record attach", &theirs, &out)?;
            let theirs_size = size_of(&out)?;
            md.push(format!(
                "| {name} | {in_mb:.1} | {:.2} | {:.1} | {:.1} | {:.2} | {:.2} | {:.1} | {:.2} | {:.2} |",
                ours.wall.as_secs_f64(),
                ours.vm_hwm_kib as f64 / 1024.0,
                ours.maxrss_kib as f64 / 1024.0,
                ours_size as f64 / 1e6,
                theirs.wall.as_secs_f64(),
                theirs.maxrss_kib as f64 / 1024.0,
                theirs_size as f64 / 1e6,
                ours.wall.as_secs_f64() / theirs.wall.as_secs_f64(),
            ));
            let _ = std::fs::remove_file(&mp3);
            let _ = std::fs::remove_file(&input);
        }
        drop(sandbox);
        if let Some(mut child) = cleanup.sandbox.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        Ok(md.join("\n"))
    }
}

/// `transcript attach --dry-run` of one very long SRT: time, peak RSS, cues in the plan.
fn srt_at_scale(b24tel: &Path, tmp: &Path, cues: usize) -> Result<()> {
    let srt = tmp.join("huge.srt");
    eprintln!("== writing a {cues}-cue SRT");
    let len = write_srt(&srt, cues)?;
    let plan = tmp.join("plan.out");
    let mut cmd = Command::new(b24tel);
    cmd.args(["--webhook", "http://127.0.0.1:9/rest/1/x/", "-o", "json"])
        .args(["transcript", "attach", "--dry-run", "--call-id", CALL_ID])
        .arg("--file")
        .arg(&srt);
    let m = measure(&mut cmd, &plan)?;
    check_exit("transcript dry run", &m, &plan)?;
    let planned = count_plan_messages(&plan)?;
    if planned != cues {
        return fail(format!("the plan has {planned} messages, expected {cues}"));
    }
    let mut null = Command::new(b24tel);
    null.args(["--webhook", "http://127.0.0.1:9/rest/1/x/", "-o", "json"])
        .args(["transcript", "attach", "--dry-run", "--call-id", CALL_ID])
        .arg("--file")
        .arg(&srt);
    let quiet = measure_to_null(&mut null)?;
    println!(
        "| {cues} cues, {:.1} MB SRT | plan to a file: {:.2} s, {:.1} MB | plan to /dev/null: {:.2} s, {:.1} MB |",
        len as f64 / 1e6,
        m.wall.as_secs_f64(),
        m.vm_hwm_kib as f64 / 1024.0,
        quiet.wall.as_secs_f64(),
        quiet.vm_hwm_kib as f64 / 1024.0
    );
    Ok(())
}
