//! The demo stores of `data/stores.json`, loaded on first start.

use crate::actors::entities::shell::execute;
use crate::domain::store::{Store, StoreCommand};
use crate::error::{AppError, AppResult};
use crate::storage::{keys, Db, WriteBatch};

/// The demo stores shipped in the binary.
pub fn stores() -> AppResult<Vec<Store>> {
    serde_json::from_str(include_str!("../data/stores.json"))
        .map_err(|e| AppError::Internal(format!("data/stores.json: {e}")))
}

/// Loads the demo stores once: on first start, and never again (a store the
/// operator already has is left as it is). Runs before any actor starts, so
/// it is the single writer of the stores it adds. Returns how many it added,
/// once they are on disk.
pub async fn load(db: &Db) -> AppResult<usize> {
    if db.contains(keys::DEMO_LOADED)? {
        return Ok(0);
    }
    let mut added = 0;
    for store in stores()? {
        if db.contains(&keys::store(&store.id))? {
            continue;
        }
        let id = store.id.clone();
        execute::<Store>(db, &id, None, &StoreCommand::Register(Box::new(store)))?;
        added += 1;
    }
    let mut done = WriteBatch::new();
    done.put(keys::DEMO_LOADED.to_vec(), &added)?;
    let commit = db.commit(done)?;
    db.acknowledged(commit).await;
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::districts;

    #[test]
    fn demo_stores_are_valid_and_spread_over_seoul() {
        let stores = stores().unwrap();
        assert!(stores.len() >= 20);
        let mut districts_seen = std::collections::HashSet::new();
        for s in &stores {
            s.validate().unwrap_or_else(|e| panic!("{}: {e}", s.id));
            assert!(s.menu.len() >= 3, "{}", s.id);
            if let Some(d) = districts::locate(&s.address) {
                districts_seen.insert(d.name.clone());
            }
        }
        assert!(districts_seen.len() >= 20, "{districts_seen:?}");
    }

    #[tokio::test]
    async fn loading_twice_adds_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open_for_tests(dir.path());
        let n = load(&db).await.unwrap();
        assert_eq!(n, stores().unwrap().len());
        assert_eq!(
            db.horizon().borrow().log_seq,
            n as u64,
            "on disk before it returns"
        );
        assert_eq!(load(&db).await.unwrap(), 0);
        assert_eq!(db.scan::<Store>(keys::STORES).count(), n);
    }
}
