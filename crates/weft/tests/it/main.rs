//! All integration tests, as one binary (one link step). Each scenario runs on SQLite, and on
//! PostgreSQL when `WEFT_TEST_POSTGRES_URL` is set.

mod helpers;

mod accounts;
mod api;
mod cli;
mod decisions;
mod digests;
mod durability;
mod email;
mod groups;
mod hardening;
mod inbound;
mod invitations;
mod jobs;
mod notifications;
mod poll_places;
mod polls;
mod privacy;
mod privacy_centre;
mod schema;
mod security;
mod takeover;
mod threads;
