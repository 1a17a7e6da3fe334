//! `newsmark check` on hostile trees never panics, never hangs and always
//! exits 0, 1 or 2: invalid UTF-8, NUL bytes, a 50 MB file, a million nested
//! `[`, a 1 MB line (non-ASCII), symlink loops, links out of the workspace,
//! an unreadable file, a FIFO named `x.nmk`, a folder named `y.nmk`, broken
//! or odd `newsmark.toml` files. Each case runs on its own copy of
//! examples/newsroom, under a deadline, then all faults at once.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::newsroom::temp_newsroom;

const DEADLINE: Duration = Duration::from_secs(60);

fn newsroom() -> (tempfile::TempDir, PathBuf) {
    temp_newsroom()
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `newsmark check` in `root` with `args`; fails the test if it does
/// not end within the deadline (a hang) or ends by a signal.
fn check(root: &Path, args: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let (out_path, err_path) = (dir.path().join("out"), dir.path().join("err"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_newsmark"))
        .arg("check")
        .args(args)
        .current_dir(root)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`check {args:?}` in {} did not end within {DEADLINE:?}", root.display());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = String::from_utf8_lossy(&std::fs::read(&out_path).unwrap()).into_owned();
    let stderr = String::from_utf8_lossy(&std::fs::read(&err_path).unwrap()).into_owned();
    let code = status.code().unwrap_or_else(|| panic!("`check {args:?}` ended by a signal: {status:?}\n{stderr}"));
    Run { code, stdout, stderr }
}

/// Every format exits 0, 1 or 2 with no panic; returns the JSON run.
#[track_caller]
fn assert_sane(root: &Path, what: &str) -> Run {
    assert_sane_in(root, what, &["json", "human", "sarif", "github", "gitlab", "junit"])
}

/// `assert_sane` for some formats (big inputs: each run reads them again).
#[track_caller]
fn assert_sane_in(root: &Path, what: &str, formats: &[&str]) -> Run {
    let mut json = None;
    for &format in formats {
        let run = check(root, &["--format", format]);
        assert!(matches!(run.code, 0..=2), "{what} ({format}): exit {}\n{}", run.code, run.stderr);
        assert!(!run.stderr.contains("panicked"), "{what} ({format}): {}", run.stderr);
        if format == "json" {
            json = Some(run);
        }
    }
    json.unwrap()
}

fn has_code(run: &Run, file: &str, code: &str) -> bool {
    run.stdout
        .lines()
        .any(|l| l.contains(&format!("\"file\":\"{file}\"")) && l.contains(&format!("\"code\":\"{code}\"")))
}

#[test]
fn invalid_utf8_and_nul_bytes() {
    let (_d, root) = newsroom();
    std::fs::write(root.join("articles/bad.nmk"), b"[Mr. Xi]{@xi-jinping} \xff\xfe\xc3\x28").unwrap();
    std::fs::write(root.join("articles/nul.nmk"), b"\0[Mr. Xi]\0{@xi-jinping}\0\n\0").unwrap();
    let run = assert_sane(&root, "invalid UTF-8 and NUL bytes");
    assert_eq!(run.code, 1, "an unreadable file is an error: {}", run.stdout);
    assert!(has_code(&run, "articles/bad.nmk", "unreadable"), "{}", run.stdout);
}

#[test]
fn a_50_mb_file() {
    let (_d, root) = newsroom();
    let line = "The deputy [Alejandro Mayorkas]{@alejandro-mayorkas} went to the capital and met officials.\n";
    std::fs::write(root.join("articles/big.nmk"), line.repeat((50 << 20) / line.len() + 1)).unwrap();
    // One format only: each run reads and checks the 50 MB again.
    let run = check(&root, &["--format", "json"]);
    assert!(matches!(run.code, 0..=2), "exit {}: {}", run.code, run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn a_million_nested_brackets_and_a_1_mb_line() {
    let (_d, root) = newsroom();
    std::fs::write(root.join("articles/open.nmk"), "[".repeat(1_000_000)).unwrap();
    let balanced = format!("{}[Mr. Xi]{{@xi-jinping}}{}\n", "[".repeat(1_000_000), "]".repeat(1_000_000));
    std::fs::write(root.join("articles/balanced.nmk"), balanced).unwrap();
    // Non-ASCII, every tag undefined: tens of thousands of diagnostics on
    // one line (their columns used to cost a scan from the line's start).
    let unit = "[Mr. Zz]{@zz-nobody} said é 😀 ";
    std::fs::write(root.join("articles/line.nmk"), unit.repeat((1 << 20) / unit.len() + 1)).unwrap();
    // Human draws source lines (it was quadratic on the long line); JSON
    // is the reference.
    let run = assert_sane_in(&root, "nesting and a long line", &["json", "human"]);
    assert_eq!(run.code, 1);
    assert!(has_code(&run, "articles/line.nmk", "undefined-reference"));
}

#[test]
fn symlink_loops_and_links_out_of_the_workspace() {
    let (dir, root) = newsroom();
    let arts = root.join("articles");
    std::os::unix::fs::symlink(arts.join("self.nmk"), arts.join("self.nmk")).unwrap();
    std::os::unix::fs::symlink(arts.join("b.nmk"), arts.join("a.nmk")).unwrap();
    std::os::unix::fs::symlink(arts.join("a.nmk"), arts.join("b.nmk")).unwrap();
    std::os::unix::fs::symlink(&root, arts.join("up")).unwrap();
    let outside = dir.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("secret.nmk"), "@secret-agent: person \"Secret Agent\"\n").unwrap();
    std::os::unix::fs::symlink(outside.join("secret.nmk"), arts.join("leak.nmk")).unwrap();
    std::os::unix::fs::symlink(&outside, arts.join("ext")).unwrap();
    std::fs::write(arts.join("uses.nmk"), "[Agent]{@secret-agent} spoke.\n").unwrap();
    let run = assert_sane(&root, "symlinks");
    assert!(has_code(&run, "articles/self.nmk", "unreadable"), "{}", run.stdout);
    assert!(has_code(&run, "articles/uses.nmk", "undefined-reference"), "the link out was followed: {}", run.stdout);
    assert!(!run.stdout.contains("secret.nmk"), "{}", run.stdout);
}

#[test]
fn an_unreadable_file() {
    use std::os::unix::fs::PermissionsExt;
    let (_d, root) = newsroom();
    let p = root.join("articles/locked.nmk");
    std::fs::write(&p, "[Mr. Xi]{@xi-jinping}\n").unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    let locked_folder = root.join("locked");
    std::fs::create_dir(&locked_folder).unwrap();
    std::fs::write(locked_folder.join("in.nmk"), "x\n").unwrap();
    std::fs::set_permissions(&locked_folder, std::fs::Permissions::from_mode(0o000)).unwrap();
    let enforced = std::fs::File::open(&p).is_err();
    let run = assert_sane(&root, "an unreadable file");
    std::fs::set_permissions(&locked_folder, std::fs::Permissions::from_mode(0o755)).unwrap();
    if enforced {
        assert_eq!(run.code, 1);
        assert!(has_code(&run, "articles/locked.nmk", "unreadable"), "{}", run.stdout);
    } else {
        // As root, permissions do not stop reads: the file is checked.
        assert!(!has_code(&run, "articles/locked.nmk", "unreadable"), "{}", run.stdout);
    }
}

#[test]
fn a_fifo_and_a_folder_named_like_articles() {
    let (_d, root) = newsroom();
    let fifo = root.join("articles/x.nmk");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    std::os::unix::fs::symlink(&fifo, root.join("articles/to-fifo.nmk")).unwrap();
    std::fs::create_dir(root.join("articles/y.nmk")).unwrap();
    std::fs::write(root.join("articles/y.nmk/inner.nmk"), "[Mr. Xi]{@xi-jinping}\n").unwrap();
    let run = assert_sane(&root, "a FIFO and a folder");
    assert!(run.stdout.contains("articles/y.nmk/inner.nmk") || run.code == 0, "{}", run.stdout);
    // Named on the command line, and as the root.
    for args in [&["articles/x.nmk"][..], &["articles/y.nmk"], &["--root", "articles/x.nmk"]] {
        let run = check(&root, args);
        assert!(matches!(run.code, 0..=2), "{args:?}: exit {}", run.code);
        assert!(!run.stderr.contains("panicked"), "{args:?}: {}", run.stderr);
    }
}

#[test]
fn broken_and_odd_configs() {
    for (what, setup) in [
        (
            "invalid TOML",
            (|root: &Path| std::fs::write(root.join("newsmark.toml"), "[lint\nx = ").unwrap()) as fn(&Path),
        ),
        ("an unknown key", |root| std::fs::write(root.join("newsmark.toml"), "[lint]\nno-such-key = 1\n").unwrap()),
        ("a wrong type", |root| {
            std::fs::write(root.join("newsmark.toml"), "[lint]\nrequired-front-matter = 7\n").unwrap()
        }),
        ("bad globs", |root| std::fs::write(root.join("newsmark.toml"), "exclude = [\"[\", \"**/{\"]\n").unwrap()),
        ("not UTF-8", |root| std::fs::write(root.join("newsmark.toml"), b"[lint]\n\xff\xfe\0").unwrap()),
        ("NUL bytes", |root| std::fs::write(root.join("newsmark.toml"), b"\0\0\0").unwrap()),
        ("a folder", |root| {
            std::fs::remove_file(root.join("newsmark.toml")).unwrap();
            std::fs::create_dir(root.join("newsmark.toml")).unwrap();
        }),
        ("a FIFO", |root| {
            std::fs::remove_file(root.join("newsmark.toml")).unwrap();
            assert!(Command::new("mkfifo").arg(root.join("newsmark.toml")).status().unwrap().success());
        }),
        ("a broken nested config", |root| {
            std::fs::create_dir(root.join("articles/desk")).unwrap();
            std::fs::write(root.join("articles/desk/newsmark.toml"), "= = =").unwrap();
        }),
        ("a nested FIFO config", |root| {
            std::fs::create_dir(root.join("articles/desk")).unwrap();
            assert!(Command::new("mkfifo").arg(root.join("articles/desk/newsmark.toml")).status().unwrap().success());
        }),
    ] {
        let (_d, root) = newsroom();
        setup(&root);
        // `--root` names the folder, whatever its config is.
        let run = check(&root, &["--root", ".", "--format", "json"]);
        assert!(matches!(run.code, 0..=2), "{what}: exit {}\n{}", run.code, run.stderr);
        assert!(!run.stderr.contains("panicked"), "{what}: {}", run.stderr);
        if what != "a folder" && what != "a FIFO" && what != "a nested FIFO config" {
            assert_eq!(run.code, 2, "{what}: a broken config is a usage failure: {}", run.stderr);
        }
        let run = check(&root, &["--format", "json"]);
        assert!(matches!(run.code, 0..=2), "{what}: exit {}\n{}", run.code, run.stderr);
        assert!(!run.stderr.contains("panicked"), "{what}: {}", run.stderr);
    }
}

#[test]
fn all_faults_at_once() {
    let (dir, root) = newsroom();
    let arts = root.join("articles");
    std::fs::write(arts.join("bad.nmk"), b"\xff\xfe\0\0[[[{@").unwrap();
    // Smaller than in the cases above: here the mix matters, not the size.
    std::fs::write(arts.join("deep.nmk"), "[".repeat(100_000)).unwrap();
    std::fs::write(arts.join("line.nmk"), "é [x]{@y} ".repeat(5_000)).unwrap();
    std::os::unix::fs::symlink(arts.join("loop.nmk"), arts.join("loop.nmk")).unwrap();
    std::os::unix::fs::symlink(dir.path(), arts.join("out")).unwrap();
    assert!(Command::new("mkfifo").arg(arts.join("x.nmk")).status().unwrap().success());
    std::fs::create_dir(arts.join("y.nmk")).unwrap();
    let run = assert_sane(&root, "all faults");
    assert_eq!(run.code, 1, "{}", run.stderr);
}
