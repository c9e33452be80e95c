//! The store aggregate: profile, open flag and menu.

use super::access::{self, Principal, StoreAction};
use super::aggregate::Aggregate;
use super::delivery_terms::{DeliveryTerms, KitchenTerms};
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
    /// Minimum order, delivery fee and radius, acceptance deadline (since
    /// schema 6; older stores read [`DeliveryTerms::default`]).
    #[serde(default)]
    pub delivery: DeliveryTerms,
    /// Default cooking time and auto-accept (since schema 6).
    #[serde(default)]
    pub kitchen: KitchenTerms,
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
        self.delivery.validate()?;
        self.kitchen.validate()?;
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
    SetDeliveryTerms(DeliveryTerms),
    SetKitchenTerms(KitchenTerms),
}

/// What happened to a store.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum StoreEvent {
    Registered(Box<Store>),
    MenuItemSet(MenuItem),
    OpenChanged(bool),
    Approved,
    OwnerSet(String),
    DeliveryTermsSet(DeliveryTerms),
    KitchenTermsSet(KitchenTerms),
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
            StoreCommand::SetMenuItem(_)
            | StoreCommand::SetOpen(_)
            | StoreCommand::SetDeliveryTerms(_)
            | StoreCommand::SetKitchenTerms(_) => Some(StoreAction::Manage),
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
            (Some(store), StoreCommand::SetDeliveryTerms(terms)) => {
                terms.validate()?;
                if store.delivery == *terms {
                    return Ok(vec![]);
                }
                Ok(vec![StoreEvent::DeliveryTermsSet(terms.clone())])
            }
            (Some(store), StoreCommand::SetKitchenTerms(terms)) => {
                terms.validate()?;
                if store.kitchen == *terms {
                    return Ok(vec![]);
                }
                Ok(vec![StoreEvent::KitchenTermsSet(terms.clone())])
            }
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
            (Some(mut s), StoreEvent::DeliveryTermsSet(terms)) => {
                s.delivery = terms.clone();
                Some(s)
            }
            (Some(mut s), StoreEvent::KitchenTermsSet(terms)) => {
                s.kitchen = terms.clone();
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
#[path = "store_tests.rs"]
mod tests;
