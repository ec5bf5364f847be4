//! `bcda opt-out`: beneficiaries' data-sharing preferences, as BCDA reads them from
//! 1-800-MEDICARE's files. An opted-out beneficiary appears in no ACO's export (the
//! preference is the beneficiary's, not an ACO's) until the opt-out is removed.

use anyhow::Context;
use bcda_infra::DbPool;
use clap::Subcommand;
use time::Date;

#[derive(Debug, Subcommand)]
pub enum OptOutCommand {
    /// Record that beneficiaries (by MBI) opted out of sharing their data.
    Add {
        #[arg(required = true)]
        mbis: Vec<String>,
        /// When the preference took effect (YYYY-MM-DD; default today).
        #[arg(long, value_parser = crate::admin::parse_date)]
        effective: Option<Date>,
    },
    /// Remove opt-outs: the beneficiaries share their data again.
    Remove {
        #[arg(required = true)]
        mbis: Vec<String>,
    },
    /// List the opted-out beneficiaries.
    List,
}

pub async fn run(db: DbPool, command: OptOutCommand) -> anyhow::Result<()> {
    let client = db.get().await?;
    match command {
        OptOutCommand::Add { mbis, effective } => {
            let effective = effective.unwrap_or_else(|| time::OffsetDateTime::now_utc().date());
            for mbi in &mbis {
                let added = client
                    .execute(
                        "INSERT INTO opt_outs (beneficiary_id, effective_date) \
                         SELECT id, $2 FROM beneficiaries WHERE mbi = $1 \
                         ON CONFLICT (beneficiary_id) DO UPDATE SET effective_date = $2, \
                                                                    recorded_at = now()",
                        &[mbi, &effective],
                    )
                    .await
                    .context("recording the opt-out")?;
                anyhow::ensure!(added == 1, "no beneficiary has MBI {mbi}");
                println!("{mbi} opted out from {effective}");
            }
        }
        OptOutCommand::Remove { mbis } => {
            let removed = client
                .execute(
                    "DELETE FROM opt_outs o USING beneficiaries b \
                     WHERE b.id = o.beneficiary_id AND b.mbi = ANY($1)",
                    &[&mbis],
                )
                .await
                .context("removing opt-outs")?;
            println!("removed {removed} opt-out(s)");
        }
        OptOutCommand::List => {
            println!("{:<12} effective", "mbi");
            for row in client
                .query(
                    "SELECT b.mbi, o.effective_date FROM opt_outs o \
                     JOIN beneficiaries b ON b.id = o.beneficiary_id ORDER BY b.mbi",
                    &[],
                )
                .await?
            {
                let (mbi, effective): (String, Date) = (row.get(0), row.get(1));
                println!("{mbi:<12} {effective}");
            }
        }
    }
    Ok(())
}
