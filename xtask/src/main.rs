//! `cargo xtask <command>`: the project's own tooling. See `--help`.

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  lint-specs [--specs DIR]   parse every definition under DIR (default: specs/),
                             resolve every $ref, print format, operations and
                             schemas per surface; exit 1 on any problem
";

fn main() -> ExitCode {
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
        "-h" | "--help" | "help" => {
            print!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        other => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    }
}

/// The repository root: xtask lives one level below it.
fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}
