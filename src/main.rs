//! b24tel: attach call recordings and transcripts to completed calls in Bitrix24.

mod batch;
mod call;
mod cli;
mod commands;
mod config;
mod failure;
mod input;
mod output;
mod portal;
mod record;
mod sandbox;
mod secret;
mod transcript;

fn main() {
    output::install_panic_hook();
    let cli = cli::Cli::parse_args();
    let ui = output::Ui::new(cli.global.output, cli.global.quiet, cli.global.verbose);
    let code = match commands::run(cli, &ui) {
        Ok(()) => 0,
        Err(error) => ui.report(&failure::from_anyhow(&error)),
    };
    std::process::exit(code);
}
