//! `ovation completions SHELL` and `ovation man`: shell completion scripts (clap_complete) and
//! the manual page in roff (clap_mangen), both generated from the clap definitions, so they
//! never fall behind the commands.

use std::io::Write;

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use crate::cli::Cli;

/// Arguments of `ovation completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell. Install with, e.g.,
    /// `ovation completions bash > ~/.local/share/bash-completion/completions/ovation`,
    /// `ovation completions zsh > ~/.zfunc/_ovation` or
    /// `ovation completions fish > ~/.config/fish/completions/ovation.fish`.
    pub shell: Shell,
}

/// Prints the completion script of `args.shell` to standard output.
pub fn completions(args: CompletionsArgs) -> anyhow::Result<i32> {
    let mut cmd = Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut cmd, "ovation", &mut out);
    out.flush()?;
    Ok(0)
}

/// Prints the manual page (roff) to standard output: `ovation man > ovation.1`, then
/// `man ./ovation.1`. Each subcommand's options are listed under its own heading.
pub fn man() -> anyhow::Result<i32> {
    let cmd = Cli::command();
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut page)?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("ovation {}", sub.get_name());
        writeln!(page, ".SH \"{}\"", name.to_uppercase())?;
        let man = clap_mangen::Man::new(sub.clone().bin_name(name));
        man.render_synopsis_section(&mut page)?;
        man.render_description_section(&mut page)?;
        man.render_options_section(&mut page)?;
        if sub.has_subcommands() {
            man.render_subcommands_section(&mut page)?;
        }
    }
    let mut out = std::io::stdout().lock();
    out.write_all(&page)?;
    out.flush()?;
    Ok(0)
}
