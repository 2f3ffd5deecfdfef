//! The OpenAPI description, generated from the handlers (utoipa) and served at
//! `/api/v1/openapi.json`.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::{ErrorBody, ErrorDetail};
use crate::routes;
use crate::views::*;

struct SessionAuth;

impl Modify for SessionAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("Session token from the login steps (specs/api.md §3)"))
                    .build(),
            ),
        );
    }
}

/// The voters' API.
#[derive(OpenApi)]
#[openapi(
    info(title = "scrutin voters' API", version = "1",
        description = "Login, ballot sheet, casting, receipts, public board and resend requests. Rules and error codes: specs/api.md."),
    paths(
        routes::scrutins::list, routes::scrutins::one, routes::scrutins::platform_key,
        routes::login::challenge, routes::login::key, routes::login::birth_date,
        routes::sheet::sheet, routes::cast::cast, routes::cast::receipt,
        routes::board::heads, routes::board::epoch, routes::board::inclusion, routes::board::consistency,
        routes::resend::request, routes::statements::statement, routes::logo::logo,
    ),
    components(schemas(ErrorBody, ErrorDetail, ScrutinView, ScrutinList, Assistance, PlatformKey,
        ChallengeRequest, ChallengeResponse, KeyRequest, KeyResponse, BirthDateRequest, SessionResponse,
        CastResponse, ReceiptContent, ReceiptStatus, BoardView, HeadView, SignedHeadView, EpochView,
        InclusionView, ConsistencyView, ResendAccepted)),
    modifiers(&SessionAuth),
)]
pub struct ApiDoc;

/// The document as JSON.
pub fn openapi_json() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_default()
}
