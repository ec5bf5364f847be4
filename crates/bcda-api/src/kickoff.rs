//! `GET /api/{v}/Patient/$export` and `GET /api/{v}/Group/{id}/$export`: starts an export.
//!
//! Checked in BCDA's order: token and ACO (the extractor), v3 access, group, query,
//! headers, then the one-active-export rule. Success is `202` with an empty body and the job's URL in
//! `Content-Location`.

use actix_web::get;
use actix_web::http::StatusCode;
use actix_web::http::header::{ACCEPT, CONTENT_LOCATION, RETRY_AFTER};
use actix_web::{HttpRequest, HttpResponse, web};
use bcda_infra::AppContext;
use bcda_infra::http::{Authenticated, FhirError, PublicBase};
use bcda_model::ApiVersion;
use bcda_model::export::{self, ExportGroup, ExportTarget};
use time::OffsetDateTime;

use crate::export_repo::{self, Created, NewJob};
use crate::warnings;

/// Start an export of every attributed beneficiary's data
///
/// Equivalent to `Group/all/$export`.
#[utoipa::path(
    get,
    path = "/Patient/$export",
    tag = "Bulk Data",
    security(("bearer" = [])),
    params(
        ("Accept" = String, Header, description = "`application/fhir+json`"),
        ("Prefer" = String, Header, description = "`respond-async`"),
        ("_type" = Option<String>, Query, description = "Comma-separated resource types: ExplanationOfBenefit, Patient, Coverage; on v2 also Claim and ClaimResponse (partially adjudicated claims) for the ACO models that receive them, e.g. ACO REACH (`D` ids). Default: the first three, and on v2 the last two for those models"),
        ("_since" = Option<String>, Query, description = "Only resources updated after this FHIR instant, e.g. `2020-02-13T08:00:00.000-05:00`"),
        ("_typeFilter" = Option<String>, Query, description = "v3 only (ignored on v1 and v2, as BCDA does): one `ExplanationOfBenefit?` filter of `_tag` (`https://bluebutton.cms.gov/fhir/CodeSystem/System-Type|SharedSystem`, `|NationalClaimsHistory`, `|DDPS`; `https://bluebutton.cms.gov/fhir/CodeSystem/Final-Action|FinalAction`, `|NotFinalAction`), `outcome` (`complete`, `partial`) and `service-date` (`eq`, `lt`, `gt`, `le`, `ge` and a date), percent-encoded. Parameters all hold; commas separate alternatives. Without a System-Type tag, only NCH and DDPS claims are exported and the manifest's `error` lists a warnings file"),
        ("_outputFormat" = Option<String>, Query, description = "`application/fhir+ndjson` (also `application/ndjson`, `ndjson`)")
    ),
    responses(
        (status = 202, description = "Started; poll the job at `Content-Location`"),
        (status = 400, description = "A bad parameter or header", content_type = "application/fhir+json"),
        (status = 401, description = "Missing, invalid or expired token", content_type = "application/fhir+json"),
        (status = 403, description = "The ACO is denied, has no v3 access (on v3), or the token's scopes do not grant a requested type", content_type = "application/fhir+json"),
        (status = 404, description = "No current attribution: none loaded, of a past performance year, or (runout) older than 180 days", content_type = "application/fhir+json"),
        (status = 429, description = "An export of the same kind is already running (ACOs held to BCDA's one-export-at-a-time rule: not the test ACOs A9990-A9999 unless configured); retry after `Retry-After`")
    )
)]
#[get("/Patient/$export")]
pub async fn patient(
    auth: Authenticated,
    version: web::Data<ApiVersion>,
    req: HttpRequest,
    base: PublicBase,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, FhirError> {
    auth.require_access_to(**version)?;
    kick_off(auth, **version, ExportTarget::Patient, &req, &base, &ctx).await
}

/// Start an export of a group's data
///
/// `all`: the beneficiaries of the ACO's latest attribution file; with `_since`, those
/// attributed since then get their full history, the others only changes. `runout`: the
/// beneficiaries of the prior performance year's runout file, and their claims with
/// service dates in that year processed up to the file's date.
#[utoipa::path(
    get,
    path = "/Group/{group_id}/$export",
    tag = "Bulk Data",
    security(("bearer" = [])),
    params(
        ("Accept" = String, Header, description = "`application/fhir+json`"),
        ("Prefer" = String, Header, description = "`respond-async`"),
        ("_type" = Option<String>, Query, description = "Comma-separated resource types: ExplanationOfBenefit, Patient, Coverage; on v2 also Claim and ClaimResponse (partially adjudicated claims) for the ACO models that receive them, e.g. ACO REACH (`D` ids). Default: the first three, and on v2 the last two for those models"),
        ("_since" = Option<String>, Query, description = "Only resources updated after this FHIR instant, e.g. `2020-02-13T08:00:00.000-05:00`"),
        ("_typeFilter" = Option<String>, Query, description = "v3 only (ignored on v1 and v2, as BCDA does): one `ExplanationOfBenefit?` filter of `_tag` (`https://bluebutton.cms.gov/fhir/CodeSystem/System-Type|SharedSystem`, `|NationalClaimsHistory`, `|DDPS`; `https://bluebutton.cms.gov/fhir/CodeSystem/Final-Action|FinalAction`, `|NotFinalAction`), `outcome` (`complete`, `partial`) and `service-date` (`eq`, `lt`, `gt`, `le`, `ge` and a date), percent-encoded. Parameters all hold; commas separate alternatives. Without a System-Type tag, only NCH and DDPS claims are exported and the manifest's `error` lists a warnings file"),
        ("_outputFormat" = Option<String>, Query, description = "`application/fhir+ndjson` (also `application/ndjson`, `ndjson`)")
        ,("group_id" = String, Path, description = "`all` or `runout`")
    ),
    responses(
        (status = 202, description = "Started; poll the job at `Content-Location`"),
        (status = 400, description = "A bad parameter or header", content_type = "application/fhir+json"),
        (status = 401, description = "Missing, invalid or expired token", content_type = "application/fhir+json"),
        (status = 403, description = "The ACO is denied, has no v3 access (on v3), or the token's scopes do not grant a requested type", content_type = "application/fhir+json"),
        (status = 404, description = "No current attribution: none loaded, of a past performance year, or (runout) older than 180 days", content_type = "application/fhir+json"),
        (status = 429, description = "An export of the same kind is already running (ACOs held to BCDA's one-export-at-a-time rule: not the test ACOs A9990-A9999 unless configured); retry after `Retry-After`")
    )
)]
#[get("/Group/{group_id}/$export")]
pub async fn group(
    auth: Authenticated,
    version: web::Data<ApiVersion>,
    group_id: web::Path<String>,
    req: HttpRequest,
    base: PublicBase,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, FhirError> {
    auth.require_access_to(**version)?;
    let group = ExportGroup::from_id(&group_id).map_err(|e| bad_request(**version, e))?;
    kick_off(
        auth,
        **version,
        ExportTarget::Group(group),
        &req,
        &base,
        &ctx,
    )
    .await
}

/// One span per kick-off, naming the job it created: the root of the export's trace,
/// which the job's keys carry through the outbox and RabbitMQ to the workers.
#[tracing::instrument(name = "kick_off", skip_all, fields(%version, job_id = tracing::field::Empty))]
async fn kick_off(
    Authenticated(principal): Authenticated,
    version: ApiVersion,
    target: ExportTarget,
    req: &HttpRequest,
    base: &PublicBase,
    ctx: &AppContext,
) -> Result<HttpResponse, FhirError> {
    let now = OffsetDateTime::now_utc();
    let offer = export::Offer::to(version, &principal.cms_id);
    let request =
        export::parse_query(req.query_string(), now, offer).map_err(|e| bad_request(version, e))?;
    let request = principal
        .scopes
        .restrict(request)
        .map_err(|e| FhirError::new(version, StatusCode::FORBIDDEN, e.to_string()))?;
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    export::check_headers(header(ACCEPT.as_str()), header("prefer"))
        .map_err(|e| bad_request(version, e))?;

    let request_url = format!("{}{}", base.as_str(), req.uri());
    // A v3 export narrowed by BCDA's default System-Type filter warns of it in a file
    // stored, under the job's reserved id, before the job exists.
    let (id, warnings) = if request.default_system_type {
        let id = export_repo::reserve_job_id(&ctx.db)
            .await
            .map_err(|e| FhirError::internal(version, &e))?;
        let file = warnings::store(&ctx.storage, id)
            .await
            .map_err(|e| FhirError::internal(version, &e))?;
        (Some(id), Some(file))
    } else {
        (None, None)
    };
    let job = NewJob {
        aco_id: principal.aco_id,
        cms_id: &principal.cms_id,
        target,
        version,
        request_url: &request_url,
        request: &request,
        transaction_time: now,
        batch_sizes: &ctx.config.export.batch_sizes,
        id,
        warnings: warnings.as_ref(),
    };
    let created = export_repo::create_job(&ctx.db, job).await;
    // A refused kick-off's file goes; after an error the job may still have been
    // committed, so its file stays.
    if let (Some(file), Ok(Created::Busy | Created::Unattributed(_))) = (&warnings, &created) {
        warnings::discard(&ctx.storage, file).await;
    }
    match created {
        Ok(Created::Job(id)) => {
            tracing::Span::current().record("job_id", id);
            Ok(HttpResponse::Accepted()
                .insert_header((
                    CONTENT_LOCATION,
                    format!("{}/api/{version}/jobs/{id}", base.as_str()),
                ))
                .finish())
        }
        Ok(Created::Busy) => Ok(HttpResponse::TooManyRequests()
            .insert_header((
                RETRY_AFTER,
                ctx.config.export.busy_retry_after_secs.to_string(),
            ))
            .finish()),
        Ok(Created::Unattributed(missing)) => Err(FhirError::new(
            version,
            StatusCode::NOT_FOUND,
            missing.to_string(),
        )),
        Err(e) => Err(FhirError::internal(version, &e)),
    }
}

fn bad_request(version: ApiVersion, error: export::ExportError) -> FhirError {
    FhirError::new(version, StatusCode::BAD_REQUEST, error.to_string())
}
