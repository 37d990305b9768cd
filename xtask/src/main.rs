//! `cargo xtask <command>`: the project's own tooling. See `--help`.

use std::path::PathBuf;
use std::process::ExitCode;

/// Code generation allocates millions of small, short-lived tokens and
/// syntax nodes; mimalloc handles that about a third faster than the
/// system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  codegen [--check]          regenerate generated/ from specs/ (--check: change
                             nothing, exit 1 if generated/ is stale)
  codegen --specs DIR --out DIR [--crate-name NAME] [--check]
                             generate a standalone crate from any folder of
                             Swagger 2.0 / OpenAPI 3.0 files
  lint-specs [--specs DIR]   parse every definition under DIR (default: specs/),
                             resolve every $ref, print format, operations and
                             schemas per surface; exit 1 on any problem
  ir [--specs DIR]           print the normalized IR as JSON (for debugging rules)
  conformance --specs DIR [--report FILE.json] [--only FOLDER]...
                             generate a crate from each service folder under DIR,
                             replay its x-ms-examples, run its doc tests and
                             clippy; print the table (docs/conformance.md)
  bench [--skip-builds] [--out FILE]
                             build and run the benchmarks (release): prints a
                             markdown table, writes target/bench-report.json;
                             see docs/performance.md
";

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
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<ExitCode, String> {
    let Some((command, rest)) = args.split_first() else {
        return Err(USAGE.to_string());
    };
    match command.as_str() {
        "lint-specs" => {
            let mut specs = workspace_root().join("specs");
            let mut it = rest.iter();
            while let Some(arg) = it.next() {
                match arg.as_str() {
                    "--specs" => specs = PathBuf::from(it.next().ok_or("--specs needs a folder")?),
                    other => {
                        return Err(format!("lint-specs: unknown argument `{other}`\n\n{USAGE}"));
                    }
                }
            }
            match xtask::lint_specs::lint(&specs) {
                Ok(summaries) => {
                    print!("{}", xtask::lint_specs::report(&summaries));
                    Ok(ExitCode::SUCCESS)
                }
                Err(errors) => {
                    eprintln!("{errors}");
                    Ok(ExitCode::from(1))
                }
            }
        }
        "codegen" => codegen(rest),
        "conformance" => conformance(rest),
        "bench" => {
            // The benchmarks live in their own package (they depend on the
            // generated crate and on progenitor); build both its binaries
            // optimized (the client phases run in the second), then run it
            // with the arguments.
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
            run.extend(rest.iter().map(String::as_str));
            let status = cargo_in_root(&run)?;
            Ok(if status.success() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        "ir" => {
            let mut specs = workspace_root().join("specs");
            let mut it = rest.iter();
            while let Some(arg) = it.next() {
                match arg.as_str() {
                    "--specs" => specs = PathBuf::from(it.next().ok_or("--specs needs a folder")?),
                    other => return Err(format!("ir: unknown argument `{other}`\n\n{USAGE}")),
                }
            }
            match xtask::codegen::build_api(&specs, "azureml-mms") {
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
        "-h" | "--help" | "help" => {
            print!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        other => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    }
}

fn codegen(args: &[String]) -> Result<ExitCode, String> {
    let root = workspace_root();
    let mut settings = xtask::codegen::Settings::for_repo(&root);
    let (mut specs, mut out, mut crate_name, mut check) = (None, None, None, false);
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |flag: &str| it.next().cloned().ok_or(format!("{flag} needs a value"));
        match arg.as_str() {
            "--check" => check = true,
            "--specs" => specs = Some(PathBuf::from(value("--specs")?)),
            "--out" => out = Some(PathBuf::from(value("--out")?)),
            "--crate-name" => crate_name = Some(value("--crate-name")?),
            other => return Err(format!("codegen: unknown argument `{other}`\n\n{USAGE}")),
        }
    }
    match (specs, out) {
        (None, None) => {}
        (Some(s), Some(o)) => {
            settings.specs = s;
            settings.out = o;
            settings.crate_name = crate_name
                .clone()
                .unwrap_or_else(|| "api-client".to_string());
        }
        _ => return Err(format!("codegen: --specs and --out go together\n\n{USAGE}")),
    }
    if let Some(name) = crate_name {
        settings.crate_name = name;
    }
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

fn conformance(args: &[String]) -> Result<ExitCode, String> {
    let root = workspace_root();
    let (mut specs, mut report, mut only) = (None, None, Vec::new());
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |flag: &str| it.next().cloned().ok_or(format!("{flag} needs a value"));
        match arg.as_str() {
            "--specs" => specs = Some(PathBuf::from(value("--specs")?)),
            "--report" => report = Some(PathBuf::from(value("--report")?)),
            "--only" => only.push(value("--only")?),
            other => {
                return Err(format!(
                    "conformance: unknown argument `{other}`\n\n{USAGE}"
                ));
            }
        }
    }
    let specs = specs.ok_or(format!("conformance: --specs DIR is required\n\n{USAGE}"))?;
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
