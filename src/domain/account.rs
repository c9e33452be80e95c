//! The account aggregate: who someone is (id, name, role), the hash of
//! their password, and their signed-in sessions (one per device, each with
//! a rotating refresh token).
//!
//! Passwords and tokens never reach the domain: the shell hashes a password
//! (argon2) and a refresh token's secret (SHA-256) before asking, so what
//! is decided and stored is only ever a hash.

use super::access::{self, Principal, Role};
use super::aggregate::Aggregate;
use super::error::DomainError;
use super::ids::{validate_id, validate_text};
use super::time::Timestamp;
use serde::{Deserialize, Serialize};

/// Most sessions one account keeps; signing in on one more device ends the
/// oldest (a stolen password cannot grow the record without bound).
pub const MAX_SESSIONS: usize = 10;

/// A password's or a refresh token's hash: stored and compared, never
/// shown (its `Debug` is `<hash>`, so a logged command or an error message
/// cannot carry it). Stored as the string itself.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecretHash(pub String);

impl std::fmt::Debug for SecretHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<hash>")
    }
}

impl From<String> for SecretHash {
    fn from(hash: String) -> Self {
        SecretHash(hash)
    }
}

impl From<&str> for SecretHash {
    fn from(hash: &str) -> Self {
        SecretHash(hash.to_string())
    }
}

/// Whether an account may sign in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccountStatus {
    Active,
    /// Turned off by an operator: every token of it is refused.
    Disabled,
    /// Closed for good. The record stays, so that its id (which names its
    /// orders, reviews and deliveries) cannot be taken by someone else.
    Closed,
}

/// One signed-in device: the hash of its current refresh token's secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Random; named by the access token's `sid` and the refresh token.
    pub id: u64,
    /// Hex SHA-256 of the current refresh token's secret.
    pub secret_hash: SecretHash,
    /// When the current refresh token stops working (UTC).
    pub expires_at: Timestamp,
    /// The refresh token's secret before the last rotation: presented
    /// again, it was copied (stolen or replayed), and the session ends.
    /// Any other wrong secret is only refused (a guess must not sign the
    /// account out).
    #[serde(default)]
    pub previous_hash: Option<SecretHash>,
}

/// An account of a customer, store owner, rider or operator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: String,
    pub name: String,
    pub role: Role,
    /// The password's argon2 hash, in PHC string format.
    pub password_hash: SecretHash,
    pub status: AccountStatus,
    pub created_at: Timestamp,
    pub sessions: Vec<Session>,
}

impl Account {
    /// Whether session `sid` is signed in at `now` (its access tokens are
    /// honoured only while it is).
    pub fn session_live(&self, sid: u64, now: Timestamp) -> bool {
        self.status == AccountStatus::Active
            && self
                .sessions
                .iter()
                .any(|s| s.id == sid && s.expires_at > now)
    }
}

/// What can be asked of an account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccountCommand {
    /// Create it. Customers and riders sign up themselves; owner and
    /// operator accounts are made by an operator.
    SignUp {
        name: String,
        role: Role,
        password_hash: SecretHash,
    },
    /// Sign in on one more device (the password was checked by the caller).
    OpenSession {
        session: u64,
        secret_hash: SecretHash,
        expires_at: Timestamp,
    },
    /// Trade the current refresh token of `session` for the next one. A
    /// presented secret that is not the current one (a reused, rotated
    /// token) ends the session: whoever holds either token is signed out.
    Refresh {
        session: u64,
        presented_hash: SecretHash,
        next_hash: SecretHash,
        expires_at: Timestamp,
    },
    /// Sign out one device; a session already gone is nothing to do.
    CloseSession { session: u64 },
    /// Turn the account off or on again (operators).
    SetDisabled(bool),
    /// Close the account for good (the account itself, or an operator).
    Close,
}

/// What happened to an account. Not logged: nothing subscribes to
/// accounts; the snapshot is what is kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccountEvent {
    SignedUp {
        id: String,
        name: String,
        role: Role,
        password_hash: SecretHash,
    },
    SessionOpened(Session),
    SessionRotated(Session),
    /// `reused`: ended because a rotated refresh token came back.
    SessionClosed {
        session: u64,
        reused: bool,
    },
    StatusSet(AccountStatus),
}

fn signed_out() -> DomainError {
    DomainError::Unauthenticated(
        "the refresh token is unknown, expired or revoked; sign in again".into(),
    )
}

impl Aggregate for Account {
    type Id = String;
    type Command = AccountCommand;
    type Event = AccountEvent;

    /// An account exists once signed up.
    fn initial(_: &String) -> Option<Account> {
        None
    }

    fn decide(
        account: Option<&Account>,
        id: &String,
        by: &Principal,
        cmd: &AccountCommand,
        now: Timestamp,
    ) -> Result<Vec<AccountEvent>, DomainError> {
        use AccountCommand as C;
        let account = match (account, cmd) {
            (
                None,
                C::SignUp {
                    name,
                    role,
                    password_hash,
                },
            ) => {
                validate_id("id", id)?;
                validate_text("name", name, 100)?;
                let staff_only = matches!(role, Role::Owner | Role::Operator);
                if *role == Role::System || (staff_only && !by.is_staff()) {
                    return Err(access::forbidden(
                        by,
                        "create",
                        format!("a {role} account"),
                        "an operator",
                    ));
                }
                return Ok(vec![AccountEvent::SignedUp {
                    id: id.clone(),
                    name: name.clone(),
                    role: *role,
                    password_hash: password_hash.clone(),
                }]);
            }
            (Some(_), C::SignUp { .. }) => return Err(DomainError::AccountExists(id.clone())),
            (None, C::OpenSession { .. } | C::Refresh { .. }) => return Err(signed_out()),
            (None, _) => {
                return Err(DomainError::NotFound {
                    what: format!("account {id:?}"),
                })
            }
            (Some(account), _) => account,
        };
        let active = account.status == AccountStatus::Active;
        Ok(match cmd {
            C::SignUp { .. } => unreachable!("handled above"),
            C::OpenSession { .. } if !active => {
                return Err(DomainError::Unauthenticated(format!(
                    "account {id:?} is disabled or closed; an operator can turn it on again"
                )))
            }
            C::Refresh { .. } if !active => return Err(signed_out()),
            C::OpenSession {
                session,
                secret_hash,
                expires_at,
            } => vec![AccountEvent::SessionOpened(Session {
                id: *session,
                secret_hash: secret_hash.clone(),
                expires_at: *expires_at,
                previous_hash: None,
            })],
            C::Refresh {
                session,
                presented_hash,
                next_hash,
                expires_at,
            } => {
                let current = account
                    .sessions
                    .iter()
                    .find(|s| s.id == *session && s.expires_at > now)
                    .ok_or_else(signed_out)?;
                if current.secret_hash == *presented_hash {
                    vec![AccountEvent::SessionRotated(Session {
                        id: *session,
                        secret_hash: next_hash.clone(),
                        expires_at: *expires_at,
                        previous_hash: Some(presented_hash.clone()),
                    })]
                } else if current.previous_hash.as_ref() == Some(presented_hash) {
                    vec![AccountEvent::SessionClosed {
                        session: *session,
                        reused: true,
                    }]
                } else {
                    return Err(signed_out());
                }
            }
            C::CloseSession { session } => {
                access::check_own(by, account.role, id, "account")?;
                if account.sessions.iter().any(|s| s.id == *session) {
                    vec![AccountEvent::SessionClosed {
                        session: *session,
                        reused: false,
                    }]
                } else {
                    vec![]
                }
            }
            C::SetDisabled(off) => {
                if !by.is_staff() {
                    access::check_own(by, account.role, id, "account")?;
                    return Err(access::forbidden(
                        by,
                        "disable",
                        format!("account {id:?}"),
                        "an operator",
                    ));
                }
                let next = if *off {
                    AccountStatus::Disabled
                } else {
                    AccountStatus::Active
                };
                if account.status == next || account.status == AccountStatus::Closed {
                    vec![]
                } else {
                    vec![AccountEvent::StatusSet(next)]
                }
            }
            C::Close => {
                access::check_own(by, account.role, id, "account")?;
                if account.status == AccountStatus::Closed {
                    vec![]
                } else {
                    vec![AccountEvent::StatusSet(AccountStatus::Closed)]
                }
            }
        })
    }

    fn apply(account: Option<Account>, event: &AccountEvent, at: Timestamp) -> Option<Account> {
        let mut account = match (account, event) {
            (
                None,
                AccountEvent::SignedUp {
                    id,
                    name,
                    role,
                    password_hash,
                },
            ) => {
                return Some(Account {
                    id: id.clone(),
                    name: name.clone(),
                    role: *role,
                    password_hash: password_hash.clone(),
                    status: AccountStatus::Active,
                    created_at: at,
                    sessions: vec![],
                })
            }
            (state @ None, _) | (state, AccountEvent::SignedUp { .. }) => return state,
            (Some(account), _) => account,
        };
        // Expired sessions go at every change, so the record stays small.
        account.sessions.retain(|s| s.expires_at > at);
        match event {
            AccountEvent::SignedUp { .. } => {}
            AccountEvent::SessionOpened(session) => {
                account.sessions.push(session.clone());
                let over = account.sessions.len().saturating_sub(MAX_SESSIONS);
                account.sessions.drain(..over);
            }
            AccountEvent::SessionRotated(next) => {
                if let Some(s) = account.sessions.iter_mut().find(|s| s.id == next.id) {
                    *s = next.clone();
                }
            }
            AccountEvent::SessionClosed { session, .. } => {
                account.sessions.retain(|s| s.id != *session)
            }
            AccountEvent::StatusSet(status) => {
                account.status = *status;
                if *status != AccountStatus::Active {
                    account.sessions.clear();
                }
            }
        }
        Some(account)
    }

    fn not_found(id: &String) -> DomainError {
        DomainError::NotFound {
            what: format!("account {id:?}"),
        }
    }
}

#[cfg(test)]
#[path = "account_tests.rs"]
mod tests;
