//! The rules of a bulk export kick-off (`GET /api/{v}/Patient/$export`,
//! `/Group/{id}/$export`): which headers and query parameters are accepted, and BCDA's
//! messages for those that are not. Pure: the API handler passes in the raw query and
//! headers and turns an [`ExportError`] into a `400` OperationOutcome.
//!
//! | module | job |
//! |---|---|
//! | `headers` | `Accept` and `Prefer` |
//! | `parameters` | the parameters as sent, from a query or a `Parameters` body |
//! | `request` | the parameters, into an [`ExportRequest`] |
//! | `type_filter` | v3 `_typeFilter` |
//! | `target` | `Patient/$export` or which group |
//! | `keys` | cutting a job into keys |
//! | `window` | which updates a job includes |
//! | `work` | the queue message of a key |
//! | `error` | BCDA's messages for a refused kick-off |

mod error;
mod headers;
mod keys;
mod parameters;
mod request;
mod target;
mod type_filter;
mod window;
mod work;

pub use error::ExportError;
pub use headers::{check_headers, handling};
pub use keys::{BatchSizes, BeneficiaryRange, KeyLayout, PlannedKey};
pub use parameters::{Form, Parameters};
pub use request::{ExportRequest, Handling, Offer, WindowEnd, parse, parse_query};
pub use target::{ExportGroup, ExportTarget};
pub use type_filter::{DEFAULT_SYSTEM_TYPE_WARNING, EobFilter, ServiceDates, Tag, TypeFilterError};
pub use window::{RunoutBounds, UpdateWindow};
pub use work::ExportWork;

/// The file a v3 job's warnings are in (`/data/{jobId}/warnings-and-info.ndjson`),
/// listed first in the manifest's `error`, as BCDA names and lists it.
pub const WARNINGS_FILE_NAME: &str = "warnings-and-info.ndjson";

/// The resource type the warnings file's job key is recorded with.
pub const WARNINGS_RESOURCE_TYPE: &str = "OperationOutcome";
