//! One module per subcommand; this file only dispatches.

pub mod auth;
pub mod batch;
pub mod call;
pub mod completions;
pub mod config;
pub mod demo;
pub mod doctor;
pub mod man;
pub mod record;
pub mod sandbox;
pub mod smoke;
pub mod transcript;

use crate::cli::{Cli, Command};
use crate::output::Ui;

pub fn run(cli: Cli, ui: &Ui) -> anyhow::Result<()> {
    let global = cli.global;
    match cli.command {
        Command::Config(cmd) => config::run(cmd, &global, ui),
        Command::Auth(cmd) => auth::run(cmd, &global, ui),
        Command::Record(cmd) => record::run(cmd, &global, ui),
        Command::Transcript(cmd) => transcript::run(cmd, &global, ui),
        Command::Batch(cmd) => batch::run(cmd, &global, ui),
        Command::Call(cmd) => call::run(cmd, &global, ui),
        Command::Smoke(cmd) => smoke::run(cmd, &global, ui),
        Command::Demo => demo::run(ui),
        Command::Doctor => doctor::run(&global, ui),
        Command::Completions(cmd) => completions::run(cmd),
        Command::Man(cmd) => man::run(cmd),
        Command::Sandbox(cmd) => sandbox::run(cmd, ui),
    }
}

/// Loads the config file, warning when others can read it (it holds secrets).
pub fn load_config(
    path: &std::path::Path,
    ui: &Ui,
) -> Result<crate::config::Loaded, crate::failure::Failure> {
    let loaded = crate::config::load(path)?;
    if loaded.readable_by_others {
        ui.warn(&format!(
            "config file {} is readable by other users and holds secrets; run: chmod 600 {}",
            path.display(),
            path.display()
        ));
    }
    Ok(loaded)
}

/// The settings this run talks to the portal with.
pub fn profile(
    global: &crate::cli::GlobalArgs,
    ui: &Ui,
) -> Result<crate::config::Profile, crate::failure::Failure> {
    let path = crate::config::config_path(global)?;
    let loaded = load_config(&path, ui)?;
    crate::config::resolve(global, &loaded)
}
