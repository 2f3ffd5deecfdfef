//! The procès-verbal of each election (R-63, R713-27-1): on screen (JSON and text), as CSV
//! and as an A4 PDF on the official model — the figures, each candidate's votes and
//! decision, the elected, the ballots = émargements check (R713-24), who decrypted, the
//! digest of the sealed results, and the boxes where the COE president and members sign.

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use scrutin_election::pv::{Pv, build_pv};
use scrutin_election::{Contest, ContestKind};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::audit;
use crate::auth::{Caller, Permission};
use crate::error::{AdminError, AdminResult};
use crate::exports::{Cell, download, write_csv};
use crate::pdf::{Document, HEIGHT_MM, Style};
use crate::state::AdminState;
use crate::tally::{self, stored_results};
use crate::tally_compute::TallyResults;

/// The PV routes.
pub fn routes() -> Router<AdminState> {
    Router::new()
        .route("/admin/api/contests/{scope}/{kind}/pv", get(pv_json))
        .route(
            "/admin/api/contests/{scope}/{kind}/pv.csv",
            get(pv_csv_route),
        )
        .route(
            "/admin/api/contests/{scope}/{kind}/pv.pdf",
            get(pv_pdf_route),
        )
}

/// What the PV prints besides the domain's figures.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct PvContext {
    /// When the count was done (Paris time, in words).
    pub counted_at: String,
    /// The trustees whose shares were combined (« n° 1, n° 3 »).
    pub trustees: Vec<u32>,
    /// SHA-256 of the sealed results object (hex).
    pub results_sha256: String,
}

/// The PV of a decrypted contest.
pub async fn pv_of(
    state: &AdminState,
    contest: &Contest,
    results: &TallyResults,
) -> AdminResult<Pv> {
    let election = tally::election(state).await?;
    build_pv(&election, &results.results, &results.seats).map_err(|e| {
        AdminError::Conflict(format!(
            "Procès-verbal de l'élection {} impossible : {e}.",
            contest.id
        ))
    })
}

async fn load(
    state: &AdminState,
    caller: &Caller,
    scope: &str,
    kind: &str,
) -> AdminResult<(Pv, PvContext)> {
    let id = tally::contest_id(scope, kind)?;
    let structure = crate::uploads::require_structure(state).await?;
    let contest = tally::find_contest(&structure, &id)?;
    let chamber = contest.chamber.as_str();
    if caller.allow(Permission::ViewResults, chamber).is_err() {
        caller.allow(Permission::Tally, chamber)?;
    }
    let row = state
        .stores
        .ballots
        .tally(id.as_str())
        .await?
        .ok_or_else(|| AdminError::NotFound(format!("dépouillement de l'élection {id}")))?;
    let results = stored_results(&row)?.ok_or_else(|| {
        AdminError::Conflict(format!("L'élection {id} n'est pas encore dépouillée."))
    })?;
    let pv = pv_of(state, contest, &results).await?;
    let object = tally::results_object(state, id.as_str()).await?;
    let ctx = PvContext {
        counted_at: row
            .decrypted_at
            .map(|t| scrutin_store::clock::paris_text(t, false))
            .unwrap_or_default(),
        trustees: results.trustees.clone(),
        results_sha256: hex::encode(Sha256::digest(&object)),
    };
    Ok((pv, ctx))
}

/// `GET /admin/api/contests/{scope}/{kind}/pv`: the PV's data and its text.
pub async fn pv_json(
    State(state): State<AdminState>,
    caller: Caller,
    Path((scope, kind)): Path<(String, String)>,
) -> AdminResult<Json<Value>> {
    let (pv, ctx) = load(&state, &caller, &scope, &kind).await?;
    Ok(Json(
        json!({ "pv": pv, "context": ctx, "text": pv.to_text() }),
    ))
}

/// `GET /admin/api/contests/{scope}/{kind}/pv.csv`.
pub async fn pv_csv_route(
    State(state): State<AdminState>,
    caller: Caller,
    Path((scope, kind)): Path<(String, String)>,
) -> AdminResult<Response> {
    let (pv, ctx) = load(&state, &caller, &scope, &kind).await?;
    let bytes = pv_csv(&pv, &ctx)?;
    audit::record(
        &state,
        Some(&caller.user),
        "export-pv",
        json!({ "contest": pv.contest, "format": "csv" }),
    )
    .await?;
    Ok(download(
        bytes,
        "text/csv; charset=utf-8",
        &format!("pv-{}.csv", file_stem(&pv)),
    ))
}

/// `GET /admin/api/contests/{scope}/{kind}/pv.pdf`.
pub async fn pv_pdf_route(
    State(state): State<AdminState>,
    caller: Caller,
    Path((scope, kind)): Path<(String, String)>,
) -> AdminResult<Response> {
    let (pv, ctx) = load(&state, &caller, &scope, &kind).await?;
    let bytes = pv_pdf(&pv, &ctx);
    audit::record(
        &state,
        Some(&caller.user),
        "export-pv",
        json!({ "contest": pv.contest, "format": "pdf", "sha256": hex::encode(Sha256::digest(&bytes)) }),
    )
    .await?;
    Ok(download(
        bytes,
        "application/pdf",
        &format!("pv-{}.pdf", file_stem(&pv)),
    ))
}

fn file_stem(pv: &Pv) -> String {
    pv.contest.as_str().replace('/', "-")
}

fn council_label(kind: ContestKind) -> &'static str {
    match kind {
        ContestKind::Ccir => {
            "Élection des membres de la chambre de commerce et d'industrie de région (CCIR)"
        }
        ContestKind::Ccit => {
            "Élection des membres de la chambre de commerce et d'industrie territoriale (CCIT)"
        }
    }
}

/// The PV as CSV: the figures as `rubrique;valeur` lines, then one line per candidate.
pub fn pv_csv(pv: &Pv, ctx: &PvContext) -> AdminResult<Vec<u8>> {
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut fig = |label: &str, value: Cell| {
        rows.push(vec![
            Cell::text(label),
            value,
            Cell::text(""),
            Cell::text(""),
            Cell::text(""),
            Cell::text(""),
            Cell::text(""),
            Cell::text(""),
            Cell::text(""),
        ]);
    };
    fig("election", Cell::text(&pv.election_id));
    fig("election_id", Cell::text(pv.contest.as_str()));
    fig("conseil", Cell::text(pv.kind.as_str()));
    fig(
        "cci",
        Cell::text(format!("{} {}", pv.chamber, pv.chamber_label)),
    );
    fig(
        "categorie",
        Cell::text(format!("{} {}", pv.category, pv.category_label)),
    );
    fig(
        "sous_categories",
        Cell::text(
            pv.sub_categories
                .iter()
                .map(|(c, l)| format!("{c} {l}"))
                .collect::<Vec<_>>()
                .join(", "),
        ),
    );
    fig("sieges", Cell::num(pv.seats));
    fig("inscrits", Cell::num(pv.registered));
    fig("votants", Cell::num(pv.voters));
    fig("bulletins_dans_l_urne", Cell::num(pv.ballots));
    fig(
        "bulletins_egal_emargements",
        Cell::text(if pv.ballots_match_emargements {
            "oui"
        } else {
            "NON"
        }),
    );
    fig("blancs", Cell::num(pv.blank));
    fig("nuls", Cell::num(pv.null));
    fig("exprimes", Cell::num(pv.expressed));
    fig(
        "participation_pct",
        Cell::num(format!("{:.2}", pv.turnout_percent).replace('.', ",")),
    );
    fig("sieges_vacants", Cell::num(pv.vacant_seats));
    fig("depouillement", Cell::text(&ctx.counted_at));
    fig(
        "detenteurs_de_cle",
        Cell::text(
            ctx.trustees
                .iter()
                .map(|t| format!("n° {t}"))
                .collect::<Vec<_>>()
                .join(", "),
        ),
    );
    fig(
        "empreinte_resultats_sha256",
        Cell::text(&ctx.results_sha256),
    );
    fig("graine_tirage", Cell::text(&pv.draw_seed));
    rows.push(vec![
        Cell::text("position"),
        Cell::text("civilite"),
        Cell::text("nom"),
        Cell::text("prenom"),
        Cell::text("groupement"),
        Cell::text("suppleant"),
        Cell::text("voix"),
        Cell::text("rang"),
        Cell::text("decision"),
    ]);
    for c in &pv.candidates {
        rows.push(vec![
            Cell::num(c.position),
            Cell::text(c.civility.as_str()),
            Cell::text(&c.last_name),
            Cell::text(&c.first_name),
            Cell::text(c.grouping.clone().unwrap_or_default()),
            Cell::text(c.substitute.clone().unwrap_or_default()),
            Cell::num(c.votes),
            Cell::num(c.rank),
            Cell::text(&c.decision),
        ]);
    }
    write_csv(&["rubrique", "valeur", "", "", "", "", "", "", ""], &rows)
}

const LEFT: f32 = 18.0;
const RIGHT: f32 = 192.0;
const BOTTOM: f32 = HEIGHT_MM - 22.0;

struct Writer {
    doc: Document,
    page: usize,
    y: f32,
    title: String,
}

impl Writer {
    fn new(title: &str) -> Writer {
        let mut doc = Document::new(title);
        let page = doc.add_page();
        Writer {
            doc,
            page,
            y: 20.0,
            title: title.to_owned(),
        }
    }

    /// Starts a new page when less than `need` mm remain.
    fn room(&mut self, need: f32) {
        if self.y + need > BOTTOM {
            self.page = self.doc.add_page();
            self.doc.text(
                self.page,
                LEFT,
                14.0,
                Style {
                    size: 8.0,
                    bold: false,
                    gray: 0.35,
                },
                &self.title,
            );
            self.y = 22.0;
        }
    }

    fn line_of(&mut self, size: f32, bold: bool, text: &str) {
        let style = if bold {
            Style::bold(size)
        } else {
            Style::regular(size)
        };
        self.room(size * 0.5);
        self.y = self
            .doc
            .paragraph(self.page, LEFT, self.y, RIGHT - LEFT, style, text);
    }

    fn gap(&mut self, mm: f32) {
        self.y += mm;
    }

    fn figure(&mut self, label: &str, value: &str) {
        self.room(7.0);
        self.doc
            .rect(self.page, LEFT, self.y - 4.6, RIGHT - LEFT, 6.5, None, true);
        self.doc
            .text(self.page, LEFT + 2.0, self.y, Style::regular(10.0), label);
        self.doc
            .text_right(self.page, RIGHT - 2.0, self.y, Style::bold(10.0), value);
        self.y += 6.5;
    }
}

/// The PV as an A4 PDF.
pub fn pv_pdf(pv: &Pv, ctx: &PvContext) -> Vec<u8> {
    let title = format!("Procès-verbal — {} — {}", pv.contest, pv.election_id);
    let mut w = Writer::new(&title);
    w.line_of(
        15.0,
        true,
        "PROCÈS-VERBAL DES OPÉRATIONS DE VOTE ÉLECTRONIQUE",
    );
    w.line_of(10.0, false, "Élections des membres des chambres de commerce et d'industrie (articles R713-1 et suivants du code de commerce)");
    w.gap(2.0);
    w.line_of(11.0, true, council_label(pv.kind));
    w.line_of(
        11.0,
        false,
        &format!("CCI {} — {}", pv.chamber, pv.chamber_label),
    );
    let mut category = format!("Catégorie {} — {}", pv.category, pv.category_label);
    for (code, label) in &pv.sub_categories {
        category.push_str(&format!(" ; sous-catégorie {code} {label}"));
    }
    w.line_of(11.0, false, &category);
    w.line_of(
        10.0,
        false,
        &format!(
            "Élection {} ({}) — {} siège(s) à pourvoir — {}",
            pv.contest, pv.election_id, pv.seats, pv.ballot_title
        ),
    );
    if !ctx.counted_at.is_empty() {
        w.line_of(
            10.0,
            false,
            &format!("Dépouillement électronique réalisé {}.", ctx.counted_at),
        );
    }
    w.gap(3.0);
    w.line_of(12.0, true, "Résultats");
    w.gap(1.0);
    let thousands = |n: u64| {
        let s = n.to_string();
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i).is_multiple_of(3) {
                out.push('\u{202f}');
            }
            out.push(c);
        }
        out
    };
    w.figure("Électeurs inscrits", &thousands(pv.registered));
    w.figure("Votants (émargements)", &thousands(pv.voters));
    w.figure(
        "Bulletins trouvés dans l'urne électronique",
        &thousands(pv.ballots),
    );
    w.figure(
        "Nombre de bulletins égal au nombre d'émargements (R713-24)",
        &if pv.ballots_match_emargements {
            "conforme".to_owned()
        } else {
            format!("ÉCART de {}", pv.ballots_minus_emargements)
        },
    );
    w.figure(
        "Bulletins blancs (non comptés dans les suffrages exprimés)",
        &thousands(pv.blank),
    );
    w.figure("Bulletins nuls", &thousands(pv.null));
    w.figure("Suffrages exprimés", &thousands(pv.expressed));
    w.figure(
        "Participation",
        &format!("{:.2} %", pv.turnout_percent).replace('.', ","),
    );
    w.gap(4.0);
    w.line_of(
        12.0,
        true,
        "Voix obtenues par chaque candidat (ordre du bulletin)",
    );
    w.gap(1.0);
    // Table header.
    let cols = [LEFT + 1.0, LEFT + 10.0, 128.0, 148.0, 160.0];
    w.room(8.0);
    let head = Style::bold(8.5);
    for (x, label) in cols
        .iter()
        .zip(["N°", "Candidat (groupement)", "Voix", "Rang", "Décision"])
    {
        w.doc.text(w.page, *x, w.y, head, label);
    }
    w.y += 1.5;
    w.doc.line(w.page, (LEFT, w.y), (RIGHT, w.y), 0.6);
    w.y += 4.2;
    for c in &pv.candidates {
        let mut name = format!(
            "{} {} {}",
            c.civility.as_str(),
            c.first_name,
            c.last_name.to_uppercase()
        );
        if let Some(g) = &c.grouping {
            name.push_str(&format!(" ({g})"));
        }
        let name_lines = crate::pdf::wrap(&name, 128.0 - cols[1] - 2.0, 9.0);
        let mut decision = c.decision.clone();
        if let Some(s) = &c.substitute {
            decision.push_str(&format!(" — suppléant : {s}"));
        }
        let decision_lines = crate::pdf::wrap(&decision, RIGHT - cols[4], 8.0);
        let lines = name_lines.len().max(decision_lines.len()) as f32;
        w.room(lines * 4.2 + 2.0);
        let style = if c.elected {
            Style::bold(9.0)
        } else {
            Style::regular(9.0)
        };
        w.doc
            .text(w.page, cols[0], w.y, style, &c.position.to_string());
        for (k, l) in name_lines.iter().enumerate() {
            w.doc.text(w.page, cols[1], w.y + k as f32 * 4.2, style, l);
        }
        w.doc
            .text_right(w.page, cols[3] - 4.0, w.y, style, &thousands(c.votes));
        w.doc.text(w.page, cols[3], w.y, style, &c.rank.to_string());
        for (k, l) in decision_lines.iter().enumerate() {
            w.doc.text(
                w.page,
                cols[4],
                w.y + k as f32 * 4.2,
                Style::regular(8.0),
                l,
            );
        }
        w.y += lines * 4.2;
        w.doc
            .line(w.page, (LEFT, w.y - 2.8), (RIGHT, w.y - 2.8), 0.2);
        w.y += 1.2;
    }
    if !pv.groupings.is_empty() {
        w.gap(3.0);
        w.line_of(11.0, true, "Groupements");
        for g in &pv.groupings {
            w.line_of(
                9.5,
                false,
                &format!(
                    "{} : {} candidat(s), {} voix, {} siège(s)",
                    g.name,
                    g.candidates,
                    thousands(g.votes),
                    g.seats
                ),
            );
        }
    }
    w.gap(3.0);
    w.line_of(12.0, true, "Proclamation");
    let name_of = |id: &scrutin_election::OptionId| {
        pv.candidates
            .iter()
            .find(|c| &c.option == id)
            .map(|c| {
                format!(
                    "{} {} {}",
                    c.civility.as_str(),
                    c.first_name,
                    c.last_name.to_uppercase()
                )
            })
            .unwrap_or_else(|| id.to_string())
    };
    if pv.elected.is_empty() {
        w.line_of(10.0, false, "Aucun candidat élu.");
    } else {
        let names: Vec<String> = pv.elected.iter().map(name_of).collect();
        w.line_of(
            10.0,
            false,
            &format!("Sont proclamés élus, dans l'ordre : {}.", names.join(", ")),
        );
    }
    if pv.vacant_seats > 0 {
        w.line_of(
            10.0,
            false,
            &format!("Siège(s) restant vacant(s) : {}.", pv.vacant_seats),
        );
    }
    if !pv.also_ccit_members.is_empty() {
        w.line_of(
            9.5,
            false,
            &format!(
                "Membres également de la CCI territoriale (R713-27) : {}.",
                pv.also_ccit_members.join(", ")
            ),
        );
    }
    w.gap(3.0);
    w.line_of(11.0, true, "Contrôles");
    w.line_of(
        8.5,
        false,
        &format!(
            "Déchiffrement conjoint par les détenteurs de clé {} de la commission d'organisation des élections ; \
             aucun bulletin n'a été déchiffré individuellement. Empreinte SHA-256 des résultats scellés : {}. \
             Graine publique du tirage (égalités parfaites) : {}.",
            ctx.trustees.iter().map(|t| format!("n° {t}")).collect::<Vec<_>>().join(" et "),
            ctx.results_sha256,
            pv.draw_seed
        ),
    );
    w.gap(5.0);
    w.room(48.0);
    w.line_of(
        11.0,
        true,
        "Signatures de la commission d'organisation des élections",
    );
    w.gap(2.0);
    let top = w.y;
    let boxes = [
        (LEFT, "Le président de la commission"),
        (LEFT + 60.0, "Membre (assesseur)"),
        (LEFT + 120.0, "Membre (assesseur)"),
    ];
    for (x, label) in boxes {
        w.doc.rect(w.page, x, top, 54.0, 30.0, None, true);
        w.doc
            .text(w.page, x + 2.0, top + 5.0, Style::regular(8.5), label);
        w.doc.text(
            w.page,
            x + 2.0,
            top + 27.0,
            Style {
                size: 7.5,
                bold: false,
                gray: 0.35,
            },
            "Nom, date et signature",
        );
    }
    w.y = top + 36.0;
    let pages = w.doc.page_count();
    for p in 0..pages {
        w.doc.text_right(
            p,
            RIGHT,
            HEIGHT_MM - 12.0,
            Style {
                size: 8.0,
                bold: false,
                gray: 0.35,
            },
            &format!("{} — page {} / {pages}", pv.contest, p + 1),
        );
    }
    w.doc.finish()
}

#[cfg(test)]
mod tests {
    use crate::exports::neutralise;

    #[test]
    fn formula_cells_are_neutralised_and_plain_ones_kept() {
        for bad in ["=1+1", "+33 6", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(neutralise(bad).starts_with('\''), "{bad:?}");
        }
        for ok in ["Dupont", "", "1 234", "Élodie"] {
            assert_eq!(neutralise(ok), ok);
        }
    }
}
