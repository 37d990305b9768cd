//! `cargo xtask conformance --specs DIR`: the generator measured on any
//! folder of specs by the specs' own examples.
//!
//! Each service folder under DIR (one api-version, as `codegen --specs`
//! takes it) is generated into a crate of one cargo workspace, so the
//! dependencies build once for all of them and cargo spreads the crates
//! over every core. Then each crate's replay tests run (ignored ones too:
//! those of examples the JSON Schema check found wrong), its doc tests
//! run, and clippy counts its findings. Every failed replay gets one cause:
//! the harness's (`request-mismatch`, `response-loss`, `decode-error`,
//! `long-running`, `unsupported`), or `bad-example` when the independent
//! check found the example wrong in the part that failed.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use serde::Serialize;

use crate::codegen::{self, Settings};
use crate::ir::ExampleFinding;

/// Set in the environment of the cargo runs: the file the rustc wrapper
/// (this binary, see [`time_rustc`]) appends each compilation's seconds to.
pub const TIMINGS_ENV: &str = "AZUREML_MMS_RUSTC_TIMINGS";

/// What to measure, and where to work.
#[derive(Debug, Clone)]
pub struct Options {
    pub specs: PathBuf,
    /// Folder of the generated crates, their workspace and its target.
    pub work: PathBuf,
    /// Service folders to measure (all when empty).
    pub only: Vec<String>,
    /// The repository's `Cargo.lock`, to start the workspace's from.
    pub lock: Option<PathBuf>,
    /// Cargo's target folder for the crates (`work/target` by default).
    pub target: Option<PathBuf>,
    /// `specs` is one service folder, not a folder of them.
    pub whole: bool,
    /// The rustc wrapper timing each compilation: `cargo xtask` itself
    /// (see [`time_rustc`]); without it, build seconds are not known.
    pub wrapper: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub folders: Vec<FolderReport>,
    pub totals: Totals,
    /// Seconds for the whole run, and for its shared steps.
    pub seconds: f64,
    pub build_seconds: f64,
    pub clippy_seconds: f64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Totals {
    pub folders: usize,
    pub operations: usize,
    pub examples: usize,
    pub passed: usize,
    pub failed: BTreeMap<String, usize>,
    pub clippy_findings: usize,
    pub doc_test_failures: usize,
    pub doc_warnings: usize,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct FolderReport {
    pub folder: String,
    pub crate_name: String,
    /// The client types of the crate.
    pub clients: Vec<String>,
    pub operations: usize,
    pub examples: usize,
    pub passed: usize,
    /// Failed replays by cause.
    pub failed: BTreeMap<String, usize>,
    pub clippy_findings: usize,
    pub doc_test_failures: usize,
    /// Warnings of `cargo doc` on the crate.
    pub doc_warnings: usize,
    /// The method taking the most arguments, and how many.
    pub longest_signature: String,
    /// Places the generator kept as `serde_json::Value`, by kind.
    pub untyped: BTreeMap<String, usize>,
    /// Generation, this crate's compilation, its tests and doc tests.
    pub seconds: f64,
    pub build_seconds: f64,
    /// Warnings of the generator (examples skipped or trimmed).
    pub warnings: Vec<String>,
    /// Why nothing could be measured, when that is so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub failures: Vec<FailureReport>,
    /// Every example the JSON Schema check found wrong, with its reasons.
    pub bad_examples: Vec<BadExample>,
    /// The first lines of each clippy finding.
    pub clippy: Vec<String>,
    /// The first lines of each `cargo doc` warning.
    pub doc: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FailureReport {
    pub test: String,
    pub operation: String,
    pub example: String,
    pub file: String,
    pub cause: String,
    pub part: String,
    pub message: String,
    /// Where in the example each difference is (JSON pointers).
    pub pointers: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BadExample {
    pub operation: String,
    pub example: String,
    pub file: String,
    pub findings: Vec<ExampleFinding>,
}

/// One example's test, as the run knows it before running.
struct Planned {
    test: String,
    operation: String,
    example: String,
    file: String,
    findings: Vec<ExampleFinding>,
}

struct Generated {
    report: FolderReport,
    planned: Vec<Planned>,
    generate_seconds: f64,
}

pub fn run(options: &Options) -> Result<Report, String> {
    let started = Instant::now();
    let folders = if options.whole {
        let name = options
            .specs
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "specs".to_string());
        vec![(name, options.specs.clone())]
    } else {
        service_folders(&options.specs, &options.only)?
    };
    let cargo = Cargo {
        work: options.work.clone(),
        target: options
            .target
            .clone()
            .unwrap_or_else(|| options.work.join("target")),
        timings: options.work.join("rustc-timings.tsv"),
        wrapper: options.wrapper.clone(),
    };
    let crates_dir = options.work.join("crates");
    std::fs::create_dir_all(&crates_dir).map_err(|e| format!("{}: {e}", crates_dir.display()))?;
    let total = folders.len();

    // 1. Generate every crate.
    let mut generated = Vec::new();
    let mut used_names = crate::naming::Namespace::new();
    for (i, (name, path)) in folders.iter().enumerate() {
        progress(&format!("[{}/{total}] {name}: generating", i + 1));
        let crate_name = used_names.claim(crate_name_of(name));
        generated.push(generate(name, path, &crate_name, &crates_dir));
    }
    let members: Vec<&str> = generated
        .iter()
        .filter(|g| g.report.error.is_none())
        .map(|g| g.report.crate_name.as_str())
        .collect();
    write_workspace(&options.work, &members, options.lock.as_deref())?;

    // 2. Build the crates and their replay tests, all in one cargo run.
    let _ = std::fs::remove_file(&cargo.timings);
    progress(&format!(
        "building {} crates and their replay tests (dependencies once, every core)",
        members.len()
    ));
    let build_started = Instant::now();
    let built = cargo.json(&[
        "build",
        "--workspace",
        "--test",
        "examples",
        "--keep-going",
        "--message-format=json",
    ])?;
    let build_seconds = build_started.elapsed().as_secs_f64();
    let executables = test_executables(&built);
    let build_errors = compile_errors(&built);
    let compile_seconds = read_timings(&cargo.timings);

    // 3. Run each crate's replays, then its doc tests.
    for (i, g) in generated.iter_mut().enumerate() {
        if g.report.error.is_some() {
            continue;
        }
        progress(&format!(
            "[{}/{total}] {}: replaying {} examples",
            i + 1,
            g.report.folder,
            g.report.examples
        ));
        let started = Instant::now();
        let results = match executables.get(&g.report.crate_name) {
            Some(exe) => run_tests(exe),
            None => BTreeMap::new(),
        };
        classify(g, &results, build_errors.get(&g.report.crate_name));
        let test_seconds = started.elapsed().as_secs_f64();
        progress(&format!(
            "[{}/{total}] {}: doc tests",
            i + 1,
            g.report.folder
        ));
        let doc_started = Instant::now();
        g.report.doc_test_failures = cargo.doc_test_failures(&g.report.crate_name);
        let doc_seconds = doc_started.elapsed().as_secs_f64();
        g.report.build_seconds = compile_seconds
            .get(&g.report.crate_name)
            .copied()
            .unwrap_or_default();
        g.report.seconds = g.generate_seconds + g.report.build_seconds + test_seconds + doc_seconds;
    }

    // 4. Clippy over every crate, all targets.
    progress("clippy --all-targets over every crate");
    let clippy_started = Instant::now();
    let linted = cargo.json(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--keep-going",
        "--message-format=json",
    ])?;
    let clippy_seconds = clippy_started.elapsed().as_secs_f64();
    let findings = clippy_findings(&linted);
    for g in &mut generated {
        if let Some(found) = findings.get(&g.report.crate_name) {
            g.report.clippy_findings = found.len();
            g.report.clippy = found.clone();
        }
    }

    // 5. The documentation, as docs.rs would build it.
    progress("cargo doc over every crate");
    let documented = cargo.json(&[
        "doc",
        "--workspace",
        "--no-deps",
        "--keep-going",
        "--message-format=json",
    ])?;
    let warnings = clippy_findings(&documented);
    for g in &mut generated {
        if let Some(found) = warnings.get(&g.report.crate_name) {
            g.report.doc_warnings = found.len();
            g.report.doc = found.clone();
        }
    }

    let folders: Vec<FolderReport> = generated.into_iter().map(|g| g.report).collect();
    let mut totals = Totals {
        folders: folders.len(),
        ..Totals::default()
    };
    for f in &folders {
        totals.operations += f.operations;
        totals.examples += f.examples;
        totals.passed += f.passed;
        for (cause, n) in &f.failed {
            *totals.failed.entry(cause.clone()).or_default() += n;
        }
        totals.clippy_findings += f.clippy_findings;
        totals.doc_test_failures += f.doc_test_failures;
        totals.doc_warnings += f.doc_warnings;
    }
    Ok(Report {
        folders,
        totals,
        seconds: started.elapsed().as_secs_f64(),
        build_seconds,
        clippy_seconds,
    })
}

fn progress(line: &str) {
    let mut err = std::io::stderr();
    let _ = writeln!(err, "conformance: {line}");
}

/// The service folders under `dir`: each folder directly below it (one
/// api-version each, as `codegen --specs` takes them); `dir` itself when
/// it holds entry documents of its own and no folders.
fn service_folders(dir: &Path, only: &[String]) -> Result<Vec<(String, PathBuf)>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut folders: Vec<(String, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .filter(|(name, _)| !name.starts_with('.'))
        .collect();
    folders.sort();
    if folders.is_empty() {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "specs".to_string());
        folders.push((name, dir.to_path_buf()));
    }
    if !only.is_empty() {
        for wanted in only {
            if !folders.iter().any(|(n, _)| n == wanted) {
                return Err(format!(
                    "--only {wanted}: no such folder under {}",
                    dir.display()
                ));
            }
        }
        folders.retain(|(n, _)| only.contains(n));
    }
    Ok(folders)
}

/// A crate name from a folder name: `batch-data-plane-2020-09-01.12.0` →
/// `batch-data-plane-2020-09-01-12-0`.
fn crate_name_of(folder: &str) -> String {
    let mut name: String = folder
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    while name.contains("--") {
        name = name.replace("--", "-");
    }
    let name = name.trim_matches('-').to_string();
    if name.starts_with(|c: char| c.is_ascii_digit()) || name.is_empty() {
        format!("specs-{name}")
    } else {
        name
    }
}

fn generate(name: &str, path: &Path, crate_name: &str, crates_dir: &Path) -> Generated {
    let started = Instant::now();
    let settings = Settings::standalone(
        path.to_path_buf(),
        crates_dir.join(crate_name),
        crate_name.to_string(),
    );
    let mut report = FolderReport {
        folder: name.to_string(),
        crate_name: crate_name.to_string(),
        ..FolderReport::default()
    };
    let mut planned = Vec::new();
    match codegen::run_keeping_api(&settings) {
        Ok((api, summary)) => {
            report.clients = api.clients().iter().map(|(c, _)| c.to_string()).collect();
            report.longest_signature = longest_signature(&api);
            for s in &api.surfaces {
                for (kind, n) in &s.untyped {
                    *report.untyped.entry(kind.clone()).or_insert(0) += n;
                }
            }
            report.operations = summary.operations;
            report.warnings = summary.warnings;
            for (test, op, example) in crate::emit::example_tests(&api) {
                if !example.findings.is_empty() {
                    report.bad_examples.push(BadExample {
                        operation: op.operation_id.clone(),
                        example: example.name.clone(),
                        file: example.source.file.clone(),
                        findings: example.findings.clone(),
                    });
                }
                planned.push(Planned {
                    test,
                    operation: op.operation_id.clone(),
                    example: example.name.clone(),
                    file: example.source.file.clone(),
                    findings: example.findings.clone(),
                });
            }
            report.examples = planned.len();
        }
        Err(e) => report.error = Some(format!("generation failed: {e}")),
    }
    Generated {
        report,
        planned,
        generate_seconds: started.elapsed().as_secs_f64(),
    }
}

/// The method with the most arguments (`redis().create(4)`), as a
/// regression in signatures shows first there.
fn longest_signature(api: &crate::ir::Api) -> String {
    let widest = api
        .surfaces
        .iter()
        .flat_map(|s| &s.operations)
        .map(|op| {
            let args = op.params.iter().filter(|p| p.required).count()
                + usize::from(op.body.is_some())
                + 1;
            (args, op)
        })
        .max_by(|(a, x), (b, y)| a.cmp(b).then(y.operation_id.cmp(&x.operation_id)));
    match widest {
        Some((args, op)) if op.group.is_empty() => format!("{}({args})", op.name),
        Some((args, op)) => format!("{}().{}({args})", op.group, op.name),
        None => String::new(),
    }
}

/// The workspace of the generated crates. Its lock file starts as the
/// repository's, so the crates build against the versions tested here.
fn write_workspace(work: &Path, members: &[&str], lock: Option<&Path>) -> Result<(), String> {
    let list = members
        .iter()
        .map(|m| format!("    \"crates/{m}\","))
        .collect::<Vec<_>>()
        .join("\n");
    let manifest = format!(
        "# Written by `cargo xtask conformance`: the crates generated from each service folder.\n\
         [workspace]\nresolver = \"3\"\nmembers = [\n{list}\n]\n"
    );
    let path = work.join("Cargo.toml");
    std::fs::write(&path, manifest).map_err(|e| format!("{}: {e}", path.display()))?;
    let lock_path = work.join("Cargo.lock");
    if let (Some(lock), false) = (lock, lock_path.exists()) {
        let _ = std::fs::copy(lock, &lock_path);
    }
    Ok(())
}

/// How cargo runs over the generated crates.
struct Cargo {
    work: PathBuf,
    target: PathBuf,
    timings: PathBuf,
    wrapper: Option<PathBuf>,
}

impl Cargo {
    fn command(&self, args: &[&str]) -> Command {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut command = Command::new(cargo);
        command
            .args(args)
            .current_dir(&self.work)
            .env("CARGO_TARGET_DIR", &self.target)
            .env_remove("RUSTFLAGS")
            .stdin(Stdio::null());
        // The same wrapper for every run: cargo rebuilds what another
        // wrapper compiled.
        if let Some(wrapper) = &self.wrapper {
            command
                .env("RUSTC_WRAPPER", wrapper)
                .env(TIMINGS_ENV, &self.timings);
        }
        command
    }

    /// Runs cargo in the workspace; its JSON messages, one per line.
    fn json(&self, args: &[&str]) -> Result<Vec<serde_json::Value>, String> {
        let output = self
            .command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        Ok(String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect())
    }

    /// Runs a crate's doc tests; the number that failed (one when they did
    /// not compile).
    fn doc_test_failures(&self, crate_name: &str) -> usize {
        let Ok(output) = self
            .command(&["test", "--quiet", "--doc", "--package", crate_name])
            .output()
        else {
            return 1;
        };
        let stdout = String::from_utf8_lossy(&output.stdout);
        let failed: usize = stdout
            .lines()
            .filter_map(|l| l.strip_prefix("test result: "))
            .filter_map(|l| {
                l.split("; ")
                    .find_map(|p| p.strip_suffix(" failed"))
                    .and_then(|n| n.trim().parse::<usize>().ok())
            })
            .sum();
        if failed == 0 && !output.status.success() {
            return 1;
        }
        failed
    }
}

/// The package name in a cargo package id: `path+file:///…/redis#0.1.0`,
/// or `path+file:///…/dir#redis@0.1.0` when the folder is named otherwise.
fn package_of(message: &serde_json::Value) -> Option<String> {
    let id = message.get("package_id")?.as_str()?;
    let (path, fragment) = id.rsplit_once('#').unwrap_or((id, ""));
    match fragment.split_once('@') {
        Some((name, _)) => Some(name.to_string()),
        None => path.rsplit('/').next().map(str::to_string),
    }
}

fn test_executables(messages: &[serde_json::Value]) -> BTreeMap<String, PathBuf> {
    messages
        .iter()
        .filter(|m| m.get("reason").and_then(|r| r.as_str()) == Some("compiler-artifact"))
        .filter(|m| m.pointer("/target/name").and_then(|n| n.as_str()) == Some("examples"))
        .filter_map(|m| {
            let exe = m.get("executable")?.as_str()?;
            Some((package_of(m)?, PathBuf::from(exe)))
        })
        .collect()
}

/// The first error of each package that did not compile.
fn compile_errors(messages: &[serde_json::Value]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for m in messages {
        if m.get("reason").and_then(|r| r.as_str()) != Some("compiler-message")
            || m.pointer("/message/level").and_then(|l| l.as_str()) != Some("error")
        {
            continue;
        }
        let (Some(package), Some(text)) = (
            package_of(m),
            m.pointer("/message/rendered").and_then(|r| r.as_str()),
        ) else {
            continue;
        };
        out.entry(package)
            .or_insert_with(|| text.lines().take(12).collect::<Vec<_>>().join("\n"));
    }
    out
}

/// Warnings (clippy's and rustc's) per package: the first lines of each.
fn clippy_findings(messages: &[serde_json::Value]) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut seen = std::collections::BTreeSet::new();
    for m in messages {
        if m.get("reason").and_then(|r| r.as_str()) != Some("compiler-message") {
            continue;
        }
        let level = m.pointer("/message/level").and_then(|l| l.as_str());
        let spans = m
            .pointer("/message/spans")
            .and_then(|s| s.as_array())
            .is_some_and(|s| !s.is_empty());
        if !matches!(level, Some("warning" | "error")) || !spans {
            continue;
        }
        let (Some(package), Some(text)) = (
            package_of(m),
            m.pointer("/message/rendered").and_then(|r| r.as_str()),
        ) else {
            continue;
        };
        // The lib is checked for itself and again under its tests.
        if !seen.insert((package.clone(), text.to_string())) {
            continue;
        }
        let short = text.lines().take(3).collect::<Vec<_>>().join(" | ");
        out.entry(package).or_default().push(short);
    }
    out
}

/// Seconds of compilation per package, from the wrapper's log.
fn read_timings(path: &Path) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    let text = std::fs::read_to_string(path).unwrap_or_default();
    for line in text.lines() {
        let mut parts = line.split('\t');
        if let (Some(package), Some(_), Some(secs)) = (parts.next(), parts.next(), parts.next())
            && let Ok(secs) = secs.parse::<f64>()
        {
            *out.entry(package.to_string()).or_default() += secs;
        }
    }
    out
}

/// What libtest said of each test: `Ok(())` when it passed, else the
/// lines it printed for it. A binary that crashes or hangs (the limit is
/// generous: a whole crate's replays take seconds) leaves its unreported
/// tests with the crash said for each.
fn run_tests(exe: &Path) -> BTreeMap<String, Result<(), String>> {
    const LIMIT: std::time::Duration = std::time::Duration::from_secs(600);
    let child = Command::new(exe)
        .args(["--include-ignored", "--test-threads=2"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = child else {
        return BTreeMap::new();
    };
    // Read the output on its own thread, so a full pipe never stalls it.
    let stdout = child.stdout.take();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut out) = stdout {
            let _ = std::io::Read::read_to_string(&mut out, &mut text);
        }
        text
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() < LIMIT => {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    let text = reader.join().unwrap_or_default();
    let mut results = parse_libtest(&text);
    let crashed = match status {
        None => Some(format!(
            "the test binary ran longer than {} s and was stopped",
            LIMIT.as_secs()
        )),
        Some(s) if s.code().is_none() => Some(format!("the test binary crashed ({s})")),
        Some(_) => None,
    };
    if let Some(why) = crashed {
        // Tests it announced but never finished.
        for line in text.lines() {
            if let Some(name) = line
                .strip_prefix("test ")
                .and_then(|l| l.strip_suffix(" ..."))
            {
                results
                    .entry(name.to_string())
                    .or_insert_with(|| Err(why.clone()));
            }
        }
        results.insert(CRASH.to_string(), Err(why));
    }
    results
}

/// Where `run_tests` notes a crash of the whole binary.
const CRASH: &str = "<the test binary>";

fn parse_libtest(stdout: &str) -> BTreeMap<String, Result<(), String>> {
    let mut out = BTreeMap::new();
    for line in stdout.lines() {
        let Some(rest) = line.strip_prefix("test ") else {
            continue;
        };
        if let Some(name) = rest.strip_suffix(" ... ok") {
            out.insert(name.to_string(), Ok(()));
        } else if let Some(name) = rest.strip_suffix(" ... FAILED") {
            out.insert(name.to_string(), Err(String::new()));
        }
    }
    // The failures' output: `---- name stdout ----`, then its lines.
    let mut current: Option<String> = None;
    for line in stdout.lines() {
        if let Some(name) = line
            .strip_prefix("---- ")
            .and_then(|l| l.strip_suffix(" stdout ----"))
        {
            current = Some(name.to_string());
            continue;
        }
        if line == "failures:" || line.starts_with("test result:") {
            current = None;
            continue;
        }
        if let Some(name) = &current
            && let Some(Err(text)) = out.get_mut(name)
        {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(line);
        }
    }
    out
}

/// Sorts each planned example into passed or a cause.
fn classify(
    g: &mut Generated,
    results: &BTreeMap<String, Result<(), String>>,
    build_error: Option<&String>,
) {
    for planned in &g.planned {
        let failed = match results.get(&planned.test) {
            Some(Ok(())) => {
                g.report.passed += 1;
                continue;
            }
            Some(Err(text)) => parse_failure(text),
            None => match (results.get(CRASH), build_error) {
                (Some(Err(why)), _) => Parsed {
                    cause: "panic".to_string(),
                    part: String::new(),
                    message: why.clone(),
                    pointers: Vec::new(),
                },
                (_, error) => Parsed {
                    cause: "not-built".to_string(),
                    part: String::new(),
                    message: error
                        .cloned()
                        .unwrap_or_else(|| "the replay test did not run".to_string()),
                    pointers: Vec::new(),
                },
            },
        };
        let cause = if is_bad_example(&failed, &planned.findings) {
            "bad-example".to_string()
        } else {
            failed.cause
        };
        *g.report.failed.entry(cause.clone()).or_default() += 1;
        g.report.failures.push(FailureReport {
            test: planned.test.clone(),
            operation: planned.operation.clone(),
            example: planned.example.clone(),
            file: planned.file.clone(),
            cause,
            part: failed.part,
            message: failed.message,
            pointers: failed.pointers,
        });
    }
}

/// The independent check's verdict decides `bad-example`, and only where
/// it found the example wrong in what failed: every place the replay
/// names lies within (or around) a finding's; without places, a finding
/// in the same part. The generator's own gaps (`unsupported`) stay theirs.
fn is_bad_example(failed: &Parsed, findings: &[ExampleFinding]) -> bool {
    let relevant: Vec<&ExampleFinding> = findings.iter().filter(|f| f.affects_replay).collect();
    if failed.cause == "unsupported" || relevant.is_empty() {
        return false;
    }
    let within =
        |a: &str, b: &str| a == b || a.strip_prefix(b).is_some_and(|rest| rest.starts_with('/'));
    if failed.pointers.is_empty() {
        return relevant.iter().any(|f| f.part == failed.part);
    }
    failed.pointers.iter().all(|p| {
        relevant
            .iter()
            .any(|f| within(p, &f.pointer) || within(&f.pointer, p))
    })
}

/// A failure as the harness prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Parsed {
    cause: String,
    part: String,
    message: String,
    pointers: Vec<String>,
}

/// `Error: [cause] part: message`, then `  at /pointer …`, as the harness
/// prints it; anything else (a panic) is reported as it came.
fn parse_failure(text: &str) -> Parsed {
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(rest) = line.strip_prefix("Error: [") else {
            continue;
        };
        let Some((cause, rest)) = rest.split_once("] ") else {
            continue;
        };
        let (part, message) = rest.split_once(": ").unwrap_or((rest, ""));
        let pointers = lines
            .next()
            .and_then(|l| l.strip_prefix("  at "))
            .map(|l| l.split(' ').map(str::to_string).collect())
            .unwrap_or_default();
        return Parsed {
            cause: cause.to_string(),
            part: part.to_string(),
            message: message.to_string(),
            pointers,
        };
    }
    Parsed {
        cause: "panic".to_string(),
        part: String::new(),
        message: text.lines().next().unwrap_or("the test failed").to_string(),
        pointers: Vec::new(),
    }
}

/// The rustc wrapper: runs `rustc` with its arguments, and appends the
/// package, crate and seconds to the file `TIMINGS_ENV` names.
pub fn time_rustc(rustc: &std::ffi::OsStr, args: &[std::ffi::OsString], log: &Path) -> i32 {
    let started = Instant::now();
    let status = Command::new(rustc).args(args).status();
    let seconds = started.elapsed().as_secs_f64();
    let package = std::env::var("CARGO_PKG_NAME").unwrap_or_default();
    let crate_name = args
        .iter()
        .position(|a| a == "--crate-name")
        .and_then(|i| args.get(i + 1))
        .map(|a| a.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !package.is_empty()
        && let Ok(mut file) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
    {
        let _ = writeln!(file, "{package}\t{crate_name}\t{seconds:.3}");
    }
    match status {
        Ok(s) => s.code().unwrap_or(1),
        Err(e) => {
            eprintln!("cannot run {}: {e}", rustc.to_string_lossy());
            1
        }
    }
}

/// The report as the table `cargo xtask conformance` prints.
pub fn table(report: &Report) -> String {
    let causes = [
        "request-mismatch",
        "response-loss",
        "decode-error",
        "long-running",
        "unsupported",
        "bad-example",
    ];
    let mut extra: Vec<String> = report
        .totals
        .failed
        .keys()
        .filter(|k| !causes.contains(&k.as_str()))
        .cloned()
        .collect();
    extra.sort();
    let mut header = vec!["folder", "operations", "examples", "passed"];
    header.extend(causes);
    header.extend(extra.iter().map(String::as_str));
    header.extend(["clippy", "doc-test failures", "doc warnings", "seconds"]);
    let mut out = String::new();
    out.push_str(&format!("| {} |\n", header.join(" | ")));
    out.push_str(&format!(
        "|{}\n",
        header
            .iter()
            .enumerate()
            .map(|(i, _)| if i == 0 { "---|" } else { "---:|" })
            .collect::<String>()
    ));
    let row = |name: &str,
               operations: usize,
               examples: usize,
               passed: usize,
               failed: &BTreeMap<String, usize>,
               clippy: usize,
               doc: usize,
               doc_warnings: usize,
               seconds: f64| {
        let mut cells = vec![
            name.to_string(),
            operations.to_string(),
            examples.to_string(),
            passed.to_string(),
        ];
        for cause in causes
            .iter()
            .map(|c| c.to_string())
            .chain(extra.iter().cloned())
        {
            cells.push(failed.get(&cause).copied().unwrap_or(0).to_string());
        }
        cells.extend([
            clippy.to_string(),
            doc.to_string(),
            doc_warnings.to_string(),
            format!("{seconds:.0}"),
        ]);
        format!("| {} |\n", cells.join(" | "))
    };
    for f in &report.folders {
        let name = match &f.error {
            Some(_) => format!("{} (not generated)", f.folder),
            None => f.folder.clone(),
        };
        out.push_str(&row(
            &name,
            f.operations,
            f.examples,
            f.passed,
            &f.failed,
            f.clippy_findings,
            f.doc_test_failures,
            f.doc_warnings,
            f.seconds,
        ));
    }
    let t = &report.totals;
    out.push_str(&row(
        &format!("**total ({} folders)**", t.folders),
        t.operations,
        t.examples,
        t.passed,
        &t.failed,
        t.clippy_findings,
        t.doc_test_failures,
        t.doc_warnings,
        report.seconds,
    ));
    out.push_str(
        "\n| folder | clients | longest signature | build seconds |\n|---|---|---|---:|\n",
    );
    for f in &report.folders {
        out.push_str(&format!(
            "| {} | {} | `{}` | {:.1} |\n",
            f.folder,
            f.clients.join(", "),
            f.longest_signature,
            f.build_seconds
        ));
    }
    out.push_str(&untyped_table(report));
    let judged = t.examples - t.failed.get("bad-example").copied().unwrap_or(0);
    if judged > 0 {
        out.push_str(&format!(
            "\n{} of {judged} examples not classified bad-example pass ({:.1} %); shared build {:.0} s, clippy {:.0} s\n",
            t.passed,
            100.0 * t.passed as f64 / judged as f64,
            report.build_seconds,
            report.clippy_seconds
        ));
    }
    out
}

/// What stays `serde_json::Value`, by kind: places in the specs, and the
/// folders that have any.
fn untyped_table(report: &Report) -> String {
    let mut kinds: BTreeMap<&str, (usize, Vec<&str>)> = BTreeMap::new();
    for f in &report.folders {
        for (kind, n) in &f.untyped {
            let entry = kinds.entry(kind).or_default();
            entry.0 += n;
            entry.1.push(short_folder(&f.folder));
        }
    }
    if kinds.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "\n| kept as JSON (`serde_json::Value`) | places | folders |\n|---|---:|---|\n",
    );
    for (kind, (n, folders)) in kinds {
        out.push_str(&format!("| {kind} | {n} | {} |\n", folders.join(", ")));
    }
    out
}

/// `cosmos-db` for `cosmos-db-resource-manager-2021-06-15`.
fn short_folder(folder: &str) -> &str {
    ["-resource-manager-", "-data-plane-"]
        .iter()
        .find_map(|kind| folder.find(kind).map(|i| &folder[..i]))
        .unwrap_or(folder)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_names_from_folders() {
        assert_eq!(
            crate_name_of("batch-data-plane-2020-09-01.12.0"),
            "batch-data-plane-2020-09-01-12-0"
        );
        assert_eq!(crate_name_of("7.2"), "specs-7-2");
        assert_eq!(crate_name_of("KeyVault__x"), "keyvault-x");
    }

    #[test]
    fn libtest_output_is_read() {
        let stdout = "\nrunning 3 tests\ntest a::one ... ok\ntest a::two ... FAILED\ntest a::three ... FAILED\n\nfailures:\n\n---- a::two stdout ----\nError: [request-mismatch] request: query `api-version`: sent \"1\", example \"2\"\n  at /parameters/api-version /parameters/x\n  in x.json (Op, example `e`)\n\n---- a::three stdout ----\nthread 'a::three' panicked at src/x.rs:1:1:\nboom\n\nfailures:\n    a::two\n    a::three\n\ntest result: FAILED. 1 passed; 2 failed\n";
        let results = parse_libtest(stdout);
        assert_eq!(results.get("a::one"), Some(&Ok(())));
        let two = results
            .get("a::two")
            .cloned()
            .and_then(Result::err)
            .unwrap_or_default();
        assert_eq!(
            parse_failure(&two),
            Parsed {
                cause: "request-mismatch".to_string(),
                part: "request".to_string(),
                message: "query `api-version`: sent \"1\", example \"2\"".to_string(),
                pointers: vec![
                    "/parameters/api-version".to_string(),
                    "/parameters/x".to_string()
                ],
            }
        );
        let three = results
            .get("a::three")
            .cloned()
            .and_then(Result::err)
            .unwrap_or_default();
        assert_eq!(parse_failure(&three).cause, "panic");
    }

    #[test]
    fn bad_example_only_where_the_check_found_what_failed() {
        let finding = |part: &str, pointer: &str, affects_replay: bool| ExampleFinding {
            part: part.to_string(),
            pointer: pointer.to_string(),
            message: "m".to_string(),
            affects_replay,
        };
        let failed = |cause: &str, part: &str, pointers: &[&str]| Parsed {
            cause: cause.to_string(),
            part: part.to_string(),
            message: String::new(),
            pointers: pointers.iter().map(|p| p.to_string()).collect(),
        };
        let author = [finding("response 200", "/responses/200/body/author", true)];
        assert!(is_bad_example(
            &failed(
                "response-loss",
                "response 200",
                &["/responses/200/body/author"]
            ),
            &author
        ));
        // A difference elsewhere in the same answer is ours.
        assert!(!is_bad_example(
            &failed(
                "response-loss",
                "response 200",
                &["/responses/200/body/author", "/responses/200/body/name"]
            ),
            &author
        ));
        // A finding on a whole body covers what lies within it, and the
        // other way round.
        let body = [finding("response 200", "/responses/200/body", true)];
        assert!(is_bad_example(
            &failed("decode-error", "response 200", &["/responses/200/body/0"]),
            &body
        ));
        let deep = [finding("request", "/parameters/p/x5c/0", true)];
        assert!(is_bad_example(
            &failed("decode-error", "request", &["/parameters/p"]),
            &deep
        ));
        // Unsupported stays unsupported; findings the replay never reads
        // decide nothing; without places, the part decides.
        let request = [finding("request", "/parameters/x", true)];
        assert!(!is_bad_example(
            &failed("unsupported", "request", &[]),
            &request
        ));
        let unread = [finding("request", "/parameters/monitor", false)];
        assert!(!is_bad_example(
            &failed("request-mismatch", "request", &[]),
            &unread
        ));
        assert!(is_bad_example(
            &failed("request-mismatch", "request", &[]),
            &request
        ));
        assert!(!is_bad_example(
            &failed("request-mismatch", "request", &["/parameters/xy"]),
            &request
        ));
    }

    #[test]
    fn package_names_from_ids() {
        let m = serde_json::json!({"package_id": "path+file:///w/crates/redis-rm#0.1.0"});
        assert_eq!(package_of(&m).as_deref(), Some("redis-rm"));
        let m = serde_json::json!({"package_id": "path+file:///w/crates/dir#redis-rm@0.1.0"});
        assert_eq!(package_of(&m).as_deref(), Some("redis-rm"));
    }
}
