//! `mms-bench-client`: the client phases (`--phase client`, `--phase
//! stream`), on the system allocator, as an application calling the
//! client typically runs. `mms-bench` starts it.

fn main() -> std::process::ExitCode {
    mms_bench::main()
}
