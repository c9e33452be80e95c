use super::*;
use crate::domain::payment_ledger::{ChargeRefund, RefundCause};
use proptest::prelude::*;

fn pending() -> Payment {
    Payment::pending(1, "kim".into(), 20_000, Timestamp(1))
}

fn approved() -> Payment {
    pending()
        .apply(
            &PaymentEvent::Approved {
                transaction_id: "tx".into(),
            },
            Timestamp(2),
        )
        .unwrap()
}

fn revised(p: &Payment, revision: u32, delta: i64) -> Payment {
    let change = PaymentRevision {
        revision,
        delta,
        transaction_id: (delta > 0).then(|| format!("tx-r{revision}")),
        at: Timestamp(3),
    };
    p.apply(&PaymentEvent::Revised(change), Timestamp(3))
        .unwrap()
}

/// Confirms every requested refund, as the gateway would.
fn confirm_all(mut p: Payment) -> Payment {
    for call in p.pending_refunds() {
        let confirmed = PaymentEvent::RefundConfirmed {
            key: call.key.clone(),
            transaction_id: format!("rf-{}", call.key),
        };
        p = p.apply(&confirmed, Timestamp(9)).unwrap();
    }
    p
}

#[test]
fn a_cancel_asks_for_everything_back_and_is_refunded_once_confirmed() {
    let p = approved();
    assert_eq!(
        (p.status, p.kept(), p.charged()),
        (PaymentStatus::Approved, 20_000, 20_000)
    );
    let asked = p
        .apply(&PaymentEvent::RefundRequested, Timestamp(3))
        .unwrap();
    assert_eq!(
        (asked.status, asked.kept(), asked.refunded()),
        (PaymentStatus::Refunding, 0, 0)
    );
    let calls = asked.pending_refunds();
    assert_eq!(calls.len(), 1);
    assert_eq!(
        (calls[0].transaction_id.as_str(), calls[0].amount),
        ("tx", 20_000)
    );
    let done = confirm_all(asked);
    assert_eq!(
        (done.status, done.kept(), done.refunded()),
        (PaymentStatus::Refunded, 0, 20_000)
    );
    assert_eq!(done.refunded_at, Some(Timestamp(9)));
    assert!(done.pending_refunds().is_empty());
}

#[test]
fn each_charge_is_refunded_by_its_own_transaction() {
    // 20,000, then +19,000 (its own charge), then canceled.
    let up = revised(&approved(), 1, 19_000);
    assert_eq!(up.charges.len(), 2);
    let asked = up
        .apply(&PaymentEvent::RefundRequested, Timestamp(4))
        .unwrap();
    let calls = asked.pending_refunds();
    let by_tx: Vec<(&str, Won)> = calls
        .iter()
        .map(|c| (c.transaction_id.as_str(), c.amount))
        .collect();
    assert_eq!(by_tx, [("tx", 20_000), ("tx-r1", 19_000)]);
    assert_ne!(calls[0].key, calls[1].key, "one idempotency key per refund");
    assert_eq!(confirm_all(asked).refunded(), 39_000);
}

#[test]
fn a_revision_down_refunds_the_newest_charge_first_and_may_span_two() {
    let up = revised(&approved(), 1, 19_000); // charges 20,000 and 19,000
    let down = revised(&up, 2, -25_000); // 19,000 of the extra, 6,000 of the first
    assert_eq!(down.amount, 14_000);
    let calls = down.pending_refunds();
    let by_tx: Vec<(&str, Won)> = calls
        .iter()
        .map(|c| (c.transaction_id.as_str(), c.amount))
        .collect();
    assert_eq!(by_tx, [("tx", 6_000), ("tx-r1", 19_000)]);
    assert_eq!(down.status, PaymentStatus::Approved);
    let down = confirm_all(down);
    assert_eq!((down.kept(), down.refunded()), (14_000, 25_000));
    // Canceled afterwards: only what is left of the first charge.
    let asked = down
        .apply(&PaymentEvent::RefundRequested, Timestamp(5))
        .unwrap();
    let calls = asked.pending_refunds();
    assert_eq!(calls.len(), 1);
    assert_eq!(
        (calls[0].transaction_id.as_str(), calls[0].amount),
        ("tx", 14_000)
    );
}

#[test]
fn a_confirmation_counts_once() {
    let asked = approved()
        .apply(&PaymentEvent::RefundRequested, Timestamp(3))
        .unwrap();
    let key = asked.pending_refunds()[0].key.clone();
    let confirmed = PaymentEvent::RefundConfirmed {
        key,
        transaction_id: "rf".into(),
    };
    let once = asked.apply(&confirmed, Timestamp(4)).unwrap();
    let twice = once.apply(&confirmed, Timestamp(5)).unwrap();
    assert_eq!(once, twice);
    assert_eq!(twice.refunded(), 20_000);
}

#[test]
fn a_compensated_extra_charge_joins_the_ledger_refunded() {
    let asked = approved()
        .apply(&PaymentEvent::RefundRequested, Timestamp(3))
        .unwrap();
    let mut extra = PaymentCharge::new("tx-x".into(), 1, 38_000);
    let mut refund = ChargeRefund::requested(RefundCause::Compensation(7), 38_000, Timestamp(4));
    refund.refunded_at = Some(Timestamp(4));
    extra.refunds.push(refund);
    let p = confirm_all(asked)
        .apply(&PaymentEvent::Compensated(extra), Timestamp(5))
        .unwrap();
    assert_eq!((p.charged(), p.refunded(), p.kept()), (58_000, 58_000, 0));
    assert_eq!(p.status, PaymentStatus::Refunded);
}

#[test]
fn refuses_what_would_charge_twice_or_refund_what_was_not_charged() {
    let a = approved();
    assert!(a
        .apply(
            &PaymentEvent::Approved {
                transaction_id: "tx2".into()
            },
            Timestamp(3)
        )
        .is_err());
    let asked = a
        .apply(&PaymentEvent::RefundRequested, Timestamp(3))
        .unwrap();
    let err = asked
        .apply(&PaymentEvent::RefundRequested, Timestamp(4))
        .unwrap_err();
    assert!(err.to_string().contains("Refunding"), "{err}");
    assert!(pending()
        .apply(&PaymentEvent::RefundRequested, Timestamp(2))
        .is_err());
    let change = PaymentRevision {
        revision: 1,
        delta: -30_000,
        transaction_id: None,
        at: Timestamp(3),
    };
    assert!(
        a.apply(&PaymentEvent::Revised(change), Timestamp(3))
            .is_err(),
        "more back than was charged"
    );
}

#[test]
fn declined_and_failed_keep_nothing() {
    for event in [
        PaymentEvent::Declined {
            reason: "limit".into(),
        },
        PaymentEvent::Failed {
            reason: "gateway down".into(),
        },
    ] {
        let p = pending().apply(&event, Timestamp(2)).unwrap();
        assert_eq!((p.charged(), p.kept(), p.refunded()), (0, 0, 0));
        assert!(p
            .apply(&PaymentEvent::RefundRequested, Timestamp(3))
            .is_err());
    }
}

#[test]
fn a_record_from_before_the_ledger_reads_as_one() {
    // Schema 4: 38,000 charged, +19,000, -10,000, then refunded whole.
    let mut old = Payment::pending(5, "kim".into(), 47_000, Timestamp(1));
    old.status = PaymentStatus::Refunded;
    old.transaction_id = Some("sbx-5".into());
    old.refunded_at = Some(Timestamp(8));
    old.revisions = vec![
        PaymentRevision {
            revision: 1,
            delta: 19_000,
            transaction_id: Some("sbx-5-a".into()),
            at: Timestamp(2),
        },
        PaymentRevision {
            revision: 2,
            delta: -10_000,
            transaction_id: Some("sbx-5-b".into()),
            at: Timestamp(3),
        },
    ];
    let ledger = old.ledger();
    let amounts: Vec<(Won, Won)> = ledger.iter().map(|c| (c.amount, c.refunded())).collect();
    assert_eq!(amounts, [(38_000, 38_000), (19_000, 19_000)]);
    assert!(
        old.pending_refunds().is_empty(),
        "the old release refunded first"
    );
    assert_eq!(
        (old.charged(), old.refunded(), old.kept()),
        (57_000, 57_000, 0)
    );
}

proptest! {
    /// Money is conserved per gateway transaction: whatever revisions come
    /// and whether the order ends canceled, no charge is ever refunded
    /// more than it was, the ledger keeps what the order costs, and a
    /// cancel gives every charge back exactly.
    #[test]
    fn every_charge_is_kept_or_refunded_exactly(
        start in 1u64..200_000,
        deltas in prop::collection::vec(-150_000i64..150_000, 0..8),
        cancel in any::<bool>(),
    ) {
        let mut p = Payment::pending(1, "kim".into(), start, Timestamp(1))
            .apply(&PaymentEvent::Approved { transaction_id: "tx".into() }, Timestamp(2))
            .unwrap();
        for (i, &delta) in deltas.iter().enumerate() {
            // An order always costs something: skip a revision to 0 or less.
            if delta == 0 || p.amount as i64 + delta <= 0 { continue; }
            p = confirm_all(revised(&p, i as u32 + 1, delta));
            prop_assert_eq!(p.kept(), p.amount);
        }
        if cancel {
            p = confirm_all(p.apply(&PaymentEvent::RefundRequested, Timestamp(8)).unwrap());
            prop_assert_eq!(p.status, PaymentStatus::Refunded);
        }
        for charge in &p.charges {
            prop_assert!(charge.refunded() <= charge.amount, "{:?}", charge);
            if cancel { prop_assert_eq!(charge.refunded(), charge.amount); }
        }
        prop_assert_eq!(p.charged(), p.refunded() + p.kept());
    }
}
