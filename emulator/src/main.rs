//! `mms-emulator`: serve every Model Management surface on one port.

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage: mms-emulator [--listen ADDR] [--db PATH | --in-memory] [--token TOKEN]... [--op-delay-ms N]
                    [--tls [--cert PATH]]

  --listen ADDR     where to listen (default 127.0.0.1:8080)
  --db PATH         the SQLite file state lives in (default mms-emulator.db)
  --in-memory       keep state in memory only
  --token TOKEN     a bearer token to accept (repeatable; also MMS_EMULATOR_TOKENS, comma-separated)
  --op-delay-ms N   how long long-running operations take (default 2000)
  --tls             serve HTTPS with a self-signed certificate generated at start
  --cert PATH       where --tls writes that certificate for clients to trust
                    (default mms-emulator-cert.pem)
";

fn main() -> ExitCode {
    tracing_subscriber::fmt().with_target(false).init();
    let mut config = mms_emulator::Config {
        listen: std::net::SocketAddr::from(([127, 0, 0, 1], 8080)),
        db: Some(PathBuf::from("mms-emulator.db")),
        op_delay_ms: 2000,
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
    let mut cert_path = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        let result: Result<(), String> = (|| {
            match arg.as_str() {
                "--listen" => {
                    config.listen = value("--listen")?
                        .parse()
                        .map_err(|e| format!("--listen: {e}"))?
                }
                "--db" => config.db = Some(PathBuf::from(value("--db")?)),
                "--in-memory" => config.db = None,
                "--token" => config.tokens.push(value("--token")?),
                "--op-delay-ms" => {
                    config.op_delay_ms = value("--op-delay-ms")?
                        .parse()
                        .map_err(|e| format!("--op-delay-ms: {e}"))?
                }
                "--tls" => {
                    config.tls.get_or_insert_with(|| mms_emulator::Tls {
                        cert_path: Some(PathBuf::from("mms-emulator-cert.pem")),
                    });
                }
                "--cert" => cert_path = Some(PathBuf::from(value("--cert")?)),
                "-h" | "--help" => {
                    print!("{USAGE}");
                    std::process::exit(0);
                }
                other => return Err(format!("unknown argument `{other}`")),
            }
            Ok(())
        })();
        if let Err(e) = result {
            eprintln!("mms-emulator: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    }
    match (&mut config.tls, cert_path) {
        (Some(tls), Some(path)) => tls.cert_path = Some(path),
        (None, Some(_)) => {
            eprintln!("mms-emulator: --cert needs --tls\n\n{USAGE}");
            return ExitCode::from(2);
        }
        _ => {}
    }
    if config.tokens.is_empty() {
        eprintln!("mms-emulator: no token would be accepted; pass --token TOKEN\n\n{USAGE}");
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
