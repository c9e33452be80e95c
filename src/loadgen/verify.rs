//! The invariants, checked over HTTP once the load is done: every order
//! ended as it was driven, and its payment agrees (approved = refunded +
//! kept).

use super::driver::{Fate, Outcome};
use serde::Serialize;
use serde_json::Value;
use std::time::{Duration, Instant};

/// What the check found.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verified {
    pub orders_checked: u64,
    /// Sum of every checked order's charge.
    pub approved_won: u64,
    pub refunded_won: u64,
    pub kept_won: u64,
    /// What did not hold, one line each (empty: all held).
    pub violations: Vec<String>,
}

/// Waits for the server's subscribers (refunds among them) to catch up.
async fn caught_up(client: &awc::Client, target: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(mut res) = client.get(format!("{target}/health")).send().await {
            if let Ok(health) = res.json::<Value>().await {
                let lag = health["subscriberLag"]
                    .as_object()
                    .cloned()
                    .unwrap_or_default();
                if !lag.is_empty() && lag.values().all(|v| v == 0) {
                    return true;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

async fn get(client: &awc::Client, url: String, token: &str) -> Option<Value> {
    let mut res = client.get(url).bearer_auth(token).send().await.ok()?;
    res.status().is_success().then_some(())?;
    res.json::<Value>().limit(1 << 20).await.ok()
}

/// Checks every outcome's order and payment.
pub async fn check(target: &str, outcomes: &[Outcome]) -> Verified {
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(30))
        .finish();
    let mut v = Verified::default();
    if !caught_up(&client, target).await {
        v.violations
            .push("the server's subscribers did not catch up within 60 s".into());
    }
    for o in outcomes {
        let id = o.order_id;
        v.orders_checked += 1;
        let (Some(order), Some(payment)) = (
            get(&client, format!("{target}/orders/{id}"), &o.customer).await,
            get(&client, format!("{target}/payments/{id}"), &o.customer).await,
        ) else {
            v.violations
                .push(format!("order {id}: order or payment cannot be read"));
            continue;
        };
        if order["status"] != o.fate.status() {
            v.violations.push(format!(
                "order {id}: {} but was driven to {}",
                order["status"],
                o.fate.status()
            ));
        }
        let amount = payment["amount"].as_u64().unwrap_or(0);
        if payment["amount"] != order["amount"] {
            v.violations.push(format!(
                "order {id}: payment {amount} for an order of {}",
                order["amount"]
            ));
        }
        v.approved_won += amount;
        let expected = if o.fate == Fate::Completed {
            "Approved"
        } else {
            "Refunded"
        };
        match payment["status"].as_str() {
            Some("Refunded") => v.refunded_won += amount,
            Some("Approved") => v.kept_won += amount,
            _ => {}
        }
        if payment["status"] != expected {
            v.violations.push(format!(
                "order {id}: payment {} where {expected} was due",
                payment["status"]
            ));
        }
    }
    if v.approved_won != v.refunded_won + v.kept_won {
        v.violations.push(format!(
            "money: approved {} != refunded {} + kept {}",
            v.approved_won, v.refunded_won, v.kept_won
        ));
    }
    v
}
