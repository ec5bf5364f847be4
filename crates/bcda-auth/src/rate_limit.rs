//! Token requests per client, counted in fixed windows in Postgres so every auth
//! replica shares one count.

use std::time::Duration;

use bcda_infra::DbPool;

/// The answer for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateDecision {
    Allowed,
    /// Over the limit; the window ends in this long.
    Limited {
        retry_after: Duration,
    },
}

/// Counts token requests per client.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    db: DbPool,
    limit: u32,
    window: Duration,
}

impl RateLimiter {
    pub fn new(db: DbPool, limit: u32, window: Duration) -> RateLimiter {
        RateLimiter { db, limit, window }
    }

    /// Counts one request of `client_id` and says whether it is within the limit.
    pub async fn check(
        &self,
        client_id: &str,
    ) -> Result<RateDecision, deadpool_postgres::PoolError> {
        let window_secs = self.window.as_secs_f64();
        let client = self.db.get().await?;
        let row = client
            .query_one(
                "WITH w AS (SELECT to_timestamp(floor(extract(epoch FROM now())::float8 / $2::float8) * $2::float8) AS start) \
                 INSERT INTO token_requests (client_id, window_start, count) \
                 SELECT $1, start, 1 FROM w \
                 ON CONFLICT (client_id, window_start) \
                 DO UPDATE SET count = token_requests.count + 1 \
                 RETURNING count, window_start, \
                   extract(epoch FROM window_start + make_interval(secs => $2::float8) - now())::float8",
                &[&client_id, &window_secs],
            )
            .await
            .map_err(deadpool_postgres::PoolError::Backend)?;
        let count: i32 = row.get(0);
        if count == 1 {
            // A new window began: forget the client's older ones.
            let start: time::OffsetDateTime = row.get(1);
            client
                .execute(
                    "DELETE FROM token_requests WHERE client_id = $1 AND window_start < $2",
                    &[&client_id, &start],
                )
                .await
                .map_err(deadpool_postgres::PoolError::Backend)?;
        }
        if count as i64 <= self.limit as i64 {
            return Ok(RateDecision::Allowed);
        }
        let remaining: f64 = row.get(2);
        Ok(RateDecision::Limited {
            retry_after: Duration::from_secs(remaining.ceil().max(1.0) as u64),
        })
    }
}
