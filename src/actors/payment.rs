//! The payment actor and the built-in sandbox gateway.
//!
//! Charges and refunds carry the order id as idempotency key: the same key
//! charged twice is charged once, and refunded twice is refunded once.

use crate::domain::{OrderId, Won};
use crate::error::{AppError, AppResult};
use actix::prelude::*;
use dashmap::DashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Charge a customer for an order.
#[derive(Clone, Debug, Message)]
#[rtype(result = "ChargeOutcome")]
pub struct Charge {
    pub order_id: OrderId,
    pub customer_id: String,
    pub amount: Won,
}

/// What the gateway answered to a charge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChargeOutcome {
    Approved {
        transaction_id: String,
    },
    Declined {
        reason: String,
    },
    /// The gateway could not be reached or failed; nothing was charged.
    Unavailable {
        reason: String,
    },
}

/// Give an order's charge back.
#[derive(Clone, Debug, Message)]
#[rtype(result = "AppResult<()>")]
pub struct Refund {
    pub order_id: OrderId,
}

/// The sandbox's rules, adjustable while running (for fault injection).
#[derive(Debug, Default)]
pub struct SandboxRules {
    latency_ms: AtomicU64,
    /// Share of calls that fail as if the gateway were down, as f64 bits.
    failure_rate: AtomicU64,
    /// Decline charges above this amount (0: never).
    decline_over: AtomicU64,
    decline_prefix: Option<String>,
}

impl SandboxRules {
    pub fn new(latency_ms: u64, decline_over: Option<Won>, decline_prefix: Option<String>) -> Self {
        SandboxRules {
            latency_ms: AtomicU64::new(latency_ms),
            failure_rate: AtomicU64::new(0f64.to_bits()),
            decline_over: AtomicU64::new(decline_over.unwrap_or(0)),
            decline_prefix,
        }
    }

    pub fn set_latency_ms(&self, ms: u64) {
        self.latency_ms.store(ms, Ordering::Relaxed);
    }

    pub fn latency_ms(&self) -> u64 {
        self.latency_ms.load(Ordering::Relaxed)
    }

    /// Makes this share of calls (0.0–1.0) fail as if the gateway were down.
    pub fn set_failure_rate(&self, rate: f64) {
        self.failure_rate
            .store(rate.clamp(0.0, 1.0).to_bits(), Ordering::Relaxed);
    }

    pub fn failure_rate(&self) -> f64 {
        f64::from_bits(self.failure_rate.load(Ordering::Relaxed))
    }

    fn fails_now(&self) -> bool {
        let rate = self.failure_rate();
        rate > 0.0 && fastrand::f64() < rate
    }

    fn decline_reason(&self, charge: &Charge) -> Option<String> {
        let over = self.decline_over.load(Ordering::Relaxed);
        if over > 0 && charge.amount > over {
            return Some(format!("the card limit of {over} won is exceeded"));
        }
        match &self.decline_prefix {
            Some(prefix) if charge.customer_id.starts_with(prefix.as_str()) => {
                Some("the card was declined by its issuer".to_string())
            }
            _ => None,
        }
    }
}

/// One charge as the sandbox remembers it.
#[derive(Clone, Debug)]
struct Ledger {
    transaction_id: String,
    refunded: bool,
}

/// A payment gateway that lives in the process: approves unless a rule
/// says otherwise, after a configurable latency.
#[derive(Clone, Default)]
pub struct Sandbox {
    rules: Arc<SandboxRules>,
    ledger: Arc<DashMap<OrderId, Ledger>>,
}

impl Sandbox {
    pub fn new(rules: SandboxRules) -> Self {
        Sandbox {
            rules: Arc::new(rules),
            ledger: Arc::default(),
        }
    }

    pub fn rules(&self) -> &SandboxRules {
        &self.rules
    }

    async fn delay(&self) {
        let ms = self.rules.latency_ms.load(Ordering::Relaxed);
        if ms > 0 {
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
    }

    async fn charge(&self, charge: Charge) -> ChargeOutcome {
        self.delay().await;
        if self.rules.fails_now() {
            return ChargeOutcome::Unavailable {
                reason: "the payment gateway is not answering".into(),
            };
        }
        if let Some(existing) = self.ledger.get(&charge.order_id) {
            return ChargeOutcome::Approved {
                transaction_id: existing.transaction_id.clone(),
            };
        }
        if let Some(reason) = self.rules.decline_reason(&charge) {
            return ChargeOutcome::Declined { reason };
        }
        let transaction_id = format!("sbx-{:010}", charge.order_id);
        self.ledger.insert(
            charge.order_id,
            Ledger {
                transaction_id: transaction_id.clone(),
                refunded: false,
            },
        );
        ChargeOutcome::Approved { transaction_id }
    }

    async fn refund(&self, order_id: OrderId) -> AppResult<()> {
        self.delay().await;
        if self.rules.fails_now() {
            return Err(AppError::unavailable(
                "the payment gateway is not answering",
                1,
            ));
        }
        // The sandbox's memory does not survive a restart; a refund of a
        // charge it forgot is accepted, as the real record is ours.
        if let Some(mut entry) = self.ledger.get_mut(&order_id) {
            entry.refunded = true;
        }
        Ok(())
    }
}

/// The payment actor: calls the gateway, many calls in flight at once.
pub struct PaymentActor {
    gateway: Sandbox,
}

impl PaymentActor {
    pub fn new(gateway: Sandbox) -> Self {
        PaymentActor { gateway }
    }
}

impl Actor for PaymentActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        ctx.set_mailbox_capacity(4096);
    }
}

impl Handler<Charge> for PaymentActor {
    type Result = ResponseFuture<ChargeOutcome>;

    fn handle(&mut self, msg: Charge, _: &mut Context<Self>) -> Self::Result {
        let gateway = self.gateway.clone();
        Box::pin(async move { gateway.charge(msg).await })
    }
}

impl Handler<Refund> for PaymentActor {
    type Result = ResponseFuture<AppResult<()>>;

    fn handle(&mut self, msg: Refund, _: &mut Context<Self>) -> Self::Result {
        let gateway = self.gateway.clone();
        Box::pin(async move {
            gateway
                .refund(msg.order_id)
                .await
                .map_err(|e| AppError::unavailable(format!("refund failed: {e}"), 1))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn charge(order_id: OrderId, customer: &str, amount: Won) -> Charge {
        Charge {
            order_id,
            customer_id: customer.into(),
            amount,
        }
    }

    #[tokio::test]
    async fn approves_once_per_key_and_declines_by_rule() {
        let sandbox = Sandbox::new(SandboxRules::new(0, Some(100_000), Some("broke-".into())));
        let first = sandbox.charge(charge(1, "kim", 20_000)).await;
        let again = sandbox.charge(charge(1, "kim", 20_000)).await;
        assert_eq!(first, again);
        assert!(matches!(first, ChargeOutcome::Approved { .. }));
        let big = sandbox.charge(charge(2, "kim", 100_001)).await;
        assert!(matches!(big, ChargeOutcome::Declined { reason } if reason.contains("100000")));
        let broke = sandbox.charge(charge(3, "broke-lee", 1_000)).await;
        assert!(matches!(broke, ChargeOutcome::Declined { .. }));
        sandbox.refund(1).await.unwrap();
        assert!(sandbox.ledger.get(&1).unwrap().refunded);
    }

    #[tokio::test]
    async fn fails_as_told() {
        let sandbox = Sandbox::new(SandboxRules::new(0, None, None));
        sandbox.rules().set_failure_rate(1.0);
        assert!(matches!(
            sandbox.charge(charge(1, "kim", 1)).await,
            ChargeOutcome::Unavailable { .. }
        ));
        assert!(sandbox.refund(1).await.is_err());
        sandbox.rules().set_failure_rate(0.0);
        assert!(matches!(
            sandbox.charge(charge(1, "kim", 1)).await,
            ChargeOutcome::Approved { .. }
        ));
    }
}
