//! Stores as entities: a store's profile, open flag and menu. Its actor
//! also prices orders at checkout, so that a menu edit and a checkout never
//! interleave.

use super::shell::{Entity, EntityActor, EntityMessage};
use crate::actors::registry::Directory;
use crate::domain::checkout::{self, OrderRequest, Quote, QuoteFor};
use crate::domain::store::{Store, StoreCommand, StoreEvent};
use crate::domain::{DomainError, Event, Timestamp};
use crate::error::AppResult;
use crate::storage::{keys, Db, WriteBatch};
use crate::supervision::Supervised;
use actix::prelude::*;
use dashmap::DashMap;

impl Entity for Store {
    const KIND: &'static str = "store";

    fn key(id: &String) -> Vec<u8> {
        keys::store(id)
    }

    fn logged(id: &String, _: &Store, event: &StoreEvent) -> Option<Event> {
        Some(Event::Store {
            store_id: id.clone(),
            event: event.clone(),
        })
    }

    /// Keeps the index of each owner's stores (`keys::owned_store`), which
    /// tells who owns what when a request comes in.
    fn also_write(
        _db: &Db,
        id: &String,
        before: Option<&Store>,
        next: &Store,
        _cmd: &StoreCommand,
        _events: &[StoreEvent],
        batch: &mut WriteBatch,
        _now: Timestamp,
    ) -> AppResult<()> {
        let was = before.and_then(|s| s.owner_id.as_deref());
        let is = next.owner_id.as_deref();
        if was != is {
            if let Some(old) = was {
                batch.remove(keys::owned_store(old, id));
            }
            if let Some(owner) = is {
                batch.put(keys::owned_store(owner, id), &())?;
            }
        }
        Ok(())
    }

    fn live(directory: &Directory) -> &DashMap<String, Addr<EntityActor<Store>>> {
        &directory.stores
    }

    fn label(id: &String) -> String {
        id.clone()
    }
}

/// Price an order request against the current menu, for a checkout or a
/// revision (`QuoteFor`).
#[derive(Clone, Debug, Message)]
#[rtype(result = "AppResult<Quote>")]
pub struct QuoteOrder(pub Box<OrderRequest>, pub QuoteFor);

impl EntityMessage for QuoteOrder {
    type Entity = Store;
}

impl Handler<QuoteOrder> for EntityActor<Store> {
    type Result = AppResult<Quote>;

    fn handle(&mut self, msg: QuoteOrder, ctx: &mut Context<Self>) -> Self::Result {
        let _span = tracing::debug_span!("store.quote", store = %self.id).entered();
        self.idle.touch();
        let result = self.supervised(ctx, |act| {
            act.ensure_loaded()?;
            match &act.state {
                Some(store) => Ok(checkout::quote(
                    store,
                    &msg.0,
                    act.env.accept_deadline_secs,
                    Timestamp::now(),
                    &msg.1,
                )?),
                None => Err(DomainError::StoreNotFound(act.id.clone()).into()),
            }
        });
        self.stop_if_absent(ctx);
        result
    }
}
