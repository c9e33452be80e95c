//! The store aggregate: profile, open flag and menu.

use super::access::{self, Principal, StoreAction};
use super::aggregate::Aggregate;
use super::error::DomainError;
use super::geo::LatLon;
use super::ids::{validate_id, validate_text};
use super::time::Timestamp;
use super::Won;
use serde::{Deserialize, Serialize};

/// Most a single menu item may cost (a larger price is a typo).
pub const MAX_PRICE: Won = 10_000_000;

/// One dish on a store's menu.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MenuItem {
    pub id: String,
    pub name: String,
    pub price: Won,
}

impl MenuItem {
    pub fn validate(&self) -> Result<(), DomainError> {
        validate_id("menu id", &self.id)?;
        validate_text("menu name", &self.name, 100)?;
        if self.price == 0 || self.price > MAX_PRICE {
            return Err(DomainError::Invalid {
                field: "price",
                reason: format!("must be between 1 and {MAX_PRICE} won"),
            });
        }
        Ok(())
    }
}

/// A store.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Store {
    pub id: String,
    pub name: String,
    pub address: String,
    pub lat: f64,
    pub lon: f64,
    pub open: bool,
    pub menu: Vec<MenuItem>,
    /// The store owner's account (since schema 3; `None`: an older store
    /// no owner was given yet, which only operators manage).
    #[serde(default, rename = "ownerId")]
    pub owner_id: Option<String>,
    /// Registered by an owner and not yet approved by an operator: it
    /// takes no orders (since schema 3; older stores were all approved).
    #[serde(default, rename = "awaitingApproval")]
    pub awaiting_approval: bool,
}

impl Store {
    pub fn location(&self) -> LatLon {
        LatLon {
            lat: self.lat,
            lon: self.lon,
        }
    }

    /// Whether it takes orders now: open, and approved. One awaiting
    /// approval does not exist for the customers who order (`sees_store`).
    pub fn check_takes_orders(&self) -> Result<(), DomainError> {
        if self.awaiting_approval {
            return Err(DomainError::StoreNotFound(self.id.clone()));
        }
        if !self.open {
            return Err(DomainError::StoreClosed(self.id.clone()));
        }
        Ok(())
    }

    pub fn menu_item(&self, id: &str) -> Option<&MenuItem> {
        self.menu.iter().find(|m| m.id == id)
    }

    /// Checks a store about to be registered.
    pub fn validate(&self) -> Result<(), DomainError> {
        validate_id("id", &self.id)?;
        validate_text("name", &self.name, 100)?;
        validate_text("address", &self.address, 200)?;
        LatLon::new(self.lat, self.lon)?;
        if self.menu.len() > 500 {
            return Err(DomainError::Invalid {
                field: "menu",
                reason: "must have at most 500 items".into(),
            });
        }
        for item in &self.menu {
            item.validate()?;
        }
        for (i, item) in self.menu.iter().enumerate() {
            if self.menu[..i].iter().any(|m| m.id == item.id) {
                return Err(DomainError::Invalid {
                    field: "menu",
                    reason: format!("names item {:?} twice", item.id),
                });
            }
        }
        Ok(())
    }
}

/// What a store owner (or an operator) asks.
#[derive(Clone, Debug, PartialEq)]
pub enum StoreCommand {
    /// An owner's store is theirs and awaits approval; an operator's is
    /// approved at once, with the owner it names.
    Register(Box<Store>),
    SetMenuItem(MenuItem),
    SetOpen(bool),
    /// An operator approves an owner's store: it takes orders from now.
    Approve,
    /// An operator gives the store to another owner.
    SetOwner(String),
}

/// What happened to a store.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum StoreEvent {
    Registered(Box<Store>),
    MenuItemSet(MenuItem),
    OpenChanged(bool),
    Approved,
    OwnerSet(String),
}

impl Aggregate for Store {
    type Id = String;
    type Command = StoreCommand;
    type Event = StoreEvent;

    /// A store exists once registered.
    fn initial(_: &String) -> Option<Store> {
        None
    }

    /// Decides a store command (`None`: no such store yet), first whether
    /// `by` may (`access::check_store`).
    fn decide(
        store: Option<&Store>,
        id: &String,
        by: &Principal,
        cmd: &StoreCommand,
        _now: Timestamp,
    ) -> Result<Vec<StoreEvent>, DomainError> {
        let action = match cmd {
            StoreCommand::Register(_) => None,
            StoreCommand::SetMenuItem(_) | StoreCommand::SetOpen(_) => Some(StoreAction::Manage),
            StoreCommand::Approve => Some(StoreAction::Approve),
            StoreCommand::SetOwner(_) => Some(StoreAction::SetOwner),
        };
        if let (Some(store), Some(action)) = (store, action) {
            if !access::sees_store(by, store) {
                return Err(DomainError::StoreNotFound(id.to_string()));
            }
            access::check_store(by, id, action)?;
        }
        match (store, cmd) {
            (None, StoreCommand::Register(new)) => {
                new.validate()?;
                let mut new = new.clone();
                match by {
                    Principal::Owner { id: owner, .. } => {
                        if let Some(named) = new.owner_id.as_ref().filter(|n| *n != owner) {
                            return Err(DomainError::Forbidden {
                                reason: format!(
                                    "ownerId {named:?} is not you: you are signed in as owner {owner:?}; leave ownerId out or give your own"
                                ),
                            });
                        }
                        new.owner_id = Some(owner.clone());
                        new.awaiting_approval = true;
                    }
                    Principal::Operator(_) | Principal::System => new.awaiting_approval = false,
                    _ => {
                        return Err(access::forbidden(
                            by,
                            "register",
                            "a store".into(),
                            "a store owner or an operator",
                        ))
                    }
                }
                Ok(vec![StoreEvent::Registered(new)])
            }
            (Some(_), StoreCommand::Register(_)) => Err(DomainError::StoreExists(id.to_string())),
            (None, _) => Err(DomainError::StoreNotFound(id.to_string())),
            (Some(store), StoreCommand::Approve) if !store.awaiting_approval => Ok(vec![]),
            (Some(_), StoreCommand::Approve) => Ok(vec![StoreEvent::Approved]),
            (Some(store), StoreCommand::SetOwner(owner)) => {
                validate_id("ownerId", owner)?;
                if store.owner_id.as_ref() == Some(owner) {
                    return Ok(vec![]);
                }
                Ok(vec![StoreEvent::OwnerSet(owner.clone())])
            }
            (Some(store), StoreCommand::SetMenuItem(item)) => {
                item.validate()?;
                if store.menu_item(&item.id) == Some(item) {
                    return Ok(vec![]);
                }
                if store.menu_item(&item.id).is_none() && store.menu.len() >= 500 {
                    return Err(DomainError::Invalid {
                        field: "menu",
                        reason: "already has 500 items".into(),
                    });
                }
                Ok(vec![StoreEvent::MenuItemSet(item.clone())])
            }
            (Some(store), StoreCommand::SetOpen(open)) if store.open == *open => Ok(vec![]),
            (Some(_), StoreCommand::SetOpen(open)) => Ok(vec![StoreEvent::OpenChanged(*open)]),
        }
    }

    /// Applies a store event.
    fn apply(store: Option<Store>, event: &StoreEvent, _at: Timestamp) -> Option<Store> {
        match (store, event) {
            (None, StoreEvent::Registered(new)) => Some(new.as_ref().clone()),
            (Some(mut s), StoreEvent::MenuItemSet(item)) => {
                match s.menu.iter_mut().find(|m| m.id == item.id) {
                    Some(existing) => *existing = item.clone(),
                    None => s.menu.push(item.clone()),
                }
                Some(s)
            }
            (Some(mut s), StoreEvent::OpenChanged(open)) => {
                s.open = *open;
                Some(s)
            }
            (Some(mut s), StoreEvent::Approved) => {
                s.awaiting_approval = false;
                Some(s)
            }
            (Some(mut s), StoreEvent::OwnerSet(owner)) => {
                s.owner_id = Some(owner.clone());
                Some(s)
            }
            (state, _) => state,
        }
    }

    fn not_found(id: &String) -> DomainError {
        DomainError::StoreNotFound(id.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::{given, store};
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
        let tangsuyuk = MenuItem {
            id: "tangsuyuk".into(),
            name: "탕수육".into(),
            price: 18_000,
        };
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
            MenuItem {
                id: "x".into(),
                name: "x".into(),
                price: 0,
            },
            MenuItem {
                id: "x".into(),
                name: "x".into(),
                price: MAX_PRICE + 1,
            },
            MenuItem {
                id: "".into(),
                name: "x".into(),
                price: 1,
            },
            MenuItem {
                id: "x".into(),
                name: " ".into(),
                price: 1,
            },
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
}
