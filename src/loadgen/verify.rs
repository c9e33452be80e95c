//! The invariants, checked over HTTP once the load is done: every order
//! ended as it was driven, and its payment agrees, per gateway
//! transaction: every charge is either kept by a live order or refunded
//! exactly once, never more than it was (approved = refunded + kept).

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
    /// Charges (gateway transactions) checked, and the refunds among them.
    pub charges_checked: u64,
    pub refunds_checked: u64,
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
        check_bill(&mut v, id, &order);
        let expected = if o.fate == Fate::Completed {
            "Approved"
        } else {
            "Refunded"
        };
        if payment["status"] != expected {
            v.violations.push(format!(
                "order {id}: payment {} where {expected} was due",
                payment["status"]
            ));
        }
        check_charges(&mut v, id, &payment, o.fate == Fate::Completed, amount);
    }
    if v.approved_won != v.refunded_won + v.kept_won {
        v.violations.push(format!(
            "money: approved {} != refunded {} + kept {}",
            v.approved_won, v.refunded_won, v.kept_won
        ));
    }
    v
}

/// The order's amount is its lines, each with its options, plus its
/// delivery fee (the load generator uses no coupons).
fn check_bill(v: &mut Verified, id: u64, order: &Value) {
    let each = |l: &Value| -> u64 {
        let options: u64 = l["options"]
            .as_array()
            .map(|o| o.iter().map(|o| o["price"].as_u64().unwrap_or(0)).sum())
            .unwrap_or(0);
        (l["unitPrice"].as_u64().unwrap_or(0) + options) * l["qty"].as_u64().unwrap_or(0)
    };
    let lines: u64 = order["items"]
        .as_array()
        .map(|items| items.iter().map(each).sum())
        .unwrap_or(0);
    let fee = order["fees"]["deliveryWon"].as_u64().unwrap_or(0);
    if order["amount"].as_u64() != Some(lines + fee) {
        v.violations.push(format!(
            "order {id}: amount {} is not its lines {lines} + delivery fee {fee}",
            order["amount"]
        ));
    }
}

/// Per gateway transaction: each charge is refunded at most what it was,
/// by confirmed refunds with ids of their own; a live order keeps exactly
/// its amount, an ended one gets every charge back whole, once.
fn check_charges(v: &mut Verified, id: u64, payment: &Value, live: bool, amount: u64) {
    let charges = payment["charges"].as_array().cloned().unwrap_or_default();
    if charges.is_empty() {
        v.violations
            .push(format!("order {id}: a payment without charges"));
    }
    let mut kept = 0;
    for c in &charges {
        v.charges_checked += 1;
        let charged = c["amount"].as_u64().unwrap_or(0);
        let refunds = c["refunds"].as_array().cloned().unwrap_or_default();
        let mut refunded = 0;
        let mut whole = 0;
        for r in &refunds {
            v.refunds_checked += 1;
            refunded += r["amount"].as_u64().unwrap_or(0);
            if r["refundedAt"].is_null() || r["transactionId"].is_null() {
                v.violations.push(format!(
                    "order {id}: refund of {} not confirmed",
                    c["transactionId"]
                ));
            }
            whole += u64::from(r["cause"] == "Order");
        }
        if refunded > charged {
            v.violations.push(format!(
                "order {id}: charge {} of {charged} refunded {refunded}",
                c["transactionId"]
            ));
        }
        if !live && (refunded != charged || whole > 1) {
            v.violations.push(format!(
                "order {id}: charge {} of {charged} got {refunded} back in {} refunds",
                c["transactionId"],
                refunds.len()
            ));
        }
        v.approved_won += charged;
        v.refunded_won += refunded;
        kept += charged.saturating_sub(refunded);
    }
    v.kept_won += kept;
    if live && kept != amount {
        v.violations.push(format!(
            "order {id}: its charges keep {kept} for an order of {amount}"
        ));
    }
}
