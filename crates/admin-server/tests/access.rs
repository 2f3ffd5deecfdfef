//! Access control of the control interface over real HTTP: passwords,
//! lockout, TOTP where due, sessions and their expiry, CSRF, activation, the perimeter of
//! every role on every sensitive route, and the operator-access notification.
#![allow(clippy::unwrap_used)]

#[macro_use]
mod common;

use common::{PASSWORD, Session, TestApp};
use reqwest::{Method, StatusCode};
use scrutin_store::{Clock, Kind};
use serde_json::json;

async fn login_lockout_and_session(kind: Kind) {
    let app = TestApp::start(kind).await;
    app.user("coe@ain.test", "coe_president", "011").await;

    // One message for an unknown account and for a wrong password.
    let a = app.try_login("nobody@ain.test", PASSWORD, None).await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::UNAUTHORIZED, "bad_credentials")
    );
    for i in 1..5 {
        let a = app
            .try_login("coe@ain.test", "Wrong-Password-42", None)
            .await;
        assert_eq!(
            (a.status, a.code()),
            (StatusCode::UNAUTHORIZED, "bad_credentials"),
            "attempt {i}"
        );
    }
    // The fifth failure locks, and then even the right password is refused.
    let a = app
        .try_login("coe@ain.test", "Wrong-Password-42", None)
        .await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::TOO_MANY_REQUESTS, "locked")
    );
    let a = app.try_login("coe@ain.test", PASSWORD, None).await;
    assert_eq!(a.code(), "locked");
    app.clock.advance(chrono::Duration::minutes(16));
    let s = app.login("coe@ain.test", None).await;

    // The cookie is HttpOnly, Secure and SameSite=Strict.
    let a = app.try_login("coe@ain.test", PASSWORD, None).await;
    let cookie = a
        .headers
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("Secure")
            && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );

    let me = app.get(&s, "/admin/api/session").await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json["user"]["role"], "coe_president");
    assert_eq!(me.json["user"]["perimeter"], "011");
    assert_eq!(me.json["csrf"], s.csrf.as_str());

    // Idle for longer than the idle limit: the session is over.
    app.clock.advance(chrono::Duration::minutes(31));
    let a = app.get(&s, "/admin/api/session").await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::UNAUTHORIZED, "unauthenticated")
    );

    // Logout ends the session at once.
    let s = app.login("coe@ain.test", None).await;
    let a = app
        .request(Method::DELETE, "/admin/api/session", Some(&s), None, true)
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(
        app.get(&s, "/admin/api/session").await.code(),
        "unauthenticated"
    );
    // No cookie, forged cookie: unauthenticated.
    let a = app
        .request(Method::GET, "/admin/api/session", None, None, false)
        .await;
    assert_eq!(a.code(), "unauthenticated");
    let forged = Session {
        cookie: "scrutin_admin=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into(),
        ..s
    };
    assert_eq!(
        app.get(&forged, "/admin/api/session").await.code(),
        "unauthenticated"
    );

    // Every failure and login is journaled.
    let journal = app.state.stores.registry.journal(0, 1000).await.unwrap();
    let kinds: Vec<String> = journal
        .iter()
        .map(|r| {
            serde_json::from_str::<serde_json::Value>(&r.entry).unwrap()["kind"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert!(kinds.iter().filter(|k| *k == "admin-login-failed").count() >= 5);
    assert!(kinds.iter().any(|k| k == "admin-login"));
}
both_backends!(login_lockout_and_session_expiry, login_lockout_and_session);

async fn totp_where_due(kind: Kind) {
    let app = TestApp::start(kind).await;
    let secret = app
        .user("admin@scrutin.test", "national_admin", "NATIONAL")
        .await
        .unwrap();
    // Extended rights (several chambers) need it too; one chamber does not.
    let regional = app
        .user("region@aura.test", "observer", "011,381")
        .await
        .unwrap();
    assert!(
        app.user("coe@ain.test", "coe_member", "011")
            .await
            .is_none()
    );

    let a = app.try_login("admin@scrutin.test", PASSWORD, None).await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::UNAUTHORIZED, "totp_required")
    );
    let a = app
        .try_login("admin@scrutin.test", PASSWORD, Some("000000".into()))
        .await;
    assert_eq!((a.status, a.code()), (StatusCode::UNAUTHORIZED, "bad_totp"));
    // The right code with a wrong password is still refused.
    let code = app.totp(&secret);
    let a = app
        .try_login(
            "admin@scrutin.test",
            "Wrong-Password-42",
            Some(code.clone()),
        )
        .await;
    assert_eq!(a.code(), "bad_credentials");
    let a = app
        .try_login("admin@scrutin.test", PASSWORD, Some(code.clone()))
        .await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.json);
    // A code is accepted once.
    let a = app
        .try_login("admin@scrutin.test", PASSWORD, Some(code))
        .await;
    assert_eq!(a.code(), "bad_totp");
    let a = app.try_login("region@aura.test", PASSWORD, None).await;
    assert_eq!(a.code(), "totp_required");
    app.login("region@aura.test", Some(&regional)).await;
    app.login("coe@ain.test", None).await;
}
both_backends!(
    totp_required_for_national_and_extended_rights,
    totp_where_due
);

async fn csrf_refused(kind: Kind) {
    let app = TestApp::start(kind).await;
    let admin = app.admin().await;
    let body = json!({ "email": "new@ain.test", "last_name": "Neuf", "first_name": "Léa", "role": "coe_member", "perimeter": "011" });
    let bytes = serde_json::to_vec(&body).unwrap();
    // No token.
    let a = app
        .request(
            Method::POST,
            "/admin/api/users",
            Some(&admin),
            Some(("application/json", bytes.clone())),
            false,
        )
        .await;
    assert_eq!((a.status, a.code()), (StatusCode::FORBIDDEN, "csrf"));
    // Another session's token.
    let other = app.admin().await;
    let stolen = Session {
        csrf: other.csrf.clone(),
        ..admin.clone()
    };
    let a = app
        .request(
            Method::POST,
            "/admin/api/users",
            Some(&stolen),
            Some(("application/json", bytes.clone())),
            true,
        )
        .await;
    assert_eq!(a.code(), "csrf");
    // Logout is state-changing too.
    let a = app
        .request(
            Method::DELETE,
            "/admin/api/session",
            Some(&admin),
            None,
            false,
        )
        .await;
    assert_eq!(a.code(), "csrf");
    assert!(
        app.state
            .stores
            .registry
            .admin_user_by_email("new@ain.test")
            .await
            .unwrap()
            .is_none()
    );
    // With the session's own token it works.
    let a = app.post(&admin, "/admin/api/users", body).await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.json);
}
both_backends!(csrf_token_checked_on_state_changes, csrf_refused);

async fn activation(kind: Kind) {
    let app = TestApp::start(kind).await;
    let admin = app.admin().await;
    let a = app
        .post(&admin, "/admin/api/users", json!({ "email": "pres@ain.test", "last_name": "Martin", "first_name": "Paul", "role": "coe_president", "perimeter": "011" }))
        .await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.json);
    assert_eq!(a.json["emailed"], true);
    let link = a.json["activation_link"].as_str().unwrap().to_owned();
    let token = link.split("jeton=").nth(1).unwrap().to_owned();
    // The link went by email to the new user.
    let mails = app.smtp.wait_for(1).await;
    assert_eq!(mails[0].to, vec!["pres@ain.test".to_string()]);
    assert!(mails[0].text().contains(&token), "{}", mails[0].text());
    // Not active yet.
    assert_eq!(
        app.try_login("pres@ain.test", PASSWORD, None).await.code(),
        "bad_credentials"
    );
    // The policy refuses weak passwords, with every broken rule.
    let weak = app
        .request(
            Method::POST,
            "/admin/api/activation",
            None,
            Some((
                "application/json",
                serde_json::to_vec(&json!({ "token": token, "password": "martin2026" })).unwrap(),
            )),
            false,
        )
        .await;
    assert_eq!(
        (weak.status, weak.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "weak_password")
    );
    assert!(
        weak.json["error"]["details"]["rules"]
            .as_array()
            .unwrap()
            .len()
            >= 2
    );
    let ok = app
        .request(
            Method::POST,
            "/admin/api/activation",
            None,
            Some((
                "application/json",
                serde_json::to_vec(&json!({ "token": token, "password": PASSWORD })).unwrap(),
            )),
            false,
        )
        .await;
    assert_eq!(ok.json["status"], "active", "{:?}", ok.json);
    app.login("pres@ain.test", None).await;
    // The token was single-use.
    let again = app
        .request(
            Method::POST,
            "/admin/api/activation",
            None,
            Some((
                "application/json",
                serde_json::to_vec(&json!({ "token": token, "password": PASSWORD })).unwrap(),
            )),
            false,
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);

    // A national account enrols TOTP during activation.
    let a = app
        .post(&admin, "/admin/api/users", json!({ "email": "cci@france.test", "last_name": "Durand", "first_name": "Sophie", "role": "cci_france", "perimeter": "NATIONAL" }))
        .await;
    let token = a.json["activation_link"]
        .as_str()
        .unwrap()
        .split("jeton=")
        .nth(1)
        .unwrap()
        .to_owned();
    let step1 = app
        .request(
            Method::POST,
            "/admin/api/activation",
            None,
            Some((
                "application/json",
                serde_json::to_vec(&json!({ "token": token, "password": PASSWORD })).unwrap(),
            )),
            false,
        )
        .await;
    assert_eq!(step1.json["status"], "totp_enrolment", "{:?}", step1.json);
    assert!(
        step1.json["otpauth_uri"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/")
    );
    let secret =
        scrutin_admin::auth::totp::base32_decode(step1.json["totp_secret"].as_str().unwrap())
            .unwrap();
    let wrong = app
        .request(
            Method::POST,
            "/admin/api/activation",
            None,
            Some((
                "application/json",
                serde_json::to_vec(
                    &json!({ "token": token, "password": PASSWORD, "totp": "123456" }),
                )
                .unwrap(),
            )),
            false,
        )
        .await;
    assert_eq!(wrong.code(), "bad_totp");
    let code = app.totp(&secret);
    let done = app
        .request(
            Method::POST,
            "/admin/api/activation",
            None,
            Some((
                "application/json",
                serde_json::to_vec(&json!({ "token": token, "password": PASSWORD, "totp": code }))
                    .unwrap(),
            )),
            false,
        )
        .await;
    assert_eq!(done.json["status"], "active", "{:?}", done.json);
    app.login("cci@france.test", Some(&secret)).await;

    // The registry holds the secret sealed by the master key, bound to the account.
    let row = app
        .state
        .stores
        .registry
        .admin_user_by_email("cci@france.test")
        .await
        .unwrap()
        .unwrap();
    let sealed = row.totp_secret.unwrap();
    assert!(!sealed.windows(secret.len()).any(|w| w == secret.as_slice()));
    assert_eq!(
        app.state
            .master_key
            .open_totp(&row.id, &sealed)
            .unwrap()
            .as_slice(),
        secret.as_slice()
    );
    assert!(
        app.state
            .master_key
            .open_totp("another-account", &sealed)
            .is_err()
    );
}
both_backends!(activation_sets_password_and_enrols_totp, activation);

/// What a role may get on a route: allowed (anything but 401/403), or refused with 403.
fn allowed(status: StatusCode, code: &str) -> bool {
    !(status == StatusCode::FORBIDDEN && matches!(code, "forbidden" | "out_of_perimeter"))
        && status != StatusCode::UNAUTHORIZED
}

async fn perimeters(kind: Kind) {
    let app = TestApp::start(kind).await;
    let admin = app.admin().await;
    app.load_structure(&admin).await;
    // Voters for 011 and 381 so that chamber routes have something behind them.
    for (code, file) in [("011", "voters-011.csv"), ("381", "voters-381.csv")] {
        let admin_cele = app
            .upload(
                &admin,
                &format!("/admin/api/chambers/{code}/voters?name={file}"),
                "text/csv",
                std::fs::read(common::fixtures().join(file)).unwrap(),
            )
            .await;
        assert_eq!(admin_cele.status, StatusCode::OK, "{:?}", admin_cele.json);
    }
    let roles = [
        ("national_admin", "NATIONAL"),
        ("cci_france", "NATIONAL"),
        ("cele", "011"),
        ("coe_member", "011"),
        ("coe_president", "011"),
        ("observer", "011"),
        ("operator", "011"),
        ("coe_president", "381"),
    ];
    let mut sessions = Vec::new();
    for (i, (role, perimeter)) in roles.iter().enumerate() {
        let email = format!("u{i}-{role}@scrutin.test");
        let secret = app.user(&email, role, perimeter).await;
        sessions.push((
            (*role, *perimeter),
            app.login(&email, secret.as_deref()).await,
        ));
    }
    // Before any seal: a right of 011 cannot be removed from 381, nor one of 381 by the
    // CELE of 011, which may remove its own.
    let coe381 = sessions[7].1.clone();
    let cele = sessions[2].1.clone();
    let right = app
        .state
        .stores
        .electors
        .right_summaries("011")
        .await
        .unwrap()[0]
        .right_id
        .clone();
    let a = app
        .request(
            Method::DELETE,
            &format!("/admin/api/rights/{right}"),
            Some(&coe381),
            None,
            true,
        )
        .await;
    assert_eq!(a.code(), "forbidden");
    let r381 = app
        .state
        .stores
        .electors
        .right_summaries("381")
        .await
        .unwrap()[0]
        .right_id
        .clone();
    let a = app
        .request(
            Method::DELETE,
            &format!("/admin/api/rights/{r381}"),
            Some(&cele),
            None,
            true,
        )
        .await;
    assert_eq!(a.code(), "out_of_perimeter");
    let a = app
        .request(
            Method::DELETE,
            &format!("/admin/api/rights/{right}"),
            Some(&cele),
            None,
            true,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.json);
    assert!(
        app.state
            .stores
            .electors
            .right(&right)
            .await
            .unwrap()
            .is_none()
    );

    // Sensitive routes, each with its scope (chamber 011, national only, or the whole
    // platform) and the roles that may use it.
    const CHAMBER: &str = "chamber";
    const NATIONAL: &str = "national";
    const ANY: &str = "any";
    let readers: &[&str] = &[
        "cele",
        "coe_member",
        "coe_president",
        "national_admin",
        "observer",
    ];
    let everyone: &[&str] = &[
        "national_admin",
        "cci_france",
        "cele",
        "coe_member",
        "coe_president",
        "observer",
        "operator",
    ];
    type Route<'a> = (
        Method,
        String,
        Option<serde_json::Value>,
        &'a str,
        &'a [&'a str],
    );
    let routes: Vec<Route<'_>> = vec![
        (
            Method::GET,
            "/admin/api/chambers/011/voter-list".into(),
            None,
            CHAMBER,
            readers,
        ),
        (
            Method::GET,
            "/admin/api/chambers/011/control-list".into(),
            None,
            CHAMBER,
            readers,
        ),
        (
            Method::GET,
            "/admin/api/chambers/011/spot-check?seed=abc".into(),
            None,
            CHAMBER,
            readers,
        ),
        (
            Method::POST,
            "/admin/api/chambers/011/voters?name=v.csv".into(),
            None,
            CHAMBER,
            &["cele", "national_admin"],
        ),
        (
            Method::PUT,
            "/admin/api/candidates?contest=011-C/CCIR".into(),
            Some(json!({ "entries": [] })),
            CHAMBER,
            &["coe_member", "coe_president", "national_admin"],
        ),
        (
            Method::GET,
            "/admin/api/chambers/011/candidates".into(),
            None,
            CHAMBER,
            everyone,
        ),
        (
            Method::POST,
            "/admin/api/seals".into(),
            Some(json!({ "kind": "voters", "scope": "chamber/011" })),
            CHAMBER,
            &["coe_member", "coe_president", "national_admin"],
        ),
        (
            Method::POST,
            "/admin/api/chambers/011/credentials".into(),
            Some(json!({ "passphrase": "une phrase de passe longue" })),
            CHAMBER,
            &["coe_president", "national_admin"],
        ),
        (
            Method::POST,
            "/admin/api/chambers/011/emails/test".into(),
            None,
            CHAMBER,
            &["coe_president", "national_admin"],
        ),
        (
            Method::GET,
            "/admin/api/chambers/011/resend-requests".into(),
            None,
            CHAMBER,
            &["coe_member", "coe_president"],
        ),
        (
            Method::POST,
            "/admin/api/chambers/011/ballot-boxes".into(),
            Some(json!({ "opens_at": "2026-12-01T09:00", "closes_on": "2026-12-08" })),
            CHAMBER,
            &["coe_president", "national_admin"],
        ),
        (
            Method::GET,
            "/admin/api/participation?chamber=011".into(),
            None,
            CHAMBER,
            &["coe_member", "coe_president", "national_admin", "observer"],
        ),
        (
            Method::POST,
            "/admin/api/scrutins/state".into(),
            Some(json!({ "scrutins": ["*"], "action": "open" })),
            ANY,
            &["coe_president", "national_admin"],
        ),
        (
            Method::GET,
            "/admin/api/journal".into(),
            None,
            ANY,
            &[
                "national_admin",
                "coe_member",
                "coe_president",
                "observer",
                "operator",
            ],
        ),
        (
            Method::GET,
            "/admin/api/seals/check".into(),
            None,
            ANY,
            everyone,
        ),
        (
            Method::GET,
            "/admin/api/usage".into(),
            None,
            NATIONAL,
            &["national_admin", "cci_france"],
        ),
        (
            Method::GET,
            "/admin/api/users".into(),
            None,
            NATIONAL,
            &["national_admin", "cci_france"],
        ),
        (
            Method::POST,
            "/admin/api/structure?name=s.csv".into(),
            None,
            NATIONAL,
            &["national_admin", "cci_france"],
        ),
        (
            Method::GET,
            "/admin/api/seals/national".into(),
            None,
            NATIONAL,
            everyone,
        ),
        (
            Method::POST,
            "/admin/api/seals".into(),
            Some(json!({ "kind": "software", "scope": "national" })),
            NATIONAL,
            &["national_admin"],
        ),
    ];
    let mut checked = 0;
    for (method, path, body, scope, allowed_roles) in &routes {
        for ((role, perimeter), s) in &sessions {
            let a = match (method.as_str(), body) {
                ("POST", None) if path.contains("/voters") || path.contains("/structure") => {
                    app.upload(s, path, "text/csv", b"not;a;file\n".to_vec())
                        .await
                }
                (_, Some(b)) => app.send(method.clone(), s, path, b.clone()).await,
                _ => app.request(method.clone(), path, Some(s), None, true).await,
            };
            let in_perimeter = match *scope {
                NATIONAL => *perimeter == "NATIONAL",
                CHAMBER => *perimeter == "NATIONAL" || *perimeter == "011",
                _ => true,
            };
            let expect = allowed_roles.contains(role) && in_perimeter;
            assert_eq!(
                allowed(a.status, a.code()),
                expect,
                "{role} ({perimeter}) on {method} {path}: {} {:?}",
                a.status,
                a.json
            );
            if !expect {
                assert_eq!(a.status, StatusCode::FORBIDDEN);
                let wanted = if allowed_roles.contains(role) {
                    "out_of_perimeter"
                } else {
                    "forbidden"
                };
                assert_eq!(a.code(), wanted, "{role} ({perimeter}) on {method} {path}");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, routes.len() * sessions.len());

    // The COE of 381 sees its own chamber only.
    let a = app.get(&coe381, "/admin/api/chambers/381/voter-list").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json["total"], 25);
    let structure = app.get(&coe381, "/admin/api/structure").await;
    let chambers: Vec<&str> = structure.json["structure"]["chambers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert_eq!(chambers, ["381"]);
}
both_backends!(every_role_on_every_sensitive_route, perimeters);

async fn operator_notified(kind: Kind) {
    let app = TestApp::start(kind).await;
    app.user("pres011@ain.test", "coe_president", "011").await;
    app.user("member011@ain.test", "coe_member", "011").await;
    app.user("pres381@grenoble.test", "coe_president", "381")
        .await;
    let op = app
        .user("ops@operator.test", "operator", "011")
        .await
        .unwrap();
    let ops = app.login("ops@operator.test", Some(&op)).await;
    // Both COE members of 011 get an email at once; the COE of 381 does not.
    let mails = app.smtp.wait_for(2).await;
    let mut to: Vec<String> = mails.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(to, ["member011@ain.test", "pres011@ain.test"]);
    assert!(mails[0].text().contains("ops@operator.test"));

    // And a visible notification in their interface.
    let pres = app.login("pres011@ain.test", None).await;
    let n = app.get(&pres, "/admin/api/notifications").await;
    assert_eq!(n.json["unread"], 1, "{:?}", n.json);
    let item = &n.json["notifications"][0];
    assert_eq!(item["kind"], "operator-access");
    assert_eq!(item["chamber"], "011");
    assert!(
        item["message"]
            .as_str()
            .unwrap()
            .contains("ops@operator.test")
    );
    let other = app.login("pres381@grenoble.test", None).await;
    assert_eq!(
        app.get(&other, "/admin/api/notifications").await.json["unread"],
        0
    );
    // Marking it read.
    let id = item["id"].as_str().unwrap();
    app.post(
        &pres,
        &format!("/admin/api/notifications/{id}/read"),
        json!({}),
    )
    .await;
    assert_eq!(
        app.get(&pres, "/admin/api/notifications").await.json["unread"],
        0
    );

    // Every request of the operator is journaled; a state-changing one is notified too.
    app.get(&ops, "/admin/api/journal").await;
    app.clock.advance(chrono::Duration::seconds(5));
    app.post(&ops, "/admin/api/notifications/x/read", json!({}))
        .await;
    let n = app.get(&pres, "/admin/api/notifications").await;
    assert_eq!(n.json["unread"], 1, "{:?}", n.json);
    assert!(
        n.json["notifications"][0]["message"]
            .as_str()
            .unwrap()
            .contains("POST /admin/api/notifications/x/read")
    );
    let entries = scrutin_store::journal::entries(&app.state.stores.registry, 0, 1000)
        .await
        .unwrap();
    let requests: Vec<serde_json::Value> = entries
        .iter()
        .filter(|e| e.kind == "operator-request")
        .map(|e| serde_json::from_slice(&e.payload).unwrap())
        .collect();
    assert!(
        requests
            .iter()
            .any(|p| p["action"] == "GET /admin/api/journal"),
        "{requests:?}"
    );
    assert!(
        entries
            .iter()
            .filter(|e| e.kind == "operator-access")
            .count()
            >= 2
    );
    let _ = app.clock.now();
}
both_backends!(operator_access_is_journaled_and_notified, operator_notified);

async fn errors_are_json(kind: Kind) {
    let app = TestApp::start(kind).await;
    let admin = app.admin().await;
    let a = app.get(&admin, "/admin/api/nothing-here").await;
    assert_eq!((a.status, a.code()), (StatusCode::NOT_FOUND, "not_found"));
    let a = app
        .request(
            Method::POST,
            "/admin/api/session",
            None,
            Some(("application/json", b"{not json".to_vec())),
            false,
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.code(), "malformed");
    // A JSON body over the limit.
    let big = vec![b' '; 300 * 1024];
    let a = app
        .request(
            Method::POST,
            "/admin/api/users",
            Some(&admin),
            Some(("application/json", big)),
            true,
        )
        .await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::PAYLOAD_TOO_LARGE, "too_large")
    );
    // Security headers on pages and API.
    let page = app.request(Method::GET, "/admin/", None, None, false).await;
    assert_eq!(page.status, StatusCode::OK);
    let csp = page
        .headers
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        csp.contains("script-src 'self'")
            && !csp.contains("unsafe-inline")
            && csp.contains("frame-ancestors 'none'")
    );
    assert_eq!(
        page.headers.get("x-content-type-options").unwrap(),
        "nosniff"
    );
    assert_eq!(a.headers.get("cache-control").unwrap(), "no-store");
}
both_backends!(errors_are_json_and_headers_are_set, errors_are_json);
