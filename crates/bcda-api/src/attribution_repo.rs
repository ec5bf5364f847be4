//! Reading the ACO's attribution files: which one an export reads, and when the newest
//! of each kind is dated.

use bcda_model::attribution::{AttributionFile, AttributionKind};
use time::OffsetDateTime;
use tokio_postgres::GenericClient;
use uuid::Uuid;

/// The ACO's newest fully loaded file of `kind` (of the latest performance year, then the
/// latest date), dated no later than `until` if given: the order in which BCDA picks
/// its CCLF files.
pub async fn newest_file(
    client: &impl GenericClient,
    aco_id: Uuid,
    kind: AttributionKind,
    until: Option<OffsetDateTime>,
) -> Result<Option<AttributionFile>, tokio_postgres::Error> {
    let row = client
        .query_opt(
            "SELECT id, performance_year, file_date, ingested_at FROM attribution_files \
             WHERE aco_id = $1 AND kind = $2 AND imported \
               AND ($3::timestamptz IS NULL OR file_date <= $3) \
             ORDER BY performance_year DESC, file_date DESC, id DESC LIMIT 1",
            &[&aco_id, &kind.as_str(), &until],
        )
        .await?;
    Ok(row.map(|row| AttributionFile {
        id: row.get(0),
        kind,
        performance_year: i32::from(row.get::<_, i16>(1)),
        date: row.get(2),
        ingested_at: row.get(3),
    }))
}
