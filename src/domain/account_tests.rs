use super::*;
use crate::domain::testing::given;
use crate::domain::ErrorKind;

fn signed_up(role: Role) -> AccountEvent {
    AccountEvent::SignedUp {
        id: "kim".into(),
        name: "김민지".into(),
        role,
        password_hash: "$argon2id$hash".into(),
    }
}

fn sign_up(role: Role) -> AccountCommand {
    AccountCommand::SignUp {
        name: "김민지".into(),
        role,
        password_hash: "$argon2id$hash".into(),
    }
}

fn session(id: u64, hash: &str) -> Session {
    Session {
        id,
        secret_hash: hash.into(),
        expires_at: Timestamp(1_000_000),
        previous_hash: None,
    }
}

#[test]
fn customers_and_riders_sign_up_themselves_owners_and_operators_are_made() {
    for role in [Role::Customer, Role::Rider] {
        let made = given::<Account>("kim".into(), [])
            .when_by(&Principal::Anonymous, sign_up(role))
            .then(vec![signed_up(role)])
            .unwrap();
        assert_eq!((made.id.as_str(), made.role), ("kim", role));
        assert_eq!(made.status, AccountStatus::Active);
    }
    for role in [Role::Owner, Role::Operator] {
        let refused = given::<Account>("kim".into(), [])
            .when_by(&Principal::Anonymous, sign_up(role))
            .then_refused();
        assert_eq!(refused.kind(), ErrorKind::Forbidden, "{refused}");
        given::<Account>("kim".into(), [])
            .when_by(&Principal::Operator("admin".into()), sign_up(role))
            .then(vec![signed_up(role)]);
    }
    let refused = given::<Account>("kim".into(), [signed_up(Role::Customer)])
        .when_by(&Principal::Anonymous, sign_up(Role::Customer))
        .then_refused();
    assert_eq!(refused, DomainError::AccountExists("kim".into()));
}

#[test]
fn a_refresh_token_rotates_once_and_a_reused_one_ends_the_session() {
    let signed_in = [
        signed_up(Role::Customer),
        AccountEvent::SessionOpened(session(7, "first")),
    ];
    let refresh = |presented: &str| AccountCommand::Refresh {
        session: 7,
        presented_hash: presented.into(),
        next_hash: "second".into(),
        expires_at: Timestamp(2_000_000),
    };
    let rotated = given::<Account>("kim".into(), signed_in.clone())
        .when_by(&Principal::Anonymous, refresh("first"))
        .then(vec![AccountEvent::SessionRotated(Session {
            expires_at: Timestamp(2_000_000),
            previous_hash: Some("first".into()),
            ..session(7, "second")
        })])
        .unwrap();
    assert!(rotated.session_live(7, Timestamp(1_000)));
    // The first token again, after it was rotated: whoever has it, the
    // session ends.
    let mut after = signed_in.to_vec();
    after.push(AccountEvent::SessionRotated(Session {
        previous_hash: Some("first".into()),
        ..session(7, "second")
    }));
    // A secret never issued (a guess): refused, and the session lives on.
    let guessed = given::<Account>("kim".into(), after.clone())
        .when_by(&Principal::Anonymous, refresh("guess"))
        .then_refused();
    assert_eq!(guessed.kind(), ErrorKind::Unauthenticated);
    let ended = given::<Account>("kim".into(), after)
        .when_by(&Principal::Anonymous, refresh("first"))
        .then(vec![AccountEvent::SessionClosed {
            session: 7,
            reused: true,
        }])
        .unwrap();
    assert!(!ended.session_live(7, Timestamp(1_000)));
    // A session that is gone, or an account that is not: signed out.
    let refused = given::<Account>("kim".into(), [signed_up(Role::Customer)])
        .when_by(&Principal::Anonymous, refresh("first"))
        .then_refused();
    assert_eq!(refused.kind(), ErrorKind::Unauthenticated);
}

#[test]
fn signing_out_disabling_and_closing_end_sessions() {
    let signed_in = [
        signed_up(Role::Customer),
        AccountEvent::SessionOpened(session(7, "a")),
        AccountEvent::SessionOpened(session(8, "b")),
    ];
    let kim = Principal::Customer("kim".into());
    let out = given::<Account>("kim".into(), signed_in.clone())
        .when_by(&kim, AccountCommand::CloseSession { session: 7 })
        .then(vec![AccountEvent::SessionClosed {
            session: 7,
            reused: false,
        }])
        .unwrap();
    assert!(!out.session_live(7, Timestamp(1)) && out.session_live(8, Timestamp(1)));
    // Someone else cannot sign kim out, nor see that kim exists.
    let refused = given::<Account>("kim".into(), signed_in.clone())
        .when_by(
            &Principal::Customer("lee".into()),
            AccountCommand::CloseSession { session: 7 },
        )
        .then_refused();
    assert_eq!(refused.kind(), ErrorKind::NotFound);
    // Only operators disable; it ends every session.
    let refused = given::<Account>("kim".into(), signed_in.clone())
        .when_by(&kim, AccountCommand::SetDisabled(true))
        .then_refused();
    assert_eq!(refused.kind(), ErrorKind::Forbidden);
    let off = given::<Account>("kim".into(), signed_in.clone())
        .when_by(
            &Principal::Operator("admin".into()),
            AccountCommand::SetDisabled(true),
        )
        .then(vec![AccountEvent::StatusSet(AccountStatus::Disabled)])
        .unwrap();
    assert!(off.sessions.is_empty());
    let refused = given::<Account>(
        "kim".into(),
        [
            signed_up(Role::Customer),
            AccountEvent::StatusSet(AccountStatus::Disabled),
        ],
    )
    .when_by(
        &Principal::Anonymous,
        AccountCommand::OpenSession {
            session: 9,
            secret_hash: "c".into(),
            expires_at: Timestamp(1_000_000),
        },
    )
    .then_refused();
    assert_eq!(refused.kind(), ErrorKind::Unauthenticated);
    assert!(
        refused.to_string().contains("disabled or closed"),
        "{refused}"
    );
    let closed = given::<Account>("kim".into(), signed_in)
        .when_by(&kim, AccountCommand::Close)
        .then(vec![AccountEvent::StatusSet(AccountStatus::Closed)])
        .unwrap();
    assert!(!closed.session_live(8, Timestamp(1)));
}

#[test]
fn an_account_keeps_at_most_its_newest_sessions() {
    let mut events = vec![signed_up(Role::Rider)];
    for n in 0..(MAX_SESSIONS as u64 + 3) {
        events.push(AccountEvent::SessionOpened(session(n + 1, "h")));
    }
    let account = given::<Account>("kim".into(), events).state.unwrap();
    assert_eq!(account.sessions.len(), MAX_SESSIONS);
    assert_eq!(account.sessions[0].id, 4, "the oldest went first");
}

#[test]
fn hashes_never_show_in_debug_output() {
    let cmd = AccountCommand::SignUp {
        name: "김민지".into(),
        role: Role::Customer,
        password_hash: "$argon2id$v=19$secret-looking".into(),
    };
    let shown = format!("{cmd:?}");
    assert!(!shown.contains("argon2"), "{shown}");
    assert!(shown.contains("<hash>"), "{shown}");
}
