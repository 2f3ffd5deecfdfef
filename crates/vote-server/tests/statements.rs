//! Statements (professions de foi) and chamber logos over HTTP, on SQLite and PostgreSQL: a
//! statement a ballot sheet links to is served as a PDF without login; one not attached to
//! any sheet, an unknown one and a malformed id are `404 not_found`. A chamber's logo is
//! linked from its voters' sheets and served as JPEG; none uploaded is `404`.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::Utc;
use common::*;
use scrutin_store::preparation::StatementRow;
use scrutin_store::{Kind, StoredState};
use serde_json::Value;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

fn row(id: &str, subject: &str) -> StatementRow {
    StatementRow {
        id: id.into(),
        contest_id: "011-C/CCIT".into(),
        chamber_code: "011".into(),
        subject: subject.into(),
        file_name: "Profession de foi « Ain ».pdf".into(),
        digest: String::new(),
        size: PDF.len() as i64,
        content: PDF.to_vec(),
        uploaded_at: Utc::now(),
        uploaded_by: "president@ain.cci.fr".into(),
    }
}

async fn statements(kind: Kind) {
    let server = TestServer::start(kind).await;
    let registry = &server.stores.registry;
    let linked = "a1b2c3d4e5f60718293a4b5c";
    let loose = "0f1e2d3c4b5a69788796a5b4";
    registry
        .put_statement(&row(linked, "grouping:Industrie d'avenir"))
        .await
        .unwrap();
    registry
        .put_statement(&row(loose, "grouping:Services et innovation — 011"))
        .await
        .unwrap();
    // Attach the first to the sheet of 011-C, as the control interface does when it
    // creates the ballot boxes: before the opening, so the scrutin goes back to draft for
    // the change and is opened again.
    registry
        .set_state("011-C", StoredState::Draft, None)
        .await
        .unwrap();
    let mut scrutin = registry.scrutin("011-C").await.unwrap().unwrap();
    let mut sheet: Value = serde_json::from_str(&scrutin.sheet).unwrap();
    let entry = sheet["contests"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|c| c["id"] == "011-C/CCIT")
        .unwrap()["entries"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|e| e["type"] == "grouping")
        .unwrap();
    entry["statement_url"] = format!("/api/v1/statements/{linked}").into();
    scrutin.sheet = sheet.to_string();
    registry.put_scrutin(&scrutin).await.unwrap();
    registry
        .set_state("011-C", StoredState::Open, None)
        .await
        .unwrap();

    let resp = server
        .client
        .get(server.url(&format!("/api/v1/statements/{linked}")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let h = resp.headers().clone();
    assert_eq!(h["content-type"], "application/pdf");
    assert_eq!(
        h["content-disposition"],
        "inline; filename=\"Profession_de_foi___Ain__.pdf\""
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(h.contains_key("content-security-policy"));
    assert_eq!(resp.bytes().await.unwrap().as_ref(), PDF);

    // The voter's sheet carries the same link.
    let letter = server.letters_of("011-C")[0].clone();
    let session = server.login(&letter).await;
    let (status, sheet) = server.get("/api/v1/ballot-sheet", Some(&session)).await;
    assert_eq!(status.as_u16(), 200);
    assert!(
        sheet
            .to_string()
            .contains(&format!("/api/v1/statements/{linked}"))
    );

    for id in [loose, "ffffffffffffffffffffffff", "not-an-id"] {
        let (status, body) = server.get(&format!("/api/v1/statements/{id}"), None).await;
        assert_eq!(status.as_u16(), 404, "{id}: {body}");
        assert_eq!(code_of(&body), "not_found", "{id}");
    }
    server.finish().await;
}

on_both!(statements);

/// The start of a baseline JPEG: what the control interface accepts as a logo.
const JPEG: &[u8] = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9";

async fn chamber_logo(kind: Kind) {
    let server = TestServer::start(kind).await;
    let letter = server.letters_of("011-C")[0].clone();
    let session = server.login(&letter).await;
    let (_, sheet) = server.get("/api/v1/ballot-sheet", Some(&session)).await;
    assert!(
        sheet["scrutin"].get("logo_url").is_none(),
        "{}",
        sheet["scrutin"]
    );
    let (status, body) = server.get("/api/v1/chambers/011/logo", None).await;
    assert_eq!(status.as_u16(), 404, "{body}");
    assert_eq!(code_of(&body), "not_found");

    server
        .stores
        .registry
        .put_chamber_logo(
            "011",
            JPEG,
            &"ab".repeat(32),
            Utc::now(),
            "president@ain.cci.fr",
        )
        .await
        .unwrap();
    let (_, sheet) = server.get("/api/v1/ballot-sheet", Some(&session)).await;
    let url = sheet["scrutin"]["logo_url"].as_str().unwrap().to_owned();
    assert_eq!(
        url,
        format!("/api/v1/chambers/011/logo?v={}", "ab".repeat(8))
    );
    let resp = server.client.get(server.url(&url)).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.headers()["content-type"], "image/jpeg");
    assert_eq!(resp.bytes().await.unwrap().as_ref(), JPEG);

    // Another chamber's logo is not there, and a malformed code is not looked up.
    for code in ["381", "01%2F1", "x".repeat(40).as_str()] {
        let (status, body) = server
            .get(&format!("/api/v1/chambers/{code}/logo"), None)
            .await;
        assert_eq!(status.as_u16(), 404, "{code}: {body}");
    }
    server.finish().await;
}

on_both!(chamber_logo);
