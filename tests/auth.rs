//! Who is calling, end to end: signing up and in, tokens that must be
//! refused (expired, tampered, unsigned, rotated away, of a disabled or
//! closed account), and the abuses of issue 11, each refused with nothing
//! stored.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const STORE: &str = "gangnam-chicken";

/// A token this server would sign, with these claims.
fn forge(claims: Value, secret: &str) -> String {
    use base64::Engine;
    let b64 = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
    let header = b64(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = b64(claims.to_string().as_bytes());
    let signed = format!("{header}.{payload}");
    let tag = hmac_sha256(secret.as_bytes(), signed.as_bytes());
    format!("{signed}.{}", b64(&tag))
}

/// HMAC-SHA256 (RFC 2104) over sha2, for forging test tokens.
fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    let mut block = [0u8; 64];
    block[..key.len()].copy_from_slice(key);
    let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .to_vec()
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The claims of an access token (not checked).
fn claims_of(token: &str) -> Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

async fn assert_401(api: &Api, path: &str, needle: &str) {
    let res = api
        .request(reqwest::Method::GET, path, None)
        .await
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{path}");
    let challenge = res.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(challenge.starts_with("Bearer"), "{challenge}");
    let body: Value = res.json().await.unwrap();
    assert_problem(StatusCode::UNAUTHORIZED, &body, 401, needle);
}

#[tokio::test]
async fn sign_up_sign_in_refresh_and_sign_out() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let api = server.api.anonymous();
    let (status, account) = api
        .post(
            "/auth/signup",
            json!({ "id": "mina", "password": "mina-password", "role": "customer", "name": "미나" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{account}");
    assert_eq!(
        account,
        json!({ "id": "mina", "name": "미나", "role": "Customer", "createdAt": account["createdAt"] })
    );
    let (status, body) = api
        .post(
            "/auth/signup",
            json!({ "id": "mina", "password": "other-password", "role": "customer", "name": "x" }),
        )
        .await;
    assert_problem(status, &body, 409, "already exists");
    // Owners and operators are made by an operator, not by themselves.
    let (status, body) = api
        .post(
            "/auth/signup",
            json!({ "id": "boss", "password": "boss-password", "role": "owner", "name": "x" }),
        )
        .await;
    assert_problem(status, &body, 403, "only an operator may");

    let (status, body) = api.login("mina", "wrong-password").await;
    assert_problem(status, &body, 401, "wrong id or password");
    let (status, body) = api.login("nobody", "mina-password").await;
    assert_problem(status, &body, 401, "wrong id or password");
    let (status, first) = api.login("mina", "mina-password").await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["tokenType"], "Bearer");
    assert_eq!(first["expiresIn"], 900);
    let text = first.to_string();
    assert!(!text.contains("mina-password") && !text.contains("argon2"));

    let mina = api.with(Identity::Token(
        first["accessToken"].as_str().unwrap().into(),
    ));
    let (status, me) = mina.get("/auth/me").await;
    assert_eq!((status, me["id"].clone()), (StatusCode::OK, json!("mina")));
    assert!(me.get("passwordHash").is_none() && me.get("password_hash").is_none());

    // Rotation: the new refresh token works, the old one is refused and
    // ends the session for whoever holds either.
    let (status, second) = api
        .post(
            "/auth/refresh",
            json!({ "refreshToken": first["refreshToken"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_ne!(second["refreshToken"], first["refreshToken"]);
    let (status, body) = api
        .post(
            "/auth/refresh",
            json!({ "refreshToken": first["refreshToken"] }),
        )
        .await;
    assert_problem(status, &body, 401, "refresh token");
    let (status, body) = api
        .post(
            "/auth/refresh",
            json!({ "refreshToken": second["refreshToken"] }),
        )
        .await;
    assert_problem(status, &body, 401, "refresh token");
    assert_401(&mina, "/auth/me", "session has ended").await;

    // Sign out: that session's access and refresh tokens stop working.
    let (_, third) = api.login("mina", "mina-password").await;
    let mina = api.with(Identity::Token(
        third["accessToken"].as_str().unwrap().into(),
    ));
    let (status, _) = mina.post_empty("/auth/logout").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_401(&mina, "/auth/me", "session has ended").await;
    let (status, body) = api
        .post(
            "/auth/refresh",
            json!({ "refreshToken": third["refreshToken"] }),
        )
        .await;
    assert_problem(status, &body, 401, "refresh token");

    // A refresh token that was never issued (right account and session, a
    // guessed secret) is refused, and signs no one out.
    let (_, fifth) = api.login("mina", "mina-password").await;
    let real = fifth["refreshToken"].as_str().unwrap();
    let mut parts: Vec<String> = real.split('.').map(str::to_string).collect();
    parts[2] = "guessed-secret".into();
    let (status, body) = api
        .post("/auth/refresh", json!({ "refreshToken": parts.join(".") }))
        .await;
    assert_problem(status, &body, 401, "refresh token");
    let (status, _) = api
        .post("/auth/refresh", json!({ "refreshToken": real }))
        .await;
    assert_eq!(status, StatusCode::OK, "the session lives on");

    // Sessions survive a restart: the signing key is kept.
    let (_, fourth) = api.login("mina", "mina-password").await;
    server.stop();
    let server = Server::start(dir.path(), &[]);
    let mina = server.api.with(Identity::Token(
        fourth["accessToken"].as_str().unwrap().into(),
    ));
    assert_eq!(mina.get("/auth/me").await.0, StatusCode::OK);
}

#[tokio::test]
async fn bad_tokens_are_refused_with_401() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let api = &server.api;
    let kim = api.as_customer("kim").await;
    let Identity::Token(token) = kim.identity.clone() else {
        unreachable!()
    };
    let claims = claims_of(&token);
    assert_eq!(kim.get("/auth/me").await.0, StatusCode::OK);

    assert_401(&api.anonymous(), "/orders", "sign in first").await;
    let with = |t: String| api.with(Identity::Token(t));
    assert_401(&with("not-a-token".into()), "/orders", "not valid").await;
    // Expired an hour ago, correctly signed.
    let mut expired = claims.clone();
    expired["iat"] = json!(now_secs() - 7200);
    expired["exp"] = json!(now_secs() - 3600);
    assert_401(&with(forge(expired, AUTH_SECRET)), "/orders", "expired").await;
    // Signed with another key; and its signature tampered with.
    assert_401(
        &with(forge(claims.clone(), "another-secret-another-secret-00")),
        "/orders",
        "not valid",
    )
    .await;
    let mut tampered = claims.clone();
    tampered["sub"] = json!("lee");
    let parts: Vec<&str> = token.split('.').collect();
    let forged_payload = forge(tampered, AUTH_SECRET);
    let forged_payload = forged_payload.split('.').nth(1).unwrap();
    assert_401(
        &with(format!("{}.{forged_payload}.{}", parts[0], parts[2])),
        "/orders",
        "not valid",
    )
    .await;
    // alg "none": unsigned.
    use base64::Engine;
    let none =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    assert_401(
        &with(format!("{none}.{}.", parts[1])),
        "/orders",
        "access token",
    )
    .await;
    // A well-signed token of an account that does not exist.
    let mut ghost = claims.clone();
    ghost["sub"] = json!("ghost");
    assert_401(
        &with(forge(ghost, AUTH_SECRET)),
        "/orders",
        "no longer exists",
    )
    .await;

    // Disabled by an operator: every token of it, at once.
    let admin = api.as_admin().await;
    let (status, _) = admin
        .put("/accounts/kim/disabled", json!({ "disabled": true }))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_401(&kim, "/orders", "session has ended").await;
    let (status, body) = api.login("kim", PASSWORD).await;
    assert_problem(status, &body, 401, "disabled or closed");
    // Closed by its owner: the same, for good.
    let lee = api.as_customer("lee").await;
    let (status, _) = lee.delete("/accounts/lee").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_401(&lee, "/orders", "session has ended").await;
    // Closing another's account: as if it did not exist.
    let park = api.as_customer("park").await;
    let (status, body) = park.delete("/accounts/mina-never").await;
    assert_problem(status, &body, 404, "does not exist");
    let (status, body) = park.delete("/accounts/admin").await;
    assert_problem(status, &body, 404, "does not exist");
}

#[tokio::test]
async fn another_customers_things_do_not_exist_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--chaos"]);
    let api = &server.api;
    let order = api.place("kim", STORE).await;
    let id = order["id"].as_u64().unwrap();
    let lee = api.as_customer("lee").await;
    // What is kim's does not exist for lee; naming kim is not lee.
    for (path, expected, needle) in [
        (format!("/orders/{id}"), 404, "does not exist"),
        (format!("/payments/{id}"), 404, "has no payment"),
        (format!("/myPages/{id}"), 404, "not on any MyPage"),
        (format!("/foodCookings/{id}"), 404, "does not exist"),
        (format!("/deliveries/{id}"), 404, "does not exist"),
        ("/points/kim".to_string(), 404, "does not exist"),
        (
            "/notifications?customerId=kim".to_string(),
            404,
            "does not exist",
        ),
        ("/orders?customerId=kim".to_string(), 403, "is not you"),
        ("/coupons?customerId=kim".to_string(), 403, "is not you"),
        ("/myPages?customerId=kim".to_string(), 403, "is not you"),
    ] {
        let (status, body) = lee.get(&path).await;
        assert_eq!(status.as_u16(), expected, "{path}: {body}");
        assert_problem(status, &body, expected, needle);
    }
    // Acting on it, or as kim: refused before anything is charged.
    let (menu, address) = demo_dish(STORE);
    let as_kim = json!({ "customerId": "kim", "storeId": STORE, "items": [{ "menuId": menu, "qty": 1 }], "address": address });
    let (status, body) = lee.post("/orders", as_kim).await;
    assert_problem(status, &body, 403, "is not you");
    let (status, body) = lee
        .post(
            &format!("/orders/{id}/revise"),
            json!({ "items": [{ "menuId": menu, "qty": 99 }] }),
        )
        .await;
    assert_problem(status, &body, 404, "does not exist");
    let (status, body) = lee.post_empty(&format!("/orders/{id}/cancel")).await;
    assert_problem(status, &body, 404, "does not exist");
    // The store's menu is its owner's.
    let (status, body) = lee
        .put(
            &format!("/stores/{STORE}/menu/fried"),
            json!({ "name": "싸다", "price": 1 }),
        )
        .await;
    assert_problem(status, &body, 403, "only its owner or an operator");
    let (status, body) = lee
        .put(&format!("/stores/{STORE}/open"), json!({ "open": false }))
        .await;
    assert_problem(status, &body, 403, "only its owner or an operator");
    // Kim's notifications over the WebSocket.
    let Identity::Token(token) = lee.identity.clone() else {
        unreachable!()
    };
    let url = format!(
        "{}/ws?customerId=kim&access_token={token}",
        api.base.replacen("http", "ws", 1)
    );
    assert!(tokio_tungstenite::connect_async(url).await.is_err());

    caught_up(api).await;
    let (_, after) = api.get(&format!("/orders/{id}")).await;
    assert_eq!(after["status"], "Placed");
    assert_eq!(after["amount"], order["amount"]);
    let (_, charges) = api.get("/admin/chaos/payment/charges").await;
    assert_eq!(charges.as_array().map(Vec::len), Some(1), "{charges}");
    let (_, store) = api.get(&format!("/stores/{STORE}")).await;
    assert!(store["open"].as_bool().unwrap());
    assert_ne!(store["menu"][0]["price"], 1);
}

#[tokio::test]
async fn an_owners_store_waits_for_approval_and_the_history_says_who() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let api = &server.api;
    let admin = api.as_admin().await;
    let (status, _) = admin
        .post(
            "/auth/signup",
            json!({ "id": "boss", "password": PASSWORD, "role": "owner", "name": "사장" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let boss = api.as_account("boss", "owner").await;
    let new_store = json!({
        "id": "boss-bap", "name": "사장님 밥집", "address": "서울 마포구 와우산로 1",
        "menu": [{ "id": "bap", "name": "밥", "price": 12000 }],
    });
    let (status, store) = boss.post("/stores", new_store).await;
    assert_eq!(status, StatusCode::CREATED, "{store}");
    assert_eq!(
        (store["ownerId"].clone(), store["awaitingApproval"].clone()),
        (json!("boss"), json!(true))
    );
    // Not listed, not orderable, and not approvable by its owner.
    let (_, list) = api.anonymous().get("/stores").await;
    assert!(!list.to_string().contains("boss-bap"));
    // Whose a store is shows to its owner and operators only.
    let (_, public) = api.anonymous().get("/stores/gangnam-chicken").await;
    assert!(public.get("ownerId").is_none(), "{public}");
    let (_, seen) = admin.get("/stores/gangnam-chicken").await;
    assert_eq!(seen["ownerId"], "owner-gangnam-chicken");
    let kim = api.as_customer("kim").await;
    let order = json!({ "storeId": "boss-bap", "items": [{ "menuId": "bap", "qty": 1 }], "address": "서울 마포구 와우산로 2" });
    let (status, body) = kim.post("/orders", order.clone()).await;
    assert_problem(status, &body, 404, "does not exist");
    let (status, body) = boss.post_empty("/stores/boss-bap/approve").await;
    assert_problem(status, &body, 403, "only an operator may");
    let (status, _) = admin.post_empty("/stores/boss-bap/approve").await;
    assert_eq!(status, StatusCode::OK);
    let (status, placed) = kim.post("/orders", order).await;
    assert_eq!(status, StatusCode::CREATED, "{placed}");
    let id = placed["id"].as_u64().unwrap();
    // The owner runs the kitchen; the customer may not.
    let (status, body) = kim.post_empty(&format!("/foodCookings/{id}/accept")).await;
    assert_problem(status, &body, 403, "may not accept");
    let (status, _) = boss.post_empty(&format!("/foodCookings/{id}/accept")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = boss.post_empty(&format!("/orders/{id}/cancel")).await;
    assert_problem(status, &body, 403, "may not cancel");
    let (_, order) = kim.get(&format!("/orders/{id}")).await;
    assert_eq!(
        order["history"][0]["by"],
        json!({ "role": "Customer", "id": "kim" })
    );
    assert_eq!(
        order["history"][1]["by"],
        json!({ "role": "Owner", "id": "boss" })
    );
}
