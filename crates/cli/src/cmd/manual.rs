//! `warden completions SHELL` and `warden man`: the shell completions and man pages of this
//! very binary, generated from its clap definition so they never drift from the flags.
//!
//! The package build (`scripts/package.sh`) runs both and installs the output to the
//! standard places (`/usr/share/bash-completion/completions/warden`,
//! `/usr/share/zsh/vendor-completions/_warden`,
//! `/usr/share/fish/vendor_completions.d/warden.fish`, `/usr/share/man/man1/`); nothing
//! generated is committed. Left out: PowerShell and Elvish completions (no package
//! installs them).

use std::io::Write;
use std::path::PathBuf;

use clap::{Command, ValueEnum};
use clap_complete::Shell;

use crate::exit::{CmdResult, Failure};

/// The shells whose completion files a package installs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
}

impl From<CompletionShell> for Shell {
    fn from(s: CompletionShell) -> Self {
        match s {
            CompletionShell::Bash => Shell::Bash,
            CompletionShell::Zsh => Shell::Zsh,
            CompletionShell::Fish => Shell::Fish,
        }
    }
}

/// Flags of `warden completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: CompletionShell,
}

/// Flags of `warden man`.
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write warden.1 and one page per subcommand (warden-key.1, warden-key-new.1, …) into
    /// DIR instead of printing warden.1.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Writes the completion script for `args.shell` to stdout.
pub fn completions(mut cli: Command, args: CompletionsArgs) -> CmdResult {
    let mut out = Vec::new();
    clap_complete::generate(Shell::from(args.shell), &mut cli, "warden", &mut out);
    write_stdout(&out)
}

/// Prints warden.1, or writes every page into `--dir`.
pub fn man(cli: Command, args: ManArgs) -> CmdResult {
    match args.dir {
        Some(dir) => {
            std::fs::create_dir_all(&dir)
                .map_err(|e| Failure::refused(format!("cannot create {}: {e}", dir.display())))?;
            clap_mangen::generate_to(cli, &dir)
                .map_err(|e| Failure::refused(format!("cannot write the man pages into {}: {e}", dir.display())))
        }
        None => {
            let mut out = Vec::new();
            clap_mangen::Man::new(cli)
                .render(&mut out)
                .map_err(|e| Failure::refused(format!("cannot render the man page: {e}")))?;
            write_stdout(&out)
        }
    }
}

fn write_stdout(bytes: &[u8]) -> CmdResult {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .map_err(|e| Failure::refused(format!("cannot write to stdout: {e}")))
}
