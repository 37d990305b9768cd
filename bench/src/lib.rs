//! `cargo xtask bench`: every benchmark in one run, so ratios between us
//! and the peers (progenitor, plain reqwest) are taken on the same machine
//! at the same moment. Prints a markdown table and writes
//! `target/bench-report.json`.
//!
//! Targets are read from the report (docs/performance.md), never asserted
//! by timed tests.
//!
//! Two binaries share this library and differ only in their allocator:
//! `mms-bench` runs on mimalloc, as `cargo xtask` does, and runs the
//! generator and build phases; `mms-bench-client` keeps the system
//! allocator, as an application calling the client typically would, and
//! runs the client phases.

mod builds;
mod client;
mod generators;
mod memory;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// One figure: its key in the report, its value, and the target it is
/// read against (for the table).
pub(crate) struct Figure {
    pub key: String,
    pub value: f64,
    pub target: String,
}

impl Figure {
    pub(crate) fn new(key: &str, value: f64, target: &str) -> Self {
        Self {
            key: key.into(),
            value,
            target: target.into(),
        }
    }
}

/// What one phase measured: its figures and anything else worth keeping.
#[derive(Default)]
pub(crate) struct Phase {
    pub figures: Vec<Figure>,
    pub extra: BTreeMap<String, Value>,
}

impl Phase {
    fn to_json(&self) -> Value {
        json!({
            "figures": self.figures.iter().map(|f| json!([f.key, f.value, f.target])).collect::<Vec<_>>(),
            "extra": self.extra,
        })
    }

    fn from_json(value: &Value) -> Option<Self> {
        let figures = value["figures"]
            .as_array()?
            .iter()
            .map(|f| Some(Figure::new(f[0].as_str()?, f[1].as_f64()?, f[2].as_str()?)))
            .collect::<Option<Vec<_>>>()?;
        let extra = value["extra"]
            .as_object()?
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Some(Self { figures, extra })
    }
}

/// The phases, each run in a fresh child process of this binary: a
/// phase's peak memory and timings do not inherit another's heap.
const PHASES: [&str; 5] = ["generators", "scaling", "client", "stream", "builds"];

fn run_phase(root: &Path, name: &str) -> Result<Phase, String> {
    match name {
        "generators" => generators::ours_and_progenitor(root),
        "scaling" => generators::scaling(),
        "client" | "stream" => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            if name == "client" {
                runtime.block_on(client::figures())
            } else {
                runtime.block_on(client::stream_figures())
            }
        }
        "builds" => builds::figures(root),
        other => Err(format!("no phase `{other}`")),
    }
}

/// The phases the client binary runs (the system allocator's); the rest
/// run in the generator binary (mimalloc's).
const CLIENT_PHASES: [&str; 2] = ["client", "stream"];

/// The binary that runs the client phases, beside this one.
pub const CLIENT_BIN: &str = "mms-bench-client";

/// Whether this process is the client binary.
fn is_client_bin() -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.file_stem().map(|s| s == CLIENT_BIN))
        .unwrap_or(false)
}

fn phase_in_child(name: &str) -> Result<Phase, String> {
    let mut exe = std::env::current_exe().map_err(|e| e.to_string())?;
    if CLIENT_PHASES.contains(&name) && !is_client_bin() {
        let me = exe.clone();
        exe.set_file_name(format!("{CLIENT_BIN}{}", std::env::consts::EXE_SUFFIX));
        // `cargo run --bin mms-bench` builds only this binary: a client
        // binary clearly older than it would measure old code. (Built
        // together, the two are linked seconds apart, in either order.)
        let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
        let slack = Duration::from_secs(30);
        match (modified(&me), modified(&exe)) {
            (Some(mine), Some(theirs)) if theirs + slack >= mine => {}
            (_, None) => {
                return Err(format!(
                    "{} is missing: build both binaries (`cargo build --release -p mms-bench --bins`, or run `cargo xtask bench`)",
                    exe.display()
                ));
            }
            _ => {
                return Err(format!(
                    "{} is older than this binary: build both (`cargo build --release -p mms-bench --bins`, or run `cargo xtask bench`)",
                    exe.display()
                ));
            }
        }
    }
    let output = std::process::Command::new(&exe)
        .args(["--phase", name])
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| format!("phase {name} ({}): {e}", exe.display()))?;
    if !output.status.success() {
        return Err(format!("phase {name} failed"));
    }
    serde_json::from_slice::<Value>(&output.stdout)
        .ok()
        .as_ref()
        .and_then(Phase::from_json)
        .ok_or_else(|| format!("phase {name}: unreadable output"))
}

/// Median of `runs` timings of `f`, after one warm-up run, in ms. The
/// first failure ends the measurement: a failing run would time nothing.
pub(crate) fn median_ms<T, E: std::fmt::Display>(
    runs: usize,
    mut f: impl FnMut() -> Result<T, E>,
) -> Result<f64, String> {
    std::hint::black_box(f().map_err(|e| e.to_string())?);
    let mut times = Vec::with_capacity(runs.max(1));
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        std::hint::black_box(f().map_err(|e| e.to_string())?);
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(median(&mut times))
}

pub(crate) fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => 0.0,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

pub(crate) fn round(value: f64, places: i32) -> f64 {
    let scale = 10f64.powi(places);
    (value * scale).round() / scale
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The benchmarks; see docs/performance.md.
#[derive(Debug, clap::Parser)]
#[command(name = "mms-bench")]
struct Args {
    /// Where the JSON report goes (default target/bench-report.json)
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Leave out the clean-build figures (the slowest part)
    #[arg(long)]
    skip_builds: bool,
    /// Run one phase here and print its figures as JSON (generators,
    /// scaling, builds; client and stream in mms-bench-client)
    #[arg(long, value_name = "NAME")]
    phase: Option<String>,
}

/// The command line of both binaries.
pub fn main() -> ExitCode {
    let root = repo_root();
    let args = <Args as clap::Parser>::parse();
    if let Some(name) = args.phase {
        // A client phase asked of the generator binary runs in the client
        // binary all the same (its allocator is the point).
        let result = if CLIENT_PHASES.contains(&name.as_str()) && !is_client_bin() {
            phase_in_child(&name)
        } else {
            run_phase(&root, &name)
        };
        return match result {
            Ok(phase) => {
                println!("{}", phase.to_json());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("mms-bench: {e}");
                ExitCode::from(1)
            }
        };
    }
    let out = args
        .out
        .unwrap_or_else(|| root.join("target/bench-report.json"));
    match run(&out, !args.skip_builds) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mms-bench: {e}");
            ExitCode::from(1)
        }
    }
}

fn run(out: &Path, builds: bool) -> Result<(), String> {
    let started = Instant::now();
    let mut figures = Vec::new();
    let mut extra: BTreeMap<String, Value> = BTreeMap::new();

    for name in PHASES {
        if name == "builds" && !builds {
            continue;
        }
        eprintln!("[bench] {name}");
        let phase = phase_in_child(name)?;
        figures.extend(phase.figures);
        extra.extend(phase.extra);
    }

    let mut report = serde_json::Map::new();
    for f in &figures {
        report.insert(f.key.clone(), json!(f.value));
    }
    for (k, v) in extra {
        report.insert(k, v);
    }
    report.insert(
        "machine".into(),
        json!({
            "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            "os": std::env::consts::OS,
            "arch": std::env::consts::ARCH,
        }),
    );
    report.insert(
        "bench_seconds".into(),
        json!(round(started.elapsed().as_secs_f64(), 1)),
    );
    let text = serde_json::to_string_pretty(&Value::Object(report)).map_err(|e| e.to_string())?;
    write_atomically(out, &text)?;

    println!("| figure | value | target |");
    println!("|---|---:|---|");
    for f in &figures {
        println!("| `{}` | {} | {} |", f.key, f.value, f.target);
    }
    println!(
        "\nreport: {} ({:.0?})",
        out.display(),
        Duration::from_secs(started.elapsed().as_secs())
    );
    Ok(())
}

fn write_atomically(path: &Path, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| format!("{}: {e}", path.display()))
}
