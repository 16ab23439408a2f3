//! The clap tree: global flags and the subcommand enum. Each subcommand's own
//! flags live beside its code in `commands/`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::commands;

#[derive(Debug, Parser)]
#[command(
    name = "b24tel",
    version,
    about = "Attach call recordings and transcripts to completed calls in a Bitrix24 portal",
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Profile in the config file
    #[arg(
        short = 'p',
        long,
        env = "B24TEL_PROFILE",
        global = true,
        value_name = "NAME"
    )]
    pub profile: Option<String>,

    /// Config file [default: <config dir>/b24tel/config.toml]
    #[arg(long, env = "B24TEL_CONFIG", global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Inbound webhook URL https://PORTAL/rest/USER_ID/CODE/; overrides the profile
    #[arg(
        long,
        env = "B24TEL_WEBHOOK",
        global = true,
        value_name = "URL",
        hide_env_values = true
    )]
    pub webhook: Option<String>,

    /// Output format [default: table on a terminal, json otherwise]
    #[arg(short = 'o', long, env = "B24TEL_OUTPUT", global = true, value_enum)]
    pub output: Option<OutputFormat>,

    /// No progress bar, no warnings
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// One line per HTTP exchange on stderr
    #[arg(short, long, global = true)]
    pub verbose: bool,

    /// Validate everything and print the request that would be sent; send nothing
    #[arg(long, global = true)]
    pub dry_run: bool,

    /// Give up on a request that makes no progress for this long [default: 60]
    #[arg(long, global = true, value_name = "SECS")]
    pub timeout: Option<u64>,

    /// Retries for retryable failures [default: 3]
    #[arg(long, global = true, value_name = "N")]
    pub retries: Option<u32>,
}

pub use crate::output::OutputFormat;

impl Cli {
    /// `Cli::parse`, except that a usage line after a mistake does not show the
    /// globals the environment set (B24TEL_PROFILE=x made `--profile <NAME>` look required).
    pub fn parse_args() -> Cli {
        use clap::{CommandFactory, FromArgMatches};
        let parsed = Cli::command()
            .try_get_matches()
            .and_then(|matches| Cli::from_arg_matches(&matches));
        match parsed {
            Ok(cli) => cli,
            Err(error) => quiet_env_usage(error).exit(),
        }
    }
}

/// The same parse again with the env-set globals hidden, for its usage line only.
fn quiet_env_usage(error: clap::Error) -> clap::Error {
    use clap::error::ErrorKind;
    use clap::CommandFactory;
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        return error;
    }
    let mut cmd = Cli::command();
    for (id, var) in [
        ("profile", "B24TEL_PROFILE"),
        ("config", "B24TEL_CONFIG"),
        ("webhook", "B24TEL_WEBHOOK"),
        ("output", "B24TEL_OUTPUT"),
    ] {
        if std::env::var_os(var).is_some() {
            cmd = cmd.mut_arg(id, |arg| arg.hide(true));
        }
    }
    match cmd.try_get_matches() {
        Err(again) if again.kind() == error.kind() => again,
        _ => error,
    }
}

/// The settings flags, for `config` (which does not know the parser).
impl From<&GlobalArgs> for crate::config::Overrides {
    fn from(global: &GlobalArgs) -> Self {
        crate::config::Overrides {
            config: global.config.clone(),
            profile: global.profile.clone(),
            webhook: global.webhook.clone(),
            timeout: global.timeout,
            retries: global.retries,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Attach call recordings
    #[command(subcommand)]
    Record(commands::record::Cmd),
    /// Attach conversation transcripts
    #[command(subcommand)]
    Transcript(commands::transcript::Cmd),
    /// Attach every recording and transcript listed in a manifest (for cron; re-runnable)
    Batch(commands::batch::Cmd),
    /// Register, finish and look up calls (telephony.externalCall.*, voximplant.statistic.get)
    #[command(subcommand)]
    Call(commands::call::Cmd),
    /// Check a portal's whole telephony path: register, finish, attach, read back
    Smoke(commands::smoke::Cmd),
    /// Manage the config file and its profiles
    #[command(subcommand)]
    Config(commands::config::Cmd),
    /// Sign an OAuth app profile in once; unattended runs then refresh its tokens
    #[command(subcommand)]
    Auth(commands::auth::Cmd),
    /// Check the config, the connection, the clock, authentication, the telephony scope and call statistics
    Doctor,
    /// Run a local stand-in portal for trying b24tel and testing scripts
    Sandbox(commands::sandbox::Cmd),
    /// Run `smoke` against a built-in sandbox portal, then show the commands to do it by hand
    Demo,
    /// Print a shell completion script
    Completions(commands::completions::Cmd),
    /// Print the man page, or write every command's page into a folder
    Man(commands::man::Cmd),
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }

    /// Flags of other programs that hints quote (curl in the sandbox's how-to).
    const OTHER_TOOLS: &[&str] = &["--cacert"];

    /// The commands whose errors a source file's hints end up in; `None`: any command.
    fn printed_by(file: &str) -> Option<&'static [&'static str]> {
        let table: &[(&str, &[&str])] = &[
            (
                "src/record/",
                &["record attach", "record upload-url", "batch"],
            ),
            ("src/commands/record.rs", &["record"]),
            ("src/batch/", &["batch"]),
            ("src/commands/batch.rs", &["batch"]),
            ("src/transcript/", &["transcript", "batch"]),
            ("src/commands/transcript.rs", &["transcript"]),
            ("src/commands/config.rs", &["config init"]),
            ("src/commands/auth.rs", &["auth"]),
            ("src/commands/sandbox.rs", &["sandbox"]),
            ("src/sandbox/", &["sandbox"]),
            ("src/commands/man.rs", &["man"]),
        ];
        table
            .iter()
            .find(|(prefix, _)| file.starts_with(prefix))
            .map(|(_, commands)| *commands)
    }

    /// Every `--flag` of `cmd` and its subcommands, with the global ones.
    fn flags_under(cmd: &clap::Command, into: &mut std::collections::BTreeSet<String>) {
        for arg in cmd.get_arguments() {
            if let Some(long) = arg.get_long() {
                into.insert(format!("--{long}"));
            }
        }
        into.extend(["--help".to_string(), "--version".to_string()]);
        for sub in cmd.get_subcommands() {
            flags_under(sub, into);
        }
    }

    fn find<'a>(root: &'a clap::Command, path: &str) -> &'a clap::Command {
        path.split(' ').fold(root, |cmd, name| {
            cmd.find_subcommand(name)
                .unwrap_or_else(|| panic!("no command `{path}`"))
        })
    }

    /// The text of string literals and doc comments, outside `#[cfg(test)]` code.
    fn texts(source: &str) -> Vec<(usize, String)> {
        let source = source.split("#[cfg(test)]").next().unwrap_or("");
        let chars: Vec<char> = source.chars().collect();
        let (mut out, mut line, mut i) = (Vec::new(), 1, 0);
        while i < chars.len() {
            let c = chars[i];
            let rest: String = chars[i..(i + 4).min(chars.len())].iter().collect();
            if c == '\n' {
                line += 1;
                i += 1;
            } else if rest.starts_with("'\"'") || rest.starts_with("'\\\"") {
                i += if rest.starts_with("'\"'") { 3 } else { 4 };
            } else if rest.starts_with("//") {
                let end = chars[i..]
                    .iter()
                    .position(|&c| c == '\n')
                    .map_or(chars.len(), |n| i + n);
                if rest.starts_with("///") || rest.starts_with("//!") {
                    out.push((line, chars[i..end].iter().collect()));
                }
                i = end;
            } else if c == '"' || (c == 'r' && (rest.starts_with("r\"") || rest.starts_with("r#")))
            {
                let hashes = if c == 'r' {
                    chars[i + 1..].iter().take_while(|&&c| c == '#').count()
                } else {
                    0
                };
                let start = if c == 'r' { i + 2 + hashes } else { i + 1 };
                let raw = c == 'r';
                let mut j = start;
                while j < chars.len() {
                    if !raw && chars[j] == '\\' {
                        j += 2;
                        continue;
                    }
                    if chars[j] == '"'
                        && chars[j + 1..]
                            .iter()
                            .take(hashes)
                            .filter(|&&c| c == '#')
                            .count()
                            == hashes
                    {
                        break;
                    }
                    j += 1;
                }
                let text: String = chars[start..j.min(chars.len())].iter().collect();
                out.push((line, text.clone()));
                line += text.matches('\n').count();
                i = j + 1 + hashes;
            } else if c.is_alphanumeric() || c == '_' {
                // Skip the rest of an identifier, so `attr"` or `br"` is never a literal start.
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
            } else {
                i += 1;
            }
        }
        out
    }

    fn named_flags(text: &str) -> Vec<String> {
        let mut flags = Vec::new();
        let bytes = text.as_bytes();
        let mut i = 0;
        while let Some(at) = text[i..].find("--") {
            let start = i + at;
            let before = start.checked_sub(1).map(|b| bytes[b]);
            let mut end = start + 2;
            while end < bytes.len()
                && (bytes[end].is_ascii_lowercase()
                    || bytes[end].is_ascii_digit()
                    || bytes[end] == b'-')
            {
                end += 1;
            }
            let flag = text[start..end].trim_end_matches('-');
            // `--highlight_words` is another program's flag.
            let word_start = before.is_none_or(|b| !b.is_ascii_alphanumeric() && b != b'-')
                && bytes.get(end) != Some(&b'_');
            if word_start && flag.len() > 2 && bytes[start + 2].is_ascii_lowercase() {
                flags.push(flag.to_string());
            }
            i = end.max(start + 2);
        }
        flags
    }

    /// Every `--flag` a hint, error or help text names exists, and on the command
    /// that prints it (issue 15: `upload-url` said "pass --no-sniff" and rejected it).
    #[test]
    fn every_flag_a_hint_names_exists_where_it_is_printed() {
        let root = Cli::command();
        let mut anywhere = std::collections::BTreeSet::new();
        flags_under(&root, &mut anywhere);
        let mut global = std::collections::BTreeSet::new();
        for arg in root.get_arguments() {
            if let Some(long) = arg.get_long() {
                global.insert(format!("--{long}"));
            }
        }
        let mut wrong = Vec::new();
        let mut checked = 0;
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut stack = vec![dir.join("src")];
        while let Some(folder) = stack.pop() {
            for entry in std::fs::read_dir(&folder).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                if !name.ends_with(".rs") || name.ends_with("tests.rs") {
                    continue;
                }
                let file = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                let source = std::fs::read_to_string(&path).unwrap();
                for (line, text) in texts(&source) {
                    for flag in named_flags(&text) {
                        if OTHER_TOOLS.contains(&flag.as_str()) {
                            continue;
                        }
                        checked += 1;
                        let fits = match printed_by(&file) {
                            _ if global.contains(&flag) => true,
                            None => anywhere.contains(&flag),
                            Some(commands) => commands.iter().any(|path| {
                                let mut own = std::collections::BTreeSet::new();
                                flags_under(find(&root, path), &mut own);
                                own.contains(&flag)
                            }),
                        };
                        if !fits {
                            wrong.push(format!("{file}:{line}: {flag} in {text:?}"));
                        }
                    }
                }
            }
        }
        assert!(checked > 100, "the scan found only {checked} flags");
        assert!(
            wrong.is_empty(),
            "hints naming a flag their command lacks:\n{}",
            wrong.join("\n")
        );
    }

    /// The ones a new user meets first, on the exact command.
    #[test]
    fn the_known_hint_flags_are_on_their_command() {
        let root = Cli::command();
        for (path, flag) in [
            ("record upload-url", "--no-sniff"),
            ("record attach", "--no-sniff"),
            ("record attach", "--filename"),
            ("record attach", "--convert"),
            ("record attach", "--file"),
            ("record attach", "--wait-for-call"),
            ("config init", "--force"),
            ("batch", "--give-up-after"),
            ("transcript attach", "--format"),
            ("transcript attach", "--encoding"),
            ("sandbox", "--addr"),
        ] {
            let mut own = std::collections::BTreeSet::new();
            flags_under(find(&root, path), &mut own);
            assert!(own.contains(flag), "`b24tel {path}` lacks {flag}");
        }
    }
}
