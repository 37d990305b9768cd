//! `mms-bench`: runs every benchmark (see the library), and the generator
//! and build phases itself.

/// The allocator `cargo xtask` runs with, so the generator figures are
/// what maintainers get; progenitor, measured in the same process, runs on
/// it too.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    mms_bench::main()
}
