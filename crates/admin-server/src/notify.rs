//! Notifications to commissions: any access by an operator account is journaled and
//! shown at once in the interface of every COE concerned (the chambers of the operator's
//! perimeter, every chamber for NATIONAL), and sent through the email hook to the COE
//! members of those chambers.
//!
//! The login and every state-changing request raise a notification; read-only requests
//! inside a notified session are journaled one by one (the COE sees them in the journal)
//! without a notification each, so a browsing operator does not bury the commissions'
//! inbox.

use rand_core::{OsRng, RngCore};
use serde_json::json;

use crate::audit;
use crate::auth::{AdminUser, Role};
use crate::error::AdminResult;
use crate::mail::Email;
use crate::state::AdminState;

/// The chambers concerned by an access of `user`, and the COE accounts to tell.
async fn concerned(
    state: &AdminState,
    user: &AdminUser,
) -> AdminResult<(Vec<String>, Vec<AdminUser>)> {
    let mut chambers: Vec<String> = user.chambers().unwrap_or_default();
    let mut coe = Vec::new();
    for row in state.stores.registry.admin_users().await? {
        let Ok(other) = AdminUser::from_row(&row) else {
            continue;
        };
        if other.disabled || !matches!(other.role, Role::CoeMember | Role::CoePresident) {
            continue;
        }
        let theirs = other.chambers().unwrap_or_default();
        let shared: Vec<&String> = theirs.iter().filter(|c| user.sees(c)).collect();
        if shared.is_empty() {
            continue;
        }
        if user.chambers().is_none() {
            for c in shared {
                if !chambers.contains(c) {
                    chambers.push(c.clone());
                }
            }
        }
        coe.push(other);
    }
    chambers.sort();
    Ok((chambers, coe))
}

/// Raises a notification about `user` (an operator) for the chambers concerned, journals
/// it and emails the COE members of those chambers.
pub async fn operator_access(state: &AdminState, user: &AdminUser, what: &str) -> AdminResult<()> {
    let (chambers, coe) = concerned(state, user).await?;
    let now = state.now();
    let when = scrutin_store::clock::paris_text(now, true);
    let message = format!("Accès de l'opérateur {} {when} : {what}.", user.display());
    for chamber in &chambers {
        let mut id = [0u8; 16];
        OsRng.fill_bytes(&mut id);
        state
            .stores
            .registry
            .insert_notification(
                &hex::encode(id),
                chamber,
                now,
                "operator-access",
                &message,
                &user.email,
            )
            .await?;
    }
    audit::record(
        state,
        Some(user),
        "operator-access",
        json!({ "what": what, "chambers": chambers, "notified": coe.iter().map(|u| &u.id).collect::<Vec<_>>() }),
    )
    .await?;
    if state.mailer.enabled() {
        for member in coe {
            let email = Email {
                to: member.email.clone(),
                subject: "[Élections CCI] Accès de l'opérateur à la plate-forme".into(),
                text: format!(
                    "Bonjour {},\n\n{message}\n\nCet accès est inscrit au journal de la plate-forme. \
                     Vous pouvez le consulter dans l'interface de contrôle, rubrique « Journal ».\n",
                    member.first_name
                ),
                attachments: Vec::new(),
            };
            let mailer = state.mailer.clone();
            // The request must not wait on the relay; a failed notification email is logged
            // and the notification stays visible in the interface.
            tokio::spawn(async move {
                if let Err(e) = mailer.send(&email).await {
                    tracing::warn!(error = %e, to = %email.to, "operator-access email not sent");
                }
            });
        }
    }
    Ok(())
}

/// Journals one request of an operator; state-changing requests are also notified.
pub async fn operator_request(
    state: &AdminState,
    user: &AdminUser,
    action: &str,
    changing: bool,
) -> AdminResult<()> {
    if changing {
        operator_access(state, user, action).await
    } else {
        audit::record(
            state,
            Some(user),
            "operator-request",
            json!({ "action": action }),
        )
        .await
    }
}
