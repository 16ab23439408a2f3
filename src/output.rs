//! What the user sees: results on stdout (JSON or a table), warnings, errors,
//! progress and `-v` exchange lines on stderr.

use std::io::{IsTerminal, Write};

use comfy_table::{presets::NOTHING, Table};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Map, Value};

use crate::failure::{shown_text, Failure};

/// `-o json|table`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Json,
    Table,
}

#[derive(Debug, Clone)]
pub struct Ui {
    pub format: OutputFormat,
    pub quiet: bool,
    pub verbose: bool,
    stderr_is_terminal: bool,
}

impl Ui {
    /// `format` is `-o` (None: table on a terminal, JSON otherwise); `quiet` is
    /// `-q`, `verbose` is `-v`.
    pub fn new(format: Option<OutputFormat>, quiet: bool, verbose: bool) -> Self {
        let format = format.unwrap_or(if std::io::stdout().is_terminal() {
            OutputFormat::Table
        } else {
            OutputFormat::Json
        });
        Ui {
            format,
            quiet,
            verbose,
            stderr_is_terminal: std::io::stderr().is_terminal(),
        }
    }

    pub fn is_json(&self) -> bool {
        self.format == OutputFormat::Json
    }

    /// One result object: a JSON line, or an aligned key/value table.
    pub fn result(&self, fields: &Map<String, Value>) {
        let text = if self.is_json() {
            // Streamed straight to stdout: a 100,000-message plan is never copied.
            return print_json(fields);
        } else {
            // Aligned by hand: a table library would measure a 100,000-message plan cell by cell.
            let width = fields.keys().map(|k| k.chars().count()).max().unwrap_or(0);
            // A value longer than the terminal (a file name, a URL) wraps under itself.
            let room = terminal_width(libc::STDOUT_FILENO)
                .map(|cols| usize::from(cols).saturating_sub(width + 2))
                .filter(|&room| room >= 10);
            fields
                .iter()
                .map(|(key, value)| {
                    let value = display_value(value);
                    let chars: Vec<char> = value.chars().collect();
                    match room {
                        Some(room) if chars.len() > room => chars
                            .chunks(room)
                            .enumerate()
                            .map(|(n, piece)| {
                                let piece: String = piece.iter().collect();
                                let key = if n == 0 { key.as_str() } else { "" };
                                format!("{key:<width$}  {piece}")
                            })
                            .collect::<Vec<_>>()
                            .join("\n"),
                        _ => format!("{key:<width$}  {value}"),
                    }
                })
                .collect::<Vec<_>>()
                .join("\n")
        };
        print_line(&text);
    }

    /// Any serialisable result object (JSON streamed, or the same key/value table).
    pub fn result_of<T: serde::Serialize>(&self, value: &T) {
        if self.is_json() {
            return print_json(value);
        }
        match serde_json::to_value(value) {
            Ok(Value::Object(fields)) => self.result(&fields),
            _ => print_json(value),
        }
    }

    /// Rows with the same keys: JSON lines, or a table with a header.
    pub fn rows(&self, header: &[&str], rows: &[Map<String, Value>]) {
        if self.is_json() {
            for row in rows {
                print_json(row);
            }
            return;
        }
        let mut table = Table::new();
        table.load_preset(NOTHING);
        // Never wider than the terminal: long cells (call ids) wrap inside their column.
        if let Some(cols) = terminal_width(libc::STDOUT_FILENO) {
            table
                .set_content_arrangement(comfy_table::ContentArrangement::Dynamic)
                .set_width(cols);
        }
        table.set_header(header.iter().map(|h| h.to_uppercase()));
        // Headers stay whole when they fit; the long cells are what wrap.
        let headers_fit = terminal_width(libc::STDOUT_FILENO)
            .is_some_and(|cols| header.iter().map(|h| h.len() + 2).sum::<usize>() <= cols.into());
        if headers_fit {
            let bounds = header.iter().map(|h| {
                comfy_table::ColumnConstraint::LowerBoundary(comfy_table::Width::Fixed(
                    u16::try_from(h.len() + 2).unwrap_or(u16::MAX),
                ))
            });
            table.set_constraints(bounds);
        }
        for row in rows {
            table.add_row(
                header
                    .iter()
                    .map(|key| row.get(*key).map(display_value).unwrap_or_default()),
            );
        }
        print_line(&trim_table(&table));
    }

    /// One plain line of result on stdout (`config path`); a failed write exits 10.
    pub fn line(&self, text: &str) {
        print_line(text);
    }

    pub fn warn(&self, message: &str) {
        if !self.quiet {
            eprintln!("warning: {}", shown_text(message));
        }
    }

    /// A step or note for people at a terminal (stderr, silenced by -q).
    pub fn note(&self, message: &str) {
        if !self.quiet {
            eprintln!("{message}");
        }
    }

    /// A `-v` line for one HTTP exchange; callers pass only redacted URLs.
    pub fn exchange(&self, line: &str) {
        if self.verbose {
            eprintln!("> {line}");
        }
    }

    /// The same, without byte progress bars (when an outer bar shows progress).
    pub fn without_progress(&self) -> Ui {
        Ui {
            stderr_is_terminal: false,
            ..self.clone()
        }
    }

    /// A byte progress bar on stderr, only at a terminal and without -q. It is drawn
    /// one line narrower than the terminal, never wrapping; a terminal of unknown or
    /// tiny width (`script` without a tty gives 0x0) gets none, since redrawing a
    /// line there means cursor-up codes over text that did wrap.
    pub fn progress_bar(&self, total: u64, label: &str) -> Option<ProgressBar> {
        if self.quiet || !self.stderr_is_terminal {
            return None;
        }
        let cols = usize::from(terminal_width(libc::STDERR_FILENO).filter(|&c| c >= 40)?);
        // The widest the tail gets ("1023.99 MiB/1023.99 MiB 1023.99 MiB/s ETA 59m"):
        // the bar takes what is left, so the line ends before the last column.
        let (tail, tail_max) = if cols >= 72 {
            ("{bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta}", 48)
        } else {
            ("{bytes}/{total_bytes}", 24)
        };
        let room = cols - 1 - tail_max - " [] ".len();
        let label = fit(label, room.saturating_sub(10 + 1).min(40));
        let used = label.chars().count() + usize::from(!label.is_empty());
        let template = format!(
            "{}[{{bar:{}}}] {tail}",
            if label.is_empty() { "" } else { "{msg} " },
            room - used
        );
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(&template)
                .ok()?
                .progress_chars("=> "),
        );
        bar.set_message(label);
        Some(bar)
    }

    /// Prints the failure (and the JSON error object under -o json); returns the exit code.
    pub fn report(&self, failure: &Failure) -> i32 {
        // Escaped: a newline in a file name or a portal's description cannot
        // forge a line of output.
        let mut text = format!("error: {}", shown_text(&failure.to_string()));
        for detail in &failure.details {
            text.push_str("\n  ");
            text.push_str(&shown_text(detail));
        }
        if let Some(hint) = &failure.hint {
            text.push_str("\nhint: ");
            text.push_str(&shown_text(hint));
        }
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(stderr, "{text}");
        if self.is_json() {
            let _ = writeln!(stderr, "{}", failure.to_json());
        }
        failure.exit_code()
    }
}

/// After the last byte the bar would sit at 100% while the portal stores the file:
/// show that we are waiting on it instead, and for how long.
pub fn waiting_for_portal(bar: &ProgressBar) {
    let since = std::time::Instant::now();
    let style =
        ProgressStyle::with_template("{spinner} waiting for the portal ({waited})").map(|style| {
            style
                .with_key(
                    "waited",
                    move |_: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = write!(w, "{} s", since.elapsed().as_secs());
                    },
                )
                .tick_chars("|/-\\ ")
        });
    if let Ok(style) = style {
        bar.set_style(style);
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
    }
}

/// Columns of the terminal on `fd`, if it is one and says (a 0x0 pty says nothing).
pub fn terminal_width(fd: libc::c_int) -> Option<u16> {
    // SAFETY: TIOCGWINSZ only writes a winsize into the struct we own.
    let mut size: libc::winsize = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::ioctl(fd, libc::TIOCGWINSZ, &mut size) } == 0;
    (ok && size.ws_col > 0).then_some(size.ws_col)
}

/// `text` in at most `max` characters, an ellipsis marking a cut.
fn fit(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut cut: String = text.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

fn display_value(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        other => other.to_string(),
    }
}

fn trim_table(table: &Table) -> String {
    table
        .lines()
        .map(|line| {
            line.strip_prefix(' ')
                .unwrap_or(&line)
                .trim_end()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// One JSON line on stdout, serialised through a buffer rather than into a String.
fn print_json<T: serde::Serialize + ?Sized>(fields: &T) {
    let mut stdout = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    let written = serde_json::to_writer(&mut stdout, fields)
        .map_err(std::io::Error::from)
        .and_then(|_| writeln!(stdout))
        .and_then(|_| stdout.flush());
    if let Err(error) = written {
        stdout_failed(&error);
    }
}

/// Writes to stdout; a failed write ends the run with exit 10.
fn print_line(text: &str) {
    let mut stdout = std::io::stdout().lock();
    if let Err(error) = writeln!(stdout, "{text}").and_then(|_| stdout.flush()) {
        stdout_failed(&error);
    }
}

/// The failure for a result that could not be written (exit 10).
pub fn write_failure(error: &std::io::Error) -> Failure {
    let what = match error.kind() {
        std::io::ErrorKind::BrokenPipe => "stdout was closed".to_string(),
        _ if error.raw_os_error() == Some(28) => "stdout is full (no space left)".to_string(),
        _ => format!("cannot write to stdout ({error})"),
    };
    Failure::new(
        crate::failure::Kind::Output,
        format!("the result could not be written: {what}"),
    )
    .with_hint("send stdout to a file or pipe that can take it; anything sent to the portal before this was sent")
}

/// The request is done but its result is lost: say so on stderr and exit 10, so
/// a script never takes an undelivered result for success.
fn stdout_failed(error: &std::io::Error) -> ! {
    let failure = write_failure(error);
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "error: {failure}");
    if let Some(hint) = &failure.hint {
        let _ = writeln!(stderr, "hint: {hint}");
    }
    std::process::exit(failure.exit_code());
}

impl crate::portal::Observer for Ui {
    fn warn(&self, message: &str) {
        Ui::warn(self, message)
    }

    fn note(&self, message: &str) {
        Ui::note(self, message)
    }

    fn exchange(&self, line: &str) {
        Ui::exchange(self, line)
    }

    fn progress_bar(&self, total: u64, label: &str) -> Option<ProgressBar> {
        Ui::progress_bar(self, total, label)
    }
}

/// A panic is a bug: say so in one line, without a backtrace, and exit 1.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "error: internal error{location}\nhint: this is a bug in b24tel; please report it with the command you ran"
        );
        std::process::exit(1);
    }));
}

/// An ordered result object from key/value pairs.
pub fn fields<const N: usize>(pairs: [(&str, Value); N]) -> Map<String, Value> {
    pairs
        .into_iter()
        .map(|(key, value)| (key.to_string(), value))
        .collect()
}
