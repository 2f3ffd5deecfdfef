//! The voters' logins counted per day for CCI France's usage indicators: one number
//! per day (Paris time), nationally, so that nothing here can be matched with a right, a
//! ballot or an émargement.

use chrono::{DateTime, Utc};

use crate::backend::with_db;
use crate::clock::to_paris;
use crate::error::Result;
use crate::registry::Registry;

impl Registry {
    /// Counts one voter login that reached a full session, on its day in Paris.
    pub async fn count_login(&self, at: DateTime<Utc>) -> Result<()> {
        let day = to_paris(at).date_naive().to_string();
        with_db!(
            &self.db,
            write | p | {
                sqlx::query(
                    "INSERT INTO site_visits (day, logins) VALUES ($1, 1) \
                     ON CONFLICT (day) DO UPDATE SET logins = site_visits.logins + 1",
                )
                .bind(&day)
                .execute(p)
                .await?;
                Ok(())
            }
        )
    }

    /// The logins per day (`YYYY-MM-DD`, Paris), oldest first.
    pub async fn logins_by_day(&self) -> Result<Vec<(String, i64)>> {
        with_db!(
            &self.db,
            read | p | {
                Ok(
                    sqlx::query_as("SELECT day, logins FROM site_visits ORDER BY day")
                        .fetch_all(p)
                        .await?,
                )
            }
        )
    }
}
