//! Clean-build figures: the generated crate with one surface against all
//! five, and against progenitor's crate from the same workspace document.
//! Dependencies are built first, then only the crate itself is cleaned and
//! timed, in the dev profile (what users build most).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use crate::{Figure, Phase, round};

fn cargo(args: &[&str], dir: &Path, target: &Path) -> Result<(), String> {
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(args)
        .arg("--target-dir")
        .arg(target)
        .current_dir(dir)
        .env("CARGO_TERM_COLOR", "never")
        .output()
        .map_err(|e| format!("cargo {}: {e}", args.join(" ")))?;
    if !output.status.success() {
        return Err(format!(
            "cargo {} failed:\n{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(())
}

/// Clean builds behind the headline ratios, each the median of this many:
/// one build can stall for seconds on a busy two-core machine.
const RUNS: usize = 3;

/// The median seconds of `RUNS` clean builds of `package`.
fn median_clean_build(
    package: &str,
    features: &[&str],
    dir: &Path,
    target: &Path,
) -> Result<f64, String> {
    let mut seconds = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        seconds.push(clean_build(package, features, dir, target)?);
    }
    Ok(crate::median(&mut seconds))
}

/// Seconds to build `package` again after cleaning only it.
fn clean_build(package: &str, features: &[&str], dir: &Path, target: &Path) -> Result<f64, String> {
    cargo(&["clean", "--package", package], dir, target)?;
    let mut args = vec!["build", "--package", package];
    args.extend_from_slice(features);
    let started = Instant::now();
    cargo(&args, dir, target)?;
    Ok(started.elapsed().as_secs_f64())
}

pub(crate) fn figures(root: &Path) -> Result<Phase, String> {
    let target = root.join("target/bench-build");
    let one = ["--no-default-features", "--features", "workspace"];
    let all = ["--all-features"];
    // Dependencies first (and the crate, once, to settle the cache).
    cargo(
        &["build", "--package", "azureml-mms", "--all-features"],
        root,
        &target,
    )?;
    let one_s = median_clean_build("azureml-mms", &one, root, &target)?;
    let all_s = median_clean_build("azureml-mms", &all, root, &target)?;
    // Every surface alone, and none (the runtime and shared code every
    // build pays), to show what the headline's surface weighs.
    let mut per_feature = BTreeMap::new();
    let others = azureml_mms::SURFACES
        .iter()
        .map(|s| s.feature)
        .filter(|f| *f != "workspace");
    for feature in others {
        let args = ["--no-default-features", "--features", feature];
        let seconds = clean_build("azureml-mms", &args, root, &target)?;
        per_feature.insert(feature.to_string(), round(seconds, 2));
    }
    per_feature.insert("workspace".to_string(), round(one_s, 2));
    let none_s = clean_build("azureml-mms", &["--no-default-features"], root, &target)?;
    per_feature.insert("none".to_string(), round(none_s, 2));

    let peer_dir = target.join("progenitor-crate");
    crate::generators::write_progenitor_crate(root, &peer_dir)?;
    let peer_target = target.join("progenitor-target");
    cargo(&["build"], &peer_dir, &peer_target)?;
    let peer_s = median_clean_build("mms-progenitor-workspace", &[], &peer_dir, &peer_target)?;

    let mut seconds = BTreeMap::new();
    seconds.insert("ours_workspace_only".to_string(), round(one_s, 2));
    seconds.insert("ours_all_features".to_string(), round(all_s, 2));
    seconds.insert("progenitor_workspace".to_string(), round(peer_s, 2));
    let mut extra = BTreeMap::new();
    extra.insert("build_seconds".to_string(), serde_json::json!(seconds));
    extra.insert(
        "build_seconds_per_feature".to_string(),
        serde_json::json!(per_feature),
    );
    Ok(Phase {
        extra,
        figures: vec![
            Figure::new("build_one_vs_all", round(one_s / all_s, 3), "≤ 0.5"),
            Figure::new("build_vs_progenitor", round(one_s / peer_s, 3), "≤ 1.0"),
        ],
    })
}
