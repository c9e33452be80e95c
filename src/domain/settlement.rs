//! The payment saga's decisions: what to do with what the gateway answered.
//!
//! Checkout and revision both call the gateway between two writes: a
//! pending record before (so a crash cannot forget the call) and the
//! outcome after. These tables say, for each answer, what happens to the
//! order and its money; the order actor only carries them out (the writes
//! and the gateway calls). Each has a unit test per row.

use super::Timestamp;

/// What the gateway answered to a charge or a refund.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChargeOutcome {
    Approved {
        transaction_id: String,
    },
    Declined {
        reason: String,
    },
    /// Not charged: the gateway failed or the breaker refused the call.
    Unavailable {
        reason: String,
        retry_after_secs: u64,
    },
    /// The call timed out: it may have been charged. Resolved later.
    Unknown {
        reason: String,
    },
}

/// What a checkout does with its charge's outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlacementStep {
    /// Charged: place the order under this transaction.
    Place { transaction_id: String },
    /// Declined: close the payment as declined; no order (402).
    CloseDeclined { reason: String },
    /// Not charged: close the payment as failed; the customer may pay
    /// again (503 with `Retry-After`).
    CloseFailed {
        reason: String,
        retry_after_secs: u64,
    },
    /// Perhaps charged: keep the pending record, marked abandoned, so that
    /// a charge found later is refunded, not made an order (503).
    Abandon { reason: String },
}

/// The placement table: one step per gateway answer.
pub fn settle_placement(outcome: ChargeOutcome) -> PlacementStep {
    match outcome {
        ChargeOutcome::Approved { transaction_id } => PlacementStep::Place { transaction_id },
        ChargeOutcome::Declined { reason } => PlacementStep::CloseDeclined { reason },
        ChargeOutcome::Unavailable {
            reason,
            retry_after_secs,
        } => PlacementStep::CloseFailed {
            reason,
            retry_after_secs,
        },
        ChargeOutcome::Unknown { reason } => PlacementStep::Abandon { reason },
    }
}

/// What the gateway's books hold for a pending payment's charge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundCharge {
    pub transaction_id: String,
    /// Already given back at the gateway.
    pub refunded: bool,
}

/// How a pending payment left by a crash or a timeout is settled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PendingPaymentStep {
    /// Never charged: close the payment as failed.
    Drop,
    /// Charged, and the customer was not told it failed: place the order.
    Place { transaction_id: String },
    /// Charged and already refunded: record both, close the payment.
    RecordRefund { transaction_id: String },
    /// Charged, but the customer was told it failed (abandoned): refund at
    /// the gateway, then record both.
    Refund { transaction_id: String },
}

/// The resolution table: whether the checkout was abandoned, and what the
/// gateway charged.
pub fn resolve_pending_payment(abandoned: bool, charge: Option<FoundCharge>) -> PendingPaymentStep {
    match charge {
        None => PendingPaymentStep::Drop,
        Some(c) if c.refunded => PendingPaymentStep::RecordRefund {
            transaction_id: c.transaction_id,
        },
        Some(c) if abandoned => PendingPaymentStep::Refund {
            transaction_id: c.transaction_id,
        },
        Some(c) => PendingPaymentStep::Place {
            transaction_id: c.transaction_id,
        },
    }
}

/// What a revision does with its extra charge's outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RevisionStep {
    /// Charged: apply the revision under this transaction.
    Apply { transaction_id: String },
    /// Not charged (declined or unavailable): drop the pending record; the
    /// order stays as it was.
    Drop,
    /// Perhaps charged: keep the pending record; the resolver refunds the
    /// charge if it happened. The order stays as it was.
    KeepPending,
}

/// The revision table: one step per gateway answer to the extra charge.
pub fn settle_revision(outcome: &ChargeOutcome) -> RevisionStep {
    match outcome {
        ChargeOutcome::Approved { transaction_id } => RevisionStep::Apply {
            transaction_id: transaction_id.clone(),
        },
        ChargeOutcome::Declined { .. } | ChargeOutcome::Unavailable { .. } => RevisionStep::Drop,
        ChargeOutcome::Unknown { .. } => RevisionStep::KeepPending,
    }
}

/// Whether a pending revision requested at `requested_at` is old enough to
/// settle: one requested at or after the resolver's horizon
/// `requested_before` may still be on its way at the gateway.
pub fn pending_revision_due(requested_at: Timestamp, requested_before: Timestamp) -> bool {
    requested_at < requested_before
}

/// How a pending revision that is due is resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PendingRevisionStep {
    /// The gateway charged it: refund that charge, then drop the record.
    Compensate,
    /// Never charged: drop the record.
    Drop,
}

/// The revision resolution table: whether the gateway holds its charge.
pub fn resolve_pending_revision(charged: bool) -> PendingRevisionStep {
    if charged {
        PendingRevisionStep::Compensate
    } else {
        PendingRevisionStep::Drop
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn approved() -> ChargeOutcome {
        ChargeOutcome::Approved {
            transaction_id: "tx-1".into(),
        }
    }
    fn declined() -> ChargeOutcome {
        ChargeOutcome::Declined {
            reason: "card declined".into(),
        }
    }
    fn unavailable() -> ChargeOutcome {
        ChargeOutcome::Unavailable {
            reason: "gateway down".into(),
            retry_after_secs: 5,
        }
    }
    fn unknown() -> ChargeOutcome {
        ChargeOutcome::Unknown {
            reason: "timed out".into(),
        }
    }
    fn charge(refunded: bool) -> Option<FoundCharge> {
        Some(FoundCharge {
            transaction_id: "tx-1".into(),
            refunded,
        })
    }

    #[test]
    fn placement_places_only_what_was_charged_and_abandons_what_may_have_been() {
        assert_eq!(
            settle_placement(approved()),
            PlacementStep::Place {
                transaction_id: "tx-1".into()
            }
        );
        assert_eq!(
            settle_placement(declined()),
            PlacementStep::CloseDeclined {
                reason: "card declined".into()
            }
        );
        assert_eq!(
            settle_placement(unavailable()),
            PlacementStep::CloseFailed {
                reason: "gateway down".into(),
                retry_after_secs: 5
            }
        );
        assert_eq!(
            settle_placement(unknown()),
            PlacementStep::Abandon {
                reason: "timed out".into()
            }
        );
    }

    #[test]
    fn a_pending_payment_becomes_an_order_only_if_charged_and_not_abandoned() {
        for abandoned in [false, true] {
            assert_eq!(
                resolve_pending_payment(abandoned, None),
                PendingPaymentStep::Drop
            );
            assert_eq!(
                resolve_pending_payment(abandoned, charge(true)),
                PendingPaymentStep::RecordRefund {
                    transaction_id: "tx-1".into()
                }
            );
        }
        assert_eq!(
            resolve_pending_payment(false, charge(false)),
            PendingPaymentStep::Place {
                transaction_id: "tx-1".into()
            }
        );
        assert_eq!(
            resolve_pending_payment(true, charge(false)),
            PendingPaymentStep::Refund {
                transaction_id: "tx-1".into()
            }
        );
    }

    #[test]
    fn a_revision_applies_only_what_was_charged_and_keeps_what_may_have_been() {
        assert_eq!(
            settle_revision(&approved()),
            RevisionStep::Apply {
                transaction_id: "tx-1".into()
            }
        );
        assert_eq!(settle_revision(&declined()), RevisionStep::Drop);
        assert_eq!(settle_revision(&unavailable()), RevisionStep::Drop);
        assert_eq!(settle_revision(&unknown()), RevisionStep::KeepPending);
    }

    #[test]
    fn a_pending_revision_is_left_while_young_then_compensated_if_charged() {
        let horizon = Timestamp(200);
        assert!(pending_revision_due(Timestamp(199), horizon));
        assert!(!pending_revision_due(horizon, horizon));
        assert!(!pending_revision_due(Timestamp(300), horizon));
        assert_eq!(
            resolve_pending_revision(true),
            PendingRevisionStep::Compensate
        );
        assert_eq!(resolve_pending_revision(false), PendingRevisionStep::Drop);
    }
}
