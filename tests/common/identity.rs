//! Who a test's [`Api`] acts as: the identities, and the tokens the harness
//! gets for them (signing accounts up as it goes).

use super::*;

/// Who an [`Api`] acts as.
#[derive(Clone, Debug)]
pub enum Identity {
    /// Whoever the request is about (see [`Api::token_for`]): the
    /// customer or rider its body names, the customer of the order it
    /// acts on, the operator otherwise. For the tests of everything but
    /// who may call what.
    Auto,
    /// No token at all.
    Anonymous,
    /// This access token.
    Token(String),
}

impl Api {
    /// This client, acting as `identity`.
    pub fn with(&self, identity: Identity) -> Api {
        Api {
            identity,
            ..self.clone()
        }
    }

    /// This client with no token.
    pub fn anonymous(&self) -> Api {
        self.with(Identity::Anonymous)
    }

    /// This client acting as account `id` (signed up as `role` with
    /// [`PASSWORD`] unless it exists; demo accounts use theirs).
    pub async fn as_account(&self, id: &str, role: &str) -> Api {
        let token = self.token(id, role).await.expect("signed in");
        self.with(Identity::Token(token))
    }

    pub async fn as_customer(&self, id: &str) -> Api {
        self.as_account(id, "customer").await
    }

    pub async fn as_rider(&self, id: &str) -> Api {
        self.as_account(id, "rider").await
    }

    pub async fn as_admin(&self) -> Api {
        self.as_account("admin", "operator").await
    }

    /// Signs in `id` with `password`: the whole answer.
    pub async fn login(&self, id: &str, password: &str) -> (StatusCode, Value) {
        let req = self
            .http
            .post(format!("{}/auth/login", self.base))
            .json(&json!({ "id": id, "password": password }));
        let res = req.send().await.expect("the server answers");
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// An access token of `id`, cached: signs in (demo accounts and
    /// `admin` with their passwords), signing up as `role` first if need be.
    /// `None` if the server does not answer.
    pub async fn token(&self, id: &str, role: &str) -> Option<String> {
        if let Some(token) = self.tokens.lock().unwrap().get(id) {
            return Some(token.clone());
        }
        let password = if id == "admin" {
            ADMIN_PASSWORD
        } else if id.starts_with("owner-") || is_demo_rider(id) {
            DEMO_PASSWORD
        } else {
            PASSWORD
        };
        let mut login = self
            .http
            .post(format!("{}/auth/login", self.base))
            .json(&json!({ "id": id, "password": password }));
        let mut res = login.try_clone()?.send().await.ok()?;
        if res.status() == StatusCode::UNAUTHORIZED && password == PASSWORD {
            let signup = json!({ "id": id, "password": PASSWORD, "role": role, "name": id });
            self.http
                .post(format!("{}/auth/signup", self.base))
                .json(&signup)
                .send()
                .await
                .ok()?;
            login = login.try_clone()?;
            res = login.send().await.ok()?;
        }
        let body: Value = res.json().await.ok()?;
        let token = body["accessToken"].as_str()?.to_string();
        self.tokens
            .lock()
            .unwrap()
            .insert(id.to_string(), token.clone());
        Some(token)
    }

    /// Who [`Identity::Auto`] acts as for `method path` with `body`.
    pub async fn token_for(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Option<String> {
        let named = |field: &str| body.and_then(|b| b[field].as_str()).map(str::to_string);
        if let Some(customer) = named("customerId") {
            return self.token(&customer, "customer").await;
        }
        if let Some(rider) = named("riderId") {
            return self.token(&rider, "rider").await;
        }
        let segments: Vec<&str> = path.split(['/', '?']).collect();
        if method != "GET" {
            // An order's own commands are its customer's.
            if let ["", "orders", id, ..] = segments.as_slice() {
                if let Ok(id) = id.parse::<u64>() {
                    let admin = self.token("admin", "operator").await?;
                    let order: Value = self
                        .http
                        .get(format!("{}/orders/{id}", self.base))
                        .bearer_auth(admin)
                        .send()
                        .await
                        .ok()?
                        .json()
                        .await
                        .ok()?;
                    if let Some(customer) = order["customerId"].as_str() {
                        return self.token(customer, "customer").await;
                    }
                }
            }
            if let ["", "riders", id, ..] = segments.as_slice() {
                return self.token(id, "rider").await;
            }
        }
        self.token("admin", "operator").await
    }

    /// `req` with the token of this client's identity.
    pub(super) async fn authorized(
        &self,
        req: reqwest::RequestBuilder,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> reqwest::RequestBuilder {
        let token = match &self.identity {
            Identity::Anonymous => None,
            Identity::Token(token) => Some(token.clone()),
            Identity::Auto => self.token_for(method, path, body).await,
        };
        match token {
            Some(token) => req.bearer_auth(token),
            None => req,
        }
    }
}

/// Whether `id` is one of the demo riders (`rider-1` … `rider-20`).
fn is_demo_rider(id: &str) -> bool {
    id.strip_prefix("rider-")
        .and_then(|n| n.parse::<u32>().ok())
        .is_some_and(|n| (1..=20).contains(&n))
}
