//! Which failures are a dependency being briefly away (a database restarting, a broker
//! or bucket unreachable), to be answered `503` with `Retry-After` and retried by
//! clients, rather than `500`, which says the request itself cannot succeed.

use std::error::Error;

use tokio_postgres::error::SqlState;

/// Whether `error`, or any error in its source chain, is a dependency that is down or
/// overloaded rather than a bug or bad data: a pool that cannot hand out a connection,
/// a closed or refused Postgres connection, Postgres shutting down or starting up, the
/// broker, or the object store failing to answer.
pub fn is_transient(error: &(dyn Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(error) = current {
        if let Some(e) = error.downcast_ref::<deadpool_postgres::PoolError>() {
            return match e {
                deadpool_postgres::PoolError::Backend(e) => postgres_is_transient(e),
                _ => true,
            };
        }
        if let Some(e) = error.downcast_ref::<tokio_postgres::Error>() {
            return postgres_is_transient(e);
        }
        if error.is::<lapin::Error>() || error.is::<crate::queue::QueueError>() {
            return true;
        }
        if let Some(e) = error.downcast_ref::<crate::storage::StorageError>() {
            // Unreachable or failing stores surface as `Generic` (the HTTP client's
            // error, after its own retries); refused credentials or requests do not.
            return matches!(
                e,
                crate::storage::StorageError::Store(object_store::Error::Generic { .. })
            );
        }
        current = error.source();
    }
    false
}

/// A Postgres failure is transient when the connection is gone or could not be made, or
/// the server says it is shutting down, starting, out of connections, or aborted the
/// transaction for a conflict that a retry resolves.
fn postgres_is_transient(error: &tokio_postgres::Error) -> bool {
    if error.is_closed() {
        return true;
    }
    match error.code() {
        Some(code) => {
            code.code().starts_with("08")
                || [
                    SqlState::ADMIN_SHUTDOWN,
                    SqlState::CRASH_SHUTDOWN,
                    SqlState::CANNOT_CONNECT_NOW,
                    SqlState::TOO_MANY_CONNECTIONS,
                    SqlState::T_R_SERIALIZATION_FAILURE,
                    SqlState::T_R_DEADLOCK_DETECTED,
                ]
                .contains(code)
        }
        // No SQLSTATE: the connection failed underneath (I/O, TLS, a timeout).
        None => error
            .source()
            .is_some_and(|source| source.is::<std::io::Error>()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("reading the job failed")]
    struct Wrapper(#[source] deadpool_postgres::PoolError);

    #[test]
    fn a_pool_timeout_is_transient_even_wrapped() {
        let timeout = deadpool_postgres::PoolError::Timeout(deadpool_postgres::TimeoutType::Wait);
        assert!(is_transient(&Wrapper(timeout)));
    }

    #[test]
    fn a_missing_object_and_a_plain_error_are_not() {
        let missing = crate::storage::StorageError::NotFound("1/x.ndjson.gz".into());
        assert!(!is_transient(&missing));
        assert!(!is_transient(&std::fmt::Error));
    }
}
