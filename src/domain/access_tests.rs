//! The table of who may do what, checked whole: every principal against
//! every action on an order in the state that action needs. Removing any
//! rule of `access` changes a cell and fails `every_caller_gets_what_the_table_says`.

use super::*;
use crate::domain::order::OrderStatus as S;
use crate::domain::testing::{self, store};

fn owner(id: &str, stores: &[&str]) -> Principal {
    Principal::Owner {
        id: id.into(),
        stores: stores.iter().map(|s| s.to_string()).collect(),
    }
}

/// The callers of the matrix, for kim's order from store s1,
/// picked up by rider r1.
fn callers() -> Vec<(&'static str, Principal)> {
    vec![
        ("anonymous", Principal::Anonymous),
        ("the customer", Principal::Customer("kim".into())),
        ("another customer", Principal::Customer("lee".into())),
        ("the store's owner", owner("o1", &["s1"])),
        ("another store's owner", owner("o2", &["s2"])),
        ("the assigned rider", Principal::Rider("r1".into())),
        ("another rider", Principal::Rider("r2".into())),
        ("an operator", Principal::Operator("admin".into())),
    ]
}

fn order(status: S, rider: Option<&str>) -> Order {
    let placed = crate::domain::order::OrderEvent::Placed(Box::new(testing::new_order(1, 10_000)));
    let mut order = <Order as crate::domain::aggregate::Aggregate>::apply(
        None,
        &placed,
        crate::domain::Timestamp(0),
    )
    .expect("placed");
    order.status = status;
    order.customer_id = "kim".into();
    order.store_id = "s1".into();
    order.rider_id = rider.map(str::to_string);
    order
}

/// `ok`, `404` or `403`.
fn outcome(result: Result<(), DomainError>) -> &'static str {
    match result {
        Ok(()) => "ok",
        Err(e) => match e.kind() {
            crate::domain::ErrorKind::NotFound => "404",
            crate::domain::ErrorKind::Forbidden => "403",
            other => panic!("unexpected refusal {other:?}: {e}"),
        },
    }
}

#[test]
fn every_caller_gets_what_the_table_says() {
    use OrderAction as A;
    // Per action: the order it is tried on, and the outcome for each of
    // callers() in order: anonymous, customer, other customer, store
    // owner, other owner, assigned rider, other rider, operator.
    let placed = order(S::Placed, None);
    let cooked = order(S::Cooked, None);
    let picked = order(S::PickedUp, Some("r1"));
    let table: Vec<(A, &Order, [&str; 8])> = vec![
        (
            A::Read,
            &placed,
            ["404", "ok", "404", "ok", "404", "404", "404", "ok"],
        ),
        // A cooked order waiting for a rider is every rider's to see.
        (
            A::Read,
            &cooked,
            ["404", "ok", "404", "ok", "404", "ok", "ok", "ok"],
        ),
        (
            A::Read,
            &picked,
            ["404", "ok", "404", "ok", "404", "ok", "404", "ok"],
        ),
        (
            A::Accept,
            &placed,
            ["404", "403", "404", "ok", "404", "404", "404", "ok"],
        ),
        (
            A::Delay,
            &placed,
            ["404", "403", "404", "ok", "404", "404", "404", "ok"],
        ),
        // Timers are baedal's own: not even an operator fires one.
        (
            A::Timer,
            &placed,
            ["404", "403", "404", "403", "404", "404", "404", "403"],
        ),
        (
            A::Reject,
            &placed,
            ["404", "403", "404", "ok", "404", "404", "404", "ok"],
        ),
        (
            A::StartCooking,
            &placed,
            ["404", "403", "404", "ok", "404", "404", "404", "ok"],
        ),
        (
            A::FinishCooking,
            &placed,
            ["404", "403", "404", "ok", "404", "404", "404", "ok"],
        ),
        (
            A::Cancel,
            &placed,
            ["404", "ok", "404", "403", "404", "404", "404", "ok"],
        ),
        (
            A::Revise,
            &placed,
            ["404", "ok", "404", "403", "404", "404", "404", "403"],
        ),
        (
            A::Confirm,
            &picked,
            ["404", "ok", "404", "403", "404", "403", "404", "ok"],
        ),
        (
            A::Pick,
            &cooked,
            ["404", "403", "404", "403", "404", "ok", "ok", "ok"],
        ),
        // Any rider may try (and is told why not, by the order's state).
        (
            A::Pick,
            &picked,
            ["404", "403", "404", "403", "404", "ok", "ok", "ok"],
        ),
        (
            A::Pick,
            &placed,
            ["404", "403", "404", "403", "404", "ok", "ok", "ok"],
        ),
        (
            A::CompleteDelivery,
            &picked,
            ["404", "403", "404", "403", "404", "ok", "404", "ok"],
        ),
    ];
    for (action, order, expected) in table {
        for ((who, by), want) in callers().iter().zip(expected) {
            let got = outcome(check_order(by, order, action));
            assert_eq!(
                got, want,
                "{who} doing {action:?} on a {} order",
                order.status
            );
        }
    }
}

#[test]
fn stores_are_managed_by_their_owner_and_approved_by_operators() {
    let managers = [("store's owner", "ok"), ("operator", "ok")];
    for (who, by) in callers() {
        let manage = outcome(check_store(&by, "s1", StoreAction::Manage));
        let approve = outcome(check_store(&by, "s1", StoreAction::Approve));
        let expected_manage = managers
            .iter()
            .find(|(m, _)| who.contains(m) && !who.contains("another"))
            .map_or("403", |(_, o)| o);
        assert_eq!(manage, expected_manage, "{who} managing");
        let expected_approve = if who == "an operator" { "ok" } else { "403" };
        assert_eq!(approve, expected_approve, "{who} approving");
    }
    let mut waiting = store();
    waiting.id = "s1".into();
    waiting.awaiting_approval = true;
    assert!(!sees_store(&Principal::Anonymous, &waiting));
    assert!(!sees_store(&Principal::Customer("kim".into()), &waiting));
    assert!(!sees_store(&owner("o2", &["s2"]), &waiting));
    assert!(sees_store(&owner("o1", &["s1"]), &waiting));
    assert!(sees_store(&Principal::Operator("admin".into()), &waiting));
    waiting.awaiting_approval = false;
    assert!(sees_store(&Principal::Anonymous, &waiting));
}

#[test]
fn what_is_an_accounts_own_is_its_and_operators_only() {
    let kim = Principal::Customer("kim".into());
    assert!(check_own(&kim, Role::Customer, "kim", "customer").is_ok());
    // Another customer's, or a rider's of the same id: as if it did not exist.
    let err = check_own(&kim, Role::Customer, "lee", "customer").unwrap_err();
    assert_eq!(err.to_string(), "customer \"lee\" does not exist");
    assert!(check_own(&kim, Role::Rider, "kim", "rider").is_err());
    assert!(check_own(&owner("kim", &[]), Role::Customer, "kim", "customer").is_err());
    assert!(check_own(&Principal::Anonymous, Role::Customer, "kim", "customer").is_err());
    assert!(check_own(&Principal::Operator("a".into()), Role::Customer, "kim", "c").is_ok());
}

#[test]
fn the_acting_id_comes_from_the_caller() {
    let kim = Principal::Customer("kim".into());
    assert_eq!(acting_customer(&kim, "").unwrap(), "kim");
    assert_eq!(acting_customer(&kim, "kim").unwrap(), "kim");
    let err = acting_customer(&kim, "lee").unwrap_err();
    assert_eq!(err.kind(), crate::domain::ErrorKind::Forbidden);
    assert!(
        err.to_string().contains("customerId \"lee\" is not you"),
        "{err}"
    );
    // Only customers order: an operator cannot charge a customer's card.
    let admin = Principal::Operator("admin".into());
    assert!(acting_customer(&admin, "kim").is_err());
    assert!(acting_customer(&Principal::Rider("r1".into()), "").is_err());

    let r1 = Principal::Rider("r1".into());
    assert_eq!(acting_rider(&r1, "").unwrap(), "r1");
    assert!(acting_rider(&r1, "r2")
        .unwrap_err()
        .to_string()
        .contains("not you"));
    assert_eq!(acting_rider(&admin, "r2").unwrap(), "r2");
    assert_eq!(
        acting_rider(&admin, "").unwrap_err().kind(),
        crate::domain::ErrorKind::Invalid
    );
    assert!(acting_rider(&kim, "").is_err());
}

#[test]
fn a_refusal_names_the_caller_and_who_may() {
    let err = check_order(
        &Principal::Customer("kim".into()),
        &order(S::Placed, None),
        OrderAction::Accept,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "customer \"kim\" may not accept order 1: only the store's owner or an operator may"
    );
}
