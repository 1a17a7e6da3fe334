//! The command line of `newsmark`: subcommands and options (clap), and the
//! dispatch to `cli` (check, export), `nlp` (export, import) and `lsp`.
//! Shared by the binary and the Python package's `newsmark` command.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::cli::{self, Format};
use crate::nlp;

#[derive(Parser)]
#[command(
    name = "newsmark",
    version,
    about = "Check and serve Newsmark: news articles tagged with entities and sources"
)]
pub struct Cli {
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
        /// Write the report to FILE instead of standard output (the summary
        /// still goes to the terminal).
        #[arg(long, value_name = "FILE")]
        output_file: Option<PathBuf>,
        /// Report (and fix) only these codes, on top of the config
        /// (comma-separated; repeatable).
        #[arg(long, value_name = "CODE,…", value_delimiter = ',')]
        select: Vec<String>,
        /// Do not report (or fix) these codes (comma-separated; repeatable).
        #[arg(long, value_name = "CODE,…", value_delimiter = ',')]
        ignore: Vec<String>,
        /// Apply the safe fixes to the files under the PATHs, round after
        /// round, then report what is left.
        #[arg(long)]
        fix: bool,
        /// With --fix or --diff: the unsafe fixes too (they may change whom
        /// the article names; review them).
        #[arg(long)]
        unsafe_fixes: bool,
        /// Print what --fix would change as a unified diff and write
        /// nothing; exit 1 when there is a change.
        #[arg(long)]
        diff: bool,
        /// Hide the diagnostics recorded in this baseline file; report only
        /// new ones.
        #[arg(long, value_name = "FILE")]
        baseline: Option<PathBuf>,
        /// Record the diagnostics of this run in FILE and exit 0.
        #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
        write_baseline: Option<PathBuf>,
        /// Neither read nor write the cache (.newsmark_cache in the root).
        #[arg(long)]
        no_cache: bool,
        /// Keep the cache in DIR (also NEWSMARK_CACHE_DIR).
        #[arg(long, value_name = "DIR")]
        cache_dir: Option<PathBuf>,
        /// Files or folders to report on (default: the whole workspace).
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Export articles: their plain text, JSON lines, or an NLP corpus
    /// format (brat, CoNLL, spaCy/Prodigy, W3C Web Annotation).
    ///
    /// Every format starts from the plain text of spec §8; offsets count
    /// Unicode scalar values. A document with syntax errors is reported on
    /// stderr and skipped (exit code 1). See docs/nlp-export.md.
    Export {
        /// `text`: the plain text of each FILE. `jsonl`: one JSON object per
        /// FILE with its plain text, tags and referenced definitions.
        /// `brat`: a .txt and .ann per article plus annotation.conf and
        /// tools.conf (needs --out DIR). `conll`: BIO, one token per line
        /// (TOKEN START END LABEL). `spacy`: JSON lines for spaCy and
        /// Prodigy. `w3c`: one W3C Web Annotation collection (JSON-LD) per
        /// article, one per line.
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Where to write (brat, conll, spacy, w3c): a folder (an existing
        /// one, or a path ending in `/`) gets one file per article, its path
        /// mirroring the article's path relative to its workspace root; any
        /// other path gets everything in one file. Default: standard output.
        #[arg(long, value_name = "PATH")]
        out: Option<PathBuf>,
        /// NER label of an entity kind for conll and spacy, as KIND=LABEL
        /// (repeatable). Defaults: person=PER, org=ORG, place=LOC, any other
        /// kind MISC. The label O leaves a kind unlabelled.
        #[arg(long = "label", value_name = "KIND=LABEL")]
        labels: Vec<String>,
        /// Articles to export: files, or folders meaning every .nmk article
        /// below them (registry files are skipped). Default for the NLP
        /// formats: the current folder. `text` and `jsonl` take files only.
        #[arg(value_name = "PATH")]
        files: Vec<PathBuf>,
    },
    /// Import an annotated corpus as Newsmark articles.
    ///
    /// `--from brat DIR`: every .txt below DIR with its .ann becomes an .nmk
    /// article under --out (same relative path), its text spans tags; the
    /// entities and sources they name are defined in
    /// OUT/registry/imported.nmk, and OUT/newsmark.toml is created when
    /// missing. The plain text of each article equals its .txt (up to runs
    /// of blank lines). See docs/nlp-export.md.
    Import {
        /// The format to read.
        #[arg(long, value_enum)]
        from: ImportFormat,
        /// The folder to read.
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        /// The folder to write the workspace to.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Run the language server on stdin/stdout (Language Server Protocol).
    ///
    /// Start it from an editor, not by hand: it speaks JSON-RPC on stdin and
    /// stdout and logs to stderr. Each workspace folder is its own
    /// workspace (the nearest folder upwards holding newsmark.toml, else the
    /// folder), indexed in the background with progress reports. The
    /// initialization option `debounceMs` (default 50) sets how long
    /// diagnostics wait for typing to pause.
    Lsp {
        /// Use stdin/stdout (the only transport; accepted because editor
        /// clients such as vscode-languageclient pass it).
        #[arg(long)]
        stdio: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ImportFormat {
    Brat,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Human,
    Json,
    Github,
    Sarif,
    Gitlab,
    Junit,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    Text,
    Jsonl,
    Brat,
    Conll,
    Spacy,
    W3c,
}

/// Parses a command line (the program name first). Help, `--version` and
/// usage errors are printed here and come back as the exit code to return.
pub fn parse<I, T>(args: I) -> Result<Cli, i32>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    Cli::try_parse_from(args).map_err(|e| {
        let _ = e.print();
        if e.use_stderr() { cli::EXIT_USAGE } else { 0 }
    })
}

impl Cli {
    /// True for `newsmark check` (the binary tunes its allocator for it).
    pub fn is_check(&self) -> bool {
        matches!(self.command, Command::Check { .. })
    }
}

/// Parses and runs a command line; returns the exit code. The binary and
/// the Python package's `newsmark` command both come here.
pub fn main_with_args<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    match parse(args) {
        Ok(cli) => run(cli),
        Err(code) => code,
    }
}

/// Runs a parsed command line; returns the exit code.
pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Command::Check {
            root,
            format,
            max_warnings,
            output_file,
            select,
            ignore,
            fix,
            unsafe_fixes,
            diff,
            baseline,
            write_baseline,
            no_cache,
            cache_dir,
            paths,
        } => {
            let format = match format {
                FormatArg::Human => Format::Human,
                FormatArg::Json => Format::Json,
                FormatArg::Github => Format::Github,
                FormatArg::Sarif => Format::Sarif,
                FormatArg::Gitlab => Format::Gitlab,
                FormatArg::Junit => Format::Junit,
            };
            cli::check::run(cli::check::CheckArgs {
                root,
                paths,
                format,
                max_warnings,
                output_file,
                select,
                ignore,
                fix,
                unsafe_fixes,
                diff,
                baseline,
                write_baseline,
                no_cache,
                cache_dir,
            })
        }
        Command::Export { format, out, labels, files } => {
            let nlp_format = match format {
                ExportFormat::Text | ExportFormat::Jsonl => None,
                ExportFormat::Brat => Some(nlp::Format::Brat),
                ExportFormat::Conll => Some(nlp::Format::Conll),
                ExportFormat::Spacy => Some(nlp::Format::Spacy),
                ExportFormat::W3c => Some(nlp::Format::W3c),
            };
            match nlp_format {
                Some(format) => nlp::export(&files, &nlp::ExportOptions { format, out, labels }),
                None if out.is_some() || !labels.is_empty() => {
                    eprintln!("error: --out and --label are for the brat, conll, spacy and w3c formats");
                    cli::EXIT_USAGE
                }
                None if files.is_empty() => {
                    eprintln!("error: give the FILEs to export");
                    cli::EXIT_USAGE
                }
                None if matches!(format, ExportFormat::Text) => cli::export::text(&files),
                None => cli::export::jsonl(&files),
            }
        }
        Command::Import { from: ImportFormat::Brat, dir, out } => nlp::import_brat::import(&dir, &out),
        Command::Lsp { stdio: _ } => crate::lsp::run(),
    }
}
