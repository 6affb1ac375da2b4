//! The privacy centre: the personal-data export (P8), deactivating (P9) and deleting (P10) one's
//! account.

use weft_domain::{SecretToken, Timestamp, UserState};
use weft_mail::EmailContent;
use weft_store::{export, groups, guests, invitations, outbox, sessions, unsubscribe, users};

use crate::emails::{Cause, Kind};
use crate::{App, AppError, SessionUser};

/// What deleting an account removed and what it kept, shown and emailed at that moment (P10).
#[derive(Debug, Clone)]
pub struct DeletionReceipt {
    pub at: Timestamp,
    pub deleted: Vec<&'static str>,
    pub kept: Vec<&'static str>,
}

impl DeletionReceipt {
    /// What deleting now would do, for the warning page.
    pub fn preview(at: Timestamp) -> Self {
        Self::new(at)
    }

    fn new(at: Timestamp) -> Self {
        Self {
            at,
            deleted: vec![
                "your profile: name, username, email address and password",
                "your sessions, log-in links and unsubscribe links, with the masked IP addresses they held",
                "your memberships, membership requests and guest access",
                "your reactions and how far you had read each thread",
                "invitations sent to your address, and the emails we sent you",
            ],
            kept: vec![
                "the threads and comments you wrote, and their earlier versions, now shown as by “a deleted member”, so the discussions they belong to still make sense; ask a group's coordinators to delete your content there",
                "invitations you sent that are still pending, without your name",
            ],
        }
    }

    fn email(&self, instance: &str) -> EmailContent {
        weft_mail::wording::Wording::content(&weft_mail::wording::DeletionReceipt {
            instance: weft_mail::Line::new(instance),
            at: weft_mail::Line::new(self.at.display_utc()),
            deleted: self.deleted.iter().map(|d| (*d).to_owned()).collect(),
            kept: self.kept.iter().map(|k| (*k).to_owned()).collect(),
        })
    }
}

impl App {
    /// P9: hides the person's name from their content, stops all email, ends every session. A
    /// log-in through an emailed link brings everything back.
    pub async fn deactivate_account(&self, who: &SessionUser, current_password: &str) -> Result<(), AppError> {
        self.reauthenticate(who, current_password).await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        users::set_state(&mut tx, who.user.id, UserState::Deactivated, now).await?;
        sessions::delete_all_for_user(&mut tx, who.user.id, None).await?;
        tx.commit().await?;
        Ok(())
    }

    /// P10: deletes the account for good. Content stays, attributed to "a deleted member"; every
    /// personal row goes. The receipt is shown and emailed to the address before it is erased. The
    /// only coordinator of a group must hand over (or delete the group) first.
    pub async fn delete_account(&self, who: &SessionUser, current_password: &str) -> Result<DeletionReceipt, AppError> {
        self.reauthenticate(who, current_password).await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let sole = groups::solely_coordinated(&mut tx, who.user.id).await?;
        if !sole.is_empty() {
            return Err(AppError::field(
                "account",
                format!(
                    "You are the only coordinator of {}. Make someone else a coordinator, or delete the group, first.",
                    sole.join(", ")
                ),
            ));
        }
        let email = who.user.email.clone();
        invitations::delete_for_address(&mut tx, &email).await?;
        guests::delete_invitations_for_address(&mut tx, &email).await?;
        weft_store::polls::delete_invitations_for_address(&mut tx, &email).await?;
        let mut emails = outbox::delete_for_account(&mut tx, who.user.id, email.as_str()).await?;
        emails.extend(outbox::erase_sent_by(&mut tx, who.user.id).await?);
        users::delete(&mut tx, who.user.id).await?;
        let receipt = DeletionReceipt::new(now);
        // The receipt row holds the address until it is delivered, then goes (outbox::mark_sent).
        // Its unsubscribe link works like any other (P15) and knows only a fingerprint.
        let token = SecretToken::generate();
        unsubscribe::insert_for_address(
            &mut tx,
            &token.hash(),
            &email.fingerprint(),
            now,
            now.plus(self.config.retention.unsubscribe_links),
        )
        .await?;
        self.enqueue(
            &mut tx,
            Cause::NONE,
            None,
            &email,
            Kind::DeletionReceipt,
            &receipt.email(&self.config.instance_name),
            &token,
        )
        .await?;
        tx.commit().await?;
        self.after_erasure(&emails, crate::erasure::ACCOUNT_TABLES).await;
        self.wake_mailer();
        Ok(receipt)
    }
}

// ---- personal-data export (P8) ----

/// The export's format version, in every JSON file.
pub const EXPORT_SCHEMA_VERSION: u32 = 1;

/// One kind of data as the personal-data page lists it.
#[derive(Debug, Clone)]
pub struct DataKind {
    pub name: &'static str,
    pub title: &'static str,
    pub count: usize,
}

fn json_value(column: &str, value: &export::Value) -> serde_json::Value {
    use export::Value as V;
    match value {
        V::Null => serde_json::Value::Null,
        V::Int(n) if column.ends_with("_at") || column == "since" => serde_json::Value::String(Timestamp(*n).rfc3339()),
        V::Int(n) if column == "private" || column == "is_admin" => serde_json::Value::Bool(*n != 0),
        V::Int(n) => serde_json::Value::from(*n),
        V::Text(s) => serde_json::Value::String(s.clone()),
    }
}

fn csv_field(value: &serde_json::Value) -> String {
    let text = match value {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// The archive's `index.html`: every section as a table, readable offline
/// (`templates/export_index.html`; values are escaped by the template).
#[derive(askama::Template)]
#[template(path = "export_index.html")]
struct ExportIndex<'a> {
    instance: &'a str,
    exported_at: &'a str,
    sections: Vec<ExportSection>,
}

struct ExportSection {
    name: &'static str,
    title: &'static str,
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// Each kind with its rows, each row its (column, value) pairs in select order.
pub(crate) type ExportRows = Vec<(&'static export::Kind, Vec<Vec<(String, serde_json::Value)>>)>;

impl App {
    async fn export_rows(&self, who: &SessionUser) -> Result<ExportRows, AppError> {
        self.export_rows_of(who.user.id, None).await
    }

    /// Every kind's rows for one person; with `job`, records progress after each kind.
    pub(crate) async fn export_rows_of(
        &self,
        user_id: weft_store::users::UserId,
        job: Option<i64>,
    ) -> Result<ExportRows, AppError> {
        let mut conn = self.store.reader().await?;
        let mut all = Vec::with_capacity(export::KINDS.len());
        for (done, kind) in export::KINDS.iter().enumerate() {
            if let Some(id) = job {
                let done = i64::try_from(done).unwrap_or(0);
                weft_store::data_exports::progress(&mut *self.store.writer().await?, id, done).await?;
            }
            let rows = export::rows(&mut conn, kind, user_id).await?;
            let items = rows
                .iter()
                .map(|row| {
                    row.iter()
                        .map(|(c, v)| (c.clone(), json_value(c, v)))
                        .collect::<Vec<_>>()
                })
                .collect();
            all.push((kind, items));
        }
        Ok(all)
    }

    /// What the personal-data page shows: each kind with how many items Weft holds.
    pub async fn personal_data_summary(&self, who: &SessionUser) -> Result<Vec<DataKind>, AppError> {
        Ok(self
            .export_rows(who)
            .await?
            .into_iter()
            .map(|(kind, items)| DataKind {
                name: kind.name,
                title: kind.title,
                count: items.len(),
            })
            .collect())
    }

    /// P8: everything Weft holds about the signed-in person, as a ZIP: one JSON file per kind
    /// (with the schema version and UTC timestamps), a CSV mirror of each, and an HTML index that
    /// opens offline.
    pub async fn export_personal_data(&self, who: &SessionUser) -> Result<Vec<u8>, AppError> {
        let all = self.export_rows(who).await?;
        self.export_archive(&all)
    }

    /// The ZIP for rows already read.
    pub(crate) fn export_archive(&self, all: &ExportRows) -> Result<Vec<u8>, AppError> {
        let exported_at = self.clock.now().rfc3339();
        let mut zip = crate::zip::ZipWriter::default();
        let mut sections = Vec::with_capacity(all.len());
        for (kind, items) in all {
            let objects: Vec<serde_json::Map<String, serde_json::Value>> =
                items.iter().map(|row| row.iter().cloned().collect()).collect();
            let json = serde_json::json!({
                "schema_version": EXPORT_SCHEMA_VERSION,
                "kind": kind.name,
                "title": kind.title,
                "exported_at": exported_at,
                "items": objects,
            });
            let pretty = serde_json::to_vec_pretty(&json).map_err(|e| AppError::internal(e.to_string()))?;
            zip.add(&format!("{}.json", kind.name), &pretty);
            let columns: Vec<String> = items
                .first()
                .map(|row| row.iter().map(|(c, _)| c.clone()).collect())
                .unwrap_or_default();
            let mut csv = columns.join(",");
            csv.push_str("\r\n");
            for item in items {
                let line: Vec<String> = item.iter().map(|(_, v)| csv_field(v)).collect();
                csv.push_str(&line.join(","));
                csv.push_str("\r\n");
            }
            zip.add(&format!("{}.csv", kind.name), csv.as_bytes());
            sections.push(ExportSection {
                name: kind.name,
                title: kind.title,
                rows: items
                    .iter()
                    .map(|item| item.iter().map(|(_, v)| csv_field(v)).collect())
                    .collect(),
                columns,
            });
        }
        let index = askama::Template::render(&ExportIndex {
            instance: &self.config.instance_name,
            exported_at: &exported_at,
            sections,
        })
        .map_err(|e| AppError::internal(format!("the export's index page: {e}")))?;
        zip.add("index.html", index.as_bytes());
        Ok(zip.finish())
    }
}

// ---- who can see what ("beyond" P8) ----

/// One piece of data and who can see it.
#[derive(Debug, Clone)]
pub struct Audience {
    pub what: String,
    pub who: String,
}

/// "A, B and C".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

impl App {
    /// For each piece of data about the person, who can see it, naming their groups.
    pub async fn who_can_see(&self, who: &SessionUser) -> Result<Vec<Audience>, AppError> {
        let mut conn = self.store.reader().await?;
        let memberships = groups::for_user(&mut conn, who.user.id).await?;
        let public_in = weft_store::threads::groups_with_public_writing(&mut conn, who.user.id).await?;
        let names: Vec<String> = memberships.iter().map(|(g, _)| g.name.clone()).collect();
        let admins = "the administrators of this instance, who run its database".to_owned();
        let mut out = Vec::new();
        out.push(Audience {
            what: format!("Your email address ({})", who.user.email.as_str()),
            who: if names.is_empty() {
                format!("you and {admins}; no group member")
            } else {
                format!(
                    "you, the coordinators of {}, and {admins}; never other members",
                    and_list(&names)
                )
            },
        });
        let mut name_audience = vec!["signed-in people who open your profile page".to_owned()];
        if !names.is_empty() {
            name_audience.insert(0, format!("the members of {}", and_list(&names)));
        }
        if !public_in.is_empty() {
            name_audience.push(format!(
                "everyone, without an account, next to what you wrote in the public threads of {}",
                and_list(&public_in)
            ));
        }
        out.push(Audience {
            what: format!(
                "Your name ({}) and username (@{})",
                who.user.name,
                who.user.username.as_str()
            ),
            who: and_list(&name_audience),
        });
        if !who.user.bio.is_empty() {
            out.push(Audience {
                what: "Your short bio".to_owned(),
                who: "signed-in people who open your profile page".to_owned(),
            });
        }
        for (group, _) in &memberships {
            let public = public_in.contains(&group.name);
            out.push(Audience {
                what: format!("What you write in {}", group.name),
                who: if public {
                    format!(
                        "private threads: the members of {} and guests of each thread; public threads: everyone",
                        group.name
                    )
                } else {
                    format!(
                        "the members of {} and guests of each thread; instance administrators only while the coordinators open support access, and each of their reads is logged",
                        group.name
                    )
                },
            });
        }
        out.push(Audience {
            what: "Your sessions, masked IP addresses, read marks, email settings and this export".into(),
            who: "only you".into(),
        });
        Ok(out)
    }
}
