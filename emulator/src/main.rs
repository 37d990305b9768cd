//! `mms-emulator`: serve every Model Management surface on one port.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// Serve every Model Management surface on one port.
#[derive(Debug, Parser)]
#[command(name = "mms-emulator")]
struct Args {
    /// Where to listen
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    listen: std::net::SocketAddr,
    /// The SQLite file state lives in
    #[arg(long, value_name = "PATH", default_value = "mms-emulator.db")]
    db: PathBuf,
    /// Keep state in memory only
    #[arg(long, conflicts_with = "db")]
    in_memory: bool,
    /// A bearer token to accept (repeatable; also MMS_EMULATOR_TOKENS,
    /// comma-separated)
    #[arg(long = "token", value_name = "TOKEN")]
    tokens: Vec<String>,
    /// How long long-running operations take, in milliseconds
    #[arg(long, value_name = "N", default_value_t = 2000)]
    op_delay_ms: u32,
    /// Items per page of a list whose request gives no `count` (1 to 1000)
    #[arg(long, value_name = "N", default_value_t = 100,
          value_parser = clap::value_parser!(u16).range(1..=1000))]
    page_size: u16,
    /// Serve HTTPS with a self-signed certificate generated at start
    #[arg(long)]
    tls: bool,
    /// Where --tls writes that certificate for clients to trust
    #[arg(
        long,
        value_name = "PATH",
        requires = "tls",
        default_value = "mms-emulator-cert.pem"
    )]
    cert: PathBuf,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt().with_target(false).init();
    let args = Args::parse();
    let mut config = mms_emulator::Config {
        listen: args.listen,
        db: (!args.in_memory).then_some(args.db),
        op_delay_ms: i64::from(args.op_delay_ms),
        page_size: usize::from(args.page_size),
        tokens: args.tokens,
        tls: args.tls.then_some(mms_emulator::Tls {
            cert_path: Some(args.cert),
        }),
        ..Default::default()
    };
    if let Ok(tokens) = std::env::var("MMS_EMULATOR_TOKENS") {
        config.tokens.extend(
            tokens
                .split(',')
                .filter(|t| !t.is_empty())
                .map(str::to_string),
        );
    }
    if config.tokens.is_empty() {
        eprintln!("mms-emulator: no token would be accepted; pass --token TOKEN (see --help)");
        return ExitCode::from(2);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("mms-emulator: {e}");
            return ExitCode::from(1);
        }
    };
    let tls_cert_path = config.tls.as_ref().and_then(|t| t.cert_path.clone());
    runtime.block_on(async move {
        let running = match mms_emulator::start(config).await {
            Ok(r) => r,
            Err(e) => {
                eprintln!("mms-emulator: {e}");
                return ExitCode::from(1);
            }
        };
        if let Some(path) = tls_cert_path {
            println!(
                "mms-emulator: self-signed certificate written to {} (add it to your client's trusted roots)",
                path.display()
            );
        }
        println!("mms-emulator listening on {}", running.base_url());
        let _ = tokio::signal::ctrl_c().await;
        println!("mms-emulator: shutting down");
        running.shutdown().await;
        ExitCode::SUCCESS
    })
}
