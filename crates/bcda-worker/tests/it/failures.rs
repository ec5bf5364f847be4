//! Failures during exports: poison messages, retries, outages, cancellation.
