//! Accounts as entities: an account's sign-up, sessions and status, so a
//! refresh token is rotated once and a sign-out is never undone by a
//! rotation racing it.

use super::shell::{Entity, EntityActor};
use crate::actors::registry::Directory;
use crate::domain::account::{Account, AccountEvent};
use crate::domain::Event;
use crate::storage::keys;
use actix::prelude::*;
use dashmap::DashMap;

impl Entity for Account {
    const KIND: &'static str = "account";

    fn key(id: &String) -> Vec<u8> {
        keys::account(id)
    }

    /// Nothing subscribes to accounts, and their events hold password and
    /// token hashes that have no business in the log.
    fn logged(_: &String, _: &Account, _: &AccountEvent) -> Option<Event> {
        None
    }

    fn live(directory: &Directory) -> &DashMap<String, Addr<EntityActor<Account>>> {
        &directory.accounts
    }

    fn label(id: &String) -> String {
        id.clone()
    }
}
