//! `weft seed`: a realistic instance for benchmarks, deterministic from a seed. Zipf-like group
//! sizes (the largest group holds every user), threads and comments spread over two years with
//! markdown bodies, mentions and reactions, and read state. Rows are generated in memory and
//! loaded in large transactions, many rows per statement.
//!
//! Every seeded account logs in with `SEED_PASSWORD` (one argon2id hash, computed once). The first
//! group is open and holds the benchmark's fixed threads: `bench10`, `bench100`, `bench1000` with
//! exactly that many comments, and `benchpost` and `benchquiet`, where the benchmark writes. `user1` is the heavy
//! account (about one comment in eight of the all-members group's threads). `benchpost` has
//! `BENCH_FOLLOWERS` followers, so a comment posted there sends that many emails, and `benchquiet`
//! none; elsewhere about one reader in ten follows a thread.

use std::io::Write;
use std::time::Instant;

use anyhow::bail;
use weft_domain::{Password, PasswordHash};
use weft_store::Store;
use weft_store::bulk::{self, Lit};

/// The password of every seeded account.
pub const SEED_PASSWORD: &str = "weft-seed-password";
/// The fixed threads the benchmark reads, with their comment counts.
pub const BENCH_THREADS: [(&str, i64); 5] = [
    ("bench10", 10),
    ("bench100", 100),
    ("bench1000", 1000),
    ("benchpost", 0),
    ("benchquiet", 0),
];
/// How many people follow `benchpost`: the last accounts (the benchmark writes as user2, user3, …).
pub const BENCH_FOLLOWERS: i64 = 20;

#[derive(Debug, Clone, Copy)]
pub struct SeedSize {
    pub users: i64,
    pub groups: i64,
    pub threads: i64,
    pub comments: i64,
    pub seed: u64,
}

impl Default for SeedSize {
    fn default() -> Self {
        Self {
            users: 5_000,
            groups: 200,
            threads: 20_000,
            comments: 500_000,
            seed: 42,
        }
    }
}

/// splitmix64: small, fast, deterministic; no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: i64) -> i64 {
        i64::try_from(self.next() % u64::try_from(n.max(1)).unwrap_or(1)).unwrap_or(0)
    }

    fn chance(&mut self, percent: i64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[usize::try_from(self.below(i64::try_from(items.len()).unwrap_or(1))).unwrap_or(0)]
    }
}

const FIRST: [&str; 24] = [
    "Ada", "Bea", "Cai", "Dara", "Eli", "Femi", "Gus", "Hana", "Ines", "Jun", "Kofi", "Lena", "Mika", "Noor", "Omar",
    "Pia", "Quin", "Rosa", "Sami", "Tove", "Uma", "Vik", "Wren", "Yara",
];
const WORDS: [&str; 40] = [
    "garden",
    "budget",
    "meeting",
    "proposal",
    "compost",
    "rota",
    "bikes",
    "library",
    "roof",
    "solar",
    "festival",
    "kitchen",
    "minutes",
    "accounts",
    "volunteers",
    "schedule",
    "repair",
    "harvest",
    "newsletter",
    "policy",
    "members",
    "storage",
    "tools",
    "workshop",
    "training",
    "donation",
    "grant",
    "survey",
    "signage",
    "website",
    "parking",
    "heating",
    "insurance",
    "cleaning",
    "openings",
    "market",
    "choir",
    "seeds",
    "water",
    "paint",
];

fn sentence(rng: &mut Rng, words: i64) -> String {
    let mut s = String::new();
    for i in 0..words {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(rng.pick(&WORDS));
    }
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str() + ".",
        None => s,
    }
}

fn markdown_body(rng: &mut Rng, mention: Option<&str>) -> String {
    let n = 6 + rng.below(14);
    let mut body = sentence(rng, n);
    match rng.below(6) {
        0 => body.push_str(&format!(" I think **{}** matters most.", rng.pick(&WORDS))),
        1 => body.push_str(&format!(
            "\n\n- {}\n- {}\n- {}",
            sentence(rng, 3),
            sentence(rng, 4),
            sentence(rng, 2)
        )),
        2 => body.push_str(&format!(" See <https://example.org/{}>.", rng.pick(&WORDS))),
        3 => body.push_str(&format!("\n\n> {}\n\n{}", sentence(rng, 8), sentence(rng, 5))),
        _ => {}
    }
    if let Some(username) = mention {
        body.push_str(&format!(" What do you think, @{username}?"));
    }
    body
}

fn progress(label: &str, done: i64, total: i64) {
    let pct = if total > 0 { done * 100 / total } else { 100 };
    let bar: String = (0..30).map(|i| if i * 100 / 30 < pct { '#' } else { '.' }).collect();
    eprint!("\r{label:<12} [{bar}] {done}/{total}");
    if done >= total {
        eprintln!();
    }
    let _ = std::io::stderr().flush();
}

/// Group `g` (0-based) has about `users / (g + 1)` members, at least 5: a Zipf-like spread.
fn group_size(g: i64, users: i64) -> i64 {
    (users / (g + 1)).clamp(5.min(users), users)
}

pub async fn seed(store: &Store, size: SeedSize) -> anyhow::Result<()> {
    if size.users < 10 || size.groups < 1 || size.threads < 5 {
        bail!("seed at least 10 users, 1 group and 5 threads");
    }
    let existing = weft_store::users::count(&mut *store.reader().await?).await?;
    if existing > 0 {
        bail!("the database already has {existing} accounts: seed an empty instance");
    }
    let started = Instant::now();
    let mut rng = Rng(size.seed);
    let now = weft_app::Clock::system().now().0;
    let two_years: i64 = 2 * 365 * 86_400 * 1_000_000;
    let start = now - two_years;
    let hash = PasswordHash::create(&Password::candidate(SEED_PASSWORD));
    let backend = store.backend();

    // Users.
    let mut rows = Vec::with_capacity(usize::try_from(size.users)?);
    for i in 1..=size.users {
        let created = start + rng.below(two_years / 4);
        rows.push(vec![
            Lit::Int(i),
            Lit::Text(format!("seedu{i}")),
            Lit::Text(format!("{} {i}", FIRST[usize::try_from(i % 24)?])),
            Lit::Text(format!("user{i}")),
            Lit::Text(format!("user{i}@seed.example")),
            Lit::Text(hash.as_str().to_owned()),
            Lit::Int(created),
            Lit::Int(created),
            Lit::Int(created),
        ]);
    }
    load(
        store,
        "users",
        &[
            "id",
            "key",
            "name",
            "username",
            "email",
            "password_hash",
            "email_verified_at",
            "created_at",
            "updated_at",
        ],
        &rows,
    )
    .await?;

    // Groups and memberships. Group g's members: `size` consecutive users from a random offset.
    let mut members: Vec<Vec<i64>> = Vec::new();
    let mut group_rows = Vec::new();
    let mut membership_rows = Vec::new();
    let mut public = Vec::new();
    for g in 0..size.groups {
        let id = g + 1;
        let n = group_size(g, size.users);
        let offset = if g == 0 { 0 } else { rng.below(size.users) };
        let list: Vec<i64> = (0..n).map(|k| (offset + k) % size.users + 1).collect();
        let (privacy, join, threads_privacy) = match (g, rng.below(10)) {
            (0, _) | (_, 0..=5) => ("open", "approval", "public_only"),
            (_, 6..=8) => ("closed", "approval", "private_only"),
            _ => ("secret", "invitation", "private_only"),
        };
        public.push(privacy == "open");
        let created = start + rng.below(two_years / 8);
        group_rows.push(vec![
            Lit::Int(id),
            Lit::Text(format!("seedg{id}")),
            Lit::Text(format!("{} {} group {id}", rng.pick(&FIRST), rng.pick(&WORDS))),
            Lit::Text(format!("group{id}")),
            Lit::Text(sentence(&mut rng, 12)),
            Lit::Text(privacy.into()),
            Lit::Text(join.into()),
            Lit::Text(threads_privacy.into()),
            Lit::Int(i64::from(privacy == "open")),
            Lit::Int(list[0]),
            Lit::Int(created),
            Lit::Int(created),
        ]);
        for (k, user) in list.iter().enumerate() {
            membership_rows.push(vec![
                Lit::Int(id),
                Lit::Int(*user),
                Lit::Text(if k < 2 { "admin" } else { "member" }.into()),
                Lit::Int(created + i64::try_from(k)? * 1_000_000),
            ]);
        }
        members.push(list);
    }
    let flags = "members_can_add_members, members_can_add_guests, members_can_announce, members_can_create_subgroups, \
                 members_can_start_threads, members_can_edit_threads, members_can_edit_comments, members_can_delete_comments, \
                 members_can_raise_polls, admins_can_edit_user_content";
    let group_rows: Vec<Vec<Lit>> = group_rows
        .into_iter()
        .map(|mut r| {
            let tail = r.split_off(9);
            r.extend([1, 1, 1, 0, 1, 1, 1, 1, 1, 0].map(Lit::Int));
            r.extend(tail);
            r
        })
        .collect();
    let mut group_columns = vec![
        "id",
        "key",
        "name",
        "handle",
        "description",
        "privacy",
        "join_policy",
        "thread_privacy",
        "listed_in_explore",
    ];
    group_columns.extend(flags.split(',').map(str::trim));
    group_columns.extend(["created_by", "created_at", "updated_at"]);
    load(store, "groups", &group_columns, &group_rows).await?;
    load(
        store,
        "memberships",
        &["group_id", "user_id", "role", "created_at"],
        &membership_rows,
    )
    .await?;

    // Threads: spread over groups by size; the fixed benchmark threads first, in group 1.
    let total_members: i64 = members.iter().map(|m| i64::try_from(m.len()).unwrap_or(0)).sum();
    let mut thread_group = Vec::with_capacity(usize::try_from(size.threads)?);
    for (key, _) in BENCH_THREADS {
        let _ = key;
        thread_group.push(0_usize);
    }
    while i64::try_from(thread_group.len())? < size.threads {
        // Pick a group with probability proportional to its size.
        let mut r = rng.below(total_members);
        let mut g = 0;
        while r >= i64::try_from(members[g].len())? {
            r -= i64::try_from(members[g].len())?;
            g += 1;
        }
        thread_group.push(g);
    }
    // Comments per thread: the fixed ones exact, the rest Zipf-like over a shuffled rank.
    let fixed: i64 = BENCH_THREADS.iter().map(|(_, n)| n).sum();
    let rest = (size.comments - fixed).max(0);
    let others = size.threads - i64::try_from(BENCH_THREADS.len())?;
    let weights: Vec<f64> = (0..others).map(|r| 1.0 / ((r + 1) as f64).powf(0.8)).collect();
    let wsum: f64 = weights.iter().sum();
    let mut counts: Vec<i64> = BENCH_THREADS.iter().map(|(_, n)| *n).collect();
    let mut assigned = 0;
    for w in &weights {
        #[allow(clippy::cast_possible_truncation)]
        let c = ((*w / wsum) * rest as f64).floor() as i64;
        counts.push(c.min(5_000));
        assigned += c.min(5_000);
    }
    // Whatever rounding left goes one by one to random threads.
    while assigned < rest {
        let t = usize::try_from(i64::try_from(BENCH_THREADS.len())? + rng.below(others))?;
        counts[t] += 1;
        assigned += 1;
    }

    let mut thread_rows = Vec::with_capacity(counts.len());
    let mut thread_created = Vec::with_capacity(counts.len());
    for (t, g) in thread_group.iter().enumerate() {
        let id = i64::try_from(t)? + 1;
        let key = match BENCH_THREADS.get(t) {
            Some((k, _)) => (*k).to_owned(),
            None => format!("seedt{id}"),
        };
        let author = members[*g][usize::try_from(rng.below(i64::try_from(members[*g].len())?))?];
        let created = start + rng.below(two_years - two_years / 12);
        let n = counts[t];
        thread_created.push(created);
        thread_rows.push(vec![
            Lit::Int(id),
            Lit::Text(key),
            Lit::Int(i64::try_from(*g)? + 1),
            Lit::Int(author),
            Lit::Text({
                let n = 3 + rng.below(6);
                sentence(&mut rng, n)
            }),
            Lit::Text(markdown_body(&mut rng, None)),
            Lit::Int(i64::from(!public[*g])),
            Lit::Int(n),
            Lit::Int(n),
            Lit::Int((created + n * 3_600_000_000).min(now)),
            Lit::Int(created),
        ]);
    }
    load(
        store,
        "threads",
        &[
            "id",
            "key",
            "group_id",
            "author_id",
            "title",
            "context",
            "private",
            "last_seq",
            "comment_count",
            "last_activity_at",
            "created_at",
        ],
        &thread_rows,
    )
    .await?;

    // Comments, reactions and read marks, thread by thread, loaded in batches.
    let mut comment_id = 0_i64;
    let mut comments = Vec::new();
    let mut reactions = Vec::new();
    let mut reads = Vec::new();
    let emoji = ["thumbs_up", "heart", "tada", "smile", "thinking", "eyes", "pray", "sad"];
    let mut done = 0_i64;
    let mut tx = store.begin().await?;
    for (t, g) in thread_group.iter().enumerate() {
        let thread_id = i64::try_from(t)? + 1;
        let group = &members[*g];
        let glen = i64::try_from(group.len())?;
        let mut at = thread_created[t];
        let mut tops: Vec<i64> = Vec::new();
        for seq in 1..=counts[t] {
            comment_id += 1;
            at = (at + rng.below(7_200_000_000)).min(now);
            // user1 writes about one comment in eight in the all-members group: the heavy account
            // whose personal-data export the benchmark times (about 10 000 comments by default).
            let author = if *g == 0 && rng.chance(12) {
                1
            } else {
                group[usize::try_from(rng.below(glen))?]
            };
            let mention = if rng.chance(8) {
                Some(format!("user{}", group[usize::try_from(rng.below(glen))?]))
            } else {
                None
            };
            // One level of replies, as the app allows: a reply answers a top-level comment.
            let parent = if !tops.is_empty() && rng.chance(20) {
                Lit::Int(tops[usize::try_from(rng.below(i64::try_from(tops.len())?))?])
            } else {
                tops.push(comment_id);
                Lit::Null
            };
            comments.push(vec![
                Lit::Int(comment_id),
                Lit::Int(thread_id),
                Lit::Int(seq),
                parent,
                Lit::Int(author),
                Lit::Text(markdown_body(&mut rng, mention.as_deref())),
                Lit::Int(at),
            ]);
            if rng.chance(12) {
                let mut used = Vec::new();
                for _ in 0..=rng.below(3) {
                    let who = group[usize::try_from(rng.below(glen))?];
                    let e = rng.pick(&emoji);
                    if !used.contains(&(who, e)) {
                        used.push((who, e));
                        reactions.push(vec![
                            Lit::Int(comment_id),
                            Lit::Int(who),
                            Lit::Text(e.into()),
                            Lit::Int(at),
                        ]);
                    }
                }
            }
        }
        // Up to 20 members have read some or all of it; about one in ten follows it (`benchpost`:
        // exactly its fixed followers).
        let benchpost = BENCH_THREADS.get(t).is_some_and(|(key, _)| *key == "benchpost");
        let quiet = benchpost || BENCH_THREADS.get(t).is_some_and(|(key, _)| *key == "benchquiet");
        let readers = rng.below(21).min(glen);
        let mut seen = Vec::new();
        for _ in 0..readers {
            let who = group[usize::try_from(rng.below(glen))?];
            if !seen.contains(&who) {
                seen.push(who);
                let upto = if counts[t] == 0 { 0 } else { 1 + rng.below(counts[t]) };
                // One reader in ten chose loud; the others left it to the group.
                let volume = if rng.chance(10) && !quiet {
                    Lit::Text("loud".into())
                } else {
                    Lit::Null
                };
                reads.push(vec![
                    Lit::Int(thread_id),
                    Lit::Int(who),
                    Lit::Int(upto),
                    Lit::Int(at),
                    volume,
                ]);
            }
        }
        if benchpost {
            for who in (size.users - BENCH_FOLLOWERS + 1..=size.users).filter(|u| *u > 1 && !seen.contains(u)) {
                reads.push(vec![
                    Lit::Int(thread_id),
                    Lit::Int(who),
                    Lit::Int(0),
                    Lit::Int(at),
                    Lit::Text("loud".into()),
                ]);
            }
        }
        if comments.len() >= 20_000 {
            flush(&mut tx, &mut comments, &mut reactions, &mut reads).await?;
            tx.commit().await?;
            tx = store.begin().await?;
        }
        done += counts[t];
        if t % 200 == 0 {
            progress("comments", done, size.comments.max(fixed));
        }
    }
    flush(&mut tx, &mut comments, &mut reactions, &mut reads).await?;
    tx.commit().await?;
    progress("comments", done, done);

    seed_polls(store, &mut rng, size.users, now).await?;

    let mut conn = store.writer().await?;
    bulk::reset_ids(
        &mut conn,
        backend,
        &[
            "users",
            "groups",
            "threads",
            "comments",
            "polls",
            "poll_options",
            "votes",
        ],
    )
    .await?;
    bulk::analyze(&mut conn, backend).await?;
    eprintln!(
        "Seeded {} users, {} groups ({} memberships), {} threads, {} comments in {:.1} s.",
        size.users,
        size.groups,
        membership_rows.len(),
        size.threads,
        done,
        started.elapsed().as_secs_f64()
    );
    eprintln!(
        "Every account logs in with the password {SEED_PASSWORD:?}: user1@seed.example … user{}@seed.example.",
        size.users
    );
    Ok(())
}

/// Votes on the results benchmark's poll (`BENCH_RESULTS_POLL`).
pub const BENCH_RESULTS_VOTES: i64 = 10_000;
/// The poll whose results page the benchmark reads: 10 000 current votes (one per seeded
/// account, the rest by deleted members, as a poll older than some accounts has).
pub const BENCH_RESULTS_POLL: &str = "benchresults";
/// The open proposal the benchmark's voters vote on, in `benchquiet` (nobody follows it).
pub const BENCH_VOTE_POLL: &str = "benchvote";

/// Two polls in group 1: one with `BENCH_RESULTS_VOTES` votes in the public thread `bench100`,
/// one open and empty in `benchquiet` for the voting benchmark.
async fn seed_polls(store: &Store, rng: &mut Rng, users: i64, now: i64) -> anyhow::Result<()> {
    let year: i64 = 365 * 86_400 * 1_000_000;
    let thread_id = |key: &str| -> i64 {
        BENCH_THREADS
            .iter()
            .position(|(k, _)| *k == key)
            .map_or(1, |i| i64::try_from(i).unwrap_or(0) + 1)
    };
    let poll = |id: i64, key: &str, thread: i64, kind: &str, title: &str, max: i64, voters: i64| {
        vec![
            Lit::Int(id),
            Lit::Text(key.into()),
            Lit::Int(1),
            Lit::Int(thread),
            Lit::Int(1),
            Lit::Text(kind.into()),
            Lit::Text(title.into()),
            Lit::Text(String::new()),
            Lit::Int(now + year),
            Lit::Int(0),
            Lit::Text("off".into()),
            Lit::Text("optional".into()),
            Lit::Int(1),
            Lit::Int(max),
            Lit::Int(0),
            Lit::Int(0),
            Lit::Int(0),
            Lit::Int(0),
            Lit::Int(0),
            Lit::Int(0),
            Lit::Text("members".into()),
            Lit::Text("undecided".into()),
            Lit::Int(0),
            Lit::Int(voters),
            Lit::Int(now - year / 12),
        ]
    };
    load(
        store,
        "polls",
        &[
            "id",
            "key",
            "group_id",
            "thread_id",
            "author_id",
            "kind",
            "title",
            "details",
            "closing_at",
            "anonymous",
            "hide_results",
            "reason_rule",
            "min_choices",
            "max_choices",
            "none_of_the_above",
            "shuffle_options",
            "voters_can_add_options",
            "dots_per_person",
            "score_min",
            "score_max",
            "electorate",
            "closing_soon",
            "notify_on_open",
            "voter_count",
            "created_at",
        ],
        &[
            poll(
                1,
                BENCH_RESULTS_POLL,
                thread_id("bench100"),
                "poll",
                "Where do the new beds go?",
                2,
                BENCH_RESULTS_VOTES,
            ),
            poll(
                2,
                BENCH_VOTE_POLL,
                thread_id("benchquiet"),
                "proposal",
                "Open the garden on Sundays",
                1,
                0,
            ),
        ],
    )
    .await?;
    let mut votes = Vec::new();
    let mut choices = Vec::new();
    let mut receipts = Vec::new();
    for id in 1..=BENCH_RESULTS_VOTES {
        let voter = if id <= users { Lit::Int(id) } else { Lit::Null };
        if id <= users {
            receipts.push(vec![Lit::Int(1), Lit::Int(id)]);
        }
        let reason = if rng.chance(20) {
            sentence(rng, 8)
        } else {
            String::new()
        };
        votes.push(vec![
            Lit::Int(id),
            Lit::Int(1),
            voter,
            Lit::Text(reason),
            Lit::Int(1),
            Lit::Int(now - rng.below(year / 12)),
        ]);
        let first = 1 + rng.below(4);
        choices.push(vec![Lit::Int(id), Lit::Int(1), Lit::Int(first), Lit::Int(1)]);
        if rng.chance(30) {
            choices.push(vec![Lit::Int(id), Lit::Int(1), Lit::Int(first % 4 + 1), Lit::Int(1)]);
        }
    }
    // The running totals the app keeps with every vote.
    let options = [
        (1, "North bed"),
        (1, "South bed"),
        (1, "Greenhouse"),
        (1, "Orchard"),
        (2, "Agree"),
        (2, "Abstain"),
        (2, "Disagree"),
    ];
    let option_rows: Vec<Vec<Lit>> = options
        .iter()
        .enumerate()
        .map(|(i, (poll, name))| {
            let id = i64::try_from(i).unwrap_or(0) + 1;
            let voters = i64::try_from(
                choices
                    .iter()
                    .filter(|c| matches!(c[2], Lit::Int(o) if o == id))
                    .count(),
            )
            .unwrap_or(0);
            vec![
                Lit::Int(id),
                Lit::Int(*poll),
                Lit::Int(id),
                Lit::Text((*name).into()),
                Lit::Int(voters),
                Lit::Int(voters),
                Lit::Int(now - year / 12),
            ]
        })
        .collect();
    load(
        store,
        "poll_options",
        &["id", "poll_id", "position", "name", "voters", "total", "created_at"],
        &option_rows,
    )
    .await?;
    load(
        store,
        "votes",
        &["id", "poll_id", "voter_id", "reason", "current", "created_at"],
        &votes,
    )
    .await?;
    load(
        store,
        "vote_choices",
        &["vote_id", "poll_id", "option_id", "value"],
        &choices,
    )
    .await?;
    load(store, "vote_receipts", &["poll_id", "user_id"], &receipts).await?;
    Ok(())
}

async fn load(store: &Store, table: &str, columns: &[&str], rows: &[Vec<Lit>]) -> anyhow::Result<()> {
    let total = i64::try_from(rows.len())?;
    let mut done = 0;
    for chunk in rows.chunks(20_000) {
        let mut tx = store.begin().await?;
        bulk::insert(&mut tx, table, columns, chunk).await?;
        tx.commit().await?;
        done += i64::try_from(chunk.len())?;
        progress(table, done, total);
    }
    if rows.is_empty() {
        progress(table, 0, 0);
    }
    Ok(())
}

async fn flush(
    tx: &mut weft_store::Tx,
    comments: &mut Vec<Vec<Lit>>,
    reactions: &mut Vec<Vec<Lit>>,
    reads: &mut Vec<Vec<Lit>>,
) -> anyhow::Result<()> {
    bulk::insert(
        tx,
        "comments",
        &["id", "thread_id", "seq", "parent_id", "author_id", "body", "created_at"],
        comments,
    )
    .await?;
    bulk::insert(
        tx,
        "reactions",
        &["comment_id", "user_id", "emoji", "created_at"],
        reactions,
    )
    .await?;
    bulk::insert(
        tx,
        "thread_reads",
        &["thread_id", "user_id", "read_seq", "read_at", "chosen_volume"],
        reads,
    )
    .await?;
    comments.clear();
    reactions.clear();
    reads.clear();
    Ok(())
}
