//! The accounts a load run acts as, signed in before its clock starts (so
//! password hashing stays out of the measurement): a few customers and one
//! rider per worker, signed up (or, on a database that has them from an
//! earlier run of the same seed, signed in), and the demo owner of every
//! store it orders from.

use super::basket::Store;
use super::{LoadgenArgs, LoadgenError};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Customers each worker orders as, in turn.
pub const CUSTOMERS_PER_WORKER: u64 = 2;

/// Access tokens, by who they speak for.
pub struct Identities {
    /// Per worker: its customers' tokens.
    pub customers: Vec<Vec<Arc<str>>>,
    /// Per worker: its rider's token.
    pub riders: Vec<Arc<str>>,
    /// Per store id: its owner's token.
    pub owners: HashMap<String, Arc<str>>,
}

/// Signs in `id` with `password`; the access token.
async fn login(
    client: &awc::Client,
    target: &str,
    id: &str,
    password: &str,
) -> Result<Arc<str>, String> {
    let mut res = client
        .post(format!("{target}/auth/login"))
        .send_json(&json!({ "id": id, "password": password }))
        .await
        .map_err(|e| e.to_string())?;
    let body: Value = res.json().await.map_err(|e| e.to_string())?;
    match body["accessToken"].as_str() {
        Some(token) if res.status().is_success() => Ok(token.into()),
        _ => Err(format!("cannot sign in as {id}: {body}")),
    }
}

/// Signs `id` up as `role` unless it exists, then signs in.
async fn account(
    client: &awc::Client,
    target: &str,
    id: &str,
    role: &str,
    password: &str,
) -> Result<Arc<str>, String> {
    let res = client
        .post(format!("{target}/auth/signup"))
        .send_json(&json!({ "id": id, "password": password, "role": role, "name": id }))
        .await
        .map_err(|e| e.to_string())?;
    // 409: made by an earlier run of this seed; its password is the same.
    if !(res.status().is_success() || res.status().as_u16() == 409) {
        return Err(format!("cannot sign up {id}: status {}", res.status()));
    }
    login(client, target, id, password).await
}

/// Signs everyone in; keeps only the stores whose owner could sign in.
pub async fn sign_in(
    args: &LoadgenArgs,
    stores: &mut Vec<Store>,
) -> Result<Identities, LoadgenError> {
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(60))
        .finish();
    let target = args.target.as_str();
    let failed = |reason: String| LoadgenError::Unreachable {
        target: target.to_string(),
        reason,
    };
    let password = format!("loadgen-{}-secret", args.seed);
    let mut owners = HashMap::new();
    for store in stores.iter() {
        let owner = format!("owner-{}", store.id);
        if let Ok(token) = login(&client, target, &owner, &args.owner_password).await {
            owners.insert(store.id.clone(), token);
        }
    }
    stores.retain(|s| owners.contains_key(&s.id));
    if stores.is_empty() {
        return Err(LoadgenError::NoStores);
    }
    let mut customers = Vec::new();
    let mut riders = Vec::new();
    for w in 0..args.concurrency {
        let mut mine = Vec::new();
        for k in 0..CUSTOMERS_PER_WORKER {
            let id = format!("lg-{}-c{w}-{k}", args.seed);
            mine.push(
                account(&client, target, &id, "customer", &password)
                    .await
                    .map_err(failed)?,
            );
        }
        customers.push(mine);
        let id = format!("lg-{}-r{w}", args.seed);
        riders.push(
            account(&client, target, &id, "rider", &password)
                .await
                .map_err(failed)?,
        );
    }
    Ok(Identities {
        customers,
        riders,
        owners,
    })
}
