//! The store aggregate: profile, open flag, menu, terms and availability
//! (opening hours, a pause, sold-out dishes).

use super::access::{self, Principal, StoreAction};
use super::aggregate::Aggregate;
use super::delivery_terms::{DeliveryTerms, KitchenTerms};
use super::error::DomainError;
use super::geo::LatLon;
use super::hours::{Open, OpeningHours};
use super::ids::{validate_id, validate_text};
use super::options::{validate_groups, OptionGroup};
use super::time::Timestamp;
use super::Won;
use serde::{Deserialize, Serialize};

/// Most a single menu item may cost (a larger price is a typo).
pub const MAX_PRICE: Won = 10_000_000;

/// One dish on a store's menu.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MenuItem {
    pub id: String,
    pub name: String,
    pub price: Won,
    /// Out of stock until the store says it is back (since schema 6).
    #[serde(default, rename = "soldOut")]
    pub sold_out: bool,
    /// What may be chosen with it (since schema 6).
    #[serde(default, rename = "optionGroups")]
    pub option_groups: Vec<OptionGroup>,
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
        validate_groups(&self.option_groups)
    }
}

/// A store.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
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
    /// Weekly hours and closed dates (since schema 6; `None`: open
    /// whenever `open` is).
    #[serde(default)]
    pub hours: Option<OpeningHours>,
    /// Busy: takes no orders before then (since schema 6).
    #[serde(default, rename = "pausedUntil")]
    pub paused_until: Option<Timestamp>,
}

/// Whether a store takes orders at a moment, for `GET /stores`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Availability {
    pub open_now: bool,
    /// When it next takes orders, if closed and known.
    pub next_open_at: Option<Timestamp>,
}

/// The longest a store may pause, in milliseconds (a day; longer is a
/// closure: `open` or `closedDates`).
pub const MAX_PAUSE_MS: u64 = 24 * 3_600_000;

impl Store {
    pub fn location(&self) -> LatLon {
        LatLon {
            lat: self.lat,
            lon: self.lon,
        }
    }

    /// Whether it takes orders at `now`: approved, open, not paused, and
    /// within its hours. One awaiting approval does not exist for the
    /// customers who order (`sees_store`).
    ///
    /// Errors: 404 unapproved; 409 closed (`StoreClosed`, or
    /// `StoreClosedNow` naming the next opening), paused (`StorePaused`,
    /// naming until when).
    pub fn check_takes_orders(&self, now: Timestamp) -> Result<(), DomainError> {
        if self.awaiting_approval {
            return Err(DomainError::StoreNotFound(self.id.clone()));
        }
        if !self.open {
            return Err(DomainError::StoreClosed(self.id.clone()));
        }
        if let Some(until) = self.paused_until.filter(|until| now < *until) {
            // Paused into closed hours: it takes orders again at the next
            // opening after the pause.
            return Err(DomainError::StorePaused {
                store: self.id.clone(),
                until: self.availability(now).next_open_at.unwrap_or(until),
            });
        }
        match self.hours.as_ref().map(|h| h.at(now)) {
            Some(Open::Closed { next }) => Err(DomainError::StoreClosedNow {
                store: self.id.clone(),
                next_open: next,
            }),
            _ => Ok(()),
        }
    }

    /// Whether it takes orders at `now`, and if not, when it next does
    /// (after a pause, at the first moment its hours are open).
    pub fn availability(&self, now: Timestamp) -> Availability {
        if self.awaiting_approval || !self.open {
            return Availability {
                open_now: false,
                next_open_at: None,
            };
        }
        let from = self.paused_until.filter(|until| now < *until);
        let at = from.unwrap_or(now);
        let next = match self.hours.as_ref().map(|h| h.at(at)) {
            Some(Open::Closed { next }) => next,
            _ => Some(at),
        };
        Availability {
            open_now: from.is_none() && next == Some(now),
            next_open_at: next.filter(|n| *n > now),
        }
    }

    /// A dish that may be ordered: on the menu (404) and not sold out (409).
    pub fn orderable_item(&self, id: &str) -> Result<&MenuItem, DomainError> {
        let item = self
            .menu_item(id)
            .ok_or_else(|| DomainError::MenuItemNotFound {
                store: self.id.clone(),
                menu: id.to_string(),
            })?;
        if item.sold_out {
            return Err(DomainError::SoldOut {
                store: self.id.clone(),
                menu: item.id.clone(),
                name: item.name.clone(),
            });
        }
        Ok(item)
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
        if let Some(hours) = &self.hours {
            hours.validate()?;
        }
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
    /// Weekly hours and closed dates (`None`: open whenever `open` is).
    SetHours(Option<OpeningHours>),
    /// Busy: no orders before `until` (at most a day ahead).
    Pause {
        until: Timestamp,
    },
    Resume,
    SetSoldOut {
        menu_id: String,
        sold_out: bool,
    },
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
    HoursSet(Option<OpeningHours>),
    Paused { until: Timestamp },
    Resumed,
    SoldOutSet { menu_id: String, sold_out: bool },
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
        now: Timestamp,
    ) -> Result<Vec<StoreEvent>, DomainError> {
        let action = match cmd {
            StoreCommand::Register(_) => None,
            StoreCommand::SetMenuItem(_)
            | StoreCommand::SetOpen(_)
            | StoreCommand::SetDeliveryTerms(_)
            | StoreCommand::SetKitchenTerms(_)
            | StoreCommand::SetHours(_)
            | StoreCommand::Pause { .. }
            | StoreCommand::Resume
            | StoreCommand::SetSoldOut { .. } => Some(StoreAction::Manage),
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
                // A new name or price does not restock a sold-out dish.
                let mut item = item.clone();
                if let Some(old) = store.menu_item(&item.id) {
                    item.sold_out = old.sold_out;
                }
                if store.menu_item(&item.id) == Some(&item) {
                    return Ok(vec![]);
                }
                if store.menu_item(&item.id).is_none() && store.menu.len() >= 500 {
                    return Err(DomainError::Invalid {
                        field: "menu",
                        reason: "already has 500 items".into(),
                    });
                }
                Ok(vec![StoreEvent::MenuItemSet(item)])
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
            (Some(store), StoreCommand::SetHours(hours)) => {
                if let Some(hours) = hours {
                    hours.validate()?;
                }
                if store.hours == *hours {
                    return Ok(vec![]);
                }
                Ok(vec![StoreEvent::HoursSet(hours.clone())])
            }
            (Some(_), StoreCommand::Pause { until }) => {
                if *until <= now || until.0 - now.0 > MAX_PAUSE_MS {
                    return Err(DomainError::Invalid {
                        field: "until",
                        reason: "must be in the future, at most 24 hours from now (close the store for longer)".into(),
                    });
                }
                Ok(vec![StoreEvent::Paused { until: *until }])
            }
            (Some(store), StoreCommand::Resume) => match store.paused_until {
                Some(until) if now < until => Ok(vec![StoreEvent::Resumed]),
                _ => Ok(vec![]),
            },
            (Some(store), StoreCommand::SetSoldOut { menu_id, sold_out }) => {
                let item =
                    store
                        .menu_item(menu_id)
                        .ok_or_else(|| DomainError::MenuItemNotFound {
                            store: store.id.clone(),
                            menu: menu_id.clone(),
                        })?;
                if item.sold_out == *sold_out {
                    return Ok(vec![]);
                }
                Ok(vec![StoreEvent::SoldOutSet {
                    menu_id: menu_id.clone(),
                    sold_out: *sold_out,
                }])
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
            (Some(mut s), StoreEvent::HoursSet(hours)) => {
                s.hours = hours.clone();
                Some(s)
            }
            (Some(mut s), StoreEvent::Paused { until }) => {
                s.paused_until = Some(*until);
                Some(s)
            }
            (Some(mut s), StoreEvent::Resumed) => {
                s.paused_until = None;
                Some(s)
            }
            (Some(mut s), StoreEvent::SoldOutSet { menu_id, sold_out }) => {
                if let Some(item) = s.menu.iter_mut().find(|m| m.id == *menu_id) {
                    item.sold_out = *sold_out;
                }
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
