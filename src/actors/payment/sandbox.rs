//! The built-in sandbox payment gateway.
//!
//! It behaves as an external gateway would: it remembers every charge (in
//! its own keys of the same database, on disk before it answers) by the
//! idempotency key it was given, so
//! charging a key twice charges once, and it can be asked later what became
//! of a key. It approves unless a rule says
//! otherwise, and answers after a configurable latency. A charge is recorded
//! before the latency, like a gateway whose approval is slow to come back:
//! the case that makes payment-pending recovery necessary.

use super::gateway::{
    Answer, Gateway, GatewayAdjustment, GatewayCall, GatewayCharge, GatewayError, GatewayRefund,
};
use super::rules::SandboxRules;
use crate::domain::payment::AdjustmentKind;
use crate::domain::payment_key::PaymentKey;
use crate::domain::payment_ledger::RefundCall;
use crate::domain::{OrderId, Won};
use crate::storage::{keys, Db, WriteBatch};
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;

/// An order's account at the gateway, all its charges and refunds summed,
/// and each charge with every refund made of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewayAccount {
    pub order_id: OrderId,
    /// Of the first charge.
    pub transaction_id: String,
    pub charged: Won,
    pub refunded: Won,
    /// What the gateway keeps: charged less refunded. Negative if more was
    /// refunded than charged: the sandbox never clamps, so that an
    /// over-refund shows.
    pub net: i64,
    /// Everything charged was given back.
    pub fully_refunded: bool,
    pub charges: Vec<GatewayTransaction>,
}

/// One charge at the gateway and the refunds made of it, call by call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewayTransaction {
    pub transaction_id: String,
    pub amount: Won,
    /// Won of each refund of it, in key order.
    pub refunds: Vec<Won>,
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

    /// Writes one record of the gateway's books, and answers only once it
    /// is on disk, as an external gateway's own storage would be: in
    /// relaxed mode too, where a crash may take back what baedal wrote
    /// after hearing of the call but not the call itself.
    async fn persist<T: Serialize>(&self, key: Vec<u8>, value: &T) -> Result<(), GatewayError> {
        let mut batch = WriteBatch::new();
        batch
            .put(key, value)
            .map_err(|e| GatewayError::Unavailable(e.to_string()))?;
        let written = self
            .db
            .commit(batch)
            .map_err(|e| GatewayError::Unavailable(e.to_string()))?;
        self.db
            .durable(written)
            .await
            .map_err(|e| GatewayError::Unavailable(e.to_string()))?;
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
            return Err(GatewayError::Unavailable(DOWN.into()));
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

    /// Refunds `call.amount` of the charge `call.transaction_id`, once per
    /// idempotency key, recording the call as received: nothing is clamped
    /// to what the charge still holds. A key used again for another refund
    /// is refused; so is a charge the gateway never made.
    async fn book_refund(
        &self,
        order_id: OrderId,
        call: RefundCall,
    ) -> Result<String, GatewayError> {
        self.delay().await;
        if self.rules.fails_now() {
            return Err(GatewayError::Unavailable(DOWN.into()));
        }
        let key = keys::sandbox_refund(order_id, &call.key);
        let existing = self
            .db
            .get::<GatewayRefund>(&key)
            .map_err(|e| GatewayError::Unavailable(e.to_string()))?;
        if let Some(first) = existing {
            return if first.of == call.transaction_id && first.amount == call.amount {
                Ok(first.transaction_id)
            } else {
                Err(GatewayError::Unavailable(format!(
                    "refund key {} reused for another refund",
                    call.key
                )))
            };
        }
        if let Some(base) = self.lookup_now(order_id)? {
            if base.refunded {
                // Refunded whole by a release before schema 5: everything
                // the order kept, revisions' charges included, with no
                // refund of its own to show. That refund is the answer.
                return Ok(format!("sbx-rf-{order_id:010}"));
            }
        }
        if !self
            .charges_of(order_id)?
            .iter()
            .any(|c| c.transaction_id == call.transaction_id)
        {
            return Err(GatewayError::Unavailable(format!(
                "no charge {} of order {order_id} to refund",
                call.transaction_id
            )));
        }
        let refund = GatewayRefund {
            transaction_id: format!("sbx-rf-{order_id:010}-{}", call.key),
            of: call.transaction_id,
            amount: call.amount,
        };
        self.persist(key, &refund).await?;
        Ok(refund.transaction_id)
    }

    /// What became of the idempotency key `order_id`.
    async fn find_charge(&self, order_id: OrderId) -> Result<Option<GatewayCharge>, GatewayError> {
        self.delay().await;
        if self.rules.fails_now() {
            return Err(GatewayError::Unavailable(DOWN.into()));
        }
        self.charge_as_it_stands(order_id)
    }

    /// The order's charge, `refunded` once refunds of it add up to it.
    fn charge_as_it_stands(
        &self,
        order_id: OrderId,
    ) -> Result<Option<GatewayCharge>, GatewayError> {
        let Some(charge) = self.lookup_now(order_id)? else {
            return Ok(None);
        };
        let refunded: Won = self
            .refunds_of(order_id)?
            .iter()
            .filter(|r| r.of == charge.transaction_id)
            .map(|r| r.amount)
            .sum();
        Ok(Some(GatewayCharge {
            refunded: charge.refunded || refunded >= charge.amount,
            ..charge
        }))
    }

    /// Every charge of `order_id`: the order's own, then its revisions'.
    fn charges_of(&self, order_id: OrderId) -> Result<Vec<GatewayTransaction>, GatewayError> {
        let fail = |e: crate::storage::StorageError| GatewayError::Unavailable(e.to_string());
        let Some(base) = self.lookup_now(order_id)? else {
            return Ok(Vec::new());
        };
        let mut charges = vec![GatewayTransaction {
            transaction_id: base.transaction_id,
            amount: base.amount,
            refunds: Vec::new(),
        }];
        for adj in self
            .db
            .scan::<GatewayAdjustment>(&keys::sandbox_adjustments(order_id))
        {
            let adj = adj.map_err(fail)?.1;
            if adj.delta > 0 {
                charges.push(GatewayTransaction {
                    transaction_id: adj.transaction_id,
                    amount: adj.delta as Won,
                    refunds: Vec::new(),
                });
            }
        }
        Ok(charges)
    }

    /// Every refund of `order_id` the sandbox received since schema 5.
    fn refunds_of(&self, order_id: OrderId) -> Result<Vec<GatewayRefund>, GatewayError> {
        self.db
            .scan::<GatewayRefund>(&keys::sandbox_refunds(order_id))
            .map(|r| {
                r.map(|(_, r)| r)
                    .map_err(|e| GatewayError::Unavailable(e.to_string()))
            })
            .collect()
    }

    /// The gateway's record, read directly (operators and tests).
    pub fn recorded(&self, order_id: OrderId) -> Result<Option<GatewayCharge>, GatewayError> {
        self.charge_as_it_stands(order_id)
    }

    /// Every order's account at the gateway (operators and tests): each
    /// charge with the refunds made of it, what was charged and refunded in
    /// all, and the net the gateway keeps.
    pub fn all_recorded(&self) -> Result<Vec<GatewayAccount>, GatewayError> {
        let mut all = Vec::new();
        for entry in self.db.scan::<GatewayCharge>(keys::SANDBOX_CHARGES) {
            let (k, base) = entry.map_err(|e| GatewayError::Unavailable(e.to_string()))?;
            let order_id = crate::storage::keys::trailing_u64(&k).unwrap_or(0);
            all.push(self.account(order_id, base)?);
        }
        Ok(all)
    }

    fn account(
        &self,
        order_id: OrderId,
        base: GatewayCharge,
    ) -> Result<GatewayAccount, GatewayError> {
        let mut charges = self.charges_of(order_id)?;
        for refund in self.refunds_of(order_id)? {
            if let Some(c) = charges.iter_mut().find(|c| c.transaction_id == refund.of) {
                c.refunds.push(refund.amount);
            }
        }
        let charged: Won = charges.iter().map(|c| c.amount).sum();
        // Before schema 5: partial refunds by order, and a flag for a full
        // refund of whatever was still kept.
        let mut refunded: Won = charges.iter().flat_map(|c| &c.refunds).sum();
        for adj in self
            .db
            .scan::<GatewayAdjustment>(&keys::sandbox_adjustments(order_id))
        {
            let delta = adj
                .map_err(|e| GatewayError::Unavailable(e.to_string()))?
                .1
                .delta;
            if delta < 0 {
                refunded += delta.unsigned_abs();
            }
        }
        if base.refunded {
            refunded = refunded.max(charged);
        }
        Ok(GatewayAccount {
            order_id,
            transaction_id: base.transaction_id,
            charged,
            refunded,
            net: charged as i64 - refunded as i64,
            fully_refunded: charged > 0 && refunded >= charged,
            charges,
        })
    }

    /// A revision's extra charge (positive `delta`), under the idempotency
    /// key (order, attempt, kind). A key used again with another amount is
    /// refused, never answered with the first one's result.
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
            return Err(GatewayError::Unavailable(DOWN.into()));
        }
        let key = keys::sandbox_adjustment(order_id, attempt, kind.tag());
        let existing = self
            .db
            .get::<GatewayAdjustment>(&key)
            .map_err(|e| GatewayError::Unavailable(e.to_string()))?;
        let decline = if delta > 0 {
            self.rules.decline_reason(customer_id, delta as Won)
        } else {
            None
        };
        let answer = match (existing, decline) {
            (Some(adj), _) if adj.delta != delta => {
                return Err(GatewayError::Unavailable(format!(
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
            return Err(GatewayError::Unavailable(DOWN.into()));
        }
        self.db
            .get(&keys::sandbox_adjustment(order_id, attempt, kind.tag()))
            .map_err(|e| GatewayError::Unavailable(e.to_string()))
    }

    fn lookup_now(&self, order_id: OrderId) -> Result<Option<GatewayCharge>, GatewayError> {
        self.db
            .get(&keys::sandbox_charge(order_id))
            .map_err(|e| GatewayError::Unavailable(e.to_string()))
    }
}

/// The sandbox is one gateway: each call runs on its own clone.
impl Gateway for Sandbox {
    fn charge(
        &self,
        order_id: OrderId,
        customer_id: &str,
        amount: Won,
        _: Option<&PaymentKey>,
    ) -> GatewayCall<Answer> {
        let (sandbox, customer_id) = (self.clone(), customer_id.to_string());
        Box::pin(
            async move { Sandbox::book_charge(&sandbox, order_id, &customer_id, amount).await },
        )
    }

    fn refund(&self, order_id: OrderId, call: &RefundCall) -> GatewayCall<String> {
        let (sandbox, call) = (self.clone(), call.clone());
        Box::pin(async move { Sandbox::book_refund(&sandbox, order_id, call).await })
    }

    fn lookup(
        &self,
        order_id: OrderId,
        _: Option<&PaymentKey>,
    ) -> GatewayCall<Option<GatewayCharge>> {
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
        _: Option<&PaymentKey>,
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
        _: Option<&PaymentKey>,
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
        let first = s.charge(1, "kim", 20_000, None).await.unwrap();
        assert_eq!(s.charge(1, "kim", 20_000, None).await.unwrap(), first);
        assert!(matches!(first, Answer::Approved { .. }));
        let big = s.charge(2, "kim", 100_001, None).await.unwrap();
        assert!(matches!(big, Answer::Declined { reason } if reason.contains("100000")));
        assert!(matches!(
            s.charge(3, "broke-lee", 1, None).await.unwrap(),
            Answer::Declined { .. }
        ));
        assert_eq!(s.lookup(2, None).await.unwrap(), None);
        let tx = s.lookup(1, None).await.unwrap().unwrap().transaction_id;
        let call = |key: &str, amount| RefundCall {
            key: key.into(),
            transaction_id: tx.clone(),
            amount,
        };
        let first = s.refund(1, &call("a", 20_000)).await.unwrap();
        assert_eq!(s.refund(1, &call("a", 20_000)).await.unwrap(), first);
        assert!(s.lookup(1, None).await.unwrap().unwrap().refunded);
        let err = s.refund(1, &call("a", 1)).await.unwrap_err();
        assert!(err.to_string().contains("reused"), "{err}");
        // Another key refunds again, unclamped: the books show it.
        s.refund(1, &call("b", 5_000)).await.unwrap();
        let account = &s.all_recorded().unwrap()[0];
        assert_eq!(
            (account.charged, account.refunded, account.net),
            (20_000, 25_000, -5_000)
        );
        assert_eq!(account.charges[0].refunds, [20_000, 5_000]);
        let unknown = RefundCall {
            key: "c".into(),
            transaction_id: "nope".into(),
            amount: 1,
        };
        assert!(s.refund(1, &unknown).await.is_err(), "no such charge");
    }

    #[tokio::test]
    async fn fails_as_told() {
        let (_dir, s) = sandbox(SandboxRules::new(0, None, None));
        s.rules().set_failure_rate(1.0);
        assert!(s.charge(1, "kim", 1, None).await.is_err());
        assert_eq!(
            s.lookup_now(1).unwrap(),
            None,
            "a failed call charges nothing"
        );
        s.rules().set_failure_rate(0.0);
        assert!(matches!(
            s.charge(1, "kim", 1, None).await.unwrap(),
            Answer::Approved { .. }
        ));
    }

    #[tokio::test]
    async fn an_order_refunded_whole_before_schema_5_is_not_refunded_again() {
        let (_dir, s) = sandbox(SandboxRules::new(0, None, None));
        // As a release before schema 5 left it: a charge, a revision's extra
        // charge, and the flag of a refund of everything.
        let mut batch = WriteBatch::new();
        let base = GatewayCharge {
            transaction_id: "sbx-0000000001".into(),
            amount: 38_000,
            refunded: true,
        };
        batch.put(keys::sandbox_charge(1), &base).unwrap();
        let extra = GatewayAdjustment {
            delta: 19_000,
            transaction_id: "sbx-0000000001-7-0".into(),
        };
        batch
            .put(
                keys::sandbox_adjustment(1, 7, AdjustmentKind::ExtraCharge.tag()),
                &extra,
            )
            .unwrap();
        s.db.commit(batch).unwrap();
        let call = RefundCall {
            key: "refund-1-compensation-7".into(),
            transaction_id: extra.transaction_id.clone(),
            amount: 19_000,
        };
        s.refund(1, &call).await.unwrap();
        let account = &s.all_recorded().unwrap()[0];
        assert_eq!(
            (account.charged, account.refunded, account.net),
            (57_000, 57_000, 0)
        );
        assert!(
            account.charges.iter().all(|c| c.refunds.is_empty()),
            "nothing booked again"
        );
    }
}
