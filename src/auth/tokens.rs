//! Access tokens (JWT, HS256: short-lived, checked on every request) and
//! refresh tokens (opaque, rotated on every use, kept only as a hash).

use crate::domain::access::Role;
use crate::domain::{DomainError, Timestamp};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// How long an access token is honoured unless told otherwise: 15 minutes
/// (short, because it is not looked up in full on every request).
pub const ACCESS_TTL: Duration = Duration::from_secs(15 * 60);
/// How long a refresh token works unless used: 30 days.
pub const REFRESH_TTL: Duration = Duration::from_secs(30 * 24 * 3600);

/// What an access token says (RFC 7519 claims; times in seconds since
/// the Unix epoch, UTC).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    /// The account id.
    pub sub: String,
    /// `customer`, `owner`, `rider` or `operator`.
    pub role: String,
    /// The session (device) it was issued to; signing out ends it.
    pub sid: u64,
    pub iat: u64,
    pub exp: u64,
}

/// Signs and checks access tokens with one HMAC key.
pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    /// How long an access token lives.
    pub access_ttl: Duration,
    /// How long a refresh token lives unused.
    pub refresh_ttl: Duration,
}

impl Tokens {
    /// Tokens signed with `secret` (at least 32 bytes: `secret::load`).
    pub fn new(secret: &[u8], access_ttl: Duration, refresh_ttl: Duration) -> Tokens {
        // Only HS256: a token naming another algorithm (`none` among them)
        // is refused before its signature is even looked at.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        validation.set_required_spec_claims(&["exp", "sub"]);
        Tokens {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            access_ttl,
            refresh_ttl,
        }
    }

    /// A signed access token for session `sid` of `account`, issued at `now`.
    pub fn access(
        &self,
        account: &str,
        role: Role,
        sid: u64,
        now: Timestamp,
    ) -> Result<String, String> {
        let iat = now.0 / 1000;
        let claims = AccessClaims {
            sub: account.to_string(),
            role: role.as_str().to_string(),
            sid,
            iat,
            exp: iat + self.access_ttl.as_secs(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| format!("cannot sign a token: {e}"))
    }

    /// The claims of a token this server signed and that has not expired;
    /// anything else is a 401 saying which.
    pub fn verify(&self, token: &str) -> Result<AccessClaims, DomainError> {
        use jsonwebtoken::errors::ErrorKind;
        jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| {
                DomainError::Unauthenticated(match e.kind() {
                    ErrorKind::ExpiredSignature => {
                        "the access token has expired; get a new one with POST /auth/refresh".into()
                    }
                    ErrorKind::InvalidAlgorithm => {
                        "the access token is not signed with HS256".into()
                    }
                    _ => "the access token is not valid; sign in again".into(),
                })
            })
    }

    /// When a refresh token issued at `now` expires.
    pub fn refresh_expiry(&self, now: Timestamp) -> Timestamp {
        Timestamp(now.0 + self.refresh_ttl.as_millis() as u64)
    }
}

/// A refresh token: `<account, base64url>.<session, hex>.<secret, base64url>`.
/// The server keeps only the secret's SHA-256 (`Session::secret_hash`).
#[derive(Clone, PartialEq, Eq)]
pub struct RefreshToken {
    pub account: String,
    pub session: u64,
    secret: String,
}

/// Never shows the secret.
impl std::fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefreshToken")
            .field("account", &self.account)
            .field("session", &self.session)
            .finish_non_exhaustive()
    }
}

impl RefreshToken {
    /// A new token for `session` of `account`, with a fresh 256-bit secret.
    pub fn generate(account: &str, session: u64) -> Result<RefreshToken, String> {
        let mut secret = [0u8; 32];
        getrandom::getrandom(&mut secret).map_err(|e| format!("no randomness: {e}"))?;
        Ok(RefreshToken {
            account: account.to_string(),
            session,
            secret: URL_SAFE_NO_PAD.encode(secret),
        })
    }

    /// What the client is given.
    pub fn encode(&self) -> String {
        format!(
            "{}.{:016x}.{}",
            URL_SAFE_NO_PAD.encode(&self.account),
            self.session,
            self.secret
        )
    }

    /// Reads what a client sent; `None` if it is no refresh token.
    pub fn parse(token: &str) -> Option<RefreshToken> {
        let mut parts = token.split('.');
        let (account, session, secret) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || secret.is_empty() || secret.len() > 100 {
            return None;
        }
        Some(RefreshToken {
            account: String::from_utf8(URL_SAFE_NO_PAD.decode(account).ok()?).ok()?,
            session: u64::from_str_radix(session, 16).ok()?,
            secret: secret.to_string(),
        })
    }

    /// Hex SHA-256 of the secret: what is stored and compared.
    pub fn secret_hash(&self) -> String {
        Sha256::digest(self.secret.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// A random session id (never 0).
pub fn new_session_id() -> Result<u64, String> {
    let mut bytes = [0u8; 8];
    getrandom::getrandom(&mut bytes).map_err(|e| format!("no randomness: {e}"))?;
    Ok(u64::from_le_bytes(bytes).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens() -> Tokens {
        Tokens::new(&[7u8; 32], ACCESS_TTL, REFRESH_TTL)
    }

    #[test]
    fn an_access_token_says_who_and_until_when() {
        let now = Timestamp::now();
        let token = tokens().access("kim", Role::Customer, 9, now).unwrap();
        let claims = tokens().verify(&token).unwrap();
        assert_eq!(claims.sub, "kim");
        assert_eq!(claims.role, "customer");
        assert_eq!(claims.sid, 9);
        assert_eq!(claims.exp - claims.iat, ACCESS_TTL.as_secs());
    }

    #[test]
    fn expired_tampered_and_foreign_tokens_are_refused() {
        let long_ago = Timestamp(Timestamp::now().0 - 3_600_000);
        let expired = tokens().access("kim", Role::Customer, 9, long_ago).unwrap();
        let err = tokens().verify(&expired).unwrap_err();
        assert!(err.to_string().contains("expired"), "{err}");

        let token = tokens()
            .access("kim", Role::Customer, 9, Timestamp::now())
            .unwrap();
        let mut tampered = token.clone();
        tampered.pop();
        tampered.push(if token.ends_with('A') { 'B' } else { 'A' });
        assert!(tokens().verify(&tampered).is_err());

        let other = Tokens::new(&[8u8; 32], ACCESS_TTL, REFRESH_TTL);
        assert!(other.verify(&token).is_err(), "another key's token");

        // {"alg":"none"}: unsigned.
        let payload = token.split('.').nth(1).unwrap();
        let none = format!(
            "{}.{payload}.",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#)
        );
        assert!(tokens().verify(&none).is_err());
    }

    #[test]
    fn a_refresh_token_round_trips_and_keeps_only_a_hash() {
        let t = RefreshToken::generate("owner-gangnam.chicken", 42).unwrap();
        let sent = t.encode();
        assert_eq!(RefreshToken::parse(&sent), Some(t.clone()));
        assert_eq!(t.secret_hash().len(), 64);
        assert!(!t.secret_hash().contains(&t.secret));
        assert_ne!(RefreshToken::generate("a", 1).unwrap().secret, t.secret);
        for bad in ["", "a.b", "a.zz.c", "YQ.1.c.d", "%%.1.c"] {
            assert_eq!(RefreshToken::parse(bad), None, "{bad}");
        }
    }
}
