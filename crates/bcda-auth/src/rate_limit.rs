//! Token-request limits, counted in fixed windows in Postgres so every auth replica
//! shares one count.
//!
//! Two buckets, so that nobody can spend another's allowance:
//! - per client, the tokens it obtained: only requests that proved the client's
//!   credentials count, so a stranger who knows a client id (the sandbox ids are
//!   published) cannot lock that client out;
//! - per source address, the requests that failed (unknown client, wrong secret, bad
//!   assertion): past the limit the address is refused before any credential is checked,
//!   which slows a guesser and spares the slow secret hash.

use std::net::IpAddr;
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

/// What a count is kept for.
#[derive(Debug, Clone, Copy)]
enum Bucket<'a> {
    /// Tokens a client obtained.
    Client(&'a str),
    /// Failed requests from one address.
    Address(IpAddr),
}

impl Bucket<'_> {
    fn key(self) -> String {
        match self {
            Bucket::Client(id) => format!("client:{id}"),
            Bucket::Address(ip) => format!("address:{ip}"),
        }
    }
}

/// Counts token requests per client and failures per address.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    db: DbPool,
    client_limit: u32,
    failure_limit: u32,
    window: Duration,
}

impl RateLimiter {
    pub fn new(db: DbPool, client_limit: u32, failure_limit: u32, window: Duration) -> RateLimiter {
        RateLimiter {
            db,
            client_limit,
            failure_limit,
            window,
        }
    }

    /// Counts a token issued to `client_id` and says whether it is within the limit.
    pub async fn count_token(
        &self,
        client_id: &str,
    ) -> Result<RateDecision, deadpool_postgres::PoolError> {
        self.count(Bucket::Client(client_id), self.client_limit)
            .await
    }

    /// Counts a failed request from `address`.
    pub async fn count_failure(
        &self,
        address: IpAddr,
    ) -> Result<RateDecision, deadpool_postgres::PoolError> {
        self.count(Bucket::Address(address), self.failure_limit)
            .await
    }

    /// Whether `address` may still try: it has not used up its failures in this window.
    /// Reads without counting.
    pub async fn admits(
        &self,
        address: IpAddr,
    ) -> Result<RateDecision, deadpool_postgres::PoolError> {
        let client = self.db.get().await?;
        let row = client
            .query_opt(
                "SELECT count, extract(epoch FROM window_start + make_interval(secs => $2::float8) - now())::float8 \
                 FROM token_requests \
                 WHERE bucket = $1 \
                   AND window_start = to_timestamp(floor(extract(epoch FROM now())::float8 / $2::float8) * $2::float8)",
                &[&Bucket::Address(address).key(), &self.window.as_secs_f64()],
            )
            .await
            .map_err(deadpool_postgres::PoolError::Backend)?;
        // Admitted while one more failure would still be within the limit.
        Ok(match row {
            Some(row) => decide(row.get::<_, i32>(0) + 1, row.get(1), self.failure_limit),
            None => RateDecision::Allowed,
        })
    }

    async fn count(
        &self,
        bucket: Bucket<'_>,
        limit: u32,
    ) -> Result<RateDecision, deadpool_postgres::PoolError> {
        let key = bucket.key();
        let window_secs = self.window.as_secs_f64();
        let client = self.db.get().await?;
        let row = client
            .query_one(
                "WITH w AS (SELECT to_timestamp(floor(extract(epoch FROM now())::float8 / $2::float8) * $2::float8) AS start) \
                 INSERT INTO token_requests (bucket, window_start, count) \
                 SELECT $1, start, 1 FROM w \
                 ON CONFLICT (bucket, window_start) \
                 DO UPDATE SET count = token_requests.count + 1 \
                 RETURNING count, window_start, \
                   extract(epoch FROM window_start + make_interval(secs => $2::float8) - now())::float8",
                &[&key, &window_secs],
            )
            .await
            .map_err(deadpool_postgres::PoolError::Backend)?;
        let count: i32 = row.get(0);
        if count == 1 {
            // A new window began: forget the bucket's older ones.
            let start: time::OffsetDateTime = row.get(1);
            client
                .execute(
                    "DELETE FROM token_requests WHERE bucket = $1 AND window_start < $2",
                    &[&key, &start],
                )
                .await
                .map_err(deadpool_postgres::PoolError::Backend)?;
        }
        Ok(decide(count, row.get(2), limit))
    }
}

/// `Limited` once `count` passes `limit`, until the window ends `remaining_secs` from now.
fn decide(count: i32, remaining_secs: f64, limit: u32) -> RateDecision {
    if i64::from(count) <= i64::from(limit) {
        return RateDecision::Allowed;
    }
    RateDecision::Limited {
        retry_after: Duration::from_secs(remaining_secs.ceil().max(1.0) as u64),
    }
}
