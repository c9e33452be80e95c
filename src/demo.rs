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

/// What the demo data added.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Loaded {
    pub stores: usize,
    pub accounts: usize,
}

/// Loads the demo stores and their demo accounts once: on first start, and
/// never again (a store or account the operator already has is left as it
/// is). A database that loaded the demo stores before accounts existed gets
/// no demo accounts: their password is public. Runs before any actor
/// starts, so it is the single writer of what it adds. Answers once it is on
/// disk; the mark that it is done is written last, so a start cut short
/// loads the rest the next time.
pub async fn load(db: &Db) -> AppResult<Loaded> {
    if db.contains(keys::DEMO_LOADED)? {
        return Ok(Loaded::default());
    }
    let mut added = 0;
    for mut store in stores()? {
        if db.contains(&keys::store(&store.id))? {
            continue;
        }
        store.owner_id = Some(owner_of(&store.id));
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
    // Hashed on the password threads, not this one (which would keep
    // argon2's 19 MiB for good): see `auth::hashing`.
    let hash = crate::auth::hashing::run(|| password::hash(DEMO_PASSWORD))
        .await
        .map_err(AppError::Internal)?
        .map_err(AppError::Internal)?;
    let accounts = accounts(db, &hash)?;
    let mut done = WriteBatch::new();
    done.put(keys::DEMO_LOADED.to_vec(), &added)?;
    let commit = db.commit(done)?;
    db.durable(commit).await?;
    Ok(Loaded {
        stores: added,
        accounts,
    })
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

/// Adds the demo accounts that are missing (part of [`load`]): an owner
/// for each demo store there is, and the riders. The accounts share
/// one hash of [`DEMO_PASSWORD`] (one salt), `demo_hash`: hashing each
/// would add seconds to a first start, and these passwords are public
/// anyway. Returns how many accounts it added.
fn accounts(db: &Db, demo_hash: &str) -> AppResult<usize> {
    let mut hash = || -> AppResult<String> { Ok(demo_hash.to_string()) };
    let mut added = 0;
    for store in stores()? {
        if !db.contains(&keys::store(&store.id))? {
            continue;
        }
        let name = format!("{} 사장님", store.name);
        let owner = owner_of(&store.id);
        added += usize::from(ensure_account(db, &owner, Role::Owner, &name, &mut hash)?);
    }
    for n in 1..=DEMO_RIDERS {
        let id = format!("rider-{n}");
        let name = format!("라이더 {n}");
        added += usize::from(ensure_account(db, &id, Role::Rider, &name, &mut hash)?);
    }
    Ok(added)
}

/// Creates the operator account `admin` with `password` if there is none.
pub async fn admin(db: &Db, password: &str) -> AppResult<bool> {
    password::validate(password)?;
    if let Some(taken) = db.get::<Account>(&keys::account("admin"))? {
        if taken.role != Role::Operator {
            tracing::warn!(role = %taken.role, "an account named admin exists and is no operator's: --admin-password made no operator");
        }
        return Ok(false);
    }
    let owned = password.to_string();
    let made = crate::auth::hashing::run(move || password::hash(&owned))
        .await
        .map_err(AppError::Internal)?
        .map_err(AppError::Internal)?;
    let mut hash = || -> AppResult<String> { Ok(made.clone()) };
    let added = ensure_account(db, "admin", Role::Operator, "operator", &mut hash)?;
    db.settled().await?;
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
        let loaded = load(&db).await.unwrap();
        let n = loaded.stores;
        assert_eq!(n, stores().unwrap().len());
        assert_eq!(loaded.accounts, n + DEMO_RIDERS);
        assert_eq!(
            db.horizon().borrow().log_seq,
            n as u64,
            "on disk before it returns"
        );
        assert_eq!(load(&db).await.unwrap(), Loaded::default());
        assert_eq!(db.scan::<Store>(keys::STORES).count(), n);
    }
}
