//! `GET` and `POST` `/api/{v}/Patient/$export` and `/api/{v}/Group/{id}/$export`: starts
//! an export.
//!
//! Checked in BCDA's order: token and ACO (the extractor), v3 access, group, parameters
//! (the query of a `GET`, the `Parameters` body of a `POST`), headers, then the
//! one-active-export rule. Success is `202` with an empty body and the job's URL in
//! `Content-Location`.

use actix_web::http::StatusCode;
use actix_web::http::header::{ACCEPT, CONTENT_LOCATION, RETRY_AFTER};
use actix_web::{HttpRequest, HttpResponse, web};
use actix_web::{get, post};
use bcda_infra::AppContext;
use bcda_infra::http::{Authenticated, FhirError, PublicBase};
use bcda_model::ApiVersion;
use bcda_model::export::{self, ExportGroup, ExportTarget, Parameters};
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
        ("Prefer" = String, Header, description = "`respond-async`; with `handling=lenient`, unsupported parameters are ignored and reported as warnings in the manifest's `error`"),
        ("_type" = Option<String>, Query, description = "Comma-separated resource types: ExplanationOfBenefit, Patient, Coverage; on v2 also Claim and ClaimResponse (partially adjudicated claims) for the ACO models that receive them, e.g. ACO REACH (`D` ids). Default: the first three, and on v2 the last two for those models"),
        ("_since" = Option<String>, Query, description = "Only resources updated after this FHIR instant, e.g. `2020-02-13T08:00:00.000-05:00`"),
        ("_typeFilter" = Option<String>, Query, description = "v3 only (ignored on v1 and v2, as BCDA does): one `ExplanationOfBenefit?` filter of `_tag` (`https://bluebutton.cms.gov/fhir/CodeSystem/System-Type|SharedSystem`, `|NationalClaimsHistory`, `|DDPS`; `https://bluebutton.cms.gov/fhir/CodeSystem/Final-Action|FinalAction`, `|NotFinalAction`), `outcome` (`complete`, `partial`) and `service-date` (`eq`, `lt`, `gt`, `le`, `ge` and a date), percent-encoded. Parameters all hold; commas separate alternatives. Without a System-Type tag, only NCH and DDPS claims are exported and the manifest's `error` lists a warnings file"),
        ("_outputFormat" = Option<String>, Query, description = "`application/fhir+ndjson` (also `application/ndjson`, `ndjson`)"),
        ("_until" = Option<String>, Query, description = "Only resources updated before this FHIR instant (after `_since`, not in the future)"),
        ("organizeOutputBy" = Option<String>, Query, description = "`Patient`: each file holds whole beneficiaries, each as a header `Parameters` resource referencing the Patient, then the Patient, then the beneficiary's other resources; the manifest has `outputOrganizedBy` and omits `output.type`"),
        ("allowPartialManifests" = Option<String>, Query, description = "`true` or `false`; with `true`, while the job runs, status answers `202` with a page of the manifest listing files already done (pages never change but for a `next` link)")
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
    let parameters = query_parameters(**version, &req)?;
    kick_off(
        auth,
        **version,
        ExportTarget::Patient,
        parameters,
        &req,
        &base,
        &ctx,
    )
    .await
}

/// Start an export of every attributed beneficiary's data, or of some (`patient`)
///
/// The Bulk Data IG's `POST` form of `Patient/$export`: the parameters of the `GET` form,
/// and `patient`, in a FHIR `Parameters` body.
#[utoipa::path(
    post,
    path = "/Patient/$export",
    tag = "Bulk Data",
    security(("bearer" = [])),
    params(
        ("Accept" = String, Header, description = "`application/fhir+json`"),
        ("Prefer" = String, Header, description = "`respond-async`, optionally with `handling=lenient`")
    ),
    request_body(content = Object, content_type = "application/fhir+json", description = "A `Parameters` resource: `_type`, `_since`, `_until`, `_outputFormat`, `_typeFilter` (v3) as `valueString`/`valueInstant`; `patient` as `valueReference` (`Patient/{id}`, repeated); `organizeOutputBy` (`Patient`); `allowPartialManifests` as `valueBoolean`"),
    responses(
        (status = 202, description = "Started; poll the job at `Content-Location`"),
        (status = 400, description = "A bad body, parameter or header, or a `patient` the ACO may not export", content_type = "application/fhir+json"),
        (status = 401, description = "Missing, invalid or expired token", content_type = "application/fhir+json"),
        (status = 403, description = "The ACO is denied, has no v3 access (on v3), or the token's scopes do not grant a requested type", content_type = "application/fhir+json"),
        (status = 404, description = "No current attribution", content_type = "application/fhir+json"),
        (status = 429, description = "An export of the same kind is already running; retry after `Retry-After`")
    )
)]
#[post("/Patient/$export")]
pub async fn patient_post(
    auth: Authenticated,
    version: web::Data<ApiVersion>,
    req: HttpRequest,
    body: web::Bytes,
    base: PublicBase,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, FhirError> {
    auth.require_access_to(**version)?;
    let parameters = body_parameters(**version, &req, &body)?;
    kick_off(
        auth,
        **version,
        ExportTarget::Patient,
        parameters,
        &req,
        &base,
        &ctx,
    )
    .await
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
        ("Prefer" = String, Header, description = "`respond-async`; with `handling=lenient`, unsupported parameters are ignored and reported as warnings in the manifest's `error`"),
        ("_type" = Option<String>, Query, description = "Comma-separated resource types: ExplanationOfBenefit, Patient, Coverage; on v2 also Claim and ClaimResponse (partially adjudicated claims) for the ACO models that receive them, e.g. ACO REACH (`D` ids). Default: the first three, and on v2 the last two for those models"),
        ("_since" = Option<String>, Query, description = "Only resources updated after this FHIR instant, e.g. `2020-02-13T08:00:00.000-05:00`"),
        ("_typeFilter" = Option<String>, Query, description = "v3 only (ignored on v1 and v2, as BCDA does): one `ExplanationOfBenefit?` filter of `_tag` (`https://bluebutton.cms.gov/fhir/CodeSystem/System-Type|SharedSystem`, `|NationalClaimsHistory`, `|DDPS`; `https://bluebutton.cms.gov/fhir/CodeSystem/Final-Action|FinalAction`, `|NotFinalAction`), `outcome` (`complete`, `partial`) and `service-date` (`eq`, `lt`, `gt`, `le`, `ge` and a date), percent-encoded. Parameters all hold; commas separate alternatives. Without a System-Type tag, only NCH and DDPS claims are exported and the manifest's `error` lists a warnings file"),
        ("_outputFormat" = Option<String>, Query, description = "`application/fhir+ndjson` (also `application/ndjson`, `ndjson`)"),
        ("_until" = Option<String>, Query, description = "Only resources updated before this FHIR instant (after `_since`, not in the future)"),
        ("organizeOutputBy" = Option<String>, Query, description = "`Patient`: each file holds whole beneficiaries, each as a header `Parameters` resource referencing the Patient, then the Patient, then the beneficiary's other resources; the manifest has `outputOrganizedBy` and omits `output.type`"),
        ("allowPartialManifests" = Option<String>, Query, description = "`true` or `false`; with `true`, while the job runs, status answers `202` with a page of the manifest listing files already done (pages never change but for a `next` link)")
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
    let export_group = ExportGroup::from_id(&group_id).map_err(|e| bad_request(**version, e))?;
    let parameters = query_parameters(**version, &req)?;
    let target = ExportTarget::Group(export_group);
    kick_off(auth, **version, target, parameters, &req, &base, &ctx).await
}

/// Start an export of a group's data, or of some of its beneficiaries (`patient`)
///
/// The Bulk Data IG's `POST` form of `Group/{id}/$export`: the parameters of the `GET`
/// form, and `patient`, in a FHIR `Parameters` body.
#[utoipa::path(
    post,
    path = "/Group/{group_id}/$export",
    tag = "Bulk Data",
    security(("bearer" = [])),
    params(
        ("Accept" = String, Header, description = "`application/fhir+json`"),
        ("Prefer" = String, Header, description = "`respond-async`, optionally with `handling=lenient`"),
        ("group_id" = String, Path, description = "`all` or `runout`")
    ),
    request_body(content = Object, content_type = "application/fhir+json", description = "A `Parameters` resource, as for `POST Patient/$export`"),
    responses(
        (status = 202, description = "Started; poll the job at `Content-Location`"),
        (status = 400, description = "A bad body, parameter or header, or a `patient` the ACO may not export", content_type = "application/fhir+json"),
        (status = 401, description = "Missing, invalid or expired token", content_type = "application/fhir+json"),
        (status = 403, description = "The ACO is denied, has no v3 access (on v3), or the token's scopes do not grant a requested type", content_type = "application/fhir+json"),
        (status = 404, description = "No current attribution", content_type = "application/fhir+json"),
        (status = 429, description = "An export of the same kind is already running; retry after `Retry-After`")
    )
)]
#[post("/Group/{group_id}/$export")]
pub async fn group_post(
    auth: Authenticated,
    version: web::Data<ApiVersion>,
    group_id: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
    base: PublicBase,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, FhirError> {
    auth.require_access_to(**version)?;
    let export_group = ExportGroup::from_id(&group_id).map_err(|e| bad_request(**version, e))?;
    let parameters = body_parameters(**version, &req, &body)?;
    let target = ExportTarget::Group(export_group);
    kick_off(auth, **version, target, parameters, &req, &base, &ctx).await
}

/// The parameters of a `GET` kick-off.
fn query_parameters(version: ApiVersion, req: &HttpRequest) -> Result<Parameters, FhirError> {
    Parameters::from_query(req.query_string()).map_err(|e| bad_request(version, e))
}

/// The parameters of a `POST` kick-off, which belong in its body alone.
fn body_parameters(
    version: ApiVersion,
    req: &HttpRequest,
    body: &[u8],
) -> Result<Parameters, FhirError> {
    if !req.query_string().is_empty() {
        return Err(bad_request(version, export::ExportError::QueryOnPost));
    }
    Parameters::from_body(body).map_err(|e| bad_request(version, e))
}

/// One span per kick-off, naming the job it created: the root of the export's trace,
/// which the job's keys carry through the outbox and RabbitMQ to the workers.
#[tracing::instrument(name = "kick_off", skip_all, fields(%version, job_id = tracing::field::Empty))]
async fn kick_off(
    Authenticated(principal): Authenticated,
    version: ApiVersion,
    target: ExportTarget,
    parameters: Parameters,
    req: &HttpRequest,
    base: &PublicBase,
    ctx: &AppContext,
) -> Result<HttpResponse, FhirError> {
    let now = OffsetDateTime::now_utc();
    let offer = export::Offer::to(version, &principal.cms_id);
    let prefer = joined_header(req, "prefer");
    let handling = export::handling(prefer.as_deref());
    let request =
        export::parse(&parameters, now, offer, handling).map_err(|e| bad_request(version, e))?;
    let request = principal
        .scopes
        .restrict(request)
        .map_err(|e| FhirError::new(version, StatusCode::FORBIDDEN, e.to_string()))?;
    let accept = joined_header(req, ACCEPT.as_str());
    export::check_headers(accept.as_deref(), prefer.as_deref())
        .map_err(|e| bad_request(version, e))?;

    let request_url = format!("{}{}", base.as_str(), req.uri());
    // Warnings (BCDA's default System-Type filter on v3, parameters ignored under
    // lenient handling) go in a file stored, under the job's reserved id, before the job
    // exists.
    let messages = request.warnings();
    let (id, warnings) = if !messages.is_empty() {
        let id = export_repo::reserve_job_id(&ctx.db)
            .await
            .map_err(|e| FhirError::internal(version, &e))?;
        let file = warnings::store(&ctx.storage, id, &messages)
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
    if let (
        Some(file),
        Ok(Created::Busy | Created::Unattributed(_) | Created::UnknownPatients(_)),
    ) = (&warnings, &created)
    {
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
        Ok(Created::UnknownPatients(ids)) => Err(bad_request(
            version,
            export::ExportError::UnknownPatients(ids),
        )),
        Err(e) => Err(FhirError::internal(version, &e)),
    }
}

/// Every value of header `name`, joined with commas as RFC 9110 allows for list
/// headers (`Prefer: respond-async` and `Prefer: handling=lenient` sent apart).
fn joined_header(req: &HttpRequest, name: &str) -> Option<String> {
    let values: Vec<&str> = req
        .headers()
        .get_all(name)
        .filter_map(|v| v.to_str().ok())
        .collect();
    (!values.is_empty()).then(|| values.join(", "))
}

fn bad_request(version: ApiVersion, error: export::ExportError) -> FhirError {
    FhirError::new(version, StatusCode::BAD_REQUEST, error.to_string())
}
