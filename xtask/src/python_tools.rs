//! The Python tools the tests drive, pinned in `.ci/requirements.txt`
//! (`openapi-spec-validator`, `schemathesis`, `openapi-python-client`).
//! Where all of them are on `PATH` (CI installs them), those are used;
//! otherwise they are installed once into a virtual environment under the
//! target folder, so `cargo test --workspace` sets itself up on any machine
//! with Python 3 and a package index in reach.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// Where the tools are: `PATH`, or a virtual environment's `bin` folder.
#[derive(Debug)]
pub struct PythonTools {
    bin: Option<PathBuf>,
}

impl PythonTools {
    /// A command running `name`, with the environment's own programs
    /// first on its `PATH` (openapi-python-client runs `ruff`, which it
    /// brings).
    pub fn command(&self, name: &str) -> Result<Command, String> {
        let mut command = Command::new(self.tool(name)?);
        if let Some(bin) = &self.bin {
            let path = std::env::var_os("PATH").unwrap_or_default();
            let dirs = std::iter::once(bin.clone()).chain(std::env::split_paths(&path));
            let joined = std::env::join_paths(dirs).map_err(|e| format!("PATH: {e}"))?;
            command.env("PATH", joined);
        }
        Ok(command)
    }

    /// The program `name` (`schemathesis`, or `python3`: the interpreter
    /// the tools were installed for, whose packages they bring).
    pub fn tool(&self, name: &str) -> Result<PathBuf, String> {
        let found = match &self.bin {
            Some(bin) => Some(bin.join(name)).filter(|p| p.is_file()),
            None => on_path(name),
        };
        found.ok_or_else(|| match &self.bin {
            Some(bin) => format!("`{name}` is not in {}", bin.display()),
            None => format!("`{name}` is not on PATH"),
        })
    }
}

/// The tools, set up at most once per process (and, through a lock file,
/// by one process at a time).
pub fn python_tools() -> Result<&'static PythonTools, String> {
    static TOOLS: OnceLock<Result<PythonTools, String>> = OnceLock::new();
    TOOLS.get_or_init(set_up).as_ref().map_err(Clone::clone)
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn set_up() -> Result<PythonTools, String> {
    let requirements_file = repo_root().join(".ci/requirements.txt");
    let requirements = std::fs::read_to_string(&requirements_file)
        .map_err(|e| format!("{}: {e}", requirements_file.display()))?;
    let programs = programs(&requirements);
    if programs.iter().all(|p| on_path(p).is_some()) {
        return Ok(PythonTools { bin: None });
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target"));
    let venv = target.join("python-tools");
    std::fs::create_dir_all(&target).map_err(|e| format!("{}: {e}", target.display()))?;
    // Test binaries of other crates may set up at the same moment.
    let lock_path = target.join("python-tools.lock");
    let lock = File::create(&lock_path).map_err(|e| format!("{}: {e}", lock_path.display()))?;
    lock.lock()
        .map_err(|e| format!("locking {}: {e}", lock_path.display()))?;
    let marker = venv.join("installed-requirements.txt");
    let bin = venv.join("bin");
    if std::fs::read_to_string(&marker).ok().as_deref() != Some(requirements.as_str()) {
        install(&venv, &requirements_file)?;
        std::fs::write(&marker, &requirements).map_err(|e| format!("{}: {e}", marker.display()))?;
    }
    let tools = PythonTools { bin: Some(bin) };
    for program in &programs {
        tools.tool(program)?;
    }
    Ok(tools)
}

/// The console scripts the requirements give: here each package's name.
fn programs(requirements: &str) -> Vec<String> {
    requirements
        .lines()
        .map(|l| l.split('#').next().unwrap_or_default().trim())
        .filter(|l| !l.is_empty())
        .filter_map(|l| l.split(['=', '<', '>', '~', '[', ';', ' ']).next())
        .map(str::to_string)
        .collect()
}

fn install(venv: &Path, requirements: &Path) -> Result<(), String> {
    let python = on_path("python3").ok_or(
        "the Python tools are not on PATH, and installing them needs `python3`, which is not either",
    )?;
    run(
        Command::new(&python)
            .args(["-m", "venv", "--clear"])
            .arg(venv),
        "creating the virtual environment",
    )?;
    run(
        Command::new(venv.join("bin/python"))
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
            ])
            .arg(requirements),
        "installing .ci/requirements.txt",
    )
}

fn run(command: &mut Command, what: &str) -> Result<(), String> {
    let output = command
        .output()
        .map_err(|e| format!("{what}: cannot run {command:?}: {e}"))?;
    if output.status.success() {
        return Ok(());
    }
    Err(format!(
        "{what} failed ({}):\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    ))
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_are_the_pinned_packages() {
        let text = "# tools\nopenapi-spec-validator==0.9.0\nschemathesis==4.32.5  # fuzzing\n\nopenapi-python-client[extra]>=0.29\n";
        assert_eq!(
            programs(text),
            [
                "openapi-spec-validator",
                "schemathesis",
                "openapi-python-client"
            ]
        );
    }
}
