//! The command line: `weft serve`, `weft migrate`, `weft backup`, `weft restore`, `weft admin create`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::{DataArgs, ServeArgs, ServeConfig};
use crate::startup::{Application, open_store};

/// Weft: a self-hostable place where groups discuss and decide together.
#[derive(Debug, Parser)]
#[command(name = "weft", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web server, background jobs and email delivery.
    Serve(Box<ServeArgs>),
    /// Apply database migrations and exit (serve also does this at start).
    Migrate(DataArgs),
    /// Instance administration.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Write a backup of the database to a new file while Weft keeps running (SQLite: a
    /// consistent copy; PostgreSQL: pg_dump's custom format).
    Backup {
        #[command(flatten)]
        data: DataArgs,
        /// The file to write; it must not exist yet.
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// Fill an empty instance with realistic, deterministic data for benchmarks. Every account's
    /// password is "weft-seed-password".
    Seed {
        #[command(flatten)]
        data: DataArgs,
        #[arg(long, default_value_t = 5_000)]
        users: i64,
        #[arg(long, default_value_t = 200)]
        groups: i64,
        #[arg(long, default_value_t = 20_000)]
        threads: i64,
        #[arg(long, default_value_t = 500_000)]
        comments: i64,
        /// The same seed gives the same instance.
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Benchmark a seeded instance: starts `weft serve` on it and drives it over loopback with
    /// concurrent signed-in clients (run `weft seed` first; raise `ulimit -n` for the live-update
    /// connections).
    Bench {
        #[command(flatten)]
        data: DataArgs,
        /// Seconds per scenario.
        #[arg(long, default_value_t = 10)]
        duration: u64,
        /// Concurrent clients.
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
        /// Idle live-update connections to hold open at the end (0: skip).
        #[arg(long, default_value_t = 10_000)]
        live_connections: usize,
        /// Run only the scenarios whose name contains this text (e.g. "dashboard", "statements");
        /// `|` separates alternatives ("group page|count alone").
        #[arg(long)]
        only: Option<String>,
        /// An environment variable for the server alone, as NAME=VALUE (repeatable), e.g.
        /// MALLOC_ARENA_MAX=2.
        #[arg(long, value_parser = parse_env_pair)]
        server_env: Vec<(String, String)>,
    },
    /// Replace the database with a backup (stop `weft serve` first). SQLite keeps the replaced
    /// file as weft.sqlite3.before-restore.
    Restore {
        #[command(flatten)]
        data: DataArgs,
        /// The backup file.
        #[arg(long)]
        from: std::path::PathBuf,
    },
    /// Inbound mail.
    #[command(subcommand)]
    Mail(MailCommand),
}

#[derive(Debug, Subcommand)]
enum MailCommand {
    /// Reads one message (RFC 5322) on standard input, for a mail server's pipe: a reply to a
    /// notification becomes a comment. Exits 0 once decided (refusals are dropped, never
    /// answered), 75 when it should be tried again.
    Receive {
        #[command(flatten)]
        data: DataArgs,
        #[arg(long, env = "WEFT_BASE_URL", default_value = "http://127.0.0.1:3000")]
        base_url: String,
        #[arg(long, env = "WEFT_REPLY_DOMAIN")]
        reply_domain: Option<String>,
        /// Your receiving mail server's authserv-id: its DMARC verdict lets mail to a group's
        /// public address start a thread.
        #[arg(long, env = "WEFT_INBOUND_AUTHSERV_ID")]
        inbound_authserv_id: Option<String>,
        /// The address the mail server delivered it to (repeatable).
        #[arg(long)]
        recipient: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Create an instance admin (or promote an existing account) and print a one-time log-in link.
    Create {
        #[command(flatten)]
        data: DataArgs,
        /// Email address of the admin.
        #[arg(long)]
        email: String,
        /// Display name (default: the part of the address before @).
        #[arg(long)]
        name: Option<String>,
        /// Public address of the instance, for the link.
        #[arg(long, env = "WEFT_BASE_URL", default_value = "http://127.0.0.1:3000")]
        base_url: String,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("weft: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("weft: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `weft mail receive`: the message on standard input becomes a comment, or is dropped.
async fn receive_mail(
    data: &DataArgs,
    base_url: &str,
    reply_domain: Option<String>,
    inbound_authserv_id: Option<String>,
    recipients: &[String],
) -> anyhow::Result<()> {
    /// sysexits.h EX_TEMPFAIL: the mail server keeps the message and tries again.
    const TEMPFAIL: i32 = 75;
    let mut config = weft_app::AppConfig::new(base_url);
    config.reply_domain = reply_domain
        .map(|d| d.trim().trim_start_matches('@').to_ascii_lowercase())
        .filter(|d| !d.is_empty());
    config.inbound_authserv_id = inbound_authserv_id.filter(|id| !id.trim().is_empty());
    let limit = config.inbound_max_bytes;
    let mut raw = Vec::new();
    // One byte past the limit is enough to know it is too large.
    {
        use std::io::Read;
        std::io::stdin()
            .lock()
            .take(u64::try_from(limit).unwrap_or(u64::MAX) + 1)
            .read_to_end(&mut raw)?;
    }
    let store = match open_store(&data.data_dir, &data.database_url(), 2).await {
        Ok(store) => store,
        Err(e) => {
            eprintln!("weft: the database cannot be reached, try again later: {e:#}");
            std::process::exit(TEMPFAIL);
        }
    };
    let app = weft_app::App::new(store.clone(), config, weft_app::Clock::system());
    let outcome = app.receive_email(&raw, recipients).await;
    store.close().await;
    match outcome {
        Ok(weft_app::inbound::Received::Comment { thread_key, seq }) => {
            println!("comment {seq} in thread {thread_key}");
            Ok(())
        }
        Ok(weft_app::inbound::Received::Thread { thread_key }) => {
            println!("thread {thread_key}");
            Ok(())
        }
        Ok(weft_app::inbound::Received::Refused(why)) => {
            println!("dropped: {}", why.as_str());
            Ok(())
        }
        Err(e) => {
            eprintln!("weft: the message could not be taken, try again later: {e}");
            std::process::exit(TEMPFAIL);
        }
    }
}

fn parse_env_pair(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .filter(|(name, _)| !name.is_empty())
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .ok_or_else(|| format!("expected NAME=VALUE, got {s:?}"))
}

fn init_logging(format: &str, levels: &str) {
    let targets: Targets = levels
        .parse()
        .unwrap_or_else(|_| Targets::new().with_default(tracing::Level::INFO));
    let registry = tracing_subscriber::registry().with(targets);
    if format == "json" {
        registry.with(tracing_subscriber::fmt::layer().json()).init();
    } else {
        registry.with(tracing_subscriber::fmt::layer()).init();
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => {
            init_logging(&args.log_format, &args.log);
            // Issue 19.3: the default of 1 024 open files let 1 100 slow clients lock everyone out.
            if let Some(limit) = weft_web::raise_open_file_limit() {
                tracing::info!(limit, "open-file limit");
            }
            let config = ServeConfig::from(&*args);
            let application = Application::build(config.clone()).await?;
            let addr = application.local_addr();
            let base = application.app().config.base_url.clone();
            println!(
                "Weft is running at {base} (listening on {addr}, {} database)",
                application.app().store.backend().name()
            );
            println!("Data folder: {}", config.data_dir.display());
            match application.outbox_dir() {
                Some(dir) => println!("No SMTP server configured: emails are written to {}", dir.display()),
                None => println!("Emails are sent through SMTP."),
            }
            let users = weft_store::users::count(&mut *application.app().store.reader().await?).await?;
            if users == 0 {
                println!("No accounts yet. Create the first admin with: weft admin create --email you@example.org");
            }
            application.run().await
        }
        Command::Migrate(data) => {
            let store = open_store(&data.data_dir, &data.database_url(), data.database_max_connections).await?;
            println!("Database is up to date ({}).", store.backend().name());
            store.close().await;
            Ok(())
        }
        Command::Backup { data, to } => {
            crate::backup::backup(&data, &to).await?;
            println!("Backup written to {}", to.display());
            Ok(())
        }
        Command::Seed {
            data,
            users,
            groups,
            threads,
            comments,
            seed,
        } => {
            let store = open_store(&data.data_dir, &data.database_url(), data.database_max_connections).await?;
            let size = crate::seed::SeedSize {
                users,
                groups,
                threads,
                comments,
                seed,
            };
            let result = crate::seed::seed(&store, size).await;
            store.close().await;
            result
        }
        Command::Bench {
            data,
            duration,
            concurrency,
            live_connections,
            only,
            server_env,
        } => {
            let report = crate::bench::run(crate::bench::BenchOptions {
                data_dir: data.data_dir.clone(),
                database_url: data.database_url.clone(),
                duration: std::time::Duration::from_secs(duration),
                concurrency: concurrency.max(1),
                live_connections,
                only,
                server_env,
            })
            .await?;
            println!("{report}");
            // A lost comment or email is a failure, not a figure (the CI smoke run relies on it).
            if report.contains("MISMATCH") {
                anyhow::bail!("the benchmark lost writes: see MISMATCH above");
            }
            Ok(())
        }
        Command::Mail(MailCommand::Receive {
            data,
            base_url,
            reply_domain,
            inbound_authserv_id,
            recipient,
        }) => receive_mail(&data, &base_url, reply_domain, inbound_authserv_id, &recipient).await,
        Command::Restore { data, from } => {
            crate::backup::restore(&data, &from).await?;
            println!("Restored from {}", from.display());
            Ok(())
        }
        Command::Admin(AdminCommand::Create {
            data,
            email,
            name,
            base_url,
        }) => {
            let store = open_store(&data.data_dir, &data.database_url(), data.database_max_connections).await?;
            let app = weft_app::App::new(
                store.clone(),
                weft_app::AppConfig::new(&base_url),
                weft_app::Clock::system(),
            );
            let link = app
                .create_admin(&email, name.as_deref())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("Admin ready. Open this link within 15 minutes to log in (it works once):\n{link}");
            store.close().await;
            Ok(())
        }
    }
}
