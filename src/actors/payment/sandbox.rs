//! The built-in sandbox payment gateway.
//!
//! It behaves as an external gateway would: it remembers every charge (in
//! its own keys of the same database, durable no later than whatever baedal
//! writes after hearing of it) by the idempotency key it was given, so
//! charging a key twice charges once, and it can be asked later what became
//! of a key. It approves unless a rule says
//! otherwise, and answers after a configurable latency. A charge is recorded
//! before the latency, like a gateway whose approval is slow to come back:
//! the case that makes payment-pending recovery necessary.

use super::gateway::{
    Answer, Gateway, GatewayAdjustment, GatewayCall, GatewayCharge, GatewayError,
};
use super::rules::SandboxRules;
use crate::domain::payment::AdjustmentKind;
use crate::domain::{OrderId, Won};
use crate::storage::{keys, Db, WriteBatch};
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;

/// An order's account at the gateway, all its charges and refunds summed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewayAccount {
    pub order_id: OrderId,
    /// Of the first charge.
    pub transaction_id: String,
    pub charged: Won,
    pub refunded: Won,
    /// What the gateway keeps: charged less refunded.
    pub net: Won,
    pub fully_refunded: bool,
}

const DOWN: &str = "the payment gateway is not answering";

/// The sandbox gateway.
#[derive(Clone)]
pub struct Sandbox {
    rules: Arc<SandboxRules>,
    db: Db,
}

impl Sandbox {
    pub fn new(rules: SandboxRules, db: Db) -> Self {
        Sandbox {
            rules: Arc::new(rules),
            db,
        }
    }

    pub fn rules(&self) -> &SandboxRules {
        &self.rules
    }

    async fn delay(&self) {
        let ms = self.rules.latency_ms();
        if ms > 0 {
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
    }

    async fn remember(
        &self,
        order_id: OrderId,
        charge: &GatewayCharge,
    ) -> Result<(), GatewayError> {
        self.persist(keys::sandbox_charge(order_id), charge).await
    }

    /// Writes one record of the gateway's books.
    ///
    /// It does not wait for the flush: the books share baedal's disk, and
    /// sled recovers a prefix of its writes, so anything baedal writes after
    /// this answer (the placement, a refund's offset) is durable only if
    /// this record is. A crash before then forgets the charge together with
    /// everything that knew of it, as if the call had never been made.
    async fn persist<T: Serialize>(&self, key: Vec<u8>, value: &T) -> Result<(), GatewayError> {
        let mut batch = WriteBatch::new();
        batch
            .put(key, value)
            .map_err(|e| GatewayError(e.to_string()))?;
        self.db
            .commit(batch)
            .map_err(|e| GatewayError(e.to_string()))?;
        Ok(())
    }

    /// Charges `amount` under the idempotency key `order_id`.
    async fn book_charge(
        &self,
        order_id: OrderId,
        customer_id: &str,
        amount: Won,
    ) -> Result<Answer, GatewayError> {
        if self.rules.fails_now() {
            self.delay().await;
            return Err(GatewayError(DOWN.into()));
        }
        let answer = match self.lookup_now(order_id)? {
            Some(existing) => Answer::Approved {
                transaction_id: existing.transaction_id,
            },
            None => match self.rules.decline_reason(customer_id, amount) {
                Some(reason) => Answer::Declined { reason },
                None => {
                    let charge = GatewayCharge {
                        transaction_id: format!("sbx-{order_id:010}"),
                        amount,
                        refunded: false,
                    };
                    self.remember(order_id, &charge).await?;
                    Answer::Approved {
                        transaction_id: charge.transaction_id,
                    }
                }
            },
        };
        self.delay().await;
        Ok(answer)
    }

    /// Gives back everything still kept for `order_id` (its charge and any
    /// revision's, less partial refunds); refunding twice refunds once.
    async fn book_refund(&self, order_id: OrderId) -> Result<(), GatewayError> {
        self.delay().await;
        if self.rules.fails_now() {
            return Err(GatewayError(DOWN.into()));
        }
        match self.lookup_now(order_id)? {
            Some(charge) if !charge.refunded => {
                self.remember(
                    order_id,
                    &GatewayCharge {
                        refunded: true,
                        ..charge
                    },
                )
                .await
            }
            Some(_) => Ok(()),
            None => Err(GatewayError(format!(
                "no charge under order {order_id} to refund"
            ))),
        }
    }

    /// What became of the idempotency key `order_id`.
    async fn find_charge(&self, order_id: OrderId) -> Result<Option<GatewayCharge>, GatewayError> {
        self.delay().await;
        if self.rules.fails_now() {
            return Err(GatewayError(DOWN.into()));
        }
        self.lookup_now(order_id)
    }

    /// The gateway's record, read directly (operators and tests).
    pub fn recorded(
        &self,
        order_id: OrderId,
    ) -> Result<Option<GatewayCharge>, crate::storage::StorageError> {
        self.db.get(&keys::sandbox_charge(order_id))
    }

    /// Every order's account at the gateway (operators and tests): what
    /// was charged and refunded in all, and the net the gateway keeps.
    pub fn all_recorded(&self) -> Result<Vec<GatewayAccount>, crate::storage::StorageError> {
        let mut all = Vec::new();
        for entry in self.db.scan::<GatewayCharge>(keys::SANDBOX_CHARGES) {
            let (k, base) = entry?;
            let order_id = crate::storage::keys::trailing_u64(&k).unwrap_or(0);
            let (mut charged, mut refunded) = (base.amount, 0u64);
            for adj in self
                .db
                .scan::<GatewayAdjustment>(&keys::sandbox_adjustments(order_id))
            {
                let delta = adj?.1.delta;
                if delta >= 0 {
                    charged += delta as u64;
                } else {
                    refunded += delta.unsigned_abs();
                }
            }
            // A full refund gives back whatever was still kept.
            if base.refunded {
                refunded = charged;
            }
            all.push(GatewayAccount {
                order_id,
                transaction_id: base.transaction_id,
                charged,
                refunded,
                net: charged - refunded.min(charged),
                fully_refunded: base.refunded,
            });
        }
        Ok(all)
    }

    /// A revision's extra charge (positive `delta`) or partial refund
    /// (negative), under the idempotency key (order, attempt, kind). A key
    /// used again with another amount is refused, never answered with the
    /// first one's result.
    async fn book_adjustment(
        &self,
        order_id: OrderId,
        attempt: u64,
        kind: AdjustmentKind,
        customer_id: &str,
        delta: i64,
    ) -> Result<Answer, GatewayError> {
        if self.rules.fails_now() {
            self.delay().await;
            return Err(GatewayError(DOWN.into()));
        }
        let key = keys::sandbox_adjustment(order_id, attempt, kind.tag());
        let existing = self
            .db
            .get::<GatewayAdjustment>(&key)
            .map_err(|e| GatewayError(e.to_string()))?;
        let decline = if delta > 0 {
            self.rules.decline_reason(customer_id, delta as Won)
        } else {
            None
        };
        let answer = match (existing, decline) {
            (Some(adj), _) if adj.delta != delta => {
                return Err(GatewayError(format!(
                    "idempotency key of order {order_id} reused with another amount"
                )))
            }
            (Some(adj), _) => Answer::Approved {
                transaction_id: adj.transaction_id,
            },
            (None, Some(reason)) => Answer::Declined { reason },
            (None, None) => {
                let adj = GatewayAdjustment {
                    delta,
                    transaction_id: format!("sbx-{order_id:010}-{attempt}-{}", kind.tag()),
                };
                self.persist(key, &adj).await?;
                Answer::Approved {
                    transaction_id: adj.transaction_id,
                }
            }
        };
        self.delay().await;
        Ok(answer)
    }

    /// What became of the key (order, attempt, kind).
    async fn find_adjustment(
        &self,
        order_id: OrderId,
        attempt: u64,
        kind: AdjustmentKind,
    ) -> Result<Option<GatewayAdjustment>, GatewayError> {
        self.delay().await;
        if self.rules.fails_now() {
            return Err(GatewayError(DOWN.into()));
        }
        self.db
            .get(&keys::sandbox_adjustment(order_id, attempt, kind.tag()))
            .map_err(|e| GatewayError(e.to_string()))
    }

    fn lookup_now(&self, order_id: OrderId) -> Result<Option<GatewayCharge>, GatewayError> {
        self.db
            .get(&keys::sandbox_charge(order_id))
            .map_err(|e| GatewayError(e.to_string()))
    }
}

/// The sandbox is one gateway: each call runs on its own clone.
impl Gateway for Sandbox {
    fn charge(&self, order_id: OrderId, customer_id: &str, amount: Won) -> GatewayCall<Answer> {
        let (sandbox, customer_id) = (self.clone(), customer_id.to_string());
        Box::pin(
            async move { Sandbox::book_charge(&sandbox, order_id, &customer_id, amount).await },
        )
    }

    fn refund(&self, order_id: OrderId) -> GatewayCall<()> {
        let sandbox = self.clone();
        Box::pin(async move { Sandbox::book_refund(&sandbox, order_id).await })
    }

    fn lookup(&self, order_id: OrderId) -> GatewayCall<Option<GatewayCharge>> {
        let sandbox = self.clone();
        Box::pin(async move { Sandbox::find_charge(&sandbox, order_id).await })
    }

    fn adjust(
        &self,
        order_id: OrderId,
        attempt: u64,
        kind: AdjustmentKind,
        customer_id: &str,
        delta: i64,
    ) -> GatewayCall<Answer> {
        let (sandbox, customer_id) = (self.clone(), customer_id.to_string());
        Box::pin(async move {
            Sandbox::book_adjustment(&sandbox, order_id, attempt, kind, &customer_id, delta).await
        })
    }

    fn lookup_adjustment(
        &self,
        order_id: OrderId,
        attempt: u64,
        kind: AdjustmentKind,
    ) -> GatewayCall<Option<GatewayAdjustment>> {
        let sandbox = self.clone();
        Box::pin(async move { Sandbox::find_adjustment(&sandbox, order_id, attempt, kind).await })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{Durability, StorageConfig};

    fn sandbox(rules: SandboxRules) -> (tempfile::TempDir, Sandbox) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&StorageConfig {
            path: dir.path().join("db"),
            durability: Durability::Durable,
            cache_capacity_bytes: 8 << 20,
        })
        .unwrap();
        (dir, Sandbox::new(rules, db))
    }

    #[tokio::test]
    async fn charges_once_per_key_and_declines_by_rule() {
        let (_dir, s) = sandbox(SandboxRules::new(0, Some(100_000), Some("broke-".into())));
        let first = s.charge(1, "kim", 20_000).await.unwrap();
        assert_eq!(s.charge(1, "kim", 20_000).await.unwrap(), first);
        assert!(matches!(first, Answer::Approved { .. }));
        let big = s.charge(2, "kim", 100_001).await.unwrap();
        assert!(matches!(big, Answer::Declined { reason } if reason.contains("100000")));
        assert!(matches!(
            s.charge(3, "broke-lee", 1).await.unwrap(),
            Answer::Declined { .. }
        ));
        assert_eq!(s.lookup(2).await.unwrap(), None);
        s.refund(1).await.unwrap();
        s.refund(1).await.unwrap();
        assert!(s.lookup(1).await.unwrap().unwrap().refunded);
        assert!(s.refund(3).await.is_err(), "nothing to refund");
    }

    #[tokio::test]
    async fn fails_as_told() {
        let (_dir, s) = sandbox(SandboxRules::new(0, None, None));
        s.rules().set_failure_rate(1.0);
        assert!(s.charge(1, "kim", 1).await.is_err());
        assert_eq!(
            s.lookup_now(1).unwrap(),
            None,
            "a failed call charges nothing"
        );
        s.rules().set_failure_rate(0.0);
        assert!(matches!(
            s.charge(1, "kim", 1).await.unwrap(),
            Answer::Approved { .. }
        ));
    }
}
