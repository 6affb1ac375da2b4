//! Building and running `weft serve`: database, migrations, workers, listener, graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::sync::watch;
use weft_app::jobs::Lane;
use weft_app::mailer::Mailer;
use weft_app::{App, AppConfig, Clock};
use weft_mail::Transport;
use weft_store::{Store, StoreOptions};
use weft_web::{AppState, WebConfig};

use crate::config::ServeConfig;

/// A bound, migrated, ready-to-run server. `build` binds first so tests can use port 0.
pub struct Application {
    listener: TcpListener,
    state: AppState,
    mailer: Mailer,
    outbox_dir: Option<std::path::PathBuf>,
    /// The SMTP listener for replies by email, when configured.
    smtp_inbound: Option<TcpListener>,
}

/// Opens the database named in the config (creating the data folder) and migrates it.
pub async fn open_store(data_dir: &std::path::Path, url: &str, max_connections: u32) -> anyhow::Result<Store> {
    create_private_dir(data_dir)?;
    let store = Store::connect(url, &StoreOptions { max_connections })
        .await
        .with_context(|| format!("cannot open the database {}", weft_store::redact_url(url)))?;
    store.migrate().await.context("database migrations failed")?;
    Ok(store)
}

/// The data folder holds personal data: only its owner may read it.
fn create_private_dir(dir: &std::path::Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create the data folder {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("cannot restrict access to {}", dir.display()))?;
    }
    Ok(())
}

impl Application {
    pub async fn build(config: ServeConfig) -> anyhow::Result<Self> {
        Self::build_with_clock(config, Clock::system()).await
    }

    pub async fn build_with_clock(config: ServeConfig, clock: Clock) -> anyhow::Result<Self> {
        let store = open_store(&config.data_dir, &config.database_url, config.database_max_connections).await?;
        let listener = TcpListener::bind(&config.bind)
            .await
            .with_context(|| format!("cannot listen on {}", config.bind))?;
        let addr = listener.local_addr()?;
        let smtp_inbound = match &config.smtp_inbound_bind {
            None => None,
            Some(bind) => {
                anyhow::ensure!(
                    config.reply_domain.is_some(),
                    "WEFT_SMTP_INBOUND_BIND needs WEFT_REPLY_DOMAIN: the listener accepts reply addresses only"
                );
                Some(
                    TcpListener::bind(bind)
                        .await
                        .with_context(|| format!("cannot listen for SMTP on {bind}"))?,
                )
            }
        };
        let base_url = config.base_url.clone().unwrap_or_else(|| format!("http://{addr}"));
        let mut app_config = AppConfig::new(&base_url);
        app_config.instance_name.clone_from(&config.instance_name);
        app_config.third_parties.clone_from(&config.third_parties);
        app_config.dpo_contact.clone_from(&config.dpo_contact);
        app_config.security_log = config.security_log;
        app_config.public_usage = config.public_usage;
        app_config.export_inline_limit = config.export_inline_limit;
        app_config.smtp_host = config.smtp.as_ref().map(|s| s.host.clone());
        app_config.reply_domain.clone_from(&config.reply_domain);
        app_config.inbound_authserv_id.clone_from(&config.inbound_authserv_id);
        app_config.mail_from.clone_from(&config.mail_from);
        app_config.session_idle_timeout = config.session_idle_timeout;
        app_config.session_absolute_timeout = config.session_absolute_timeout;
        app_config.retention = config.retention.clone();
        let (transport, outbox_dir) = match &config.smtp {
            Some(smtp) => (Transport::smtp(smtp).context("SMTP settings")?, None),
            None => {
                let dir = config.data_dir.join("outbox");
                (Transport::files(dir.clone()), Some(dir))
            }
        };
        app_config.outbox_dir.clone_from(&outbox_dir);
        let app = App::new(store, app_config, clock);
        app.rotate_signing_keys().await.context("the signing keys")?;
        let mailer = Mailer::new(app.clone(), transport).map_err(anyhow::Error::msg)?;
        let web = WebConfig {
            trusted_proxies: config.trusted_proxies.clone(),
            rate_limits: config.rate_limits.clone(),
            request_timeout: config.request_timeout,
            connections: config.connections.clone(),
            live_streams_per_client: config.live_streams_per_client,
        };
        Ok(Self {
            listener,
            state: AppState::new(app, web),
            mailer,
            outbox_dir,
            smtp_inbound,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    pub fn app(&self) -> &App {
        &self.state.app
    }

    /// Where the SMTP listener for replies listens, when there is one.
    pub fn smtp_inbound_addr(&self) -> Option<SocketAddr> {
        self.smtp_inbound.as_ref().and_then(|l| l.local_addr().ok())
    }

    /// Where emails go when no SMTP server is configured.
    pub fn outbox_dir(&self) -> Option<&std::path::Path> {
        self.outbox_dir.as_deref()
    }

    /// Serves until Ctrl-C or SIGTERM.
    pub async fn run(self) -> anyhow::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `shutdown` completes, then lets requests in flight and the workers finish.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let mailer = tokio::spawn(self.mailer.run(stop_rx.clone()));
        let quick_jobs = tokio::spawn(self.state.app.clone().run_jobs(Lane::Quick, stop_rx.clone()));
        let long_jobs = tokio::spawn(self.state.app.clone().run_jobs(Lane::Long, stop_rx.clone()));
        let live = tokio::spawn(self.state.app.clone().run_live_listener(stop_rx.clone()));
        let smtp = self.smtp_inbound.map(|listener| {
            let app = self.state.app.clone();
            let host = app.config.reply_domain.clone().unwrap_or_default();
            tokio::spawn(crate::smtp_inbound::serve(listener, app, host, stop_rx.clone()))
        });
        let usage = tokio::spawn(self.state.app.clone().run_usage(stop_rx));
        let store = self.state.app.store.clone();
        weft_web::serve(self.listener, self.state, shutdown)
            .await
            .context("the HTTP server failed")?;
        let _ = stop_tx.send(true);
        let _ = tokio::join!(mailer, quick_jobs, long_jobs, live, usage);
        if let Some(smtp) = smtp {
            let _ = smtp.await;
        }
        store.close().await;
        Ok(())
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
    tracing::info!("shutting down");
}
