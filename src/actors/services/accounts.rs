//! Accounts: signing up, signing in, refreshing and signing out. The
//! account's actor decides and keeps each change; this service does what
//! it cannot: hash passwords (slowly, off the actors' threads) and issue
//! tokens.

use crate::actors::entities::shell::Execute;
use crate::actors::Registry;
use crate::auth::password;
use crate::auth::tokens::{new_session_id, RefreshToken, Tokens};
use crate::domain::access::{Principal, Role};
use crate::domain::account::{Account, AccountCommand, AccountEvent};
use crate::domain::{DomainError, Timestamp};
use crate::error::{AppError, AppResult};
use serde::Serialize;

/// What signing in or refreshing answers (RFC 6749, section 5.1).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Credentials {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds the access token is honoured for.
    pub expires_in: u64,
    /// Trade it for new credentials once, with `POST /auth/refresh`.
    pub refresh_token: String,
}

/// An account as the API shows it: never its password hash or sessions.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccountView {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub created_at: Timestamp,
}

impl From<&Account> for AccountView {
    fn from(a: &Account) -> Self {
        AccountView {
            id: a.id.clone(),
            name: a.name.clone(),
            role: a.role,
            created_at: a.created_at,
        }
    }
}

/// Runs a slow, CPU-bound step (argon2) on the password hashing threads.
async fn off_thread<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    crate::auth::hashing::run(f)
        .await
        .map_err(AppError::Internal)
}

/// Creates an account `by` someone (anyone for customers and riders; an
/// operator for owners and operators).
pub async fn sign_up(
    registry: &Registry,
    by: &Principal,
    id: &str,
    password: String,
    role: Role,
    name: String,
) -> AppResult<AccountView> {
    password::validate(&password)?;
    // Refuse what the account would refuse before paying for a hash.
    crate::domain::ids::validate_id("id", id)?;
    crate::domain::ids::validate_text("name", &name, 100)?;
    if matches!(role, Role::Owner | Role::Operator | Role::System) && !by.is_staff() {
        return Err(crate::domain::access::forbidden(
            by,
            "create",
            format!("a {role} account"),
            "an operator",
        )
        .into());
    }
    if registry
        .env()
        .db
        .contains(&crate::storage::keys::account(id))?
    {
        return Err(DomainError::AccountExists(id.to_string()).into());
    }
    let password_hash = off_thread(move || password::hash(&password))
        .await?
        .map_err(AppError::Internal)?;
    let cmd = AccountCommand::SignUp {
        name,
        role,
        password_hash: password_hash.into(),
    };
    let done = registry
        .send(&id.to_string(), Execute::<Account>::new(by, cmd))
        .await??;
    Ok(AccountView::from(&done.state))
}

/// Opens a session and issues its first tokens.
async fn open_session(
    registry: &Registry,
    tokens: &Tokens,
    account: &Account,
) -> AppResult<Credentials> {
    let now = Timestamp::now();
    let session = new_session_id().map_err(AppError::Internal)?;
    let refresh = RefreshToken::generate(&account.id, session).map_err(AppError::Internal)?;
    let cmd = AccountCommand::OpenSession {
        session,
        secret_hash: refresh.secret_hash().into(),
        expires_at: tokens.refresh_expiry(now),
    };
    registry
        .send(
            &account.id,
            Execute::<Account>::new(&Principal::Anonymous, cmd),
        )
        .await??;
    credentials(tokens, account, session, &refresh, now)
}

fn credentials(
    tokens: &Tokens,
    account: &Account,
    session: u64,
    refresh: &RefreshToken,
    now: Timestamp,
) -> AppResult<Credentials> {
    Ok(Credentials {
        access_token: tokens
            .access(&account.id, account.role, session, now)
            .map_err(AppError::Internal)?,
        token_type: "Bearer",
        expires_in: tokens.access_ttl.as_secs(),
        refresh_token: refresh.encode(),
    })
}

fn wrong_password() -> AppError {
    DomainError::Unauthenticated("wrong id or password".into()).into()
}

/// Signs in with a password: a new session on this device.
pub async fn login(
    registry: &Registry,
    tokens: &Tokens,
    id: &str,
    password: String,
) -> AppResult<Credentials> {
    if password.chars().count() > password::MAX_CHARS {
        return Err(wrong_password());
    }
    let account = crate::read::account(&registry.env().db, id)?;
    let stored = account.as_ref().map(|a| a.password_hash.0.clone());
    let matches = off_thread(move || password::verify(&password, stored.as_deref())).await?;
    match account {
        Some(account) if matches => open_session(registry, tokens, &account).await,
        _ => Err(wrong_password()),
    }
}

/// Trades a refresh token for new credentials, once: a token presented a
/// second time (a copy that was rotated away) ends its session.
pub async fn refresh(
    registry: &Registry,
    tokens: &Tokens,
    presented: &str,
) -> AppResult<Credentials> {
    let refused = || -> AppError {
        DomainError::Unauthenticated(
            "the refresh token is unknown, expired or revoked; sign in again".into(),
        )
        .into()
    };
    let presented = RefreshToken::parse(presented).ok_or_else(refused)?;
    let now = Timestamp::now();
    let next = RefreshToken::generate(&presented.account, presented.session)
        .map_err(AppError::Internal)?;
    let cmd = AccountCommand::Refresh {
        session: presented.session,
        presented_hash: presented.secret_hash().into(),
        next_hash: next.secret_hash().into(),
        expires_at: tokens.refresh_expiry(now),
    };
    let done = match registry
        .send(
            &presented.account,
            Execute::<Account>::new(&Principal::Anonymous, cmd),
        )
        .await?
    {
        Ok(done) => done,
        Err(AppError::Domain(DomainError::NotFound { .. })) => return Err(refused()),
        Err(e) => return Err(e),
    };
    if done
        .events
        .iter()
        .any(|e| matches!(e, AccountEvent::SessionClosed { reused: true, .. }))
    {
        tracing::warn!(account = %presented.account, "a rotated refresh token was reused: session ended");
        return Err(refused());
    }
    credentials(tokens, &done.state, presented.session, &next, now)
}

/// Signs out session `session` of the caller.
pub async fn logout(registry: &Registry, by: &Principal, session: u64) -> AppResult<()> {
    let cmd = AccountCommand::CloseSession { session };
    registry
        .send(&by.id().to_string(), Execute::<Account>::new(by, cmd))
        .await??;
    Ok(())
}

/// Runs an account command `by` someone (disable, close).
pub async fn command(
    registry: &Registry,
    by: &Principal,
    id: &str,
    cmd: AccountCommand,
) -> AppResult<AccountView> {
    let done = registry
        .send(&id.to_string(), Execute::<Account>::new(by, cmd))
        .await??;
    Ok(AccountView::from(&done.state))
}
