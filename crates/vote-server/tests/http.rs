//! What every answer carries and what the server publishes: security headers, the
//! OpenAPI description, static pages with their MIME types, public scrutin information,
//! and the resend request without login.
#![allow(clippy::unwrap_used)] // tests and benches: a panic is the failure report

mod common;

use common::{TestServer, code_of};
use reqwest::StatusCode;
use scrutin_store::Kind;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_openapi_and_static_pages() {
    let t = TestServer::start(Kind::Sqlite).await;
    for path in ["/api/v1/scrutins", "/", "/api/v1/nothing"] {
        let resp = t.client.get(t.url(path)).send().await.unwrap();
        let h = resp.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert_eq!(h["x-frame-options"], "DENY");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"));
        assert!(
            h.get("strict-transport-security").is_none(),
            "no HSTS over plain HTTP"
        );
    }
    let resp = t
        .client
        .get(t.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let doc: serde_json::Value = resp.json().await.unwrap();
    for path in [
        "/api/v1/ballots",
        "/api/v1/login/challenge",
        "/api/v1/board/{scrutin_id}/inclusion/{tracking_code}",
        "/api/v1/resend-requests",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from OpenAPI"
        );
    }
    let wasm = t.client.get(t.url("/probe.wasm")).send().await.unwrap();
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    let js = t.client.get(t.url("/app.js")).send().await.unwrap();
    assert!(
        js.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("javascript")
    );
    let index = t.client.get(t.url("/")).send().await.unwrap();
    assert!(
        index.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    // Compression when asked.
    let gz = t
        .client
        .get(t.url("/api/v1/openapi.json"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gz.headers()["content-encoding"], "gzip");

    let (st, list) = t.get("/api/v1/scrutins", None).await;
    assert_eq!(st, StatusCode::OK);
    let s = list["scrutins"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "011-C")
        .unwrap()
        .clone();
    assert_eq!(s["state"], "open");
    assert_eq!(s["opens_at"], "2026-11-26T09:00:00+01:00");
    assert_eq!(
        s["closes_at_text"],
        "le 3 décembre 2026 à 00:00 (heure de Paris)"
    );
    assert!(s["assistance"]["phone"].is_string());
    let (_, key) = t.get("/api/v1/platform-key", None).await;
    assert_eq!(
        key["public_key"],
        hex::encode(t.keys.platform_public().as_bytes())
    );
    t.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hsts_when_served_over_tls() {
    let t = TestServer::start_with(Kind::Sqlite, |c| c.tls = true).await;
    let resp = t
        .client
        .get(t.url("/api/v1/scrutins"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.headers()["strict-transport-security"],
        "max-age=63072000; includeSubDomains"
    );
    t.finish().await;
}

fn form(doc: Vec<u8>, file_name: &str) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .text("chamber_code", "011")
        .text("surname", "Dupont")
        .text("given_name", "Jeanne")
        .text("birth_date", "02031970")
        .text("company", "Boulangerie Dupont")
        .text("siren", "123456789")
        .text("email", "jeanne@example.fr")
        .part(
            "document",
            reqwest::multipart::Part::bytes(doc).file_name(file_name.to_string()),
        )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resend_request_without_login() {
    let t = TestServer::start(Kind::Sqlite).await;
    let pdf = b"%PDF-1.4 identity document".to_vec();
    let resp = t
        .client
        .post(t.url("/api/v1/resend-requests"))
        .multipart(form(pdf.clone(), "cni.pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["status"], "pending");
    let id = body["request_id"].as_str().unwrap();
    // Stored sealed under the chamber's data key: readable with it, not in clear.
    let row = t.stores.electors.resend_request(id).await.unwrap().unwrap();
    assert_eq!(
        (row.chamber_code.as_str(), row.status.as_str()),
        ("011", "pending")
    );
    assert!(!row.payload.windows(6).any(|w| w == b"Dupont"));
    let key = scrutin_store::provision::chamber_data_key(&t.stores, &t.keys.master, "011")
        .await
        .unwrap();
    let plain: serde_json::Value =
        serde_json::from_slice(&key.open_resend(id, &row.payload).unwrap()).unwrap();
    assert_eq!(plain["fields"]["surname"], "Dupont");
    assert_eq!(plain["document"]["media_type"], "application/pdf");

    // Refusals: not a document, a missing field, an unknown chamber, too large.
    let resp = t
        .client
        .post(t.url("/api/v1/resend-requests"))
        .multipart(form(b"hello".to_vec(), "x.txt"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let f = reqwest::multipart::Form::new().text("chamber_code", "011");
    let resp = t
        .client
        .post(t.url("/api/v1/resend-requests"))
        .multipart(f)
        .send()
        .await
        .unwrap();
    let b: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(code_of(&b), "invalid_resend_request");
    let f = form(pdf.clone(), "cni.pdf").text("chamber_code", "999");
    let resp = t
        .client
        .post(t.url("/api/v1/resend-requests"))
        .multipart(f)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let mut huge = b"%PDF-".to_vec();
    huge.resize(7 * 1024 * 1024, b'x');
    let resp = t
        .client
        .post(t.url("/api/v1/resend-requests"))
        .multipart(form(huge, "big.pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let b: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(code_of(&b), "body_too_large");
    assert_eq!(
        t.stores
            .electors
            .resend_requests("011")
            .await
            .unwrap()
            .len(),
        1
    );
    t.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_with_a_certificate_and_plain_http_only_on_loopback() {
    use std::net::SocketAddr;
    let t = TestServer::start_with(Kind::Sqlite, |c| c.tls = true).await;
    // Plain HTTP on a public address is refused before binding.
    let err = scrutin_vote::serve(
        scrutin_vote::router(t.state.clone()),
        "0.0.0.0:0".parse().unwrap(),
        None,
        |_| {},
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, scrutin_vote::ServeError::PlainHttpNotLoopback(_)),
        "{err}"
    );

    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.key_pair.serialize_pem()).unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<SocketAddr>();
    let app = scrutin_vote::router(t.state.clone());
    let server = tokio::spawn(async move {
        scrutin_vote::serve(
            app,
            "127.0.0.1:0".parse().unwrap(),
            Some(scrutin_vote::TlsFiles {
                cert: cert_path,
                key: key_path,
            }),
            move |a| {
                let _ = tx.send(a);
            },
        )
        .await
        .unwrap();
    });
    let addr = rx.await.unwrap();
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert.cert.pem().as_bytes()).unwrap())
        .build()
        .unwrap();
    let resp = client
        .get(format!("https://localhost:{}/api/v1/scrutins", addr.port()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers().contains_key("strict-transport-security"));
    server.abort();
    t.finish().await;
}
