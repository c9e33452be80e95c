//! The demo stores of `data/stores.json`, loaded on first start, and the
//! demo accounts that go with them: an owner `owner-<storeId>` per store
//! and riders `rider-1` … `rider-20`, all with the password
//! [`DEMO_PASSWORD`]. For local trials only (README).

use crate::actors::entities::shell::execute;
use crate::auth::password;
use crate::domain::access::{Principal, Role};
use crate::domain::account::{Account, AccountCommand};
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
        execute::<Store>(
            db,
            &id,
            None,
            &Principal::System,
            &StoreCommand::Register(Box::new(store)),
        )?;
        added += 1;
    }
    let mut done = WriteBatch::new();
    done.put(keys::DEMO_LOADED.to_vec(), &added)?;
    let commit = db.commit(done)?;
    db.acknowledged(commit).await;
    Ok(added)
}

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "baedal-demo";

/// How many demo riders there are (`rider-1` …).
pub const DEMO_RIDERS: usize = 20;

/// The demo owner of a demo store.
pub fn owner_of(store: &str) -> String {
    format!("owner-{store}")
}

/// Creates an account unless one of that id exists, with the password
/// `hash` gives (asked only then); answers whether it did.
fn ensure_account(
    db: &Db,
    id: &str,
    role: Role,
    name: &str,
    hash: &mut impl FnMut() -> AppResult<String>,
) -> AppResult<bool> {
    let id = id.to_string();
    if db.contains(&keys::account(&id))? {
        return Ok(false);
    }
    let cmd = AccountCommand::SignUp {
        name: name.to_string(),
        role,
        password_hash: hash()?.into(),
    };
    execute::<Account>(db, &id, None, &Principal::System, &cmd)?;
    Ok(true)
}

/// Adds the demo accounts that are missing, and gives each demo store
/// without an owner to its demo owner. Like [`load`], runs before any actor
/// starts. The accounts share one hash of [`DEMO_PASSWORD`] (one salt):
/// hashing each would add seconds to a first start, and these passwords
/// are public anyway. Returns how many accounts it added.
pub async fn accounts(db: &Db) -> AppResult<usize> {
    let mut made: Option<String> = None;
    let mut hash = || -> AppResult<String> {
        if let Some(hash) = &made {
            return Ok(hash.clone());
        }
        let hash = password::hash(DEMO_PASSWORD).map_err(AppError::Internal)?;
        made = Some(hash.clone());
        Ok(hash)
    };
    let mut added = 0;
    for store in stores()? {
        let Some(stored) = db.get::<Store>(&keys::store(&store.id))? else {
            continue;
        };
        let owner = owner_of(&store.id);
        let name = format!("{} 사장님", store.name);
        added += usize::from(ensure_account(db, &owner, Role::Owner, &name, &mut hash)?);
        if stored.owner_id.is_none() {
            let cmd = StoreCommand::SetOwner(owner);
            execute::<Store>(db, &store.id, Some(&stored), &Principal::System, &cmd)?;
        }
    }
    for n in 1..=DEMO_RIDERS {
        let id = format!("rider-{n}");
        let name = format!("라이더 {n}");
        added += usize::from(ensure_account(db, &id, Role::Rider, &name, &mut hash)?);
    }
    db.settled().await;
    Ok(added)
}

/// Creates the operator account `admin` with `password` if there is none.
pub async fn admin(db: &Db, password: &str) -> AppResult<bool> {
    password::validate(password)?;
    let mut hash = || password::hash(password).map_err(AppError::Internal);
    let added = ensure_account(db, "admin", Role::Operator, "operator", &mut hash)?;
    db.settled().await;
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
