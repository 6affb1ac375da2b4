//! P17: `weft backup` and `weft restore`. SQLite: an online, consistent copy (`VACUUM INTO`) and
//! a restore that keeps the replaced database beside it. PostgreSQL: `pg_dump`'s custom format
//! and `pg_restore`, the tools every PostgreSQL operator already trusts.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use weft_store::{Backend, Store};

use crate::config::DataArgs;
use crate::startup::open_store;

/// Writes a backup of the instance's database to `to` (which must not exist yet).
pub async fn backup(data: &DataArgs, to: &Path) -> anyhow::Result<()> {
    if to.exists() {
        bail!("{} already exists: choose a new file name", to.display());
    }
    let url = data.database_url();
    match Backend::from_url(&url)? {
        Backend::Sqlite => {
            let store = open_store(&data.data_dir, &url, 1).await?;
            let result = store.backup_sqlite_into(to).await;
            store.close().await;
            result.context("SQLite backup failed")?;
        }
        Backend::Postgres => {
            let status = Command::new("pg_dump")
                .args(["--format=custom", "--no-owner", "--file"])
                .arg(to)
                .arg(&url)
                .status()
                .context("cannot run pg_dump: install PostgreSQL's client tools")?;
            if !status.success() {
                bail!("pg_dump failed ({status})");
            }
        }
    }
    restrict_permissions(to)?;
    Ok(())
}

/// Replaces the instance's database with a backup. Stop `weft serve` first. On SQLite the
/// database it replaces is kept as `weft.sqlite3.before-restore`. Migrations then bring an older
/// backup up to date.
pub async fn restore(data: &DataArgs, from: &Path) -> anyhow::Result<()> {
    if !from.is_file() {
        bail!("{} is not a file", from.display());
    }
    let url = data.database_url();
    match Backend::from_url(&url)? {
        Backend::Sqlite => {
            let mut header = [0_u8; 16];
            use std::io::Read;
            std::fs::File::open(from)?
                .read_exact(&mut header)
                .context("reading the backup")?;
            if &header != b"SQLite format 3\0" {
                bail!("{} is not an SQLite database", from.display());
            }
            let db = sqlite_path(&url)?;
            if db.exists() {
                let aside = db.with_extension("sqlite3.before-restore");
                std::fs::rename(&db, &aside).with_context(|| format!("moving {} aside", db.display()))?;
                println!("The replaced database is kept as {}", aside.display());
            }
            for suffix in ["-wal", "-shm"] {
                let _ = std::fs::remove_file(PathBuf::from(format!("{}{suffix}", db.display())));
            }
            std::fs::create_dir_all(&data.data_dir)?;
            std::fs::copy(from, &db).with_context(|| format!("copying into {}", db.display()))?;
            restrict_permissions(&db)?;
        }
        Backend::Postgres => {
            let status = Command::new("pg_restore")
                .args(["--clean", "--if-exists", "--no-owner", "--exit-on-error", "--dbname"])
                .arg(&url)
                .arg(from)
                .status()
                .context("cannot run pg_restore: install PostgreSQL's client tools")?;
            if !status.success() {
                bail!("pg_restore failed ({status})");
            }
        }
    }
    let store: Store = open_store(&data.data_dir, &url, 1).await?;
    store.close().await;
    Ok(())
}

fn sqlite_path(url: &str) -> anyhow::Result<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .context("not an SQLite URL")?;
    Ok(PathBuf::from(rest.split('?').next().unwrap_or(rest)))
}

/// A backup holds everything: only its owner may read it.
fn restrict_permissions(path: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}
