use super::*;
use crate::domain::testing::{given, menu_item, store};
use crate::domain::ErrorKind;

fn decide(
    store: Option<&Store>,
    id: &str,
    cmd: &StoreCommand,
) -> Result<Vec<StoreEvent>, DomainError> {
    Store::decide(
        store,
        &id.to_string(),
        &Principal::System,
        cmd,
        Timestamp(0),
    )
}

fn apply(store: Option<Store>, event: &StoreEvent) -> Option<Store> {
    Store::apply(store, event, Timestamp(0))
}

fn run(state: Option<Store>, cmd: StoreCommand) -> Result<Option<Store>, DomainError> {
    let events = decide(state.as_ref(), "s1", &cmd)?;
    Ok(events.iter().fold(state, apply))
}

#[test]
fn register_then_refuse_again() {
    let s = run(None, StoreCommand::Register(Box::new(store()))).unwrap();
    assert_eq!(s, Some(store()));
    let err = run(s, StoreCommand::Register(Box::new(store()))).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(err.to_string().contains("already exists"));
}

#[test]
fn menu_items_are_added_and_changed() {
    let s = Some(store());
    let tangsuyuk = menu_item("tangsuyuk", "탕수육", 18_000);
    let s = run(s, StoreCommand::SetMenuItem(tangsuyuk.clone())).unwrap();
    let cheaper = MenuItem {
        price: 6_500,
        ..store().menu[0].clone()
    };
    let s = run(s, StoreCommand::SetMenuItem(cheaper.clone()))
        .unwrap()
        .unwrap();
    assert_eq!(s.menu, vec![cheaper, tangsuyuk]);
}

#[test]
fn setting_the_same_thing_changes_nothing() {
    let same = StoreCommand::SetMenuItem(store().menu[0].clone());
    assert_eq!(decide(Some(&store()), "s1", &same).unwrap(), vec![]);
    assert_eq!(
        decide(Some(&store()), "s1", &StoreCommand::SetOpen(true)).unwrap(),
        vec![]
    );
    let closed = run(Some(store()), StoreCommand::SetOpen(false))
        .unwrap()
        .unwrap();
    assert!(!closed.open);
}

#[test]
fn refuses_bad_items_and_unknown_stores() {
    for bad in [
        menu_item("x", "x", 0),
        menu_item("x", "x", MAX_PRICE + 1),
        menu_item("", "x", 1),
        menu_item("x", " ", 1),
    ] {
        let err = decide(Some(&store()), "s1", &StoreCommand::SetMenuItem(bad)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Invalid);
    }
    let err = decide(None, "nope", &StoreCommand::SetOpen(false)).unwrap_err();
    assert_eq!(err, DomainError::StoreNotFound("nope".into()));
}

#[test]
fn refuses_bad_registrations() {
    let mut dup = store();
    dup.menu.push(dup.menu[0].clone());
    assert!(run(None, StoreCommand::Register(Box::new(dup)))
        .unwrap_err()
        .to_string()
        .contains("twice"));
    let far = Store {
        lat: 123.0,
        ..store()
    };
    assert_eq!(
        run(None, StoreCommand::Register(Box::new(far)))
            .unwrap_err()
            .kind(),
        ErrorKind::Invalid
    );
}

#[test]
fn a_store_is_registered_once() {
    let registered = given::<Store>("s1".into(), [])
        .when(StoreCommand::Register(Box::new(store())))
        .then(vec![StoreEvent::Registered(Box::new(store()))]);
    assert_eq!(registered, Some(store()));
    let refused = given::<Store>("s1".into(), [StoreEvent::Registered(Box::new(store()))])
        .when(StoreCommand::Register(Box::new(store())))
        .then_refused();
    assert_eq!(refused, DomainError::StoreExists("s1".into()));
}

fn after(mut state: Option<Store>, events: &[StoreEvent]) -> Option<Store> {
    for event in events {
        state = apply(state, event);
    }
    state
}

fn owner(id: &str, stores: &[&str]) -> Principal {
    Principal::Owner {
        id: id.into(),
        stores: stores.iter().map(|s| s.to_string()).collect(),
    }
}

#[test]
fn an_owners_store_is_theirs_and_awaits_approval() {
    let by = |p: &Principal, state: Option<&Store>, cmd: StoreCommand| {
        Store::decide(state, &"s1".to_string(), p, &cmd, Timestamp(0))
    };
    let register = || StoreCommand::Register(Box::new(store()));
    let o1 = owner("o1", &["s1"]);
    let events = by(&o1, None, register()).unwrap();
    let mine = after(None, &events).unwrap();
    assert_eq!(mine.owner_id.as_deref(), Some("o1"));
    assert!(mine.awaiting_approval);
    // Naming another owner, or registering as a customer: refused.
    let mut theirs = store();
    theirs.owner_id = Some("o2".into());
    let err = by(&o1, None, StoreCommand::Register(Box::new(theirs))).unwrap_err();
    assert!(
        err.to_string().contains("ownerId \"o2\" is not you"),
        "{err}"
    );
    let kim = Principal::Customer("kim".into());
    assert_eq!(
        by(&kim, None, register()).unwrap_err().kind(),
        ErrorKind::Forbidden
    );
    // An operator's store takes orders at once.
    let admin = Principal::Operator("admin".into());
    let events = by(&admin, None, register()).unwrap();
    assert!(!after(None, &events).unwrap().awaiting_approval);

    // Before approval: invisible to others, not approvable by its owner.
    let other = owner("o2", &["s2"]);
    let open = StoreCommand::SetOpen(false);
    assert_eq!(
        by(&other, Some(&mine), open.clone()).unwrap_err(),
        DomainError::StoreNotFound("s1".into())
    );
    assert!(by(&o1, Some(&mine), open).is_ok());
    let err = by(&o1, Some(&mine), StoreCommand::Approve).unwrap_err();
    assert!(err.to_string().contains("only an operator may"), "{err}");
    let approved = by(&admin, Some(&mine), StoreCommand::Approve).unwrap();
    assert_eq!(approved, vec![StoreEvent::Approved]);
    let live = after(Some(mine), &approved).unwrap();
    // Approved: others see it but may not manage it or give it away.
    let err = by(&other, Some(&live), StoreCommand::SetOpen(false)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    let err = by(&o1, Some(&live), StoreCommand::SetOwner("o2".into())).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    let given = by(&admin, Some(&live), StoreCommand::SetOwner("o2".into())).unwrap();
    assert_eq!(given, vec![StoreEvent::OwnerSet("o2".into())]);
}

#[test]
fn delivery_and_kitchen_terms_are_set_checked_and_kept() {
    let terms = DeliveryTerms {
        accept_deadline_minutes: Some(8),
        ..crate::domain::testing::delivery_terms()
    };
    let s = run(Some(store()), StoreCommand::SetDeliveryTerms(terms.clone()))
        .unwrap()
        .unwrap();
    assert_eq!(s.delivery, terms);
    // The same again changes nothing.
    assert_eq!(
        decide(
            Some(&s),
            "s1",
            &StoreCommand::SetDeliveryTerms(terms.clone())
        ),
        Ok(vec![])
    );
    let bad = DeliveryTerms {
        radius_km: 50.0,
        ..terms
    };
    let err = run(Some(s.clone()), StoreCommand::SetDeliveryTerms(bad)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert!(err.to_string().starts_with("radiusKm"), "{err}");
    let kitchen = KitchenTerms {
        default_cooking_minutes: 12,
        auto_accept: true,
    };
    let s = run(Some(s), StoreCommand::SetKitchenTerms(kitchen.clone()))
        .unwrap()
        .unwrap();
    assert_eq!(s.kitchen, kitchen);
    let slow = KitchenTerms {
        default_cooking_minutes: 121,
        auto_accept: false,
    };
    let err = run(Some(s), StoreCommand::SetKitchenTerms(slow)).unwrap_err();
    assert!(err.to_string().contains("between 5 and 120"), "{err}");
}

#[test]
fn only_the_stores_owner_or_an_operator_sets_its_terms() {
    let mine = Store {
        owner_id: Some("boss".into()),
        ..store()
    };
    let cmd = StoreCommand::SetKitchenTerms(KitchenTerms::default());
    let by = |p: Principal| Store::decide(Some(&mine), &"s1".to_string(), &p, &cmd, Timestamp(0));
    let owner = Principal::Owner {
        id: "boss".into(),
        stores: vec!["s1".into()],
    };
    assert!(by(owner).is_ok());
    assert!(by(Principal::Operator("ops".into())).is_ok());
    let other = Principal::Owner {
        id: "other".into(),
        stores: vec!["s2".into()],
    };
    assert_eq!(by(other).unwrap_err().kind(), ErrorKind::Forbidden);
    let customer = by(Principal::Customer("kim".into())).unwrap_err();
    assert_eq!(customer.kind(), ErrorKind::Forbidden);
}

const NOON: Timestamp = Timestamp(1_796_040_000_000); // 2026-11-30T12:00:00Z
const MINUTE: u64 = 60_000;

fn at(
    store: Option<Store>,
    cmd: StoreCommand,
    now: Timestamp,
) -> Result<Option<Store>, DomainError> {
    let events = Store::decide(
        store.as_ref(),
        &"s1".to_string(),
        &Principal::System,
        &cmd,
        now,
    )?;
    Ok(events.iter().fold(store, apply))
}

#[test]
fn a_pause_refuses_orders_until_its_time_and_says_so() {
    let until = NOON.plus_ms(30 * MINUTE);
    let paused = at(Some(store()), StoreCommand::Pause { until }, NOON)
        .unwrap()
        .unwrap();
    let err = paused.check_takes_orders(NOON).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(
        err.to_string().contains("until 2026-11-30 21:30 (Seoul)"),
        "{err}"
    );
    assert_eq!(paused.check_takes_orders(until), Ok(()), "over at its time");
    let shown = paused.availability(NOON);
    assert!(!shown.open_now);
    assert_eq!(shown.next_open_at, Some(until));
    let resumed = at(Some(paused.clone()), StoreCommand::Resume, NOON)
        .unwrap()
        .unwrap();
    assert_eq!(resumed.check_takes_orders(NOON), Ok(()));
    // Resuming a store that is not paused changes nothing.
    assert_eq!(
        Store::decide(
            Some(&resumed),
            &"s1".into(),
            &Principal::System,
            &StoreCommand::Resume,
            NOON
        ),
        Ok(vec![])
    );
    for bad in [NOON, NOON.plus_ms(24 * 60 * MINUTE + 1)] {
        let err = at(Some(store()), StoreCommand::Pause { until: bad }, NOON).unwrap_err();
        assert!(
            err.to_string().starts_with("until must be in the future"),
            "{err}"
        );
    }
}

#[test]
fn a_sold_out_dish_is_refused_by_name_until_it_is_back() {
    let cmd = |sold_out| StoreCommand::SetSoldOut {
        menu_id: "jjajang".into(),
        sold_out,
    };
    let out = at(Some(store()), cmd(true), NOON).unwrap().unwrap();
    let err = out.orderable_item("jjajang").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(
        err.to_string().contains("\"jjajang\" (짜장면)") && err.to_string().contains("sold out"),
        "{err}"
    );
    // A new price does not restock it.
    let repriced = at(
        Some(out.clone()),
        StoreCommand::SetMenuItem(MenuItem {
            price: 8_000,
            ..out.menu[0].clone()
        }),
        NOON,
    )
    .unwrap()
    .unwrap();
    assert!(repriced.menu[0].sold_out);
    let back = at(Some(repriced), cmd(false), NOON).unwrap().unwrap();
    assert!(back.orderable_item("jjajang").is_ok());
    let unknown = StoreCommand::SetSoldOut {
        menu_id: "pizza".into(),
        sold_out: true,
    };
    assert_eq!(
        at(Some(back), unknown, NOON).unwrap_err().kind(),
        ErrorKind::NotFound
    );
}

#[test]
fn outside_its_hours_a_store_says_when_it_opens() {
    use crate::domain::hours::{ClockTime, Day, Opening, OpeningHours};
    // Noon UTC is 21:00 in Seoul, a Monday; the store opens at 10:00.
    let hours = OpeningHours {
        weekly: [Day::Mon, Day::Tue]
            .iter()
            .map(|&day| Opening {
                day,
                open: ClockTime::new(10, 0).unwrap(),
                close: ClockTime::new(20, 0).unwrap(),
            })
            .collect(),
        closed_dates: vec![],
    };
    let s = at(Some(store()), StoreCommand::SetHours(Some(hours)), NOON)
        .unwrap()
        .unwrap();
    let err = s.check_takes_orders(NOON).unwrap_err();
    assert!(
        err.to_string()
            .contains("opens at 2026-12-01 10:00 (Seoul)"),
        "{err}"
    );
    let shown = s.availability(NOON);
    assert!(!shown.open_now);
    assert_eq!(shown.next_open_at, Some(NOON.plus_ms(13 * 60 * MINUTE)));
    // Paused past the evening: it opens when both allow.
    let paused = Store {
        paused_until: Some(NOON.plus_ms(14 * 60 * MINUTE)),
        ..s.clone()
    };
    assert_eq!(
        paused.availability(NOON).next_open_at,
        Some(NOON.plus_ms(14 * 60 * MINUTE))
    );
    let cleared = at(Some(s), StoreCommand::SetHours(None), NOON)
        .unwrap()
        .unwrap();
    assert!(cleared.availability(NOON).open_now);
}
