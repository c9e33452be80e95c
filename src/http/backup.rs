//! `GET /admin/backup`: a consistent snapshot of the running database,
//! streamed (operators only). `baedal backup` is its client; the file's
//! format and how the snapshot stays consistent are in
//! `src/storage/backup.rs`.

use super::caller::Operator;
use super::problem::Problem;
use super::{ApiResult, AppState};
use crate::error::AppError;
use actix_web::{web, HttpResponse};
use std::io::{self, Write};
use tokio::sync::mpsc;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/backup", web::get().to(backup));
}

/// This module's routes in the API's contract (`http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(backup))]
pub(super) struct Api;

/// Bytes per chunk of the response.
const CHUNK: usize = 256 << 10;

type Chunk = Result<web::Bytes, io::Error>;

/// Hands what the backup writes to the response, a chunk at a time; a
/// client that went away ends the backup.
struct ToResponse {
    tx: mpsc::Sender<Chunk>,
    buf: Vec<u8>,
}

impl ToResponse {
    fn send(&mut self) -> io::Result<()> {
        let chunk = web::Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))
    }
}

impl Write for ToResponse {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        self.send()
    }
}

/// A consistent snapshot of the running database, streamed (the format of
/// `baedal backup`; `baedal restore` reads it).
#[utoipa::path(get, path = "/admin/backup", tag = "operations",
    responses(
        (status = 200, description = "The backup file (binary).", content(("application/octet-stream"))),
        (status = 403, description = "Not an operator."),
    ))]
async fn backup(state: web::Data<AppState>, _: Operator) -> ApiResult<HttpResponse> {
    // Refused before anything is answered, so the refusal can be a status.
    let Some(run) = state.db.begin_backup()? else {
        return Err(Problem::from(AppError::unavailable(
            "another backup is being taken; try again once it has ended",
            30,
        )));
    };
    let (tx, rx) = mpsc::channel::<Chunk>(8);
    tokio::task::spawn_blocking(move || {
        let began = run.began();
        let mut out = ToResponse {
            tx: tx.clone(),
            buf: Vec::with_capacity(CHUNK),
        };
        match run.write_to(&mut out) {
            Ok(summary) => tracing::info!(
                "backup taken: {}",
                crate::storage::describe_backup(&summary, began.elapsed())
            ),
            Err(e) => {
                tracing::error!(error = %e, "backup failed");
                // The body ends short of its checksum: a restore refuses it.
                let _ = tx.blocking_send(Err(io::Error::other(e.to_string())));
            }
        }
    });
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    });
    Ok(HttpResponse::Ok()
        .content_type("application/octet-stream")
        .insert_header(("Cache-Control", "no-store"))
        .streaming(body))
}
