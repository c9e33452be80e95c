use super::*;
use crate::domain::event::Event;
use crate::domain::testing::{accepted, new_order};

fn record(seq: u64, event: OrderEvent) -> LogRecord {
    LogRecord {
        seq,
        at: Timestamp(1_796_040_000_000),
        event: Event::Order {
            order_id: 7,
            customer_id: "kim".into(),
            store_id: "store-1".into(),
            event,
        },
        by: None,
    }
}

#[test]
fn an_order_event_makes_a_message_with_a_stable_id_and_a_dotted_type() {
    let (store, m) = message(&record(42, accepted())).unwrap();
    assert_eq!(store, "store-1");
    assert_eq!(m.id, "msg_42");
    assert_eq!(m.event_type, "order.accepted");
    assert_eq!(m.data["orderId"], 7);
    assert_eq!(m.data["status"], "Accepted");
    let json = serde_json::to_value(&m).unwrap();
    let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["data", "id", "timestamp", "type"]);
    assert_eq!(json["timestamp"], "2026-11-30T12:00:00.000Z");
}

#[test]
fn a_placed_message_carries_the_store_note_never_the_rider_note_or_the_customer() {
    let mut new = new_order(7, 20_000);
    new.notes.for_store = Some("덜 맵게".into());
    new.notes.for_rider = Some("벨 눌러주세요".into());
    let (_, m) = message(&record(1, OrderEvent::Placed(Box::new(new)))).unwrap();
    let text = m.data.to_string();
    assert!(text.contains("덜 맵게"), "{text}");
    assert!(!text.contains("벨") && !text.contains("kim"), "{text}");
}

#[test]
fn every_event_has_one_of_the_types() {
    for event in [
        OrderEvent::CookStarted,
        OrderEvent::CookFinished,
        OrderEvent::Completed,
        accepted(),
    ] {
        assert!(EVENT_TYPES.contains(&event_type(&event)));
    }
}

#[test]
fn urls_and_types_are_checked() {
    Endpoint::validate(
        "https://pos.example.com/hooks?x=1",
        &["order.placed".into()],
    )
    .unwrap();
    Endpoint::validate("http://127.0.0.1:9/h", &[]).unwrap();
    for bad in [
        "ftp://x",
        "https://",
        "https://user:pw@host/",
        "https://a b",
        "pos.example.com",
    ] {
        let err = Endpoint::validate(bad, &[]).unwrap_err();
        assert!(err.to_string().starts_with("url"), "{bad}: {err}");
    }
    let err = Endpoint::validate("https://x", &["order.eaten".into()]).unwrap_err();
    assert!(err.to_string().contains("order.placed"), "{err}");
}

#[test]
fn only_owners_and_operators_register_and_each_sees_their_own() {
    let owner = Principal::Owner {
        id: "boss".into(),
        stores: vec![],
    };
    assert_eq!(
        Endpoint::scope_for(&owner),
        Ok(("boss".into(), Scope::OwnStores))
    );
    let ops = Principal::Operator("ops".into());
    assert_eq!(Endpoint::scope_for(&ops), Ok(("ops".into(), Scope::All)));
    for nobody in [
        Principal::Customer("kim".into()),
        Principal::Rider("r".into()),
        Principal::Anonymous,
    ] {
        assert!(Endpoint::scope_for(&nobody).is_err());
    }
    let endpoint = Endpoint {
        id: 1,
        url: "https://x".into(),
        types: vec![],
        account: "boss".into(),
        scope: Scope::OwnStores,
        secret: vec![1; 24],
        created_at: Timestamp(0),
    };
    assert!(endpoint.visible_to(&owner));
    assert!(endpoint.visible_to(&ops));
    let other = Principal::Owner {
        id: "other".into(),
        stores: vec![],
    };
    assert!(!endpoint.visible_to(&other));
    assert!(!endpoint.visible_to(&Principal::Customer("boss".into())));
}

#[test]
fn the_signature_covers_id_timestamp_and_body() {
    assert_eq!(
        signed_content("msg_1", 1_614_265_330, "{}"),
        "msg_1.1614265330.{}"
    );
}
