//! The `newsmark` binary: parses the command line and hands over to the
//! `cli` (check, export), `nlp` (import) and `lsp` modules.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use newsmark::cli::{self, Format};

#[derive(Parser)]
#[command(
    name = "newsmark",
    version,
    about = "Check and serve Newsmark: news articles tagged with entities and sources"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a workspace: report every diagnostic of the files under PATHs.
    ///
    /// Loads the whole workspace (the nearest folder upwards holding
    /// newsmark.toml, or --root), so that references resolve across files,
    /// then reports the files under the given PATHs (default: all).
    /// Exit code 0: no error; 1: at least one error (or more warnings than
    /// --max-warnings); 2: usage or config failure, or a PATH that does not
    /// exist.
    Check {
        /// The workspace root (default: the nearest folder upwards from the
        /// current one that holds newsmark.toml, else the current folder).
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = FormatArg::Human)]
        format: FormatArg,
        /// Also exit 1 when there are more than N warnings.
        #[arg(long, value_name = "N")]
        max_warnings: Option<usize>,
        /// Files or folders to report on (default: the whole workspace).
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Export documents: their plain text, or JSON lines with tags and the
    /// definitions they reference.
    Export {
        /// `text`: the plain text of one FILE (spec §8). `jsonl`: one JSON
        /// object per FILE with its plain text, its tags (offsets in Unicode
        /// scalar values) and the definitions they reference.
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Newsmark files to export.
        #[arg(value_name = "FILE", required = true)]
        files: Vec<PathBuf>,
    },
    /// Run the language server on stdin/stdout (Language Server Protocol).
    ///
    /// Start it from an editor, not by hand: it speaks JSON-RPC on stdin and
    /// stdout and logs to stderr. Each workspace folder is its own
    /// workspace (the nearest folder upwards holding newsmark.toml, else the
    /// folder), indexed in the background with progress reports. The
    /// initialization option `debounceMs` (default 50) sets how long
    /// diagnostics wait for typing to pause.
    Lsp,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Human,
    Json,
    Github,
    Sarif,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    Text,
    Jsonl,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { cli::EXIT_USAGE as u8 } else { 0 });
        }
    };
    let code = match cli.command {
        Command::Check { root, format, max_warnings, paths } => {
            let format = match format {
                FormatArg::Human => Format::Human,
                FormatArg::Json => Format::Json,
                FormatArg::Github => Format::Github,
                FormatArg::Sarif => Format::Sarif,
            };
            cli::check::run(cli::check::CheckArgs { root, paths, format, max_warnings })
        }
        Command::Export { format, files } => match format {
            ExportFormat::Text => cli::export::text(&files),
            ExportFormat::Jsonl => cli::export::jsonl(&files),
        },
        Command::Lsp => newsmark::lsp::run(),
    };
    ExitCode::from(code.clamp(0, 255) as u8)
}
