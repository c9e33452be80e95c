//! The application's error: a domain refusal, or something that went wrong
//! serving it. `http::problem` maps each to one status code.

use crate::domain::DomainError;
use crate::storage::StorageError;

/// Why a request did not succeed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    /// The domain refused the command.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// Storage failed; nothing was acknowledged.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// Temporarily unable to serve; the client may retry after a while.
    #[error("{message}")]
    Unavailable {
        message: String,
        retry_after_secs: u64,
    },
    /// A bug or a broken invariant.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn unavailable(message: impl Into<String>, retry_after_secs: u64) -> Self {
        AppError::Unavailable {
            message: message.into(),
            retry_after_secs,
        }
    }
}

impl From<actix::MailboxError> for AppError {
    fn from(e: actix::MailboxError) -> Self {
        match e {
            actix::MailboxError::Closed => {
                AppError::unavailable("the service is restarting; try again", 1)
            }
            actix::MailboxError::Timeout => {
                AppError::unavailable("the service is overloaded; try again shortly", 1)
            }
        }
    }
}

/// Results of the application.
pub type AppResult<T> = Result<T, AppError>;
