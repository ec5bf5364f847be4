//! `bcda export`: the guide's whole flow against any BCDA-style server, with progress
//! bars, and a summary at the end.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bcda_client::{ExportRequest, FileProgress, FileReport, Progress};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The server's origin, e.g. `https://sandbox.bcda.cms.gov`.
    #[arg(long, env = "BCDA_BASE_URL", default_value = "http://127.0.0.1:3000")]
    base_url: String,
    #[arg(long, env = "BCDA_CLIENT_ID")]
    client_id: String,
    #[arg(long, env = "BCDA_CLIENT_SECRET", hide_env_values = true)]
    client_secret: String,
    /// v1 (FHIR STU3), v2 (FHIR R4) or v3 (FHIR R4, Blue Button v3).
    #[arg(long, default_value = "v1", value_parser = ["v1", "v2", "v3"])]
    api: String,
    /// Export `Group/{group}/$export` (e.g. all, runout) instead of `Patient/$export`.
    #[arg(long)]
    group: Option<String>,
    /// Resource types (repeat or comma-separate): ExplanationOfBenefit, Patient, Coverage.
    #[arg(long = "type", value_delimiter = ',')]
    types: Vec<String>,
    /// Only resources updated after this FHIR instant, e.g. 2026-01-01T00:00:00Z.
    #[arg(long)]
    since: Option<String>,
    /// Only resources updated at or before this FHIR instant.
    #[arg(long)]
    until: Option<String>,
    /// Kick off with POST and a FHIR Parameters body (the Bulk Data IG's other form).
    #[arg(long)]
    post: bool,
    /// Each file holds its beneficiaries' resources of every type, each beneficiary's
    /// Patient first (organizeOutputBy=Patient).
    #[arg(long)]
    organize_by_patient: bool,
    /// Download files as they are done, while the export runs (allowPartialManifests).
    #[arg(long)]
    partial: bool,
    /// v3: which ExplanationOfBenefits, e.g.
    /// `ExplanationOfBenefit?_tag=https://bluebutton.cms.gov/fhir/CodeSystem/System-Type|SharedSystem`
    /// (without a System-Type tag the server exports final claims only and warns of it).
    #[arg(long)]
    type_filter: Option<String>,
    /// Directory for the files and manifest.json.
    #[arg(long, default_value = "bcda-export")]
    out: PathBuf,
    /// Files downloaded at once.
    #[arg(long, default_value_t = 4)]
    parallel: usize,
    /// Give up on the job after this many seconds.
    #[arg(long, default_value_t = 3600)]
    timeout_secs: u64,
}

/// Runs the export and prints its summary; an error says what failed.
pub async fn run(args: ExportArgs) -> anyhow::Result<()> {
    let request = ExportRequest {
        base_url: args.base_url,
        client_id: args.client_id,
        client_secret: args.client_secret,
        api: args.api,
        group: args.group,
        types: args.types,
        since: args.since,
        until: args.until,
        type_filter: args.type_filter,
        post: args.post,
        organize_by_patient: args.organize_by_patient,
        partial: args.partial,
        out: args.out.clone(),
        parallel: args.parallel,
        timeout: Duration::from_secs(args.timeout_secs),
    };
    let bars = Arc::new(Bars::new());
    let summary = bcda_client::export(&request, bars.clone()).await?;
    bars.finish();
    println!("job       {}", summary.job_url);
    println!(
        "files     {} in {} (and manifest.json)",
        summary.files,
        args.out.display()
    );
    for (resource_type, count) in &summary.resources {
        println!("          {count:>10} {resource_type}");
    }
    println!(
        "bytes     {:.1} MB of NDJSON ({:.1} MB transferred{})",
        summary.bytes as f64 / 1e6,
        summary.transferred as f64 / 1e6,
        if summary.resumed > 0 {
            format!(", {} resumed downloads", summary.resumed)
        } else {
            String::new()
        }
    );
    println!(
        "time      {:.1} s to the manifest, {:.1} s to the last byte",
        summary.job_seconds, summary.total_seconds
    );
    Ok(())
}

/// Progress bars on stderr: the job's status, one bar per file, and the files done.
struct Bars {
    multi: MultiProgress,
    job: ProgressBar,
    total: ProgressBar,
}

impl Bars {
    fn new() -> Bars {
        let multi = MultiProgress::new();
        let job = multi.add(ProgressBar::new_spinner());
        job.set_style(
            ProgressStyle::with_template("{spinner} job: {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        job.enable_steady_tick(Duration::from_millis(200));
        job.set_message("starting");
        let total = multi.add(ProgressBar::new(0));
        total.set_style(
            ProgressStyle::with_template("files {bar:30} {pos}/{len} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Bars { multi, job, total }
    }

    fn finish(&self) {
        self.job.finish_and_clear();
        self.total.finish();
    }
}

impl Progress for Bars {
    fn job(&self, status: &str) {
        self.job.set_message(status.to_owned());
    }

    fn manifest(&self, files: usize) {
        self.job.set_message(format!("{files} files listed"));
        self.total.set_length(files as u64);
        self.total.set_style(
            ProgressStyle::with_template("files {bar:30} {pos}/{len} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        self.total
            .set_draw_target(indicatif::ProgressDrawTarget::stderr());
    }

    fn file(&self, name: &str) -> Box<dyn FileProgress> {
        let bar = self.multi.add(ProgressBar::new(0));
        bar.set_style(
            ProgressStyle::with_template(
                "{msg:48} {bytes:>10}/{total_bytes:10} {bytes_per_sec:>12}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_message(name.to_owned());
        Box::new(FileBar(bar))
    }

    fn file_done(&self, _name: &str, _report: &FileReport) {
        self.total.inc(1);
    }
}

struct FileBar(ProgressBar);

impl FileProgress for FileBar {
    fn started(&self, total: Option<u64>) {
        self.0.set_position(0);
        if let Some(total) = total {
            self.0.set_length(total);
        }
    }

    fn advanced(&self, bytes: u64) {
        self.0.inc(bytes);
    }

    fn resuming(&self, at: u64) {
        self.0.set_position(at);
        self.0
            .set_message(format!("{} (resumed)", self.0.message()));
    }
}

impl Drop for FileBar {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}
