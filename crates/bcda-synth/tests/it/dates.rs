//! Dates never contradict each other: on every row of a sandbox-sized ACO, a claim's
//! services fall within it, end before it was processed (its `lastUpdated`) and before the
//! data's as-of date, and none follows the beneficiary's death; a claim's shared-system
//! record (FISS or MCS) is received after its services and final before the NCH has it.

use std::collections::BTreeMap;

use bcda_synth::{Synth, SynthSpec, shared_system};
use time::macros::date;

#[test]
fn no_claim_or_event_ends_after_it_was_processed_or_after_death() {
    let as_of = date!(2026 - 11 - 01);
    let synth = Synth::new(SynthSpec {
        cms_id: "A9993".into(),
        beneficiaries: 2_500,
        seed: 20_261_128,
        years: 2,
        as_of,
    })
    .unwrap();
    let mut violations = Vec::new();
    // How many of each kind break each rule.
    let mut tally: BTreeMap<String, usize> = BTreeMap::new();
    let (mut claims, mut events) = (0, 0);
    let mut pending = std::collections::BTreeMap::<char, usize>::new();
    for ordinal in 0..synth.total() {
        let record = synth.beneficiary(ordinal);
        let death = record.beneficiary.death_date;
        // Claims not final at the as-of date: received before it if at all, their
        // status and update before it too, and no final claim yet.
        for claim in &record.in_process_claims {
            let Some(pac) = shared_system::in_process_record_of(claim, as_of) else {
                continue;
            };
            *pending.entry(pac.status_cd).or_default() += 1;
            let broken = [
                (claim.final_action < as_of, "final before the as-of date"),
                (
                    pac.received_date < claim.claim.thru_date,
                    "received before its services ended",
                ),
                (
                    pac.status_date < pac.received_date,
                    "status before it was received",
                ),
                (
                    pac.last_updated.date() >= as_of,
                    "updated on or after the as-of date",
                ),
                (pac.final_clm_id.is_some(), "has a final claim"),
            ];
            for (_, rule) in broken.iter().filter(|(broken, _)| *broken) {
                violations.push(format!("in-process claim {}: {rule}", pac.claim_key));
            }
        }
        for claim in &record.claims {
            claims += 1;
            let processed = claim.last_updated.date();
            let mut check = |broken: bool, rule: &str| {
                if broken {
                    *tally
                        .entry(format!("{}: {rule}", claim.claim_type.as_str()))
                        .or_default() += 1;
                    violations.push(format!(
                        "{} claim {} ({} to {}, processed {processed}): {rule}",
                        claim.claim_type.as_str(),
                        claim.clm_id,
                        claim.from_date,
                        claim.thru_date
                    ));
                }
            };
            check(claim.from_date > claim.thru_date, "starts after it ends");
            // Its shared-system life: received after the services, final before the NCH
            // processed it, loaded no later than the final claim.
            if let Some(pac) = shared_system::record_of(claim) {
                check(
                    pac.received_date < claim.thru_date,
                    "received before its services ended",
                );
                check(
                    pac.status_date < pac.received_date,
                    "final before it was received",
                );
                check(
                    pac.status_date > processed,
                    "final in FISS/MCS after the NCH had it",
                );
                check(
                    pac.last_updated > claim.last_updated,
                    "loaded after the final claim",
                );
                check(
                    pac.last_updated.date() < pac.status_date,
                    "loaded before its status",
                );
                check(
                    pac.total_charge_cents == 0 && claim.total_charge_cents > 0,
                    "billed nothing",
                );
            }
            check(claim.thru_date > processed, "ends after it was processed");
            check(processed >= as_of, "processed on or after the as-of date");
            check(
                death.is_some_and(|death| claim.thru_date > death),
                "ends after the death",
            );
            for line in &claim.lines {
                check(
                    line.from_date < claim.from_date || line.thru_date > claim.thru_date,
                    "a line outside the claim's dates",
                );
            }
            if let (Some(admitted), Some(discharged)) = (claim.admission_date, claim.discharge_date)
            {
                check(admitted > discharged, "discharged before admitted");
                check(discharged > processed, "discharged after it was processed");
            }
        }
        for event in &record.events {
            events += 1;
            let processed = event.last_updated.date();
            if event.service_date > processed
                || processed >= as_of
                || event.paid_date < event.service_date
                || death.is_some_and(|death| event.service_date > death)
            {
                *tally.entry("pde".to_owned()).or_default() += 1;
                violations.push(format!(
                    "Part D event {}: filled {}, paid {}, processed {processed}, death {death:?}",
                    event.pde_id, event.service_date, event.paid_date
                ));
            }
        }
    }
    assert!(
        claims > 50_000 && events > 50_000,
        "{claims} claims, {events} events"
    );
    // Claims in process reach every state: queued, being worked, decided.
    for status in ['A', 'S', 'P', 'B', 'C', 'D'] {
        assert!(pending.get(&status).is_some_and(|n| *n > 0), "{pending:?}");
    }
    assert!(
        violations.is_empty(),
        "{} of {claims} claims and {events} Part D events contradict their dates: {tally:#?}\n\
         e.g.:\n{}",
        violations.len(),
        violations[..violations.len().min(20)].join("\n")
    );
}
