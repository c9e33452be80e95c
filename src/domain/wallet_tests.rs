use super::*;
use crate::domain::access::Principal;
use crate::domain::ErrorKind;

fn decide(
    w: &Wallet,
    cmd: &WalletCommand,
    now: Timestamp,
) -> Result<Vec<WalletEvent>, DomainError> {
    let by = Principal::Customer(w.customer_id.clone());
    Wallet::decide(Some(w), &w.customer_id, &by, cmd, now)
}

fn apply(w: Wallet, event: &WalletEvent) -> Wallet {
    Wallet::apply(Some(w), event, Timestamp(0)).expect("a wallet is never removed")
}

fn run(w: Wallet, cmd: WalletCommand) -> Result<Wallet, DomainError> {
    let events = decide(&w, &cmd, Timestamp(1))?;
    Ok(events.iter().fold(w, apply))
}

fn completed(order_id: OrderId, customer: &str) -> ReviewedOrder {
    ReviewedOrder {
        id: order_id,
        store_id: "s1".into(),
        customer_id: customer.into(),
        status: OrderStatus::Completed,
        amount: 20_000,
        store_owner: Some("owner-s1".into()),
    }
}

fn review(order_id: OrderId, rating: u8) -> WalletCommand {
    WalletCommand::WriteReview {
        order: completed(order_id, "kim"),
        rating,
        text: "맛있어요".into(),
        coupon: ReviewCoupon {
            amount: 2_000,
            min_order: 10_000,
        },
    }
}

fn use_coupon(id: &str, order_id: OrderId, subtotal: Won) -> WalletCommand {
    WalletCommand::UseCoupon {
        coupon_id: id.into(),
        order_id,
        subtotal,
    }
}

#[test]
fn a_review_issues_a_coupon_once_per_order() {
    let w = run(Wallet::new("kim"), review(7, 5)).unwrap();
    assert_eq!(w.reviews.len(), 1);
    assert_eq!(w.coupons[0].id, "RV-7");
    assert_eq!(
        (w.coupons[0].amount, w.coupons[0].status),
        (2_000, CouponStatus::Issued)
    );
    let err = run(w, review(7, 4)).unwrap_err();
    assert_eq!(err, DomainError::AlreadyReviewed(7));
    assert_eq!(err.kind(), ErrorKind::Conflict);
}

#[test]
fn reviews_are_checked() {
    for (rating, text) in [
        (0, "x".to_string()),
        (6, "x".into()),
        (3, "가".repeat(1001)),
        (3, "a\u{0}".into()),
    ] {
        let cmd = WalletCommand::WriteReview {
            order: completed(1, "k"),
            rating,
            text,
            coupon: ReviewCoupon {
                amount: 1,
                min_order: 10_000,
            },
        };
        assert_eq!(
            decide(&Wallet::new("k"), &cmd, Timestamp(1))
                .unwrap_err()
                .kind(),
            ErrorKind::Invalid
        );
    }
}

#[test]
fn only_the_customer_who_ordered_may_review_and_only_once_it_is_completed() {
    let other = WalletCommand::WriteReview {
        order: completed(7, "lee"),
        rating: 5,
        text: String::new(),
        coupon: ReviewCoupon {
            amount: 2_000,
            min_order: 10_000,
        },
    };
    let refused = decide(&Wallet::new("kim"), &other, Timestamp(1)).unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Forbidden);
    assert!(refused.to_string().contains("lee"), "{refused}");
    for status in OrderStatus::ALL
        .into_iter()
        .filter(|s| *s != OrderStatus::Completed)
    {
        let early = WalletCommand::WriteReview {
            order: ReviewedOrder {
                status,
                ..completed(7, "kim")
            },
            rating: 5,
            text: String::new(),
            coupon: ReviewCoupon {
                amount: 2_000,
                min_order: 10_000,
            },
        };
        let refused = decide(&Wallet::new("kim"), &early, Timestamp(1)).unwrap_err();
        assert_eq!(refused.kind(), ErrorKind::Conflict, "{status:?}");
        assert!(refused.to_string().contains("Completed"), "{refused}");
    }
}

#[test]
fn a_coupon_discounts_once_never_below_zero_and_comes_back_on_refund() {
    let w = run(Wallet::new("kim"), review(7, 5)).unwrap();
    let events = decide(&w, &use_coupon("RV-7", 9, 1_500), Timestamp(2)).unwrap();
    assert_eq!(
        events,
        vec![WalletEvent::CouponUsed {
            coupon_id: "RV-7".into(),
            order_id: 9,
            discount: 1_500
        }]
    );
    let used = events.iter().fold(w, apply);
    let err = run(used.clone(), use_coupon("RV-7", 10, 9_000)).unwrap_err();
    assert!(err.to_string().contains("already used"));
    // Restoring for another order changes nothing; for its order, it is back.
    let same = run(
        used.clone(),
        WalletCommand::RestoreCoupon {
            coupon_id: "RV-7".into(),
            order_id: 10,
        },
    )
    .unwrap();
    assert_eq!(same, used);
    let back = run(
        used,
        WalletCommand::RestoreCoupon {
            coupon_id: "RV-7".into(),
            order_id: 9,
        },
    )
    .unwrap();
    assert_eq!(back.coupons[0].status, CouponStatus::Issued);
    assert!(run(back, use_coupon("RV-7", 11, 9_000)).is_ok());
}

#[test]
fn unknown_coupons_are_refused() {
    let err = run(Wallet::new("kim"), use_coupon("FREE", 1, 10)).unwrap_err();
    assert_eq!(err, DomainError::UnknownCoupon("FREE".into()));
    assert_eq!(err.kind(), ErrorKind::Conflict);
}

#[test]
fn deleting_a_review_revokes_its_coupon_unless_it_was_used() {
    let w = run(Wallet::new("kim"), review(7, 5)).unwrap();
    let deleted = run(w.clone(), WalletCommand::DeleteReview { review_id: 7 }).unwrap();
    assert!(deleted.reviews.is_empty());
    assert_eq!(deleted.coupons[0].status, CouponStatus::Revoked);
    // Once per order, also after a deletion.
    assert_eq!(
        run(deleted.clone(), review(7, 5)).unwrap_err(),
        DomainError::AlreadyReviewed(7)
    );
    assert!(run(deleted, use_coupon("RV-7", 1, 10))
        .unwrap_err()
        .to_string()
        .contains("revoked"));
    let used = run(w, use_coupon("RV-7", 9, 10_000)).unwrap();
    let err = run(used, WalletCommand::DeleteReview { review_id: 7 }).unwrap_err();
    assert_eq!(err, DomainError::ReviewCouponUsed(7));
    assert_eq!(err.kind(), ErrorKind::Conflict);
    let err = run(
        Wallet::new("kim"),
        WalletCommand::DeleteReview { review_id: 3 },
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[test]
fn a_wallet_is_its_customers_and_operators_only_moderate() {
    let w = run(Wallet::new("kim"), review(7, 5)).unwrap();
    let by = |p: Principal, cmd: &WalletCommand| {
        Wallet::decide(Some(&w), &"kim".to_string(), &p, cmd, Timestamp(1))
    };
    // Another customer: the wallet and its reviews do not exist.
    let lee = Principal::Customer("lee".into());
    assert_eq!(
        by(lee.clone(), &WalletCommand::DeleteReview { review_id: 7 }).unwrap_err(),
        DomainError::ReviewNotFound(7)
    );
    let err = by(lee, &use_coupon("RV-7", 9, 10_000)).unwrap_err();
    assert_eq!(err.to_string(), "customer \"kim\" does not exist");
    // An operator deletes a review, but never spends or earns for kim.
    let admin = Principal::Operator("admin".into());
    let err = by(admin.clone(), &use_coupon("RV-7", 9, 10_000)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    assert!(err.to_string().contains("only the customer may"), "{err}");
    assert_eq!(
        by(admin.clone(), &review(8, 5)).unwrap_err().kind(),
        ErrorKind::Forbidden
    );
    assert!(by(admin, &WalletCommand::DeleteReview { review_id: 7 }).is_ok());
}

#[test]
fn a_cheap_order_or_the_owners_own_earns_a_review_but_no_coupon() {
    let rule = ReviewCoupon {
        amount: 2_000,
        min_order: 10_000,
    };
    let write = |order: ReviewedOrder| WalletCommand::WriteReview {
        order,
        rating: 5,
        text: String::new(),
        coupon: rule,
    };
    // 9,999 won: under the minimum; exactly 10,000 earns one.
    let cheap = ReviewedOrder {
        amount: 9_999,
        ..completed(7, "kim")
    };
    let w = run(Wallet::new("kim"), write(cheap)).unwrap();
    assert_eq!(w.reviews.len(), 1);
    assert_eq!(w.reviews[0].coupon_id, None);
    assert!(w.coupons.is_empty());
    let enough = ReviewedOrder {
        amount: 10_000,
        ..completed(8, "kim")
    };
    let w = run(w, write(enough)).unwrap();
    assert_eq!(w.coupons.len(), 1);
    // The store's owner reviewing an order of their own store.
    let own = ReviewedOrder {
        store_owner: Some("kim".into()),
        ..completed(9, "kim")
    };
    let w = run(w, write(own)).unwrap();
    assert_eq!(w.reviews.len(), 3);
    assert_eq!(w.coupons.len(), 1, "no coupon for the owner's own order");
    // A review with no coupon deletes cleanly.
    let w = run(w, WalletCommand::DeleteReview { review_id: 7 }).unwrap();
    assert_eq!(w.reviews.len(), 2);
}
