//! Outgoing email through an SMTP relay (`lettre`): voting material, the test run
//! that checks addresses beforehand, activation links, and the notification hook that
//! tells commissions of an operator's access at once.

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::{SmtpConfig, SmtpSecurity};
use crate::error::{AdminError, AdminResult};

/// One email to send.
#[derive(Clone, Debug, Default)]
pub struct Email {
    /// Recipient address.
    pub to: String,
    /// Subject.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// Attachments: file name, MIME type, bytes.
    pub attachments: Vec<(String, String, Vec<u8>)>,
}

/// The outgoing mail relay, or none.
#[derive(Clone)]
pub struct Mailer {
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("enabled", &self.transport.is_some())
            .field("from", &self.from.to_string())
            .finish()
    }
}

impl Mailer {
    /// A mailer for the relay (none: sending is refused with a clear error).
    pub fn new(smtp: Option<&SmtpConfig>, from: &str) -> AdminResult<Mailer> {
        let from: Mailbox = from
            .parse()
            .map_err(|e| AdminError::Invalid(format!("adresse d'expédition {from:?} : {e}")))?;
        let transport = match smtp {
            None => None,
            Some(c) => {
                let builder = match c.security {
                    SmtpSecurity::None => {
                        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&c.host)
                    }
                    SmtpSecurity::StartTls => {
                        AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&c.host)
                            .map_err(AdminError::internal)?
                    }
                    SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&c.host)
                        .map_err(AdminError::internal)?,
                };
                let mut builder = builder.port(c.port);
                if let (Some(user), Some(password)) = (&c.username, &c.password) {
                    builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
                }
                Some(builder.build())
            }
        };
        Ok(Mailer { transport, from })
    }

    /// Whether a relay is configured.
    pub fn enabled(&self) -> bool {
        self.transport.is_some()
    }

    /// Sends one email.
    pub async fn send(&self, email: &Email) -> AdminResult<()> {
        let transport = self.transport.as_ref().ok_or_else(|| {
            AdminError::Conflict("Aucun serveur de messagerie n'est configuré.".into())
        })?;
        let to: Mailbox = email
            .to
            .parse()
            .map_err(|_| AdminError::Invalid(format!("adresse invalide : {}", email.to)))?;
        let builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject.clone());
        let message = if email.attachments.is_empty() {
            builder
                .header(ContentType::TEXT_PLAIN)
                .body(email.text.clone())
        } else {
            let mut parts = MultiPart::mixed().singlepart(SinglePart::plain(email.text.clone()));
            for (name, mime, bytes) in &email.attachments {
                let ct = ContentType::parse(mime).map_err(AdminError::internal)?;
                parts = parts.singlepart(Attachment::new(name.clone()).body(bytes.clone(), ct));
            }
            builder.multipart(parts)
        }
        .map_err(AdminError::internal)?;
        transport.send(message).await.map_err(|e| {
            tracing::warn!(error = %e, "SMTP relay refused an email");
            AdminError::Conflict(format!("Le serveur de messagerie a refusé l'envoi : {e}"))
        })?;
        Ok(())
    }
}
