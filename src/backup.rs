//! `baedal backup` and `baedal restore`: the operator's side of online
//! backups. A backup signs in as an operator, streams `GET /admin/backup`
//! from the running server into a file (written beside it, synced, then
//! renamed into place) and signs out; a restore rebuilds a database from
//! such a file into a new directory (`storage::restore`), for a server to
//! start on.

use clap::Args;
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Options of `baedal backup`.
#[derive(Clone, Debug, Args)]
pub struct BackupArgs {
    /// The running server.
    #[arg(long, default_value = "http://127.0.0.1:8088")]
    pub target: String,
    /// The file to write (replaced only once the backup is whole).
    #[arg(long)]
    pub to: PathBuf,
    /// The operator account to sign in as.
    #[arg(long, default_value = "admin")]
    pub operator: String,
    /// Its password (the server's `--admin-password` for `admin`).
    #[arg(long, env = "BAEDAL_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: String,
}

/// Options of `baedal restore`.
#[derive(Clone, Debug, Args)]
pub struct RestoreArgs {
    /// A file `baedal backup` wrote.
    #[arg(long)]
    pub from: PathBuf,
    /// Where to rebuild the database: a new or empty directory.
    #[arg(long)]
    pub data_dir: PathBuf,
}

/// Why a backup was not written (no file is left behind).
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("cannot reach {0}")]
    Unreachable(String),
    #[error("{0}")]
    Refused(String),
    #[error("cannot write the backup: {0}")]
    File(#[from] std::io::Error),
}

/// Takes a backup; answers a line saying what was written.
pub async fn backup(args: &BackupArgs) -> Result<String, BackupError> {
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(60))
        .finish();
    let target = args.target.trim_end_matches('/');
    let unreachable =
        |e: &dyn std::fmt::Display| BackupError::Unreachable(format!("{target}: {e}"));
    let mut res = client
        .post(format!("{target}/auth/login"))
        .send_json(&json!({ "id": args.operator, "password": args.admin_password }))
        .await
        .map_err(|e| unreachable(&e))?;
    let login: Value = res.json().await.map_err(|e| unreachable(&e))?;
    let Some(token) = login["accessToken"].as_str().map(str::to_string) else {
        return Err(BackupError::Refused(format!(
            "signing in as {} failed: {login}",
            args.operator
        )));
    };
    let began = Instant::now();
    let written = fetch(&client, target, &token, &args.to).await;
    // Signing out ends the session, whether or not the backup worked.
    let _ = client
        .post(format!("{target}/auth/logout"))
        .bearer_auth(&token)
        .send()
        .await;
    let bytes = written?;
    Ok(format!(
        "backed up {target} to {}: {bytes} bytes in {:.1} s",
        args.to.display(),
        began.elapsed().as_secs_f64()
    ))
}

/// Streams the snapshot into `<to>.partial`, syncs it and renames it `to`.
async fn fetch(
    client: &awc::Client,
    target: &str,
    token: &str,
    to: &Path,
) -> Result<u64, BackupError> {
    let mut res = client
        .get(format!("{target}/admin/backup"))
        .bearer_auth(token)
        .timeout(Duration::from_secs(24 * 3600))
        .send()
        .await
        .map_err(|e| BackupError::Unreachable(format!("{target}: {e}")))?;
    if !res.status().is_success() {
        let body = res.body().await.unwrap_or_default();
        return Err(BackupError::Refused(format!(
            "the server refused the backup ({}): {}",
            res.status(),
            String::from_utf8_lossy(&body)
        )));
    }
    let partial = to.with_extension("partial");
    let mut file = std::fs::File::create(&partial)?;
    let mut bytes = 0u64;
    let streamed: Result<(), BackupError> = async {
        while let Some(chunk) = res.next().await {
            let chunk =
                chunk.map_err(|e| BackupError::Refused(format!("the backup broke off: {e}")))?;
            file.write_all(&chunk)?;
            bytes += chunk.len() as u64;
        }
        file.sync_all()?;
        Ok(())
    }
    .await;
    if let Err(e) = streamed {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    std::fs::rename(&partial, to)?;
    Ok(bytes)
}

/// Restores; answers a line saying what was rebuilt.
pub fn restore(args: &RestoreArgs) -> Result<String, crate::storage::RestoreError> {
    let began = Instant::now();
    let done = crate::storage::restore(&args.from, &args.data_dir)?;
    Ok(format!(
        "restored {} into {}: {} frames, {} bytes in {:.1} s",
        args.from.display(),
        args.data_dir.display(),
        done.frames,
        done.bytes,
        began.elapsed().as_secs_f64()
    ))
}
