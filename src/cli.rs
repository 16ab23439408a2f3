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
}
