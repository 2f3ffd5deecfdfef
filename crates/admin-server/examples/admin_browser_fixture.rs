//! Test-only: the admin server on fresh SQLite stores for the browser tests
//! (`tests/browser/tests/admin*.test.mjs`). Creates a national administrator (with a TOTP
//! secret), a COE president of chamber 011 and the 011 COE's election key (standing in for
//! the key ceremony, which has its own tests), then prints one JSON line with the URL and
//! the accounts and serves until killed.
//!
//! `cargo run -p scrutin-admin --example admin_browser_fixture -- --data-dir DIR --web-dir web/admin`
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use ed25519_dalek::SigningKey;
use rand_core::{OsRng, RngCore};
use scrutin_admin::auth::totp;
use scrutin_admin::users::{UserSpec, create_user};
use scrutin_admin::{AdminConfig, AdminState, PasswordCost};
use scrutin_store::sealing::MasterKey;
use scrutin_store::{StoreLocation, Stores};

const PASSWORD: &str = "Vert-Galant-1607!";

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

#[tokio::main]
async fn main() {
    let data = PathBuf::from(arg("--data-dir").expect("--data-dir DIR"));
    let web = arg("--web-dir")
        .map(PathBuf::from)
        .unwrap_or_else(AdminConfig::source_web_dir);
    let stores = Stores::open(&StoreLocation::Sqlite {
        dir: data.join("stores"),
    })
    .await
    .unwrap();
    let mut config = AdminConfig::new(web, "CCI-2026");
    config.password_cost = PasswordCost {
        memory_kib: 1024,
        passes: 1,
    };
    config.material_dir = data.join("material");
    config.vote_url = "https://vote.scrutin.test".into();
    let mut platform = [0u8; 32];
    OsRng.fill_bytes(&mut platform);
    let state = AdminState::new(
        stores,
        config,
        SigningKey::from_bytes(&platform),
        MasterKey::generate(&mut OsRng),
    )
    .unwrap();

    let mut secret = [0u8; 20];
    OsRng.fill_bytes(&mut secret);
    let admin = UserSpec {
        email: "admin@scrutin.test".into(),
        last_name: "Durand".into(),
        first_name: "Sophie".into(),
        role: "national_admin".into(),
        perimeter: "NATIONAL".into(),
    };
    let created = create_user(&state, &admin, "interface", Some(PASSWORD), Some(&secret))
        .await
        .unwrap();
    state
        .stores
        .registry
        .accept_admin_totp_step(&created.user.id, 1)
        .await
        .unwrap();
    let pres = UserSpec {
        email: "pres@ain.test".into(),
        last_name: "Martin".into(),
        first_name: "Paul".into(),
        role: "coe_president".into(),
        perimeter: "011".into(),
    };
    let p = create_user(&state, &pres, "interface", Some(PASSWORD), None)
        .await
        .unwrap();

    // The 011 commission's election key.
    let mut x = [0u8; 64];
    OsRng.fill_bytes(&mut x);
    let y =
        scrutin_crypto::elgamal::base_mul(&scrutin_crypto::Scalar::from_bytes_mod_order_wide(&x));
    let registry = &state.stores.registry;
    registry
        .start_ceremony(&scrutin_store::ceremony_store::NewCeremony {
            chamber_code: "011",
            key_id: "011-1",
            attempt: 1,
            parameters: "{}",
            trustees: std::slice::from_ref(&p.user.id),
            created_at: state.now(),
            created_by: "fixture",
        })
        .await
        .unwrap();
    registry
        .complete_ceremony(
            "011",
            "011-1",
            &y.compress().to_bytes(),
            "{}",
            &[0u8; 32],
            state.now(),
        )
        .await
        .unwrap();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    println!(
        "{}",
        serde_json::json!({
            "url": url,
            "password": PASSWORD,
            "admin": { "email": "admin@scrutin.test", "totp_secret": totp::base32(&secret) },
            "president": { "email": "pres@ain.test" },
        })
    );
    axum::serve(listener, scrutin_admin::router(state))
        .await
        .unwrap();
}
