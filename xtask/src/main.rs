//! `cargo xtask <command>`: the project's own tooling. See `--help`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Code generation allocates millions of small, short-lived tokens and
/// syntax nodes; mimalloc handles that about a third faster than the
/// system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The project's own tooling.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Regenerate generated/ from specs/, or a standalone crate from any
    /// folder of Swagger 2.0 / OpenAPI 3.0 files (--specs and --out)
    Codegen {
        /// Change nothing; exit 1, listing the files, if the output is stale
        #[arg(long)]
        check: bool,
        /// The folder of specs (walked recursively)
        #[arg(long, value_name = "DIR", requires = "out")]
        specs: Option<PathBuf>,
        /// Where the crate goes
        #[arg(long, value_name = "DIR", requires = "specs")]
        out: Option<PathBuf>,
        /// The crate's name (default with --specs: api-client)
        #[arg(long, value_name = "NAME")]
        crate_name: Option<String>,
        /// Add the public API's changes to CHANGELOG.md beside the crate,
        /// under Unreleased (Keep a Changelog)
        #[arg(long, conflicts_with = "check")]
        changelog: bool,
    },
    /// Parse every definition, resolve every $ref, print format, operations
    /// and schemas per surface; exit 1 on any problem
    LintSpecs {
        /// Default: specs/
        #[arg(long, value_name = "DIR")]
        specs: Option<PathBuf>,
    },
    /// How the public API of the crate generated from OLD differs from the
    /// one generated from NEW (two spec folders, e.g. two api-versions of
    /// one service): each change judged for the wire and for Rust users,
    /// and the semver bump (docs/api.md)
    ApiDiff {
        old: PathBuf,
        new: PathBuf,
        /// The crate's name in both
        #[arg(long, value_name = "NAME", default_value = "api-client")]
        crate_name: String,
    },
    /// Print the normalized IR as JSON (for writing rules)
    Ir {
        /// Default: specs/
        #[arg(long, value_name = "DIR")]
        specs: Option<PathBuf>,
    },
    /// Generate a crate from each service folder under DIR, replay its
    /// x-ms-examples, run its doc tests, clippy and cargo doc; print the
    /// table (docs/conformance.md)
    Conformance {
        #[arg(long, value_name = "DIR")]
        specs: PathBuf,
        /// Also write the report as JSON
        #[arg(long, value_name = "FILE.json")]
        report: Option<PathBuf>,
        /// Only these folders (repeatable)
        #[arg(long, value_name = "FOLDER")]
        only: Vec<String>,
    },
    /// Build and run the benchmarks (release): a markdown table and
    /// target/bench-report.json; see docs/performance.md. Arguments go to
    /// mms-bench (--skip-builds, --out FILE, --phase NAME)
    Bench {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

fn main() -> ExitCode {
    // Under `conformance`, this binary is cargo's rustc wrapper, timing
    // each compilation.
    if let Some(log) = std::env::var_os(xtask::conformance::TIMINGS_ENV) {
        let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
        if let Some((rustc, rest)) = args.split_first() {
            let code = xtask::conformance::time_rustc(rustc, rest, std::path::Path::new(&log));
            return ExitCode::from(u8::try_from(code).unwrap_or(1));
        }
    }
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}

fn run(command: Command) -> Result<ExitCode, String> {
    let specs_or_ours =
        |specs: Option<PathBuf>| specs.unwrap_or_else(|| workspace_root().join("specs"));
    match command {
        Command::LintSpecs { specs } => match xtask::lint_specs::lint(&specs_or_ours(specs)) {
            Ok(summaries) => {
                print!("{}", xtask::lint_specs::report(&summaries));
                Ok(ExitCode::SUCCESS)
            }
            Err(errors) => {
                eprintln!("{errors}");
                Ok(ExitCode::from(1))
            }
        },
        Command::Codegen {
            check,
            specs,
            out,
            crate_name,
            changelog,
        } => codegen(check, changelog, specs.zip(out), crate_name),
        Command::Conformance {
            specs,
            report,
            only,
        } => conformance(specs, report, only),
        Command::Bench { args } => bench(&args),
        Command::ApiDiff {
            old,
            new,
            crate_name,
        } => {
            let manifest_of = |dir: &PathBuf| {
                xtask::codegen::build_api(dir, &crate_name)
                    .map(|api| xtask::api::manifest(&api))
                    .map_err(|e| format!("{}:\n{e}", dir.display()))
            };
            let report = xtask::api::diff(&manifest_of(&old)?, &manifest_of(&new)?);
            print!("{report}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Ir { specs } => {
            match xtask::codegen::build_api(&specs_or_ours(specs), "azureml-mms") {
                Ok(api) => {
                    let json = serde_json::to_string_pretty(&api).map_err(|e| e.to_string())?;
                    println!("{json}");
                    Ok(ExitCode::SUCCESS)
                }
                Err(errors) => {
                    eprintln!("{errors}");
                    Ok(ExitCode::from(1))
                }
            }
        }
    }
}

/// The benchmarks live in their own package (they depend on the generated
/// crate and on progenitor): build both its binaries optimized (the client
/// phases run in the second), then run it with the arguments.
fn bench(args: &[String]) -> Result<ExitCode, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let cargo_in_root = |args: &[&str]| {
        std::process::Command::new(&cargo)
            .args(args)
            .current_dir(workspace_root())
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))
    };
    let built = cargo_in_root(&[
        "build",
        "--release",
        "--quiet",
        "--package",
        "mms-bench",
        "--bins",
    ])?;
    if !built.success() {
        return Ok(ExitCode::from(1));
    }
    let mut run = vec![
        "run",
        "--release",
        "--quiet",
        "--package",
        "mms-bench",
        "--bin",
        "mms-bench",
        "--",
    ];
    run.extend(args.iter().map(String::as_str));
    let status = cargo_in_root(&run)?;
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn codegen(
    check: bool,
    changelog: bool,
    specs_and_out: Option<(PathBuf, PathBuf)>,
    crate_name: Option<String>,
) -> Result<ExitCode, String> {
    let root = workspace_root();
    let mut settings = xtask::codegen::Settings::for_repo(&root);
    if let Some((specs, out)) = specs_and_out {
        settings = xtask::codegen::Settings::standalone(specs, out, "api-client");
    }
    if let Some(name) = crate_name {
        settings.crate_name = name;
    }
    settings.changelog = changelog;
    let started = std::time::Instant::now();
    let result = if check {
        xtask::codegen::check(&settings)
    } else {
        xtask::codegen::run(&settings)
    };
    let summary = match result {
        Ok(summary) => summary,
        Err(message) => {
            eprintln!("{message}");
            return Ok(ExitCode::from(1));
        }
    };
    let elapsed = started.elapsed().as_millis();
    println!(
        "{} surfaces, {} operations, {} types, {} files; {} {} in {elapsed} ms",
        summary.surfaces,
        summary.operations,
        summary.types,
        summary.files,
        summary.changed.len(),
        if check { "differ" } else { "changed" },
    );
    for warning in &summary.warnings {
        eprintln!("warning: {warning}");
    }
    // What the change means for the crate's users, against its last
    // `api.json` (docs/api.md).
    if let Some(report) = &summary.api_change {
        print!("{report}");
    }
    if check && !summary.changed.is_empty() {
        eprintln!(
            "{} is stale; run `cargo xtask codegen`:",
            settings.out.display()
        );
        for line in summary.changed.iter().take(50) {
            eprintln!("  {line}");
        }
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn conformance(
    specs: PathBuf,
    report: Option<PathBuf>,
    only: Vec<String>,
) -> Result<ExitCode, String> {
    let root = workspace_root();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let options = xtask::conformance::Options {
        specs,
        work: target.join("conformance"),
        only,
        lock: Some(root.join("Cargo.lock")),
        target: None,
        whole: false,
        wrapper: std::env::current_exe().ok(),
    };
    let result = xtask::conformance::run(&options)?;
    print!("{}", xtask::conformance::table(&result));
    if let Some(path) = report {
        let json = serde_json::to_string_pretty(&result).map_err(|e| e.to_string())?;
        std::fs::write(&path, json).map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!("conformance: report written to {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// The repository root: xtask lives one level below it.
fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}
