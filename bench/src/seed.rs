//! Filling a database the way the service would have: the project's migrations
//! (`domain::on_demand::prepare_connection`), then every row written by the service's own domain
//! functions (`profile::new_profile` + `profile::create`, `consent::given::record`, ...), so
//! every folded `*_key` column, default `customerRef`, audit entry and history row is exactly
//! what the service writes. Fast because it is one connection with cached prepared
//! statements, large transactions, WAL, and `synchronous = OFF` during the load only.

use crate::data::{People, Person};
use crate::sqlite::SqliteDb;
use anyhow::{anyhow, Context, Result};
use domain::address::AddressBody;
use domain::audit::Actor;
use domain::connection::Transactions;
use domain::consent::base::{self, ConsentBaseBody, TermBody};
use domain::consent::given::{self, Api, Choice, Recorder};
use domain::consent::offer::{self, ConsentBody};
use domain::profile::temporary::{self, CreateTemporaryBody};
use domain::profile::{self, CreateProfileBody, CustomerNumber};
use domain::test_db::BlockOn;
use domain::time::Timestamp;
use std::path::Path;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;
/// Rows per transaction.
const CHUNK: u64 = 20_000;

/// Opens (creating) a database for loading: the service's pragmas and migrations, then
/// `synchronous = OFF` and a large page cache for this connection only.
pub fn open_for_load(path: &Path) -> Result<SqliteDb> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let db = SqliteDb::open_cached(path)?;
    domain::on_demand::prepare_connection(&db).block_on().map_err(|e| anyhow!("migrations: {e:?}"))?;
    db.run("PRAGMA journal_mode = WAL")?; // already set by the migrations; cheap to repeat
    db.run("PRAGMA synchronous = OFF")?;
    db.run("PRAGMA cache_size = -1048576")?; // 1 GiB of page cache for the load
    db.run("PRAGMA temp_store = MEMORY")?;
    db.run(
        "CREATE TABLE IF NOT EXISTS bench_insert_floor (
             id INTEGER PRIMARY KEY, organisation_id INTEGER NOT NULL, payload TEXT, at TEXT NOT NULL)",
    )?;
    Ok(db)
}

/// Removes a database file and its WAL and shared-memory files.
pub fn remove_database(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// A consent base of `org` with Norwegian terms, and a consent offering it since 2015:
/// returns the consent's id.
pub fn consent(db: &SqliteDb, org: i64, code: &str, now: Timestamp) -> Result<i64> {
    let body = ConsentBaseBody {
        consent_code: Some(code.to_owned()),
        terms: Some(vec![
            TermBody {
                language: Some("nob".into()),
                text: Some("Ja takk, jeg vil gjerne få nyhetsbrev på e-post og SMS om rutetilbud, billettpriser og endringer i trafikken.".into()),
            },
            TermBody {
                language: Some("EN".into()),
                text: Some("Yes please, send me newsletters about routes, fares and traffic changes by email and text message.".into()),
            },
        ]),
        internal_description: Some("Nyhetsbrev (benchmark)".into()),
        consent_owner_org_id: None,
    };
    let spec_body = ConsentBody {
        consent_code: Some(code.to_owned()),
        is_sms_supported: Some(true),
        is_email_supported: Some(true),
        valid_from: Some("2015-01-01T00:00:00Z".into()),
        ..Default::default()
    };
    let consent = db
        .transaction(async |tx| {
            let new = base::new_base(body, org)?;
            base::insert(tx, org, &new, now).await?;
            let spec = offer::consent_spec(spec_body, org, now)?;
            offer::insert(tx, org, &spec, now).await
        })
        .block_on()
        .map_err(|e| anyhow!("consent {code}: {e:?}"))?;
    Ok(consent.id)
}

fn address_body(person: &Person) -> Option<Vec<AddressBody>> {
    person.address.as_ref().map(|a| {
        vec![AddressBody {
            address_line1: Some(a.line1.clone()),
            address_line2: a.line2.clone(),
            post_code: Some(a.post_code.clone()),
            city: Some(a.city.to_owned()),
            country_code: None,
        }]
    })
}

fn fresh_uuid(people: &mut People) -> String {
    loop {
        if let Some(uuid) = domain::ids::customer_uuid(&people.rng().bytes(64)) {
            return uuid;
        }
    }
}

/// What [`profiles`] seeds.
pub struct Plan<'a> {
    pub org: i64,
    pub client_id: &'a str,
    pub count: u64,
    /// First serial number (keeps emails and phone numbers unique across calls).
    pub first_serial: u64,
    /// Percentage of profiles that give (or refuse) `consent_id`.
    pub consent_percent: u64,
    pub consent_id: i64,
    /// Profiles are created between `now - 10 years` and `now - 1 day`.
    pub now: Timestamp,
}

/// Seeds permanent profiles through `profile::new_profile` and `profile::create` (each with
/// its audit entry and, for three in four, a postal address), and given consents through
/// `consent::given::record`. Returns the count of given consents.
pub fn profiles(db: &SqliteDb, people: &mut People, plan: &Plan<'_>, progress: &dyn Fn(u64)) -> Result<u64> {
    let actor = Actor { organisation_id: plan.org, client_id: Some(plan.client_id) };
    let span = 10 * 365 * DAY_MS;
    let mut given_count = 0;
    let mut done = 0;
    while done < plan.count {
        let chunk = CHUNK.min(plan.count - done);
        db.transaction(async |tx| -> Result<()> {
            for i in done..done + chunk {
                let serial = plan.first_serial + i;
                let person = people.person(serial);
                let created = Timestamp(plan.now.0 - span + (span - DAY_MS) * i as i64 / plan.count as i64);
                let body = CreateProfileBody {
                    first_name: Some(person.first_name.clone()),
                    surname: Some(person.surname.clone()),
                    email: person.email.clone(),
                    language_preference: person.language.map(str::to_owned),
                    date_of_birth: Some(person.date_of_birth.clone()),
                    country_code: person.telephone.as_ref().map(|_| "+47".to_owned()),
                    telephone_number_no_country_code: person.telephone.clone(),
                    landline_number: person.landline.clone(),
                    postal_addresses: address_body(&person),
                    created_by: Some(plan.client_id.to_owned()),
                    created_by_channel: Some(person.channel.to_owned()),
                    ..Default::default()
                };
                let new = profile::new_profile(body, plan.org, created)
                    .map_err(|e| anyhow!("profile {serial} is invalid: {e:?}"))?;
                let uuid = fresh_uuid(people);
                let number = profile::create(tx, &actor, &new, None, &uuid, created)
                    .await
                    .map_err(|e| anyhow!("inserting profile {serial}: {e:?}"))?
                    .customer_number;
                if people.rng().chance(plan.consent_percent) {
                    let who = Recorder {
                        organisation_id: plan.org,
                        client_id: Some(plan.client_id),
                        api: Api::V2,
                        now: Timestamp(created.0 + DAY_MS / 2),
                    };
                    let choice = Choice {
                        customer_number: number,
                        consent_id: plan.consent_id,
                        consent_choice: people.rng().chance(80),
                        distribution_channel: Some(person.channel.to_owned()),
                        expiration_date: None,
                    };
                    given::record(tx, &who, &choice)
                        .await
                        .map_err(|e| anyhow!("consent of {}: {e:?}", number.0))?;
                    given_count += 1;
                }
            }
            Ok(())
        })
        .block_on()?;
        done += chunk;
        progress(done);
    }
    Ok(given_count)
}

/// Seeds temporary profiles of `org` through `profile::temporary::new_temporary_profile`,
/// created at `created` and expiring `lifetime_days` later (so, with `created` long ago,
/// already expired: what the purge removes). Half have a postal address and a quarter a given
/// consent, so the purge's cascade has children to delete. Returns their numbers.
#[allow(clippy::too_many_arguments)]
pub fn temporary_profiles(
    db: &SqliteDb,
    people: &mut People,
    org: i64,
    count: u64,
    first_serial: u64,
    consent_id: Option<i64>,
    created: Timestamp,
    lifetime_days: i64,
) -> Result<Vec<CustomerNumber>> {
    let actor = Actor { organisation_id: org, client_id: Some("billettautomat") };
    let expires = Timestamp(created.0 + lifetime_days * DAY_MS).rfc3339();
    let mut numbers = Vec::with_capacity(count as usize);
    let mut done = 0;
    while done < count {
        let chunk = CHUNK.min(count - done);
        db.transaction(async |tx| -> Result<()> {
            for i in done..done + chunk {
                let person = people.person(first_serial + i);
                let body = CreateTemporaryBody {
                    first_name: Some(person.first_name.clone()),
                    surname: Some(person.surname.clone()),
                    email: person.email.clone(),
                    country_code: person.telephone.as_ref().map(|_| "+47".to_owned()),
                    telephone_number_no_country_code: person.telephone.clone(),
                    expiration_date: Some(expires.clone()),
                    created_by: Some("billettautomat".into()),
                    created_by_channel: Some("TVM".into()),
                    ..Default::default()
                };
                let mut new = temporary::new_temporary_profile(body, org, created)
                    .map_err(|e| anyhow!("temporary profile {i}: {e:?}"))?;
                if people.rng().chance(50) {
                    if let Some(address) = address_body(&person) {
                        new.postal_addresses = address
                            .into_iter()
                            .filter_map(|a| domain::address::new_address(a).ok())
                            .collect();
                    }
                }
                let uuid = fresh_uuid(people);
                let number = profile::create(tx, &actor, &new, None, &uuid, created)
                    .await
                    .map_err(|e| anyhow!("inserting temporary profile {i}: {e:?}"))?
                    .customer_number;
                if let Some(consent_id) = consent_id.filter(|_| people.rng().chance(25)) {
                    let who = Recorder { organisation_id: org, client_id: None, api: Api::V2, now: created };
                    let choice = Choice {
                        customer_number: number,
                        consent_id,
                        consent_choice: true,
                        distribution_channel: Some("TVM".into()),
                        expiration_date: None,
                    };
                    given::record(tx, &who, &choice)
                        .await
                        .map_err(|e| anyhow!("consent of {}: {e:?}", number.0))?;
                }
                numbers.push(number);
            }
            Ok(())
        })
        .block_on()?;
        done += chunk;
    }
    Ok(numbers)
}

/// The id of `org`'s consent with `code`.
pub fn consent_id(db: &SqliteDb, org: i64, code: &str) -> Result<i64> {
    db.scalar(
        "SELECT id FROM consent WHERE organisation_id = ?1 AND consent_code = ?2",
        &[domain::db::Value::Integer(org), domain::db::Value::from(code)],
    )
    .with_context(|| format!("the seeded consent {code} of {org}"))
}

/// Fills the change feed of a database seeded before there was one (migration 0013, applied
/// by [`open_for_load`]): a `profile.created` event per CREATED audit entry, as the trigger
/// writes it in service, straight in SQL (a fresh seed gets its events from the triggers).
/// Returns the events there are.
pub fn backfill_feed(db: &SqliteDb) -> Result<i64> {
    db.run(
        "INSERT INTO customer_event (organisation_id, type, occurred_at, customer_number, fields, client_id,
                                     changed_by, channel)
         SELECT organisation_id, 'profile.created', at, customer_number, NULLIF(changed_fields, '[]'),
                client_id, changed_by, channel
           FROM audit_event WHERE action = 'CREATED' AND NOT EXISTS (SELECT 1 FROM customer_event)
          ORDER BY id",
    )?;
    db.scalar("SELECT count(*) FROM customer_event", &[])
}

/// Checkpoints the WAL into the database file. No ANALYZE: the service never runs one, so
/// the planner works without statistics here as it does in production.
pub fn finish(db: &SqliteDb) -> Result<()> {
    db.run("PRAGMA wal_checkpoint(TRUNCATE)")?;
    Ok(())
}
