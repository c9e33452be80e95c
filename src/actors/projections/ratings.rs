//! Store ratings, kept from the log's review events.

use crate::actors::projections::{Deps, Projection};
use crate::domain::rating::Rating;
use crate::domain::wallet::WalletEvent;
use crate::domain::{Event, LogRecord};
use crate::error::AppResult;
use crate::storage::{keys, Db, Staged, StorageError};

/// The ratings subscriber.
#[derive(Default)]
pub struct Ratings;

impl Projection for Ratings {
    const NAME: &'static str = "ratings";

    fn build(_deps: &Deps) -> AppResult<Self> {
        Ok(Ratings)
    }

    fn apply(&mut self, record: &LogRecord, staged: &mut Staged<'_>) -> AppResult<()> {
        let (review, delta) = match &record.event {
            Event::Wallet {
                event: WalletEvent::ReviewWritten { review, .. },
                ..
            } => (review, 1),
            Event::Wallet {
                event: WalletEvent::ReviewDeleted { review, .. },
                ..
            } => (review, -1),
            _ => return Ok(()),
        };
        let key = keys::rating(&review.store_id);
        let current = staged
            .get::<Rating>(&key)?
            .unwrap_or_else(|| Rating::new(&review.store_id));
        staged.put(key, &current.count_review(review.rating, delta))?;
        Ok(())
    }
}

/// A store's rating (none yet: zero reviews).
pub fn rating(db: &Db, store_id: &str) -> Result<Rating, StorageError> {
    Ok(db
        .get(&keys::rating(store_id))?
        .unwrap_or_else(|| Rating::new(store_id)))
}
